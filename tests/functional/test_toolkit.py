"""The neglect toolkit in a real browser: a day in my life, a graded care assessment and an SDQ
completed for a child, the results on the child's page, and an axe accessibility check of
every tool page."""

import json
from pathlib import Path
from typing import Any

import pytest

from hearth.toolkit.models import ResponseStatus, ToolResponse
from tests.factories.toolkit import GRADED_AREAS
from tests.functional.conftest import load_event_taxonomy
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def assert_accessible(page: Any, what: str) -> None:
    """axe-core's WCAG 2.1 A and AA rules: no serious or critical violation."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make frontend` (npm ci)")
    # Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: "
        "{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    serious = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{what}: {json.dumps(serious, indent=1)}"


@pytest.fixture
def signed_in_alice(page: Any, world: Any) -> Any:
    load_event_taxonomy()
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    return page


def start_tool(page: Any, code: str, name: str) -> None:
    page.locator("#tools").locator(f'a[href$="/new/{code}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_complete_three_tools_and_see_them_on_the_childs_page(
    signed_in_alice: Any, problems: Any, world: Any
) -> None:
    page = signed_in_alice
    page.goto(f"/people/{world.amy.pk}/")
    page.get_by_role("link", name="Open Amy's toolkit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neglect toolkit")
    assert_accessible(page, "the child's toolkit")

    # 1. A day in my life, with live recording advice as the practitioner types.
    start_tool(page, "day-in-my-life", "A day in my life")
    assert_accessible(page, "the day in my life form")
    page.locator('textarea[name="s__breakfast__what_happens"]').fill(
        "No breakfast. Poor home conditions."
    )
    advice = page.locator('[data-advice-for="s__breakfast__what_happens"]')
    expect(advice).to_contain_text("poor home conditions", ignore_case=True, timeout=5000)
    page.locator('textarea[name="s__breakfast__child_words"]').fill("I get hungry in maths.")
    page.locator('input[name="s__voice__methods"][value="conversation"]').check()
    page.locator('input[name="s__voice__seen_alone"][value="yes"]').check()
    page.locator('textarea[name="s__summary__good_for_child"]').fill(
        "Amy loves the breakfast club and her teaching assistant."
    )
    page.locator('textarea[name="s__summary__worrying_for_child"]').fill(
        "Amy arrives hungry four days in five and falls asleep in lessons."
    )
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Your draft has been saved.")).to_be_visible()
    page.get_by_role("button", name="Complete and add to the chronology").click()
    expect(page.locator("#headline")).to_have_text("Child seen alone: yes.")
    expect(page.locator(".hearth-voice-child")).to_contain_text("I get hungry in maths.")
    assert_accessible(page, "a completed day in my life")

    # 2. A graded care assessment: a grade and evidence for every sub-area.
    page.get_by_role("link", name="Back to Amy's toolkit").click()
    start_tool(page, "graded-care", "Graded care assessment")
    assert_accessible(page, "the graded care form")
    page.locator('input[name="s__about__assessed_on"]').fill("2025-03-01")
    for area, subs in GRADED_AREAS.items():
        for sub in subs:
            grade = "4" if area == "physical_care" else "2"
            page.locator(f'input[name="s__{area}__{sub}"][value="{grade}"]').check()
            page.locator(f'textarea[name="s__{area}__{sub}__evidence"]').fill(
                f"Seen on the visit of 1 March: {sub.replace('_', ' ')} described specifically."
            )
    page.get_by_role("button", name="Complete and add to the chronology").click()
    expect(page.locator("#area-summary")).to_contain_text("Physical care")
    expect(page.locator("#headline")).to_contain_text("below good enough: Physical care")

    # 3. An SDQ entered by item number, scored on completion.
    page.get_by_role("link", name="Back to Amy's toolkit").click()
    start_tool(page, "sdq", "Strengths and Difficulties Questionnaire: scoring")
    assert_accessible(page, "the SDQ form")
    page.locator('input[name="s__about__informant"][value="parent"]').check()
    page.locator('input[name="s__about__completed_on"]').fill("2025-03-02")
    for n in range(1, 26):
        page.locator(f'input[name="s__items__item_{n}"][value="1"]').check()
    page.locator('input[name="s__impact__has_difficulties"][value="no"]').check()
    page.get_by_role("button", name="Complete and add to the chronology").click()
    expect(page.locator("#sdq-scores")).to_contain_text("Total difficulties")

    # The child's page shows all three, newest first, each with its finding.
    page.goto(f"/people/{world.amy.pk}/")
    results = page.locator("#toolkit-results")
    expect(results).to_contain_text("A day in my life")
    expect(results).to_contain_text("Graded care assessment")
    expect(results).to_contain_text("SDQ (parent report): total difficulties")
    expect(page.locator("#chronology-entries")).to_contain_text("Toolkit tool completed")
    settled(page)
    problems.assert_clean()
    assert (
        ToolResponse.objects.filter(status=ResponseStatus.COMPLETED, child=world.amy).count() == 3
    )


def test_every_other_tool_page_is_accessible(signed_in_alice: Any, world: Any) -> None:
    page = signed_in_alice
    for code in (
        "assessment-checklist",
        "parent-child-observation",
        "capacity-to-change",
        "so-what",
    ):
        page.goto(f"/toolkit/{world.amy.pk}/new/{code}/")
        expect(page.locator("#tool-form")).to_be_visible()
        assert_accessible(page, code)
    page.goto("/toolkit/tools/")
    assert_accessible(page, "the tool library")
