"""Writing a batch of checked extract rows: set-based, a few queries a batch whatever its size.

Each loader takes a batch of rows that passed `extracts.check_row`, finds what Hearth already
holds for them in one query a table, and returns the problems that keep rows out (an unknown
person, an event type Hearth lacks…). The agency's source system and each row's reference
identify a record: a row seen before is left alone when unchanged and becomes an amendment, with
its history, when the source record changed. So re-running a file, or one that overlaps an
earlier one, creates nothing new.

Chronology entries follow `chronology.actions.record_from_source` exactly (create; amend with an
`EntryVersion`; refuse a changed subject or a retracted entry) but in bulk: COPY on PostgreSQL
for the new entries, their subjects and versions, and one UPDATE per batch for the amended ones.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connections, transaction
from django.db.models import BigAutoField, BigIntegerField, CharField, Lookup, OuterRef, Q, Subquery
from django.utils import timezone

from hearth.access.models import Involvement
from hearth.agencies.models import Agency
from hearth.alerts.models import PendingEvaluation
from hearth.audit.actions import event
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.actions import encode_roles
from hearth.chronology.models import (
    ChronologyEntry,
    DateAccuracy,
    EntryStatus,
    EntrySubject,
    EntryVersion,
    EventType,
    SharingLevel,
    VersionKind,
)
from hearth.interop import bulk
from hearth.interop.extracts import Row
from hearth.interop.models import ImportRun
from hearth.interop.problems import Problem
from hearth.lib.addresses import dwelling_key
from hearth.lib.immutable import allow_changes
from hearth.linkage import intake
from hearth.linkage.index import Incoming
from hearth.linkage.models import Channel, LinkMethod
from hearth.people.actions import name_row
from hearth.people.models import (
    Address,
    Person,
    PersonIdentifier,
    PersonKind,
    Relationship,
    Residence,
    Sex,
)

# The entry's content, as stored (event_type by id): what an amendment may change.
ENTRY_FIELDS = (
    "event_date",
    "date_accuracy",
    "event_type_id",
    "description",
    "impact_on_child",
    "sharing_level",
    "restricted_roles",
)
COLUMN_OF = {"event_type_id": "event_type"}


@dataclass
class Context:
    run: ImportRun
    by: Any
    agency: Agency
    system: str
    present: set[str]  # the columns the file has: absent optional columns change nothing
    counts: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    event_types: dict[str, int] = field(default_factory=dict)
    # People already queued for the alert evaluator by this load. Only when the whole load is
    # one transaction: the evaluator cannot see the queue, or the entries, before it commits.
    queued: set[int] | None = None
    # Who each person reference and NHS number named when first looked up by this load: a file
    # names the same people again and again, so each is asked of the database once a load.
    person_of_ref: dict[str, int | None] = field(default_factory=dict)
    people_of_nhs: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # The statements that prepare a PostgreSQL transaction for a batch (see `_stage`), and the
    # transaction they last ran in: a load in one transaction runs them once, not every batch.
    stage: tuple[str, str] | None = None
    staged_in: int | None = None
    # Source records whose person this load created: matched against the index after it commits.
    new_records: list[int] = field(default_factory=list)

    @property
    def actor_name(self) -> str:
        return str(getattr(self.by, "display_name", "") or getattr(self.by, "username", ""))[:200]


class _AnyOf(Lookup):
    """`field = ANY(%s)` with the values as one array parameter: for 10,000 references, far
    cheaper to send and plan than `IN` with 10,000 parameters (PostgreSQL only)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


CharField.register_lookup(_AnyOf)
BigIntegerField.register_lookup(_AnyOf)
BigAutoField.register_lookup(_AnyOf)


def one_of(field: str, values: Any) -> Q:
    values = list(values)
    if vendor() == "postgresql":
        return Q(**{f"{field}__any_of": values})
    return Q(**{f"{field}__in": values})


def source_system(agency: Agency) -> str:
    return agency.source_system or agency.code


def _duplicates(rows: list[Row], ctx: Context, problems: list[Problem], key: str) -> list[Row]:
    kept = []
    for row in rows:
        ref = row.values[key]
        if ref in ctx.seen:
            problems.append(
                Problem(
                    str(row.number),
                    key,
                    ref,
                    "DUPLICATE_IN_FILE",
                    "This reference is on an earlier row of the file: each record once a file.",
                )
            )
            continue
        ctx.seen.add(ref)
        kept.append(row)
    return kept


# The most references and NHS numbers a load remembers (about 120 bytes each); past that it
# forgets them all and asks again, so a file about millions of people still fits in memory.
PEOPLE_CACHE_LIMIT = 500_000


