"""Provenance of imports: each run, the problems found, and what happened to each child.

Rows name people by plain ids and LA child IDs, never by foreign key, so correcting or merging a
person can never erase the record of what an import did.
"""

from django.db import models

from hearth.lib.immutable import ImmutableModel


class ImportKind(models.TextChoices):
    CIN_CENSUS = "cin_census", "Children in Need census (XML)"
    PEOPLE = "people", "Agency extract: people"
    ADDRESSES = "addresses", "Agency extract: addresses"
    RELATIONSHIPS = "relationships", "Agency extract: relationships"
    INVOLVEMENTS = "involvements", "Agency extract: involvements"
    CHRONOLOGY = "chronology", "Agency extract: chronology entries"


class ImportMode(models.TextChoices):
    REJECT = "reject", "Whole file, or nothing if any child or row has an error"
    PARTIAL = "partial", "The children or rows without errors; the others held back"


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, waiting to be checked"
    VALIDATED = "validated", "Checked: waiting for a decision to load"
    QUEUED = "queued", "Waiting to be loaded"
    LOADING = "loading", "Loading"
    LOADED = "loaded", "Loaded"
    REJECTED = "rejected", "Rejected: nothing was loaded"
    FAILED = "failed", "Failed: nothing was loaded"


# The state machine of a run: the statuses each may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.UPLOADED: frozenset({RunStatus.VALIDATED, RunStatus.REJECTED, RunStatus.FAILED}),
    RunStatus.VALIDATED: frozenset(
        {RunStatus.QUEUED, RunStatus.LOADING, RunStatus.REJECTED, RunStatus.FAILED}
    ),
    RunStatus.QUEUED: frozenset({RunStatus.LOADING, RunStatus.REJECTED, RunStatus.FAILED}),
    RunStatus.LOADING: frozenset({RunStatus.LOADED, RunStatus.REJECTED, RunStatus.FAILED}),
    RunStatus.LOADED: frozenset(),
    RunStatus.REJECTED: frozenset(),
    RunStatus.FAILED: frozenset(),
}
FINISHED = frozenset({RunStatus.LOADED, RunStatus.REJECTED, RunStatus.FAILED})


class ImportRun(models.Model):
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size_bytes = models.BigIntegerField()
    # Where an uploaded file is kept until it is loaded (relative to settings.IMPORT_DIR).
    stored_name = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=10, choices=[("command", "Command"), ("browser", "Browser")])
    mode = models.CharField(max_length=10, choices=ImportMode.choices, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices)
    by_id = models.BigIntegerField(null=True, blank=True)
    by_username = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    validated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    header = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    skipped = models.JSONField(default=dict, blank=True, help_text="Unused modules, by name")
    problem_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class ImportProblem(ImmutableModel):
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="problems")
    child = models.CharField(
        max_length=100, blank=True, help_text="LAchildID, or the row number of an extract"
    )
    path = models.CharField(max_length=300, help_text="Element path, or an extract's column")
    value = models.TextField(blank=True)
    rule = models.CharField(max_length=40)
    message = models.TextField()

    class Meta:
        ordering = ["id"]


class ChildOutcome(models.TextChoices):
    CREATED = "created", "New to Hearth"
    UPDATED = "updated", "Already known: updated"
    UNCHANGED = "unchanged", "Already known: nothing changed"
    HELD_BACK = "held_back", "Held back: has errors"


class ImportChildOutcome(ImmutableModel):
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="outcomes")
    la_child_id = models.CharField(max_length=100)
    outcome = models.CharField(max_length=10, choices=ChildOutcome.choices)
    person_id = models.BigIntegerField(null=True, blank=True)
    matched_by = models.CharField(max_length=20, blank=True)
    episodes_created = models.PositiveIntegerField(default=0)
    episodes_updated = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "outcome"], name="import_outcome_idx")]


class ColumnMapping(models.Model):
    """An agency's own headers for one kind of extract: {"their header": "hearth_column"}.

    Saved with `hearth import mapping`; applied to every extract of that kind from the agency
    unless the command is given another (`--mapping FILE.json`).
    """

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="column_mappings"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField()
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="column_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.kind}"
