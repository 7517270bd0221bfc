"""Practice tools as data, and the responses completed against a child.

A `Tool` is a named practice tool ("A day in my life"); each `ToolVersion` holds one immutable
JSON definition (sections, questions, answer types, scoring parameters, guidance). A
`ToolResponse` is completed against the version it was started on, so an old response keeps
showing exactly as it was answered after the partnership publishes a new version. Drafts change
freely; completion locks the response, and later changes are amendments kept in
`ResponseVersion`, as with chronology entries.
"""

from typing import Any

from django.conf import settings
from django.db import models

from hearth.agencies.models import Agency
from hearth.chronology.models import ChronologyEntry
from hearth.lib.immutable import ImmutableModel
from hearth.people.models import Person


class Tool(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    mandatory = models.BooleanField(
        default=False, help_text="Part of the mandatory neglect toolkit, reported in the dataset."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "ToolVersion | None":
        return self.versions.order_by("-version").first()


class ToolVersion(ImmutableModel):
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the canonical definition")
    loaded_at = models.DateTimeField()
    loaded_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["tool", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "version"], name="tool_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tool.name}, version {self.version}"

    @property
    def scoring_method(self) -> str:
        return str(self.definition.get("scoring", {}).get("method", "none"))


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class ToolResponse(ImmutableModel):
    """Changed only by `hearth.toolkit.actions`, inside `allow_changes()`."""

    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="responses")
    tool_version = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tool_responses")
    subjects: "models.ManyToManyField[Person, ResponseSubject]" = models.ManyToManyField(
        Person, through="ResponseSubject", related_name="tool_subject_of"
    )
    carer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tool_responses_as_carer",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tool_responses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    answers = models.JSONField(default=dict)
    result = models.JSONField(default=dict, help_text="Scores computed when completed or amended")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # The date the tool is about (e.g. the day observed); the completion date when the tool has none.
    effective_date = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="0 while a draft; 1 when completed")
    chronology_entry = models.ForeignKey(
        ChronologyEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["child", "tool", "status"], name="response_child_idx"),
            models.Index(fields=["tool", "completed_at"], name="response_completed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tool.name} for {self.child}"

    @property
    def is_draft(self) -> bool:
        return self.status == ResponseStatus.DRAFT

    @property
    def definition(self) -> dict[str, Any]:
        return dict(self.tool_version.definition)


class ResponseSubject(models.Model):
    """A child the response is about: the child it was started for, and siblings it covers.

    Changeable while the response is a draft (the practitioner may add or remove a sibling)."""

    response = models.ForeignKey(
        ToolResponse, on_delete=models.PROTECT, related_name="subject_links"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "person"], name="response_subject_unique")
        ]


class ResponseVersionKind(models.TextChoices):
    COMPLETED = "completed", "Completed"
    AMENDMENT = "amendment", "Amended"


class ResponseVersion(ImmutableModel):
    """A completed response exactly as it stood at completion and after each amendment."""

    response = models.ForeignKey(ToolResponse, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ResponseVersionKind.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    answers = models.JSONField()
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["response", "version"]
        constraints = [
            models.UniqueConstraint(fields=["response", "version"], name="response_version_unique")
        ]