def _look_up_people(rows: list[Row], ctx: Context) -> None:
    """Ask the database only about the references and NHS numbers this load has not yet seen."""
    by_ref, by_nhs = ctx.person_of_ref, ctx.people_of_nhs
    refs = {r.values["person_reference"] for r in rows if "person_reference" in r.values}
    nhs = {r.values["nhs_number"] for r in rows if "nhs_number" in r.values}
    refs -= by_ref.keys()
    nhs -= by_nhs.keys()
    if len(by_ref) + len(by_nhs) + len(refs) + len(nhs) > PEOPLE_CACHE_LIMIT:
        by_ref.clear()
        by_nhs.clear()
        return _look_up_people(rows, ctx)
    if refs:
        found = dict(
            PersonIdentifier.objects.filter(one_of("value", refs), system=ctx.system).values_list(
                "value", "person_id"
            )
        )
        by_ref.update((ref, found.get(ref)) for ref in refs)
    if nhs:
        people: dict[str, list[int]] = defaultdict(list)
        for value, person_id in Person.objects.filter(nhs_number__in=nhs).values_list(
            "nhs_number", "pk"
        ):
            people[value].append(person_id)
        by_nhs.update((number, tuple(people.get(number, ()))) for number in nhs)
    return None


def resolve_people(rows: list[Row], ctx: Context, problems: list[Problem]) -> dict[int, int]:
    """Row number -> person id, by the agency's person reference or the NHS number."""
    _look_up_people(rows, ctx)
    by_ref, by_nhs = ctx.person_of_ref, ctx.people_of_nhs
    found: dict[int, int] = {}
    for row in rows:
        n = str(row.number)
        ref: str | None = row.values.get("person_reference")
        number: str | None = row.values.get("nhs_number")
        from_ref = by_ref.get(ref) if ref else None
        from_nhs = by_nhs.get(number, ()) if number else ()
        if len(from_nhs) > 1:
            problems.append(
                Problem(
                    n,
                    "nhs_number",
                    number or "",
                    "AMBIGUOUS_NHS",
                    f"{len(from_nhs)} people in Hearth have this NHS number: "
                    "use the person reference.",
                )
            )
        elif from_ref and from_nhs and from_ref not in from_nhs:
            problems.append(
                Problem(
                    n,
                    "nhs_number",
                    number or "",
                    "PERSON_MISMATCH",
                    f"Person {ref} in your system has a different NHS number in Hearth.",
                )
            )
        elif from_ref or from_nhs:
            found[row.number] = from_ref or from_nhs[0]
        else:
            column = "person_reference" if ref else "nhs_number"
            value = (ref if ref else number) or ""
            problems.append(
                Problem(
                    n,
                    column,
                    value,
                    "UNKNOWN_PERSON",
                    "No one in Hearth has this "
                    + ("reference in your system" if ref else "NHS number")
                    + ": load them with the people extract first.",
                )
            )
    return found


def _queue(person_ids: set[int], ctx: Context) -> None:
    """The alert evaluator re-reads these families later, as after `create_entry`."""
    if ctx.queued is not None:
        person_ids = person_ids - ctx.queued
        ctx.queued |= person_ids
    if person_ids:
        now = timezone.now()
        bulk.append_rows(
            PendingEvaluation, ("person_id", "queued_at"), [(p, now) for p in person_ids]
        )


# --- chronology -------------------------------------------------------------------------------


def load_event_types(ctx: Context) -> None:
    ctx.event_types = dict(EventType.objects.filter(active=True).values_list("code", "pk"))


def _content(row: Row, ctx: Context) -> dict[str, Any]:
    v = row.values
    return {
        "event_date": v["event_date"],
        "date_accuracy": v.get("date_accuracy", DateAccuracy.DAY),
        "event_type_id": ctx.event_types[v["event_type"]],
        "description": v["description"],
        "impact_on_child": v.get("impact_on_child", ""),
        "sharing_level": v.get("sharing_level", SharingLevel.PARTNERSHIP),
        "restricted_roles": encode_roles(v["restricted_roles"]) if "restricted_roles" in v else "",
    }


def prepare_chronology(rows: list[Row], ctx: Context) -> tuple[list[Row], list[Problem]]:
    """The checks and the work that need no database, done as the file is read (in the reading
    thread, alongside the writes): known event type, once a file, and each entry's content."""
    problems: list[Problem] = []
    good = []
    for row in rows:
        if row.values["event_type"] in ctx.event_types:
            row.content = _content(row, ctx)
            good.append(row)
        else:
            problems.append(
                Problem(
                    str(row.number),
                    "event_type",
                    row.values["event_type"],
                    "EVENT_TYPE",
                    "Not one of Hearth's event type codes: ask the "
                    "partnership's administrator to map it.",
                )
            )
    return _duplicates(good, ctx, problems, "source_reference"), problems


@dataclass
class Classified:
    """A batch of chronology rows sorted by what loading them will do, and the problems that
    keep the others out: everything a load decides by reading, before it writes."""

    new: list[tuple[Row, dict[str, Any]]]
    amended: list[tuple[dict[str, Any], dict[str, Any]]]
    touched: set[int]  # the people whose records change: queued for the alert evaluator
    people: dict[int, int]  # row number -> person id
    unchanged: int
    problems: list[Problem]
    # The new entries as the staging table's COPY text, formatted where the batch was classified
    # (the reading thread), so the writing thread only sends it (PostgreSQL only).
    staged: str = ""


