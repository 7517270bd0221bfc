"""The records the dataset reads, fetched once for a window of periods in a few set-based queries.

Each loader returns compact rows (a few thousand per quarter even for a county of a million
people); the indicators then slice them per period in memory, so the 8-quarter trend costs about
what one quarter does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Count, Min, Q

from hearth.access.models import Involvement
from hearth.alerts.models import Alert, ResponseKind
from hearth.episodes.models import Episode, EpisodeKind, ScreeningStatus
from hearth.lib.periods import Period, add_months
from hearth.people.models import Ethnicity, Person, PersonKind, Sex

LOOKBACK_MONTHS = 24  # repeat plans look back 2 years; re-referrals 12 months


@dataclass(frozen=True, slots=True)
class Child:
    sex: str
    ethnicity: str
    dob: date | None


@dataclass(frozen=True, slots=True)
class Plan:
    id: int
    child_id: int
    kind: str
    start: date
    end: date | None
    initial_category: str = ""
    latest_category: str = ""
    previous_plans: int | None = None
    primary_need: str = ""

    def open_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)

    def overlaps(self, period: Period) -> bool:
        return self.start <= period.end and (self.end is None or self.end >= period.start)


@dataclass(frozen=True, slots=True)
class Referral:
    id: int
    child_id: int
    start: date
    source: str
    primary_need: str


@dataclass(frozen=True, slots=True)
class Assessment:
    id: int
    child_id: int
    authorised: date
    factors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    child_id: int
    rule: str
    raised: date
    closed: date | None
    first_response: date | None
    first_action: date | None


ETHNIC_GROUPS = {
    "W": "White",
    "M": "Mixed",
    "A": "Asian or Asian British",
    "B": "Black or Black British",
    "C": "Other ethnic group",
    "O": "Other ethnic group",
}
AGE_BANDS = ((1, "Under 1"), (5, "1 to 4"), (10, "5 to 9"), (16, "10 to 15"), (200, "16 and over"))


def ethnic_group(code: str) -> str:
    if code in (Ethnicity.REFU, Ethnicity.NOBT, ""):
        return "Refused or not yet obtained"
    return ETHNIC_GROUPS.get(code[:1], "Other ethnic group")


def age_band(dob: date | None, on: date) -> str:
    if dob is None or dob > on:
        return "Unborn or not known"
    years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    for upper, label in AGE_BANDS:
        if years < upper:
            return label
    return AGE_BANDS[-1][1]


SEX_LABELS = dict(Sex.choices)


@dataclass
class Facts:
    """Everything the dataset needs for `periods`, optionally for the children one agency knows."""

    periods: list[Period]
    agency_id: int | None = None
    children: dict[int, Child] = field(default_factory=dict)

    @cached_property
    def window(self) -> Period:
        start = min(p.start for p in self.periods)
        end = max(p.end for p in self.periods)
        return Period(start, end, "window")

    @cached_property
    def lookback_start(self) -> date:
        return add_months(self.window.start, -LOOKBACK_MONTHS) - timedelta(days=1)

    def _remember(self, rows: Iterable[tuple[int, str, str, date | None]]) -> None:
        for child_id, sex, ethnicity, dob in rows:
            if child_id not in self.children:
                self.children[child_id] = Child(sex, ethnicity, dob)

    # ---- episodes -----------------------------------------------------------------------
    @cached_property
    def cp_plans(self) -> list[Plan]:
        """Every CP plan of every child with a plan in the window or the two years before it, so
        repeat plans can look back."""
        w = self.window
        in_window = Episode.objects.filter(kind=EpisodeKind.CP_PLAN, start_date__lte=w.end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=self.lookback_start)
        )
        rows = Episode.objects.filter(
            kind=EpisodeKind.CP_PLAN,
            start_date__lte=w.end,
            child_id__in=in_window.values("child_id"),
        ).values_list(
            "id",
            "child_id",
            "start_date",
            "end_date",
            "initial_category",
            "latest_category",
            "number_of_previous_cpp",
            "child__sex",
            "child__ethnicity",
            "child__date_of_birth",
        )
        plans = []
        for r in rows:
            plans.append(Plan(r[0], r[1], EpisodeKind.CP_PLAN, r[2], r[3], r[4], r[5], r[6]))
            self._remember([(r[1], r[7], r[8], r[9])])
        plans.sort(key=lambda p: (p.child_id, p.start, p.id))
        return plans

    @cached_property
    def cp_plans_by_child(self) -> dict[int, list[Plan]]:
        out: dict[int, list[Plan]] = defaultdict(list)
        for plan in self.cp_plans:
            out[plan.child_id].append(plan)
        return out

    @cached_property
    def cin_plans(self) -> list[Plan]:
        w = self.window
        rows = (
            Episode.objects.filter(kind=EpisodeKind.CIN_PLAN, start_date__lte=w.end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=w.start))
            .values_list(
                "id",
                "child_id",
                "start_date",
                "end_date",
                "referral__primary_need",
                "child__sex",
                "child__ethnicity",
                "child__date_of_birth",
            )
        )
        plans = []
        for r in rows:
            plans.append(
                Plan(r[0], r[1], EpisodeKind.CIN_PLAN, r[2], r[3], primary_need=r[4] or "")
            )
            self._remember([(r[1], r[5], r[6], r[7])])
        return plans

    @cached_property
    def referrals(self) -> list[Referral]:
        """Referrals decided at the front door, from 12 months before the window (re-referrals
        look back that far) to its end. Contacts still under screening are not yet referrals."""
        rows = (
            Episode.objects.filter(
                kind=EpisodeKind.REFERRAL,
                start_date__gte=add_months(self.window.start, -12) - timedelta(days=1),
                start_date__lte=self.window.end,
            )
            .exclude(screening_status=ScreeningStatus.UNDER_SCREENING)
            .values_list(
                "id",
                "child_id",
                "start_date",
                "referral_source",
                "primary_need",
                "child__sex",
                "child__ethnicity",
                "child__date_of_birth",
            )
        )
        out = []
        for r in rows:
            out.append(Referral(r[0], r[1], r[2], r[3] or "", r[4] or ""))
            self._remember([(r[1], r[5], r[6], r[7])])
        out.sort(key=lambda x: (x.child_id, x.start, x.id))
        return out

    @cached_property
    def referrals_by_child(self) -> dict[int, list[Referral]]:
        out: dict[int, list[Referral]] = defaultdict(list)
        for referral in self.referrals:
            out[referral.child_id].append(referral)
        return out

    @cached_property
    def assessments(self) -> list[Assessment]:
        rows = Episode.objects.filter(
            kind=EpisodeKind.ASSESSMENT,
            authorisation_date__gte=self.window.start,
            authorisation_date__lte=self.window.end,
        ).values_list(
            "id",
            "child_id",
            "authorisation_date",
            "factors",
            "child__sex",
            "child__ethnicity",
            "child__date_of_birth",
        )
        out = []
        for r in rows:
            out.append(Assessment(r[0], r[1], r[2] or self.window.end, tuple(r[3] or ())))
            self._remember([(r[1], r[4], r[5], r[6])])
        return out

    # ---- alerts -------------------------------------------------------------------------
    @cached_property
    def alerts(self) -> list[AlertRow]:
        w = self.window
        rows = (
            Alert.objects.filter(raised_at__date__lte=w.end)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gte=w.start))
            .annotate(
                first_response=Min("responses__at"),
                first_action=Min("responses__at", filter=Q(responses__kind=ResponseKind.ACTED)),
            )
            .values_list(
                "id",
                "child_id",
                "rule__code",
                "raised_at",
                "closed_at",
                "first_response",
                "first_action",
            )
        )
        return [
            AlertRow(
                r[0],
                r[1],
                r[2],
                r[3].date(),
                r[4].date() if r[4] else None,
                r[5].date() if r[5] else None,
                r[6].date() if r[6] else None,
            )
            for r in rows
        ]

    # ---- population and the agency filter ----------------------------------------------
    def children_in_records(self) -> dict[Period, int]:
        """Children aged 0 to 17 recorded in Hearth at each period's end, in one pass."""
        aggregates = {}
        for n, period in enumerate(self.periods):
            aggregates[f"p{n}"] = Count(
                "pk",
                filter=Q(
                    date_of_birth__lte=period.end,
                    date_of_birth__gt=add_months(period.end, -18 * 12),
                ),
            )
        counts = Person.objects.filter(kind=PersonKind.CHILD).aggregate(**aggregates)
        return {period: counts[f"p{n}"] or 0 for n, period in enumerate(self.periods)}

    @cached_property
    def _agency_involvements(self) -> dict[int, list[tuple[date, date | None]]]:
        out: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
        if self.agency_id is None:
            return out
        rows = (
            Involvement.objects.filter(agency_id=self.agency_id, start_date__lte=self.window.end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=self.window.start))
            .values_list("person_id", "start_date", "end_date")
        )
        for person_id, start, end in rows:
            out[person_id].append((start, end))
        return out

    def known_to_agency(self, period: Period) -> set[int] | None:
        """Children with an involvement of the chosen agency during the period; None: no filter."""
        if self.agency_id is None:
            return None
        return {
            person_id
            for person_id, spans in self._agency_involvements.items()
            if any(s <= period.end and (e is None or e >= period.start) for s, e in spans)
        }
