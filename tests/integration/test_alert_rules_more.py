"""The casework and household rules: each on hand-built histories that should and should not fire
it, on both sides of its boundary dates, with a check that the evidence names the right records.

The world (tests/conftest.py): Mandy lives at 1 Test Street with Amy (9) and Ben (6), and Dean, an
adult man with no recorded relationship and no agency involvement; Zara lives elsewhere.
"""

import datetime

import pytest
from django.utils import timezone

from hearth.agencies.models import AgencyType
from hearth.alerts import actions as alert_actions
from hearth.alerts.engine import evaluate
from hearth.alerts.registry import SHIPPED_RULES, active_rules, read_rules_file
from hearth.chronology.models import EventType
from hearth.episodes.models import Episode
from hearth.lib.immutable import allow_changes
from hearth.people.models import DatePrecision, PersonKind, RelationshipType, Sex
from hearth.plans.models import PlanAction
from hearth.toolkit import actions as tool_actions
from hearth.toolkit.models import Tool, ToolResponse
from tests.factories.access import InvolvementFactory
from tests.factories.accounts import UserFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.chronology import make_entry
from tests.factories.people import PersonFactory, RelationshipFactory, ResidenceFactory
from tests.factories.toolkit import day_in_my_life

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 30)
NEW_RULES = (
    "closed-without-change",
    "review-overdue",
    "actions-overdue",
    "no-progress-capacity",
    "cp-ended-against-advice",
    "child-not-seen",
    "education",
    "unseen-men",
    "new-baby",
    "information-not-shared",
)


def days_before(n):
    return AS_OF - datetime.timedelta(days=n)


def found(code, as_of=AS_OF, **overrides):
    """{child id: finding} for one rule, with its shipped parameters (or some overridden)."""
    params = {**active_rules()[code].params, **overrides}
    return {f.child_id: f for f in evaluate(as_of, rules={code: params}).findings}


def fired(code, as_of=AS_OF, **overrides):
    return set(found(code, as_of, **overrides))


def entry(by, people, code, days_ago, **kw):
    return make_entry(
        by=by,
        subjects=list(people),
        event_type=EventType.objects.get(code=code),
        event_date=days_before(days_ago),
        description=f"{code} recorded for the test.",
        **kw,
    )


def episode(child, kind, start, end=None, **kw):
    return Episode.objects.create(kind=kind, child=child, start_date=start, end_date=end, **kw)


def entries_in(finding):
    return {e.id for e in finding.evidence if e.kind == "entry"}


def completed_tool(by, child, code, answers, on, carer=None):
    """A completed toolkit response, dated `on` (the tool's own date, or when it was completed)."""
    version = Tool.objects.get(code=code).current_version()
    draft = tool_actions.save_draft(
        by=by, tool_version=version, child=child, answers=answers, carer=carer
    )
    response = tool_actions.complete(by=by, response=draft, answers=answers, carer=carer)
    with allow_changes():
        ToolResponse.objects.filter(pk=response.pk).update(effective_date=on)
    return response


def test_every_new_rule_is_shipped_as_version_1_with_its_task():
    shipped = {r["code"]: r for r in read_rules_file(SHIPPED_RULES)}
    rules = active_rules()
    for code in NEW_RULES:
        assert shipped[code]["version"] == 1 and rules[code].version.version == 1
    assert rules["cp-ended-against-advice"].version.task == "manager_review"
    assert {rules[c].version.task for c in NEW_RULES if c != "cp-ended-against-advice"} == {"alert"}


# --- closed without change ---------------------------------------------------------------------


def test_closed_for_non_engagement_by_its_end_reason_within_the_lookback(world):
    episode(world.amy, "cin_plan", days_before(200), days_before(89), end_reason="Non-engagement")
    episode(world.ben, "cin_plan", days_before(200), days_before(90), end_reason="did not engage")
    episode(world.zara, "cin_plan", days_before(200), days_before(30), end_reason="RC7")
    got = found("closed-without-change")
    assert set(got) == {world.amy.pk}  # Ben's closed exactly 90 days ago; Zara's needs changed
    assert "closed on 2 Apr 2025 for non-engagement" in got[world.amy.pk].summary
    # A child open to services again is not "closed".
    episode(world.amy, "referral", days_before(5))
    assert fired("closed-without-change") == set()


