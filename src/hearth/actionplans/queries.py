"""Reading action plans: which updates are current, and which quarters an action must report on.

Shared by the actions (sign-off checks), the reporting functions and the views, so the rule for
"this action owes an update for this quarter" is written once.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from hearth.actionplans.models import ActionStatus, ActionUpdate, AgencyAction
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear


def current_updates() -> QuerySet[ActionUpdate]:
    """Updates no correction has replaced: at most one per action and quarter."""
    return ActionUpdate.objects.filter(superseded_by__isnull=True)


def current_update_for(action: AgencyAction, quarter: Quarter) -> ActionUpdate | None:
    return current_updates().filter(action=action, quarter=quarter.code).first()


def reports_in(action: AgencyAction, quarter: Quarter, plan_year: PlanYear | None = None) -> bool:
    """Does this action owe an update for this quarter?

    From its first quarter to the end of its plan's year, and no later than the quarter whose
    update marked it complete (that update is the last one due)."""
    year = plan_year or PlanYear.parse(action.objective.plan.plan_year)
    if not year.contains(quarter) or quarter < Quarter.parse(action.first_quarter):
        return False
    if action.status == ActionStatus.COMPLETE and action.completed_quarter:
        return quarter <= Quarter.parse(action.completed_quarter)
    return True


def is_complete_by(action: AgencyAction, quarter: Quarter) -> bool:
    """Was the action marked complete in this quarter's update or an earlier one?"""
    return (
        action.status == ActionStatus.COMPLETE
        and bool(action.completed_quarter)
        and Quarter.parse(action.completed_quarter) <= quarter
    )


def actions_for_quarter(
    quarter: Quarter, agency_ids: Iterable[int] | None = None
) -> list[AgencyAction]:
    """Every action that owes an update for the quarter, in the plans for that quarter's year."""
    year = PlanYear.of_quarter(quarter)
    actions = AgencyAction.objects.filter(objective__plan__plan_year=year.code).select_related(
        "objective__plan__agency"
    )
    if agency_ids is not None:
        actions = actions.filter(objective__plan__agency_id__in=list(agency_ids))
    return [a for a in actions if reports_in(a, quarter, year)]
