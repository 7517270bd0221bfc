"""A reviewer's decision on a pair the linkage model was unsure about. Audited.

Every incoming record already has a person (a provisional new one when the model was unsure),
so "same person" merges the two people (reversibly, `hearth.linkage.merge`), "different people"
remembers the pair so it is never proposed again, and "not sure" leaves it for a second
reviewer. A reason is required for every decision: decisions are labelled data for evaluation.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.audit.actions import record as audit
from hearth.audit.models import AuditAction
from hearth.linkage.merge import choose_survivor, final_person, merge_people
from hearth.linkage.models import (
    LinkEvent,
    LinkMethod,
    Merge,
    NonMatch,
    ReviewItem,
    ReviewStatus,
    SourceRecord,
)
from hearth.people.models import Person, Sex

# Which decisions each status may take. A decided pair is final (undo a merge instead).
TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.OPEN: frozenset(
        {ReviewStatus.SAME, ReviewStatus.DIFFERENT, ReviewStatus.NOT_SURE}
    ),
    ReviewStatus.NOT_SURE: frozenset({ReviewStatus.SAME, ReviewStatus.DIFFERENT}),
}
DECISIONS = (ReviewStatus.SAME, ReviewStatus.DIFFERENT, ReviewStatus.NOT_SURE)


def _pk(record: SourceRecord | int) -> int:
    return record if isinstance(record, int) else int(record.pk)


def is_remembered_non_match(record_a: SourceRecord | int, record_b: SourceRecord | int) -> bool:
    """Has a reviewer said these two records are different people? The matcher never proposes
    such a pair again."""
    low, high = sorted((_pk(record_a), _pk(record_b)))
    return NonMatch.objects.filter(record_low_id=low, record_high_id=high).exists()


def remembered_non_matches(record_ids: Iterable[int] | None = None) -> set[tuple[int, int]]:
    """Every remembered pair (lower id first), or those touching `record_ids`: for a batch run,
    one query instead of one per candidate pair."""
    pairs = NonMatch.objects.all()
    if record_ids is not None:
        ids = list(record_ids)
        pairs = pairs.filter(Q(record_low_id__in=ids) | Q(record_high_id__in=ids))
    return set(pairs.values_list("record_low_id", "record_high_id"))


def can_review(user: Any) -> bool:
    return has_permission(user, Permission.REVIEW_MATCHES)


def _new_person_for(record: SourceRecord, *, by: Any, reason: str) -> Person:
    """A record that waited without a person gets its own when it is not the candidate."""
    from hearth.people.actions import create_person

    person = create_person(
        by=by,
        given_name=record.given_name or "(not given)",
        family_name=record.family_name or "(not given)",
        date_of_birth=record.date_of_birth,
        sex=record.sex if record.sex in Sex.values else Sex.UNKNOWN,
    )
    record.person = person
    record.save(update_fields=["person"])
    LinkEvent.objects.create(
        record=record,
        person=person,
        method=LinkMethod.NEW_PERSON,
        by=by,
        reason=reason,
        at=timezone.now(),
    )
    return person


def _same(review: ReviewItem, *, by: Any, reason: str) -> Merge | None:
    record, candidate = review.record, review.candidate
    if candidate.person_id is None:
        raise ValidationError("The candidate record is not linked to anyone yet.")
    target = Person.objects.get(pk=final_person(candidate.person_id))
    if record.person_id is None:
        record.person = target
        record.save(update_fields=["person"])
        LinkEvent.objects.create(
            record=record,
            person=target,
            method=LinkMethod.CLERICAL,
            match_weight=review.match_weight,
            match_probability=review.match_probability,
            model=review.model,
            by=by,
            reason=reason,
            at=timezone.now(),
        )
        return None
    mine = Person.objects.get(pk=final_person(record.person_id))
    if mine.pk == target.pk:
        return None  # already one person (another decision merged them)
    survivor, merged = choose_survivor(mine, target)
    return merge_people(survivor=survivor, merged=merged, by=by, reason=reason, review=review)


def _different(review: ReviewItem, *, by: Any, reason: str) -> None:
    record, candidate = review.record, review.candidate
    if (
        record.person_id is not None
        and candidate.person_id is not None
        and final_person(record.person_id) == final_person(candidate.person_id)
    ):
        raise ValidationError(
            "These two records now belong to one person: undo that merge first, "
            "from the list of merges."
        )
    low, high = sorted((record.pk, candidate.pk))
    NonMatch.objects.get_or_create(
        record_low_id=low,
        record_high_id=high,
        defaults={"review": review, "by": by, "reason": reason, "at": timezone.now()},
    )
    if record.person_id is None:
        _new_person_for(record, by=by, reason=reason)


@transaction.atomic
def decide(
    *,
    review: ReviewItem,
    decision: str,
    by: Any,
    reason: str,
    request: HttpRequest | None = None,
) -> ReviewItem:
    """Record a reviewer's decision and carry it out, in one transaction."""
    if not can_review(by):
        raise PermissionDenied("You cannot review possible matches.")
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose same person, different people or not sure."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why you decided this."})
    review = (
        ReviewItem.objects.select_for_update()
        .select_related("record", "candidate")
        .get(pk=review.pk)
    )
    allowed = TRANSITIONS.get(review.status, frozenset())
    if decision not in allowed:
        raise ValidationError(
            f"This pair is {review.get_status_display().lower()}: it cannot now be marked "
            f"{ReviewStatus(decision).label.lower()}."
        )
    people = sorted(
        {p for p in (review.record.person_id, review.candidate.person_id) if p is not None}
    )
    merge = None
    if decision == ReviewStatus.SAME:
        merge = _same(review, by=by, reason=reason)
    elif decision == ReviewStatus.DIFFERENT:
        _different(review, by=by, reason=reason)
    previous = review.status
    review.status = decision
    review.decided_by = by
    review.decided_at = timezone.now()
    review.reason = reason
    review.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    # One row per person, so each child's audit trail shows the decision.
    targets: list[int | None] = [*people] or [None]
    for person_id in targets:
        audit(
            action=AuditAction.DECIDE_MATCH,
            by=by,
            request=request,
            person_id=person_id,
            object_type="review_item",
            object_id=review.pk,
            reason=reason,
            details={
                "decision": decision,
                "previous_status": previous,
                "records": [review.record_id, review.candidate_id],
                "person_ids": people,
                "merge": merge.pk if merge else None,
            },
        )
    return review
