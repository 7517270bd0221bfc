"""Plans: SMART actions with the plan check, CP plan reviews with the category, next steps."""

import datetime

import pytest
from django.urls import reverse

from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry
from hearth.plans.models import PlanAction, PlanReview
from tests.conftest import page_text, sign_in
from tests.factories.toolkit import make_plan, post_data

pytestmark = pytest.mark.django_db


def test_the_plan_check_flags_actions_missing_an_element(client, world):
    plan = make_plan(world.amy, world.csc)
    sign_in(client, world.alice)
    page = page_text(client.get(reverse("plans:detail", args=[world.amy.pk, plan.pk])))
    assert "This plan has no actions" in page
    client.post(
        reverse("plans:add_action", args=[world.amy.pk, plan.pk]),
        {"who_name": "Parents", "what": "Improve the home", "outcome": "better", "status": "open"},
    )
    client.post(
        reverse("plans:add_action", args=[world.amy.pk, plan.pk]),
        {
            "who_name": "Kim Patel",
            "agency": world.health.pk,
            "what": "Weigh Ben at clinic every fortnight",
            "outcome": "Weight back on the 25th centile within 8 weeks",
            "by_when": "2025-06-01",
            "review_date": "2025-04-01",
            "status": "open",
        },
    )
    assert PlanAction.objects.filter(plan=plan).count() == 2
    page = page_text(client.get(reverse("plans:detail", args=[world.amy.pk, plan.pk])))
    assert "1 of 2 actions is not SMART" in page
    assert "&#x27;Parents&#x27; is a role or a group: name the person." in page
    assert "Give the date it must be done by." in page
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_PLAN_ACTION).count() == 2


def test_a_cp_review_records_the_category_with_its_rationale(client, world):
    plan = make_plan(world.amy, world.csc)
    sign_in(client, world.alice)
    url = reverse("plans:add_review", args=[world.amy.pk, plan.pk])
    refused = client.post(url, {"review_date": "2025-04-10"})
    assert "Explain why this is the right category." in page_text(refused)
    assert "Say whether the category is still the right one." in page_text(refused)
    client.post(
        url,
        {
            "review_date": "2025-04-10",
            "category": "EMO",
            "category_rationale": "Amy is frightened by the shouting; the neglect has eased.",
            "category_still_right": "no",
        },
    )
    plan.refresh_from_db()
    review = PlanReview.objects.get(plan=plan)
    assert review.category_still_right is False
    assert plan.latest_category == "EMO" and plan.initial_category == "NEG"
    assert "2025-04-10" in plan.review_dates
    entry = ChronologyEntry.objects.get(event_type__code="cp-review")
    assert "Emotional abuse (changed)" in entry.description


def test_only_the_lead_agency_changes_the_plan(client, world):
    plan = make_plan(world.amy, world.csc)
    sign_in(client, world.bob)
    assert client.get(reverse("plans:detail", args=[world.amy.pk, plan.pk])).status_code == 200
    refused = client.post(
        reverse("plans:add_action", args=[world.amy.pk, plan.pk]),
        {"who_name": "Bob", "what": "Anything at all here", "status": "open"},
    )
    assert refused.status_code == 404
    assert not PlanAction.objects.exists()
    sign_in(client, world.charlie)
    assert client.get(reverse("plans:detail", args=[world.amy.pk, plan.pk])).status_code == 404


def test_a_plan_of_another_child_is_not_reachable_through_this_child(client, world):
    plan = make_plan(world.zara, world.csc)
    sign_in(client, world.alice)
    assert client.get(reverse("plans:detail", args=[world.amy.pk, plan.pk])).status_code == 404


def test_next_steps_from_the_analysis_become_plan_actions_once(client, world):
    plan = make_plan(world.amy, world.csc, start_date=datetime.date(2024, 1, 1))
    sign_in(client, world.alice)
    form_page = page_text(client.get(reverse("toolkit:start", args=[world.amy.pk, "so-what"])))
    assert "What we know" in form_page and "The family's chronology since" in form_page
    answers = {
        "analysis": {
            "life_for_child": "Amy is hungry at school most days and tired in lessons.",
            "what_needs_to_change": "Food at home every day; a bedtime routine.",
            "if_nothing_changes": "Amy's weight and learning will fall further behind.",
        },
        "next_steps": [
            {
                "who": "Mandy Archer",
                "agency": "family",
                "what": "Cook tea with Amy each evening",
                "outcome": "A cooked tea at 4 of 4 unannounced visits",
                "by_when": "2025-05-01",
                "review_date": "2025-04-01",
            },
            {
                "who": "All agencies",
                "what": "Monitor",
                "outcome": "improve",
                "by_when": "2025-05-01",
            },
        ],
    }
    done = client.post(
        reverse("toolkit:start", args=[world.amy.pk, "so-what"]), post_data("so-what", answers)
    )
    assert done.status_code == 302
    response_page = page_text(client.get(done["Location"]))
    assert "Not SMART" in response_page and "SMART" in response_page
    url = reverse("plans:add_next_steps", args=[world.amy.pk, plan.pk])
    from hearth.toolkit.models import ToolResponse

    so_what = ToolResponse.objects.get(tool__code="so-what")
    assert so_what.result["not_smart"] == 1
    client.post(url, {"response": so_what.pk})
    client.post(url, {"response": so_what.pk})
    assert PlanAction.objects.filter(plan=plan, source_response=so_what).count() == 2
