"""The dataset's indicators on hand-built records, each answer worked out by hand.

Quarters are calendar quarters: 2025Q1 is 1 January to 31 March 2025. The child population is
fixed at 10,000 so a rate per 10,000 equals its count (and an annualised quarterly rate is the
count times 365.25 / 90).
"""

import datetime as dt

import pytest

from hearth.episodes.models import Episode, EpisodeKind
from hearth.lib.periods import Period, Quarter
from hearth.partnership import dataset as datasets
from hearth.partnership.models import PopulationSource
from hearth.partnership.reference import settings as reporting_settings
from tests.factories.access import InvolvementFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db
D = dt.date
Q1 = Quarter(2025, 1)


@pytest.fixture(autouse=True)
def fixed_population(db):
    s = reporting_settings()
    s.population_source = PopulationSource.FIXED
    s.fixed_child_population = 10_000
    s.save()


def child(**kw):
    return PersonFactory(date_of_birth=kw.pop("dob", D(2018, 6, 1)), **kw)


def cp(person, start, end=None, initial="NEG", latest=None, previous=None):
    return Episode.objects.create(
        kind=EpisodeKind.CP_PLAN,
        child=person,
        start_date=start,
        end_date=end,
        initial_category=initial,
        latest_category=latest or initial,
        number_of_previous_cpp=previous,
    )


def referral(person, start, need="N1", source="6", screening="decided"):
    return Episode.objects.create(
        kind=EpisodeKind.REFERRAL,
        child=person,
        start_date=start,
        referral_source=source,
        primary_need=need,
        screening_status=screening,
    )


def cin(person, start, end=None, need="N1"):
    ref = referral(person, start - dt.timedelta(days=30), need=need)
    return Episode.objects.create(
        kind=EpisodeKind.CIN_PLAN, child=person, referral=ref, start_date=start, end_date=end
    )


def figure(code, target=Q1, **kw):
    return datasets.compute(target, codes=[code], **kw).row(code).current.figure


def test_a_plan_spanning_the_quarter_end_is_open_in_one_quarter_and_ended_in_the_next():
    amy = child()
    cp(amy, D(2024, 11, 15), D(2025, 2, 10))
    assert figure("cp_children", Quarter(2024, 4)).numerator == 1
    assert figure("cp_children", Q1).numerator == 0
    ended = figure("cp_ended_3m", Q1)
    assert (ended.numerator, ended.denominator) == (1, 1)  # 15 Nov to 10 Feb: under 3 months


def test_a_plan_ending_on_the_last_day_of_the_quarter_is_not_open_at_its_end():
    cp(child(), D(2025, 1, 10), D(2025, 3, 31))
    cp(child(), D(2025, 1, 10))
    result = figure("cp_children", Q1)
    assert result.numerator == 1
    assert result.value == pytest.approx(1.0)  # 1 child per 10,000


def test_a_child_with_two_plans_in_one_quarter_counts_once_on_plans_and_twice_in_plans_started():
    ben = child()
    cp(ben, D(2025, 1, 5), D(2025, 2, 1))
    cp(ben, D(2025, 3, 1), initial="EMO")
    assert figure("cp_children", Q1).numerator == 1
    started = figure("cp_started", Q1)
    assert started.numerator == 2
    assert started.value == pytest.approx(2 * 365.25 / 90)  # annualised over Q1's 90 days
    repeat = figure("cp_repeat_ever", Q1)
    assert (repeat.numerator, repeat.denominator) == (1, 2)
    within_2y = figure("cp_repeat_2y", Q1)
    assert (within_2y.numerator, within_2y.denominator) == (1, 2)
    latest_neglect = figure("cp_neglect_share_latest", Q1)
    assert (latest_neglect.numerator, latest_neglect.denominator) == (0, 1)  # now on EMO


def test_repeat_plans_count_the_census_number_of_previous_plans_and_the_two_year_boundary():
    # Previous plan in the census item only: a repeat "ever", but not provably within 2 years.
    cp(child(), D(2025, 2, 1), previous=1)
    # Last plan ended exactly 24 months before: within 2 years. One day more: not.
    c = child()
    cp(c, D(2021, 1, 1), D(2023, 2, 1))
    cp(c, D(2025, 2, 1))
    d = child()
    cp(d, D(2021, 1, 1), D(2023, 1, 31))
    cp(d, D(2025, 2, 1))
    cp(child(), D(2025, 3, 1))  # a first plan
    ever = figure("cp_repeat_ever", Q1)
    assert (ever.numerator, ever.denominator) == (3, 4)
    within = figure("cp_repeat_2y", Q1)
    assert (within.numerator, within.denominator) == (1, 4)


