"""Raising alerts from findings, and the professional response to them. Audited."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from hearth.alerts.engine import Finding, evaluate
from hearth.alerts.models import (
    Alert,
    AlertResponse,
    AlertStatus,
    PendingEvaluation,
    ResponseKind,
)
from hearth.alerts.registry import ActiveRule, active_rules
from hearth.audit.actions import record
from hearth.audit.models import AuditAction


@transaction.atomic
def raise_alerts(
    findings: Iterable[Finding], rules: dict[str, ActiveRule], fired_on: date
) -> list[Alert]:
    """One open alert per rule and child: a finding for a child who already has one open for the
    rule raises nothing new. Closed alerts stay closed. After a closure, the rule raises a new
    alert only when it cites something the closed one did not (a new entry, plan or result):
    a worker who has responded to a picture is not asked again about the same picture."""
    findings = list(findings)
    if not findings:
        return []
    children = {f.child_id for f in findings}
    open_pairs = set(
        Alert.objects.exclude(status=AlertStatus.CLOSED)
        .filter(child_id__in=children)
        .values_list("rule__code", "child_id")
    )
    answered: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for code, child, evidence in (
        Alert.objects.filter(status=AlertStatus.CLOSED, child_id__in=children)
        .order_by("raised_at", "pk")
        .values_list("rule__code", "child_id", "evidence")
    ):  # the latest closed alert per rule and child wins
        answered[(code, child)] = {(e["kind"], e["id"]) for e in evidence or ()}
    findings = [
        f
        for f in findings
        if (f.rule, f.child_id) not in answered
        or not {(e.kind, e.id) for e in f.evidence} <= answered[(f.rule, f.child_id)]
    ]
    now = timezone.now()
    new = [
        Alert(
            rule=rules[f.rule].version.rule,
            rule_version=rules[f.rule].version,
            child_id=f.child_id,
            fired_on=fired_on,
            raised_at=now,
            summary=f.summary,
            evidence=[e.as_dict() for e in f.evidence],
        )
        for f in findings
        if (f.rule, f.child_id) not in open_pairs
    ]
    unique = {(a.rule.code, a.child_id): a for a in new}
    return Alert.objects.bulk_create(unique.values())


def evaluate_and_raise(
    as_of: date, child_ids: Iterable[int] | None = None, people: Iterable[int] | None = None
) -> list[Alert]:
    rules = active_rules()
    result = evaluate(
        as_of, child_ids=child_ids, people=people, rules={c: r.params for c, r in rules.items()}
    )
    return raise_alerts(result.findings, rules, as_of)


def queue_people(person_ids: Iterable[int]) -> None:
    """Called in the saving transaction: cheap, and the evaluator picks the family up later."""
    now = timezone.now()
    PendingEvaluation.objects.bulk_create(
        [PendingEvaluation(person_id=pid, queued_at=now) for pid in set(person_ids)]
    )


def process_pending(as_of: date | None = None, batch: int = 500) -> int:
    """Evaluate the families of everyone queued (the background evaluator's one step)."""
    with transaction.atomic():
        pending = list(PendingEvaluation.objects.select_for_update().order_by("pk")[:batch])
        if not pending:
            return 0
        evaluate_and_raise(as_of or timezone.localdate(), people={p.person_id for p in pending})
        PendingEvaluation.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return len(pending)


def can_respond(user: Any, alert: Alert) -> bool:
    from hearth.access.permissions import Permission, has_permission

    return has_permission(user, Permission.RESPOND_TO_ALERTS, alert.child)


@transaction.atomic
def respond(
    *,
    by: Any,
    alert: Alert,
    kind: str,
    note: str,
    close: bool = False,
    request: HttpRequest | None = None,
) -> AlertResponse:
    """The professional response: acknowledge, record what was done, or why no action is needed."""
    if not can_respond(by, alert):
        raise PermissionDenied("You cannot respond to this alert.")
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError("This alert is already closed.")
    if kind not in ResponseKind.values:
        raise ValidationError({"kind": "Choose a response."})
    if not note.strip():
        raise ValidationError({"note": "Say what you did, or why no action is needed."})
    if close and kind == ResponseKind.ACKNOWLEDGED:
        raise ValidationError(
            {"kind": "Record what was done, or why no action is needed, to close it."}
        )
    response = AlertResponse.objects.create(
        alert=alert,
        kind=kind,
        note=note.strip(),
        closes=close,
        at=timezone.now(),
        by=by,
        by_name=getattr(by, "display_name", ""),
    )
    alert.status = AlertStatus.CLOSED if close else AlertStatus.ACKNOWLEDGED
    alert.closed_at = response.at if close else None
    alert.save(update_fields=["status", "closed_at"])
    record(
        action=AuditAction.RESPOND_TO_ALERT,
        by=by,
        request=request,
        person_id=alert.child_id,
        object_type="alert",
        object_id=alert.pk,
        reason=note.strip(),
        details={"rule": alert.rule.code, "kind": kind, "closed": close},
    )
    return response
