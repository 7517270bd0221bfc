"""Writing audit rows. Callers run inside the transaction of the action they record."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from hearth.audit.models import AuditAction, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind TRUSTED_PROXY_HOPS proxies, the one they recorded in X-Forwarded-For."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def _fields(
    *,
    action: AuditAction,
    by: Any = None,
    request: HttpRequest | None = None,
    person_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    username: str = "",
) -> dict[str, Any]:
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    return dict(
        at=timezone.now(),
        action=action,
        actor_id=actor.pk if actor else None,
        actor_username=actor.username if actor else username[:150],
        actor_agency=(actor.agency.code if actor and actor.agency_id else ""),
        actor_role=(actor.role if actor else ""),
        person_id=person_id,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        reason=reason,
        details=details or {},
    )


def record(
    *,
    action: AuditAction,
    by: Any = None,
    request: HttpRequest | None = None,
    person_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        **_fields(
            action=action,
            by=by,
            request=request,
            person_id=person_id,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            details=details,
            username=username,
        )
    )


def event(
    *,
    action: AuditAction,
    by: Any = None,
    request: HttpRequest | None = None,
    person_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """An unsaved audit row, for an action that writes many at once in bulk."""
    return AuditEvent(
        **_fields(
            action=action,
            by=by,
            request=request,
            person_id=person_id,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            details=details,
            username=username,
        )
    )
