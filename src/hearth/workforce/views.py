"""Training sessions, attendance and confidence, and the reach against each agency's target."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import Role, User
from hearth.agencies.models import Agency
from hearth.lib.http import AuthenticatedRequest
from hearth.lib.plan_years import PlanYear
from hearth.web.errors import apply_validation_error
from hearth.web.refusals import not_permitted
from hearth.workforce import actions, reporting
from hearth.workforce.forms import AttendanceForm, SessionForm, TargetForm
from hearth.workforce.models import ConfidenceItem, TrainingSession, TrainingTarget


def _posted(request: HttpRequest) -> Any:
    """The submitted data, or None to show a fresh form (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _plan_year(request: AuthenticatedRequest) -> PlanYear:
    try:
        return PlanYear.parse(request.GET["plan_year"])
    except (KeyError, ValueError):
        return PlanYear.containing(timezone.localdate())


def _range(year: PlanYear) -> tuple[date, date]:
    return year.start, min(year.end, max(year.start, timezone.localdate()))


def index(request: AuthenticatedRequest) -> HttpResponse:
    year = _plan_year(request)
    start, end = _range(year)
    sessions = (
        TrainingSession.objects.filter(held_on__gte=year.start, held_on__lte=year.end)
        .select_related("agency")
        .annotate(attended=Count("attendances"))
        .order_by("-held_on", "title")  # Meta.ordering does not apply to an aggregate query
    )
    return render(
        request,
        "workforce/index.html",
        {
            "year": year,
            "start": start,
            "end": end,
            "years": [PlanYear(year.first_year - 1), PlanYear(year.first_year + 1)],
            "sessions": sessions,
            "reach": reporting.practitioners_trained(start, end),
            "confidence": reporting.confidence_change(start, end),
            "can_record": has_permission(request.user, Permission.RECORD_TRAINING),
        },
    )


def _agencies_for(user: User) -> QuerySet[Agency]:
    """The agencies whose training this user records: any for the administrator, else their own."""
    if user.role == Role.ADMINISTRATOR:
        return Agency.objects.order_by("name")
    return Agency.objects.filter(pk__in=[user.agency_id] if user.agency_id else [])


def add_session(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    is_admin = user.role == Role.ADMINISTRATOR
    form = SessionForm(
        _posted(request),
        agencies=_agencies_for(user),
        partnership=is_admin,
        initial={} if is_admin else {"agency": user.agency_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.record_session(by=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error("agency", str(error))
        else:
            messages.success(request, "The session has been recorded. Now add who attended.")
            return redirect("workforce:session", session_id=session.pk)
    return render(request, "workforce/session_form.html", {"form": form})


def session(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    held = get_object_or_404(TrainingSession.objects.select_related("agency"), pk=session_id)
    attendances = list(held.attendances.select_related("agency"))
    rows = [
        (
            a,
            [
                (getattr(a, f"{item.value}_before"), getattr(a, f"{item.value}_after"))
                for item in ConfidenceItem
            ],
        )
        for a in attendances
    ]
    return render(
        request,
        "workforce/session.html",
        {
            "session": held,
            "rows": rows,
            "items": ConfidenceItem.choices,
            "confidence": reporting.confidence_change(held.held_on, held.held_on)
            if attendances
            else [],
            "can_record": has_permission(request.user, Permission.RECORD_TRAINING),
        },
    )


def add_attendance(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    held = get_object_or_404(TrainingSession.objects.select_related("agency"), pk=session_id)
    user = request.user
    agencies = _agencies_for(user)
    users = (
        User.objects.filter(is_active=True, agency__in=agencies)
        .select_related("agency")
        .order_by("last_name", "first_name")
    )
    form = AttendanceForm(_posted(request), users=users, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_attendance(
                by=user,
                session=held,
                user=data["user"],
                name=data["name"],
                agency=data["agency"],
                confidence=form.confidence(),
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error("agency", str(error))
        else:
            messages.success(request, "The attendance has been recorded.")
            if "another" in request.POST:
                return redirect("workforce:add_attendance", session_id=held.pk)
            return redirect("workforce:session", session_id=held.pk)
    return render(request, "workforce/attendance_form.html", {"session": held, "form": form})


def targets(request: AuthenticatedRequest) -> HttpResponse:
    year = _plan_year(request)
    can_set = actions.can_set_targets(request.user)
    form = TargetForm(_posted(request), initial={"plan_year": year.code})
    if request.method == "POST":
        if not can_set:
            return not_permitted(
                request, "Training targets are set by the partnership's administrator."
            )
        if form.is_valid():
            try:
                target = actions.set_target(by=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    f"{target.agency.name}'s target for {target.plan_year} is "
                    f"{target.practitioners} practitioners.",
                )
                return redirect(f"{request.path}?plan_year={target.plan_year}")
    return render(
        request,
        "workforce/targets.html",
        {
            "year": year,
            "targets": TrainingTarget.objects.filter(plan_year=year.code).select_related("agency"),
            "form": form if can_set else None,
        },
    )
