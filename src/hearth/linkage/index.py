"""Receiving a record into the master person index: find who it is, or say how unsure we are.

Every intake path (agency extracts, the CIN census, the partner API) hands each person record
to `receive`, which keeps the record as received and links it to one Person:

1. **The same record again** (same source system and reference): the link it already has. Its
   fields are replaced if they changed, and the earlier version is kept in `history`.
2. **Deterministic links**: the caller's own resolution (an agency's reference it already
   held), then a valid NHS number (check digit verified), then a valid UPN, each held by exactly
   one person. An invalid identifier is never used to link (ADR 0008).
3. **The model** (the active `LinkageModel`): candidates are fetched from the application
   database by a few indexed blocking keys, scored by Splink (`hearth.linkage.model.score`),
   and the best person decides:
   - at or above the upper threshold, and not a possible twin: linked automatically;
   - between the thresholds, or a possible twin: a new (provisional) person, so nothing the
     record brings is lost or hidden, *and* a review item against the closest record;
   - below the lower threshold: a new person.

Twins (same family name, date of birth and postcode, different given names) are never linked
automatically, however high the score: they go to a reviewer.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from hearth.lib.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
)
from hearth.lib.names import fold
from hearth.linkage.actions import is_remembered_non_match
from hearth.linkage.conflicts import WHY as CONFLICT_WHY
from hearth.linkage.conflicts import numbers_conflict
from hearth.linkage.decisions import Outcome, decide
from hearth.linkage.models import (
    LinkageModel,
    LinkEvent,
    LinkMethod,
    ReviewItem,
    ReviewStatus,
    SourceRecord,
)
from hearth.people.models import Person, PersonIdentifier, PersonKind, Sex

# Candidates fetched per blocking key; a date of birth shared by more people than this in one
# index is scored on its closest names first (ordered by the name keys).
CANDIDATES_PER_KEY = 200
IDENTIFYING = (
    "given_name",
    "middle_names",
    "family_name",
    "previous_family_names",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
)


@dataclass
class Incoming:
    """A person record as one agency's system sent it."""

    source_system: str
    source_reference: str
    channel: str
    given_name: str = ""
    middle_names: str = ""
    family_name: str = ""
    previous_family_names: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    sex: str = ""
    postcode: str = ""
    address: str = ""
    nhs_number: str = ""
    upn: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    def identifying(self) -> dict[str, Any]:
        values = {k: getattr(self, k) for k in IDENTIFYING}
        values["previous_family_names"] = list(self.previous_family_names)
        return values


@dataclass
class Received:
    record: SourceRecord
    person: Person
    outcome: str  # "same_record", "deterministic", "linked", "review", "new"
    method: str
    review: ReviewItem | None = None
    match_probability: float | None = None


def model_input(record: SourceRecord | Incoming, unique_id: int | str) -> dict[str, Any]:
    """The record in the model's input shape (hearth.linkage.features.standardise's keys)."""
    dob = record.date_of_birth
    return {
        "unique_id": unique_id,
        "source_system": record.source_system,
        "given_name": record.given_name,
        "middle_names": record.middle_names,
        "family_name": record.family_name,
        "previous_family_names": list(record.previous_family_names or []),
        "date_of_birth": dob.isoformat() if dob else None,
        "sex": record.sex,
        "postcode": record.postcode,
        "address": record.address,
        "nhs_number": record.nhs_number,
        "upn": record.upn,
    }


def active_model() -> LinkageModel | None:
    return LinkageModel.objects.filter(active=True).first()


def _valid_nhs(value: str) -> str:
    digits = normalise_nhs_number(value)
    return digits if is_valid_nhs_number(digits) else ""


def _valid_upn(value: str) -> str:
    upn = normalise_upn(value)
    return upn if upn and is_valid_upn(upn) else ""


def _live(people: Iterable[int]) -> list[int]:
    """Follow merges: the people these ids are now."""
    ids = set(people)
    current = dict(Person.objects.filter(pk__in=ids).values_list("pk", "merged_into_id"))
    out = set()
    for pk in ids:
        seen = {pk}
        target = current.get(pk)
        while target is not None and target not in seen:
            seen.add(target)
            pk = target
            target = Person.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
        out.add(pk)
    return sorted(out)


def _dob_compatible(a: date | None, b: date | None) -> bool:
    """A mistyped identifier can be valid and someone else's: the date of birth must not disagree
    (equal, day and month transposed, or one of them unknown)."""
    return a is None or b is None or a == b or _transposed(a) == b