def test_closed_for_non_engagement_by_an_entry_near_the_closure(world):
    plan = episode(world.zara, "early_help", days_before(200), days_before(30), end_reason="RC7")
    entry(world.charlie, [world.zara], "closed-non-engagement", 45)  # 15 days before closing
    assert fired("closed-without-change") == set()
    marker = entry(world.charlie, [world.zara], "closed-non-engagement", 44)  # 14 days before
    got = found("closed-without-change")[world.zara.pk]
    assert entries_in(got) == {marker.pk}
    assert ("plan", plan.pk) in {(e.kind, e.id) for e in got.evidence}


def test_closed_while_the_concerns_continue(world):
    referral = episode(world.ben, "referral", days_before(100), days_before(100), end_reason="RC8")
    wide = {"lookback_days": 120}
    entry(world.bob, [world.mandy], "missed-health-appointment", 100)  # on the day it closed
    entry(world.bob, [world.mandy], "missed-health-appointment", 9)  # 91 days after
    first = entry(world.bob, [world.ben], "missed-immunisation", 10)  # 90 days after
    assert world.ben.pk not in fired("closed-without-change", **wide)  # only 1 counts
    second = entry(world.alice, [world.mandy], "home-conditions", 50, household=world.home)
    got = found("closed-without-change", **wide)[world.ben.pk]
    assert "2 concerns about the child or family were recorded in the 90 days after" in got.summary
    assert entries_in(got) == {first.pk, second.pk}
    assert [e.id for e in got.evidence if e.kind == "episode"] == [referral.pk]


# --- reviews and core groups ---------------------------------------------------------------------


def test_first_review_due_within_three_months_of_the_plan_starting(world):
    episode(world.amy, "cp_plan", days_before(92), latest_category="NEG")
    plan = episode(world.ben, "cp_plan", days_before(93), latest_category="NEG")
    entry(world.alice, [world.mandy], "core-group", 41)  # the family's core group met
    got = found("review-overdue")
    assert set(got) == {world.ben.pk}
    assert "has had no review" in got[world.ben.pk].summary
    assert [(e.kind, e.id) for e in got[world.ben.pk].evidence] == [("plan", plan.pk)]


def test_later_reviews_due_every_six_months_from_the_last(world):
    held = [days_before(308).isoformat(), days_before(183).isoformat()]
    episode(world.amy, "cp_plan", days_before(400), latest_category="NEG", review_dates=held)
    episode(
        world.ben,
        "cp_plan",
        days_before(400),
        latest_category="NEG",
        review_dates=[days_before(184).isoformat(), (AS_OF + datetime.timedelta(5)).isoformat()],
    )  # a review dated after the day evaluated does not count
    entry(world.alice, [world.mandy], "core-group", 10)
    got = found("review-overdue")
    assert set(got) == {world.ben.pk}
    assert "last reviewed on 28 Dec 2024" in got[world.ben.pk].summary


def test_core_group_overdue_after_42_days(world):
    reviewed = [days_before(10).isoformat()]
    episode(world.zara, "cp_plan", days_before(100), latest_category="NEG", review_dates=reviewed)
    episode(world.amy, "cp_plan", days_before(42), latest_category="NEG")  # not 42 days old yet
    entry(world.charlie, [world.zara], "core-group", 42)
    got = found("review-overdue")
    assert set(got) == {world.zara.pk}
    assert "No core group meeting is recorded in the last 42 days" in got[world.zara.pk].summary
    entry(world.charlie, [world.zara], "core-group", 41)
    assert fired("review-overdue") == set()
    tomorrow = found("review-overdue", AS_OF + datetime.timedelta(days=1))
    assert "No core group meeting" in tomorrow[world.amy.pk].summary  # 43 days old by then


# --- plan actions ------------------------------------------------------------------------------


def action(plan, by_when, status="open", what="Weigh Ben at clinic every fortnight"):
    now = timezone.now()
    return PlanAction.objects.create(
        plan=plan,
        who_name="Kim Patel",
        what=what,
        by_when=by_when,
        status=status,
        created_at=now,
        updated_at=now,
    )


