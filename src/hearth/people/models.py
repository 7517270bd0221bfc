"""People (children and adults), their names, identifiers, addresses over time and relationships.

Codes follow the DfE Children in Need census so a return can be imported and exported without loss.
"""

from datetime import date
from typing import Any

from django.db import models

from hearth.lib.addresses import dwelling_key
from hearth.lib.identifiers import validate_nhs_number, validate_postcode, validate_upn


class PersonKind(models.TextChoices):
    CHILD = "child", "Child"
    ADULT = "adult", "Adult"


class DatePrecision(models.TextChoices):
    EXACT = "exact", "Exact"
    APPROXIMATE = "approximate", "Approximate"
    UNKNOWN = "unknown", "Unknown"
    EXPECTED = "expected", "Expected (unborn)"


class Sex(models.TextChoices):
    """The CIN census 2024-25 `Sex` item."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class GenderCurrent(models.TextChoices):
    """The `GenderCurrent` item of CIN census years before 2024-25."""

    NOT_KNOWN = "0", "Not known"
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    NOT_SPECIFIED = "9", "Not specified"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Disability(models.TextChoices):
    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism / Asperger syndrome"
    DDA = "DDA", "Other DDA"


class Person(models.Model):
    kind = models.CharField(max_length=10, choices=PersonKind.choices, default=PersonKind.CHILD)
    given_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(
        null=True, blank=True, help_text="For an unborn child, the expected date."
    )
    date_of_birth_precision = models.CharField(
        max_length=12, choices=DatePrecision.choices, default=DatePrecision.EXACT
    )
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_current = models.CharField(max_length=1, choices=GenderCurrent.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    disabilities = models.JSONField(
        default=list, blank=True, help_text="CIN census disability codes"
    )
    nhs_number = models.CharField(
        max_length=10, blank=True, validators=[validate_nhs_number], db_index=True
    )
    upn = models.CharField(
        "UPN", max_length=13, blank=True, validators=[validate_upn], db_index=True
    )
    former_upn = models.CharField(
        "Former UPN", max_length=13, blank=True, validators=[validate_upn]
    )
    upn_unknown_reason = models.CharField(
        "Why the UPN is not known",
        max_length=4,
        blank=True,
        help_text="CIN census UPNunknown code, UN1–UN10",
    )
    date_of_death = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when this record was merged into another person; the merge can be undone
    # (hearth.linkage.merge), so the row and everything it held are kept.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["date_of_birth"], name="person_dob_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.given_name, self.middle_names, self.family_name] if p)

    @property
    def is_unborn(self) -> bool:
        return self.date_of_birth_precision == DatePrecision.EXPECTED

    def age_on(self, on: date) -> int | None:
        if self.date_of_birth is None or self.is_unborn or self.date_of_birth > on:
            return None
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


class NameType(models.TextChoices):
    CURRENT = "current", "Current name"
    PREVIOUS = "previous", "Previous name"
    ALIAS = "alias", "Also known as"


class PersonName(models.Model):
    """Every name a person has been known by, with keys for spelling-tolerant search."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name_type = models.CharField(max_length=10, choices=NameType.choices, default=NameType.CURRENT)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    given_key = models.CharField(max_length=100, blank=True)
    family_key = models.CharField(max_length=100, blank=True)
    given_phonetic = models.CharField(max_length=12, blank=True)
    family_phonetic = models.CharField(max_length=12, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["family_key", "given_key"], name="name_key_idx"),
            models.Index(fields=["family_phonetic", "given_phonetic"], name="name_phonetic_idx"),
        ]


class PersonIdentifier(models.Model):
    """A person's identifier in one agency's own system (e.g. a Mosaic ID or a hospital number)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=60)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="identifier_unique_in_system")
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.value}"


class Address(models.Model):
    """A dwelling. The household at an address is whoever lived there at the time."""

    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, validators=[validate_postcode], db_index=True)
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    # hearth.lib.addresses.dwelling_key: the same home spelt differently by two agencies has one
    # key, so co-residence is found across their records.
    match_key = models.CharField(max_length=120, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line1, self.line2, self.town, self.postcode] if p)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.match_key = dwelling_key(self.line1, self.line2, self.postcode, self.uprn)
        super().save(*args, **kwargs)


class Residence(models.Model):
    """Who lived where, when: the basis of households over time."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="residences")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["person", "end_date"], name="residence_person_idx"),
            models.Index(fields=["address", "end_date"], name="residence_address_idx"),
        ]

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class RelationshipType(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    PARENTS_PARTNER = "parents_partner", "Partner of a parent"
    SIBLING = "sibling", "Sibling"
    HALF_SIBLING = "half_sibling", "Half-sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    KINSHIP_CARER = "kinship_carer", "Kinship carer"
    OTHER_SIGNIFICANT_ADULT = "other_adult", "Other significant adult"


SIBLING_TYPES = (RelationshipType.SIBLING, RelationshipType.HALF_SIBLING)


class Relationship(models.Model):
    """`person` is the `relationship_type` of `relative`: e.g. Dean is the partner of a parent of Amy."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_out")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_in")
    relationship_type = models.CharField(max_length=20, choices=RelationshipType.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["relative", "relationship_type"], name="rel_relative_idx"),
            models.Index(fields=["person", "relationship_type"], name="rel_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="relationship_not_self"
            )
        ]
