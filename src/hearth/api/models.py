"""Credentials for partner systems, and the idempotency keys of their writes.

A credential belongs to one agency and acts through its own service user, so every request is
scoped by the same need-to-know rules as that agency's practitioners and audited under its name.
Only a hash of the secret is kept: the secret is shown once, when the credential is made.
"""

from django.conf import settings
from django.db import models


class Scope(models.TextChoices):
    LOOKUP = "children:lookup", "Look up whether a child is known to the agency"
    CHRONOLOGY_READ = "chronology:read", "Read a child's chronology"
    CHRONOLOGY_WRITE = "chronology:write", "Record chronology entries"
    INVOLVEMENTS_WRITE = "involvements:write", "Record the agency's involvement with a child"
    PEOPLE_WRITE = "people:write", "Send the agency's records of people, for matching"


class ApiCredential(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="e.g. the partner system's name")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_credential"
    )
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="api_credential_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


class IdempotencyRecord(models.Model):
    """The answer to a write, kept so that the same request sent again gets the same answer."""

    credential = models.ForeignKey(ApiCredential, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "key"], name="idempotency_unique_key")
        ]
