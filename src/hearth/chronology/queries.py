"""The merged multi-agency chronology of a child, their siblings and their household."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from hearth.access.scoping import visible_entries
from hearth.chronology.models import ChronologyEntry, EntryStatus, EntrySubject
from hearth.people.models import Residence

PAGE_SIZE = 100


@dataclass
class ChronologyFilters:
    agency_ids: list[int] = field(default_factory=list)
    event_type_ids: list[int] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    include_retracted: bool = False

    def apply(self, qs: QuerySet[ChronologyEntry]) -> QuerySet[ChronologyEntry]:
        if self.agency_ids:
            qs = qs.filter(agency_id__in=self.agency_ids)
        if self.event_type_ids:
            qs = qs.filter(event_type_id__in=self.event_type_ids)
        if self.domains:
            qs = qs.filter(event_type__domain__in=self.domains)
        if self.date_from:
            qs = qs.filter(event_date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(event_date__lte=self.date_to)
        if not self.include_retracted:
            qs = qs.filter(status=EntryStatus.ACTIVE)
        return qs


@dataclass
class MergedChronology:
    entries: list[ChronologyEntry]
    total: int
    counts_by_agency: list[dict[str, Any]]
    offset: int = 0

    @property
    def last_shown(self) -> int:
        return self.offset + len(self.entries)

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.entries)
        return following if following < self.total else None

    @property
    def previous_offset(self) -> int:
        return max(self.offset - PAGE_SIZE, 0)


Residences = list[tuple[int, date | None, date | None]]


def _family_sources(
    person_ids: set[int], child_id: int, residences: Residences | None
) -> list[QuerySet[ChronologyEntry]]:
    """Entries about any of these people, and household entries at the child's addresses while they lived there.

    Kept as separate index-driven queries rather than one OR (an OR of IN-subqueries made PostgreSQL
    scan the table). `residences` (address id, start, end) may be passed by a caller that has them.
    """
    sources: list[QuerySet[ChronologyEntry]] = [
        ChronologyEntry.objects.filter(subject_links__person_id__in=person_ids)
    ]
    if residences is None:
        residences = list(
            Residence.objects.filter(person_id=child_id).values_list(
                "address_id", "start_date", "end_date"
            )
        )
    if residences:
        household_q = Q()
        for address_id, start, end in residences:
            period = Q(household_id=address_id)
            if start:
                period &= Q(event_date__gte=start)
            if end:
                period &= Q(event_date__lte=end)
            household_q |= period
        sources.append(ChronologyEntry.objects.filter(household_q))
    return sources


def family_entry_ids(
    person_ids: set[int], child_id: int, residences: Residences | None = None
) -> set[int]:
    ids: set[int] = set()
    for source in _family_sources(person_ids, child_id, residences):
        ids.update(source.values_list("id", flat=True))
    return ids


def merged_chronology(
    user: Any,
    *,
    child_id: int,
    person_ids: set[int],
    filters: ChronologyFilters | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
    residences: Residences | None = None,
) -> MergedChronology:
    """The newest `limit` entries the user may see, and counts by agency over all of them.

    Narrow rows (id, agency, date) of the family's entries give the counts and pick the page; only
    the entries shown are then read in full.
    """
    filters = filters or ChronologyFilters()
    narrow_parts = [
        filters.apply(visible_entries(user, source))
        .order_by()
        .values_list("id", "agency_id", "agency__name", "event_date")
        for source in _family_sources(person_ids, child_id, residences)
    ]
    # One round trip: UNION ALL keeps each part on its own index; duplicates are folded here.
    combined = (
        narrow_parts[0].union(*narrow_parts[1:], all=True)
        if len(narrow_parts) > 1
        else narrow_parts[0]
    )
    rows: dict[int, tuple[int, int, str, date]] = {row[0]: row for row in combined}
    narrow = sorted(rows.values(), key=lambda row: (row[3], row[0]), reverse=True)
    page_ids = [row[0] for row in narrow[offset : offset + limit]]
    per_agency = Counter((row[1], row[2]) for row in narrow)
    counts: list[dict[str, Any]] = [
        {"agency_id": pk, "agency__name": name, "n": n}
        for (pk, name), n in sorted(per_agency.items(), key=lambda item: (-item[1], item[0][1]))
    ]
    by_id = (
        ChronologyEntry.objects.select_related("agency", "event_type", "household")
        .prefetch_related(
            Prefetch("subject_links", queryset=EntrySubject.objects.select_related("person"))
        )
        .in_bulk(page_ids)
    )
    entries = [by_id[pk] for pk in page_ids]
    return MergedChronology(
        entries=entries, total=len(narrow), counts_by_agency=counts, offset=offset
    )


def get_entry_in_chronology(user: Any, *, person_id: int, entry_id: int) -> ChronologyEntry | None:
    """The entry, if it is on this person's merged chronology and its sharing level lets the user see it."""
    from hearth.people.households import family_ids

    ids = family_entry_ids(family_ids(person_id), person_id)
    if entry_id not in ids:
        return None
    return (
        visible_entries(user, ChronologyEntry.objects.filter(pk=entry_id))
        .select_related("agency", "event_type", "household")
        .first()
    )


@dataclass
class ChronologySummary:
    since: date
    total: int
    concerns: int
    by_domain: list[tuple[str, int]]
    by_agency: list[tuple[str, int]]


def chronology_summary(
    user: Any, *, child_id: int, person_ids: set[int], since: date
) -> ChronologySummary:
    """What the family's chronology holds since a date, by neglect domain and by agency: the
    summary a practitioner pulls together in the "So what?" analysis."""
    from hearth.chronology.models import NeglectDomain

    parts = [
        visible_entries(user, source)
        .filter(event_date__gte=since, status=EntryStatus.ACTIVE)
        .order_by()
        .values_list("id", "agency__name", "event_type__domain", "event_type__is_concern")
        for source in _family_sources(person_ids, child_id, None)
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = {row[0]: row for row in combined}.values()
    labels = dict(NeglectDomain.choices)
    domains = Counter(str(labels.get(r[2], r[2])) for r in rows if r[2])
    agencies = Counter(r[1] for r in rows)
    return ChronologySummary(
        since=since,
        total=len(rows),
        concerns=sum(1 for r in rows if r[3]),
        by_domain=domains.most_common(),
        by_agency=agencies.most_common(),
    )
