"""Merging two Person rows found to be one person, and undoing it exactly.

A merge re-points every foreign key to the merged person at the survivor. The references are
discovered from `Person._meta` (so a new app's table is merged the day it is added), and the
merge records in `Merge.snapshot` exactly which rows of which model and field moved, and every
field it changed, so that `unmerge` moves back exactly those rows and nothing else. The merged
Person row is kept (with `merged_into` set) and nothing is deleted, so no identifying data is
lost. Rows written after the merge belong to the survivor and stay with it when it is undone.

Rows that cannot or need not move stay, unchanged, with the merged person (`snapshot["kept"]`):
- a move that would break a unique constraint: the survivor already has the equivalent row.
  The survivor is already a subject of the same chronology entry or tool response (one subject
  row per entry and person), or it already has an open alert for the same rule (one open alert
  per rule and child: the survivor's stands; the merged record's comes back on an unmerge);
- an exact copy of a row the survivor already has, for the tables that describe a person
  (`DEDUPLICATED`): the same name, address, relationship or involvement twice is noise.
Identifiers are unique by (system, value) across everyone, so moving them never conflicts.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.immutable import allow_changes
from hearth.linkage.models import (
    LinkEvent,
    LinkMethod,
    Merge,
    ReviewItem,
    ReviewStatus,
    SourceRecord,
)
from hearth.people.models import NameType, Person, PersonName, Relationship

# Never re-pointed: where a merge is itself recorded, and break-glass grants, which are access
# decisions about one record at one time (moving one would widen it to the survivor's record).
HISTORY = {
    ("access.BreakGlassGrant", "person"),
    ("linkage.LinkEvent", "person"),
    ("linkage.LinkEvent", "previous_person"),
    ("linkage.Merge", "survivor"),
    ("linkage.Merge", "merged"),
}
# Tables describing a person, where an exact copy of a survivor's row stays behind.
DEDUPLICATED = {
    "people.PersonName",
    "people.Residence",
    "people.Relationship",
    "access.Involvement",
}
# Identifying fields the survivor takes from the merged person when its own are blank, so a
# search by the merged record's NHS number or UPN still finds the child.
FILLED_FROM_MERGED = ("nhs_number", "upn", "date_of_birth")


class MergeRefused(ValidationError):
    """A merge or unmerge that must not happen; the message says why, for the reviewer."""


@dataclass(frozen=True)
class Reference:
    """One foreign key to Person: `model.field` holds a person's id."""

    model: type[models.Model]
    field: models.ForeignKey

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def column(self) -> str:
        return self.field.attname


def person_references() -> list[Reference]:
    """Every foreign key to Person in the project, hidden reverse relations included, except
    the linkage history tables."""
    found = []
    for rel in Person._meta.get_fields(include_hidden=True):
        if not isinstance(rel, models.ManyToOneRel):  # m2m go through their own FKs
            continue
        model = rel.related_model
        assert not isinstance(model, str)  # resolved once the apps are loaded
        ref = Reference(model, rel.field)
        if (ref.label, ref.field.name) not in HISTORY:
            found.append(ref)
    return sorted(found, key=lambda r: (r.label, r.field.name))


def _unique_sets(ref: Reference) -> list[tuple[list[str], Q | None, str]]:
    """The unique constraints a re-point of `ref` could break: (other fields, condition, name)."""
    meta = ref.model._meta
    sets: list[tuple[list[str], Q | None, str]] = []
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and ref.field.name in (c.fields or ()):
            sets.append(([f for f in c.fields if f != ref.field.name], c.condition, c.name))
    for together in meta.unique_together:
        if ref.field.name in together:
            sets.append(([f for f in together if f != ref.field.name], None, "unique_together"))
    if ref.field.unique:
        sets.append(([], None, f"{ref.field.name} is unique"))
    return sets


def _rows(ref: Reference, person: Person) -> models.QuerySet:
    return ref.model._default_manager.filter(**{ref.column: person.pk})