def chronology(rows: list[Row], ctx: Context) -> list[Problem]:
    classified = classify_chronology(rows, ctx)
    write_chronology(classified, ctx)
    return classified.problems


def classify_chronology(rows: list[Row], ctx: Context) -> Classified:
    """Reads only, so it may run on a connection of its own, ahead of the writes: every row it
    is given has a reference unseen earlier in the file (`prepare_chronology`), so no entry the
    load has yet to commit can change what it finds."""
    problems: list[Problem] = []
    good = rows
    if any(row.content is None for row in rows):  # not prepared as it was read
        good, problems = prepare_chronology(rows, ctx)
    unchanged = 0
    people = resolve_people(good, ctx, problems)
    good = [r for r in good if r.number in people]
    existing = {
        e["source_reference"]: e
        for e in ChronologyEntry.objects.filter(
            one_of("source_reference", [r.values["source_reference"] for r in good]),
            source_system=ctx.system,
        )
        .exclude(source_reference="")  # lets PostgreSQL use the partial unique index
        .values("pk", "source_reference", "agency_id", "status", "version", *ENTRY_FIELDS)
    }
    subjects: dict[int, set[int]] = defaultdict(set)
    if existing:
        for entry_id, person_id in EntrySubject.objects.filter(
            one_of("entry__id", [e["pk"] for e in existing.values()])
        ).values_list("entry_id", "person_id"):
            subjects[entry_id].add(person_id)
    new: list[tuple[Row, dict[str, Any]]] = []
    amended: list[tuple[dict[str, Any], dict[str, Any]]] = []
    touched: set[int] = set()
    for row in good:
        ref, pid, n = row.values["source_reference"], people[row.number], str(row.number)
        content = row.content or {}
        old = existing.get(ref)
        if old is None:
            new.append((row, content))
            touched.add(pid)
            continue
        if old["agency_id"] != ctx.agency.pk:
            problems.append(
                Problem(
                    n,
                    "source_reference",
                    ref,
                    "OTHER_AGENCY",
                    "Another agency's record has this source reference.",
                )
            )
        elif subjects[old["pk"]] != {pid}:
            problems.append(
                Problem(
                    n,
                    "person_reference",
                    row.values.get("person_reference", ""),
                    "SUBJECT_CHANGED",
                    "This record was about someone else: "
                    "retract it in Hearth and send it under a new reference.",
                )
            )
        else:
            changed = {
                f: value
                for f, value in content.items()
                if COLUMN_OF.get(f, f) in ctx.present and value != old[f]
            }
            if not changed:
                unchanged += 1
            elif old["status"] != EntryStatus.ACTIVE:
                problems.append(
                    Problem(
                        n,
                        "source_reference",
                        ref,
                        "RETRACTED",
                        "The entry was retracted in Hearth: it cannot be amended from the source.",
                    )
                )
            else:
                amended.append((old, {**{f: old[f] for f in ENTRY_FIELDS}, **changed}))
                touched.add(pid)
    staged = _staged(new, people) if new and vendor() == "postgresql" else ""
    return Classified(new, amended, touched, people, unchanged, problems, staged)


def write_chronology(batch: Classified, ctx: Context) -> None:
    _create_entries(batch.new, batch.people, ctx, batch.staged)
    _amend_entries(batch.amended, ctx)
    _queue(batch.touched, ctx)
    ctx.counts["created"] += len(batch.new)
    ctx.counts["amended"] += len(batch.amended)
    ctx.counts["unchanged"] += batch.unchanged


ENTRY_COLUMNS = (
    "agency_id",
    "author_id",
    "author_name",
    "recorded_at",
    "household_id",
    "source_system",
    "source_reference",
    *ENTRY_FIELDS,
    "status",
    "version",
)
VERSION_COLUMNS = (
    "entry_id",
    "version",
    "kind",
    "recorded_at",
    "recorded_by_id",
    "recorded_by_name",
    "reason",
    *ENTRY_FIELDS,
)


def _create_entries(
    new: list[tuple[Row, dict[str, Any]]], people: dict[int, int], ctx: Context, staged: str = ""
) -> None:
    """New entries, their subjects and first versions, as plain rows (no model instances)."""
    if not new:
        return
    if vendor() == "postgresql":
        _create_entries_pg(staged or _staged(new, people), ctx)
        return
    now = timezone.now()
    name = ctx.actor_name
    agency = ctx.agency.pk
    ids = bulk.insert_rows(
        ChronologyEntry,
        ENTRY_COLUMNS,
        [
            (
                agency,
                None,
                name,
                now,
                None,
                ctx.system,
                row.values["source_reference"],
                *[content[f] for f in ENTRY_FIELDS],
                EntryStatus.ACTIVE.value,
                1,
            )
            for row, content in new
        ],
    )
    bulk.insert_rows(
        EntrySubject,
        ("entry_id", "person_id", "event_date"),
        [
            (pk, people[row.number], content["event_date"])
            for pk, (row, content) in zip(ids, new, strict=True)
        ],
    )
    reason = f"Loaded from {ctx.run.file_name} (import run {ctx.run.pk})"
    original = VersionKind.ORIGINAL.value
    bulk.insert_rows(
        EntryVersion,
        VERSION_COLUMNS,
        [
            (pk, 1, original, now, None, name, reason, *[content[f] for f in ENTRY_FIELDS])
            for pk, (_row, content) in zip(ids, new, strict=True)
        ],
    )