def test_plan_length_boundaries_at_the_quarter_end():
    cp(child(), D(2023, 3, 31))  # exactly 2 years on 31 March 2025
    cp(child(), D(2023, 4, 1))  # a day short of 2 years; over 15 months
    cp(child(), D(2023, 12, 31))  # exactly 15 months
    cp(child(), D(2024, 1, 1))  # a day short of 15 months
    two = figure("cp_open_2y", Q1)
    assert (two.numerator, two.denominator) == (1, 4)
    fifteen = figure("cp_open_15m", Q1)
    assert (fifteen.numerator, fifteen.denominator) == (3, 4)


def test_plans_ended_are_measured_by_their_own_length():
    cp(child(), D(2022, 12, 1), D(2025, 1, 15))  # over 2 years
    cp(child(), D(2024, 1, 1), D(2025, 2, 1))  # 13 months
    cp(child(), D(2024, 12, 1), D(2025, 3, 1))  # exactly 3 months: ended within 3 months
    cp(child(), D(2024, 11, 30), D(2025, 3, 1))  # 3 months and a day
    assert figure("cp_ended_2y", Q1).numerator == 1
    assert figure("cp_ended_15m", Q1).numerator == 1
    three = figure("cp_ended_3m", Q1)
    assert (three.numerator, three.denominator) == (1, 4)


def test_category_changes_and_initial_against_latest_category():
    cp(child(), D(2024, 6, 1), initial="EMO", latest="NEG")
    cp(child(), D(2024, 6, 1), initial="NEG", latest="NEG")
    changed = figure("cp_category_changed", Q1)
    assert (changed.numerator, changed.denominator) == (1, 2)
    assert figure("cp_neglect_share_initial", Q1).numerator == 1
    assert figure("cp_neglect_share_latest", Q1).numerator == 2


def test_cin_plans_for_neglect_open_over_12_months():
    cin(child(), D(2024, 3, 31))  # exactly 12 months at 31 March 2025
    cin(child(), D(2024, 4, 1))  # a day short
    cin(child(), D(2023, 1, 1), need="N4")  # not neglect: not counted at all
    cin(child(), D(2023, 1, 1), D(2025, 2, 1))  # ended in the quarter: not open at its end
    over = figure("cin_neglect_over_12m", Q1)
    assert (over.numerator, over.denominator) == (1, 2)
    assert figure("cin_neglect_plans", Q1).numerator == 2


def test_re_referral_at_exactly_12_months_counts_and_a_day_later_does_not():
    a, b = child(), child()
    referral(a, D(2024, 3, 15))
    referral(a, D(2025, 3, 15))  # exactly 12 calendar months: a re-referral
    referral(b, D(2024, 3, 15))
    referral(b, D(2025, 3, 16))  # 12 months and a day: not
    referral(child(), D(2025, 2, 1), need="N4", source="2A")
    referral(child(), D(2025, 3, 30), screening="screening")  # still a contact at the front door
    re = figure("rereferrals_12m", Q1)
    assert (re.numerator, re.denominator) == (1, 3)
    neglect = figure("referrals_neglect", Q1)
    assert (neglect.numerator, neglect.denominator) == (2, 3)
    rows = datasets.compute(Q1, codes=["referrals"]).row("referrals").current.groups
    by_source = {g.label: g.figure.numerator for g in rows if g.dimension == "source"}
    assert by_source == {"Police": 2, "Schools": 1}


def test_assessments_identifying_neglect():
    amy = child()
    for factors, day in ((["16A", "3B"], 10), (["4B"], 11), ([], 12)):
        Episode.objects.create(
            kind=EpisodeKind.ASSESSMENT,
            child=amy,
            start_date=D(2025, 1, 1),
            end_date=D(2025, 2, day),
            authorisation_date=D(2025, 2, day),
            factors=factors,
        )
    result = figure("assessment_neglect", Q1)
    assert (result.numerator, result.denominator) == (1, 3)


def test_breakdowns_by_age_band_and_sex_add_up_to_the_whole():
    cp(child(dob=D(2024, 12, 1), sex="F"), D(2025, 1, 10))  # under 1 at 31 March
    cp(child(dob=D(2010, 1, 1), sex="M"), D(2025, 1, 10))  # 15: "10 to 15"
    cp(child(dob=D(2009, 1, 1), sex="M"), D(2025, 1, 10))  # 16
    groups = datasets.compute(Q1, codes=["cp_children"]).row("cp_children").current.groups
    ages = {g.label: g.figure.numerator for g in groups if g.dimension == "age"}
    assert ages == {"Under 1": 1, "10 to 15": 1, "16 and over": 1}
    sexes = {g.label: g.figure.numerator for g in groups if g.dimension == "sex"}
    assert sexes == {"Female": 1, "Male": 2}