def deterministic(incoming: Incoming) -> tuple[Person | None, str, str]:
    """(person, method, problem): a valid identifier held by exactly one live person whose date
    of birth does not disagree with the record's."""
    nhs = _valid_nhs(incoming.nhs_number)
    if nhs:
        holders = _live(
            list(Person.objects.filter(nhs_number=nhs).values_list("pk", flat=True))
            + list(
                SourceRecord.objects.filter(nhs_number=nhs, person__isnull=False).values_list(
                    "person_id", flat=True
                )
            )
        )
        if len(holders) == 1:
            holder = Person.objects.get(pk=holders[0])
            if _dob_compatible(holder.date_of_birth, incoming.date_of_birth):
                return holder, LinkMethod.NHS_NUMBER, ""
            return None, "", "the NHS number's holder has another date of birth"
        if len(holders) > 1:
            return None, "", f"{len(holders)} people hold this NHS number"
    upn = _valid_upn(incoming.upn)
    if upn:
        holders = _live(
            Person.objects.filter(Q(upn=upn) | Q(former_upn=upn)).values_list("pk", flat=True)
        )
        if len(holders) == 1:
            holder = Person.objects.get(pk=holders[0])
            if _dob_compatible(holder.date_of_birth, incoming.date_of_birth):
                return holder, LinkMethod.UPN, ""
            return None, "", "the UPN's holder has another date of birth"
        if len(holders) > 1:
            return None, "", f"{len(holders)} people hold this UPN"
    return None, "", ""


def _transposed(dob: date | None) -> date | None:
    if dob is None or dob.day > 12 or dob.day == dob.month:
        return None
    return date(dob.year, dob.day, dob.month)


def candidates(
    incoming: Incoming | SourceRecord, *, exclude: int | None = None
) -> list[SourceRecord]:
    """Records in the index that share a blocking key with this one (indexed lookups only)."""
    keys: list[Q] = []
    dobs = [d for d in (incoming.date_of_birth, _transposed(incoming.date_of_birth)) if d]
    if dobs:
        keys.append(Q(date_of_birth__in=dobs))
    given = fold(incoming.given_name)
    for family in {fold(f) for f in [incoming.family_name, *incoming.previous_family_names]}:
        if family and given:
            keys.append(Q(family_key=family, given_key=given))
    postcode = normalise_postcode(incoming.postcode)
    # At one postcode, the same family name or the same given name: a mover's or a renamed
    # child's record whose date of birth is also wrong (a postcode alone is ~100 records).
    family = fold(incoming.family_name)
    if postcode and family:
        keys.append(Q(postcode=postcode, family_key=family))
    if postcode and given:
        keys.append(Q(postcode=postcode, given_key=given))
    nhs = _valid_nhs(incoming.nhs_number)
    if nhs:
        keys.append(Q(nhs_number=nhs))
    query = SourceRecord.objects.filter(person__isnull=False, person__merged_into__isnull=True)
    if exclude is not None:
        query = query.exclude(pk=exclude)
    if not keys:
        return []
    # Each key capped, so a common date of birth cannot crowd out a name match; one round trip
    # where the database can order and limit inside a UNION (PostgreSQL), else one query a key.
    parts = [
        query.filter(key).order_by("family_key", "given_key", "pk")[:CANDIDATES_PER_KEY]
        for key in keys
    ]
    if connection.features.supports_slicing_ordering_in_compound and len(parts) > 1:
        rows: Iterable[SourceRecord] = parts[0].union(*parts[1:], all=True)
    else:
        rows = (rec for part in parts for rec in part)
    found: dict[int, SourceRecord] = {}
    for rec in rows:
        found[rec.pk] = rec
    return list(found.values())


def possible_twins(a: SourceRecord | Incoming, b: SourceRecord | Incoming) -> bool:
    """Same family name, date of birth and postcode but different given names: never automatic
    (`hearth.linkage.decisions.possible_twins`, the batch run's rule too)."""
    from hearth.linkage.decisions import TWIN_FIELDS
    from hearth.linkage.decisions import possible_twins as twins

    fields = TWIN_FIELDS
    return twins({f: getattr(a, f) for f in fields}, {f: getattr(b, f) for f in fields})


@dataclass
class Best:
    person_id: int
    record: SourceRecord
    match_weight: float
    match_probability: float
    comparisons: list[dict[str, Any]]


def score_against_index(
    incoming: Incoming | SourceRecord, model: LinkageModel, *, exclude: int | None = None
) -> list[Best]:
    """The closest record of each candidate person, best first."""
    from hearth.linkage import model as splink_model

    pool = candidates(incoming, exclude=exclude)
    if not pool:
        return []
    scored = splink_model.score(
        model.splink_settings, model_input(incoming, 0), [model_input(r, r.pk) for r in pool]
    )
    by_id = {r.pk: r for r in pool}
    best: dict[int, Best] = {}
    for pair in scored:
        rec = by_id[int(pair.right_id)]
        assert rec.person_id is not None
        current = best.get(rec.person_id)
        if current is None or pair.match_probability > current.match_probability:
            best[rec.person_id] = Best(
                rec.person_id,
                rec,
                pair.match_weight,
                pair.match_probability,
                list(pair.comparisons),
            )
    return sorted(best.values(), key=lambda b: -b.match_probability)


