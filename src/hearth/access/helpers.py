"""Fetch-and-check for a person's record, in one call, audited.

Records that do not exist and records the user may not see are refused identically, so the
refusal reveals nothing. The refusal is raised as `RecordNotAvailable` and turned into a 404 page
(offering break-glass) by `RecordRefusalMiddleware`, which audits it after the request's
transaction has been rolled back.
"""

from typing import Any

from django.http import HttpRequest

from hearth.access.permissions import Permission, role_has_permission
from hearth.access.scoping import relationship_basis
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.people.models import Person


class RecordNotAvailable(Exception):
    def __init__(self, person_id: int | None, reason: str) -> None:
        super().__init__(reason)
        self.person_id = person_id
        self.reason = reason


def get_person_for_user(
    request: HttpRequest,
    person_id: int,
    *,
    permission: Permission = Permission.VIEW_RECORDS,
    audit_action: AuditAction | None = AuditAction.VIEW_PERSON,
    details: dict[str, Any] | None = None,
) -> Person:
    user = request.user
    if not role_has_permission(getattr(user, "role", ""), permission):
        raise RecordNotAvailable(person_id, f"role lacks {permission}")
    # An id beyond the database's integers is no record, not a server error.
    person = Person.objects.filter(pk=person_id).first() if 0 < person_id < 2**63 else None
    if person is None:
        raise RecordNotAvailable(person_id, "no such record")
    basis = relationship_basis(user, person)
    if basis is None:
        raise RecordNotAvailable(person_id, "no legitimate relationship")
    person.access_basis = basis  # type: ignore[attr-defined]
    if audit_action is not None:
        record_read(request, person, action=audit_action, details=details)
    return person


def record_read(
    request: HttpRequest,
    person: Person,
    *,
    action: AuditAction = AuditAction.VIEW_PERSON,
    details: dict[str, Any] | None = None,
) -> None:
    """Audit a read of a person already fetched by `get_person_for_user` (e.g. a form shown again)."""
    record(
        action=action,
        by=request.user,
        request=request,
        person_id=person.pk,
        object_type="person",
        object_id=person.pk,
        details={"basis": getattr(person, "access_basis", ""), **(details or {})},
    )
