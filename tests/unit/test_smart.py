"""The plan check: each SMART element a practitioner can forget, named."""

import datetime

from hearth.plans.smart import check_action, check_next_step

GOOD = {
    "who": "Kim Patel, health visitor",
    "what": "Weigh Ben at the clinic and share the result with the core group",
    "outcome": "Ben's weight back on the 25th centile within 8 weeks",
    "by_when": datetime.date(2025, 6, 1),
    "review_date": datetime.date(2025, 4, 1),
}


def elements(**changes):
    return [p.element for p in check_action(**{**GOOD, **changes})]


def test_a_smart_action_passes():
    assert elements() == []


def test_each_missing_element_is_named():
    assert elements(who="") == ["who"]
    assert elements(what="") == ["what"]
    assert elements(outcome="") == ["outcome"]
    assert elements(by_when=None) == ["by_when"]
    assert elements(review_date=None) == ["review"]


def test_a_role_or_group_is_not_a_named_person():
    assert elements(who="Parents") == ["who"]
    assert elements(who="all agencies") == ["who"]
    assert elements(who="Mandy Archer (mother)") == []


def test_vague_outcomes_are_not_measurable():
    assert elements(outcome="Improve home conditions") == ["outcome"]
    assert elements(outcome="Mum to engage with services") == ["outcome"]
    assert elements(outcome="Amy attends school every day for six weeks") == []
    assert elements(outcome="Improve attendance to 95% by July") == []


def test_a_deadline_before_the_plan_started_is_flagged():
    problems = check_action(
        **{**GOOD, "by_when": datetime.date(2024, 1, 1)}, plan_start=datetime.date(2025, 1, 1)
    )
    assert [p.element for p in problems] == ["by_when"]


def test_next_steps_are_checked_from_stored_answers():
    step = {
        "who": "Alice Smith",
        "what": "Refer the family to the food bank",
        "outcome": "Food in the cupboards at every visit",
        "by_when": "2025-03-01",
    }
    assert [p.element for p in check_next_step(step)] == ["review"]
