from datetime import date

import pytest

from hearth.lib.periods import Period, Quarter


def test_quarter_is_a_calendar_quarter_with_its_dates():
    q = Quarter.parse("2025Q1")
    assert (q.start, q.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert Quarter.parse("2024-q4").end == date(2024, 12, 31)
    assert Quarter.parse("2024Q1").end == date(2024, 3, 31)
    assert q.period.dates_label == "1 January 2025 to 31 March 2025"


@pytest.mark.parametrize("text", ["2025Q5", "2025", "Q1 2025", "", "25Q1"])
def test_a_malformed_quarter_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="write it as 2025Q1"):
        Quarter.parse(text)


def test_previous_and_same_quarter_last_year_cross_year_ends():
    q = Quarter(2025, 1)
    assert q.previous() == Quarter(2024, 4)
    assert q.same_last_year() == Quarter(2024, 1)
    assert q.next() == Quarter(2025, 2)
    assert [x.code for x in q.trailing(3)] == ["2024Q3", "2024Q4", "2025Q1"]
    assert q.period.label == "Q1 2025"


def test_last_complete_quarter_is_the_one_before_today():
    assert Quarter.last_complete(date(2026, 12, 2)) == Quarter(2026, 3)
    assert Quarter.last_complete(date(2026, 1, 1)) == Quarter(2025, 4)


def test_a_period_refuses_to_end_before_it_starts():
    with pytest.raises(ValueError, match="ends"):
        Period(date(2025, 2, 1), date(2025, 1, 1), "backwards")
