"""A manager's alert in a real browser: the team's alerts, the evidence timeline with links, the
response closing it with a reason, and the audit trail showing that response."""

import datetime
from typing import Any

import pytest

from hearth.alerts.actions import evaluate_and_raise
from hearth.alerts.models import Alert, AlertStatus
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import EventType
from tests.factories.chronology import make_entry
from tests.functional.conftest import load_event_taxonomy
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code, sign_out

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_closes_a_team_alert_with_a_reason_and_the_audit_shows_it(
    page: Any, problems: Any, world: Any
) -> None:
    load_event_taxonomy()
    from hearth.alerts.registry import load_shipped_rules

    load_shipped_rules()
    today = datetime.date.today()
    for days, code in ((12, "missed-immunisation"), (40, "missed-health-appointment")):
        make_entry(
            by=world.bob,
            subjects=[world.amy],
            event_type=EventType.objects.get(code=code),
            event_date=today - datetime.timedelta(days=days),
            description="Amy was not brought to her appointment; no reply to two letters.",
        )
    evaluate_and_raise(today)
    alert = Alert.objects.get(child=world.amy, rule__code="health-neglect")

    sign_in_with_code(page, "mike", give_authenticator(world.mike))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Alerts").click()
    page.get_by_role("link", name="My team's alerts").click()
    expect(page.locator("#alerts")).to_contain_text("Amy Archer")
    page.locator("#alerts").get_by_role("link", name="Health neglect").click()
    evidence = page.locator("#alert-evidence")
    expect(evidence).to_contain_text("Immunisations missed or overdue")
    expect(evidence).to_contain_text(world.health.name)
    expect(page.get_by_text("Why it matters")).to_be_visible()
    evidence.get_by_role("link", name="Child not brought to a health appointment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entry of")
    page.go_back()

    page.get_by_label("No action needed").check()
    page.get_by_label("What you did, or why no action is needed").fill(
        "Spoke to the health visitor: both appointments rebooked and attended on 3 June."
    )
    page.get_by_label("Close the alert").check()
    page.get_by_role("button", name="Record your response").click()
    expect(page.locator("#alert-status")).to_have_text("Closed")
    expect(page.locator("#alert-responses")).to_contain_text("rebooked and attended")
    settled(page)
    problems.assert_clean()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED

    # Information governance sees the response in the child's audit trail.
    sign_out(page)
    sign_in_with_code(page, "iris", give_authenticator(world.iris))
    page.goto(f"/audit/people/{world.amy.pk}/")
    expect(page.locator("main")).to_contain_text("Responded to an alert")
    assert AuditEvent.objects.filter(
        action=AuditAction.RESPOND_TO_ALERT, actor_username="mike", reason__contains="rebooked"
    ).exists()
