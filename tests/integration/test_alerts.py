"""Alerts: each rule on hand-built histories that should and should not fire it (boundaries
included), one open alert per rule and child, the professional response, and access."""

import datetime

import pytest
from django.urls import reverse

from hearth.alerts import actions
from hearth.alerts.engine import evaluate
from hearth.alerts.models import Alert, AlertStatus, PendingEvaluation
from hearth.alerts.registry import active_rules
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import EventType
from hearth.episodes.models import Episode
from tests.conftest import page_text, sign_in
from tests.factories.accounts import UserFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.chronology import make_entry

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 30)


def days_before(n):
    return AS_OF - datetime.timedelta(days=n)


def fired(code, as_of=AS_OF):
    rules = {c: r.params for c, r in active_rules().items() if c == code}
    return {f.child_id for f in evaluate(as_of, rules=rules).findings}


def concern(by, person, code, days_ago, **kw):
    return make_entry(
        by=by,
        subjects=[person],
        event_type=EventType.objects.get(code=code),
        event_date=days_before(days_ago),
        **kw,
    )


def episode(child, kind, start, end=None, **kw):
    return Episode.objects.create(kind=kind, child=child, start_date=start, end_date=end, **kw)


@pytest.fixture
def school(world):
    return UserFactory(username="dsl", agency=world.school)


def test_cumulative_concern_fires_when_small_concerns_add_up_across_the_family(world, school):
    # Weights: missed appointment 1.0, poor hygiene 1.5, child hungry 2.0; threshold 8.
    for days in (10, 40, 70):
        concern(world.bob, world.mandy, "missed-health-appointment", days)  # about the mother
    concern(school, world.amy, "poor-hygiene", 20)
    concern(school, world.ben, "poor-hygiene", 30)  # about her brother
    assert fired("cumulative-concern") == set()  # 6.0
    concern(school, world.amy, "child-hungry", 364)  # inside the 365-day window: 8.0
    assert fired("cumulative-concern") == {world.amy.pk, world.ben.pk}


def test_cumulative_concern_ignores_events_outside_the_window_and_single_big_events(world, school):
    for days in (10, 40, 70):
        concern(world.bob, world.mandy, "missed-health-appointment", days)
    concern(school, world.amy, "poor-hygiene", 20)
    concern(school, world.ben, "poor-hygiene", 30)
    concern(school, world.amy, "child-hungry", 365)  # exactly a year ago: outside (since, as_of]
    assert fired("cumulative-concern") == set()


def test_many_agencies_worried_with_no_plan(world, school):
    housing_agency = AgencyFactory(code="housing", name="Homes")
    housing = UserFactory(username="housing", agency=housing_agency)
    concern(world.bob, world.mandy, "missed-health-appointment", 10)
    concern(school, world.amy, "poor-hygiene", 100)
    concern(housing, world.amy, "home-conditions", 182)
    assert world.amy.pk in fired("many-agencies")
    episode(world.amy, "cin_plan", days_before(30))
    assert world.amy.pk not in fired("many-agencies")


def test_many_agencies_needs_three_agencies_within_six_months(world, school):
    concern(world.bob, world.mandy, "missed-health-appointment", 10)
    concern(school, world.amy, "poor-hygiene", 100)
    concern(world.alice, world.amy, "child-hungry", 184)  # a third agency, but too long ago
    assert world.amy.pk not in fired("many-agencies")


def test_repeat_referrals_three_in_a_year_and_re_referral_after_closure(world):
    for days in (10, 100, 364):
        episode(
            world.amy, "referral", days_before(days), days_before(days) + datetime.timedelta(days=5)
        )
    assert world.amy.pk in fired("repeat-referrals")
    episode(world.ben, "referral", days_before(400), days_before(300))
    assert world.ben.pk not in fired("repeat-referrals")
    episode(world.ben, "referral", days_before(20))  # 280 days after the last one closed
    assert world.ben.pk in fired("repeat-referrals")


def test_plan_drift_at_twelve_and_fifteen_months(world):
    episode(world.amy, "cin_plan", days_before(364))
    episode(world.ben, "cp_plan", days_before(455), latest_category="NEG")
    assert fired("plan-drift") == set()
    assert fired("plan-drift", AS_OF + datetime.timedelta(days=1)) == {world.amy.pk, world.ben.pk}


