"""Training reach and confidence: who records what, distinct practitioners against targets, and
confidence before and after, worked out by hand.

Personas from tests/conftest.py, plus lena (children's social care's lead), hari (health
visiting's lead) and ada (the administrator).
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hearth.audit.models import AuditAction, AuditEvent
from hearth.workforce import actions, reporting
from hearth.workforce.models import Attendance, TrainingSession, TrainingTarget
from tests.conftest import page_text, sign_in
from tests.factories.actionplans import administrator, agency_lead

pytestmark = pytest.mark.django_db

D = datetime.date


def session(by: Any, held_on: datetime.date, agency: Any = None, title: str = "Neglect") -> Any:
    return actions.record_session(
        by=by, title=title, held_on=held_on, course_type="multi_agency", agency=agency
    )


def attend(
    by: Any, at: Any, *, user: Any = None, name: str = "", agency: Any = None, **scores: Any
) -> Any:
    """scores: recognising=(2, 4) and so on."""
    return actions.record_attendance(
        by=by, session=at, user=user, name=name, agency=agency, confidence=scores
    )


@pytest.fixture
def ada(world: Any) -> Any:
    return administrator(world.csc)


@pytest.fixture
def trained(world: Any, ada: Any) -> dict[str, Any]:
    """Three sessions; targets for 2025-26 of 4 (CSC), 10 (health) and 5 (school).

    S1, 10 May 2025, partnership-wide: Alice (2→4 recognising, 2→3 responding), Pat Jones of CSC
    (3→4), Pat Jones of health visiting (1→ no answer).
    S2, 20 June 2025, CSC: Alice again (4→5), "pat  JONES" of CSC again (no scores).
    S3, 31 March 2025, before the plan year: Bob (1→5).
    """
    s1, s2 = session(ada, D(2025, 5, 10)), session(ada, D(2025, 6, 20), world.csc)
    s3 = session(ada, D(2025, 3, 31))
    attend(ada, s1, user=world.alice, recognising=(2, 4), responding=(2, 3))
    attend(ada, s1, name="Pat Jones", agency=world.csc, recognising=(3, 4))
    attend(ada, s1, name="Pat Jones", agency=world.health, recognising=(1, None))
    attend(ada, s2, user=world.alice, recognising=(4, 5))
    attend(ada, s2, name="pat  JONES", agency=world.csc)
    attend(ada, s3, user=world.bob, recognising=(1, 5))
    for agency, target in ((world.csc, 4), (world.health, 10), (world.school, 5)):
        actions.set_target(by=ada, agency=agency, plan_year="2025-26", practitioners=target)
    return {"s1": s1, "s2": s2, "s3": s3}


def test_practitioners_are_counted_once_each_against_their_agencys_target(world, trained):
    rows = reporting.practitioners_trained(D(2025, 4, 1), D(2025, 6, 30))
    assert rows == [
        {
            "agency_id": world.csc.pk,
            "agency": "Children's Social Care",
            "trained": 2,
            "target": 4,
            "share_of_target": 0.5,
        },
        {
            "agency_id": world.health.pk,
            "agency": "Health Visiting",
            "trained": 1,
            "target": 10,
            "share_of_target": 0.1,
        },
        {
            "agency_id": world.school.pk,
            "agency": "Oakfield Primary",
            "trained": 0,
            "target": 5,
            "share_of_target": 0.0,
        },
    ]


def test_reach_can_be_limited_to_agencies_and_ranges(world, trained):
    only_csc = reporting.practitioners_trained(D(2025, 4, 1), D(2025, 6, 30), [world.csc.pk])
    assert [(r["agency"], r["trained"]) for r in only_csc] == [("Children's Social Care", 2)]
    # Bob's session was in 2024-25: trained in that year, with no target set for it.
    last_year = reporting.practitioners_trained(D(2024, 4, 1), D(2025, 3, 31))
    assert last_year == [
        {
            "agency_id": world.health.pk,
            "agency": "Health Visiting",
            "trained": 1,
            "target": None,
            "share_of_target": None,
        }
    ]
    with pytest.raises(ValueError, match="ends"):
        reporting.practitioners_trained(D(2025, 6, 30), D(2025, 4, 1))


def test_confidence_change_uses_only_paired_answers(world, trained):
    rows = {r["item"]: r for r in reporting.confidence_change(D(2025, 4, 1), D(2025, 6, 30))}
    # Recognising: (2→4), (3→4), (4→5); the health visitor gave no "after" so is left out.
    assert rows["recognising"] == {
        "item": "recognising",
        "label": "Recognising neglect",
        "respondents": 3,
        "mean_before": 3.0,
        "mean_after": 4.33,
        "change": 1.33,
    }
    assert (rows["responding"]["respondents"], rows["responding"]["change"]) == (1, 1.0)
    assert rows["using_tools"] == {
        "item": "using_tools",
        "label": "Using the tools",
        "respondents": 0,
        "mean_before": None,
        "mean_after": None,
        "change": None,
    }
    health = reporting.confidence_change(D(2025, 4, 1), D(2025, 6, 30), [world.health.pk])
    assert health[0]["respondents"] == 0


def test_an_agency_lead_records_only_their_own_agencys_training(world, ada):
    lena = agency_lead(world.csc)
    own = session(lena, D(2025, 5, 1), world.csc)
    with pytest.raises(PermissionDenied):
        session(lena, D(2025, 5, 1), world.health)
    with pytest.raises(PermissionDenied):
        session(lena, D(2025, 5, 1))  # partnership-wide sessions are the administrator's
    partnership = session(ada, D(2025, 5, 2))
    attend(lena, partnership, user=world.alice)  # their own practitioner at a partnership session
    with pytest.raises(PermissionDenied):
        attend(lena, own, user=world.bob)  # a health visitor is health's to record
    with pytest.raises(PermissionDenied):
        actions.set_target(by=lena, agency=world.csc, plan_year="2025-26", practitioners=99)
    with pytest.raises(PermissionDenied):
        session(world.nina, D(2025, 5, 1), world.csc)


def test_attendance_rules_once_per_user_and_a_one_to_five_scale(world, ada):
    held = session(ada, D(2025, 5, 1))
    attend(ada, held, user=world.alice)
    with pytest.raises(ValidationError, match="already recorded"):
        attend(ada, held, user=world.alice)
    with pytest.raises(ValidationError) as error:
        attend(ada, held, name="Sam Cole", agency=world.csc, recognising=(0, 6))
    assert set(error.value.message_dict) == {"recognising_before", "recognising_after"}
    with pytest.raises(ValidationError, match="date is in the future"):
        session(ada, D(2999, 1, 1))
    copied = Attendance.objects.get(user=world.alice)
    assert (copied.name, copied.agency) == ("Alice Tester", world.csc)


def test_targets_are_revised_not_duplicated_and_the_audit_keeps_the_old_one(world, ada):
    actions.set_target(by=ada, agency=world.csc, plan_year="2025-26", practitioners=100)
    actions.set_target(by=ada, agency=world.csc, plan_year="2025/26", practitioners=120)
    assert TrainingTarget.objects.get().practitioners == 120
    last = AuditEvent.objects.filter(action=AuditAction.SET_TRAINING_TARGET).order_by("id").last()
    assert (last.details["previous"], last.details["practitioners"]) == (100, 120)


# --- Screens -----------------------------------------------------------------------------------


def test_the_training_page_shows_reach_and_confidence(client, world, trained):
    sign_in(client, world.nina)
    page = page_text(client.get(reverse("workforce:index") + "?plan_year=2025-26"))
    assert "Training reach and confidence, 2025-26" in page
    assert "50%" in page and "10%" in page
    assert "+1.33" in page
    assert page.index("20 Jun 2025") < page.index("10 May 2025")  # newest session first
    assert "Record a session" not in page
    detail = page_text(client.get(reverse("workforce:session", args=[trained["s1"].pk])))
    assert "Pat Jones" in detail and "2 → 4" in detail


def test_practitioners_and_ig_cannot_see_training_records(client, world, trained):
    for user in (world.alice, world.iris):
        sign_in(client, user)
        assert client.get(reverse("workforce:index")).status_code == 403
        assert client.get(reverse("workforce:session", args=[trained["s1"].pk])).status_code == 403


def test_the_administrator_records_a_session_and_attendance_with_confidence(client, world, ada):
    sign_in(client, ada)
    blank = page_text(client.post(reverse("workforce:add_session"), {}))
    assert "Enter the title of the session." in blank and "govuk-error-summary" in blank
    response = client.post(
        reverse("workforce:add_session"),
        {
            "title": "Neglect strategy launch",
            "held_on": "10/05/2025",
            "course_type": "strategy_launch",
        },
    )
    held = TrainingSession.objects.get()
    assert held.agency is None and response["Location"] == reverse(
        "workforce:session", args=[held.pk]
    )
    url = reverse("workforce:add_attendance", args=[held.pk])
    assert "Choose the practitioner, or enter their name and agency." in page_text(
        client.post(url, {})
    )
    client.post(
        url,
        {
            "name": "Jo Smith",
            "agency": world.school.pk,
            "recognising_before": "2",
            "recognising_after": "4",
        },
    )
    client.post(url, {"user": world.bob.pk, "using_tools_before": "1", "using_tools_after": "3"})
    rows = {a.name: a for a in Attendance.objects.all()}
    assert (rows["Jo Smith"].recognising_before, rows["Jo Smith"].recognising_after) == (2, 4)
    assert rows["Bob Tester"].agency == world.health and rows["Bob Tester"].using_tools_after == 3
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_ATTENDANCE).count() == 2


def test_a_lead_records_for_their_agency_only_through_the_forms(client, world, ada):
    lena = agency_lead(world.csc)
    sign_in(client, lena)
    refused = client.post(
        reverse("workforce:add_session"),
        {
            "title": "Champions",
            "held_on": "2025-05-01",
            "course_type": "champions",
            "agency": world.health.pk,
        },
    )
    assert "Select a valid choice" in page_text(refused)
    client.post(
        reverse("workforce:add_session"),
        {
            "title": "Champions",
            "held_on": "2025-05-01",
            "course_type": "champions",
            "agency": world.csc.pk,
        },
    )
    held = TrainingSession.objects.get()
    assert held.agency == world.csc
    form = page_text(client.get(reverse("workforce:add_attendance", args=[held.pk])))
    assert "Alice Tester" in form and "Bob Tester" not in form  # only their own practitioners
    targets = client.get(reverse("workforce:targets"))
    assert targets.status_code == 200 and "set by its administrator" in page_text(targets)
    posted = client.post(
        reverse("workforce:targets"),
        {"agency": world.csc.pk, "plan_year": "2025-26", "practitioners": 5},
    )
    assert posted.status_code == 403 and not TrainingTarget.objects.exists()


def test_the_administrator_sets_a_target_through_the_form(client, world, ada):
    sign_in(client, ada)
    url = reverse("workforce:targets")
    assert "Enter how many practitioners" in page_text(
        client.post(url, {"agency": world.csc.pk, "plan_year": "2025-26"})
    )
    client.post(url, {"agency": world.csc.pk, "plan_year": "2025-26", "practitioners": "250"})
    assert TrainingTarget.objects.get().practitioners == 250
    assert "250" in page_text(client.get(url + "?plan_year=2025-26"))