def _person_from(incoming: Incoming, *, by: Any, kind: str) -> Person:
    from hearth.people.actions import create_person

    sex = incoming.sex if incoming.sex in Sex.values else Sex.UNKNOWN
    previous = [(incoming.given_name, f) for f in incoming.previous_family_names if f]
    return create_person(
        by=by,
        given_name=incoming.given_name or "Not known",
        family_name=incoming.family_name or "Not known",
        middle_names=incoming.middle_names,
        previous_names=previous,
        date_of_birth=incoming.date_of_birth,
        sex=sex,
        kind=kind,
        nhs_number=_valid_nhs(incoming.nhs_number),
        upn=_valid_upn(incoming.upn),
    )


def _event(record: SourceRecord, person: Person, method: str, **extra: Any) -> LinkEvent:
    return LinkEvent.objects.create(
        record=record, person=person, method=method, at=timezone.now(), **extra
    )


def _columns(incoming: Incoming) -> dict[str, Any]:
    """The identifying fields with identifiers and postcode in one spelling (raw keeps the rest)."""
    values = incoming.identifying()
    values["postcode"] = normalise_postcode(incoming.postcode)[:10]
    values["nhs_number"] = normalise_nhs_number(incoming.nhs_number)[:20]
    values["upn"] = normalise_upn(incoming.upn)[:13]
    return values


