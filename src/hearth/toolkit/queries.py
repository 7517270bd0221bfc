"""What the child's toolkit page shows: every completed tool over time, trends and siblings."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from hearth.access.scoping import visible_people
from hearth.people.households import Family
from hearth.people.models import Person
from hearth.toolkit import scoring
from hearth.toolkit.models import ResponseStatus, Tool, ToolResponse
from hearth.toolkit.summary import ordered_areas


def responses_about(user: Any, child: Person) -> QuerySet[ToolResponse]:
    """Completed responses about the child (including sibling-group ones), and this agency's drafts."""
    return (
        ToolResponse.objects.filter(subject_links__person=child)
        .filter(Q(status=ResponseStatus.COMPLETED) | Q(agency_id=getattr(user, "agency_id", None)))
        .select_related("tool", "tool_version", "agency", "carer")
        .distinct()
        .order_by("-effective_date", "-updated_at")
    )


@dataclass
class Series:
    key: str
    title: str
    points: list[tuple[date, float]]
    dipping: bool = False


@dataclass
class GradedCareTrend:
    line: float
    dates: list[date]
    series: list[Series]
    responses: list[ToolResponse]

    @property
    def dipping(self) -> list[Series]:
        return [s for s in self.series if s.dipping]


def _line(response: ToolResponse) -> float:
    params = response.tool_version.definition.get("scoring", {})
    return float(params.get("line", float(params.get("good_enough_max", 2)) + 0.5))


def graded_care_trend(responses: list[ToolResponse]) -> GradedCareTrend | None:
    """The child's graded care over time: one series per area and overall, and where care dips
    repeatedly above and below the good-enough line (scoring.care_dipping)."""
    graded = sorted(
        (
            r
            for r in responses
            if r.status == ResponseStatus.COMPLETED
            and r.tool_version.scoring_method == "graded_care"
        ),
        key=lambda r: (r.effective_date or date.min, r.pk),
    )
    if not graded:
        return None
    line = _line(graded[-1])
    params = graded[-1].tool_version.definition.get("scoring", {})
    min_dips = int(params.get("dip_min", 2))
    by_key: dict[str, Series] = {}
    overall = Series("overall", "Overall", [])
    for r in graded:
        when = r.effective_date or date.min
        for key, area in ordered_areas(r.tool_version.definition, r.result):
            if area.get("mean") is None:
                continue
            series = by_key.setdefault(key, Series(key, area.get("title", key), []))
            series.points.append((when, float(area["mean"])))
        mean = (r.result.get("overall") or {}).get("mean")
        if mean is not None:
            overall.points.append((when, float(mean)))
    all_series = [*by_key.values(), overall]
    for one in all_series:
        one.dipping = scoring.care_dipping([v for _, v in one.points], line, min_dips)
    return GradedCareTrend(line, [r.effective_date or date.min for r in graded], all_series, graded)


@dataclass
class SiblingGrades:
    child: Person
    response: ToolResponse | None
    grades: dict[str, Any] = field(default_factory=dict)


def siblings_side_by_side(user: Any, child: Person, family: Family) -> list[SiblingGrades]:
    """Each child of the family (that this user may see) with their latest graded care."""
    children = [child] + [m.person for m in family.siblings]
    allowed = set(
        visible_people(user, Person.objects.filter(pk__in=[c.pk for c in children])).values_list(
            "pk", flat=True
        )
    )
    rows = []
    for c in children:
        if c.pk not in allowed:
            continue
        latest = (
            ToolResponse.objects.filter(
                subject_links__person=c,
                status=ResponseStatus.COMPLETED,
                tool_version__definition__scoring__method="graded_care",
            )
            .select_related("tool_version")
            .order_by("-effective_date", "-pk")
            .first()
        )
        rows.append(SiblingGrades(c, latest, latest.result.get("areas", {}) if latest else {}))
    return rows if any(r.response for r in rows[1:]) else []


@dataclass
class SdqPoint:
    response: ToolResponse
    informant: str
    total: dict[str, Any]
    moved_up: list[str]


def sdq_history(responses: list[ToolResponse]) -> list[SdqPoint]:
    """SDQ results oldest first, noting scales that moved into a higher band than the previous
    result from the same kind of informant."""
    points: list[SdqPoint] = []
    last: dict[str, dict[str, Any]] = {}
    for r in sorted(
        (
            x
            for x in responses
            if x.status == ResponseStatus.COMPLETED and x.tool_version.scoring_method == "sdq"
        ),
        key=lambda x: (x.effective_date or date.min, x.pk),
    ):
        informant = str(r.result.get("informant", ""))
        scores = {
            **(r.result.get("scales") or {}),
            "total_difficulties": r.result.get("total_difficulties") or {},
        }
        before = last.get(informant, {})
        moved = [
            name
            for name, s in scores.items()
            if s.get("band_rank") is not None
            and (before.get(name) or {}).get("band_rank") is not None
            and s["band_rank"] > before[name]["band_rank"]
        ]
        last[informant] = scores
        points.append(SdqPoint(r, informant, r.result.get("total_difficulties") or {}, moved))
    return points


@dataclass
class CarerTrajectory:
    carer: Person | None
    responses: list[ToolResponse]


def capacity_trajectories(responses: list[ToolResponse]) -> list[CarerTrajectory]:
    by_carer: dict[int | None, CarerTrajectory] = {}
    for r in responses:
        if (
            r.status != ResponseStatus.COMPLETED
            or r.tool_version.scoring_method != "capacity_to_change"
        ):
            continue
        by_carer.setdefault(r.carer_id, CarerTrajectory(r.carer, [])).responses.append(r)
    return list(by_carer.values())


def rescore_time_dependent(response: ToolResponse, as_of: date) -> dict[str, Any]:
    """Capacity to change depends on today's date (a target date passing): score it afresh."""
    if response.tool_version.scoring_method == "capacity_to_change":
        return scoring.score(response.tool_version.definition, response.answers, as_of=as_of)
    return dict(response.result)


def active_tools() -> QuerySet[Tool]:
    return Tool.objects.filter(active=True).prefetch_related("versions")
