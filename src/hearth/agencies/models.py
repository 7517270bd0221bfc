"""The partner agencies of the safeguarding partnership, and their teams."""

from django.db import models


class AgencyType(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    EARLY_HELP = "early_help", "Early help"
    POLICE = "police", "Police"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    GP = "gp", "GP practice"
    ACUTE_HOSPITAL = "acute", "Acute hospital / A&E"
    CAMHS = "camhs", "CAMHS"
    ADULT_MENTAL_HEALTH = "adult_mh", "Adult mental health"
    SUBSTANCE_MISUSE = "substance", "Substance-misuse service"
    SCHOOL = "school", "School / education"
    EHE_TEAM = "ehe", "Elective home education team"
    HOUSING = "housing", "Housing provider"
    VOLUNTARY = "voluntary", "Voluntary sector"
    PROBATION = "probation", "Probation"
    ANIMAL_WELFARE = "animal_welfare", "Animal welfare"


class Agency(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    agency_type = models.CharField(max_length=30, choices=AgencyType.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # The source-system name used on imported records (e.g. "mosaic", "systmone").
    source_system = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"
