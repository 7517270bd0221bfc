"""A child's plan: its SMART actions with the plan check, and its reviews."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hearth.access.helpers import RecordNotAvailable, get_person_for_user, record_read
from hearth.access.permissions import Permission, has_permission
from hearth.audit.models import AuditAction
from hearth.episodes.models import PLAN_KINDS, Episode
from hearth.people.households import family_of
from hearth.people.models import Person
from hearth.plans import actions
from hearth.plans.forms import PlanActionForm, PlanReviewForm
from hearth.plans.models import PlanAction
from hearth.plans.smart import check_plan_action
from hearth.toolkit.models import ResponseStatus, ToolResponse
from hearth.web.errors import apply_validation_error


def _plan_for(person: Person, plan_id: int) -> Episode:
    plan = Episode.objects.filter(pk=plan_id, child=person, kind__in=PLAN_KINDS).first()
    if plan is None:
        raise RecordNotAvailable(person.pk, f"plan {plan_id} is not this child's")
    return plan


def detail(request: HttpRequest, person_id: int, plan_id: int) -> HttpResponse:
    person = get_person_for_user(
        request, person_id, audit_action=AuditAction.VIEW_PLAN, details={"plan_id": plan_id}
    )
    plan = _plan_for(person, plan_id)
    plan_actions = list(plan.actions.select_related("agency", "who_person", "plan"))
    rows = [(a, check_plan_action(a)) for a in plan_actions]
    so_whats = list(
        ToolResponse.objects.filter(
            subject_links__person=person,
            status=ResponseStatus.COMPLETED,
            tool__code="so-what",
            completed_at__date__gte=plan.start_date,
        )
        .exclude(plan_actions__plan=plan)
        .order_by("-completed_at")
    )
    can_manage = has_permission(request.user, Permission.MANAGE_PLANS) and actions.can_manage_plan(
        request.user, plan
    )
    return render(
        request,
        "plans/detail.html",
        {
            "person": person,
            "plan": plan,
            "rows": rows,
            "not_smart": sum(1 for _, problems in rows if problems),
            "reviews": list(plan.reviews.all()),
            "can_manage": can_manage,
            "so_whats": so_whats if can_manage else [],
        },
    )


def _managed_plan(request: HttpRequest, person_id: int, plan_id: int) -> tuple[Person, Episode]:
    person = get_person_for_user(
        request, person_id, permission=Permission.MANAGE_PLANS, audit_action=None
    )
    plan = _plan_for(person, plan_id)
    if not actions.can_manage_plan(request.user, plan):
        raise RecordNotAvailable(person.pk, "only the plan's lead agency changes the plan")
    return person, plan


def edit_action(
    request: HttpRequest, person_id: int, plan_id: int, action_id: int | None = None
) -> HttpResponse:
    person, plan = _managed_plan(request, person_id, plan_id)
    action = None
    if action_id is not None:
        action = PlanAction.objects.filter(pk=action_id, plan=plan).first()
        if action is None:
            raise RecordNotAvailable(person.pk, f"plan action {action_id} is not on this plan")
    carers = [(m.person.pk, m.person.full_name) for m in family_of(person).adults]
    initial = (
        {
            f: getattr(action, f"{f}_id" if f in ("who_person", "agency") else f)
            for f in actions.ACTION_FIELDS
        }
        if action
        else {"agency": request.user.agency_id}  # type: ignore[union-attr]
    )
    form = PlanActionForm(request.POST or None, carers=carers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["who_person"] = (
            Person.objects.filter(pk=data["who_person"]).first() if data["who_person"] else None
        )
        try:
            actions.save_action(by=request.user, plan=plan, action=action, request=request, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The plan action has been saved.")
            return redirect("plans:detail", person_id=person.pk, plan_id=plan.pk)
    record_read(request, person, details={"form": "plan_action", "plan_id": plan.pk})
    return render(
        request,
        "plans/action_form.html",
        {"person": person, "plan": plan, "form": form, "action": action},
    )


def add_review(request: HttpRequest, person_id: int, plan_id: int) -> HttpResponse:
    person, plan = _managed_plan(request, person_id, plan_id)
    form = PlanReviewForm(request.POST or None, initial={"category": plan.latest_category or None})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_review(by=request.user, plan=plan, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The review has been recorded and added to the chronology.")
            return redirect("plans:detail", person_id=person.pk, plan_id=plan.pk)
    record_read(request, person, details={"form": "plan_review", "plan_id": plan.pk})
    return render(request, "plans/review_form.html", {"person": person, "plan": plan, "form": form})


def add_next_steps(request: HttpRequest, person_id: int, plan_id: int) -> HttpResponse:
    """POST: add a completed "So what? Next steps" analysis's actions to this plan."""
    person, plan = _managed_plan(request, person_id, plan_id)
    if request.method != "POST":
        return redirect("plans:detail", person_id=person.pk, plan_id=plan.pk)
    response = ToolResponse.objects.filter(
        pk=request.POST.get("response", 0),
        subject_links__person=person,
        status=ResponseStatus.COMPLETED,
        tool__code="so-what",
    ).first()
    if response is None:
        raise RecordNotAvailable(person.pk, "no such completed next-steps analysis")
    try:
        created = actions.next_steps_to_plan(
            by=request.user, plan=plan, response=response, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"{len(created)} next steps added to the plan. Check each one below."
        )
    return redirect("plans:detail", person_id=person.pk, plan_id=plan.pk)
