"""Published DfE children-in-need figures and ONS child populations, loaded from the files shipped
in `reference_data/` (Open Government Licence v3.0; see that folder's README).

Each measure is worked out from the published columns the way the DfE presents it, so a
partnership's own indicator can stand beside England, its region and its statistical neighbours.
Loading replaces every measure it loads in one transaction: re-running never duplicates.
"""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from django.db import transaction
from django.db.models import Q

from hearth.partnership.models import (
    AreaLevel,
    ReferenceValue,
    ReportingSettings,
    StatisticalNeighbour,
)

DATA = Path(__file__).parent / "reference_data"
PUBLICATION = (
    "DfE, Children in need statistics (years ending 31 March), Open Government Licence v3.0"
)
ONS = "ONS mid-year population estimates, children aged 0 to 17, Open Government Licence v3.0"
_LEVELS = {
    "National": AreaLevel.NATIONAL,
    "Regional": AreaLevel.REGIONAL,
    "Local authority": AreaLevel.LOCAL_AUTHORITY,
}
CHILD_POPULATION = "child_population"


class ReferenceDataError(ValueError):
    """A shipped or supplied file is not in the published layout."""


@dataclass(frozen=True)
class Measure:
    code: str
    file: str
    describe: str
    # (row) -> (value, numerator, denominator); numerator/denominator may be None
    compute: Callable[
        [dict[str, str], float | None], tuple[float | None, float | None, float | None]
    ]
    needs_population: bool = False


def _num(text: str | None) -> float | None:
    """Published cells hold numbers or suppression markers (c, x, z, low, ..)."""
    if text is None:
        return None
    text = text.strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _share(num: float | None, den: float | None) -> tuple[float | None, float | None, float | None]:
    if num is None or not den:
        return None, num, den
    return 100 * num / den, num, den


def _rate(num: float | None, pop: float | None) -> tuple[float | None, float | None, float | None]:
    if num is None or not pop:
        return None, num, pop
    return 10_000 * num / pop, num, pop


MEASURES = (
    Measure(
        "referral_rate",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "Referrals in the year per 10,000 children",
        lambda r, pop: _rate(_num(r["referral_count"]), pop),
        needs_population=True,
    ),
    Measure(
        "rereferral_percent",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "Referrals within 12 months of a previous referral, per cent of referrals",
        lambda r, _: (
            _num(r["rereferral_percent"]),
            _num(r["rereferral_count"]),
            _num(r["referral_count"]),
        ),
    ),
    Measure(
        "cin_rate_at31",
        "b1_children_in_need_2013_to_2025.csv",
        "Children in need at 31 March per 10,000 children",
        lambda r, pop: _rate(_num(r["At31_episodes"]), pop),
        needs_population=True,
    ),
    Measure(
        "cp_rate_at31",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "Children on child protection plans at 31 March per 10,000 children",
        lambda r, pop: _rate(_num(r["CPP_At31"]), pop),
        needs_population=True,
    ),
    Measure(
        "cp_2years_percent_at31",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "Child protection plans open at 31 March for 2 years or more, per cent",
        lambda r, _: (
            _num(r["2_years_or_more_percent"]),
            _num(r["2_years_or_more"]),
            _num(r["CPP_At31"]),
        ),
    ),
    Measure(
        "cp_subsequent_percent",
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "Child protection plans started in the year that were a second or subsequent plan, per cent",
        lambda r, _: (
            _num(r["CPP_subsequent_percent"]),
            _num(r["CPP_subsequent"]),
            _num(r["CPP_start"]),
        ),
    ),
    Measure(
        "assessment_neglect_percent",
        "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv",
        "Episodes with neglect (16A) identified at the end of assessment, per cent of episodes "
        "with any factor",
        lambda r, _: _share(_num(r["Neglect"]), _num(r["Episodes_with_assessment_factor"])),
    ),
)


def _rows(name: str) -> Iterator[dict[str, str]]:
    path = DATA / name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        required = {"time_period", "geographic_level", "country_code"}
        if not required <= set(reader.fieldnames or ()):
            raise ReferenceDataError(f"{name}: missing columns {sorted(required)}")
        yield from reader


def _area(row: dict[str, str]) -> tuple[str, str, str, str, str] | None:
    level = _LEVELS.get(row["geographic_level"])
    if level is None:
        return None
    if level == AreaLevel.NATIONAL:
        return level, row["country_code"], "", row["country_name"], ""
    if level == AreaLevel.REGIONAL:
        return level, row["region_code"], "", row["region_name"], ""
    return level, row["new_la_code"], row["old_la_code"], row["la_name"], row["region_code"]


