"""Training reach and confidence for the partnership dataset: plain functions over a date range.

`practitioners_trained` counts *distinct* practitioners, by the practitioner's own agency (not the
agency that delivered the session): someone at three sessions is trained once. A practitioner is
their Hearth log-in, or, without one, their name (case and spacing ignored) within their agency.
The target is the agency's for the plan year containing `end`, so a quarter's or a
year-to-date figure is read against that year's target.

`confidence_change` uses only paired answers: an attendance counts for an item when it has both a
before and an after score for it, so the means compare the same people.
"""

from datetime import date
from typing import TypedDict

from hearth.agencies.models import Agency
from hearth.lib.plan_years import PlanYear
from hearth.workforce.models import Attendance, ConfidenceItem, TrainingTarget


class ReachRow(TypedDict):
    agency_id: int
    agency: str
    trained: int
    target: int | None
    share_of_target: float | None


class ConfidenceRow(TypedDict):
    item: str
    label: str
    respondents: int
    mean_before: float | None
    mean_after: float | None
    change: float | None


def _attendances(start: date, end: date, agency_ids: list[int] | None) -> list[Attendance]:
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    rows = Attendance.objects.filter(session__held_on__gte=start, session__held_on__lte=end)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    return list(rows)


def practitioners_trained(
    start: date, end: date, agency_ids: list[int] | None = None
) -> list[ReachRow]:
    """Per agency: distinct practitioners trained in [start, end], the target and the share of it.

    Agencies appear when they have a target for the year or trained someone in the range;
    `share_of_target` is None when there is no target (or it is zero)."""
    year = PlanYear.containing(end).code
    trained: dict[int, set[tuple[str, object]]] = {}
    for attendance in _attendances(start, end, agency_ids):
        trained.setdefault(attendance.agency_id, set()).add(attendance.practitioner_key)
    targets = TrainingTarget.objects.filter(plan_year=year)
    if agency_ids is not None:
        targets = targets.filter(agency_id__in=agency_ids)
    target_of = dict(targets.values_list("agency_id", "practitioners"))
    agencies = Agency.objects.filter(pk__in=set(trained) | set(target_of)).order_by("name")
    rows: list[ReachRow] = []
    for agency in agencies:
        count = len(trained.get(agency.pk, ()))
        target = target_of.get(agency.pk)
        rows.append(
            ReachRow(
                agency_id=agency.pk,
                agency=agency.name,
                trained=count,
                target=target,
                share_of_target=round(count / target, 4) if target else None,
            )
        )
    return rows


def confidence_change(
    start: date, end: date, agency_ids: list[int] | None = None
) -> list[ConfidenceRow]:
    """Per confidence item: respondents with both scores, their mean before and after (1–5, to
    two decimal places), and the change (after minus before)."""
    attendances = _attendances(start, end, agency_ids)
    rows: list[ConfidenceRow] = []
    for item in ConfidenceItem:
        pairs = [
            (getattr(a, f"{item.value}_before"), getattr(a, f"{item.value}_after"))
            for a in attendances
        ]
        pairs = [(b, a) for b, a in pairs if b is not None and a is not None]
        if pairs:
            before = sum(b for b, _ in pairs) / len(pairs)
            after = sum(a for _, a in pairs) / len(pairs)
            rows.append(
                ConfidenceRow(
                    item=item.value,
                    label=item.label,
                    respondents=len(pairs),
                    mean_before=round(before, 2),
                    mean_after=round(after, 2),
                    change=round(after - before, 2),
                )
            )
        else:
            rows.append(
                ConfidenceRow(
                    item=item.value,
                    label=item.label,
                    respondents=0,
                    mean_before=None,
                    mean_after=None,
                    change=None,
                )
            )
    return rows
