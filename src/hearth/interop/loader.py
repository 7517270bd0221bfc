"""Writing validated census children to Hearth, a batch at a time, each child whole.

Called only by `hearth.interop.actions`, inside the transaction it opens. For each batch:

1. **Match** every child to a person already in Hearth, before anything is written: by LA child
   ID (a PersonIdentifier in the children's social care system), then by UPN (current or
   former). The census carries no names and no NHS number, so the name + date of birth and NHS
   number steps of Hearth's matching have nothing to work with; date of birth and sex alone are
   shared by too many children to link records safely, so they never match on their own.
   A UPN held by two people, or an LA child ID and a UPN that point at different people, holds
   the child back with a problem rather than guessing.
2. **Write** people and episodes with a few bulk statements. Each episode is found again by its
   source (`cin-census` + `LAchildID/referral date/kind/n`), or, for a record Hearth already
   held from elsewhere, by child, kind, start date and referral; found records are compared
   field by field and only what changed is updated (and recorded).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from hearth.agencies.models import Agency, AgencyType
from hearth.audit.actions import event
from hearth.audit.models import AuditAction, AuditEvent
from hearth.episodes.models import Episode, EpisodeKind
from hearth.interop import bulk
from hearth.interop.census import SOURCE_SYSTEM, ChildRecord, EpisodeRecord
from hearth.interop.models import ChildOutcome, ImportChildOutcome, ImportRun
from hearth.interop.problems import Problem
from hearth.linkage import intake as linkage_intake
from hearth.linkage.index import Incoming
from hearth.linkage.models import Channel, LinkMethod
from hearth.people.actions import name_row
from hearth.people.models import Person, PersonIdentifier, PersonKind

UNNAMED_GIVEN = "Not known"
HOW_LINKED = {
    "la_child_id": LinkMethod.LOCAL_ID,
    "upn": LinkMethod.UPN,
    "new": LinkMethod.NEW_PERSON,
}
DEFAULT_ID_SYSTEM = "la-child-id"
# Fields compared when an episode is found again (an enquiry's end is Hearth's, not the census').
COMPARED: dict[str, tuple[str, ...]] = {
    EpisodeKind.REFERRAL: (
        "end_date",
        "end_reason",
        "referral_source",
        "primary_need",
        "referral_nfa",
        "initial_cpc_date",
    ),
    EpisodeKind.ASSESSMENT: ("internal_review_date", "authorisation_date", "end_date", "factors"),
    EpisodeKind.CIN_PLAN: ("end_date",),
    EpisodeKind.SECTION_47: ("initial_cpc_target", "initial_cpc_date", "icpc_not_required"),
    EpisodeKind.CP_PLAN: (
        "end_date",
        "initial_category",
        "latest_category",
        "number_of_previous_cpp",
        "review_dates",
    ),
}
PERSON_FIELDS = (
    "date_of_birth",
    "date_of_birth_precision",
    "sex",
    "gender_current",
    "ethnicity",
    "disabilities",
    "upn",
    "former_upn",
    "upn_unknown_reason",
    "date_of_death",
)


def la_child_id_system() -> str:
    """The system whose identifiers are LA child IDs: children's social care's case system."""
    system = (
        Agency.objects.filter(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
        .exclude(source_system="")
        .order_by("pk")
        .values_list("source_system", flat=True)
        .first()
    )
    return system or DEFAULT_ID_SYSTEM


def csc_agency() -> Agency | None:
    return (
        Agency.objects.filter(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE).order_by("pk").first()
    )


@dataclass
class Context:
    run: ImportRun
    by: Any
    id_system: str
    lead_agency: Agency | None
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (
                "children_loaded",
                "people_created",
                "people_matched",
                "people_updated",
                "episodes_created",
                "episodes_updated",
                "episodes_unchanged",
            ),
            0,
        )
    )


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _problem(record: ChildRecord, rule: str, message: str, value: str = "") -> Problem:
    return Problem(
        child=record.la_child_id,
        path=f"{record.path}/ChildIdentifiers",
        value=value,
        rule=rule,
        message=message,
    )


def match(
    records: list[ChildRecord], ctx: Context
) -> tuple[dict[int, tuple[int | None, str]], list[Problem]]:
    """index -> (person id or None for a new person, how matched); and the children held back."""
    ids = {r.la_child_id for r in records}
    by_id = dict(
        PersonIdentifier.objects.filter(system=ctx.id_system, value__in=ids).values_list(
            "value", "person_id"
        )
    )
    upns = {r.person["upn"] for r in records if r.person.get("upn")}
    upns |= {r.person["former_upn"] for r in records if r.person.get("former_upn")}
    holders: dict[str, set[int]] = defaultdict(set)
    for pk, upn, former in Person.objects.filter(
        Q(upn__in=upns) | Q(former_upn__in=upns), kind=PersonKind.CHILD
    ).values_list("pk", "upn", "former_upn"):
        for value in (upn, former):
            if value in upns:
                holders[value].add(pk)
    refs = [e.reference for r in records for e in _all_episodes(r)]
    owners = dict(
        Episode.objects.filter(source_system=SOURCE_SYSTEM, source_reference__in=refs).values_list(
            "source_reference", "child_id"
        )
    )
    matched: dict[int, tuple[int | None, str]] = {}
    problems: list[Problem] = []
    claimed: dict[int, str] = {}  # person id -> the LAchildID that matched it in this batch
    for record in records:
        upn = record.person.get("upn") or record.person.get("former_upn") or ""
        upn_people = holders.get(upn, set())
        person_id: int | None = by_id.get(record.la_child_id)
        how = "la_child_id"
        if person_id is not None:
            if upn_people and person_id not in upn_people:
                problems.append(
                    _problem(
                        record,
                        "MATCH_CONFLICT",
                        "The LA child ID and the UPN belong to different people in Hearth: "
                        "check which is right before loading this child.",
                        upn,
                    )
                )
                continue
        elif len(upn_people) > 1:
            problems.append(
                _problem(
                    record,
                    "MATCH_AMBIGUOUS",
                    f"{len(upn_people)} people in Hearth have this UPN: they need to be "
                    "reconciled before this child can be matched.",
                    upn,
                )
            )
            continue
        elif upn_people:
            person_id, how = next(iter(upn_people)), "upn"
        else:
            how = "new"
        if person_id is not None and claimed.get(person_id, record.la_child_id) != (
            record.la_child_id
        ):
            problems.append(
                _problem(
                    record,
                    "MATCH_CONFLICT",
                    f"Another child in this file ({claimed[person_id]}) matches the same person "
                    "in Hearth.",
                    upn,
                )
            )
            continue
        elsewhere = [
            e
            for e in _all_episodes(record)
            if e.reference in owners and owners[e.reference] != person_id
        ]
        if elsewhere:
            problems.append(
                Problem(
                    child=record.la_child_id,
                    path=elsewhere[0].path,
                    value=elsewhere[0].reference,
                    rule="MATCH_CONFLICT",
                    message="This episode was imported before for a different person in Hearth: "
                    "the LA child ID may have been reassigned.",
                )
            )
            continue
        if person_id is not None:
            claimed[person_id] = record.la_child_id
        matched[record.index] = (person_id, how)
    return matched, problems


def _all_episodes(record: ChildRecord) -> list[EpisodeRecord]:
    return [e for r in record.referrals for e in (r, *r.subs)]


def _changes(obj: Any, values: dict[str, Any], names: tuple[str, ...], overwrite: bool) -> dict:
    """Set the fields that differ; {field: [old, new]}. Without `overwrite`, an empty value in the
    file never clears what Hearth holds (a record Hearth had from another source)."""
    changed = {}
    for name in names:
        if name not in values:
            continue
        new, old = values[name], getattr(obj, name)
        if new == old or (not overwrite and new in (None, "", [])):
            continue
        changed[name] = [_json(old), _json(new)]
        setattr(obj, name, new)
    return changed


def write(
    records: list[ChildRecord], matched: dict[int, tuple[int | None, str]], ctx: Context
) -> list[ImportChildOutcome]:
    """Write the matched children; returns their outcome rows (unsaved)."""
    records = [r for r in records if r.index in matched]
    existing = Person.objects.in_bulk([pid for pid, _ in matched.values() if pid is not None])
    people: dict[int, Person] = {}
    changes: dict[int, dict[str, Any]] = {}
    to_update: list[Person] = []
    new_people: list[tuple[ChildRecord, Person]] = []
    for record in records:
        person_id, _how = matched[record.index]
        if person_id is None:
            person = Person(
                kind=PersonKind.CHILD,
                given_name=UNNAMED_GIVEN,
                family_name=f"(CIN census {record.la_child_id})",
                **record.person,
            )
            new_people.append((record, person))
        else:
            person = existing[person_id]
            person_changes = _changes(person, record.person, PERSON_FIELDS, overwrite=True)
            if person_changes:
                changes[record.index] = {"person": person_changes}
                to_update.append(person)
        people[record.index] = person
    if new_people:
        bulk.insert([p for _r, p in new_people])
        bulk.insert([name_row(p, p.given_name, p.family_name) for _r, p in new_people])
    if to_update:
        Person.objects.bulk_update(to_update, PERSON_FIELDS)
    bulk.insert(
        [
            PersonIdentifier(person=people[r.index], system=ctx.id_system, value=r.la_child_id)
            for r in records
            if matched[r.index][1] != "la_child_id"
        ]
    )
    created, updated = _write_episodes(records, people, changes, ctx)
    # Each child's record in the master person index. The census has no names, so the model
    # has nothing to weigh: these are linked by LA child ID and UPN only, never matched
    # probabilistically.
    linkage_intake.record_people(
        [
            linkage_intake.Placed(
                Incoming(
                    source_system=ctx.id_system,
                    source_reference=r.la_child_id,
                    channel=Channel.IMPORT,
                    date_of_birth=r.person.get("date_of_birth"),
                    sex=r.person.get("sex", ""),
                    upn=r.person.get("upn", ""),
                    raw={"cin_census": r.la_child_id, **{k: _json(v) for k, v in r.person.items()}},
                ),
                people[r.index].pk,
                HOW_LINKED[matched[r.index][1]],
            )
            for r in records
        ],
        run_id=ctx.run.pk,
    )

    outcomes = []
    audit: list[AuditEvent] = []
    for record in records:
        person = people[record.index]
        how = matched[record.index][1]
        outcome = (
            ChildOutcome.CREATED
            if how == "new"
            else ChildOutcome.UPDATED
            if record.index in changes or created[record.index]
            else ChildOutcome.UNCHANGED
        )
        ctx.counts["children_loaded"] += 1
        ctx.counts["people_created" if how == "new" else "people_matched"] += 1
        if "person" in changes.get(record.index, {}):
            ctx.counts["people_updated"] += 1
        outcomes.append(
            ImportChildOutcome(
                run=ctx.run,
                la_child_id=record.la_child_id,
                outcome=outcome,
                person_id=person.pk,
                matched_by=how,
                episodes_created=created[record.index],
                episodes_updated=updated[record.index],
                changes=changes.get(record.index, {}),
            )
        )
        if outcome != ChildOutcome.UNCHANGED:
            audit.append(
                event(
                    action=AuditAction.IMPORT,
                    by=ctx.by,
                    username=getattr(ctx.by, "display_name", ""),
                    person_id=person.pk,
                    object_type="import_run",
                    object_id=ctx.run.pk,
                    details={
                        "la_child_id": record.la_child_id,
                        "outcome": str(outcome),
                        "episodes_created": created[record.index],
                        "episodes_updated": updated[record.index],
                    },
                )
            )
    bulk.insert(outcomes)
    bulk.insert(audit)
    return outcomes


def _write_episodes(
    records: list[ChildRecord],
    people: dict[int, Person],
    changes: dict[int, dict[str, Any]],
    ctx: Context,
) -> tuple[dict[int, int], dict[int, int]]:
    child_ids = [people[r.index].pk for r in records]
    by_reference: dict[str, Episode] = {}
    by_natural: dict[tuple[Any, ...], list[Episode]] = defaultdict(list)
    for episode in Episode.objects.filter(child_id__in=child_ids):
        if episode.source_system == SOURCE_SYSTEM and episode.source_reference:
            by_reference[episode.source_reference] = episode
        else:
            key = (episode.child_id, episode.kind, episode.start_date, episode.referral_id)
            by_natural[key].append(episode)
    created: dict[int, int] = defaultdict(int)
    updated: dict[int, int] = defaultdict(int)
    to_update: dict[str, list[Episode]] = defaultdict(list)

    def place(record: ChildRecord, item: EpisodeRecord, referral: Episode | None) -> Episode:
        child = people[record.index]
        found = by_reference.get(item.reference)
        from_census = found is not None
        if found is None:
            key = (
                child.pk,
                item.kind,
                item.fields["start_date"],
                referral.pk if referral else None,
            )
            candidates = by_natural.get(key)
            found = candidates.pop(0) if candidates else None
        if found is None:
            return Episode(
                kind=item.kind,
                child=child,
                referral=referral,
                lead_agency=ctx.lead_agency,
                source_system=SOURCE_SYSTEM,
                source_reference=item.reference,
                **item.fields,
            )
        changed = _changes(found, item.fields, COMPARED[item.kind], overwrite=from_census)
        if changed:
            changes.setdefault(record.index, {}).setdefault("episodes", {})[item.reference] = (
                changed
            )
            to_update[item.kind].append(found)
            updated[record.index] += 1
            ctx.counts["episodes_updated"] += 1
        else:
            ctx.counts["episodes_unchanged"] += 1
        return found

    referrals: list[tuple[ChildRecord, EpisodeRecord, Episode]] = []
    new: list[Episode] = []
    for record in records:
        for item in record.referrals:
            episode = place(record, item, None)
            referrals.append((record, item, episode))
            if episode.pk is None:
                new.append(episode)
                created[record.index] += 1
    bulk.insert(new)  # the referrals first: the others point at them
    new_subs: list[Episode] = []
    for record, item, referral in referrals:
        for sub in item.subs:
            episode = place(record, sub, referral)
            if episode.pk is None:
                new_subs.append(episode)
                created[record.index] += 1
    bulk.insert(new_subs)
    ctx.counts["episodes_created"] += len(new) + len(new_subs)
    for kind, episodes in to_update.items():
        Episode.objects.bulk_update(episodes, COMPARED[kind])
    return created, updated