def test_the_agency_filter_keeps_the_children_the_agency_knew_during_the_period():
    police = AgencyFactory(code="police-x")
    known, unknown, earlier = child(), child(), child()
    for c in (known, unknown, earlier):
        cp(c, D(2024, 10, 1))
    InvolvementFactory(person=known, agency=police, start_date=D(2025, 2, 1), end_date=None)
    InvolvementFactory(
        person=earlier, agency=police, start_date=D(2023, 1, 1), end_date=D(2024, 12, 31)
    )
    assert figure("cp_children", Q1).numerator == 3
    assert figure("cp_children", Q1, agency=police).numerator == 1


def test_a_date_range_compares_with_the_period_before_and_a_year_earlier():
    cp(child(), D(2024, 2, 1))
    cp(child(), D(2025, 2, 1))
    data = datasets.compute(
        Period(D(2025, 1, 1), D(2025, 6, 30), "first half"), codes=["cp_started"]
    )
    row = data.row("cp_started")
    assert row.current.figure.numerator == 1
    assert data.previous_period == Period(D(2024, 7, 4), D(2024, 12, 31), "the previous period")
    assert row.last_year.numerator == 1
    assert [p.label for p, _ in row.trend] == ["first half"]


def test_the_trend_covers_eight_quarters_oldest_first():
    cp(child(), D(2024, 5, 1), D(2024, 12, 1))
    row = datasets.compute(Q1, codes=["cp_children"]).row("cp_children")
    assert [p.label for p, _ in row.trend] == [
        "Q2 2023",
        "Q3 2023",
        "Q4 2023",
        "Q1 2024",
        "Q2 2024",
        "Q3 2024",
        "Q4 2024",
        "Q1 2025",
    ]
    assert [f.numerator for _, f in row.trend] == [0, 0, 0, 0, 1, 1, 0, 0]
    assert row.previous.numerator == 0 and row.last_year.numerator == 0


def test_rates_use_the_children_in_the_records_when_no_population_is_set():
    s = reporting_settings()
    s.population_source = PopulationSource.RECORDS
    s.save()
    for _ in range(3):
        child()
    child(dob=D(2000, 1, 1))  # an adult by 2025: not in the child population
    cp(child(), D(2025, 1, 1))
    result = figure("cp_children", Q1)
    assert result.denominator == 4
    assert result.value == pytest.approx(10_000 * 1 / 4)


def test_training_reach_against_target_and_confidence_change(world, fixed_population):
    from hearth.accounts.models import Role
    from hearth.workforce import actions as training
    from tests.factories.accounts import UserFactory

    admin = UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)
    training.set_target(by=admin, agency=world.csc, plan_year="2024-25", practitioners=4)
    before_year = training.record_session(
        by=admin,
        title="Neglect basics",
        held_on=D(2024, 3, 20),
        course_type="multi_agency",
        agency=None,
    )
    q1 = training.record_session(
        by=admin,
        title="Graded care",
        held_on=D(2025, 2, 3),
        course_type="multi_agency",
        agency=None,
    )
    q4 = training.record_session(
        by=admin,
        title="Graded care",
        held_on=D(2024, 11, 3),
        course_type="multi_agency",
        agency=None,
    )
    training.record_attendance(by=admin, session=before_year, user=world.mike)  # last plan year
    training.record_attendance(
        by=admin, session=q4, user=world.alice, confidence={"recognising": (2, 4)}
    )
    training.record_attendance(
        by=admin, session=q1, user=world.alice, confidence={"recognising": (3, 4)}
    )
    training.record_attendance(
        by=admin, session=q1, name="Pat Doe", agency=world.csc, confidence={"recognising": (1, 4)}
    )
    training.record_attendance(by=admin, session=q1, name="Lee Roe", agency=world.health)
    # Plan year 2024-25 to 31 March 2025: Alice and Pat at CSC (Alice once), against 4.
    reach = figure("training_reach", Q1)
    assert (reach.numerator, reach.denominator, reach.value) == (2, 4, 50.0)
    # In Q1 alone: Alice, Pat (CSC) and Lee (health).
    assert figure("practitioners_trained", Q1).numerator == 3
    assert figure("practitioners_trained", Q1, agency=world.health).numerator == 1
    # Q1's paired ratings: Alice 3→4, Pat 1→4: mean change +2.0.
    change = figure("confidence_recognising", Q1)
    assert (change.value, change.numerator) == (2.0, 2)
    assert figure("confidence_using_tools", Q1).numerator == 0