def test_open_actions_past_their_date_on_an_open_plan(world):
    plan = episode(world.ben, "cin_plan", days_before(100))
    action(plan, AS_OF)  # due today: not yet overdue
    action(plan, days_before(30), status="achieved")
    ended = episode(world.amy, "cin_plan", days_before(100), days_before(5))
    action(ended, days_before(30))  # the plan has ended
    assert fired("actions-overdue") == set()
    late = action(plan, days_before(1), what="Register Ben with the dentist")
    got = found("actions-overdue")
    assert set(got) == {world.ben.pk}
    assert "1 action on the child in need plan is past its date" in got[world.ben.pk].summary
    [evidence] = got[world.ben.pk].evidence
    assert (evidence.kind, evidence.id, evidence.on) == ("plan", plan.pk, late.by_when)
    assert "Register Ben with the dentist (Kim Patel)" in evidence.label


# --- capacity to change ------------------------------------------------------------------------


def capacity(target_date, *reviews):
    return {
        "change": {
            "what_must_change": "Food in the house every day for Amy and Ben.",
            "baseline": "Cupboards empty at 3 of 3 unannounced visits.",
            "target": "Food for breakfast and tea at every visit for 8 weeks.",
            "intervention": "Food bank referral; budgeting support weekly.",
            "target_date": target_date.isoformat(),
        },
        "reviews": [
            {
                "review_date": on.isoformat(),
                "progress": progress,
                "measured_progress": "Counted at each visit.",
                "stage": stage,
                "evidence": "Seen on unannounced visits.",
            }
            for on, progress, stage in reviews
        ],
    }


def test_no_progress_on_capacity_to_change_by_the_target_date(world):
    episode(world.amy, "cin_plan", days_before(200))
    started = days_before(150)
    on_time = completed_tool(
        world.alice, world.amy, "capacity-to-change", capacity(AS_OF), started, world.mandy
    )
    assert fired("no-progress-capacity") == set()  # the target date is today
    late = completed_tool(
        world.alice,
        world.amy,
        "capacity-to-change",
        capacity(
            days_before(1),
            (days_before(60), "some", "contemplation"),
            (AS_OF + datetime.timedelta(days=3), "achieved", "maintenance"),  # not yet held
        ),
        started,
        world.mandy,
    )
    got = found("no-progress-capacity")
    assert set(got) == {world.amy.pk}
    assert (
        "target with Mandy Archer was due by 29 Jun 2025 (1 day ago)" in got[world.amy.pk].summary
    )
    assert [(e.kind, e.id) for e in got[world.amy.pk].evidence] == [("tool", late.pk)]
    assert on_time.pk != late.pk


def test_capacity_to_change_taking_action_or_off_plan_does_not_fire(world):
    episode(world.amy, "cin_plan", days_before(200))
    answers = capacity(days_before(10), (days_before(20), "some", "action"))
    completed_tool(
        world.alice, world.amy, "capacity-to-change", answers, days_before(90), world.mandy
    )
    stalled = capacity(days_before(10), (days_before(20), "none", "precontemplation"))
    completed_tool(
        world.alice, world.ben, "capacity-to-change", stalled, days_before(90), world.mandy
    )
    assert fired("no-progress-capacity") == set()  # Amy's mother is acting; Ben has no plan
    episode(world.ben, "early_help", days_before(30))
    assert fired("no-progress-capacity") == {world.ben.pk}


# --- CP plan ended against advice ------------------------------------------------------------


def test_cp_plan_ended_within_30_days_of_the_social_worker_recommending_it_continue(world):
    plan = episode(world.amy, "cp_plan", days_before(200), days_before(10), latest_category="NEG")
    episode(world.ben, "cp_plan", days_before(200), days_before(10), latest_category="NEG")
    advice = entry(world.alice, [world.amy], "sw-recommended-continuation", 40)  # 30 days before
    entry(world.alice, [world.ben], "sw-recommended-continuation", 41)  # 31 days before
    got = found("cp-ended-against-advice")
    assert set(got) == {world.amy.pk}
    assert "30 days after the allocated social worker recommended it continue" in (
        got[world.amy.pk].summary
    )
    assert {(e.kind, e.id) for e in got[world.amy.pk].evidence} == {
        ("plan", plan.pk),
        ("entry", advice.pk),
    }
    raised = alert_actions.evaluate_and_raise(AS_OF)
    task = next(a for a in raised if a.rule.code == "cp-ended-against-advice")
    assert task.rule_version.task == "manager_review" and task.child_id == world.amy.pk