def _conflicts(ref: Reference, survivor: Person, merged: Person) -> dict[int, str]:
    """Rows of the merged person that cannot move, and why."""
    held: dict[int, str] = {}
    for others, condition, name in _unique_sets(ref):
        mine, theirs = _rows(ref, merged), _rows(ref, survivor)
        if condition is not None:
            mine, theirs = mine.filter(condition), theirs.filter(condition)
        taken = {tuple(v) for v in theirs.values_list(*others)} if others else {()}
        if not others and not theirs.exists():
            taken = set()
        for pk, *values in mine.values_list("pk", *others):
            # NULLs never collide in a unique constraint.
            if tuple(values) in taken and None not in values:
                held.setdefault(pk, f"the survivor already has the same row ({name})")
    if ref.label in DEDUPLICATED:
        compared = [
            f.attname
            for f in ref.model._meta.concrete_fields
            if not f.primary_key and f.attname != ref.column
        ]
        theirs_rows = {tuple(v) for v in _rows(ref, survivor).values_list(*compared)}
        for pk, *values in _rows(ref, merged).values_list("pk", *compared):
            if tuple(values) in theirs_rows:
                held.setdefault(pk, "an exact copy of a row the survivor already has")
    return held


def _check_may(by: Any) -> None:
    # `by=None` is the system itself (a command); a person must be allowed to review matches.
    if by is not None and not has_permission(by, Permission.REVIEW_MATCHES):
        raise PermissionDenied("You cannot merge or unmerge people.")


def refusal(survivor: Person, merged: Person) -> str | None:
    """Why these two people must not be merged, or None."""
    if survivor.pk == merged.pk:
        return "A person cannot be merged with themself."
    for p in (survivor, merged):
        if p.merged_into_id is not None:
            return f"Record {p.pk} has already been merged into record {p.merged_into_id}."
    related = Relationship.objects.filter(
        Q(person=survivor, relative=merged) | Q(person=merged, relative=survivor)
    ).first()
    if related is not None:
        return (
            f"Records {survivor.pk} and {merged.pk} are recorded as related "
            f"({related.get_relationship_type_display().lower()}): two people, not one."
        )
    return None


def choose_survivor(a: Person, b: Person) -> tuple[Person, Person]:
    """(survivor, merged): the person Hearth has known longer survives, so the links that
    practitioners already use keep working."""
    first, second = sorted((a, b), key=lambda p: (p.created_at, p.pk))
    return first, second


def final_person(person_id: int) -> int:
    """The person a merged record now lives on (following merges of merges)."""
    seen = set()
    current = person_id
    while current not in seen:
        seen.add(current)
        nxt = Person.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if nxt is None:
            return current
        current = nxt
    return current


def _link_events(
    *, records: list[int], person: Person, previous: Person, method: str, by: Any, reason: str
) -> None:
    now = timezone.now()
    LinkEvent.objects.bulk_create(
        [
            LinkEvent(
                record_id=pk,
                person=person,
                previous_person=previous,
                method=method,
                by=by if getattr(by, "is_authenticated", False) else None,
                reason=reason,
                at=now,
            )
            for pk in records
        ]
    )


def _audit(
    *, action: AuditAction, by: Any, merge: Merge, reason: str, details: dict[str, Any]
) -> None:
    # One row per person, so each child's audit trail shows the merge.
    for person_id in (merge.survivor_id, merge.merged_id):
        record(
            action=action,
            by=by,
            person_id=person_id,
            object_type="merge",
            object_id=merge.pk,
            reason=reason,
            details={
                "survivor": merge.survivor_id,
                "merged": merge.merged_id,
                "person_ids": [merge.survivor_id, merge.merged_id],
                **details,
            },
            username="" if by is not None else "hearth",
        )


def _queue_alerts(person_ids: list[int]) -> None:
    from hearth.alerts.actions import queue_people

    queue_people(person_ids)


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _withdraw_moot_reviews(survivor: Person, decided: ReviewItem | None) -> list[int]:
    """Open or unsure reviews whose two records now belong to one person need no decision."""
    waiting = ReviewItem.objects.exclude(pk=decided.pk) if decided else ReviewItem.objects.all()
    moot = list(
        waiting.filter(
            status__in=[ReviewStatus.OPEN, ReviewStatus.NOT_SURE],
            record__person=survivor,
            candidate__person=survivor,
        ).values_list("pk", flat=True)
    )
    ReviewItem.objects.filter(pk__in=moot).update(
        status=ReviewStatus.WITHDRAWN,
        decided_at=timezone.now(),
        reason="Withdrawn: both records now belong to one person after a merge.",
    )
    return moot