def test_a_cp_plan_ended_within_three_months_is_an_audit_task(world):
    episode(world.amy, "cp_plan", days_before(80), days_before(10), latest_category="NEG")
    episode(world.ben, "cp_plan", days_before(200), days_before(10), latest_category="NEG")
    assert fired("cp-ended-early") == {world.amy.pk}
    assert active_rules()["cp-ended-early"].version.task == "audit_task"


def test_repeat_plan_within_two_years_and_second_plan_for_neglect(world):
    episode(world.amy, "cp_plan", days_before(900), days_before(700), latest_category="EMO")
    episode(world.amy, "cp_plan", days_before(30), latest_category="EMO")  # 670 days after the last
    episode(world.ben, "cp_plan", days_before(2000), days_before(1500), latest_category="NEG")
    episode(world.ben, "cp_plan", days_before(30), latest_category="NEG")  # second for neglect
    assert fired("repeat-plan") == {world.amy.pk, world.ben.pk}


def test_health_neglect_two_missed_appointments_in_six_months(world):
    concern(world.bob, world.ben, "missed-immunisation", 10)
    assert world.ben.pk not in fired("health-neglect")
    concern(world.bob, world.ben, "missed-health-appointment", 182)
    assert world.ben.pk in fired("health-neglect")


def test_health_known_only_from_the_family_for_six_months_of_a_plan(world, school):
    episode(world.zara, "cin_plan", days_before(184))
    episode(world.ben, "cp_plan", days_before(183), latest_category="NEG")
    concern(school, world.zara, "poor-hygiene", 3)  # not a health professional
    assert fired("health-neglect") == {world.zara.pk}  # Ben's plan is not yet over 183 days
    rules = {"health-neglect": active_rules()["health-neglect"].params}
    got = {f.child_id: f for f in evaluate(AS_OF, rules=rules).findings}
    assert "no health professional has recorded anything" in got[world.zara.pk].summary
    assert [e.kind for e in got[world.zara.pk].evidence] == ["plan"]
    concern(world.bob, world.zara, "faltering-growth", 183)  # a health visitor, 183 days ago
    assert fired("health-neglect") == {world.zara.pk}
    concern(world.bob, world.zara, "faltering-growth", 182)
    assert fired("health-neglect") == set()


def test_animal_welfare_concern_at_the_home_reaches_every_child_there(world):
    concern(world.alice, world.mandy, "animal-welfare", 5, household=world.home)
    assert {world.amy.pk, world.ben.pk} <= fired("animal-welfare")
    assert world.zara.pk not in fired("animal-welfare")


def test_one_open_alert_per_rule_and_child_and_a_new_one_only_for_something_new(world):
    concern(world.bob, world.ben, "missed-immunisation", 10)
    concern(world.bob, world.ben, "missed-health-appointment", 20)
    first = actions.evaluate_and_raise(AS_OF)
    again = actions.evaluate_and_raise(AS_OF)
    health = [a for a in first if a.rule.code == "health-neglect" and a.child_id == world.ben.pk]
    assert len(health) == 1 and not [a for a in again if a.rule.code == "health-neglect"]
    alert = health[0]
    assert alert.rule_version == active_rules()["health-neglect"].version
    assert [e["label"] for e in alert.evidence] == [
        "Child not brought to a health appointment",
        "Immunisations missed or overdue",
    ]
    actions.respond(
        by=world.alice,
        alert=alert,
        kind="acted",
        note="Booked with the GP; HV to attend.",
        close=True,
    )
    # The same picture, already answered: nothing new to ask the worker.
    assert not [a for a in actions.evaluate_and_raise(AS_OF) if a.child_id == world.ben.pk]
    newer = concern(world.bob, world.ben, "missed-immunisation", 2)
    later = [a for a in actions.evaluate_and_raise(AS_OF) if a.child_id == world.ben.pk]
    assert [a.rule.code for a in later] == ["health-neglect"]
    assert newer.pk in {e["id"] for e in later[0].evidence if e["kind"] == "entry"}
    assert Alert.objects.filter(child=world.ben, rule__code="health-neglect").count() == 2


def test_saving_an_entry_queues_the_family_and_the_evaluator_raises_the_alert(world):
    concern(world.bob, world.ben, "missed-immunisation", 10)
    concern(world.bob, world.ben, "missed-health-appointment", 20)
    assert PendingEvaluation.objects.filter(person_id=world.ben.pk).exists()
    assert not Alert.objects.exists()  # the save itself raised nothing
    actions.process_pending(as_of=AS_OF)
    assert Alert.objects.filter(child=world.ben, rule__code="health-neglect").exists()
    assert not PendingEvaluation.objects.exists()


