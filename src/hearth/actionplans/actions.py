"""Writing action plans, quarterly updates, sign-offs and Impact Framework evidence.

Each action checks who may do it (an agency changes only its own plan; the administrator any
agency's; only the agency's lead signs off), validates, writes, and records its audit row in the
same transaction.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import Role
from hearth.actionplans.models import (
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    AgencyAction,
    EvidenceLink,
    EvidenceSource,
    ImpactEvidence,
    PlanObjective,
    Rag,
    SignOff,
    StrategicObjective,
)
from hearth.actionplans.queries import actions_for_quarter, current_update_for, current_updates
from hearth.agencies.models import Agency
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear
from hearth.partnership.indicators import LIBRARY


def can_update_plan(user: Any, plan: ActionPlan) -> bool:
    """Agency leads and team managers change their own agency's plan; the administrator any."""
    if not has_permission(user, Permission.UPDATE_ACTION_PLAN):
        return False
    return user.role == Role.ADMINISTRATOR or user.agency_id == plan.agency_id


def can_create_plan_for(user: Any, agency: Agency) -> bool:
    if not has_permission(user, Permission.UPDATE_ACTION_PLAN):
        return False
    return user.role == Role.ADMINISTRATOR or user.agency_id == agency.pk


def can_sign_off(user: Any, plan: ActionPlan) -> bool:
    """Only the agency's own lead signs off its plan: the administrator cannot sign for them."""
    return (
        has_permission(user, Permission.SIGN_OFF_ACTION_PLAN) and user.agency_id == plan.agency_id
    )


def _audit(
    action: AuditAction, by: Any, plan: ActionPlan, request: HttpRequest | None, **details: Any
) -> None:
    record(
        action=action,
        by=by,
        request=request,
        object_type="action_plan",
        object_id=plan.pk,
        details={"agency": plan.agency.code, "plan_year": plan.plan_year, **details},
    )


def _quarter(text: str, field: str = "quarter") -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError as error:
        raise ValidationError({field: str(error)}) from None


@transaction.atomic
def create_plan(
    *,
    by: Any,
    agency: Agency,
    plan_year: str,
    title: str = "",
    request: HttpRequest | None = None,
) -> ActionPlan:
    if not can_create_plan_for(by, agency):
        raise PermissionDenied("You can start an action plan only for your own agency.")
    try:
        year = PlanYear.parse(plan_year)
    except ValueError as error:
        raise ValidationError({"plan_year": str(error)}) from None
    if ActionPlan.objects.filter(agency=agency, plan_year=year.code).exists():
        raise ValidationError(
            {"plan_year": f"{agency.name} already has an action plan for {year.code}."}
        )
    plan = ActionPlan.objects.create(
        agency=agency,
        plan_year=year.code,
        title=title.strip(),
        created_at=timezone.now(),
        created_by=by,
    )
    _audit(AuditAction.CREATE_ACTION_PLAN, by, plan, request)
    return plan


@transaction.atomic
def add_objective(
    *,
    by: Any,
    plan: ActionPlan,
    strategic_objective: str,
    description: str,
    request: HttpRequest | None = None,
) -> PlanObjective:
    if not can_update_plan(by, plan):
        raise PermissionDenied("You can change only your own agency's action plan.")
    errors = {}
    if strategic_objective not in StrategicObjective.values:
        errors["strategic_objective"] = "Choose the strategic objective this comes under."
    if not description.strip():
        errors["description"] = "Describe what the agency means to achieve."
    if errors:
        raise ValidationError(errors)
    objective = PlanObjective.objects.create(
        plan=plan,
        strategic_objective=strategic_objective,
        description=description.strip(),
        created_at=timezone.now(),
        created_by=by,
    )
    _audit(AuditAction.RECORD_PLAN_OBJECTIVE, by, plan, request, objective=objective.pk)
    return objective


@transaction.atomic
def add_action(
    *,
    by: Any,
    objective: PlanObjective,
    description: str,
    owner: str,
    due_date: date,
    measure_of_impact: str,
    first_quarter: str | None = None,
    request: HttpRequest | None = None,
    today: date | None = None,
) -> AgencyAction:
    """An action under an objective. Updates are due from `first_quarter` (by default this
    quarter, or the plan year's first quarter if the year has not started)."""
    plan = objective.plan
    if not can_update_plan(by, plan):
        raise PermissionDenied("You can change only your own agency's action plan.")
    year = PlanYear.parse(plan.plan_year)
    errors: dict[str, str] = {}
    for name, value, message in (
        ("description", description, "Say what will be done."),
        ("owner", owner, "Name the person or role who owns this action."),
        ("measure_of_impact", measure_of_impact, "Say how you will know it made a difference."),
    ):
        if not value.strip():
            errors[name] = message
    if first_quarter:
        first = _quarter(first_quarter, "first_quarter")
    else:
        now = Quarter.containing(today or timezone.localdate())
        first = min(max(now, year.quarters[0]), year.quarters[-1])
    if not year.contains(first):
        errors["first_quarter"] = (
            f"The first quarter must be in the plan year {year.code} "
            f"({year.quarters[0].label} to {year.quarters[-1].label})."
        )
    if errors:
        raise ValidationError(errors)
    action = AgencyAction.objects.create(
        objective=objective,
        description=description.strip(),
        owner=owner.strip(),
        due_date=due_date,
        measure_of_impact=measure_of_impact.strip(),
        first_quarter=first.code,
        created_at=timezone.now(),
        created_by=by,
    )
    _audit(AuditAction.RECORD_AGENCY_ACTION, by, plan, request, agency_action=action.pk)
    return action


