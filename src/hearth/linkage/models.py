"""The master person index: every record as received, the person it is linked to, and why.

A source record is what one agency's system said about someone (import, API or form), kept
exactly as received. Its link to a Person is current state; `LinkEvent` is the history of how
that link was made and changed (rule or model version, score, who confirmed it), so any link
can be explained and any merge undone (ADR 0008).
"""

from django.conf import settings
from django.db import models

from hearth.lib.immutable import ImmutableModel
from hearth.people.models import Person


class Channel(models.TextChoices):
    IMPORT = "import", "File import"
    API = "api", "Partner API"
    FORM = "form", "Hearth form"
    BACKFILL = "backfill", "Records Hearth already held"


class LinkMethod(models.TextChoices):
    NHS_NUMBER = "nhs_number", "NHS number (check digit verified)"
    UPN = "upn", "Unique pupil number"
    LOCAL_ID = "local_id", "The source system's own reference"
    MODEL = "model", "Probabilistic model, above the upper threshold"
    CLERICAL = "clerical", "A reviewer decided"
    NEW_PERSON = "new_person", "No match: a new person"
    MERGE = "merge", "Two people merged"
    UNMERGE = "unmerge", "A merge undone"


class LinkageModel(models.Model):
    """A trained Splink model: its settings and parameters as Splink saves them, versioned."""

    version = models.PositiveIntegerField(unique=True)
    splink_settings = models.JSONField(help_text="Splink's saved model (settings, m and u)")
    upper_threshold = models.FloatField(help_text="Match probability at or above: link")
    lower_threshold = models.FloatField(help_text="Match probability below: a new person")
    trained_at = models.DateTimeField()
    trained_by = models.CharField(max_length=150)
    records_trained_on = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=dict, blank=True, help_text="Training figures")
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_model"
            ),
            models.CheckConstraint(
                condition=models.Q(lower_threshold__lte=models.F("upper_threshold")),
                name="thresholds_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Linkage model v{self.version}"


class SourceRecord(models.Model):
    """One agency's record of a person, as received. Never edited: a changed source record
    arrives again under the same (source_system, source_reference) and its fields are replaced,
    with the previous values kept in `history`."""

    source_system = models.CharField(max_length=60)
    source_reference = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    # The identifying fields as received (not standardised: that is the matcher's business).
    given_name = models.CharField(max_length=100, blank=True)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    previous_family_names = models.JSONField(default=list, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    nhs_number = models.CharField(max_length=20, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text="Every field as received")
    # Folded names (hearth.lib.names.fold): the incremental matcher's blocking keys.
    given_key = models.CharField(max_length=100, blank=True)
    family_key = models.CharField(max_length=100, blank=True)
    history = models.JSONField(default=list, blank=True, help_text="Earlier versions")
    # The current link; null while the record waits in the review queue.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="source_records"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_reference"], name="source_record_unique"
            )
        ]
        indexes = [
            models.Index(fields=["date_of_birth"], name="srcrec_dob_idx"),
            models.Index(fields=["nhs_number"], name="srcrec_nhs_idx"),
            models.Index(fields=["postcode"], name="srcrec_postcode_idx"),
            models.Index(fields=["family_key", "given_key"], name="srcrec_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.source_reference}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.given_name, self.middle_names, self.family_name] if p)


class LinkEvent(ImmutableModel):
    """How a source record came to be linked to a person, and every change since (append only)."""

    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="events")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous_person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=12, choices=LinkMethod.choices)
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, null=True, blank=True)
    match_weight = models.FloatField(null=True, blank=True)
    match_probability = models.FloatField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["record", "at", "pk"]
        indexes = [models.Index(fields=["record", "at"], name="linkevent_record_idx")]


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    SAME = "same", "Same person"
    DIFFERENT = "different", "Different people"
    NOT_SURE = "not_sure", "Not sure"
    WITHDRAWN = "withdrawn", "No longer needed"


class ReviewItem(models.Model):
    """A pair the model was unsure about: an incoming record and the closest record in the index."""

    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="reviews")
    candidate = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, null=True, blank=True)
    match_weight = models.FloatField()
    match_probability = models.FloatField()
    # Per comparison: name, level label, both values and its match weight (for the screen).
    comparison = models.JSONField(default=list)
    why_review = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default="open")
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-match_probability", "created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="review_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "candidate"],
                condition=models.Q(status="open"),
                name="one_open_review_per_pair",
            )
        ]


class NonMatch(ImmutableModel):
    """A remembered "different people" decision: this pair is never proposed again."""

    record_low = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    record_high = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_low", "record_high"], name="nonmatch_unique"),
            models.CheckConstraint(
                condition=models.Q(record_low__lt=models.F("record_high")),
                name="nonmatch_ordered",
            ),
        ]


class Merge(models.Model):
    """Two people found to be one. `snapshot` holds every row the merge re-pointed, so that an
    unmerge restores exactly what was there before."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(ReviewItem, on_delete=models.PROTECT, null=True, blank=True)
    snapshot = models.JSONField(default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()
    at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("merged")), name="merge_not_self"
            )
        ]