def test_incremental_and_full_evaluation_agree(world, school):
    concern(world.bob, world.ben, "missed-immunisation", 10)
    concern(world.bob, world.ben, "missed-health-appointment", 20)
    concern(world.alice, world.mandy, "animal-welfare", 5, household=world.home)
    concern(school, world.zara, "poor-hygiene", 3)
    episode(world.zara, "cin_plan", days_before(400))
    rules = {c: r.params for c, r in active_rules().items()}
    full = {(f.rule, f.child_id) for f in evaluate(AS_OF, rules=rules).findings}
    incremental = set()
    for child in (world.amy, world.ben, world.zara):
        incremental |= {
            (f.rule, f.child_id)
            for f in evaluate(AS_OF, child_ids=[child.pk], rules=rules).findings
        }
    assert full == incremental
    assert ("plan-drift", world.zara.pk) in full and ("animal-welfare", world.amy.pk) in full


def test_the_allocated_worker_sees_responds_and_closes_with_a_reason(client, world):
    concern(world.bob, world.amy, "missed-immunisation", 10)
    concern(world.bob, world.amy, "missed-health-appointment", 20)
    alert = next(a for a in actions.evaluate_and_raise(AS_OF) if a.child_id == world.amy.pk)
    sign_in(client, world.alice)
    mine = page_text(client.get(reverse("alerts:mine")))
    assert "Health neglect" in mine and "Amy Archer" in mine
    url = reverse("alerts:detail", args=[world.amy.pk, alert.pk])
    page = page_text(client.get(url))
    assert "Immunisations missed or overdue" in page and "Why it matters" in page
    refused = client.post(url, {"kind": "acted", "note": ""})
    assert "Say what you did, or why no action is needed." in page_text(refused)
    client.post(
        url,
        {"kind": "no_action", "note": "Both appointments rebooked and attended.", "close": "on"},
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert AuditEvent.objects.filter(
        action=AuditAction.RESPOND_TO_ALERT, object_id=str(alert.pk)
    ).exists()


def test_a_manager_sees_the_teams_alerts_and_others_are_refused(client, world):
    concern(world.bob, world.amy, "missed-immunisation", 10)
    concern(world.bob, world.amy, "missed-health-appointment", 20)
    alert = next(a for a in actions.evaluate_and_raise(AS_OF) if a.child_id == world.amy.pk)
    world.mike.team = world.alice.team
    world.mike.save()
    sign_in(client, world.mike)
    assert "Amy Archer" in page_text(client.get(reverse("alerts:team")))
    sign_in(client, world.alice)
    assert client.get(reverse("alerts:team")).status_code in (403, 404)
    sign_in(client, world.charlie)
    assert client.get(reverse("alerts:detail", args=[world.amy.pk, alert.pk])).status_code == 404


def test_a_partnership_tunes_a_rule_by_publishing_its_next_version(world, tmp_path):
    import json

    from django.core.management import call_command

    from hearth.alerts.registry import SHIPPED_RULES, RuleError, publish_rule, read_rules_file

    shipped = {r["code"]: r for r in read_rules_file(SHIPPED_RULES)}
    tuned = dict(
        shipped["health-neglect"], params={**shipped["health-neglect"]["params"], "min_events": 1}
    )
    following = tuned["version"] + 1
    with pytest.raises(RuleError, match=f"publish the change as version {following}"):
        publish_rule(tuned)
    path = tmp_path / "tuned.json"
    path.write_text(json.dumps([dict(tuned, version=following)]))
    call_command("alerts", "rules", str(path))
    concern(world.bob, world.ben, "missed-immunisation", 10)  # one is now enough
    raised = actions.evaluate_and_raise(AS_OF)
    health = [a for a in raised if a.rule.code == "health-neglect"]
    assert {a.child_id for a in health} == {world.ben.pk}  # his own, not his sister's
    assert {a.rule_version.version for a in health} == {following}


def test_the_childs_page_shows_its_open_alerts(client, world):
    concern(world.bob, world.amy, "missed-immunisation", 10)
    concern(world.bob, world.amy, "missed-health-appointment", 20)
    actions.evaluate_and_raise(AS_OF)
    sign_in(client, world.bob)
    page = page_text(client.get(reverse("people:detail", args=[world.amy.pk])))
    assert "Open alerts" in page and "Health neglect" in page