def _refresh_status(action: AgencyAction) -> None:
    """Complete exactly when a current update marks it so, as of the earliest such quarter."""
    completing = sorted(
        current_updates()
        .filter(action=action, marks_complete=True)
        .values_list("quarter", flat=True),
        key=Quarter.parse,
    )
    action.status = ActionStatus.COMPLETE if completing else ActionStatus.OPEN
    action.completed_quarter = completing[0] if completing else ""
    action.save(update_fields=["status", "completed_quarter"])


@transaction.atomic
def record_update(
    *,
    by: Any,
    action: AgencyAction,
    quarter: str,
    rag: str,
    narrative: str,
    evidence: str = "",
    marks_complete: bool = False,
    correction_reason: str = "",
    request: HttpRequest | None = None,
    today: date | None = None,
) -> ActionUpdate:
    """The quarter's update on an action. A second update for the same quarter is a correction:
    it needs a reason, supersedes the current one, and both are kept."""
    # Lock the action so two corrections of one quarter cannot both supersede the same update.
    action = (
        AgencyAction.objects.select_for_update()
        .select_related("objective__plan__agency")
        .get(pk=action.pk)
    )
    plan = action.objective.plan
    if not can_update_plan(by, plan):
        raise PermissionDenied("You can update only your own agency's action plan.")
    q = _quarter(quarter)
    year = PlanYear.parse(plan.plan_year)
    errors: dict[str, str] = {}
    if not year.contains(q):
        errors["quarter"] = (
            f"This plan is for {year.code}: choose a quarter from "
            f"{year.quarters[0].label} to {year.quarters[-1].label}."
        )
    elif q < Quarter.parse(action.first_quarter):
        errors["quarter"] = (
            f"Updates on this action start in {Quarter.parse(action.first_quarter).label}."
        )
    elif q.start > (today or timezone.localdate()):
        errors["quarter"] = f"{q.label} has not started yet."
    if rag not in Rag.values:
        errors["rag"] = "Choose a RAG rating: red, amber or green."
    if not narrative.strip():
        errors["narrative"] = "Describe the progress made this quarter and its impact."
    previous = current_update_for(action, q)
    if previous is not None and not correction_reason.strip():
        errors["correction_reason"] = (
            f"This action already has an update for {q.label}. "
            "Say why you are correcting it; the earlier update is kept."
        )
    if (
        "quarter" not in errors
        and action.status == ActionStatus.COMPLETE
        and action.completed_quarter
        and q > Quarter.parse(action.completed_quarter)
    ):
        errors["quarter"] = (
            f"This action was completed in {Quarter.parse(action.completed_quarter).label}: "
            "no later updates are due."
        )
    if errors:
        raise ValidationError(errors)
    update = ActionUpdate.objects.create(
        action=action,
        quarter=q.code,
        rag=rag,
        narrative=narrative.strip(),
        evidence=evidence.strip(),
        marks_complete=marks_complete,
        supersedes=previous,
        correction_reason=correction_reason.strip() if previous else "",
        recorded_at=timezone.now(),
        recorded_by=by,
        recorded_by_name=getattr(by, "display_name", ""),
    )
    _refresh_status(action)
    _audit(
        AuditAction.RECORD_RAG_UPDATE,
        by,
        plan,
        request,
        agency_action=action.pk,
        update=update.pk,
        quarter=q.code,
        rag=rag,
        supersedes=previous.pk if previous else None,
    )
    return update


def latest_sign_off(plan: ActionPlan, quarter: Quarter) -> SignOff | None:
    return plan.sign_offs.filter(quarter=quarter.code).order_by("-signed_at", "-pk").first()


