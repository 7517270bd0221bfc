"""Recording training sessions, attendance with confidence, and training targets, audited.

The administrator records any agency's training; an agency lead records their own agency's
sessions and their own practitioners' attendance (at any session, partnership-wide ones too).
Targets are the partnership's to set, so only the administrator sets them.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import Role, User
from hearth.agencies.models import Agency
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.plan_years import PlanYear
from hearth.workforce.models import (
    CONFIDENCE_SCALE,
    Attendance,
    ConfidenceItem,
    CourseType,
    TrainingSession,
    TrainingTarget,
)


def can_record_training_for(user: Any, agency: Agency | None) -> bool:
    """`agency` is the delivering agency (None: partnership-wide) or the attendee's agency."""
    if not has_permission(user, Permission.RECORD_TRAINING):
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return agency is not None and user.agency_id == agency.pk


def can_set_targets(user: Any) -> bool:
    return has_permission(user, Permission.RECORD_TRAINING) and user.role == Role.ADMINISTRATOR


@transaction.atomic
def record_session(
    *,
    by: Any,
    title: str,
    held_on: date,
    course_type: str,
    agency: Agency | None,
    request: HttpRequest | None = None,
) -> TrainingSession:
    if not can_record_training_for(by, agency):
        raise PermissionDenied(
            "You can record sessions your own agency delivers; the partnership's administrator "
            "records partnership-wide sessions."
        )
    errors = {}
    if not title.strip():
        errors["title"] = "Enter the title of the session."
    if course_type not in CourseType.values:
        errors["course_type"] = "Choose the kind of course."
    if held_on > timezone.localdate():
        errors["held_on"] = "Record a session once it has been held: the date is in the future."
    if errors:
        raise ValidationError(errors)
    session = TrainingSession.objects.create(
        title=title.strip(),
        held_on=held_on,
        course_type=course_type,
        agency=agency,
        created_at=timezone.now(),
        created_by=by,
    )
    record(
        action=AuditAction.RECORD_TRAINING,
        by=by,
        request=request,
        object_type="training_session",
        object_id=session.pk,
        details={"agency": agency.code if agency else "", "held_on": held_on.isoformat()},
    )
    return session


@transaction.atomic
def record_attendance(
    *,
    by: Any,
    session: TrainingSession,
    user: User | None = None,
    name: str = "",
    agency: Agency | None = None,
    confidence: dict[str, tuple[int | None, int | None]] | None = None,
    request: HttpRequest | None = None,
) -> Attendance:
    """A practitioner at a session: a Hearth user, or a name and agency. `confidence` maps each
    `ConfidenceItem` value to (before, after), each 1–5 or None if not answered."""
    if user is not None:
        name, agency = user.display_name, user.agency
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the practitioner's name, or choose them from the list."
    if agency is None:
        errors["agency"] = "Choose the practitioner's agency."
    if errors:
        raise ValidationError(errors)
    if not can_record_training_for(by, agency):
        raise PermissionDenied("You can record the attendance of your own agency's practitioners.")
    assert agency is not None
    if user is not None and session.attendances.filter(user=user).exists():
        raise ValidationError({"user": f"{name} is already recorded at this session."})
    scores: dict[str, int | None] = {}
    for item, (before, after) in (confidence or {}).items():
        if item not in ConfidenceItem.values:
            raise ValueError(f"unknown confidence item {item!r}")
        for when, value in (("before", before), ("after", after)):
            if value is not None and value not in CONFIDENCE_SCALE:
                errors[f"{item}_{when}"] = "Confidence is from 1 (not at all) to 5 (very)."
            scores[f"{item}_{when}"] = value
    if errors:
        raise ValidationError(errors)
    attendance = Attendance.objects.create(
        session=session,
        user=user,
        name=" ".join(name.split()),
        agency=agency,
        recorded_at=timezone.now(),
        recorded_by=by,
        **scores,
    )
    record(
        action=AuditAction.RECORD_ATTENDANCE,
        by=by,
        request=request,
        object_type="training_session",
        object_id=session.pk,
        details={"attendance": attendance.pk, "agency": agency.code},
    )
    return attendance


@transaction.atomic
def set_target(
    *,
    by: Any,
    agency: Agency,
    plan_year: str,
    practitioners: int,
    request: HttpRequest | None = None,
) -> TrainingTarget:
    """Set (or revise) an agency's training target for a plan year; the audit row keeps the old one."""
    if not can_set_targets(by):
        raise PermissionDenied("Training targets are set by the partnership's administrator.")
    try:
        year = PlanYear.parse(plan_year)
    except ValueError as error:
        raise ValidationError({"plan_year": str(error)}) from None
    if practitioners < 0:
        raise ValidationError({"practitioners": "The target cannot be negative."})
    target = TrainingTarget.objects.filter(agency=agency, plan_year=year.code).first()
    previous = target.practitioners if target else None
    if target is None:
        target = TrainingTarget(agency=agency, plan_year=year.code)
    target.practitioners = practitioners
    target.set_at = timezone.now()
    target.set_by = by
    target.save()
    record(
        action=AuditAction.SET_TRAINING_TARGET,
        by=by,
        request=request,
        object_type="training_target",
        object_id=target.pk,
        details={
            "agency": agency.code,
            "plan_year": year.code,
            "practitioners": practitioners,
            "previous": previous,
        },
    )
    return target
