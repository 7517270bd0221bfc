"""Toolkit figures for the partnership dataset: one implementation, called by its screens,
exports and API alike.

"Children on neglect plans" are children with a child protection plan whose latest category is
neglect, or a child in need plan whose referral's primary need is abuse or neglect (N1), open on
the date asked about.
"""

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek

from hearth.chronology.models import EntryStatus, EntrySubject
from hearth.episodes.models import AbuseCategory, Episode, EpisodeKind, PrimaryNeed
from hearth.people.models import Person
from hearth.toolkit.models import ResponseStatus, ResponseSubject, Tool, ToolResponse

MANDATORY_WINDOW_DAYS = 183  # "in the last six months"
CHRONOLOGY = "chronology"


def tools_completed_by_week(
    start: date, end: date, *, agency_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Completed tools per tool, agency, the author's team and week (weeks start on Monday),
    between two dates inclusive."""
    qs = ToolResponse.objects.filter(
        status=ResponseStatus.COMPLETED,
        completed_at__date__gte=start,
        completed_at__date__lte=end,
    )
    if agency_ids:
        qs = qs.filter(agency_id__in=agency_ids)
    rows = (
        qs.annotate(week=TruncWeek("completed_at"))
        .values(
            "tool__code", "tool__name", "agency_id", "agency__name", "author__team__name", "week"
        )
        .annotate(count=Count("pk"))
        .order_by("week", "tool__code", "agency__name")
    )
    return [
        {
            "tool": r["tool__code"],
            "tool_name": r["tool__name"],
            "agency_id": r["agency_id"],
            "agency": r["agency__name"],
            "team": r["author__team__name"] or "No team recorded",
            "week": r["week"].date() if hasattr(r["week"], "date") else r["week"],
            "count": r["count"],
        }
        for r in rows
    ]


def _open_on(as_of: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": as_of}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": as_of})
    )


def neglect_plan_children(as_of: date) -> QuerySet[Person]:
    """Children on a neglect plan on `as_of`. Driven from the plans, which are few, not from
    every person."""
    plans = Episode.objects.filter(_open_on(as_of)).filter(
        Q(kind=EpisodeKind.CP_PLAN, latest_category=AbuseCategory.NEGLECT)
        | Q(kind=EpisodeKind.CIN_PLAN, referral__primary_need=PrimaryNeed.ABUSE_NEGLECT)
    )
    return Person.objects.filter(pk__in=plans.values("child_id"))


def mandatory_tool_coverage(
    as_of: date,
    *,
    window_days: int = MANDATORY_WINDOW_DAYS,
    cohort: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """For each mandatory tool, the share of children on neglect plans with one completed about
    them in the window. The chronology counts when an entry about the child in the window says
    what it meant for the child (an impact chronology, not a list of events). A caller that has
    already found the neglect-plan children (the dataset, once per period) passes them as
    `cohort`."""
    since = as_of - timedelta(days=window_days)
    children = (
        neglect_plan_children(as_of)
        if cohort is None
        else Person.objects.filter(pk__in=list(cohort))
    )
    tools = list(Tool.objects.filter(mandatory=True, active=True).order_by("position"))
    # One pass over the children: a flag per tool, so the cohort is sent to the database once.
    flags: dict[str, Any] = {
        CHRONOLOGY: Exists(
            EntrySubject.objects.filter(
                person=OuterRef("pk"),
                event_date__gt=since,
                event_date__lte=as_of,
                entry__status=EntryStatus.ACTIVE,
            ).exclude(entry__impact_on_child="")
        )
    }
    for n, tool in enumerate(tools):
        flags[f"t{n}"] = Exists(
            ResponseSubject.objects.filter(
                person=OuterRef("pk"),
                response__tool=tool,
                response__status=ResponseStatus.COMPLETED,
                response__effective_date__gt=since,
                response__effective_date__lte=as_of,
            )
        )
    names = list(flags)
    found = list(children.annotate(**flags).values_list(*names))
    total = len(found)
    rows = [_coverage_row(CHRONOLOGY, "Impact chronology", total, sum(1 for f in found if f[0]))]
    for n, tool in enumerate(tools, start=1):
        rows.append(_coverage_row(tool.code, tool.name, total, sum(1 for f in found if f[n])))
    return rows


def _coverage_row(code: str, name: str, total: int, done: int) -> dict[str, Any]:
    return {
        "tool": code,
        "name": name,
        "children": total,
        "with_tool": done,
        "share": round(100 * done / total, 1) if total else None,
    }


def voice_of_the_child(
    as_of: date,
    *,
    window_days: int = MANDATORY_WINDOW_DAYS,
    cohort: Collection[int] | None = None,
) -> dict[str, Any]:
    """From each neglect-plan child's latest "day in my life" in the window: seen alone, own
    words recorded, and whether the child knows they have a plan."""
    since = as_of - timedelta(days=window_days)
    children = (
        set(neglect_plan_children(as_of).values_list("pk", flat=True))
        if cohort is None
        else set(cohort)
    )
    latest: dict[int, dict[str, Any]] = {}
    links = (
        ResponseSubject.objects.filter(
            person_id__in=children,
            response__tool__code="day-in-my-life",
            response__status=ResponseStatus.COMPLETED,
            response__effective_date__gt=since,
            response__effective_date__lte=as_of,
        )
        .order_by("person_id", "response__effective_date", "response_id")
        .values_list("person_id", "response__answers")
    )
    for person_id, answers in links:
        latest[person_id] = answers or {}
    seen_alone = sum(
        1 for a in latest.values() if (a.get("voice") or {}).get("seen_alone") == "yes"
    )
    words = sum(
        1
        for a in latest.values()
        if any(
            isinstance(part, dict) and str(part.get("child_words", "")).strip()
            for part in a.values()
        )
    )
    knows = sum(
        1 for a in latest.values() if (a.get("summary") or {}).get("child_knows_plan") == "yes"
    )
    return {
        "children": len(children),
        "with_day_in_my_life": len(latest),
        "seen_alone": seen_alone,
        "own_words_recorded": words,
        "knows_plan": knows,
    }