STAGE_COLUMNS = ("person_id", "source_reference", *ENTRY_FIELDS)
STAGE_TYPES = {
    "person_id": "bigint",
    "source_reference": "text",
    "event_date": "date",
    "date_accuracy": "text",
    "event_type_id": "bigint",
    "description": "text",
    "impact_on_child": "text",
    "sharing_level": "text",
    "restricted_roles": "text",
}


def _stage(ctx: Context, cursor: Any) -> str:
    """A temporary table for one batch of new entries, dropped when the transaction ends.

    Its `id` defaults to the entries' own sequence, so each staged row has its entry's id
    (reserved as any insert would) without a round trip to fetch ids. Created once a
    transaction: in reject mode once a load, in partial mode once a batch (each batch is a
    transaction of its own). Creating it again for every batch of a million-row load cost 3 s
    (`CREATE … IF NOT EXISTS` and `SET CONSTRAINTS` are catalogue work each time)."""
    if not ctx.stage:
        entry = ChronologyEntry._meta.db_table
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [entry])
        (sequence,) = cursor.fetchone()
        columns = ", ".join(f"{c} {STAGE_TYPES[c]} NOT NULL" for c in STAGE_COLUMNS)
        # The chronology's foreign keys are checked at the end of each statement rather than
        # all at the commit: the checks then run while the next batch is read, not after it.
        cursor.execute(
            "SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint "
            "WHERE contype = 'f' AND condeferrable AND conrelid = ANY(%s::regclass[])",
            [[entry, EntrySubject._meta.db_table, EntryVersion._meta.db_table]],
        )
        (constraints,) = cursor.fetchone()
        ctx.stage = (
            "CREATE TEMPORARY TABLE IF NOT EXISTS hearth_entry_stage "
            f"(id bigint NOT NULL DEFAULT nextval('{sequence}'), {columns}) ON COMMIT DROP",
            f"SET CONSTRAINTS {constraints} IMMEDIATE" if constraints else "",
        )
    cursor.execute("SELECT txid_current()")
    (transaction_id,) = cursor.fetchone()
    if transaction_id != ctx.staged_in:
        for statement in ctx.stage:
            if statement:
                cursor.execute(statement)
        ctx.staged_in = transaction_id
    return "hearth_entry_stage"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _staged(new: list[tuple[Row, dict[str, Any]]], people: dict[int, int]) -> str:
    """The rows of `STAGE_COLUMNS` in COPY's text format: tab-separated, no value ever NULL
    (every column is NOT NULL). A row whose text holds a backslash, tab, newline or carriage
    return is written again with those escaped; checking first is five times cheaper than
    escaping every value of every row."""
    e = _COPY_ESCAPES
    lines = []
    for row, c in new:
        values = (
            str(people[row.number]),
            row.values["source_reference"],
            c["event_date"].isoformat(),
            c["date_accuracy"],
            str(c["event_type_id"]),
            c["description"],
            c["impact_on_child"],
            c["sharing_level"],
            c["restricted_roles"],
        )
        line = "\t".join(values)
        if line.count("\t") != 8 or "\\" in line or "\n" in line or "\r" in line:
            line = "\t".join(str(v).translate(e) for v in values)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _create_entries_pg(staged: str, ctx: Context) -> None:
    """One COPY of the batch into a staging table, then one INSERT … SELECT each into the
    entries, their subjects and their first versions: the file's text crosses the wire once,
    not twice, and PostgreSQL assigns the ids."""
    connection = connections["default"]
    qn = connection.ops.quote_name
    now = timezone.now()
    reason = f"Loaded from {ctx.run.file_name} (import run {ctx.run.pk})"
    fields = ", ".join(ENTRY_FIELDS)
    # No savepoint of its own: a failed batch fails its transaction (the load in reject mode,
    # the batch in partial mode), and each savepoint was a round trip more.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        try:
            stage = _stage(ctx, cursor)
            with cursor.cursor.copy(
                f"COPY {stage} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
            ) as copy:
                copy.write(staged)
            cursor.execute(
                f"INSERT INTO {qn(ChronologyEntry._meta.db_table)} (id, agency_id, author_id, "  # noqa: S608 - names from the models
                "author_name, recorded_at, household_id, source_system, source_reference, "
                f"{fields}, status, version) SELECT id, %s, NULL, %s, %s, NULL, %s, "
                f"source_reference, {fields}, %s, 1 FROM {stage} ORDER BY event_date",
                [ctx.agency.pk, ctx.actor_name, now, ctx.system, EntryStatus.ACTIVE.value],
            )
            cursor.execute(
                f"INSERT INTO {qn(EntrySubject._meta.db_table)} (entry_id, person_id, event_date) "  # noqa: S608
                f"SELECT id, person_id, event_date FROM {stage} ORDER BY person_id, event_date DESC"
            )
            cursor.execute(
                f"INSERT INTO {qn(EntryVersion._meta.db_table)} (entry_id, version, kind, "  # noqa: S608
                f"recorded_at, recorded_by_id, recorded_by_name, reason, {fields}) "
                f"SELECT id, 1, %s, %s, NULL, %s, %s, {fields} FROM {stage}",
                [VersionKind.ORIGINAL.value, now, ctx.actor_name, reason],
            )
            cursor.execute(f"TRUNCATE {stage}")
        except BaseException:
            # The rollback (of the transaction, or of a caller's savepoint, that created the
            # staging table) may take the table with it: set it up again next time.
            ctx.staged_in = None
            raise