@transaction.atomic
def merge_people(
    *,
    survivor: Person,
    merged: Person,
    by: Any,
    reason: str,
    review: ReviewItem | None = None,
) -> Merge:
    """Merge `merged` into `survivor`: every reference moves, each move is recorded, and the
    survivor's family is queued for the alert rules."""
    _check_may(by)
    if not reason.strip():
        raise MergeRefused({"reason": "Give a reason for the merge."})
    # Lock both rows so two reviewers cannot merge the same person two ways at once.
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    survivor, merged = locked.get(survivor.pk, survivor), locked.get(merged.pk, merged)
    why_not = refusal(survivor, merged)
    if why_not:
        raise MergeRefused(why_not)

    moved: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    survivor_names = set(
        PersonName.objects.filter(person=survivor, name_type=NameType.CURRENT).values_list(
            "given_key", "family_key"
        )
    )
    with allow_changes():  # immutable rows (entry subjects, tool responses) change their FK only
        for ref in person_references():
            held = _conflicts(ref, survivor, merged)
            ids = sorted(set(_rows(ref, merged).values_list("pk", flat=True)) - set(held))
            if held:
                kept.append(
                    {
                        "model": ref.label,
                        "field": ref.field.name,
                        "rows": [{"id": pk, "why": why} for pk, why in sorted(held.items())],
                    }
                )
            if not ids:
                continue
            if ref.model is PersonName:
                # The merged record's own name becomes an "also known as" of the survivor.
                for name in PersonName.objects.filter(pk__in=ids, name_type=NameType.CURRENT):
                    if (name.given_key, name.family_key) not in survivor_names:
                        changed.append(
                            {
                                "model": ref.label,
                                "id": name.pk,
                                "field": "name_type",
                                "before": NameType.CURRENT,
                                "after": NameType.ALIAS,
                            }
                        )
                        PersonName.objects.filter(pk=name.pk).update(name_type=NameType.ALIAS)
            ref.model._default_manager.filter(pk__in=ids).update(**{ref.column: survivor.pk})
            moved.append({"model": ref.label, "field": ref.field.name, "ids": ids})

    people: dict[str, dict[str, list[Any]]] = {"survivor": {}, "merged": {}}
    for field in FILLED_FROM_MERGED:
        mine, theirs = getattr(survivor, field), getattr(merged, field)
        if mine in (None, "") and theirs not in (None, ""):
            people["survivor"][field] = [_json(mine), _json(theirs)]
            setattr(survivor, field, theirs)
    if people["survivor"]:
        survivor.save(update_fields=list(people["survivor"]))
    people["merged"]["merged_into"] = [None, survivor.pk]
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into"])

    merge = Merge.objects.create(
        survivor=survivor,
        merged=merged,
        review=review,
        snapshot={"moved": moved, "kept": kept, "changed": changed, "people": people},
        by=by if getattr(by, "is_authenticated", False) else None,
        reason=reason.strip(),
        at=timezone.now(),
    )
    records: list[int] = next((m["ids"] for m in moved if m["model"] == "linkage.SourceRecord"), [])
    _link_events(
        records=records,
        person=survivor,
        previous=merged,
        method=LinkMethod.MERGE,
        by=by,
        reason=reason.strip(),
    )
    withdrawn = _withdraw_moot_reviews(survivor, review)
    _queue_alerts([survivor.pk])
    _audit(
        action=AuditAction.MERGE_PEOPLE,
        by=by,
        merge=merge,
        reason=reason.strip(),
        details={
            "moved": {f"{m['model']}.{m['field']}": len(m["ids"]) for m in moved},
            "kept": {f"{k['model']}.{k['field']}": len(k["rows"]) for k in kept},
            "review": review.pk if review else None,
            "withdrawn_reviews": withdrawn,
        },
    )
    return merge