def test_emerging_themes_name_the_movement_and_skip_small_numbers():
    # 12 plans started in Q1 2025, 10 of them repeats (83%), against 2 of 12 (17%) a quarter before.
    for n in range(12):
        c = child()
        if n < 10:
            cp(c, D(2022, 1, 1), D(2022, 6, 1))
        cp(c, D(2025, 1, 5))
    for n in range(12):
        c = child()
        if n < 2:
            cp(c, D(2022, 1, 1), D(2022, 6, 1))
        cp(c, D(2024, 11, 5), D(2024, 12, 20))
    # Two referrals, one a re-referral: 50% against 0%, but only two records behind it.
    r = child()
    referral(r, D(2024, 12, 1))
    referral(r, D(2025, 2, 1))
    data = datasets.compute(Q1)
    texts = {t.code: t.text for t in data.themes}
    assert texts["cp_repeat_ever"] == (
        "Plans started that were a second or later plan rose from 16.7% (2 of 12) in Q4 2024 "
        "(the previous quarter) to 83.3% (10 of 12)."
    )
    assert "rereferrals_12m" not in texts
    assert data.themes[0].code == "cp_repeat_ever"  # the largest movement first


def test_alerts_raised_responded_to_and_their_median_age(world):
    from datetime import UTC, datetime

    from hearth.alerts.models import Alert, AlertResponse, AlertStatus, Rule

    rule = Rule.objects.get(code="health-neglect")
    other = Rule.objects.get(code="cumulative-concern")

    def alert(r, raised, closed=None, responses=()):
        a = Alert.objects.create(
            rule=r,
            rule_version=r.current_version(),
            child=child(),
            status=AlertStatus.CLOSED if closed else AlertStatus.OPEN,
            fired_on=raised,
            raised_at=datetime(raised.year, raised.month, raised.day, 9, tzinfo=UTC),
            summary="test",
            closed_at=datetime(closed.year, closed.month, closed.day, 9, tzinfo=UTC)
            if closed
            else None,
        )
        for kind, on in responses:
            AlertResponse.objects.create(
                alert=a,
                kind=kind,
                note="n",
                at=datetime(on.year, on.month, on.day, 10, tzinfo=UTC),
                by=world.alice,
                by_name="Alice",
            )
        return a

    alert(
        rule, D(2025, 1, 10), responses=[("acknowledged", D(2025, 1, 11)), ("acted", D(2025, 2, 1))]
    )
    alert(rule, D(2025, 3, 1), responses=[("acknowledged", D(2025, 4, 2))])  # after the quarter
    alert(other, D(2025, 2, 20), closed=D(2025, 3, 10), responses=[("no_action", D(2025, 3, 10))])
    alert(other, D(2024, 12, 1))  # raised before the quarter, still open
    raised = datasets.compute(Q1, codes=["alerts_raised"]).row("alerts_raised").current
    assert raised.figure.numerator == 3
    assert {g.label: g.figure.numerator for g in raised.groups} == {
        "cumulative-concern": 1,
        "health-neglect": 2,
    }
    responded = figure("alerts_acknowledged", Q1)
    assert (responded.numerator, responded.denominator) == (2, 3)
    acted = figure("alerts_acted", Q1)
    assert (acted.numerator, acted.denominator) == (1, 3)
    # Open on 31 March: raised 10 Jan (80 days), 1 Mar (30 days), 1 Dec (120 days); median 80.
    age = figure("alerts_open_median_age", Q1)
    assert (age.value, age.numerator) == (80.0, 3)


def test_toolkit_coverage_counts_children_on_neglect_plans_and_follows_the_agency_filter(world):
    from tests.factories.chronology import make_entry

    for kid in (world.amy, world.ben):
        cp(kid, D(2024, 10, 1))
    cp(world.zara, D(2024, 10, 1), initial="EMO")  # not a neglect plan: not in the cohort
    make_entry(by=world.alice, subjects=[world.amy], event_date=D(2025, 3, 1))  # says the impact
    make_entry(by=world.alice, subjects=[world.ben], event_date=D(2025, 3, 2), impact_on_child="")
    coverage = figure("tool_coverage_chronology", Q1)
    assert (coverage.numerator, coverage.denominator) == (1, 2)
    InvolvementFactory(person=world.ben, agency=world.school, start_date=D(2025, 1, 1))
    school = figure("tool_coverage_chronology", Q1, agency=world.school)
    assert (school.numerator, school.denominator) == (0, 1)
    seen = figure("voice_seen_alone", Q1)
    assert (seen.numerator, seen.denominator) == (0, 2)  # no day in my life yet
