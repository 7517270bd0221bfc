"""Practitioners and other users: each belongs to one agency and holds one role."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from hearth.agencies.models import Agency, Team


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    SCREENER = "screener", "Front-door screener"
    ANALYST = "analyst", "Partnership analyst"
    AUDITOR = "auditor", "Auditor / scrutineer"
    IG_OFFICER = "ig_officer", "Information-governance officer"
    ADMINISTRATOR = "administrator", "Administrator"
    # Signs off their agency's neglect action plan; sees partnership summaries, not records.
    AGENCY_LEAD = "agency_lead", "Agency safeguarding lead"
    # Decides who is who: reviews the possible matches the linkage model was unsure about.
    DATA_QUALITY = "data_quality", "Data-quality officer"


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