def test_the_recommendation_event_type_is_in_the_taxonomy():
    kind = EventType.objects.get(code="sw-recommended-continuation")
    assert kind.label == "Social worker recommended the plan continue" and not kind.is_concern


# --- the child not seen ----------------------------------------------------------------------


def test_child_not_seen_alone_at_the_last_three_home_visits_of_the_plan(world):
    episode(world.amy, "cin_plan", days_before(100))
    entry(world.alice, [world.amy], "home-visit", 120)  # before the plan
    entry(world.alice, [world.amy], "child-seen-alone", 120)
    entry(world.alice, [world.amy], "home-visit", 90)
    entry(world.alice, [world.amy], "child-seen-alone", 90)
    visits = [entry(world.alice, [world.amy, world.ben], "home-visit", n) for n in (60, 30)]
    assert fired("child-not-seen") == set()  # only two visits without seeing her
    visits.append(entry(world.alice, [world.amy], "home-visit", 10))
    got = found("child-not-seen")
    assert set(got) == {world.amy.pk}  # Ben is not on a plan
    assert entries_in(got[world.amy.pk]) == {v.pk for v in visits}
    entry(world.alice, [world.amy], "child-seen-alone", 10)  # seen alone at the last visit
    assert fired("child-not-seen") == set()


def test_child_not_seen_alone_in_the_latest_tool(world):
    episode(world.ben, "cp_plan", days_before(100), latest_category="NEG")
    diml = completed_tool(
        world.alice, world.ben, "day-in-my-life", day_in_my_life("no"), days_before(20)
    )
    got = found("child-not-seen")
    assert set(got) == {world.ben.pk}
    assert [(e.kind, e.id) for e in got[world.ben.pk].evidence] == [("tool", diml.pk)]
    checklist = {
        "about": {"assessment_date": days_before(5).isoformat()},
        "checklist": {
            "child_seen_alone": "yes",
            "child_words_recorded": "yes",
            "siblings_assessed_individually": "yes",
            "home_conditions_described": "yes",
            "history_reviewed": "yes",
            "all_adults_assessed": "no",
            "elective_home_education_considered": "na",
            "pets_considered": "yes",
            "poverty_considered": "yes",
            "health_checked_with_professionals": "yes",
            "culture_identity_faith_considered": "yes",
        },
    }
    completed_tool(world.alice, world.ben, "assessment-checklist", checklist, days_before(5))
    assert fired("child-not-seen") == set()  # the later checklist saw him alone


def test_the_last_three_visits_only_on_the_doorstep(world):
    episode(world.amy, "cp_plan", days_before(100), latest_category="NEG")
    entry(world.alice, [world.amy], "doorstep-visit", 70)
    entry(world.alice, [world.amy], "home-visit", 50)
    doorstep = [entry(world.alice, [world.amy], "doorstep-visit", n) for n in (30, 20)]
    for n in (50, 30, 20):  # seen alone at school on each visit's day
        entry(world.charlie, [world.amy], "child-seen-alone", n)
    assert fired("child-not-seen") == set()  # the home visit 50 days ago was inside
    doorstep.append(entry(world.alice, [world.amy], "doorstep-visit", 10))
    got = found("child-not-seen")[world.amy.pk]
    assert got.summary == "The last 3 visits of the plan were on the doorstep only."
    assert entries_in(got) == {v.pk for v in doorstep}


def test_the_childs_voice_absent_from_the_latest_assessment(world):
    episode(world.ben, "cin_plan", days_before(100))
    answers = day_in_my_life("yes")
    answers["breakfast"]["child_words"] = "  "
    diml = completed_tool(world.alice, world.ben, "day-in-my-life", answers, days_before(20))
    got = found("child-not-seen")[world.ben.pk]
    assert "records the child's own words not recorded" in got.summary
    assert [(e.kind, e.id) for e in got.evidence] == [("tool", diml.pk)]
    completed_tool(world.alice, world.ben, "day-in-my-life", day_in_my_life("yes"), days_before(10))
    assert fired("child-not-seen") == set()  # the later one has his words


