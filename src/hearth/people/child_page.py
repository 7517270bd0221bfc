"""Everything the child's page shows, gathered in a handful of indexed queries.

The page leads with the child (age, where they live, who with, plans now and before), then the
network of agencies working with the family, then the merged chronology. The benchmark in
`benchmarks/child_page.py` times exactly this function.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from hearth.access.models import Involvement
from hearth.accounts.models import User
from hearth.agencies.models import Agency
from hearth.alerts.models import Alert, AlertStatus
from hearth.chronology.queries import ChronologyFilters, MergedChronology, merged_chronology
from hearth.episodes.models import PLAN_KINDS, Episode
from hearth.people.households import Family, family_of
from hearth.people.models import (
    Disability,
    NameType,
    Person,
    PersonIdentifier,
    PersonName,
    Residence,
)
from hearth.toolkit.models import ResponseStatus, ToolResponse
from hearth.toolkit.summary import result_headline


@dataclass
class NetworkRow:
    """One agency worker (or an agency with no named worker) and the family members they work with."""

    agency: Agency
    practitioner: User | None
    role_description: str
    is_lead: bool
    people: list[Person]
    with_child: bool


def group_network(involvements: list[Involvement], child_id: int) -> list[NetworkRow]:
    rows: dict[tuple[int, int | None], NetworkRow] = {}
    for inv in involvements:
        key = (inv.agency_id, inv.practitioner_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = NetworkRow(
                inv.agency, inv.practitioner, inv.role_description, False, [], False
            )
        row.is_lead = row.is_lead or (inv.is_lead and inv.person_id == child_id)
        row.with_child = row.with_child or inv.person_id == child_id
        if inv.person_id != child_id:
            row.people.append(inv.person)
    return sorted(rows.values(), key=lambda r: (not r.is_lead, not r.with_child, r.agency.name))


@dataclass
class ToolResult:
    response: ToolResponse
    headline: str


def latest_tool_results(child: Person, limit: int = 5) -> list[ToolResult]:
    """The child's most recent completed tools (one query), each with its finding in words."""
    responses = (
        ToolResponse.objects.filter(subject_links__person=child, status=ResponseStatus.COMPLETED)
        .select_related("tool", "tool_version", "agency")
        .order_by("-effective_date", "-pk")[:limit]
    )
    return [
        ToolResult(r, result_headline(r.tool_version.definition, r.result, r.answers))
        for r in responses
    ]


@dataclass
class ChildPage:
    child: Person
    age: int | None
    current_residence: Residence | None
    residences: list[Residence]
    family: Family
    open_episodes: list[Episode]
    past_episodes: list[Episode]
    network: list[NetworkRow]
    past_network: list[Involvement]
    chronology: MergedChronology
    other_names: list[PersonName]
    local_identifiers: list[PersonIdentifier]
    tool_results: list[ToolResult]
    open_alerts: list[Alert]

    @property
    def disabilities(self) -> list[str]:
        labels = dict(Disability.choices)
        return [
            str(labels.get(code, code))
            for code in self.child.disabilities or []
            if code != Disability.NONE
        ]

    @property
    def open_plans(self) -> list[Episode]:
        return [e for e in self.open_episodes if e.kind in PLAN_KINDS]


def build_child_page(
    user: Any, child: Person, filters: ChronologyFilters | None = None, offset: int = 0
) -> ChildPage:
    today = timezone.localdate()
    residences = list(
        Residence.objects.filter(person=child).select_related("address").order_by("-start_date")
    )
    current = next((r for r in residences if r.end_date is None or r.end_date >= today), None)
    own = [(r.address_id, r.start_date, r.end_date) for r in residences]
    family = family_of(child, own)
    episodes = list(Episode.objects.filter(child=child).order_by("-start_date"))
    involvements = list(
        Involvement.objects.filter(person_id__in=family.ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today.replace(year=today.year - 2)))
        .select_related("agency", "practitioner", "person")
        .order_by("-is_lead", "agency__name")
    )
    current_ids = {
        i.pk
        for i in involvements
        if i.start_date <= today and (i.end_date is None or i.end_date >= today)
    }
    chronology = merged_chronology(
        user,
        child_id=child.pk,
        person_ids=family.ids,
        filters=filters,
        offset=offset,
        residences=own,
    )
    other_names = list(PersonName.objects.filter(person=child).exclude(name_type=NameType.CURRENT))
    local_identifiers = list(PersonIdentifier.objects.filter(person=child).order_by("system"))
    return ChildPage(
        child=child,
        age=child.age_on(today),
        current_residence=current,
        residences=residences,
        family=family,
        open_episodes=[e for e in episodes if e.is_open],
        past_episodes=[e for e in episodes if not e.is_open],
        network=group_network([i for i in involvements if i.pk in current_ids], child.pk),
        past_network=[i for i in involvements if i.pk not in current_ids],
        chronology=chronology,
        other_names=other_names,
        local_identifiers=local_identifiers,
        tool_results=latest_tool_results(child),
        open_alerts=list(
            Alert.objects.filter(child=child)
            .exclude(status=AlertStatus.CLOSED)
            .select_related("rule")
            .order_by("fired_on")
        ),
    )
