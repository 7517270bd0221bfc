"""The two questions information governance asks of the audit trail."""

from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from hearth.audit.models import AuditAction, AuditEvent

LIST_ACTIONS = (AuditAction.SEARCH, AuditAction.VIEW_LIST)


def who_has_seen(person_id: int, limit: int = 500) -> list[AuditEvent]:
    """Everyone who read, wrote, was refused or broke glass on this record, or was shown it in a list."""
    direct = list(AuditEvent.objects.filter(person_id=person_id).order_by("-at", "-id")[:limit])
    lists = AuditEvent.objects.filter(action__in=LIST_ACTIONS).exclude(person_id=person_id)
    if connection.vendor == "postgresql":
        listed = list(
            lists.filter(details__person_ids__contains=[person_id]).order_by("-at", "-id")[:limit]
        )
    else:  # SQLite has no JSON containment lookup; its deployments are small.
        listed = [
            e
            for e in lists.order_by("-at", "-id").iterator()
            if person_id in (e.details or {}).get("person_ids", [])
        ]
    return sorted(direct + listed, key=lambda e: (e.at, e.pk), reverse=True)[:limit]


def what_user_saw(user_id: int, start: datetime, end: datetime) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(actor_id=user_id, at__gte=start, at__lte=end).order_by(
        "at", "id"
    )
