"""Break-glass access and its review queue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from hearth.access import actions
from hearth.access.forms import BreakGlassForm, ReviewForm
from hearth.access.models import GrantStatus
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.http import AuthenticatedRequest


def break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = actions.break_glass(
                by=request.user, person_id=person_id, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field, errs)
        else:
            if grant is None:
                return render(
                    request,
                    "access/refused.html",
                    {"person_id": None, "no_record": True},
                    status=404,
                )
            messages.info(
                request,
                f"You have access to this record until {grant.expires_at:%H:%M}. "
                "Your reason has been sent for review.",
            )
            return redirect("people:detail", person_id=person_id)
    return render(request, "access/break_glass.html", {"form": form, "person_id": person_id})


def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    grants = actions.reviewable_grants(request.user).select_related(
        "user", "user__agency", "person", "lead_agency"
    )
    awaiting = list(grants.filter(status=GrantStatus.AWAITING_REVIEW).order_by("granted_at"))
    closed = list(grants.exclude(status=GrantStatus.AWAITING_REVIEW).order_by("-reviewed_at")[:50])
    record(
        action=AuditAction.VIEW_LIST,
        by=request.user,
        request=request,
        details={
            "list": "break_glass_queue",
            "person_ids": sorted({g.person_id for g in awaiting + closed}),
        },
    )
    return render(request, "access/review_queue.html", {"awaiting": awaiting, "closed": closed})


def review(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = get_object_or_404(
        actions.reviewable_grants(request.user).select_related("user", "person"), pk=grant_id
    )
    if not actions.can_review(request.user, grant):
        messages.error(request, "You cannot review your own break-glass access.")
        return redirect("access:review_queue")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_grant(by=request.user, grant=grant, request=request, **form.cleaned_data)
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field, errs)
        else:
            messages.success(request, "The break-glass access has been reviewed and closed.")
            return redirect("access:review_queue")
    elif request.method == "GET":
        record(
            action=AuditAction.VIEW_LIST,
            by=request.user,
            request=request,
            person_id=grant.person_id,
            object_type="break_glass_grant",
            object_id=grant.pk,
            details={"list": "break_glass_review"},
        )
    return render(request, "access/review.html", {"grant": grant, "form": form})
