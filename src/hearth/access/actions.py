"""Involvements (the network), and break-glass access with its two-person review."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from hearth.access.models import BreakGlassGrant, BreakGlassReason, GrantStatus, Involvement
from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import Role
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.people.households import current_q
from hearth.people.models import Person

# The break-glass review state machine: from which status to which, and who may move it.
GRANT_TRANSITIONS: dict[str, set[str]] = {
    GrantStatus.AWAITING_REVIEW: {GrantStatus.CLOSED_APPROPRIATE, GrantStatus.CLOSED_INAPPROPRIATE},
    GrantStatus.CLOSED_APPROPRIATE: set(),
    GrantStatus.CLOSED_INAPPROPRIATE: set(),
}


@transaction.atomic
def record_involvement(
    *,
    by: Any,
    person: Person,
    agency: Any,
    start_date: date,
    practitioner: Any = None,
    role_description: str = "",
    is_lead: bool = False,
    end_date: date | None = None,
    source_system: str = "",
    source_reference: str = "",
) -> Involvement:
    involvement = Involvement.objects.create(
        person=person,
        agency=agency,
        practitioner=practitioner,
        role_description=role_description,
        is_lead=is_lead,
        start_date=start_date,
        end_date=end_date,
        source_system=source_system,
        source_reference=source_reference,
    )
    record(
        action=AuditAction.RECORD_INVOLVEMENT,
        by=by,
        person_id=person.pk,
        object_type="involvement",
        object_id=involvement.pk,
    )
    return involvement


@transaction.atomic
def update_involvement(
    *, by: Any, involvement: Involvement, end_date: date | None, role_description: str
) -> Involvement:
    """The agency's own correction of its involvement: when it ended, and in what role."""
    if getattr(by, "agency_id", None) != involvement.agency_id:
        raise PermissionDenied("Only the agency involved changes its involvement.")
    before = {"end_date": str(involvement.end_date), "role": involvement.role_description}
    involvement.end_date = end_date
    involvement.role_description = role_description
    involvement.save(update_fields=["end_date", "role_description"])
    record(
        action=AuditAction.RECORD_INVOLVEMENT,
        by=by,
        person_id=involvement.person_id,
        object_type="involvement",
        object_id=involvement.pk,
        details={"before": before, "after": {"end_date": str(end_date), "role": role_description}},
    )
    return involvement


def lead_agency_for(person: Person) -> Any:
    lead = (
        Involvement.objects.filter(current_q(), person=person, is_lead=True)
        .select_related("agency")
        .first()
    )
    return lead.agency if lead else None


@transaction.atomic
def break_glass(
    *,
    by: Any,
    person_id: int,
    reason_category: str,
    justification: str,
    request: HttpRequest | None = None,
) -> BreakGlassGrant | None:
    """Grant time-limited access to one record; None (audited) when no such record exists."""
    if not has_permission(by, Permission.BREAK_GLASS):
        raise PermissionDenied("Your role cannot break glass.")
    errors = {}
    if reason_category not in BreakGlassReason.values:
        errors["reason_category"] = "Choose why you need to see this record."
    if len(justification.strip()) < 20:
        errors["justification"] = (
            "Explain in a sentence or two why you need to see this record now (20 characters at least)."
        )
    if errors:
        raise ValidationError(errors)
    person = Person.objects.filter(pk=person_id).first()
    now = timezone.now()
    record(
        action=AuditAction.BREAK_GLASS,
        by=by,
        request=request,
        person_id=person_id,
        object_type="person",
        object_id=person_id,
        reason=justification.strip(),
        details={"reason_category": reason_category, "record_exists": person is not None},
    )
    if person is None:
        return None
    if person.merged_into_id is not None:
        # A merged record lives on as its survivor: the access is to the child, not the old id.
        from hearth.linkage.merge import final_person

        person = Person.objects.get(pk=final_person(person.pk))
    return BreakGlassGrant.objects.create(
        user=by,
        person=person,
        reason_category=reason_category,
        justification=justification.strip(),
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        lead_agency=lead_agency_for(person),
    )


def reviewable_grants(user: Any) -> QuerySet[BreakGlassGrant]:
    """The break-glass accesses this user may review: all for IG, their lead agency's for a manager."""
    grants = BreakGlassGrant.objects.exclude(user_id=user.pk)
    if user.role == Role.IG_OFFICER:
        return grants
    return grants.filter(lead_agency_id=user.agency_id) if user.agency_id else grants.none()


def can_review(user: Any, grant: BreakGlassGrant) -> bool:
    """A second person: an IG officer, or a manager in the child's lead agency; never the user themself."""
    if user.pk == grant.user_id or not has_permission(user, Permission.REVIEW_BREAK_GLASS):
        return False
    if user.role == Role.IG_OFFICER:
        return True
    return grant.lead_agency_id is not None and user.agency_id == grant.lead_agency_id


@transaction.atomic
def review_grant(
    *, by: Any, grant: BreakGlassGrant, outcome: str, notes: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    if not can_review(by, grant):
        raise PermissionDenied(
            "A break-glass access is reviewed by someone else with the reviewer role."
        )
    if outcome not in GRANT_TRANSITIONS[grant.status]:
        raise ValidationError({"outcome": "This access has already been reviewed."})
    if not notes.strip():
        raise ValidationError({"notes": "Record what you checked and concluded."})
    grant.status = outcome
    grant.reviewed_by = by
    grant.reviewed_at = timezone.now()
    grant.review_notes = notes.strip()
    if outcome == GrantStatus.CLOSED_INAPPROPRIATE:
        grant.expires_at = min(grant.expires_at, grant.reviewed_at)
    grant.save()
    record(
        action=AuditAction.BREAK_GLASS_REVIEW,
        by=by,
        request=request,
        person_id=grant.person_id,
        object_type="break_glass_grant",
        object_id=grant.pk,
        reason=notes.strip(),
        details={"outcome": outcome},
    )
    return grant
