"""Plan years: the partnership's action plans and training targets run April to March.

A plan year is written `2025-26` and means 1 April 2025 to 31 March 2026. In calendar quarters
(`hearth.lib.periods.Quarter`) that is Q2, Q3 and Q4 2025 and Q1 2026, so every quarter belongs to
exactly one plan year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hearth.lib.periods import Quarter

_PLAN_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True, order=True)
class PlanYear:
    first_year: int

    @classmethod
    def parse(cls, text: str) -> PlanYear:
        """`2025-26` (or `2025/26`, `2025-2026`); anything else is a ValueError naming the format."""
        match = _PLAN_YEAR.match(text or "")
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if second == (first + 1) % (100 if len(match.group(2)) == 2 else 10_000):
                return cls(first)
        raise ValueError(f"{text!r} is not a plan year: write it as 2025-26 (April to March)")

    @classmethod
    def containing(cls, day: date) -> PlanYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> PlanYear:
        return cls.containing(quarter.start)

    @property
    def code(self) -> str:
        return f"{self.first_year}-{(self.first_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.first_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.first_year + 1, 3, 31)

    @property
    def quarters(self) -> list[Quarter]:
        """Its four calendar quarters, oldest first."""
        return Quarter.containing(self.start).next(3).trailing(4)

    def contains(self, quarter: Quarter) -> bool:
        return self.start <= quarter.start <= self.end

    def __str__(self) -> str:
        return self.code