def _populations() -> dict[tuple[str, int], float]:
    out: dict[tuple[str, int], float] = {}
    for row in _rows("ons_mid-year_population_estimates_2012_to_2024.csv"):
        area = _area(row)
        value = _num(row["population_estimate"])
        if area and value:
            out[(area[1], int(row["time_period"]))] = value
    return out


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    """Every measure for every area and year; returns the number of values per measure."""
    populations = _populations()
    objects: list[ReferenceValue] = []
    counts: dict[str, int] = {}
    for row in _rows("ons_mid-year_population_estimates_2012_to_2024.csv"):
        area = _area(row)
        if area is None:
            continue
        level, area_code, old, name, region = area
        objects.append(
            ReferenceValue(
                measure=CHILD_POPULATION,
                year=int(row["time_period"]),
                level=level,
                area_code=area_code,
                old_la_code=old,
                area_name=name,
                region_code=region,
                value=_num(row["population_estimate"]),
                source=f"{ONS}, mid-{row['time_period']}",
            )
        )
    counts[CHILD_POPULATION] = len(objects)
    for measure in MEASURES:
        before = len(objects)
        for row in _rows(measure.file):
            area = _area(row)
            if area is None:
                continue
            level, area_code, old, name, region = area
            year = int(row["time_period"])
            # The DfE's rates use the previous year's mid-year estimate.
            pop = populations.get((area_code, year - 1)) if measure.needs_population else None
            value, numerator, denominator = measure.compute(row, pop)
            objects.append(
                ReferenceValue(
                    measure=measure.code,
                    year=year,
                    level=level,
                    area_code=area_code,
                    old_la_code=old,
                    area_name=name,
                    region_code=region,
                    value=value,
                    numerator=numerator,
                    denominator=denominator,
                    source=f"{PUBLICATION}, {year - 1}-{str(year)[2:]}: {measure.describe}",
                )
            )
        counts[measure.code] = len(objects) - before
    ReferenceValue.objects.filter(measure__in=counts).delete()
    ReferenceValue.objects.bulk_create(objects, batch_size=2000)
    _load_neighbours()
    return counts


def _load_neighbours() -> None:
    path = DATA / "New_Statistical_Neighbour_Groupings_April_2021.csv"
    rows: list[StatisticalNeighbour] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for cells in reader:
            if not cells or not cells[0].strip().isdigit():
                continue
            # LA num, LA name, LA number, GOInd, GOReg, then (SNn, closeness) ten times
            for rank in range(10):
                code = cells[5 + 2 * rank].strip() if len(cells) > 5 + 2 * rank else ""
                closeness = cells[6 + 2 * rank].strip() if len(cells) > 6 + 2 * rank else ""
                if code.isdigit():
                    rows.append(
                        StatisticalNeighbour(
                            old_la_code=cells[0].strip(),
                            neighbour_old_la_code=code,
                            rank=rank + 1,
                            closeness=closeness,
                        )
                    )
    StatisticalNeighbour.objects.all().delete()
    StatisticalNeighbour.objects.bulk_create(rows)


def settings() -> ReportingSettings:
    found = ReportingSettings.objects.order_by("pk").first()
    return found or ReportingSettings.objects.create()


def resolve_la(code: str) -> ReferenceValue | None:
    """The partnership's authority by new ONS code or old DfE number."""
    code = code.strip()
    if not code:
        return None
    return (
        ReferenceValue.objects.filter(level=AreaLevel.LOCAL_AUTHORITY, measure=CHILD_POPULATION)
        .filter(_by_code(code))
        .order_by("-year")
        .first()
    )


def _by_code(code: str) -> Q:
    return Q(area_code__iexact=code) | Q(old_la_code=code)


@dataclass(frozen=True)
class Comparison:
    label: str
    value: float | None
    year: int
    source: str


def comparisons(measure: str, year: int, la_code: str) -> list[Comparison]:
    """England, the region, the authority's own published figure and its statistical
    neighbours' average (the mean of their published values), for the latest year at or before
    `year` that has the measure."""
    available = (
        ReferenceValue.objects.filter(measure=measure, year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if available is None:
        return []
    values = ReferenceValue.objects.filter(measure=measure, year=available)
    out: list[Comparison] = []
    season = f"{available - 1}-{str(available)[2:]}"
    england = values.filter(level=AreaLevel.NATIONAL).first()
    if england:
        out.append(Comparison(f"England {season}", england.value, available, england.source))
    la = (
        values.filter(level=AreaLevel.LOCAL_AUTHORITY).filter(_by_code(la_code)).first()
        if la_code
        else None
    )
    if la:
        region = values.filter(level=AreaLevel.REGIONAL, area_code=la.region_code).first()
        if region:
            out.append(
                Comparison(f"{region.area_name} {season}", region.value, available, region.source)
            )
        out.append(
            Comparison(f"{la.area_name} (published) {season}", la.value, available, la.source)
        )
        codes = StatisticalNeighbour.objects.filter(old_la_code=la.old_la_code).values_list(
            "neighbour_old_la_code", flat=True
        )
        neighbour_values = [
            v
            for v in values.filter(
                level=AreaLevel.LOCAL_AUTHORITY, old_la_code__in=list(codes)
            ).values_list("value", flat=True)
            if v is not None
        ]
        if neighbour_values:
            out.append(
                Comparison(
                    f"Statistical neighbours {season} (mean of {len(neighbour_values)})",
                    mean(neighbour_values),
                    available,
                    f"{la.source}; DfE statistical neighbour groupings, April 2021",
                )
            )
    return out


def population(la_code: str, mid_year: int) -> ReferenceValue | None:
    """The authority's ONS child population for `mid_year`, or the latest before it."""
    return (
        ReferenceValue.objects.filter(
            measure=CHILD_POPULATION, level=AreaLevel.LOCAL_AUTHORITY, year__lte=mid_year
        )
        .filter(_by_code(la_code))
        .order_by("-year")
        .first()
    )
