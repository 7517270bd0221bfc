"""A CIN census return for a collection year, from Hearth's records.

The collection year ending 31 March covers every CIN episode (referral) open at any time from
1 April of the year before: referred on or before 31 March and not closed before 1 April. Each
child needs an LA child ID (a PersonIdentifier in children's social care's system, which is how
the census knows them); a child Hearth holds without one is left out, and counted.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from hearth.episodes.models import Episode, EpisodeKind
from hearth.interop.census import ChildRecord, EpisodeRecord
from hearth.interop.writer import FIRST_SEX_YEAR, reference_date
from hearth.people.models import DatePrecision, Person, PersonIdentifier

CHUNK = 1000
SUB_KINDS = (
    EpisodeKind.ASSESSMENT,
    EpisodeKind.CIN_PLAN,
    EpisodeKind.SECTION_47,
    EpisodeKind.CP_PLAN,
)
FIELDS: dict[str, tuple[str, ...]] = {
    EpisodeKind.REFERRAL: (
        "start_date",
        "end_date",
        "end_reason",
        "referral_source",
        "primary_need",
        "referral_nfa",
        "initial_cpc_date",
    ),
    EpisodeKind.ASSESSMENT: (
        "start_date",
        "internal_review_date",
        "authorisation_date",
        "end_date",
        "factors",
    ),
    EpisodeKind.CIN_PLAN: ("start_date", "end_date"),
    EpisodeKind.SECTION_47: (
        "start_date",
        "initial_cpc_target",
        "initial_cpc_date",
        "icpc_not_required",
        "end_date",
    ),
    EpisodeKind.CP_PLAN: (
        "start_date",
        "end_date",
        "initial_category",
        "latest_category",
        "number_of_previous_cpp",
        "review_dates",
    ),
}


@dataclass
class ExportCounts:
    children: int = 0
    episodes: int = 0
    without_la_child_id: int = 0


def year_span(year: int) -> tuple[date, date]:
    return date(year - 1, 4, 1), reference_date(year)


def _open_in(year: int) -> Q:
    start, end = year_span(year)
    return Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


def _person(person: Person, year: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "date_of_birth": person.date_of_birth,
        "date_of_birth_precision": (
            DatePrecision.EXPECTED if person.is_unborn else DatePrecision.EXACT
        ),
        "sex": person.sex,
        "ethnicity": person.ethnicity,
    }
    if year < FIRST_SEX_YEAR and person.gender_current:
        values["gender_current"] = person.gender_current
    for name in ("upn", "former_upn", "upn_unknown_reason", "date_of_death", "disabilities"):
        if value := getattr(person, name):
            values[name] = value
    return values


def _record(episode: Episode) -> EpisodeRecord:
    return EpisodeRecord(
        kind=episode.kind,
        reference=episode.source_reference or f"hearth/{episode.pk}",
        path="",
        fields={name: getattr(episode, name) for name in FIELDS[episode.kind]},
    )


def census_children(year: int, *, id_system: str, counts: ExportCounts) -> Iterator[ChildRecord]:
    """Every child with a CIN episode open in the year, in LA child ID order."""
    referrals = Episode.objects.filter(_open_in(year), kind=EpisodeKind.REFERRAL)
    child_ids = set(referrals.values_list("child_id", flat=True))
    la_ids = dict(
        PersonIdentifier.objects.filter(system=id_system, person_id__in=child_ids).values_list(
            "person_id", "value"
        )
    )
    counts.without_la_child_id = len(child_ids - set(la_ids))
    ordered = sorted(la_ids, key=lambda pk: la_ids[pk])
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i : i + CHUNK]
        people = Person.objects.in_bulk(chunk)
        by_child: dict[int, list[Episode]] = defaultdict(list)
        for referral in referrals.filter(child_id__in=chunk).order_by("start_date", "pk"):
            by_child[referral.child_id].append(referral)
        subs: dict[int, list[Episode]] = defaultdict(list)
        referral_ids = [r.pk for rs in by_child.values() for r in rs]
        for sub in Episode.objects.filter(referral_id__in=referral_ids, kind__in=SUB_KINDS):
            assert sub.referral_id is not None
            subs[sub.referral_id].append(sub)
        for pk in chunk:
            records = []
            for referral in by_child[pk]:
                item = _record(referral)
                item.subs = [_record(s) for s in subs[referral.pk]]
                records.append(item)
                counts.episodes += 1 + len(item.subs)
            counts.children += 1
            yield ChildRecord(
                index=counts.children,
                la_child_id=la_ids[pk],
                path="",
                person=_person(people[pk], year),
                referrals=records,
            )
