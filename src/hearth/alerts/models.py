"""Rules as data, and the alerts they raise.

A `Rule` has a stable code; each `RuleVersion` holds its parameters (windows, thresholds, weights),
description and the learning it comes from, and never changes once published. An `Alert` records
the rule version that raised it, the child, the evidence (entries, episodes, people: each a link)
and the professional response to it. Nothing about a child changes because an alert was raised.
"""

from django.conf import settings
from django.db import models

from hearth.lib.immutable import ImmutableModel
from hearth.people.models import Person


class Rule(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "RuleVersion | None":
        return self.versions.order_by("-version").first()


class RuleVersion(ImmutableModel):
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    description = models.TextField()
    why = models.TextField(help_text="Why it matters: the learning it comes from")
    source = models.CharField(max_length=300, blank=True)
    task = models.CharField(
        max_length=20, default="alert", help_text="alert | audit_task | manager_review"
    )
    params = models.JSONField(default=dict)
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="rule_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} v{self.version}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed"


class Alert(models.Model):
    """One open alert per rule and child until it is closed (a partial unique constraint)."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="alerts")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alerts")
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    fired_on = models.DateField(help_text="The date the rule's condition was first met")
    raised_at = models.DateTimeField()
    summary = models.TextField()
    evidence = models.JSONField(default=list)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "child"], name="alert_status_child_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "child"],
                condition=~models.Q(status="closed"),
                name="alert_one_open_per_rule_child",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule.name}: {self.child}"

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.CLOSED


class ResponseKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTED = "acted", "Action taken"
    NO_ACTION = "no_action", "No action needed"


class AlertResponse(ImmutableModel):
    """What a professional did about an alert, and why: the record of the response."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(max_length=12, choices=ResponseKind.choices)
    note = models.TextField()
    closes = models.BooleanField(default=False)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=200)

    class Meta:
        ordering = ["alert", "at"]


class PendingEvaluation(models.Model):
    """People whose records changed, waiting for the background evaluator. Written in the
    saving transaction (one small insert), so a save is never slowed by the rules."""

    person_id = models.BigIntegerField()
    queued_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["queued_at"], name="pending_queued_idx")]
