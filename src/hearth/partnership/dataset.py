"""The partnership's neglect dataset for a period: every indicator, its comparisons and its trend,
computed from the records (one implementation for the page, the exports, the command and the API).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from hearth.agencies.models import Agency
from hearth.lib.periods import Period, Quarter, add_months
from hearth.partnership import reference
from hearth.partnership.facts import Facts
from hearth.partnership.indicators import LIBRARY, Indicator, PeriodFacts, Section
from hearth.partnership.measures import Figure, Measurement
from hearth.partnership.models import PopulationSource, ReportingSettings
from hearth.partnership.themes import Theme, emerging_themes

TREND_QUARTERS = 8


@dataclass
class Row:
    indicator: Indicator
    current: Measurement
    previous: Figure
    last_year: Figure
    trend: list[tuple[Period, Figure]] = field(default_factory=list)
    references: list[reference.Comparison] = field(default_factory=list)


@dataclass
class Dataset:
    period: Period
    previous_period: Period
    last_year_period: Period
    agency: Agency | None
    rows: list[Row]
    population: int | None
    population_note: str
    settings: ReportingSettings
    seconds: float = 0.0
    themes: list[Theme] = field(default_factory=list)
    computed_at: datetime = field(default_factory=timezone.now)
    quarter: Quarter | None = None  # when the period is a calendar quarter

    def sections(self) -> list[tuple[Section, list[Row]]]:
        out: dict[Section, list[Row]] = {}
        for row in self.rows:
            out.setdefault(row.indicator.section, []).append(row)
        return list(out.items())

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.indicator.code == code)


def reporting_year(day: date) -> int:
    """The DfE's reporting year (ending 31 March) that contains the day."""
    return day.year if day.month <= 3 else day.year + 1


def periods_for(target: Quarter | Period) -> tuple[Period, Period, Period, list[Period]]:
    """The period, the one before it, the same one a year earlier, and the trend's periods."""
    if isinstance(target, Quarter):
        trend = [q.period for q in target.trailing(TREND_QUARTERS)]
        return target.period, target.previous().period, target.same_last_year().period, trend
    length = target.days
    previous = Period(
        target.start - timedelta(days=length),
        target.start - timedelta(days=1),
        "the previous period",
    )
    last_year = Period(
        add_months(target.start, -12), add_months(target.end, -12), "the same period a year earlier"
    )
    return target, previous, last_year, [target]


def _population(
    settings: ReportingSettings, facts: Facts, periods: list[Period]
) -> tuple[dict[Period, int | None], str]:
    source = settings.population_source
    if source == PopulationSource.FIXED and settings.fixed_child_population:
        fixed = settings.fixed_child_population
        return {p: fixed for p in periods}, f"{fixed:,} children (a fixed figure in the settings)"
    if source == PopulationSource.ONS and settings.la_code:
        out: dict[Period, int | None] = {}
        note = ""
        for period in periods:
            found = reference.population(settings.la_code, reporting_year(period.end) - 1)
            out[period] = int(found.value) if found and found.value else None
            if found and period == periods[-1]:
                note = f"{int(found.value or 0):,} children: {found.source} for {found.area_name}"
        return out, note or "No ONS estimate found for the chosen local authority"
    counts: dict[Period, int | None] = dict(facts.children_in_records())
    last = periods[-1]
    note = f"{counts[last]:,} children aged 0 to 17 in Hearth's records on {last.end:%-d %B %Y}"
    return counts, note


def compute(
    target: Quarter | Period,
    *,
    agency: Agency | None = None,
    codes: list[str] | None = None,
    trend: bool = True,
) -> Dataset:
    """Every indicator (or those in `codes`) for the period, with comparisons and, for a quarter,
    the 8-quarter trend (`trend=False`: the period and its two comparisons only)."""
    started = time.perf_counter()
    settings = reference.settings()
    current, previous, last_year, trend_periods = periods_for(target)
    if not trend:
        trend_periods = [current]
    periods = sorted({current, previous, last_year, *trend_periods})
    facts = Facts(periods, agency_id=agency.pk if agency else None)
    populations, note = _population(settings, facts, periods)
    indicators = [LIBRARY[c] for c in codes] if codes else list(LIBRARY.values())
    contexts = {
        p: PeriodFacts(facts, p, populations.get(p), facts.known_to_agency(p)) for p in periods
    }
    year = reporting_year(current.end)
    rows: list[Row] = []
    for ind in indicators:
        by_period = {p: ind.compute(contexts[p]) for p in periods}
        rows.append(
            Row(
                indicator=ind,
                current=by_period[current],
                previous=by_period[previous].figure,
                last_year=by_period[last_year].figure,
                trend=[(p, by_period[p].figure) for p in trend_periods],
                references=reference.comparisons(ind.reference, year, settings.la_code)
                if ind.reference
                else [],
            )
        )
    dataset = Dataset(
        period=current,
        previous_period=previous,
        last_year_period=last_year,
        agency=agency,
        rows=rows,
        population=populations.get(current),
        population_note=note,
        settings=settings,
        quarter=target if isinstance(target, Quarter) else None,
    )
    dataset.themes = emerging_themes(dataset)
    dataset.seconds = time.perf_counter() - started
    return dataset


# The page, its downloads and the printable report ask for the same figures within minutes of
# each other; at county scale each computation takes seconds, so a few recent ones are kept in
# this process for a short while (the page shows when its figures were computed).
CACHE_SECONDS = 600
CACHE_SIZE = 16
_cache: OrderedDict[tuple[object, ...], tuple[float, Dataset]] = OrderedDict()
_cache_lock = threading.Lock()


def compute_recent(
    target: Quarter | Period,
    *,
    agency: Agency | None = None,
    codes: list[str] | None = None,
    fresh: bool = False,
) -> Dataset:
    """`compute`, reusing a result computed in this process in the last ten minutes for the same
    question and settings; `fresh=True` recomputes."""
    settings = reference.settings()
    key = (
        target,
        agency.pk if agency else None,
        tuple(codes or ()),
        settings.pk,
        settings.la_code,
        settings.population_source,
        settings.fixed_child_population,
        str(settings.theme_points),
        settings.theme_relative,
        settings.theme_min_denominator,
    )
    now = time.monotonic()
    with _cache_lock:
        found = _cache.get(key)
        if found and not fresh and now - found[0] < CACHE_SECONDS:
            _cache.move_to_end(key)
            return found[1]
    data = compute(target, agency=agency, codes=codes)
    with _cache_lock:
        _cache[key] = (now, data)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def forget_recent() -> None:
    with _cache_lock:
        _cache.clear()
