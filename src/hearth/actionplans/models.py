"""Each agency's neglect action plan, its quarterly RAG updates, sign-off, and the Impact Framework.

The West Sussex strategy asks every agency for an action plan under four strategic objectives,
RAG-rated each quarter and signed off by the agency's lead, and an Impact Framework that gathers
evidence from seven sources. Agencies did this by hand; here the quarterly return is a record.

Updates and sign-offs are append-only: the RAG an agency reported for a quarter is what
scrutiny saw. A correction is a new update for the same quarter that supersedes the old one,
which is kept.
"""

from django.conf import settings
from django.db import models

from hearth.agencies.models import Agency
from hearth.lib.immutable import ImmutableModel
from hearth.lib.periods import Quarter


class StrategicObjective(models.TextChoices):
    RECOGNISE = "recognise", "Recognise"
    RESPOND = "respond", "Respond"
    QUANTIFY = "quantify", "Quantify"
    EVALUATE = "evaluate", "Evaluate"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


# The strategy's order, for listing objectives (their stored values sort alphabetically).
OBJECTIVE_ORDER = {value: i for i, value in enumerate(StrategicObjective.values)}

# Higher is worse: the heatmap shows the worst rating under an objective.
RAG_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"


class ActionPlan(models.Model):
    """One agency's neglect action plan for one plan year (April to March, e.g. 2025-26)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="action_plans")
    plan_year = models.CharField(max_length=7)
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-plan_year", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "plan_year"], name="one_action_plan_per_agency_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} neglect action plan {self.plan_year}"


class PlanObjective(models.Model):
    """What the agency means to achieve under one of the four strategic objectives."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="objectives")
    strategic_objective = models.CharField(max_length=10, choices=StrategicObjective.choices)
    description = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "strategic_objective", "pk"]

    def __str__(self) -> str:
        return f"{self.get_strategic_objective_display()}: {self.description[:60]}"


class AgencyAction(models.Model):
    """An action in an agency's plan: who owns it, by when, and how the agency will know it worked.

    Mutable only in its status, which the update actions set from the current updates."""

    objective = models.ForeignKey(PlanObjective, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="A named person or role")
    due_date = models.DateField()
    measure_of_impact = models.TextField()
    # The first quarter an update is due for: an action added in Q3 is not overdue for Q2.
    first_quarter = models.CharField(max_length=6)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_quarter = models.CharField(max_length=6, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["objective", "due_date", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class ActionUpdate(ImmutableModel):
    """A quarterly update on one action: RAG rating, narrative and evidence. Never changed.

    A correction for the same quarter is a new update whose `supersedes` names the one it
    replaces; the current update for a quarter is the one nothing supersedes."""

    action = models.ForeignKey(AgencyAction, on_delete=models.PROTECT, related_name="updates")
    quarter = models.CharField(max_length=6)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices)
    narrative = models.TextField()
    evidence = models.TextField(blank=True)
    marks_complete = models.BooleanField(default=False)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["action", "-quarter", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["quarter", "action"], name="actionupdate_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.quarter} {self.rag}: {self.narrative[:60]}"

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label


class SignOff(ImmutableModel):
    """The agency lead's sign-off of the plan's updates for one quarter: who, when, and what they saw.

    Signing off again is possible only after an update for that quarter was recorded or corrected
    since the last sign-off; every sign-off is kept."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="sign_offs")
    quarter = models.CharField(max_length=6)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_by_name = models.CharField(max_length=200)
    signed_by_job_title = models.CharField(max_length=120, blank=True)
    # The updates current when signed, so a later correction shows as not yet signed off.
    update_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["plan", "-quarter", "-signed_at"]


class EvidenceSource(models.TextChoices):
    """The seven sources of the Impact Framework (seed 001 §2.7)."""

    VOICE_OF_CHILDREN = "voice_of_children", "Voice of children and young people"
    PRACTITIONER_FEEDBACK = "practitioner_feedback", "Practitioner feedback"
    OBSERVATION = "observation_of_practice", "Observation of practice"
    ACTION_PLAN_REVIEWS = "action_plan_reviews", "Review of agency action plans"
    DATA_TRENDS = "data_trends", "Data and performance trends"
    AUDITS = "audits", "Single and multi-agency audits"
    LEARNING_FROM_REVIEWS = "learning_from_reviews", "Learning from case reviews"


class ImpactEvidence(ImmutableModel):
    """Evidence of impact under one strategic objective, from one source, for one quarter.

    Indicator codes are stored as strings (the partnership dataset's codes, such as
    `cp_neglect_share_latest`); the action that records evidence checks each against the
    indicator library, so every code leads to a figure."""

    strategic_objective = models.CharField(max_length=10, choices=StrategicObjective.choices)
    source = models.CharField(max_length=30, choices=EvidenceSource.choices)
    quarter = models.CharField(max_length=6)
    summary = models.TextField()
    indicator_codes = models.JSONField(default=list, blank=True)
    updates: "models.ManyToManyField[ActionUpdate, EvidenceLink]" = models.ManyToManyField(
        ActionUpdate, through="EvidenceLink", related_name="impact_evidence", blank=True
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["strategic_objective", "source", "-quarter", "-recorded_at"]

    @property
    def quarter_label(self) -> str:
        return Quarter.parse(self.quarter).label


class EvidenceLink(ImmutableModel):
    """An action-plan update that supports a piece of evidence."""

    evidence = models.ForeignKey(ImpactEvidence, on_delete=models.PROTECT, related_name="links")
    update = models.ForeignKey(ActionUpdate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "update"], name="evidence_update_once")
        ]
