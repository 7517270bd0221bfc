"""The partnership's reporting settings and the published figures it compares itself with.

The dataset itself is never stored: it is computed from the records each time it is asked for
(`hearth.partnership.dataset`), so a backdated entry or an import shows in the next report.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class PopulationSource(models.TextChoices):
    ONS = "ons", "ONS mid-year estimate for the local authority (as the DfE does)"
    FIXED = "fixed", "A fixed number entered here"
    RECORDS = "records", "Children aged 0 to 17 in Hearth's own records"


class ReportingSettings(models.Model):
    """One row: which local authority the partnership is, and how its rates are worked out."""

    la_code = models.CharField(
        "Local authority code",
        max_length=9,
        blank=True,
        help_text="The new ONS code (e.g. E10000032) or the old DfE number (e.g. 938)",
    )
    population_source = models.CharField(
        max_length=10, choices=PopulationSource.choices, default=PopulationSource.RECORDS
    )
    fixed_child_population = models.PositiveIntegerField(null=True, blank=True)
    # Emerging themes: how far an indicator must move to be listed first.
    theme_points = models.DecimalField(
        "Theme threshold (percentage points)",
        max_digits=5,
        decimal_places=1,
        default=5,
        validators=[MinValueValidator(0)],
    )
    theme_relative = models.PositiveSmallIntegerField(
        "Theme threshold for counts and rates (per cent change)",
        default=20,
        validators=[MaxValueValidator(1000)],
    )
    theme_min_denominator = models.PositiveIntegerField(
        "Fewest records behind a figure before it can be a theme", default=10
    )

    class Meta:
        verbose_name_plural = "reporting settings"

    def __str__(self) -> str:
        return f"Reporting settings ({self.la_code or 'no local authority chosen'})"


class AreaLevel(models.TextChoices):
    NATIONAL = "national", "England"
    REGIONAL = "regional", "Region"
    LOCAL_AUTHORITY = "la", "Local authority"


class ReferenceValue(models.Model):
    """A published figure for one area and reporting year (years end on 31 March)."""

    measure = models.SlugField(max_length=60)
    year = models.PositiveSmallIntegerField(help_text="The reporting year's end, e.g. 2025")
    level = models.CharField(max_length=10, choices=AreaLevel.choices)
    area_code = models.CharField(max_length=9, help_text="ONS code; old DfE number for LAs")
    old_la_code = models.CharField(max_length=3, blank=True)
    area_name = models.CharField(max_length=100)
    region_code = models.CharField(max_length=9, blank=True)
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["measure", "-year", "level", "area_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "year", "level", "area_code"], name="reference_value_unique"
            )
        ]
        indexes = [models.Index(fields=["measure", "year"], name="reference_measure_year_idx")]

    def __str__(self) -> str:
        return f"{self.measure} {self.year} {self.area_name}: {self.value}"


class StatisticalNeighbour(models.Model):
    """The DfE's statistical-neighbour groupings (April 2021): ten neighbours per authority."""

    old_la_code = models.CharField(max_length=3)
    neighbour_old_la_code = models.CharField(max_length=3)
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["old_la_code", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["old_la_code", "rank"], name="statistical_neighbour_unique"
            )
        ]