def _store(incoming: Incoming, person: Person | None) -> SourceRecord:
    values = _columns(incoming)
    return SourceRecord.objects.create(
        source_system=incoming.source_system,
        source_reference=incoming.source_reference,
        channel=incoming.channel,
        received_at=timezone.now(),
        raw={**incoming.raw, **{k: _plain(v) for k, v in incoming.identifying().items()}},
        given_key=fold(incoming.given_name),
        family_key=fold(incoming.family_name),
        person=person,
        **values,
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _refresh(record: SourceRecord, incoming: Incoming) -> bool:
    """Replace a re-sent record's fields if they changed, keeping the earlier version."""
    values = _columns(incoming)
    before = {k: getattr(record, k) for k in IDENTIFYING}
    if before == values:
        return False
    record.history = [
        *record.history,
        {"until": timezone.now().isoformat(), **{k: _plain(v) for k, v in before.items()}},
    ]
    for k, v in values.items():
        setattr(record, k, v)
    record.given_key = fold(incoming.given_name)
    record.family_key = fold(incoming.family_name)
    record.raw = {**incoming.raw, **{k: _plain(v) for k, v in incoming.identifying().items()}}
    record.save()
    return True


@transaction.atomic
def receive(
    incoming: Incoming,
    *,
    by: Any,
    person: Person | None = None,
    method: str = LinkMethod.LOCAL_ID,
    kind: str = PersonKind.CHILD,
    model: LinkageModel | None = None,
    use_model: bool = True,
) -> Received:
    """Keep the record and link it to one person (see the module docstring for the order).

    `person` is the caller's own resolution (e.g. the agency's reference it already held).
    """
    existing = (
        SourceRecord.objects.select_for_update()
        .filter(source_system=incoming.source_system, source_reference=incoming.source_reference)
        .first()
    )
    if existing is not None and existing.person_id is not None:
        _refresh(existing, incoming)
        live = Person.objects.get(pk=_live([existing.person_id])[0])
        return Received(existing, live, "same_record", LinkMethod.LOCAL_ID)
    if person is None:
        ident = PersonIdentifier.objects.filter(
            system=incoming.source_system, value=incoming.source_reference
        ).first()
        if ident is not None:
            person = Person.objects.get(pk=_live([ident.person_id])[0])
    if person is None:
        person, method, _problem = deterministic(incoming)
    if person is not None:
        record = _store(incoming, person)
        _event(record, person, method, by=_user(by))
        return Received(record, person, "deterministic", method)
    model = model or (active_model() if use_model else None)
    verdict = judge(incoming, model) if model is not None else None
    if verdict is not None and verdict.outcome == Outcome.LINK:
        top = verdict.best
        linked = Person.objects.get(pk=top.person_id)
        record = _store(incoming, linked)
        _event(
            record,
            linked,
            LinkMethod.MODEL,
            model=model,
            match_weight=top.match_weight,
            match_probability=top.match_probability,
        )
        return Received(
            record, linked, "linked", LinkMethod.MODEL, match_probability=top.match_probability
        )
    fresh = _person_from(incoming, by=by, kind=kind)
    PersonIdentifier.objects.get_or_create(
        system=incoming.source_system, value=incoming.source_reference, defaults={"person": fresh}
    )
    record = _store(incoming, fresh)
    nearest = verdict.best if verdict is not None else None
    _event(
        record,
        fresh,
        LinkMethod.NEW_PERSON,
        model=model,
        match_probability=nearest.match_probability if nearest else None,
        match_weight=nearest.match_weight if nearest else None,
    )
    review = None
    if verdict is not None and verdict.outcome == Outcome.REVIEW:
        review = queue_review(record, verdict.best, model=model, why=verdict.why)
    return Received(
        record,
        fresh,
        "review" if review else "new",
        LinkMethod.NEW_PERSON,
        review=review,
        match_probability=nearest.match_probability if nearest else None,
    )


@dataclass
class Verdict:
    outcome: Outcome
    best: Best
    why: str


def judge(
    incoming: Incoming | SourceRecord,
    model: LinkageModel,
    *,
    exclude_person: int | None = None,
) -> Verdict | None:
    """The model's outcome for a record against the index (None: nobody comes close)."""
    exclude = incoming.pk if isinstance(incoming, SourceRecord) else None
    ranked = [
        b
        for b in score_against_index(incoming, model, exclude=exclude)
        if b.person_id != exclude_person
        and not (exclude is not None and is_remembered_non_match(exclude, b.record.pk))
    ]
    if not ranked:
        return None
    top = ranked[0]
    twins = possible_twins(incoming, top.record)
    outcome = decide(
        top.match_probability,
        upper=model.upper_threshold,
        lower=model.lower_threshold,
        twins=twins,
    )
    rivals = [b for b in ranked[1:] if b.match_probability >= model.upper_threshold]
    why = "Between the thresholds"
    if twins:
        why = "Possible twins: same family name, date of birth and postcode, other given names"
    elif outcome == Outcome.LINK and rivals:
        outcome = Outcome.REVIEW
        why = f"{len(rivals) + 1} people score above the upper threshold"
    elif outcome == Outcome.LINK and numbers_conflict(
        _numbers_of(incoming), person_numbers(top.person_id)
    ):
        outcome, why = Outcome.REVIEW, CONFLICT_WHY
    if outcome == Outcome.NEW:
        return None
    return Verdict(outcome, top, why)


def _numbers_of(incoming: Incoming | SourceRecord) -> set[str]:
    """The valid NHS numbers on the incoming side: its own, and those of the person an already
    placed record belongs to."""
    own = {n for n in [_valid_nhs(incoming.nhs_number)] if n}
    if isinstance(incoming, SourceRecord) and incoming.person_id is not None:
        return own | person_numbers(incoming.person_id)
    return own


def person_numbers(person_id: int) -> set[str]:
    """A person's valid NHS numbers: the person's own and every record linked to them."""
    values = list(
        SourceRecord.objects.filter(person_id=person_id)
        .exclude(nhs_number="")
        .values_list("nhs_number", flat=True)
    )
    values += Person.objects.filter(pk=person_id).values_list("nhs_number", flat=True)
    return {n for n in (_valid_nhs(v or "") for v in values) if n}


@transaction.atomic
def rematch(record: SourceRecord, *, by: Any, model: LinkageModel | None = None) -> str:
    """Match a record an importer has already placed with a new person of its own: an automatic
    link merges that person into the match (reversibly); an unsure one joins the queue."""
    from hearth.linkage.merge import MergeRefused, merge_people

    model = model or active_model()
    if model is None or record.person is None:
        return "new"
    verdict = judge(record, model, exclude_person=record.person_id)
    if verdict is None:
        return "new"
    why = verdict.why
    if verdict.outcome == Outcome.LINK:
        try:
            with transaction.atomic():
                # The model's decision, not the importer's: made by the system (by=None).
                merge_people(
                    survivor=Person.objects.get(pk=verdict.best.person_id),
                    merged=record.person,
                    by=None,
                    reason=f"Linked automatically by linkage model v{model.version} "
                    f"(match probability {verdict.best.match_probability:.4f}) as "
                    f"{getattr(by, 'username', 'the system')}'s import arrived",
                )
            return "linked"
        except MergeRefused as refused:
            why = f"Linked by the model, but refused: {refused}"
    return "review" if queue_review(record, verdict.best, model=model, why=why) else "new"


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def queue_review(
    record: SourceRecord, best: Best, *, model: LinkageModel | None, why: str
) -> ReviewItem | None:
    """One open review a pair; never a pair a reviewer has already called different people."""
    if is_remembered_non_match(record.pk, best.record.pk):
        return None
    review, _ = ReviewItem.objects.get_or_create(
        record=record,
        candidate=best.record,
        status=ReviewStatus.OPEN,
        defaults={
            "model": model,
            "match_weight": best.match_weight,
            "match_probability": best.match_probability,
            "comparison": best.comparisons,
            "why_review": why,
            "created_at": timezone.now(),
        },
    )
    return review


def summary(received: Sequence[Received]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in received:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts
