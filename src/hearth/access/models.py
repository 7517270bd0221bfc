"""Who is working with whom (the network), and break-glass access with its review."""

from django.conf import settings
from django.db import models

from hearth.agencies.models import Agency
from hearth.people.models import Person


class Involvement(models.Model):
    """An agency (and named practitioner) working with a child or a family member.

    A current involvement is what gives an agency's staff a legitimate relationship with the
    child and the child's family: see `hearth.access.scoping`.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="involvements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="involvements",
    )
    role_description = models.CharField(
        max_length=200, blank=True, help_text="e.g. allocated social worker"
    )
    is_lead = models.BooleanField("Lead professional", default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source_system = models.CharField(max_length=60, blank=True)
    source_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-is_lead", "agency__name"]
        indexes = [
            models.Index(fields=["agency", "end_date", "person"], name="involvement_agency_idx"),
            models.Index(fields=["person", "end_date"], name="involvement_person_idx"),
            models.Index(fields=["practitioner", "end_date"], name="involvement_practitioner_idx"),
        ]


class BreakGlassReason(models.TextChoices):
    IMMEDIATE_RISK = "immediate_risk", "Immediate risk of harm to a child"
    EMERGENCY_CONTACT = "emergency", "Emergency contact out of hours"
    NEW_REFERRAL = "new_referral", "New concern not yet referred"
    COURT = "court", "Court or statutory duty"
    OTHER = "other", "Other (explain)"


class GrantStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    CLOSED_APPROPRIATE = "closed_appropriate", "Reviewed: appropriate"
    CLOSED_INAPPROPRIATE = "closed_inappropriate", "Reviewed: not appropriate, escalated"


class BreakGlassGrant(models.Model):
    """Time-limited access to one person's record without a legitimate relationship."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason_category = models.CharField(max_length=20, choices=BreakGlassReason.choices)
    justification = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The lead agency at the time, so it can see the flag in its queue.
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=24, choices=GrantStatus.choices, default=GrantStatus.AWAITING_REVIEW
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["user", "person", "expires_at"], name="grant_user_person_idx")
        ]
