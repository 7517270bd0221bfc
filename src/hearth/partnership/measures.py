"""What an indicator returns: a figure with its counts, and the same figure by group.

Every percentage travels with its numerator and denominator, so a screen or export can always
show "25.0% (30 of 120)" and small numbers can be suppressed consistently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import median


class Unit(StrEnum):
    PERCENT = "percent"
    RATE = "rate"  # per 10,000 children
    COUNT = "count"
    DAYS = "days"
    SCORE = "score"


@dataclass(frozen=True)
class Figure:
    value: float | None
    numerator: int | None = None
    denominator: int | None = None

    @classmethod
    def share(cls, numerator: int, denominator: int) -> Figure:
        return cls(100 * numerator / denominator if denominator else None, numerator, denominator)

    @classmethod
    def count(cls, n: int) -> Figure:
        return cls(float(n), n, None)

    @classmethod
    def rate(cls, n: int, population: int | None, *, per_year_days: int | None = None) -> Figure:
        """Per 10,000 children; a count over a period of `per_year_days` days is annualised."""
        if not population:
            return cls(None, n, population)
        scale = 365.25 / per_year_days if per_year_days else 1.0
        return cls(10_000 * n * scale / population, n, population)


@dataclass(frozen=True, slots=True)
class Item:
    """One plan, referral, alert or child in an indicator's denominator."""

    groups: dict[str, str]
    hit: bool = True
    value: float | None = None


@dataclass
class Group:
    dimension: str
    label: str
    figure: Figure


@dataclass
class Measurement:
    figure: Figure
    groups: list[Group] = field(default_factory=list)


def _figure(unit: Unit, items: Sequence[Item], population: int | None, days: int | None) -> Figure:
    if unit == Unit.PERCENT:
        return Figure.share(sum(1 for i in items if i.hit), len(items))
    if unit == Unit.RATE:
        return Figure.rate(len(items), population, per_year_days=days)
    if unit in (Unit.DAYS, Unit.SCORE):
        values = [i.value for i in items if i.value is not None]
        return Figure(float(median(values)) if values else None, len(values), None)
    return Figure.count(len(items))


def measure(
    unit: Unit,
    items: Iterable[Item],
    *,
    dimensions: Sequence[str] = (),
    population: int | None = None,
    annualise_days: int | None = None,
) -> Measurement:
    """The headline figure and, for each dimension, the figure within each group. Groups of a
    rate show counts and their share of the total (no population is published by group)."""
    items = list(items)
    result = Measurement(_figure(unit, items, population, annualise_days))
    for dimension in dimensions:
        by_group: dict[str, list[Item]] = defaultdict(list)
        for item in items:
            by_group[item.groups.get(dimension, "Not recorded")].append(item)
        for label in sorted(by_group):
            members = by_group[label]
            if unit in (Unit.RATE, Unit.COUNT):
                figure = Figure(
                    100 * len(members) / len(items) if items else None, len(members), len(items)
                )
            else:
                figure = _figure(unit, members, None, None)
            result.groups.append(Group(dimension, label, figure))
    return result
