"""The multi-agency impact chronology: what each agency knew, when, and what it meant for the child.

A `ChronologyEntry` carries the current content of an entry, for fast listing; every version of
it, the first included, is kept in `EntryVersion`, which is immutable. Amending or retracting an
entry is an action that adds a version and updates the entry's current content in one
transaction: nothing is ever deleted or overwritten without its history.
"""

from django.conf import settings
from django.db import models

from hearth.agencies.models import Agency
from hearth.lib.immutable import ImmutableModel
from hearth.people.models import Address, Person


class NeglectDomain(models.TextChoices):
    PHYSICAL_CARE = "physical_care", "Physical care"
    HEALTH = "health", "Health"
    SAFETY = "safety", "Supervision and safety"
    EMOTIONAL = "emotional", "Emotional care"
    EDUCATION = "education", "Education"
    HOME_CONDITIONS = "home_conditions", "Home conditions"
    NONE = "", "Not neglect-specific"


class EventType(models.Model):
    """The configurable taxonomy of chronology events, with a default concern weight."""

    code = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=200)
    domain = models.CharField(max_length=20, choices=NeglectDomain.choices, blank=True)
    default_weight = models.DecimalField(max_digits=4, decimal_places=1, default=0)
    is_concern = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class DateAccuracy(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"


class SharingLevel(models.TextChoices):
    PARTNERSHIP = "partnership", "Partnership: every agency working with the family"
    OWN_AGENCY = "own_agency", "Own agency only"
    RESTRICTED = "restricted", "Restricted to named roles"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETRACTED = "retracted", "Retracted"


class ChronologyEntry(ImmutableModel):
    """Changed only by the chronology actions, inside `allow_changes()`, alongside a new EntryVersion."""

    # No index of its own (nor event_type): a handful of values over millions of rows, which no
    # query looks up alone, and which a bulk import would otherwise maintain for every row.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="chronology_entries", db_index=False
    )
    # Indexed only where set (entry_author_idx): imported entries have no author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    author_name = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()
    subjects: "models.ManyToManyField[Person, EntrySubject]" = models.ManyToManyField(
        Person, through="EntrySubject", related_name="chronology_entries"
    )
    # No index of its own: entry_household_idx (household, event_date) serves every lookup.
    household = models.ForeignKey(
        Address,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="household_entries",
        help_text="An entry about the whole household at this address, shown on every member's chronology.",
    )
    source_system = models.CharField(max_length=60, blank=True)
    source_reference = models.CharField(max_length=100, blank=True)

    # Current content, mirrored from the latest EntryVersion by the chronology actions.
    event_date = models.DateField()
    date_accuracy = models.CharField(
        max_length=5, choices=DateAccuracy.choices, default=DateAccuracy.DAY
    )
    event_type = models.ForeignKey(
        EventType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    description = models.TextField()
    impact_on_child = models.TextField("What this means for the child", blank=True)
    sharing_level = models.CharField(
        max_length=12, choices=SharingLevel.choices, default=SharingLevel.PARTNERSHIP
    )
    # Roles allowed to see a restricted entry, stored ",team_manager,ig_officer," so any database can filter it.
    restricted_roles = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.ACTIVE
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "chronology entries"
        indexes = [
            # Partial: most entries are about people, not a household, and a bulk import of a
            # million of them should not maintain a million index entries for NULL.
            models.Index(
                fields=["household", "event_date"],
                name="entry_household_idx",
                condition=models.Q(household__isnull=False),
            ),
            models.Index(fields=["event_date"], name="entry_date_idx"),
            models.Index(
                fields=["author"], name="entry_author_idx", condition=models.Q(author__isnull=False)
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="entry_unique_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_date:%d/%m/%Y} {self.event_type}"

    @property
    def date_display(self) -> str:
        """The event date as precisely as it is known: '2024', 'Mar 2024' or '5 Mar 2024'."""
        if self.date_accuracy == DateAccuracy.YEAR:
            return f"{self.event_date:%Y}"
        if self.date_accuracy == DateAccuracy.MONTH:
            return f"{self.event_date:%b %Y}"
        return f"{self.event_date.day} {self.event_date:%b %Y}"

    @property
    def about_display(self) -> str:
        """Who the entry is about (uses prefetched subject links)."""
        names = ", ".join(link.person.full_name for link in self.subject_links.all())
        if self.household_id and self.household is not None:
            household = f"the household at {self.household.line1}"
            return f"{household}; {names}" if names else household
        return names


class EntrySubject(ImmutableModel):
    """A person an entry is about. `event_date` is mirrored here so a family's chronology is one index scan."""

    # No index of its own: subject_unique (entry, person) serves every lookup by entry.
    entry = models.ForeignKey(
        ChronologyEntry, on_delete=models.PROTECT, related_name="subject_links", db_index=False
    )
    # No index of its own: subject_person_date_idx (person, -event_date) serves every lookup.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="entry_links", db_index=False
    )
    event_date = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["person", "-event_date"], name="subject_person_date_idx")]
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="subject_unique")]


class VersionKind(models.TextChoices):
    ORIGINAL = "original", "Recorded"
    AMENDMENT = "amendment", "Amended"
    RETRACTION = "retraction", "Retracted"


class EntryVersion(ImmutableModel):
    """One version of an entry exactly as it was recorded: never changed, never deleted."""

    # No index of its own: entry_version_unique (entry, version) serves every lookup by entry.
    entry = models.ForeignKey(
        ChronologyEntry, on_delete=models.PROTECT, related_name="versions", db_index=False
    )
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=VersionKind.choices)
    recorded_at = models.DateTimeField()
    # Indexed only where set (version_recorded_by_idx): imported versions have no user.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was amended or retracted")
    event_date = models.DateField()
    date_accuracy = models.CharField(max_length=5, choices=DateAccuracy.choices)
    event_type = models.ForeignKey(
        EventType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    description = models.TextField()
    impact_on_child = models.TextField(blank=True)
    sharing_level = models.CharField(max_length=12, choices=SharingLevel.choices)
    restricted_roles = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["entry", "version"]
        indexes = [
            models.Index(
                fields=["recorded_by"],
                name="version_recorded_by_idx",
                condition=models.Q(recorded_by__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "version"], name="entry_version_unique")
        ]