def unmerge_refusal(merge: Merge) -> str | None:
    if merge.undone_at is not None:
        return "This merge has already been undone."
    survivor = Person.objects.get(pk=merge.survivor_id)
    if survivor.merged_into_id is not None:
        return (
            f"Record {survivor.pk} has since been merged into record {survivor.merged_into_id}: "
            "undo that merge first."
        )
    return None


@transaction.atomic
def unmerge(*, merge: Merge, by: Any, reason: str) -> Merge:
    """Undo a merge: exactly the rows it moved go back, exactly the fields it changed are reset
    (where nobody has changed them since). Rows recorded after the merge stay with the survivor."""
    _check_may(by)
    if not reason.strip():
        raise MergeRefused({"reason": "Give a reason for undoing the merge."})
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    why_not = unmerge_refusal(merge)
    if why_not:
        raise MergeRefused(why_not)
    survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
    merged = Person.objects.select_for_update().get(pk=merge.merged_id)
    snapshot = merge.snapshot
    moved_back: dict[str, int] = {}
    missing: dict[str, list[int]] = {}
    with allow_changes():
        for move in snapshot.get("moved", []):
            model = apps.get_model(move["model"])
            column = model._meta.get_field(move["field"]).attname
            rows = model._default_manager.filter(pk__in=move["ids"], **{column: survivor.pk})
            present = set(rows.values_list("pk", flat=True))
            rows.update(**{column: merged.pk})
            moved_back[f"{move['model']}.{move['field']}"] = len(present)
            if gone := sorted(set(move["ids"]) - present):
                missing[f"{move['model']}.{move['field']}"] = gone
        for change in snapshot.get("changed", []):
            model = apps.get_model(change["model"])
            model._default_manager.filter(
                pk=change["id"], **{change["field"]: change["after"]}
            ).update(**{change["field"]: change["before"]})
    restore = {}
    for field, (before, after) in snapshot.get("people", {}).get("survivor", {}).items():
        if _json(getattr(survivor, field)) == after:
            restore[field] = before
    if restore:
        for field, before in restore.items():
            concrete = Person._meta.get_field(field)
            assert isinstance(concrete, models.Field)
            setattr(survivor, field, concrete.to_python(before))
        survivor.save(update_fields=list(restore))
    merged.merged_into = None
    merged.save(update_fields=["merged_into"])

    merge.undone_at = timezone.now()
    merge.undone_by = by if getattr(by, "is_authenticated", False) else None
    merge.undo_reason = reason.strip()
    merge.snapshot = {**snapshot, "undone": {"moved_back": moved_back, "missing": missing}}
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason", "snapshot"])
    records: list[int] = next(
        (m["ids"] for m in snapshot.get("moved", []) if m["model"] == "linkage.SourceRecord"), []
    )
    records = list(
        SourceRecord.objects.filter(pk__in=records, person=merged).values_list("pk", flat=True)
    )
    _link_events(
        records=records,
        person=merged,
        previous=survivor,
        method=LinkMethod.UNMERGE,
        by=by,
        reason=reason.strip(),
    )
    _queue_alerts([survivor.pk, merged.pk])
    _audit(
        action=AuditAction.UNMERGE_PEOPLE,
        by=by,
        merge=merge,
        reason=reason.strip(),
        details={"moved_back": moved_back, "missing": missing},
    )
    return merge


def survivor_to_show(user: Any, person_id: int) -> int | None:
    """For a merged record's page: the survivor's id when the user may see the survivor.

    None when `person_id` is not a merged record. A user who may not see the survivor is refused
    exactly as for any record they may not see, whatever rows stayed with the merged record."""
    from hearth.access.helpers import RecordNotAvailable
    from hearth.access.scoping import relationship_basis

    if not 0 < person_id < 2**63:
        return None
    if not Person.objects.filter(pk=person_id, merged_into__isnull=False).exists():
        return None
    survivor = Person.objects.get(pk=final_person(person_id))
    if relationship_basis(user, survivor) is None:
        raise RecordNotAvailable(person_id, "merged into a record the user may not see")
    return survivor.pk
