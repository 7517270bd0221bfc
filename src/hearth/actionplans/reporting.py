"""The partnership's view of the action plans: the heatmap, overdue updates and RAG counts.

Plain functions over plain data, called by the summary page and by the partnership dataset and
its exports, so the figures on the screen and in the export are the same figures.

**The aggregation rule.** An agency's rating under a strategic objective for a quarter is the
*worst* current RAG among that quarter's updates on the objective's actions (red over amber over
green). One red action is never averaged away by several greens: scrutiny asks about it. The
counts of each colour are returned beside it so the worst-of rating is read in proportion.
Actions due an update that have none do not count towards the rating; they are counted as
overdue instead, and a cell with no update at all has no rating ("not rated").

**Movement** compares that rating with the previous quarter's (which may belong to the previous
plan year): improved, same or worse; "not comparable" when either quarter has no rating.

**Overdue**, for a quarter: an action due an update for the quarter (from its first quarter to
the end of its plan year, and no later than the quarter it was completed in) with no update once
the quarter has ended; or an action whose due date has passed (by the end of the quarter, or
today while the quarter is running) and that was not marked complete by that quarter's update.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.db import models
from django.utils import timezone

from hearth.actionplans.models import RAG_SEVERITY, ActionPlan, Rag, StrategicObjective
from hearth.actionplans.queries import actions_for_quarter, current_updates, is_complete_by
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear


class Movement(models.TextChoices):
    IMPROVED = "improved", "Improved"
    SAME = "same", "Same"
    WORSE = "worse", "Worse"
    NOT_COMPARABLE = "not_comparable", "Not comparable"


MOVEMENT_SYMBOLS = {
    Movement.IMPROVED: "↑",
    Movement.SAME: "→",
    Movement.WORSE: "↓",
    Movement.NOT_COMPARABLE: "–",
}


class OverdueReason(models.TextChoices):
    NO_UPDATE = "no_update", "No update for a quarter that has ended"
    PAST_DUE = "past_due", "Past its due date and not complete"


class Cell(TypedDict):
    objective: str
    label: str
    rag: str | None
    previous_rag: str | None
    movement: str
    actions: int
    overdue: int
    counts: dict[str, int]


class HeatmapRow(TypedDict):
    agency_id: int
    agency: str
    plan_id: int
    plan_year: str
    signed_off_at: datetime | None
    signed_off_by: str
    sign_off_current: bool
    objectives: dict[str, Cell]


class OverdueItem(TypedDict):
    reason: str
    quarter: str
    agency_id: int
    agency: str
    plan_id: int
    action_id: int
    action: str
    owner: str
    strategic_objective: str
    due_date: date


def _as_quarter(quarter: Quarter | str) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


def worst(rags: Iterable[str]) -> str | None:
    """The worst of the ratings (red, then amber, then green), or None when there are none."""
    ranked = sorted(rags, key=lambda r: RAG_SEVERITY[Rag(r)], reverse=True)
    return ranked[0] if ranked else None


def movement(rag: str | None, previous: str | None) -> str:
    """Plain strings (`improved`, `same`, `worse`, `not_comparable`), ready for an export."""
    if rag is None or previous is None:
        return Movement.NOT_COMPARABLE.value
    change = RAG_SEVERITY[Rag(rag)] - RAG_SEVERITY[Rag(previous)]
    found = Movement.IMPROVED if change < 0 else Movement.WORSE if change > 0 else Movement.SAME
    return found.value


def _ratings(quarter: Quarter) -> dict[tuple[int, str], list[str]]:
    """The current RAGs for the quarter, by (agency, strategic objective), of actions due one."""
    due = {a.pk: a for a in actions_for_quarter(quarter)}
    ratings: dict[tuple[int, str], list[str]] = defaultdict(list)
    for action_id, rag in (
        current_updates()
        .filter(quarter=quarter.code, action_id__in=list(due))
        .values_list("action_id", "rag")
    ):
        action = due[action_id]
        ratings[(action.objective.plan.agency_id, action.objective.strategic_objective)].append(rag)
    return ratings


def overdue_updates(quarter: Quarter | str, *, today: date | None = None) -> list[OverdueItem]:
    """What is overdue for the quarter, as of `today`: see the module docstring for the rule."""
    q = _as_quarter(quarter)
    today = today or timezone.localdate()
    due = actions_for_quarter(q)
    updated = set(
        current_updates()
        .filter(quarter=q.code, action_id__in=[a.pk for a in due])
        .values_list("action_id", flat=True)
    )
    # The day by which a due date counts as passed: the quarter's end, or today while it runs.
    cutoff = min(q.end + timedelta(days=1), today)
    items: list[OverdueItem] = []
    for action in due:
        plan = action.objective.plan
        base = {
            "quarter": q.code,
            "agency_id": plan.agency_id,
            "agency": plan.agency.name,
            "plan_id": plan.pk,
            "action_id": action.pk,
            "action": action.description,
            "owner": action.owner,
            "strategic_objective": action.objective.strategic_objective,
            "due_date": action.due_date,
        }
        if q.end < today and action.pk not in updated:
            items.append(OverdueItem(reason=OverdueReason.NO_UPDATE.value, **base))  # type: ignore[typeddict-item]
        if action.due_date < cutoff and not is_complete_by(action, q):
            items.append(OverdueItem(reason=OverdueReason.PAST_DUE.value, **base))  # type: ignore[typeddict-item]
    items.sort(key=lambda i: (i["agency"], i["strategic_objective"], i["due_date"], i["reason"]))
    return items


def heatmap(quarter: Quarter | str, *, today: date | None = None) -> list[HeatmapRow]:
    """One row per agency with a plan for the quarter's plan year, one cell per strategic objective.

    Each cell: the worst current RAG (`rag`), last quarter's (`previous_rag`), the `movement`
    between them, how many `actions` were due an update, how many of those are `overdue`, and
    the `counts` of each RAG."""
    q = _as_quarter(quarter)
    year = PlanYear.of_quarter(q)
    now = _ratings(q)
    before = _ratings(q.previous())
    due: dict[tuple[int, str], int] = defaultdict(int)
    for action in actions_for_quarter(q):
        due[(action.objective.plan.agency_id, action.objective.strategic_objective)] += 1
    overdue: dict[tuple[int, str], set[int]] = defaultdict(set)
    for item in overdue_updates(q, today=today):
        overdue[(item["agency_id"], item["strategic_objective"])].add(item["action_id"])
    rows: list[HeatmapRow] = []
    plans = ActionPlan.objects.filter(plan_year=year.code).select_related("agency")
    for plan in sorted(plans, key=lambda p: p.agency.name):
        cells: dict[str, Cell] = {}
        for objective in StrategicObjective:
            key = (plan.agency_id, objective.value)
            rag, previous = worst(now.get(key, [])), worst(before.get(key, []))
            counts = {r.value: now.get(key, []).count(r.value) for r in Rag}
            cells[objective.value] = Cell(
                objective=objective.value,
                label=objective.label,
                rag=rag,
                previous_rag=previous,
                movement=movement(rag, previous),
                actions=due.get(key, 0),
                overdue=len(overdue.get(key, set())),
                counts=counts,
            )
        signed = plan.sign_offs.filter(quarter=q.code).order_by("-signed_at", "-pk").first()
        current_ids = sorted(
            current_updates()
            .filter(action__objective__plan=plan, quarter=q.code)
            .values_list("pk", flat=True)
        )
        rows.append(
            HeatmapRow(
                agency_id=plan.agency_id,
                agency=plan.agency.name,
                plan_id=plan.pk,
                plan_year=plan.plan_year,
                signed_off_at=signed.signed_at if signed else None,
                signed_off_by=signed.signed_by_name if signed else "",
                sign_off_current=bool(signed) and signed.update_ids == current_ids,  # type: ignore[union-attr]
                objectives=cells,
            )
        )
    return rows


def rag_counts(
    quarter: Quarter | str, *, agency_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """How many actions due an update for the quarter were rated red, amber and green, and how
    many have no update (`not_rated`); `total` is the number due."""
    q = _as_quarter(quarter)
    due = [a.pk for a in actions_for_quarter(q, agency_ids=agency_ids)]
    counts = {r.value: 0 for r in Rag}
    for rag in (
        current_updates().filter(quarter=q.code, action_id__in=due).values_list("rag", flat=True)
    ):
        counts[rag] += 1
    rated = sum(counts.values())
    return {**counts, "not_rated": len(due) - rated, "total": len(due)}
