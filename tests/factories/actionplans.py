"""Agency leads and administrators, and action plans built through the actions as a user would."""

import datetime
from typing import Any

from hearth.accounts.models import Role
from hearth.actionplans import actions
from hearth.actionplans.models import ActionPlan, ActionUpdate, AgencyAction, PlanObjective

from .accounts import UserFactory


def agency_lead(agency: Any, username: str = "lena") -> Any:
    """The agency's safeguarding lead, who updates and signs off its plan."""
    return UserFactory(
        username=username,
        first_name=username.capitalize(),
        last_name="Lead",
        agency=agency,
        role=Role.AGENCY_LEAD,
        job_title="Head of safeguarding",
    )


def administrator(agency: Any, username: str = "ada") -> Any:
    return UserFactory(username=username, first_name="Ada", agency=agency, role=Role.ADMINISTRATOR)


def make_plan(by: Any, agency: Any, plan_year: str = "2025-26") -> ActionPlan:
    return actions.create_plan(by=by, agency=agency, plan_year=plan_year)


def make_objective(by: Any, plan: ActionPlan, objective: str = "recognise") -> PlanObjective:
    return actions.add_objective(
        by=by,
        plan=plan,
        strategic_objective=objective,
        description=f"Practitioners {objective} neglect early and consistently.",
    )


def make_action(
    by: Any,
    objective: PlanObjective,
    description: str = "Train every team in the day in my life tool",
    due_date: datetime.date = datetime.date(2026, 3, 31),
    first_quarter: str | None = None,
) -> AgencyAction:
    year = int(objective.plan.plan_year[:4])
    return actions.add_action(
        by=by,
        objective=objective,
        description=description,
        owner="Head of practice",
        due_date=due_date,
        measure_of_impact="Day in my life used in 80% of assessments",
        first_quarter=first_quarter or f"{year}Q2",
    )


def update(
    by: Any,
    action: AgencyAction,
    quarter: str,
    rag: str,
    correction_reason: str = "",
    marks_complete: bool = False,
) -> ActionUpdate:
    return actions.record_update(
        by=by,
        action=action,
        quarter=quarter,
        rag=rag,
        narrative=f"Progress in {quarter}: {rag}.",
        correction_reason=correction_reason,
        marks_complete=marks_complete,
    )
