"""Reporting periods: calendar quarters and date ranges, as the partnership's dataset reads them.

A quarter is written `2025Q1` and means 1 January to 31 March 2025 (calendar quarters, not the
financial year); every screen and export shows the dates beside the label so nobody has to guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of days with a label."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"{self.label}: ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def dates_label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"quarter number must be 1 to 4, not {self.number}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2025Q1`, `2025-Q1` or `2025 q1`; anything else is a ValueError naming the format."""
        match = _QUARTER.match(text or "")
        if not match:
            raise ValueError(
                f"{text!r} is not a quarter: write it as 2025Q1 (1 January to 31 March)"
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_complete(cls, today: date) -> Quarter:
        return cls.containing(today).previous()

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        nxt = self.next()
        return nxt.start - timedelta(days=1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.label)

    def previous(self, n: int = 1) -> Quarter:
        index = self.year * 4 + (self.number - 1) - n
        return Quarter(index // 4, index % 4 + 1)

    def next(self, n: int = 1) -> Quarter:
        return self.previous(-n)

    def same_last_year(self) -> Quarter:
        return Quarter(self.year - 1, self.number)

    def trailing(self, count: int) -> list[Quarter]:
        """This quarter and the `count - 1` before it, oldest first."""
        return [self.previous(i) for i in range(count - 1, -1, -1)]

    def __str__(self) -> str:
        return self.code


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier); the 31st becomes the month's last
    day, as "12 months after 31 January" does in everyday use."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))
