"""Enforce the URL policy table, and turn record refusals into one indistinguishable 404."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from hearth.access.helpers import RecordNotAvailable
from hearth.access.permissions import role_has_permission
from hearth.access.policy import POLICIES
from hearth.audit.actions import record
from hearth.audit.models import AuditAction


def _refuse(request: HttpRequest, *, reason: str, person_id: int | None = None) -> HttpResponse:
    if person_id is not None and not 0 <= person_id < 2**63:
        # No record can have such an id; the audit keeps what was asked for in its reason.
        reason, person_id = f"{reason} (asked for id {person_id})", 0
    # The request's own transaction has been rolled back; the refusal is committed on its own.
    with transaction.atomic():
        record(
            action=AuditAction.DENIED,
            by=request.user,
            request=request,
            person_id=person_id,
            object_type="person" if person_id is not None else "url",
            object_id=person_id
            if person_id is not None
            else (request.resolver_match.view_name if request.resolver_match else ""),
            reason=reason,
        )
    status = 404 if person_id is not None else 403
    if is_api(request):
        return JsonResponse(
            {"detail": "Not found." if person_id is not None else "You do not have permission."},
            status=status,
        )
    return render(request, "access/refused.html", {"person_id": person_id}, status=status)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class URLPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        policy = POLICIES.get(name)
        if policy is None:
            return _refuse(request, reason=f"URL {name!r} has no access policy")
        if policy.public:
            return None
        if not request.user.is_authenticated:
            if is_api(request):
                return JsonResponse({"detail": "Sign in first."}, status=401)
            return redirect_to_login(request.get_full_path())
        if policy.permission is not None and not role_has_permission(
            request.user.role, policy.permission
        ):
            person_id = view_kwargs.get("person_id")
            return _refuse(
                request,
                reason=f"role {request.user.role} lacks {policy.permission}",
                person_id=person_id,
            )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RecordNotAvailable):
            return _refuse(request, reason=exception.reason, person_id=exception.person_id)
        return None
