"""Recording plan actions and reviews: audited in the same transaction."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.chronology.actions import create_entry
from hearth.chronology.models import EventType
from hearth.episodes.models import PLAN_KINDS, AbuseCategory, Episode, EpisodeKind
from hearth.plans.models import PlanAction, PlanReview

ACTION_FIELDS = (
    "who_name",
    "who_person",
    "agency",
    "what",
    "outcome",
    "by_when",
    "review_date",
    "status",
    "progress_note",
)


def can_manage_plan(user: Any, plan: Episode) -> bool:
    """The plan's lead agency keeps it (any agency may, when no lead agency is recorded)."""
    return plan.kind in PLAN_KINDS and (
        plan.lead_agency_id is None or plan.lead_agency_id == getattr(user, "agency_id", None)
    )


def _audit(
    action: AuditAction, by: Any, plan: Episode, request: HttpRequest | None, **details: Any
) -> None:
    record(
        action=action,
        by=by,
        request=request,
        person_id=plan.child_id,
        object_type="plan",
        object_id=plan.pk,
        details=details,
    )


@transaction.atomic
def save_action(
    *,
    by: Any,
    plan: Episode,
    action: PlanAction | None = None,
    request: HttpRequest | None = None,
    source_response: Any = None,
    **values: Any,
) -> PlanAction:
    """Add or change an action. Incomplete actions are saved: the plan check shows what is missing."""
    if not can_manage_plan(by, plan):
        raise PermissionDenied("Only the plan's lead agency can change its actions.")
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown plan action fields {sorted(unknown)}")
    if not str(values.get("what", action.what if action else "")).strip():
        raise ValidationError({"what": "Say what will be done."})
    now = timezone.now()
    if action is None:
        action = PlanAction(
            plan=plan, created_at=now, created_by=by, source_response=source_response
        )
    for name, value in values.items():
        setattr(action, name, value)
    action.updated_at = now
    action.save()
    _audit(
        AuditAction.RECORD_PLAN_ACTION,
        by,
        plan,
        request,
        plan_action=action.pk,
        changed=sorted(values),
    )
    return action


@transaction.atomic
def record_review(
    *,
    by: Any,
    plan: Episode,
    review_date: Any,
    category: str = "",
    category_rationale: str = "",
    category_still_right: bool | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> PlanReview:
    """A plan review. For a child protection plan the category, its rationale and whether it is
    still right are required; a changed category becomes the plan's latest category."""
    if not can_manage_plan(by, plan):
        raise PermissionDenied("Only the plan's lead agency can record its reviews.")
    errors: dict[str, str] = {}
    if review_date < plan.start_date:
        errors["review_date"] = "The review cannot be before the plan started."
    if review_date > timezone.localdate():
        errors["review_date"] = "The review date cannot be in the future."
    if plan.kind == EpisodeKind.CP_PLAN:
        if category not in AbuseCategory.values:
            errors["category"] = "Choose the category of abuse."
        if not category_rationale.strip():
            errors["category_rationale"] = "Explain why this is the right category."
        if category_still_right is None:
            errors["category_still_right"] = "Say whether the category is still the right one."
    if errors:
        raise ValidationError(errors)
    review = PlanReview.objects.create(
        plan=plan,
        review_date=review_date,
        category=category,
        category_rationale=category_rationale.strip(),
        category_still_right=category_still_right,
        notes=notes.strip(),
        recorded_at=timezone.now(),
        recorded_by=by,
        recorded_by_name=getattr(by, "display_name", ""),
    )
    if plan.kind == EpisodeKind.CP_PLAN:
        dates = sorted({*plan.review_dates, review_date.isoformat()})
        plan.review_dates = dates
        if category and category != plan.latest_category:
            plan.latest_category = category
        plan.save(update_fields=["review_dates", "latest_category"])
    event = EventType.objects.filter(code="cp-review").first()
    if event is not None and plan.kind == EpisodeKind.CP_PLAN:
        label = AbuseCategory(category).label if category else ""
        still = "still right" if category_still_right else "changed"
        create_entry(
            by=by,
            subjects=[plan.child],
            event_date=review_date,
            event_type=event,
            description=f"Child protection plan reviewed. Category: {label} ({still}). "
            f"Rationale: {category_rationale.strip()}",
            request=request,
        )
    _audit(AuditAction.RECORD_PLAN_REVIEW, by, plan, request, review=review.pk)
    return review


def next_steps_to_plan(
    *, by: Any, plan: Episode, response: Any, request: HttpRequest | None = None
) -> list[PlanAction]:
    """Turn a completed "So what? Next steps" analysis into actions on the child's plan, once."""
    if PlanAction.objects.filter(plan=plan, source_response=response).exists():
        raise ValidationError("These next steps are already on the plan.")
    created = []
    for step in response.answers.get("next_steps") or []:
        created.append(
            save_action(
                by=by,
                plan=plan,
                request=request,
                source_response=response,
                who_name=str(step.get("who", ""))
                + (f" ({step['agency']})" if step.get("agency") else ""),
                what=str(step.get("what", "")),
                outcome=str(step.get("outcome", "")),
                by_when=date.fromisoformat(step["by_when"]) if step.get("by_when") else None,
                review_date=date.fromisoformat(step["review_date"])
                if step.get("review_date")
                else None,
            )
        )
    return created
