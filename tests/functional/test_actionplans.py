"""Agency action plans in a real browser, for three agencies: each agency's lead adds the quarter's
RAG update to their own plan, one signs off, and the partnership analyst reads the heatmap with
each agency's movement, in words, and the overdue update. Every page passes axe-core."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from hearth.actionplans.models import ActionUpdate, SignOff
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear
from tests.factories.actionplans import agency_lead, make_action, make_objective, make_plan, update
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code, sign_out
from tests.functional.test_toolkit import assert_accessible

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Agencies:
    last: Quarter  # the last complete quarter: the one being reported on
    leads: dict[str, Any]  # agency code -> its lead
    actions: dict[str, Any]  # agency code -> the action its lead updates
    keys: dict[str, bytes]


@pytest.fixture
def agencies(world: Any) -> Agencies:
    """Three agencies' plans with last quarter's ratings: CSC amber, health green, school green.

    Health visiting also has an action nobody updates this quarter, so it is overdue."""
    last = Quarter.last_complete(timezone.localdate())
    leads = {
        "csc": agency_lead(world.csc, "lena"),
        "hv": agency_lead(world.health, "hari"),
        "school": agency_lead(world.school, "sol"),
    }
    before = {"csc": "amber", "hv": "green", "school": "green"}
    chosen: dict[str, Any] = {}
    for code, lead in leads.items():
        for quarter in (last.previous(), last):
            year = PlanYear.of_quarter(quarter)
            plan = lead.agency.action_plans.filter(plan_year=year.code).first() or make_plan(
                lead, lead.agency, year.code
            )
            objective = plan.objectives.first() or make_objective(lead, plan, "respond")
            action = objective.actions.first() or make_action(
                lead,
                objective,
                f"{lead.agency.name}: neglect named in every referral",
                due_date=year.end,
                first_quarter=year.quarters[0].code,
            )
            if quarter == last.previous():
                update(lead, action, quarter.code, before[code])
            else:
                chosen[code] = action
    hv_objective = chosen["hv"].objective
    make_action(leads["hv"], hv_objective, "Was-not-brought follow-up within 5 days")
    keys = {code: give_authenticator(lead) for code, lead in leads.items()}
    keys["nina"] = give_authenticator(world.nina)
    return Agencies(last=last, leads=leads, actions=chosen, keys=keys)


def add_update(page: Any, agencies: Agencies, code: str, rag: str, narrative: str) -> None:
    action = agencies.actions[code]
    page.get_by_role("link", name="Action plans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agency neglect action plans")
    page.locator(f'a[href="/action-plans/{action.objective.plan_id}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(action.objective.plan.agency.name)
    page.locator(
        f'a[href="/action-plans/{action.objective.plan_id}/actions/{action.pk}/updates/add/"]'
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a quarterly update")
    page.locator(f'input[name="quarter"][value="{agencies.last.code}"]').check()
    page.locator(f'input[name="rag"][value="{rag}"]').check()
    page.get_by_label("Progress and impact this quarter").fill(narrative)
    page.get_by_role("button", name="Save update").click()
    expect(page.get_by_text("The quarterly update has been recorded.")).to_be_visible()


def test_three_leads_update_one_signs_off_and_the_analyst_sees_the_heatmap(
    page: Any, problems: Any, world: Any, agencies: Agencies
) -> None:
    last = agencies.last
    # 1. Children's social care's lead: improved to green, then signs off the quarter.
    sign_in_with_code(page, "lena", agencies.keys["csc"])
    add_update(page, agencies, "csc", "green", "All teams now use the day in my life tool.")
    assert_accessible(page, "a plan with its objectives and actions")
    page.get_by_role("link", name="Sign off a quarter").click()
    assert_accessible(page, "the sign-off form")
    page.locator(f'input[name="quarter"][value="{last.code}"]').check()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text(f"You have signed off {last.label}.")).to_be_visible()
    expect(page.locator("#sign-offs")).to_contain_text("By Lena Lead, Head of safeguarding")
    # Another agency's plan opens, but offers no way to change it.
    page.goto(f"/action-plans/{agencies.actions['school'].objective.plan_id}/")
    expect(page.get_by_text("Add a quarterly update")).to_have_count(0)
    sign_out(page)

    # 2. Health visiting's lead: stays green; the second action is left without an update.
    sign_in_with_code(page, "hari", agencies.keys["hv"])
    page.get_by_role("link", name="Action plans").click()
    page.locator(f'a[href="/action-plans/{agencies.actions["hv"].objective.plan_id}/"]').click()
    page.locator(
        f'a[href="/action-plans/{agencies.actions["hv"].objective.plan_id}/actions/'
        f'{agencies.actions["hv"].pk}/updates/add/"]'
    ).click()
    assert_accessible(page, "the update form")
    page.get_by_role("button", name="Save update").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a RAG rating")
    assert_accessible(page, "the update form with errors")
    add_update(page, agencies, "hv", "green", "Follow-up calls made for every missed appointment.")
    sign_out(page)

    # 3. The school's lead: worse, red.
    sign_in_with_code(page, "sol", agencies.keys["school"])
    add_update(page, agencies, "school", "red", "The safeguarding lead left; no cover this term.")
    sign_out(page)

    # 4. The partnership analyst reads the heatmap: movement in words, overdue, sign-off.
    sign_in_with_code(page, "nina", agencies.keys["nina"])
    page.get_by_role("link", name="Action plans").click()
    page.get_by_role("link", name="Partnership summary (heatmap)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Partnership summary: {last.label}")
    heatmap = page.locator("#heatmap")
    csc = heatmap.locator('tr[data-agency="Children\'s Social Care"] td[data-objective="respond"]')
    expect(csc).to_contain_text("Green")
    expect(csc).to_contain_text("Improved (was Amber)")
    health = heatmap.locator('tr[data-agency="Health Visiting"] td[data-objective="respond"]')
    expect(health).to_contain_text("Same (was Green)")
    expect(health).to_contain_text("1 overdue")
    school = heatmap.locator('tr[data-agency="Oakfield Primary"] td[data-objective="respond"]')
    expect(school).to_contain_text("Red")
    expect(school).to_contain_text("Worse (was Green)")
    expect(heatmap.locator('tr[data-agency="Children\'s Social Care"]')).to_contain_text(
        "Lena Lead"
    )
    expect(heatmap.locator('tr[data-agency="Oakfield Primary"]')).to_contain_text("Not signed off")
    expect(page.locator("#overdue")).to_contain_text("Was-not-brought follow-up within 5 days")
    assert_accessible(page, "the partnership heatmap")
    page.get_by_role("link", name="Back to the action plans").click()
    page.get_by_role("link", name="Impact Framework").click()
    assert_accessible(page, "the Impact Framework")
    page.get_by_role("link", name="Add evidence").click()
    page.locator('input[name="strategic_objective"][value="respond"]').check()
    page.locator('input[name="source"][value="data_trends"]').check()
    page.get_by_label("What the evidence shows").fill("Referrals naming neglect rose by a fifth.")
    page.get_by_label("Dataset indicators it draws on (optional)").fill("cp_neglect_share_latest")
    page.get_by_label("Oakfield Primary, Respond", exact=False).check()
    assert_accessible(page, "the evidence form")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#objective-respond + table")).to_contain_text("cp_neglect_share_latest")
    settled(page)
    problems.assert_clean()
    assert ActionUpdate.objects.filter(quarter=last.code).count() == 3
    assert SignOff.objects.get().signed_by == agencies.leads["csc"]


def test_the_administrator_records_training_and_the_reach_page_is_accessible(
    page: Any, problems: Any, world: Any
) -> None:
    from hearth.workforce.models import Attendance
    from tests.factories.actionplans import administrator

    ada = administrator(world.csc)
    sign_in_with_code(page, "ada", give_authenticator(ada))
    page.goto("/training/")
    assert_accessible(page, "training reach and confidence")
    page.get_by_role("link", name="Record a session").click()
    assert_accessible(page, "the session form")
    page.get_by_label("Title").fill("Cumulative harm and the graded care tool")
    page.get_by_label("Date").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.locator('input[name="course_type"][value="multi_agency"]').check()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_text("Now add who attended")).to_be_visible()
    page.get_by_role("link", name="Add who attended").click()
    assert_accessible(page, "the attendance form")
    page.get_by_label("Or their name").fill("Jo Smith")
    page.get_by_label("Their agency").select_option(label="Oakfield Primary")
    page.get_by_label("Recognising neglect: confidence before the session").select_option("2")
    page.get_by_label("Recognising neglect: confidence after the session").select_option("4")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#attendance")).to_contain_text("2 → 4")
    assert_accessible(page, "a session with its attendance")
    settled(page)
    problems.assert_clean()
    assert Attendance.objects.get().recognising_after == 4
