"""Saving, completing and amending toolkit responses. Views, commands and the API call these; each
writes its audit row (and, on completion, the chronology entry) in the same transaction."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.alerts.actions import queue_people
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.chronology.actions import amend_entry, create_entry
from hearth.chronology.models import EventType
from hearth.lib.immutable import allow_changes
from hearth.people.models import Person
from hearth.toolkit import scoring
from hearth.toolkit.engine import Answers, effective_date, missing_answers
from hearth.toolkit.models import (
    ResponseStatus,
    ResponseSubject,
    ResponseVersion,
    ResponseVersionKind,
    ToolResponse,
    ToolVersion,
)
from hearth.toolkit.summary import summarise

DEFAULT_EVENT_TYPE = "tool-completed"
SOURCE_SYSTEM = "hearth-toolkit"


def can_edit_response(user: Any, response: ToolResponse) -> bool:
    """Only the agency that started a response edits its draft or amends it."""
    return bool(getattr(user, "agency_id", None)) and user.agency_id == response.agency_id


def _check_carer(version: ToolVersion, carer: Person | None) -> None:
    if version.definition.get("per_carer") and carer is None:
        raise ValidationError({"carer": "Choose the carer this is about."})


def _audit(
    action: AuditAction,
    by: Any,
    response: ToolResponse,
    request: HttpRequest | None,
    **details: Any,
) -> None:
    record(
        action=action,
        by=by,
        request=request,
        person_id=response.child_id,
        object_type="tool_response",
        object_id=response.pk,
        details={"tool": response.tool.code, "version": response.tool_version.version, **details},
    )


@transaction.atomic
def save_draft(
    *,
    by: Any,
    tool_version: ToolVersion,
    child: Person,
    answers: Answers,
    carer: Person | None = None,
    siblings: Iterable[Person] = (),
    response: ToolResponse | None = None,
    request: HttpRequest | None = None,
) -> ToolResponse:
    now = timezone.now()
    if response is None:
        if getattr(by, "agency_id", None) is None:
            raise PermissionDenied("Only a member of an agency can complete a tool.")
        response = ToolResponse.objects.create(
            tool=tool_version.tool,
            tool_version=tool_version,
            child=child,
            carer=carer,
            agency_id=by.agency_id,
            author=by,
            author_name=getattr(by, "display_name", ""),
            answers=answers,
            started_at=now,
            updated_at=now,
        )
    else:
        if not response.is_draft or not can_edit_response(by, response):
            raise PermissionDenied("Only the agency that started a draft can change it.")
        with allow_changes():
            response.answers = answers
            response.carer = carer
            response.updated_at = now
            response.save()
    _set_subjects(response, [child, *siblings])
    _audit(AuditAction.SAVE_TOOL_DRAFT, by, response, request)
    return response


def _set_subjects(response: ToolResponse, people: list[Person]) -> None:
    wanted = {p.pk for p in people}
    have = set(response.subject_links.values_list("person_id", flat=True))
    ResponseSubject.objects.filter(response=response, person_id__in=have - wanted).delete()
    ResponseSubject.objects.bulk_create(
        [ResponseSubject(response=response, person_id=pid) for pid in wanted - have]
    )


def _snapshot(response: ToolResponse, kind: str, by: Any, reason: str = "") -> None:
    ResponseVersion.objects.create(
        response=response,
        version=response.version,
        kind=kind,
        recorded_at=timezone.now(),
        recorded_by=by if getattr(by, "pk", None) else None,
        recorded_by_name=getattr(by, "display_name", ""),
        reason=reason,
        answers=response.answers,
        result=response.result,
    )


@transaction.atomic
def complete(
    *,
    by: Any,
    response: ToolResponse,
    answers: Answers,
    carer: Person | None = None,
    siblings: Iterable[Person] = (),
    request: HttpRequest | None = None,
) -> ToolResponse:
    """Lock the response, score it, and record its completion in the child's chronology."""
    if not response.is_draft or not can_edit_response(by, response):
        raise PermissionDenied("Only the agency that started a draft can complete it.")
    version = response.tool_version
    _check_carer(version, carer)
    missing = missing_answers(version.definition, answers)
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    subjects = [response.child, *siblings]
    with allow_changes():
        response.answers = answers
        response.carer = carer
        response.result = scoring.score(version.definition, answers)
        response.status = ResponseStatus.COMPLETED
        response.completed_at = now
        response.updated_at = now
        response.effective_date = effective_date(version.definition, answers) or now.date()
        response.version = 1
        response.save()
    _set_subjects(response, subjects)
    code = version.definition.get("chronology_event_type", DEFAULT_EVENT_TYPE)
    event_type = EventType.objects.filter(code=code).first() or EventType.objects.get(
        code=DEFAULT_EVENT_TYPE
    )
    entry = create_entry(
        by=by,
        subjects=subjects,
        event_date=response.effective_date,
        event_type=event_type,
        description=summarise(response),
        source_system=SOURCE_SYSTEM,
        source_reference=f"response-{response.pk}",
        request=request,
    )
    with allow_changes():
        response.chronology_entry = entry
        response.save(update_fields=["chronology_entry"])
    _snapshot(response, ResponseVersionKind.COMPLETED, by)
    queue_people(p.pk for p in subjects)
    _audit(AuditAction.COMPLETE_TOOL, by, response, request, subjects=[p.pk for p in subjects])
    return response


@transaction.atomic
def amend(
    *,
    by: Any,
    response: ToolResponse,
    answers: Answers,
    reason: str,
    carer: Person | None = None,
    request: HttpRequest | None = None,
) -> ToolResponse:
    """A completed response changes only by amendment: a new version, with the reason kept."""
    if response.is_draft or not can_edit_response(by, response):
        raise PermissionDenied("Only the agency that completed a response can amend it.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the response is being amended."})
    version = response.tool_version
    _check_carer(version, carer)
    missing = missing_answers(version.definition, answers)
    if missing:
        raise ValidationError(missing)
    if answers == response.answers and carer == response.carer:
        raise ValidationError("Nothing was changed.")
    with allow_changes():
        response.answers = answers
        response.carer = carer
        response.result = scoring.score(version.definition, answers)
        response.effective_date = (
            effective_date(version.definition, answers) or response.effective_date
        )
        response.updated_at = timezone.now()
        response.version += 1
        response.save()
    _snapshot(response, ResponseVersionKind.AMENDMENT, by, reason.strip())
    entry = response.chronology_entry
    description = summarise(response)
    if entry is not None and entry.description != description:
        amend_entry(
            by=by,
            entry=entry,
            reason=f"The {response.tool.name} was amended: {reason.strip()}",
            request=request,
            person_id=response.child_id,
            description=description,
        )
    _audit(AuditAction.AMEND_TOOL, by, response, request, reason=reason.strip())
    return response
