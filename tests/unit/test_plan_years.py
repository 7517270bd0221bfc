"""Plan years run April to March and hold four calendar quarters."""

from datetime import date

import pytest

from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear


@pytest.mark.parametrize("text", ["2025-26", "2025/26", "2025-2026", " 2025 - 26 "])
def test_a_plan_year_is_read_as_the_partnership_writes_it(text):
    assert PlanYear.parse(text).code == "2025-26"


@pytest.mark.parametrize("text", ["2025-27", "2025", "25-26", "", "2025-2027"])
def test_anything_else_is_refused_with_the_format(text):
    with pytest.raises(ValueError, match="2025-26"):
        PlanYear.parse(text)


def test_the_century_turns():
    assert PlanYear.parse("2099-00").code == "2099-00"


def test_april_to_march_is_four_calendar_quarters():
    year = PlanYear.parse("2025-26")
    assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert [q.code for q in year.quarters] == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"]


def test_every_quarter_and_day_belongs_to_one_plan_year():
    assert PlanYear.of_quarter(Quarter.parse("2026Q1")).code == "2025-26"
    assert PlanYear.of_quarter(Quarter.parse("2025Q1")).code == "2024-25"
    assert PlanYear.containing(date(2025, 3, 31)).code == "2024-25"
    assert PlanYear.containing(date(2025, 4, 1)).code == "2025-26"
    assert PlanYear.parse("2025-26").contains(Quarter.parse("2025Q2"))
    assert not PlanYear.parse("2025-26").contains(Quarter.parse("2026Q2"))
