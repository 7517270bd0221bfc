"""Partner systems sign in with a bearer token instead of a session.

Placed after the session and MFA middleware and before the URL policy, so a token request is
held to the same URL table, role and record-level checks as a practitioner of its agency.
"""

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from hearth.api.credentials import authenticate
from hearth.audit.actions import record
from hearth.audit.models import AuditAction


class ApiKeyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header:
            credential = authenticate(header)
            if credential is None:
                with transaction.atomic():
                    record(
                        action=AuditAction.DENIED,
                        request=request,
                        object_type="api_credential",
                        reason="an unknown, malformed or revoked API credential",
                    )
                return JsonResponse(
                    {"detail": "The API credential is not valid (unknown, malformed or revoked)."},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="hearth"'},
                )
            request.user = credential.user
            request.api_credential = credential  # type: ignore[attr-defined]
        return self.get_response(request)