def quarter_update_ids(plan: ActionPlan, quarter: Quarter) -> list[int]:
    return sorted(
        current_updates()
        .filter(action__objective__plan=plan, quarter=quarter.code)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def sign_off(
    *,
    by: Any,
    plan: ActionPlan,
    quarter: str,
    comment: str = "",
    request: HttpRequest | None = None,
    today: date | None = None,
) -> SignOff:
    """The agency lead signs off the quarter's return: every action due an update has one."""
    if not can_sign_off(by, plan):
        raise PermissionDenied("Only your agency's lead can sign off its action plan.")
    q = _quarter(quarter)
    year = PlanYear.parse(plan.plan_year)
    if not year.contains(q):
        raise ValidationError({"quarter": f"This plan is for {year.code}."})
    if q.start > (today or timezone.localdate()):
        raise ValidationError({"quarter": f"{q.label} has not started yet."})
    due = actions_for_quarter(q, agency_ids=[plan.agency_id])
    due = [a for a in due if a.objective.plan_id == plan.pk]
    if not due:
        raise ValidationError(
            {"quarter": f"No actions in this plan are due an update for {q.label}."}
        )
    updated = set(
        current_updates().filter(action__in=due, quarter=q.code).values_list("action_id", flat=True)
    )
    missing = [a for a in due if a.pk not in updated]
    if missing:
        raise ValidationError(
            {
                "quarter": f"{len(missing)} action{'s' if len(missing) != 1 else ''} "
                f"{'have' if len(missing) != 1 else 'has'} no update for {q.label}: "
                "add the updates before signing off."
            }
        )
    ids = quarter_update_ids(plan, q)
    previous = latest_sign_off(plan, q)
    if previous is not None and previous.update_ids == ids:
        raise ValidationError(
            {
                "quarter": f"{q.label} was signed off by {previous.signed_by_name} on "
                f"{timezone.localtime(previous.signed_at):%-d %B %Y}, and no update has changed since."
            }
        )
    signed = SignOff.objects.create(
        plan=plan,
        quarter=q.code,
        comment=comment.strip(),
        signed_at=timezone.now(),
        signed_by=by,
        signed_by_name=getattr(by, "display_name", ""),
        signed_by_job_title=getattr(by, "job_title", ""),
        update_ids=ids,
    )
    _audit(AuditAction.SIGN_OFF_ACTION_PLAN, by, plan, request, quarter=q.code, sign_off=signed.pk)
    return signed


def clean_indicator_codes(codes: Iterable[str]) -> list[str]:
    """Indicator codes as the dataset writes them (such as `cp_neglect_share_latest`), once each,
    and only codes the dataset has, so every link from the evidence leads to a figure."""
    cleaned: list[str] = []
    for code in codes:
        code = code.strip().lower()
        if not code:
            continue
        try:
            validate_slug(code)
        except ValidationError:
            raise ValidationError(
                {
                    "indicator_codes": f"{code!r} is not an indicator code: use letters, "
                    "numbers, hyphens and underscores, like cp_neglect_share_latest."
                }
            ) from None
        if code not in LIBRARY:
            raise ValidationError(
                {
                    "indicator_codes": f"{code!r} is not one of the dataset's indicators: see "
                    "'How each indicator is defined' on the dataset page for their codes."
                }
            )
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


@transaction.atomic
def record_evidence(
    *,
    by: Any,
    strategic_objective: str,
    source: str,
    quarter: str,
    summary: str,
    indicator_codes: Iterable[str] = (),
    updates: Iterable[ActionUpdate] = (),
    request: HttpRequest | None = None,
) -> ImpactEvidence:
    """Evidence of impact for the Impact Framework, linked to the indicators and updates behind it."""
    if not has_permission(by, Permission.RECORD_IMPACT_EVIDENCE):
        raise PermissionDenied("Your role cannot record Impact Framework evidence.")
    errors: dict[str, str] = {}
    if strategic_objective not in StrategicObjective.values:
        errors["strategic_objective"] = "Choose the strategic objective this is evidence for."
    if source not in EvidenceSource.values:
        errors["source"] = "Choose where this evidence comes from."
    if not summary.strip():
        errors["summary"] = "Summarise what the evidence shows."
    q = _quarter(quarter)
    updates = list(updates)
    later = [u for u in updates if Quarter.parse(u.quarter) > q]
    if later:
        errors["updates"] = f"Evidence for {q.label} cannot draw on updates for later quarters."
    if errors:
        raise ValidationError(errors)
    codes = clean_indicator_codes(indicator_codes)
    evidence = ImpactEvidence.objects.create(
        strategic_objective=strategic_objective,
        source=source,
        quarter=q.code,
        summary=summary.strip(),
        indicator_codes=codes,
        recorded_at=timezone.now(),
        recorded_by=by,
        recorded_by_name=getattr(by, "display_name", ""),
    )
    EvidenceLink.objects.bulk_create(
        [EvidenceLink(evidence=evidence, update=u) for u in {u.pk: u for u in updates}.values()]
    )
    record(
        action=AuditAction.RECORD_IMPACT_EVIDENCE,
        by=by,
        request=request,
        object_type="impact_evidence",
        object_id=evidence.pk,
        details={
            "quarter": q.code,
            "objective": strategic_objective,
            "source": source,
            "indicator_codes": codes,
            "updates": sorted(u.pk for u in updates),
        },
    )
    return evidence