# --- education -------------------------------------------------------------------------------


def test_persistent_absence_two_entries_about_the_child_in_six_months(world, school_user):
    entry(school_user, [world.amy], "school-absence", 10)
    entry(school_user, [world.amy], "school-absence", 183)  # outside the 183-day window
    entry(school_user, [world.ben], "school-absence", 20)  # her brother's absence is his own
    assert fired("education") == set()
    late = entry(school_user, [world.amy], "school-absence", 182)
    got = found("education")
    assert set(got) == {world.amy.pk}
    assert "2 entries about the child's persistent absence" in got[world.amy.pk].summary
    assert late.pk in entries_in(got[world.amy.pk])


def test_home_education_after_earlier_concerns_in_the_family(world):
    registered = entry(world.charlie, [world.zara], "ehe-registered", 364)
    entry(world.charlie, [world.zara], "poor-hygiene", 364 + 1096)  # too long before
    assert fired("education") == set()
    earlier = entry(world.charlie, [world.zara], "child-hungry", 364 + 1095)
    got = found("education")[world.zara.pk]
    assert "registered for elective home education on 1 Jul 2024" in got.summary
    assert entries_in(got) == {registered.pk, earlier.pk}


def test_home_education_history_is_read_for_each_childs_own_first_registration(world):
    """One entry can register two children; each child's history is read up to their own first
    registration, whether the family or one child is evaluated."""
    before_ben = entry(world.charlie, [world.ben], "child-hungry", 250)
    ben_first = entry(world.charlie, [world.ben], "ehe-registered", 200)
    between = entry(world.charlie, [world.amy], "poor-hygiene", 150)  # after Ben's, before both
    both = entry(world.charlie, [world.amy, world.ben], "ehe-registered", 100)
    got = found("education")
    assert entries_in(got[world.ben.pk]) == {before_ben.pk, ben_first.pk}
    assert entries_in(got[world.amy.pk]) == {before_ben.pk, between.pk, both.pk}
    params = {"education": active_rules()["education"].params}
    for child in (world.amy, world.ben):
        alone = evaluate(AS_OF, child_ids=[child.pk], rules=params).findings
        assert [(f.summary, f.evidence) for f in alone] == [
            (got[child.pk].summary, got[child.pk].evidence)
        ]


def test_home_education_after_an_earlier_plan_and_only_within_a_year(world):
    entry(world.alice, [world.amy], "ehe-registered", 365)  # more than a year ago
    plan = episode(world.ben, "cin_plan", days_before(900), days_before(700))  # her brother's
    assert fired("education") == set()
    entry(world.alice, [world.amy], "ehe-registered", 20)
    got = found("education")[world.amy.pk]
    assert "1 earlier child in need or protection plan" in got.summary
    assert ("episode", plan.pk) in {(e.kind, e.id) for e in got.evidence}


@pytest.fixture
def school_user(world):
    from tests.factories.accounts import UserFactory

    return UserFactory(username="dsl", agency=world.school)


# --- unseen men ------------------------------------------------------------------------------


def test_an_adult_man_at_the_childs_address_no_one_has_seen(world):
    assert fired("unseen-men") == set()  # Dean lives there, but no child is open to services
    episode(world.amy, "referral", days_before(20))
    got = found("unseen-men")
    assert set(got) == {world.amy.pk}
    assert "Dean Cole, an adult man who lives at the child's address" in got[world.amy.pk].summary
    [evidence] = got[world.amy.pk].evidence
    assert (evidence.kind, evidence.id) == ("person", world.dean.pk)
    entry(world.alice, [world.dean], "home-visit", 365)  # a year ago: outside the window
    assert fired("unseen-men") == {world.amy.pk}
    entry(world.alice, [world.dean], "home-visit", 364)
    assert fired("unseen-men") == set()


