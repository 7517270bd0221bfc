"""What a plan asks of whom, by when, and how anyone will know it worked.

The reviews found plans that were not SMART: "engage with services" with no one named, no date
and no way to tell whether anything changed for the child. A `PlanAction` holds each SMART
element separately so `hearth.plans.smart` can say which one is missing.
"""

from django.conf import settings
from django.db import models

from hearth.agencies.models import Agency
from hearth.episodes.models import AbuseCategory, Episode
from hearth.lib.immutable import ImmutableModel
from hearth.people.models import Person


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    DROPPED = "dropped", "No longer needed"


class PlanAction(models.Model):
    plan = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="actions")
    who_name = models.CharField("Who", max_length=200, blank=True)
    who_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="When the action is for a carer in the family",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    what = models.TextField(blank=True)
    outcome = models.TextField("Measurable outcome", blank=True)
    by_when = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    progress_note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()
    source_response = models.ForeignKey(
        "toolkit.ToolResponse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
        help_text="The 'So what? Next steps' analysis this action came from",
    )

    class Meta:
        ordering = ["plan", "by_when", "pk"]

    def __str__(self) -> str:
        return self.what[:80] or "Action with no description"

    @property
    def who_display(self) -> str:
        who = self.who_name or (self.who_person.full_name if self.who_person else "")
        agency = self.agency.name if self.agency else ("family" if self.who_person else "")
        return f"{who} ({agency})" if who and agency else who or agency


class PlanReview(ImmutableModel):
    """A child protection review conference (or CIN review): is this still the right category?

    Recorded once, as it was decided; a correction is a new review."""

    plan = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reviews")
    review_date = models.DateField()
    category = models.CharField(
        "Category of abuse", max_length=3, choices=AbuseCategory.choices, blank=True
    )
    category_rationale = models.TextField(blank=True)
    category_still_right = models.BooleanField(null=True)
    notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "-review_date"]
