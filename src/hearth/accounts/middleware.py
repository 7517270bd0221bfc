"""Session idle timeout and the multi-factor sign-in requirement."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

MFA_EXEMPT_PREFIXES = ("accounts:",)


class SessionIdleTimeoutMiddleware:
    """Sign out a user who has done nothing for SESSION_IDLE_TIMEOUT_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get("last_activity")
            if last is not None and now - float(last) > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                messages.info(
                    request, "You were signed out because you had been inactive. Sign in again."
                )
                return redirect_to_login(request.get_full_path())
            request.session["last_activity"] = now
        return self.get_response(request)


class RequireMFAMiddleware:
    """Outside demo mode, a signed-in user must pass a TOTP check before seeing anything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        if not settings.HEARTH_REQUIRE_MFA or not request.user.is_authenticated:
            return None
        if getattr(request, "api_credential", None) is not None:
            return None  # a partner system's token is its own strong credential; no TOTP

        if request.user.is_verified():  # type: ignore[attr-defined]
            return None
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name.startswith(MFA_EXEMPT_PREFIXES) or name == "web:health":
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Complete multi-factor sign-in first."}, status=403)
        from django_otp import devices_for_user

        if any(True for _ in devices_for_user(request.user, confirmed=True)):
            target = "accounts:mfa_verify"
        else:
            target = "accounts:mfa_setup"
        # Keep where the user was going, so a link to a record survives signing in.
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