def _amend_entries(amended: list[tuple[dict[str, Any], dict[str, Any]]], ctx: Context) -> None:
    if not amended:
        return
    now = timezone.now()
    objs = [
        ChronologyEntry(pk=old["pk"], version=old["version"] + 1, **merged)
        for old, merged in amended
    ]
    if vendor() == "postgresql":
        _update_entries_pg(objs)
    else:
        with allow_changes():
            ChronologyEntry.objects.bulk_update(objs, [*ENTRY_FIELDS, "version"], batch_size=500)
            EntrySubject.objects.filter(entry_id__in=[o.pk for o in objs]).update(
                event_date=Subquery(
                    ChronologyEntry.objects.filter(pk=OuterRef("entry_id")).values("event_date")[:1]
                )
            )
    reason = (
        f"Updated by {ctx.system}: the source record changed "
        f"({ctx.run.file_name}, import run {ctx.run.pk})"
    )
    bulk.insert(
        [
            EntryVersion(
                entry_id=o.pk,
                version=o.version,
                kind=VersionKind.AMENDMENT,
                recorded_at=now,
                recorded_by_name=ctx.actor_name,
                reason=reason,
                **merged,
            )
            for o, (_old, merged) in zip(objs, amended, strict=True)
        ]
    )


PG_TYPES = {
    "id": "bigint",
    "event_date": "date",
    "event_type_id": "bigint",
    "version": "integer",
}


def _update_entries_pg(objs: list[ChronologyEntry]) -> None:
    """The amended entries' new content in one UPDATE … FROM unnest(arrays), and their subjects'
    mirrored event dates in another: two statements a batch, where `bulk_update` builds a CASE
    per column per row. This is the chronology actions' `allow_changes()` write, in bulk."""
    fields = ["id", *ENTRY_FIELDS, "version"]
    arrays = [[getattr(o, "pk" if f == "id" else f) for o in objs] for f in fields]
    entry = ChronologyEntry._meta.db_table
    subject = EntrySubject._meta.db_table
    source = ", ".join(f"%s::{PG_TYPES.get(f, 'text')}[]" for f in fields)
    sets = ", ".join(f"{f} = v.{f}" for f in fields[1:])
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"UPDATE {entry} AS e SET {sets} FROM unnest({source}) AS v({', '.join(fields)}) "  # noqa: S608 - names from the model
            "WHERE e.id = v.id",
            arrays,
        )
        cursor.execute(
            f"UPDATE {subject} AS s SET event_date = v.event_date "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::date[]) AS v(id, event_date) WHERE s.entry_id = v.id",
            [arrays[0], arrays[1]],
        )


# --- people -----------------------------------------------------------------------------------

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "middle_names",
    "date_of_birth",
    "sex",
    "kind",
    "nhs_number",
    "upn",
)
PERSON_DEFAULTS: dict[str, Any] = {
    "middle_names": "",
    "date_of_birth": None,
    "sex": Sex.UNKNOWN,
    "kind": PersonKind.CHILD,
    "nhs_number": "",
    "upn": "",
}


def _audit(ctx: Context, rows: list[AuditEvent]) -> None:
    if rows:
        bulk.insert(rows)


