"""Training reach and confidence: who was trained in neglect, and whether it made them more confident.

The strategy planned to train 800 practitioners and measured confidence at the start and end of
each session on four things (seed 001 §5.3): recognising neglect, responding to it, knowing where
the tools are, and using them. Attendance is per practitioner, with or without a Hearth log-in.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from hearth.agencies.models import Agency


class CourseType(models.TextChoices):
    STRATEGY_LAUNCH = "strategy_launch", "Neglect strategy and toolkit launch"
    MULTI_AGENCY = "multi_agency", "Multi-agency neglect training"
    SINGLE_AGENCY = "single_agency", "Single-agency neglect training"
    E_LEARNING = "e_learning", "Neglect e-learning"
    CHAMPIONS = "champions", "Neglect champions workshop"
    BRIEFING = "briefing", "Briefing (such as a 60-second briefing)"


class ConfidenceItem(models.TextChoices):
    """The four confidence questions; each has a `<value>_before` and `<value>_after` column."""

    RECOGNISING = "recognising", "Recognising neglect"
    RESPONDING = "responding", "Responding to neglect"
    FINDING_TOOLS = "finding_tools", "Knowing where to find the tools"
    USING_TOOLS = "using_tools", "Using the tools"


CONFIDENCE_SCALE = range(1, 6)  # 1 not at all confident … 5 very confident


class TrainingSession(models.Model):
    title = models.CharField(max_length=200)
    held_on = models.DateField("Date")
    course_type = models.CharField(max_length=20, choices=CourseType.choices)
    # The delivering agency; none for a partnership-wide session.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="training_sessions"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%-d %b %Y})"

    @property
    def delivered_by(self) -> str:
        return self.agency.name if self.agency else "The partnership"


def _confidence_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True)


class Attendance(models.Model):
    """One practitioner at one session, with their confidence before and after (1–5, optional)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_attendances",
    )
    # Name and agency are copied from the user when there is one, so the record reads the same
    # if the log-in is later removed; for people without a log-in they are all there is.
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recognising_before = _confidence_field("Recognising neglect, before")
    recognising_after = _confidence_field("Recognising neglect, after")
    responding_before = _confidence_field("Responding to neglect, before")
    responding_after = _confidence_field("Responding to neglect, after")
    finding_tools_before = _confidence_field("Knowing where the tools are, before")
    finding_tools_after = _confidence_field("Knowing where the tools are, after")
    using_tools_before = _confidence_field("Using the tools, before")
    using_tools_after = _confidence_field("Using the tools, after")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False),
                name="attend_a_session_once",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{item}_{when}__isnull": True})
                    | Q(**{f"{item}_{when}__gte": 1, f"{item}_{when}__lte": 5}),
                    name=f"confidence_{item}_{when}_1_to_5",
                )
                for item in ConfidenceItem.values
                for when in ("before", "after")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.session}"

    @property
    def practitioner_key(self) -> tuple[str, object]:
        """Who this is, for counting distinct practitioners: the log-in, or name within agency."""
        if self.user_id:
            return ("user", self.user_id)
        return ("name", (" ".join(self.name.lower().split()), self.agency_id))


class TrainingTarget(models.Model):
    """How many of an agency's practitioners the partnership aims to train in a plan year."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="training_targets")
    plan_year = models.CharField(max_length=7)
    practitioners = models.PositiveIntegerField()
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-plan_year", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "plan_year"], name="one_training_target_per_agency_per_year"
            )
        ]
