"""Audit every sign-in, sign-out and failed sign-in (Django's own auth signals)."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hearth.audit.actions import record
from hearth.audit.models import AuditAction


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(action=AuditAction.SIGN_IN, by=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(action=AuditAction.SIGN_OUT, by=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )
