"""Agency action plans: own-agency changes, append-only quarterly updates, sign-off by the agency's
lead, the partnership heatmap (worst-of, movement, overdue) and the Impact Framework.

Personas from tests/conftest.py, plus: lena, children's social care's lead; hari, health
visiting's lead; ada, the partnership's administrator.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.actionplans import actions, reporting
from hearth.actionplans.models import (
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    AgencyAction,
    ImpactEvidence,
    PlanObjective,
    SignOff,
)
from hearth.actionplans.queries import current_update_for
from hearth.audit.models import AuditAction, AuditEvent
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear
from tests.conftest import page_text, sign_in
from tests.factories.accounts import UserFactory
from tests.factories.actionplans import (
    administrator,
    agency_lead,
    make_action,
    make_objective,
    make_plan,
    update,
)

pytestmark = pytest.mark.django_db

Q2, Q3 = Quarter.parse("2025Q2"), Quarter.parse("2025Q3")


@dataclass
class Leads:
    lena: Any  # children's social care
    hari: Any  # health visiting
    ada: Any  # administrator
    auditor: Any


@pytest.fixture
def leads(world: Any) -> Leads:
    from hearth.accounts.models import Role

    return Leads(
        lena=agency_lead(world.csc, "lena"),
        hari=agency_lead(world.health, "hari"),
        ada=administrator(world.csc),
        auditor=UserFactory(username="audrey", agency=world.csc, role=Role.AUDITOR),
    )


@pytest.fixture
def csc_plan(world: Any, leads: Leads) -> ActionPlan:
    return make_plan(leads.lena, world.csc)


# --- Who may change a plan ---------------------------------------------------------------------


def test_an_agency_lead_and_team_manager_change_only_their_own_agencys_plan(world, leads, csc_plan):
    objective = make_objective(leads.lena, csc_plan)
    assert make_action(world.mike, objective).objective == objective  # CSC team manager
    with pytest.raises(PermissionDenied):
        make_objective(leads.hari, csc_plan)
    with pytest.raises(PermissionDenied):
        make_action(leads.hari, objective)
    with pytest.raises(PermissionDenied):
        actions.create_plan(by=leads.hari, agency=world.csc, plan_year="2026-27")
    assert actions.can_update_plan(leads.lena, csc_plan)
    assert not actions.can_update_plan(leads.hari, csc_plan)
    assert not actions.can_update_plan(world.nina, csc_plan)  # analysts read, never write
    assert not actions.can_update_plan(world.alice, csc_plan)  # practitioners have no say


def test_the_administrator_changes_any_agencys_plan_but_cannot_sign_it_off(world, leads):
    plan = make_plan(leads.ada, world.health)
    action = make_action(leads.ada, make_objective(leads.ada, plan))
    update(leads.ada, action, "2025Q2", "green")
    assert actions.can_update_plan(leads.ada, plan)
    assert not actions.can_sign_off(leads.ada, plan)
    with pytest.raises(PermissionDenied):
        actions.sign_off(by=leads.ada, plan=plan, quarter="2025Q2")
    with pytest.raises(PermissionDenied):
        actions.sign_off(by=leads.lena, plan=plan, quarter="2025Q2")
    assert actions.sign_off(by=leads.hari, plan=plan, quarter="2025Q2").signed_by == leads.hari


def test_one_plan_per_agency_per_plan_year_written_as_the_partnership_writes_it(world, leads):
    plan = make_plan(leads.lena, world.csc, "2025/2026")
    assert plan.plan_year == "2025-26"
    with pytest.raises(ValidationError, match="already has an action plan for 2025-26"):
        make_plan(leads.lena, world.csc, "2025-26")
    with pytest.raises(ValidationError, match="not a plan year"):
        make_plan(leads.lena, world.csc, "2025-27")


# --- Quarterly updates are append-only ---------------------------------------------------------


def test_a_correction_supersedes_the_quarters_update_and_keeps_it(world, leads, csc_plan):
    action = make_action(leads.lena, make_objective(leads.lena, csc_plan))
    first = update(leads.lena, action, "2025Q2", "red")
    with pytest.raises(ValidationError, match="already has an update for Q2 2025"):
        update(leads.lena, action, "2025Q2", "amber")
    corrected = update(leads.lena, action, "2025Q2", "amber", correction_reason="Audit came in.")
    assert corrected.supersedes == first
    assert current_update_for(action, Q2) == corrected
    assert ActionUpdate.objects.filter(action=action).count() == 2
    first.refresh_from_db()
    assert first.rag == "red"  # as reported, still there
    audit = AuditEvent.objects.filter(action=AuditAction.RECORD_RAG_UPDATE).order_by("at", "id")
    assert [e.details["rag"] for e in audit] == ["red", "amber"]
    assert audit.last().details["supersedes"] == first.pk


def test_an_update_must_fall_in_the_plan_year_after_the_actions_first_quarter(
    world, leads, csc_plan
):
    action = make_action(leads.lena, make_objective(leads.lena, csc_plan), first_quarter="2025Q3")
    with pytest.raises(ValidationError, match="start in Q3 2025"):
        update(leads.lena, action, "2025Q2", "green")
    with pytest.raises(ValidationError, match="This plan is for 2025-26"):
        update(leads.lena, action, "2026Q2", "green")
    with pytest.raises(ValidationError, match="not a quarter"):
        update(leads.lena, action, "Q3", "green")
    future = Quarter.containing(timezone.localdate()).next()
    plan = make_plan(leads.lena, world.csc, PlanYear.of_quarter(future).code)
    later = make_action(
        leads.lena,
        make_objective(leads.lena, plan),
        first_quarter=PlanYear.of_quarter(future).quarters[0].code,
    )
    with pytest.raises(ValidationError, match="has not started yet"):
        update(leads.lena, later, future.code, "green")


def test_marking_complete_stops_later_updates_and_a_correction_can_undo_it(world, leads, csc_plan):
    action = make_action(leads.lena, make_objective(leads.lena, csc_plan))
    done = update(leads.lena, action, "2025Q2", "green", marks_complete=True)
    action.refresh_from_db()
    assert (action.status, action.completed_quarter) == (ActionStatus.COMPLETE, "2025Q2")
    with pytest.raises(ValidationError, match="completed in Q2 2025"):
        update(leads.lena, action, "2025Q3", "green")
    actions.record_update(
        by=leads.lena,
        action=action,
        quarter="2025Q2",
        rag="amber",
        narrative="Not finished after all: two teams still to train.",
        correction_reason="Marked complete by mistake.",
    )
    action.refresh_from_db()
    assert (action.status, action.completed_quarter) == (ActionStatus.OPEN, "")
    assert ActionUpdate.objects.get(pk=done.pk).marks_complete  # the original is unchanged


# --- Sign-off ---------------------------------------------------------------------------------


def test_sign_off_needs_every_due_update_and_records_who_and_when(world, leads, csc_plan):
    objective = make_objective(leads.lena, csc_plan)
    a1, a2 = make_action(leads.lena, objective), make_action(leads.lena, objective, "Audit")
    update(leads.lena, a1, "2025Q2", "green")
    with pytest.raises(ValidationError, match="1 action has no update for Q2 2025"):
        actions.sign_off(by=leads.lena, plan=csc_plan, quarter="2025Q2")
    update(leads.lena, a2, "2025Q2", "amber")
    signed = actions.sign_off(by=leads.lena, plan=csc_plan, quarter="2025Q2", comment="Agreed.")
    assert (signed.signed_by, signed.signed_by_name, signed.quarter) == (
        leads.lena,
        "Lena Lead",
        "2025Q2",
    )
    assert signed.signed_at is not None
    with pytest.raises(ValidationError, match="was signed off by Lena Lead"):
        actions.sign_off(by=leads.lena, plan=csc_plan, quarter="2025Q2")
    # A correction after sign-off shows as not signed off, and can be signed off again.
    update(leads.lena, a2, "2025Q2", "red", correction_reason="Worse than reported.")
    row = next(r for r in reporting.heatmap(Q2) if r["agency_id"] == world.csc.pk)
    assert row["signed_off_by"] == "Lena Lead" and not row["sign_off_current"]
    actions.sign_off(by=leads.lena, plan=csc_plan, quarter="2025Q2")
    assert SignOff.objects.filter(plan=csc_plan, quarter="2025Q2").count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OFF_ACTION_PLAN).count() == 2


# --- The heatmap, worked out by hand -----------------------------------------------------------


@pytest.fixture
def two_agencies(world: Any, leads: Leads) -> dict[str, AgencyAction]:
    """CSC: Recognise (a1, a2) and Respond (a3); Health: Recognise (h1); Q1 2025 in last year's plan.

    Q2 2025: a1 green, a2 amber -> Recognise amber; a3 red -> Respond red; h1 green.
    Q3 2025: a1 green, a2 green -> green (improved); a3 red, corrected to amber (improved);
    h1 red (worse). CSC has no Quantify or Evaluate objective.
    """
    csc = make_plan(leads.lena, world.csc)
    recognise, respond = make_objective(leads.lena, csc), make_objective(leads.lena, csc, "respond")
    a1, a2 = make_action(leads.lena, recognise), make_action(leads.lena, recognise, "Audit")
    a3 = make_action(leads.lena, respond, "Use the graded care tool")
    health = make_plan(leads.hari, world.health)
    h1 = make_action(leads.hari, make_objective(leads.hari, health))
    last_year = make_plan(leads.lena, world.csc, "2024-25")
    old = make_action(leads.lena, make_objective(leads.lena, last_year), first_quarter="2025Q1")
    update(leads.lena, old, "2025Q1", "red")
    for action, q2, q3 in ((a1, "green", "green"), (a2, "amber", "green"), (a3, "red", "red")):
        update(leads.lena, action, "2025Q2", q2)
        update(leads.lena, action, "2025Q3", q3)
    update(leads.lena, a3, "2025Q3", "amber", correction_reason="Rated before the audit.")
    update(leads.hari, h1, "2025Q2", "green")
    update(leads.hari, h1, "2025Q3", "red")
    return {"a1": a1, "a2": a2, "a3": a3, "h1": h1}


def cells(rows: list[Any], agency: Any) -> dict[str, Any]:
    return next(r for r in rows if r["agency_id"] == agency.pk)["objectives"]


def test_the_heatmap_shows_the_worst_rag_and_its_movement(world, two_agencies):
    rows = reporting.heatmap(Q3, today=datetime.date(2025, 10, 15))
    assert [r["agency"] for r in rows] == ["Children's Social Care", "Health Visiting"]
    csc = cells(rows, world.csc)
    assert csc["recognise"]["rag"] == "green" and csc["recognise"]["previous_rag"] == "amber"
    assert csc["recognise"]["movement"] == "improved"
    assert csc["recognise"]["counts"] == {"red": 0, "amber": 0, "green": 2}
    assert csc["recognise"]["actions"] == 2 and csc["recognise"]["overdue"] == 0
    # The correction, not the original red, is what counts.
    assert (csc["respond"]["rag"], csc["respond"]["movement"]) == ("amber", "improved")
    assert csc["quantify"] == {
        "objective": "quantify",
        "label": "Quantify",
        "rag": None,
        "previous_rag": None,
        "movement": "not_comparable",
        "actions": 0,
        "overdue": 0,
        "counts": {"red": 0, "amber": 0, "green": 0},
    }
    health = cells(rows, world.health)
    assert (health["recognise"]["rag"], health["recognise"]["previous_rag"]) == ("red", "green")
    assert health["recognise"]["movement"] == "worse"


def test_one_red_action_makes_the_objective_red(world, leads, two_agencies):
    rows = reporting.heatmap(Q2, today=datetime.date(2025, 10, 15))
    csc = cells(rows, world.csc)
    assert csc["recognise"]["rag"] == "amber" and csc["respond"]["rag"] == "red"
    assert csc["recognise"]["counts"] == {"red": 0, "amber": 1, "green": 1}


def test_movement_reaches_back_into_last_years_plan(world, two_agencies):
    # Q1 2025 is in the 2024-25 plan (red); Q2 2025 is the first quarter of 2025-26 (amber).
    csc = cells(reporting.heatmap(Q2, today=datetime.date(2025, 10, 15)), world.csc)
    assert (csc["recognise"]["previous_rag"], csc["recognise"]["movement"]) == ("red", "improved")
    assert csc["respond"]["movement"] == "not_comparable"  # no Respond action last year


def test_rag_counts_count_each_due_action_once(world, leads, two_agencies):
    make_action(
        leads.lena,
        PlanObjective.objects.get(
            plan__agency=world.csc, plan__plan_year="2025-26", strategic_objective="recognise"
        ),
        "Not yet reported",
    )
    assert reporting.rag_counts(Q3) == {
        "red": 1,
        "amber": 1,
        "green": 2,
        "not_rated": 1,
        "total": 5,
    }
    assert reporting.rag_counts(Q3, agency_ids=[world.health.pk])["red"] == 1


# --- Overdue, at the quarter boundary ----------------------------------------------------------


def test_a_missing_update_is_overdue_from_the_day_after_the_quarter_ends(world, leads, csc_plan):
    objective = make_objective(leads.lena, csc_plan)
    action = make_action(leads.lena, objective, due_date=datetime.date(2026, 3, 31))
    on_last_day = reporting.overdue_updates(Q3, today=datetime.date(2025, 9, 30))
    assert on_last_day == []
    next_day = reporting.overdue_updates(Q3, today=datetime.date(2025, 10, 1))
    assert [(i["action_id"], i["reason"]) for i in next_day] == [(action.pk, "no_update")]
    update(leads.lena, action, "2025Q3", "amber")
    assert reporting.overdue_updates(Q3, today=datetime.date(2025, 10, 1)) == []
    # An action added later owes nothing for the quarters before its first.
    make_action(leads.lena, objective, "Added in Q4", first_quarter="2025Q4")
    assert reporting.overdue_updates(Q3, today=datetime.date(2025, 10, 1)) == []


def test_an_action_is_past_due_once_its_due_date_has_passed_without_completion(
    world, leads, csc_plan
):
    objective = make_objective(leads.lena, csc_plan)
    last_day = make_action(leads.lena, objective, "Due at quarter end", datetime.date(2025, 9, 30))
    done = make_action(leads.lena, objective, "Done on time", datetime.date(2025, 8, 15))
    update(leads.lena, last_day, "2025Q3", "amber")
    update(leads.lena, done, "2025Q3", "green", marks_complete=True)

    def past_due(today: datetime.date) -> list[int]:
        return [
            i["action_id"]
            for i in reporting.overdue_updates(Q3, today=today)
            if i["reason"] == "past_due"
        ]

    assert past_due(datetime.date(2025, 9, 30)) == []  # due today is not yet past due
    assert past_due(datetime.date(2025, 10, 1)) == [last_day.pk]
    # The completed action owes nothing in Q4; the other owes an update and is still past due.
    q4 = reporting.overdue_updates(Quarter.parse("2025Q4"), today=datetime.date(2026, 1, 5))
    assert sorted((i["action_id"], i["reason"]) for i in q4) == [
        (last_day.pk, "no_update"),
        (last_day.pk, "past_due"),
    ]
    heat = cells(reporting.heatmap(Q3, today=datetime.date(2025, 10, 1)), world.csc)
    assert heat["recognise"]["overdue"] == 1


# --- Screens -----------------------------------------------------------------------------------


def test_the_list_and_a_plan_show_objectives_actions_and_latest_rag(
    client, world, leads, two_agencies
):
    sign_in(client, world.nina)
    listing = page_text(client.get(reverse("actionplans:list")))
    assert "Plan year 2025-26" in listing and "Health Visiting" in listing
    plan = two_agencies["a1"].objective.plan
    page = page_text(client.get(reverse("actionplans:detail", args=[plan.pk])))
    assert "Train every team in the day in my life tool" in page
    assert "Use the graded care tool" in page and "Amber" in page and "Q3 2025" in page
    assert "Add a quarterly update" not in page  # the analyst reads only
    history = page_text(
        client.get(reverse("actionplans:action_detail", args=[plan.pk, two_agencies["a3"].pk]))
    )
    assert "Corrected" in history and "Rated before the audit." in history


def test_a_plan_lists_its_objectives_in_the_strategys_order(client, world, leads, csc_plan):
    for objective in ("evaluate", "quantify", "respond", "recognise"):
        make_objective(leads.lena, csc_plan, objective)
    sign_in(client, leads.lena)
    page = page_text(client.get(reverse("actionplans:detail", args=[csc_plan.pk])))
    positions = [
        page.index(f"Practitioners {o} neglect")
        for o in ("recognise", "respond", "quantify", "evaluate")
    ]
    assert positions == sorted(positions)


def test_roles_without_the_permission_never_see_the_plans(client, world, csc_plan):
    for user in (world.alice, world.iris):
        sign_in(client, user)
        assert client.get(reverse("actionplans:list")).status_code == 403
        assert client.get(reverse("actionplans:detail", args=[csc_plan.pk])).status_code == 403
        assert client.get(reverse("actionplans:summary")).status_code == 403


def test_a_lead_starts_their_agencys_plan_and_adds_an_objective_and_action(client, world, leads):
    sign_in(client, leads.lena)
    response = client.post(
        reverse("actionplans:add_plan"), {"agency": world.csc.pk, "plan_year": "2025-26"}
    )
    plan = ActionPlan.objects.get(agency=world.csc)
    assert response["Location"] == reverse("actionplans:detail", args=[plan.pk])
    refused = client.post(
        reverse("actionplans:add_plan"), {"agency": world.health.pk, "plan_year": "2025-26"}
    )
    assert "Select a valid choice" in page_text(refused)
    assert not ActionPlan.objects.filter(agency=world.health).exists()
    blank = client.post(reverse("actionplans:add_objective", args=[plan.pk]), {})
    assert "Choose the strategic objective this comes under." in page_text(blank)
    assert "govuk-error-summary" in page_text(blank)
    client.post(
        reverse("actionplans:add_objective", args=[plan.pk]),
        {"strategic_objective": "respond", "description": "Every referral names the neglect."},
    )
    objective = PlanObjective.objects.get(plan=plan)
    missing = client.post(
        reverse("actionplans:add_action", args=[plan.pk]), {"objective": objective.pk}
    )
    for message in ("Say what will be done.", "Enter the date this action is due."):
        assert message in page_text(missing)
    client.post(
        reverse("actionplans:add_action", args=[plan.pk]),
        {
            "objective": objective.pk,
            "description": "Neglect champion in every team",
            "owner": "Principal social worker",
            "due_date": "2026-01-31",
            "measure_of_impact": "24 champions in post",
            "first_quarter": "2025Q3",
        },
    )
    assert AgencyAction.objects.get(objective=objective).first_quarter == "2025Q3"


def test_another_agencys_lead_is_refused_its_forms_and_the_refusal_is_audited(
    client, world, leads, csc_plan
):
    action = make_action(leads.lena, make_objective(leads.lena, csc_plan))
    sign_in(client, leads.hari)
    for url in (
        reverse("actionplans:add_objective", args=[csc_plan.pk]),
        reverse("actionplans:add_action", args=[csc_plan.pk]),
        reverse("actionplans:add_update", args=[csc_plan.pk, action.pk]),
        reverse("actionplans:sign_off", args=[csc_plan.pk]),
    ):
        response = client.post(url, {"quarter": "2025Q2", "rag": "green", "narrative": "x"})
        assert response.status_code == 403, url
        assert "Children&#x27;s Social Care" in page_text(response)
    assert not ActionUpdate.objects.exists() and not SignOff.objects.exists()
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, actor_username="hari")
    assert denied.count() == 4 and {d.object_type for d in denied} == {"action_plan"}


def test_a_lead_adds_an_update_then_a_correction_through_the_form(client, world, leads, csc_plan):
    action = make_action(leads.lena, make_objective(leads.lena, csc_plan))
    sign_in(client, leads.lena)
    url = reverse("actionplans:add_update", args=[csc_plan.pk, action.pk])
    assert "Q3 2025 (1 July 2025 to 30 September 2025)" in page_text(client.get(url))
    blank = page_text(client.post(url, {}))
    assert "Choose a RAG rating: red, amber or green." in blank
    assert "Describe the progress made this quarter and its impact." in blank
    client.post(url, {"quarter": "2025Q3", "rag": "amber", "narrative": "Half the teams trained."})
    again = page_text(client.post(url, {"quarter": "2025Q3", "rag": "green", "narrative": "All."}))
    assert "already has an update for Q3 2025" in again
    client.post(
        url,
        {
            "quarter": "2025Q3",
            "rag": "green",
            "narrative": "All teams trained.",
            "correction_reason": "The last two sessions were missed off.",
        },
    )
    assert [u.rag for u in ActionUpdate.objects.order_by("pk")] == ["amber", "green"]
    assert current_update_for(action, Q3).rag == "green"


def test_the_lead_signs_off_through_the_form_and_roles_without_sign_off_are_refused(
    client, world, leads, csc_plan
):
    action = make_action(leads.lena, make_objective(leads.lena, csc_plan))
    sign_in(client, leads.lena)
    url = reverse("actionplans:sign_off", args=[csc_plan.pk])
    early = page_text(client.post(url, {"quarter": "2025Q2"}))
    assert "1 action has no update for Q2 2025" in early
    update(leads.lena, action, "2025Q2", "green")
    assert client.post(url, {"quarter": "2025Q2"}).status_code == 302
    page = page_text(client.get(reverse("actionplans:detail", args=[csc_plan.pk])))
    assert "By Lena Lead, Head of safeguarding" in page
    for user in (world.mike, leads.ada):  # the team manager and administrator may not sign off
        sign_in(client, user)
        assert client.post(url, {"quarter": "2025Q3"}).status_code == 403
    assert SignOff.objects.count() == 1


def test_the_summary_page_shows_the_heatmap_in_words_and_the_overdue(
    client, world, leads, two_agencies
):
    make_action(
        leads.hari,
        PlanObjective.objects.get(plan__agency=world.health),
        "Health visitors use the graded care tool at 12 months",
    )
    sign_in(client, world.nina)
    page = page_text(client.get(reverse("actionplans:summary") + "?quarter=2025Q3"))
    assert "Partnership summary: Q3 2025" in page
    assert "Improved (was Amber)" in page and "Worse (was Green)" in page
    assert "Health visitors use the graded care tool at 12 months" in page  # overdue
    assert "No update for Q3 2025" in page
    assert 'data-objective="recognise" data-rag="green"' in page


def test_the_impact_framework_records_evidence_with_indicators_and_updates(
    client, world, leads, two_agencies
):
    sign_in(client, world.nina)
    url = reverse("actionplans:add_evidence") + "?quarter=2025Q3"
    form = page_text(client.get(url))
    assert "Use the graded care tool" in form  # this quarter's updates can be linked
    a3_update = current_update_for(two_agencies["a3"], Q3)
    bad = page_text(
        client.post(
            url,
            {
                "quarter": "2025Q3",
                "strategic_objective": "respond",
                "source": "audits",
                "summary": "Audit of 20 cases.",
                "indicator_codes": "cp_neglect_share_latest, code!",
            },
        )
    )
    assert "is not an indicator code" in bad
    unknown = page_text(
        client.post(
            url,
            {
                "quarter": "2025Q3",
                "strategic_objective": "respond",
                "source": "audits",
                "summary": "Audit of 20 cases.",
                "indicator_codes": "cp_neglect_sharing",
            },
        )
    )
    assert "is not one of the dataset&#x27;s indicators" in unknown
    response = client.post(
        url,
        {
            "quarter": "2025Q3",
            "strategic_objective": "respond",
            "source": "audits",
            "summary": "Multi-agency audit of 20 neglect cases: the graded care tool used in 14.",
            "indicator_codes": "cp_neglect_share_latest rereferrals_12m, CP_NEGLECT_SHARE_LATEST",
            "updates": [a3_update.pk],
        },
    )
    assert response.status_code == 302
    evidence = ImpactEvidence.objects.get()
    assert evidence.indicator_codes == ["cp_neglect_share_latest", "rereferrals_12m"]
    assert list(evidence.updates.all()) == [a3_update]
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_IMPACT_EVIDENCE).exists()
    sign_in(client, leads.auditor)
    page = page_text(client.get(reverse("actionplans:impact")))
    assert "Multi-agency audit of 20 neglect cases" in page and "rereferrals_12m" in page
    assert "Add evidence" not in page
    assert client.get(url).status_code == 403  # the scrutineer reads the framework only


def test_evidence_cannot_draw_on_a_later_quarters_update(world, two_agencies):
    later = current_update_for(two_agencies["a1"], Q3)
    with pytest.raises(ValidationError, match="cannot draw on updates for later quarters"):
        actions.record_evidence(
            by=world.nina,
            strategic_objective="recognise",
            source="data_trends",
            quarter="2025Q2",
            summary="Referrals naming neglect rose.",
            updates=[later],
        )
    with pytest.raises(PermissionDenied):
        actions.record_evidence(
            by=world.mike,
            strategic_objective="recognise",
            source="data_trends",
            quarter="2025Q2",
            summary="Referrals naming neglect rose.",
        )
