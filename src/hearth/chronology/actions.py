"""Recording, amending and retracting chronology entries. Views, commands, importers and the API
all call these; each writes its audit row in the same transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.chronology.models import (
    ChronologyEntry,
    DateAccuracy,
    EntryStatus,
    EntrySubject,
    EntryVersion,
    EventType,
    SharingLevel,
    VersionKind,
)
from hearth.lib.immutable import allow_changes
from hearth.people.models import Address, Person

CONTENT_FIELDS = (
    "event_date",
    "date_accuracy",
    "event_type",
    "description",
    "impact_on_child",
    "sharing_level",
    "restricted_roles",
)


def encode_roles(roles: Iterable[str]) -> str:
    roles = [r for r in roles if r]
    return f",{','.join(sorted(set(roles)))}," if roles else ""


def decode_roles(stored: str) -> list[str]:
    return [r for r in stored.split(",") if r]


def _validate(
    *, event_date: date, description: str, sharing_level: str, restricted_roles: str
) -> None:
    errors: dict[str, str] = {}
    if event_date > timezone.localdate():
        errors["event_date"] = "The date of the event cannot be in the future."
    if not description.strip():
        errors["description"] = "Describe what happened, factually."
    if sharing_level == SharingLevel.RESTRICTED and not restricted_roles:
        errors["restricted_roles"] = "Choose which roles may see a restricted entry."
    if errors:
        raise ValidationError(errors)


def _snapshot(
    entry: ChronologyEntry, *, kind: VersionKind, by: Any, reason: str = ""
) -> EntryVersion:
    return EntryVersion.objects.create(
        entry=entry,
        version=entry.version,
        kind=kind,
        recorded_at=timezone.now(),
        recorded_by=by if getattr(by, "pk", None) else None,
        recorded_by_name=getattr(by, "display_name", "") if by else "",
        reason=reason,
        **{f: getattr(entry, f) for f in CONTENT_FIELDS},
    )


@transaction.atomic
def create_entry(
    *,
    by: Any,
    subjects: Iterable[Person],
    event_date: date,
    event_type: EventType,
    description: str,
    impact_on_child: str = "",
    household: Address | None = None,
    date_accuracy: str = DateAccuracy.DAY,
    sharing_level: str = SharingLevel.PARTNERSHIP,
    restricted_roles: Iterable[str] = (),
    agency: Any = None,
    source_system: str = "",
    source_reference: str = "",
    request: HttpRequest | None = None,
) -> ChronologyEntry:
    subjects = list(subjects)
    if not subjects and household is None:
        raise ValidationError(
            {"subjects": "Say who the entry is about: a person or the household."}
        )
    agency = agency or by.agency
    if agency is None:
        raise ValidationError("Only a member of an agency can record a chronology entry.")
    roles = encode_roles(restricted_roles)
    _validate(
        event_date=event_date,
        description=description,
        sharing_level=sharing_level,
        restricted_roles=roles,
    )
    entry = ChronologyEntry.objects.create(
        agency=agency,
        author=by if getattr(by, "pk", None) else None,
        author_name=getattr(by, "display_name", ""),
        recorded_at=timezone.now(),
        household=household,
        source_system=source_system,
        source_reference=source_reference,
        event_date=event_date,
        date_accuracy=date_accuracy,
        event_type=event_type,
        description=description.strip(),
        impact_on_child=impact_on_child.strip(),
        sharing_level=sharing_level,
        restricted_roles=roles,
    )
    EntrySubject.objects.bulk_create(
        [EntrySubject(entry=entry, person=p, event_date=event_date) for p in subjects]
    )
    _snapshot(entry, kind=VersionKind.ORIGINAL, by=by)
    queue_for_alerts(entry)
    record(
        action=AuditAction.CREATE_ENTRY,
        by=by,
        request=request,
        person_id=subjects[0].pk if subjects else None,
        object_type="chronology_entry",
        object_id=entry.pk,
        details={
            "subjects": [p.pk for p in subjects],
            "household": household.pk if household else None,
        },
    )
    return entry


def queue_for_alerts(entry: ChronologyEntry) -> None:
    """The rules re-read this family in the background; the save only queues it."""
    from hearth.alerts.actions import queue_people
    from hearth.people.models import Residence

    people = set(EntrySubject.objects.filter(entry=entry).values_list("person_id", flat=True))
    if entry.household_id:
        people |= set(
            Residence.objects.filter(address_id=entry.household_id).values_list(
                "person_id", flat=True
            )
        )
    queue_people(people)


def can_change_entry(user: Any, entry: ChronologyEntry) -> bool:
    """Only the recording agency corrects its own record."""
    return (
        bool(user.agency_id)
        and user.agency_id == entry.agency_id
        and entry.status == EntryStatus.ACTIVE
    )


@transaction.atomic
def amend_entry(
    *,
    by: Any,
    entry: ChronologyEntry,
    reason: str,
    request: HttpRequest | None = None,
    person_id: int | None = None,
    **changes: Any,
) -> ChronologyEntry:
    if not can_change_entry(by, entry):
        raise PermissionDenied("Only the agency that recorded an active entry can amend it.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the entry is being amended."})
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Cannot amend {sorted(unknown)}")
    if "restricted_roles" in changes and not isinstance(changes["restricted_roles"], str):
        changes["restricted_roles"] = encode_roles(changes["restricted_roles"])
    merged = {f: changes.get(f, getattr(entry, f)) for f in CONTENT_FIELDS}
    _validate(
        event_date=merged["event_date"],
        description=merged["description"],
        sharing_level=merged["sharing_level"],
        restricted_roles=merged["restricted_roles"],
    )
    if all(merged[f] == getattr(entry, f) for f in CONTENT_FIELDS):
        raise ValidationError("Nothing was changed.")
    with allow_changes():
        for f, value in merged.items():
            setattr(entry, f, value)
        entry.version += 1
        entry.save()
        EntrySubject.objects.filter(entry=entry).update(event_date=entry.event_date)
    _snapshot(entry, kind=VersionKind.AMENDMENT, by=by, reason=reason.strip())
    queue_for_alerts(entry)
    record(
        action=AuditAction.AMEND_ENTRY,
        by=by,
        request=request,
        person_id=person_id,
        object_type="chronology_entry",
        object_id=entry.pk,
        reason=reason.strip(),
        details={"version": entry.version, "changed": sorted(changes)},
    )
    return entry


@transaction.atomic
def retract_entry(
    *,
    by: Any,
    entry: ChronologyEntry,
    reason: str,
    request: HttpRequest | None = None,
    person_id: int | None = None,
) -> ChronologyEntry:
    if not can_change_entry(by, entry):
        raise PermissionDenied("Only the agency that recorded an active entry can retract it.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the entry is being retracted."})
    with allow_changes():
        entry.status = EntryStatus.RETRACTED
        entry.version += 1
        entry.save()
    _snapshot(entry, kind=VersionKind.RETRACTION, by=by, reason=reason.strip())
    queue_for_alerts(entry)
    record(
        action=AuditAction.RETRACT_ENTRY,
        by=by,
        request=request,
        person_id=person_id,
        object_type="chronology_entry",
        object_id=entry.pk,
        reason=reason.strip(),
    )
    return entry


@dataclass(frozen=True)
class SourceOutcome:
    entry: ChronologyEntry
    outcome: str  # "created" | "amended" | "unchanged"


@transaction.atomic
def record_from_source(
    *,
    by: Any,
    source_system: str,
    source_reference: str,
    subjects: Iterable[Person],
    request: HttpRequest | None = None,
    **content: Any,
) -> SourceOutcome:
    """An entry as a partner system holds it: created the first time, amended (with its history)
    when the source record has changed, and left alone when it has not — so sending the same
    record twice never duplicates it. Used by the partner API and by agency extract imports."""
    if not source_system or not source_reference:
        raise ValidationError({"source_reference": "Give the record's reference in your system."})
    subjects = list(subjects)
    existing = (
        ChronologyEntry.objects.select_for_update()
        .filter(source_system=source_system, source_reference=source_reference)
        .first()
    )
    if existing is None:
        entry = create_entry(
            by=by,
            subjects=subjects,
            source_system=source_system,
            source_reference=source_reference,
            request=request,
            **content,
        )
        return SourceOutcome(entry, "created")
    if existing.agency_id != getattr(by, "agency_id", None):
        raise PermissionDenied("Another agency's record has this source reference.")
    known = set(existing.subject_links.values_list("person_id", flat=True))
    if known != {p.pk for p in subjects}:
        raise ValidationError(
            {
                "subjects": "Who an entry is about cannot change: retract the entry in Hearth "
                "and send the record under a new reference."
            }
        )
    changes = {
        field: value
        for field, value in content.items()
        if field in CONTENT_FIELDS and _stored(field, value) != getattr(existing, field)
    }
    if not changes:
        return SourceOutcome(existing, "unchanged")
    entry = amend_entry(
        by=by,
        entry=existing,
        reason=f"Updated by {source_system}: the source record changed",
        request=request,
        person_id=subjects[0].pk if subjects else None,
        **changes,
    )
    return SourceOutcome(entry, "amended")


def _stored(field: str, value: Any) -> Any:
    """The value as the entry stores it, to tell a real change from the same value sent again."""
    if field == "restricted_roles" and not isinstance(value, str):
        return encode_roles(value)
    if isinstance(value, str) and field in ("description", "impact_on_child"):
        return value.strip()
    return value
