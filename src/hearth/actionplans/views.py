"""Agency action plans, their quarterly updates and sign-off, the heatmap and the Impact Framework.

No child's record is shown here. Every agency's plan is visible to everyone who may view plans
(the strategy relies on peer scrutiny between agencies); changing one is for its own agency.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import Role
from hearth.actionplans import actions, reporting
from hearth.actionplans.forms import (
    ActionPlanForm,
    AgencyActionForm,
    EvidenceForm,
    ObjectiveForm,
    SignOffForm,
    UpdateForm,
)
from hearth.actionplans.models import (
    OBJECTIVE_ORDER,
    ActionPlan,
    ActionUpdate,
    AgencyAction,
    EvidenceSource,
    ImpactEvidence,
    StrategicObjective,
)
from hearth.actionplans.queries import current_updates, reports_in
from hearth.agencies.models import Agency
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear
from hearth.web.errors import apply_validation_error
from hearth.web.refusals import not_permitted


def _posted(request: HttpRequest) -> Any:
    """The submitted data, or None to show a fresh form (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _quarter_from(request: HttpRequest, default: Quarter) -> Quarter:
    try:
        return (
            Quarter.parse(request.GET.get("quarter", "")) if request.GET.get("quarter") else default
        )
    except ValueError:
        return default


def _recent_quarters(today: Any, count: int = 8) -> list[Quarter]:
    return Quarter.containing(today).trailing(count)


def plan_list(request: AuthenticatedRequest) -> HttpResponse:
    plans = list(ActionPlan.objects.select_related("agency").prefetch_related("objectives"))
    years: dict[str, list[ActionPlan]] = {}
    for plan in plans:
        years.setdefault(plan.plan_year, []).append(plan)
    return render(
        request,
        "actionplans/list.html",
        {
            "years": sorted(years.items(), reverse=True),
            "can_start": has_permission(request.user, Permission.UPDATE_ACTION_PLAN),
        },
    )


def add_plan(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    agencies = (
        Agency.objects.order_by("name")
        if user.role == Role.ADMINISTRATOR
        else Agency.objects.filter(pk__in=[user.agency_id] if user.agency_id else [])
    )
    form = ActionPlanForm(
        _posted(request),
        agencies=agencies,
        initial={
            "agency": user.agency_id,
            "plan_year": PlanYear.containing(timezone.localdate()).code,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(by=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error("agency", str(error))
        else:
            messages.success(request, f"The {plan.plan_year} action plan has been started.")
            return redirect("actionplans:detail", action_plan_id=plan.pk)
    return render(request, "actionplans/plan_form.html", {"form": form})


def _latest_updates(plan: ActionPlan) -> dict[int, ActionUpdate]:
    """Each action's current update for its most recent quarter."""
    latest: dict[int, ActionUpdate] = {}
    for update in current_updates().filter(action__objective__plan=plan):
        held = latest.get(update.action_id)
        if held is None or Quarter.parse(update.quarter) > Quarter.parse(held.quarter):
            latest[update.action_id] = update
    return latest


def detail(request: AuthenticatedRequest, action_plan_id: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.select_related("agency"), pk=action_plan_id)
    today = timezone.localdate()
    year = PlanYear.parse(plan.plan_year)
    latest = _latest_updates(plan)
    overdue: dict[int, list[str]] = {}
    for quarter in year.quarters:
        if quarter.start > today:
            break
        for item in reporting.overdue_updates(quarter, today=today):
            if item["plan_id"] == plan.pk:
                text = (
                    f"No update for {quarter.label}"
                    if item["reason"] == reporting.OverdueReason.NO_UPDATE
                    else "Past its due date"
                )
                if text not in overdue.setdefault(item["action_id"], []):
                    overdue[item["action_id"]].append(text)
    objectives = []
    ordered = sorted(
        plan.objectives.prefetch_related("actions"),
        key=lambda o: (OBJECTIVE_ORDER[o.strategic_objective], o.pk),
    )
    for objective in ordered:
        rows = [(a, latest.get(a.pk), overdue.get(a.pk, [])) for a in objective.actions.all()]
        objectives.append((objective, rows))
    sign_offs = []
    for quarter in year.quarters:
        if quarter.start > today:
            continue
        signed = actions.latest_sign_off(plan, quarter)
        current = signed is not None and signed.update_ids == actions.quarter_update_ids(
            plan, quarter
        )
        sign_offs.append((quarter, signed, current, quarter.end < today))
    return render(
        request,
        "actionplans/detail.html",
        {
            "plan": plan,
            "objectives": objectives,
            "sign_offs": sign_offs,
            "can_update": actions.can_update_plan(request.user, plan),
            "can_sign_off": actions.can_sign_off(request.user, plan),
        },
    )


def _plan_to_change(
    request: HttpRequest, action_plan_id: int
) -> tuple[ActionPlan, HttpResponse | None]:
    plan = get_object_or_404(ActionPlan.objects.select_related("agency"), pk=action_plan_id)
    if not actions.can_update_plan(request.user, plan):
        return plan, not_permitted(
            request,
            f"Only {plan.agency.name} can change its action plan.",
            obj=plan,
            object_type="action_plan",
        )
    return plan, None


def add_objective(request: AuthenticatedRequest, action_plan_id: int) -> HttpResponse:
    plan, refused = _plan_to_change(request, action_plan_id)
    if refused:
        return refused
    form = ObjectiveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_objective(by=request.user, plan=plan, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The objective has been added.")
            return redirect("actionplans:detail", action_plan_id=plan.pk)
    return render(request, "actionplans/objective_form.html", {"plan": plan, "form": form})


def add_action(request: AuthenticatedRequest, action_plan_id: int) -> HttpResponse:
    plan, refused = _plan_to_change(request, action_plan_id)
    if refused:
        return refused
    objectives = plan.objectives.all()
    if not objectives.exists():
        messages.error(request, "Add an objective first: every action comes under one.")
        return redirect("actionplans:add_objective", action_plan_id=plan.pk)
    initial = {"objective": request.GET.get("objective")} if request.GET.get("objective") else {}
    form = AgencyActionForm(_posted(request), objectives=objectives, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_action(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The action has been added.")
            return redirect("actionplans:detail", action_plan_id=plan.pk)
    return render(request, "actionplans/action_form.html", {"plan": plan, "form": form})


def _action_of(plan: ActionPlan, agency_action_id: int) -> AgencyAction:
    return get_object_or_404(
        AgencyAction.objects.select_related("objective__plan__agency"),
        pk=agency_action_id,
        objective__plan=plan,
    )


def action_detail(
    request: AuthenticatedRequest, action_plan_id: int, agency_action_id: int
) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.select_related("agency"), pk=action_plan_id)
    action = _action_of(plan, agency_action_id)
    updates = list(action.updates.select_related("supersedes").prefetch_related("superseded_by"))
    return render(
        request,
        "actionplans/action_detail.html",
        {
            "plan": plan,
            "action": action,
            "updates": updates,
            "can_update": actions.can_update_plan(request.user, plan),
        },
    )


def _reportable_quarters(action: AgencyAction, plan: ActionPlan) -> list[Quarter]:
    today = timezone.localdate()
    year = PlanYear.parse(plan.plan_year)
    quarters = [
        q for q in year.quarters if q.start <= today and q >= Quarter.parse(action.first_quarter)
    ]
    # Once complete, only the quarters up to completion can still be corrected.
    return [q for q in quarters if reports_in(action, q, year)] or quarters


def add_update(
    request: AuthenticatedRequest, action_plan_id: int, agency_action_id: int
) -> HttpResponse:
    plan, refused = _plan_to_change(request, action_plan_id)
    if refused:
        return refused
    action = _action_of(plan, agency_action_id)
    quarters = _reportable_quarters(action, plan)
    default = next(
        (q for q in reversed(quarters) if q.end < timezone.localdate()),
        quarters[-1] if quarters else None,
    )
    form = UpdateForm(
        _posted(request),
        quarters=quarters,
        initial={"quarter": request.GET.get("quarter") or (default.code if default else None)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_update(
                by=request.user, action=action, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The quarterly update has been recorded.")
            return redirect("actionplans:detail", action_plan_id=plan.pk)
    return render(
        request,
        "actionplans/update_form.html",
        {"plan": plan, "action": action, "form": form, "has_quarters": bool(quarters)},
    )


def sign_off(request: AuthenticatedRequest, action_plan_id: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.select_related("agency"), pk=action_plan_id)
    if not actions.can_sign_off(request.user, plan):
        return not_permitted(
            request,
            f"Only {plan.agency.name}'s own lead can sign off its action plan.",
            obj=plan,
            object_type="action_plan",
        )
    today = timezone.localdate()
    quarters = [q for q in PlanYear.parse(plan.plan_year).quarters if q.start <= today]
    default = next((q for q in reversed(quarters) if q.end < today), None)
    form = SignOffForm(
        _posted(request),
        quarters=quarters,
        initial={"quarter": request.GET.get("quarter") or (default.code if default else None)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            signed = actions.sign_off(
                by=request.user, plan=plan, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"You have signed off {Quarter.parse(signed.quarter).label}.")
            return redirect("actionplans:detail", action_plan_id=plan.pk)
    return render(request, "actionplans/sign_off.html", {"plan": plan, "form": form})


def summary(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    quarter = _quarter_from(request, Quarter.last_complete(today))
    rows = reporting.heatmap(quarter, today=today)
    return render(
        request,
        "actionplans/summary.html",
        {
            "quarter": quarter,
            "previous": quarter.previous(),
            "quarters": list(reversed(_recent_quarters(today))),
            "objectives": StrategicObjective.choices,
            "rows": rows,
            "overdue": reporting.overdue_updates(quarter, today=today),
            "counts": reporting.rag_counts(quarter),
            "symbols": reporting.MOVEMENT_SYMBOLS,
        },
    )


def impact(request: AuthenticatedRequest) -> HttpResponse:
    quarter = None
    if request.GET.get("quarter"):
        quarter = _quarter_from(request, Quarter.last_complete(timezone.localdate()))
    evidence = ImpactEvidence.objects.prefetch_related(
        "updates__action__objective__plan__agency"
    ).order_by("-quarter", "-recorded_at")
    if quarter is not None:
        evidence = evidence.filter(quarter=quarter.code)
    grouped: dict[tuple[str, str], list[ImpactEvidence]] = {}
    for item in evidence:
        grouped.setdefault((item.strategic_objective, item.source), []).append(item)
    sections = [
        (
            objective,
            [
                (source, grouped.get((objective.value, source.value), []))
                for source in EvidenceSource
            ],
        )
        for objective in StrategicObjective
    ]
    return render(
        request,
        "actionplans/impact.html",
        {
            "sections": sections,
            "quarter": quarter,
            "quarters": list(reversed(_recent_quarters(timezone.localdate()))),
        },
    )


def add_evidence(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    try:
        quarter = Quarter.parse(source["quarter"]) if source.get("quarter") else None
    except ValueError:
        quarter = None
    quarter = quarter or Quarter.last_complete(today)
    updates = (
        current_updates()
        .filter(quarter=quarter.code)
        .select_related("action__objective__plan__agency")
        .order_by("action__objective__plan__agency__name", "action__objective__strategic_objective")
    )
    form = EvidenceForm(_posted(request), updates=updates, initial={"quarter": quarter.code})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["quarter"] = quarter.code
        try:
            actions.record_evidence(by=request.user, request=request, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The evidence has been added to the Impact Framework.")
            return redirect("actionplans:impact")
    return render(
        request,
        "actionplans/evidence_form.html",
        {
            "form": form,
            "quarter": quarter,
            "quarters": list(reversed(_recent_quarters(today))),
        },
    )