def test_a_man_known_to_an_agency_in_the_year_is_not_unseen(world):
    episode(world.ben, "cin_plan", days_before(20))
    probation = AgencyFactory(code="probation", agency_type=AgencyType.PROBATION)
    InvolvementFactory(
        person=world.dean, agency=probation, start_date=days_before(900), end_date=days_before(365)
    )
    assert fired("unseen-men") == {world.ben.pk}
    InvolvementFactory(
        person=world.dean, agency=probation, start_date=days_before(900), end_date=days_before(364)
    )
    assert fired("unseen-men") == set()


def test_a_father_living_elsewhere_and_a_man_who_moved_out(world):
    episode(world.zara, "cin_plan", days_before(20))
    father = PersonFactory(
        given_name="Gary", family_name="Young", kind=PersonKind.ADULT, sex=Sex.MALE
    )
    RelationshipFactory(
        person=father, relative=world.zara, relationship_type=RelationshipType.FATHER
    )
    got = found("unseen-men")
    assert "Gary Young, an adult man who is recorded as the child's father" in (
        got[world.zara.pk].summary
    )
    episode(world.amy, "cin_plan", days_before(20))
    world.dean.residences.update(end_date=days_before(1))  # moved out yesterday
    assert world.amy.pk not in fired("unseen-men")


# --- new baby --------------------------------------------------------------------------------


def unborn(world, expected):
    baby = PersonFactory(
        given_name="Baby",
        family_name="Archer",
        date_of_birth=expected,
        date_of_birth_precision=DatePrecision.EXPECTED,
    )
    RelationshipFactory(
        person=world.mandy, relative=baby, relationship_type=RelationshipType.MOTHER
    )
    return baby


def test_an_unborn_baby_in_a_family_with_concerns_this_year(world):
    baby = unborn(world, AS_OF + datetime.timedelta(days=60))
    entry(world.bob, [world.mandy], "parental-mental-health", 365)  # a year ago: outside
    assert fired("new-baby") == set()
    worry = entry(world.bob, [world.mandy], "parental-mental-health", 364)
    got = found("new-baby")
    assert set(got) == {baby.pk}
    assert "A baby is expected on 29 Aug 2025" in got[baby.pk].summary
    assert entries_in(got[baby.pk]) == {worry.pk}
    assert ("person", baby.pk) in {(e.kind, e.id) for e in got[baby.pk].evidence}
    episode(baby, "assessment", days_before(3))  # a pre-birth assessment has started
    assert fired("new-baby") == set()


def test_a_new_born_baby_in_a_family_with_a_previous_cp_plan(world):
    plan = episode(world.amy, "cp_plan", days_before(2000), days_before(1500))
    old = PersonFactory(given_name="Cal", family_name="Archer", date_of_birth=days_before(90))
    new = PersonFactory(given_name="Dot", family_name="Archer", date_of_birth=days_before(89))
    for baby in (old, new):
        ResidenceFactory(person=baby, address=world.home, start_date=baby.date_of_birth)
    got = found("new-baby")
    assert set(got) == {new.pk}  # Cal was born 90 days ago
    assert "1 child protection plan for others in the family" in got[new.pk].summary
    assert ("episode", plan.pk) in {(e.kind, e.id) for e in got[new.pk].evidence}


# --- information not shared ------------------------------------------------------------------


def test_a_child_on_a_plan_with_no_gp_or_school_involved(world):
    gp = AgencyFactory(code="gp", name="Test Surgery", agency_type=AgencyType.GP)
    plan = episode(world.amy, "cin_plan", days_before(30))
    got = found("information-not-shared")
    assert set(got) == {world.amy.pk}  # Ben and Zara are not on plans
    assert "No GP practice is recorded" in got[world.amy.pk].summary
    assert "No school" in got[world.amy.pk].summary
    assert [(e.kind, e.id) for e in got[world.amy.pk].evidence] == [("plan", plan.pk)]
    InvolvementFactory(person=world.amy, agency=gp, start_date=days_before(400), end_date=AS_OF)
    InvolvementFactory(person=world.amy, agency=world.school, start_date=days_before(400))
    assert fired("information-not-shared") == set()
    assert fired("information-not-shared", AS_OF + datetime.timedelta(days=1)) == {world.amy.pk}


