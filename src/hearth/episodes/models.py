"""Statutory and early-help episodes: referral, assessment, plans and care.

Shaped on the DfE Children in Need census: a referral opens a CIN episode (`CINdetails`), and
the assessments, section 47 enquiries, CIN plans and CP plans within it point back at that
referral, so a census return can be imported and exported without loss.
"""

from django.db import models

from hearth.agencies.models import Agency
from hearth.people.models import Person


class EpisodeKind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    ASSESSMENT = "assessment", "Assessment"
    SECTION_47 = "s47", "Section 47 enquiry"
    EARLY_HELP_PLAN = "early_help", "Early help plan"
    CIN_PLAN = "cin_plan", "Child in need plan"
    CP_PLAN = "cp_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"


PLAN_KINDS = (
    EpisodeKind.EARLY_HELP_PLAN,
    EpisodeKind.CIN_PLAN,
    EpisodeKind.CP_PLAN,
    EpisodeKind.LOOKED_AFTER,
)


class AbuseCategory(models.TextChoices):
    NEGLECT = "NEG", "Neglect"
    PHYSICAL = "PHY", "Physical abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    SEXUAL = "SAB", "Sexual abuse"
    MULTIPLE = "MUL", "Multiple"


class ReferralSource(models.TextChoices):
    """CIN census referral source codes."""

    INDIVIDUAL = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    HEALTH_GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    HEALTH_OTHER_PRIMARY = "3D", "Health services: other primary health services"
    HOSPITAL_AE = "3E", "Health services: A&E"
    HOSPITAL_OTHER = "3F", "Health services: other"
    HOUSING = "4", "Housing"
    LA_SERVICES_SOCIAL_CARE = "5A", "LA services: social care"
    LA_SERVICES_OTHER = "5B", "LA services: other internal"
    LA_SERVICES_EXTERNAL = "5C", "LA services: external"
    LA_SERVICES_EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class PrimaryNeed(models.TextChoices):
    ABUSE_NEGLECT = "N1", "Abuse or neglect"
    DISABILITY = "N2", "Child's disability"
    PARENTAL_ILLNESS = "N3", "Parental illness or disability"
    FAMILY_STRESS = "N4", "Family in acute stress"
    FAMILY_DYSFUNCTION = "N5", "Family dysfunction"
    SOCIALLY_UNACCEPTABLE = "N6", "Socially unacceptable behaviour"
    LOW_INCOME = "N7", "Low income"
    ABSENT_PARENTING = "N8", "Absent parenting"
    NOT_STATED = "N9", "Cases other than children in need"
    NO_NEED = "N0", "Not stated"


class ScreeningStatus(models.TextChoices):
    UNDER_SCREENING = "screening", "Under screening at the front door"
    DECIDED = "decided", "Screening decided"


class Episode(models.Model):
    kind = models.CharField(max_length=20, choices=EpisodeKind.choices)
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    # The referral (CIN episode) this assessment, plan or enquiry belongs to, when known.
    referral = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children_episodes"
    )
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=120, blank=True, help_text="e.g. CIN census RC1–RC8")

    # Referral (CINdetails)
    referral_source = models.CharField(max_length=3, choices=ReferralSource.choices, blank=True)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    referral_nfa = models.BooleanField(null=True, blank=True)
    screening_status = models.CharField(max_length=10, choices=ScreeningStatus.choices, blank=True)

    # Assessment
    internal_review_date = models.DateField(null=True, blank=True)
    authorisation_date = models.DateField(null=True, blank=True)
    factors = models.JSONField(
        default=list, blank=True, help_text="Assessment factor codes, e.g. 16A"
    )

    # Section 47
    initial_cpc_target = models.DateField(null=True, blank=True)
    initial_cpc_date = models.DateField(null=True, blank=True)
    icpc_not_required = models.BooleanField(null=True, blank=True)

    # Child protection plan
    initial_category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)
    latest_category = models.CharField(max_length=3, choices=AbuseCategory.choices, blank=True)
    number_of_previous_cpp = models.PositiveSmallIntegerField(null=True, blank=True)
    review_dates = models.JSONField(default=list, blank=True)

    # Where the record came from, so re-imports never duplicate.
    source_system = models.CharField(max_length=60, blank=True)
    source_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["child", "kind", "start_date"], name="episode_child_idx"),
            models.Index(fields=["kind", "start_date"], name="episode_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="episode_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["source_system", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="episode_unique_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    @property
    def is_plan(self) -> bool:
        return self.kind in PLAN_KINDS