def _change_event(
    ctx: Context, action: str, kind: str, pk: int, person_id: int, details: dict[str, Any]
) -> AuditEvent:
    return event(
        action=AuditAction(action),
        by=ctx.by,
        username=ctx.run.by_username,
        person_id=person_id,
        object_type=kind,
        object_id=pk,
        details={"import_run": ctx.run.pk, **details},
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def people(rows: list[Row], ctx: Context) -> list[Problem]:
    """Match by the person reference in the agency's system, then by NHS number, then UPN;
    create the others. A changed person is updated, with the before and after audited."""
    problems: list[Problem] = []
    rows = _duplicates(rows, ctx, problems, "person_reference")
    refs = [r.values["person_reference"] for r in rows]
    by_ref = dict(
        PersonIdentifier.objects.filter(one_of("value", refs), system=ctx.system).values_list(
            "value", "person_id"
        )
    )
    nhs = [r.values["nhs_number"] for r in rows if "nhs_number" in r.values]
    upns = [r.values["upn"] for r in rows if "upn" in r.values]
    by_nhs: dict[str, list[int]] = defaultdict(list)
    for value, person_id in Person.objects.filter(nhs_number__in=nhs).values_list(
        "nhs_number", "pk"
    ):
        by_nhs[value].append(person_id)
    by_upn: dict[str, list[int]] = defaultdict(list)
    for value, person_id in Person.objects.filter(upn__in=upns).values_list("upn", "pk"):
        by_upn[value].append(person_id)
    matched: dict[int, int] = {}
    how: dict[int, str] = {}
    for row in rows:
        v = row.values
        pid: int | None = by_ref.get(v["person_reference"])
        how[row.number] = LinkMethod.LOCAL_ID
        if pid is None and len(by_nhs.get(v.get("nhs_number", ""), [])) == 1:
            pid, how[row.number] = by_nhs[v["nhs_number"]][0], LinkMethod.NHS_NUMBER
        if pid is None and len(by_upn.get(v.get("upn", ""), [])) == 1:
            pid, how[row.number] = by_upn[v["upn"]][0], LinkMethod.UPN
        if pid is not None:
            matched[row.number] = pid
        else:
            how[row.number] = LinkMethod.NEW_PERSON
    existing = Person.objects.in_bulk(set(matched.values()))
    new: list[tuple[Row, Person]] = []
    changed: list[Person] = []
    audit: list[AuditEvent] = []
    person_of: dict[int, Person] = {}
    for row in rows:
        values = {f: row.values[f] for f in PERSON_FIELDS if f in row.values}
        if row.number not in matched:
            person = Person(**{**PERSON_DEFAULTS, **values})
            new.append((row, person))
        else:
            person = existing[matched[row.number]]
            diff = {
                f: (getattr(person, f), value)
                for f, value in values.items()
                if f in ctx.present and getattr(person, f) != value
            }
            if diff:
                for f, (_before, after) in diff.items():
                    setattr(person, f, after)
                changed.append(person)
                audit.append(
                    _change_event(
                        ctx,
                        AuditAction.UPDATE_PERSON,
                        "person",
                        person.pk,
                        person.pk,
                        {"changed": {f: [_plain(b), _plain(a)] for f, (b, a) in diff.items()}},
                    )
                )
            else:
                ctx.counts["unchanged"] += 1
        person_of[row.number] = person
    if new:
        bulk.insert([p for _r, p in new])
        bulk.insert([name_row(p, p.given_name, p.family_name) for _r, p in new])
        audit += [
            _change_event(ctx, AuditAction.CREATE_PERSON, "person", p.pk, p.pk, {}) for _r, p in new
        ]
    if changed:
        Person.objects.bulk_update(changed, list(PERSON_FIELDS), batch_size=1000)
    bulk.insert(
        [
            PersonIdentifier(
                person_id=person_of[r.number].pk,
                system=ctx.system,
                value=r.values["person_reference"],
            )
            for r in rows
            if r.values["person_reference"] not in by_ref
        ]
    )
    ctx.counts["created"] += len(new)
    ctx.counts["amended"] += len(changed)
    with_address = [r for r in rows if "address_line1" in r.values]
    audit += _residences(
        [(r, person_of[r.number].pk, r.values.get("address_from"), None) for r in with_address],
        ctx,
        close_others=True,
    )
    _audit(ctx, audit)
    _queue({p.pk for p in changed}, ctx)
    ctx.new_records += intake.record_people(
        [intake.Placed(_incoming(r, ctx), person_of[r.number].pk, how[r.number]) for r in rows],
        run_id=ctx.run.pk,
    )
    return problems


def _incoming(row: Row, ctx: Context) -> Incoming:
    """The row as the master person index keeps it (hearth.linkage)."""
    v = row.values
    address = ", ".join(str(v[k]) for k in ("address_line1", "address_line2", "town") if v.get(k))
    return Incoming(
        source_system=ctx.system,
        source_reference=v["person_reference"],
        channel=Channel.IMPORT,
        given_name=v.get("given_name", ""),
        middle_names=v.get("middle_names", ""),
        family_name=v.get("family_name", ""),
        date_of_birth=v.get("date_of_birth"),
        sex=v.get("sex", ""),
        postcode=v.get("postcode", ""),
        address=address,
        nhs_number=v.get("nhs_number", ""),
        upn=v.get("upn", ""),
        raw={k: _plain(value) for k, value in v.items()},
    )


def _addresses(rows: list[Row]) -> dict[int, Address]:
    """Row number -> the dwelling it names: found by its key (the UPRN, or the postcode and the
    first lines however abbreviated: hearth.lib.addresses) or created."""

    def key(v: dict[str, Any]) -> str:
        return dwelling_key(
            v["address_line1"], v.get("address_line2", ""), v["postcode"], v.get("uprn", "")
        )

    wanted = {key(r.values) for r in rows}
    known: dict[str, Address] = {}
    for address in Address.objects.filter(match_key__in=wanted).order_by("pk"):
        known.setdefault(address.match_key, address)
    fresh = []
    for row in rows:
        k = key(row.values)
        if k not in known:
            v = row.values
            known[k] = Address(
                line1=v["address_line1"],
                postcode=v["postcode"],
                line2=v.get("address_line2", ""),
                town=v.get("town", ""),
                uprn=v.get("uprn", ""),
                match_key=k,
            )
            fresh.append(known[k])
    bulk.insert(fresh)
    return {r.number: known[key(r.values)] for r in rows}


def _residences(
    items: list[tuple[Row, int, date | None, date | None]], ctx: Context, close_others: bool
) -> list[AuditEvent]:
    """Who lives where: a residence per (person, address), kept once; a move ends the old one."""
    if not items:
        return []
    address_of = _addresses([row for row, *_ in items])
    current: dict[tuple[int, int], Residence] = {}
    open_elsewhere: dict[int, list[Residence]] = defaultdict(list)
    for res in Residence.objects.filter(person_id__in={pid for _r, pid, *_ in items}):
        current.setdefault((res.person_id, res.address_id), res)
        if res.end_date is None:
            open_elsewhere[res.person_id].append(res)
    audit = []
    fresh: list[Residence] = []
    ended: list[Residence] = []
    for row, pid, start, end in items:
        address = address_of[row.number]
        found = current.get((pid, address.pk))
        if found is None:
            res = Residence(person_id=pid, address_id=address.pk, start_date=start, end_date=end)
            fresh.append(res)
            current[(pid, address.pk)] = res
            if close_others:
                for other in open_elsewhere[pid]:
                    if other.address_id != address.pk and other.end_date is None:
                        other.end_date = start or timezone.localdate()
                        ended.append(other)
            ctx.counts["residences_created"] += 1
            continue
        res = found
        if (
            res.pk
            and not close_others
            and (res.start_date, res.end_date)
            != (
                start or res.start_date,
                end,
            )
        ):
            before = [_plain(res.start_date), _plain(res.end_date)]
            res.start_date, res.end_date = start or res.start_date, end
            ended.append(res)
            audit.append(
                _change_event(
                    ctx,
                    AuditAction.UPDATE_PERSON,
                    "residence",
                    res.pk,
                    pid,
                    {"before": before, "after": [_plain(res.start_date), _plain(end)]},
                )
            )
            ctx.counts["residences_updated"] += 1
    bulk.insert(fresh)
    if ended:
        Residence.objects.bulk_update(ended, ["start_date", "end_date"])
    audit += [
        _change_event(
            ctx,
            AuditAction.UPDATE_PERSON,
            "residence",
            r.pk,
            r.person_id,
            {"address": r.address_id},
        )
        for r in fresh
    ]
    return audit


def addresses(rows: list[Row], ctx: Context) -> list[Problem]:
    problems: list[Problem] = []
    found = resolve_people(rows, ctx, problems)
    items = [
        (r, found[r.number], r.values.get("start_date"), r.values.get("end_date"))
        for r in rows
        if r.number in found
    ]
    _audit(ctx, _residences(items, ctx, close_others=False))
    ctx.counts["created"] += ctx.counts.pop("residences_created", 0)
    ctx.counts["amended"] += ctx.counts.pop("residences_updated", 0)
    return problems


def relationships(rows: list[Row], ctx: Context) -> list[Problem]:
    """Kept once per (person, relative, type); changed dates update it, audited."""
    problems: list[Problem] = []
    refs = {r.values["person_reference"] for r in rows} | {
        r.values["relative_reference"] for r in rows
    }
    by_ref = dict(
        PersonIdentifier.objects.filter(one_of("value", refs), system=ctx.system).values_list(
            "value", "person_id"
        )
    )
    good = []
    for row in rows:
        for column in ("person_reference", "relative_reference"):
            if row.values[column] not in by_ref:
                problems.append(
                    Problem(
                        str(row.number),
                        column,
                        row.values[column],
                        "UNKNOWN_PERSON",
                        "No one in Hearth has this reference "
                        "in your system: load them with the people extract.",
                    )
                )
        if all(row.values[c] in by_ref for c in ("person_reference", "relative_reference")):
            good.append(row)
    pairs = {
        (by_ref[r.values["person_reference"]], by_ref[r.values["relative_reference"]]) for r in good
    }
    known = {
        (rel.person_id, rel.relative_id, rel.relationship_type): rel
        for rel in Relationship.objects.filter(person_id__in={p for p, _ in pairs})
    }
    fresh, changed, audit = [], [], []
    for row in good:
        v = row.values
        key = (
            by_ref[v["person_reference"]],
            by_ref[v["relative_reference"]],
            v["relationship_type"],
        )
        dates = (v.get("start_date"), v.get("end_date"))
        rel = known.get(key)
        if rel is None:
            rel = Relationship(
                person_id=key[0],
                relative_id=key[1],
                relationship_type=key[2],
                start_date=dates[0],
                end_date=dates[1],
            )
            known[key] = rel
            fresh.append(rel)
        elif (rel.start_date, rel.end_date) != dates:
            audit.append(
                _change_event(
                    ctx,
                    AuditAction.UPDATE_PERSON,
                    "relationship",
                    rel.pk,
                    key[1],
                    {
                        "before": [_plain(rel.start_date), _plain(rel.end_date)],
                        "after": [_plain(d) for d in dates],
                    },
                )
            )
            rel.start_date, rel.end_date = dates
            changed.append(rel)
        else:
            ctx.counts["unchanged"] += 1
    bulk.insert(fresh)
    if changed:
        Relationship.objects.bulk_update(changed, ["start_date", "end_date"])
    audit += [
        _change_event(ctx, AuditAction.UPDATE_PERSON, "relationship", r.pk, r.relative_id, {})
        for r in fresh
    ]
    _audit(ctx, audit)
    _queue({r.relative_id for r in [*fresh, *changed]}, ctx)
    ctx.counts["created"] += len(fresh)
    ctx.counts["amended"] += len(changed)
    return problems


INVOLVEMENT_FIELDS = ("start_date", "end_date", "role_description", "is_lead")


def involvements(rows: list[Row], ctx: Context) -> list[Problem]:
    """Identified by source system and reference; a changed one is updated, before/after audited."""
    problems: list[Problem] = []
    rows = _duplicates(rows, ctx, problems, "source_reference")
    found = resolve_people(rows, ctx, problems)
    rows = [r for r in rows if r.number in found]
    known = {
        i.source_reference: i
        for i in Involvement.objects.filter(
            source_system=ctx.system,
            source_reference__in=[r.values["source_reference"] for r in rows],
        ).exclude(source_reference="")
    }
    fresh, changed, audit = [], [], []
    for row in rows:
        v, pid = row.values, found[row.number]
        values = {
            "start_date": v["start_date"],
            "end_date": v.get("end_date"),
            "role_description": v.get("role_description", ""),
            "is_lead": v.get("is_lead", False),
        }
        inv = known.get(v["source_reference"])
        if inv is None:
            inv = Involvement(
                person_id=pid,
                agency_id=ctx.agency.pk,
                source_system=ctx.system,
                source_reference=v["source_reference"],
                **values,
            )
            fresh.append(inv)
            continue
        if inv.agency_id != ctx.agency.pk or inv.person_id != pid:
            rule = "OTHER_AGENCY" if inv.agency_id != ctx.agency.pk else "SUBJECT_CHANGED"
            problems.append(
                Problem(
                    str(row.number),
                    "source_reference",
                    v["source_reference"],
                    rule,
                    "This involvement is held for "
                    + (
                        "another agency."
                        if rule == "OTHER_AGENCY"
                        else "someone else: send it under a new reference."
                    ),
                )
            )
            continue
        diff = {
            f: (getattr(inv, f), x)
            for f, x in values.items()
            if f in ctx.present and getattr(inv, f) != x
        }
        if not diff:
            ctx.counts["unchanged"] += 1
            continue
        for f, (_b, after) in diff.items():
            setattr(inv, f, after)
        changed.append(inv)
        audit.append(
            _change_event(
                ctx,
                AuditAction.RECORD_INVOLVEMENT,
                "involvement",
                inv.pk,
                pid,
                {"changed": {f: [_plain(b), _plain(a)] for f, (b, a) in diff.items()}},
            )
        )
    bulk.insert(fresh)
    if changed:
        Involvement.objects.bulk_update(changed, list(INVOLVEMENT_FIELDS))
    audit += [
        _change_event(ctx, AuditAction.RECORD_INVOLVEMENT, "involvement", i.pk, i.person_id, {})
        for i in fresh
    ]
    _audit(ctx, audit)
    _queue({i.person_id for i in [*fresh, *changed]}, ctx)
    ctx.counts["created"] += len(fresh)
    ctx.counts["amended"] += len(changed)
    return problems


# Work for the reading thread, by kind: (rows, ctx) -> (rows to load, problems).
PREPARERS = {"chronology": prepare_chronology}
# Kinds whose load splits into reading (on a connection of the reading thread's own, when the
# load is not inside someone else's transaction) and writing: (classify, write).
SPLIT_LOADERS = {"chronology": (classify_chronology, write_chronology)}

LOADERS = {
    "people": people,
    "addresses": addresses,
    "relationships": relationships,
    "involvements": involvements,
    "chronology": chronology,
}


def vendor(using: str = "default") -> str:
    return connections[using].vendor