def test_school_is_expected_from_5_to_16(world):
    gp = AgencyFactory(code="gp", name="Test Surgery", agency_type=AgencyType.GP)
    ages = {
        "four": datetime.date(2020, 7, 1),  # 5 tomorrow
        "five": datetime.date(2020, 6, 30),
        "sixteen": datetime.date(2008, 7, 1),  # 17 tomorrow
        "seventeen": datetime.date(2008, 6, 30),
    }
    children = {}
    for name, born in ages.items():
        child = PersonFactory(given_name=name.title(), date_of_birth=born)
        episode(child, "cp_plan", days_before(30), latest_category="NEG")
        InvolvementFactory(person=child, agency=gp, start_date=days_before(400))
        children[name] = child.pk
    assert fired("information-not-shared") == {children["five"], children["sixteen"]}
    expected = PersonFactory(
        date_of_birth=AS_OF + datetime.timedelta(days=30),
        date_of_birth_precision=DatePrecision.EXPECTED,
    )
    episode(expected, "cp_plan", days_before(10), latest_category="NEG")  # a pre-birth plan
    assert expected.pk not in fired("information-not-shared")


def test_a_housing_provider_that_knows_the_family_but_is_not_involved(world):
    housing = AgencyFactory(code="homes", name="Test Homes", agency_type=AgencyType.HOUSING)
    gp = AgencyFactory(code="gp", name="Test Surgery", agency_type=AgencyType.GP)
    InvolvementFactory(person=world.amy, agency=gp, start_date=days_before(400))
    InvolvementFactory(person=world.amy, agency=world.school, start_date=days_before(400))
    episode(world.amy, "cin_plan", days_before(30))
    officer = UserFactory(username="housing", agency=housing)
    old = make_entry(
        by=officer,
        household=world.home,
        event_type=EventType.objects.get(code="home-conditions"),
        event_date=days_before(731),
        description="Tenancy inspection.",
    )
    assert fired("information-not-shared") == set()  # over two years ago
    recent = make_entry(
        by=officer,
        household=world.home,
        event_type=EventType.objects.get(code="home-conditions"),
        event_date=days_before(700),
        description="Tenancy inspection again.",
    )
    got = found("information-not-shared")
    assert set(got) == {world.amy.pk}  # Ben is not on a plan
    assert "A housing provider has recorded" in got[world.amy.pk].summary
    assert entries_in(got[world.amy.pk]) == {recent.pk} != {old.pk}
    InvolvementFactory(person=world.amy, agency=housing, start_date=days_before(10))
    assert fired("information-not-shared") == set()


# --- all together ----------------------------------------------------------------------------


def test_incremental_and_full_evaluation_agree_on_the_new_rules(world, school_user):
    episode(world.amy, "referral", days_before(20))  # unseen men: Dean
    episode(world.amy, "cin_plan", days_before(100))  # information not shared
    plan = episode(world.ben, "cp_plan", days_before(100), latest_category="NEG")
    action(plan, days_before(3))
    for n in (60, 30, 10):
        entry(world.alice, [world.ben], "home-visit", n)
    entry(school_user, [world.amy], "school-absence", 5)
    entry(school_user, [world.amy], "school-absence", 50)
    episode(world.zara, "cin_plan", days_before(300), days_before(40), end_reason="Non-engagement")
    baby = unborn(world, AS_OF + datetime.timedelta(days=30))
    entry(world.bob, [world.mandy], "parental-mental-health", 20)
    rules = {c: r.params for c, r in active_rules().items()}
    full = {(f.rule, f.child_id) for f in evaluate(AS_OF, rules=rules).findings}
    incremental = set()
    for child in world.amy, world.ben, world.zara, baby:
        incremental |= {
            (f.rule, f.child_id)
            for f in evaluate(AS_OF, child_ids=[child.pk], rules=rules).findings
        }
    assert full == incremental
    assert {rule for rule, _ in full} >= {
        "unseen-men",
        "information-not-shared",
        "review-overdue",
        "actions-overdue",
        "child-not-seen",
        "education",
        "closed-without-change",
        "new-baby",
    }
