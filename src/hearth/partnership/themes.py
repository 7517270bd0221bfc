"""Emerging themes: the indicators that moved most, listed first with their figures, written from
the data (the bullet list of seed 001 §5.5, without anyone writing it by hand).

An indicator is a theme when its movement against the previous period, the same period a year
earlier, or England passes the partnership's thresholds: percentage points for percentages, a
relative change for counts, rates and days, and half a point for a change in confidence (1-5).
Figures resting on fewer records than the minimum are never themes (a swing from 1 of 2 to 2 of 3
is noise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearth.partnership.format import figure_text
from hearth.partnership.measures import Figure, Unit

if TYPE_CHECKING:
    from hearth.partnership.dataset import Dataset, Row


SCORE_POINTS = 0.5


@dataclass(frozen=True)
class Theme:
    code: str
    name: str
    comparison: str
    text: str
    size: float  # how many thresholds it moved by: the order they are listed in


def _base(figure: Figure, unit: Unit) -> int:
    if unit == Unit.PERCENT:
        return figure.denominator or 0
    return figure.numerator or 0


def _movement(row: Row, now: Figure, then: float | None, points: float, relative: float) -> float:
    if now.value is None or then is None:
        return 0.0
    unit = row.indicator.unit
    if unit == Unit.PERCENT:
        return (now.value - then) / points if points else 0.0
    if unit == Unit.SCORE:  # a change on a 1-5 scale: half a point is a movement worth naming
        return (now.value - then) / SCORE_POINTS
    if then == 0:
        return 0.0
    return ((now.value - then) / then * 100) / relative if relative else 0.0


def emerging_themes(dataset: Dataset) -> list[Theme]:
    settings = dataset.settings
    points = float(settings.theme_points)
    relative = float(settings.theme_relative)
    themes: list[Theme] = []
    previous_label, last_year_label = dataset.previous_period.label, dataset.last_year_period.label
    if dataset.quarter is not None:
        previous_label += " (the previous quarter)"
        last_year_label += " (a year earlier)"
    for row in dataset.rows:
        now = row.current.figure
        unit = row.indicator.unit
        if now.value is None or _base(now, unit) < settings.theme_min_denominator:
            continue
        candidates: list[tuple[str, float | None, str]] = [
            (previous_label, row.previous.value, figure_text(row.previous, unit)),
            (last_year_label, row.last_year.value, figure_text(row.last_year, unit)),
        ]
        candidates += [
            (ref.label, ref.value, figure_text(Figure(ref.value), unit))
            for ref in row.references
            if ref.label.startswith("England")
        ]
        best: Theme | None = None
        for label, then, then_text in candidates:
            size = _movement(row, now, then, points, relative)
            if abs(size) >= 1 and (best is None or abs(size) > abs(best.size)):
                verb = "is higher than" if size > 0 else "is lower than"
                if not label.startswith("England"):
                    verb = "rose from" if size > 0 else "fell from"
                    text = f"{row.indicator.name} {verb} {then_text} in {label} to {figure_text(now, unit)}."
                else:
                    text = f"{row.indicator.name}: {figure_text(now, unit)} {verb} {label} ({then_text})."
                best = Theme(row.indicator.code, row.indicator.name, label, text, size)
        if best:
            themes.append(best)
    themes.sort(key=lambda t: -abs(t.size))
    return themes
