"""The practitioner's walk through Hearth in a real browser.

Sign in (password and multi-factor), find a child by an approximate spelling, read the child's
page, record chronology entries that reach the sibling, amend one, be refused a child you have
no relationship with, break glass, and have the break-glass access reviewed.
"""

import re
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.access.models import BreakGlassGrant, GrantStatus
from hearth.chronology.models import ChronologyEntry, EntryVersion
from tests.functional.helpers import (
    PASSWORD,
    RESULTS_DIR,
    give_authenticator,
    settled,
    sign_in_enrolling,
    sign_in_with_code,
    sign_out,
    totp_code,
)

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def entry_ids(page: Any) -> list[int]:
    return [
        int(x)
        for x in page.locator("#chronology-entries > li[data-entry-id]").evaluate_all(
            "items => items.map(li => li.dataset.entryId)"
        )
    ]


def entry_item(page: Any, entry_id: int) -> Any:
    return page.locator(f'#chronology-entries > li[data-entry-id="{entry_id}"]')


def test_sign_in_with_mfa_enrolment_find_child_and_read_their_page(
    page: Any, problems: Any, world: Any, chronology: Any
) -> None:
    # 1. Password, then first-time multi-factor set-up with the key shown on the page.
    sign_in_enrolling(page, "alice")
    expect(page.get_by_text("Multi-factor sign-in is set up.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator(".hearth-account")).to_contain_text("Signed in as")
    settled(page)
    assert TOTPDevice.objects.filter(user=world.alice, confirmed=True).count() == 1

    # 2. Find a person, spelling the name wrongly, and open the child from the results.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find a person").click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Aimee Arsher")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/people/\?.*name=Aimee\+Arsher"))
    results = page.get_by_role("table", name=re.compile("found"))
    expect(results.get_by_role("link", name="Amy Archer")).to_be_visible()
    # Zara Young is no relative of anyone Alice works with: never offered, even spelt right.
    expect(results).not_to_contain_text("Zara")
    results.get_by_role("link", name="Amy Archer").click()
    expect(page).to_have_url(re.compile(rf"/people/{world.amy.pk}/$"))

    # 3. The child first: who she is, where and with whom she lives, Dean included.
    expect(page.get_by_role("heading", level=1)).to_have_text("Amy Archer")
    summary = page.locator("#child-summary")
    expect(summary).to_contain_text("born 4 Apr 2016")
    expect(summary).to_contain_text("1 Test Street")
    lives_with = summary.locator(".govuk-summary-list__row", has_text="Lives with")
    expect(lives_with).to_contain_text("Mandy Archer (Mother)")
    expect(lives_with).to_contain_text("Ben Archer (Sibling)")
    expect(lives_with).to_contain_text("Dean Cole")
    expect(lives_with).to_contain_text("no relationship recorded")
    dean_row = page.locator("#family tr", has_text="Dean Cole")
    expect(dean_row).to_contain_text("Adult, male")
    expect(dean_row).to_contain_text("Yes, now")

    # The network: who is working with this child and family, lead first.
    network_rows = page.locator("#network tbody tr")
    expect(network_rows).to_have_count(2)
    expect(network_rows.nth(0)).to_contain_text("Children's Social Care")
    expect(network_rows.nth(0)).to_contain_text("Lead professional")
    expect(network_rows.nth(0)).to_contain_text("Allocated social worker")
    expect(network_rows.nth(0)).to_contain_text("This child")
    expect(network_rows.nth(1)).to_contain_text("Health Visiting")
    expect(network_rows.nth(1)).to_contain_text("Mandy Archer")

    # The merged chronology: Amy's, her mother's and her brother's entries, newest first, from
    # both agencies; the health visitor's own-agency note stays hidden from social care.
    c = chronology
    assert entry_ids(page) == [
        c.alice_home_visit.pk,
        c.mandy_missed_appointment.pk,
        c.ben_weight.pk,
    ]
    entries = page.locator("#chronology-entries")
    expect(entries).not_to_contain_text("internal note")
    expect(page.locator("#counts-by-agency")).to_contain_text("Children's Social Care 1")
    expect(page.locator("#counts-by-agency")).to_contain_text("Health Visiting 2")
    ben_entry = entry_item(page, c.ben_weight.pk)
    expect(ben_entry.locator(".hearth-entry__agency")).to_have_text("Health Visiting")
    expect(ben_entry).to_contain_text("About: Ben Archer")
    expect(ben_entry).to_contain_text(
        "What this means for the child: Ben may not be getting enough to eat."
    )
    problems.assert_clean()


def test_entry_about_child_and_sibling_and_household_entry_reach_the_sibling(
    page: Any, problems: Any, world: Any, chronology: Any
) -> None:
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    page.get_by_role("link", name="Amy Archer").click()  # from "allocated to you" on My work
    expect(page.get_by_role("heading", level=1)).to_have_text("Amy Archer")

    # 4a. An entry about Amy and Ben.
    page.get_by_role("button", name="Add a chronology entry").click()
    expect(page.get_by_role("heading", name="Add a chronology entry")).to_be_visible()
    about = page.get_by_role("group", name="Who is this about?")
    expect(about.get_by_role("checkbox", name="Amy Archer (this child)")).to_be_checked()
    about.get_by_role("checkbox", name=re.compile(r"^Ben Archer")).check()
    page.get_by_label("Date of the event").fill("2025-03-10")
    page.get_by_label("What kind of event").select_option(label="Child hungry or without food")
    page.get_by_label("What happened").fill(
        "Amy and Ben arrived at breakfast club hungry; no food at home since Friday."
    )
    page.get_by_label("What this means for the child").fill(
        "Amy went without food for two days and looked after Ben."
    )
    page.get_by_role("button", name="Save entry").click()

    expect(page).to_have_url(re.compile(rf"/people/{world.amy.pk}/$"))
    expect(page.get_by_text("The entry has been added to the chronology.")).to_be_visible()
    settled(page)
    new = ChronologyEntry.objects.get(description__startswith="Amy and Ben arrived")
    assert sorted(new.subject_links.values_list("person_id", flat=True)) == sorted(
        [world.amy.pk, world.ben.pk]
    )
    assert entry_ids(page)[0] == new.pk  # newest first
    mine = entry_item(page, new.pk)
    expect(mine).to_contain_text("10 Mar 2025")
    expect(mine).to_contain_text("Children's Social Care")
    expect(mine).to_contain_text("Child hungry or without food")
    expect(mine).to_contain_text("About: Amy Archer, Ben Archer")
    expect(mine).to_contain_text(
        "What this means for the child: Amy went without food for two days"
    )

    # 4b. A whole-household entry, about nobody in particular.
    page.get_by_role("button", name="Add a chronology entry").click()
    page.get_by_role("checkbox", name="Amy Archer (this child)").uncheck()
    page.get_by_role("checkbox", name=re.compile("whole household")).check()
    page.get_by_label("Date of the event").fill("2025-03-12")
    page.get_by_label("What kind of event").select_option(
        label="Home conditions harmful to the child"
    )
    page.get_by_label("What happened").fill(
        "Dog faeces on the kitchen floor; strong smell of urine in every room."
    )
    page.get_by_label("What this means for the child").fill(
        "The children eat and play on a soiled floor."
    )
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("The entry has been added to the chronology.")).to_be_visible()
    settled(page)
    household = ChronologyEntry.objects.get(description__startswith="Dog faeces")
    assert household.household_id == world.home.pk
    assert not household.subject_links.exists()
    expect(entry_item(page, household.pk)).to_contain_text("About: the household at 1 Test Street")

    # ...and both are on Ben's chronology, reached through the link on Amy's page.
    page.locator("#child-summary").get_by_role("link", name="Ben Archer").click()
    expect(page).to_have_url(re.compile(rf"/people/{world.ben.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Archer")
    ids = entry_ids(page)
    assert ids[:2] == [household.pk, new.pk], ids
    expect(entry_item(page, new.pk)).to_contain_text("Amy and Ben arrived at breakfast club hungry")
    expect(entry_item(page, household.pk)).to_contain_text("Dog faeces on the kitchen floor")
    problems.assert_clean()


def test_amending_an_entry_keeps_both_versions(
    page: Any, problems: Any, world: Any, chronology: Any
) -> None:
    entry = chronology.alice_home_visit
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    page.goto(f"/people/{world.amy.pk}/")
    entry_item(page, entry.pk).get_by_role("link", name=re.compile("^History")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entry of 1 Feb 2025")

    page.get_by_role("link", name="Amend this entry").click()
    expect(page.get_by_label("What happened")).to_have_value(entry.description)
    expect(page.get_by_label("Date of the event")).to_have_value("2025-02-01")
    page.get_by_label("What happened").fill(
        "Home visit: Amy seen alone in her bedroom; no sheet or duvet on the mattress."
    )
    page.get_by_label("Why are you amending this entry?").fill("Said exactly what was missing.")
    page.get_by_role("button", name="Save amendment").click()

    expect(page).to_have_url(re.compile(rf"/chronology/{world.amy.pk}/entries/{entry.pk}/$"))
    expect(page.get_by_text("The entry has been amended.")).to_be_visible()
    v2 = page.locator('[data-version="2"]')
    v1 = page.locator('[data-version="1"]')
    expect(v2).to_contain_text("Version 2: Amended by Alice Tester")
    expect(v2).to_contain_text("Reason: Said exactly what was missing.")
    expect(v2).to_contain_text("no sheet or duvet on the mattress")
    expect(v1).to_contain_text("Version 1: Recorded by Alice Tester")
    expect(v1).to_contain_text("no bedding on the mattress")
    settled(page)
    assert list(
        EntryVersion.objects.filter(entry=entry)
        .order_by("version")
        .values_list("version", flat=True)
    ) == [1, 2]

    page.get_by_role("link", name=re.compile("Back to Amy Archer")).click()
    amended = entry_item(page, entry.pk)
    expect(amended).to_contain_text("no sheet or duvet")
    expect(amended.locator(".govuk-tag", has_text="Amended")).to_be_visible()
    problems.assert_clean()


def test_refused_without_relationship_then_break_glass_and_review(
    page: Any, problems: Any, world: Any, chronology: Any
) -> None:
    # 6. Charlie (school DSL, working only with Zara) opens Amy's address directly.
    sign_in_with_code(page, "charlie", give_authenticator(world.charlie))
    response = page.goto(f"/people/{world.amy.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this record")
    expect(page.locator("main")).not_to_contain_text("Amy")
    expect(page.locator("main")).not_to_contain_text("Archer")

    page.get_by_role("link", name="Break glass").click()
    expect(page).to_have_url(re.compile(rf"/access/break-glass/{world.amy.pk}/$"))
    page.get_by_role("radio", name="Immediate risk of harm to a child").check()
    page.get_by_label("Explain why, and why it cannot wait").fill(
        "Amy disclosed at a holiday club that she has not eaten since Friday; need her family's details now."
    )
    page.get_by_role("button", name="Break glass and open the record").click()

    expect(page).to_have_url(re.compile(rf"/people/{world.amy.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Amy Archer")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "You are seeing this record by breaking glass"
    )
    expect(
        page.get_by_text(re.compile(r"You have access to this record until \d\d:\d\d"))
    ).to_be_visible()
    expect(entry_item(page, chronology.alice_home_visit.pk)).to_be_visible()
    settled(page)
    grant = BreakGlassGrant.objects.get(user=world.charlie, person=world.amy)
    assert grant.status == GrantStatus.AWAITING_REVIEW
    sign_out(page)

    # Iris, the information-governance officer, closes the review from her queue.
    sign_in_with_code(page, "iris", give_authenticator(world.iris))
    expect(page.get_by_role("link", name="1 break-glass access awaiting review")).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Break-glass reviews"
    ).click()
    row = page.locator("#awaiting tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Charlie")
    expect(row).to_contain_text("Amy Archer")
    expect(row).to_contain_text("Immediate risk of harm to a child")
    row.get_by_role("link", name=re.compile("^Review")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review break-glass access")
    expect(page.locator("main")).to_contain_text("has not eaten since Friday")
    page.get_by_role("radio", name="Yes: close the review").check()
    page.get_by_label("What you checked and concluded").fill(
        "Checked with the DSL: a disclosure that day; access was proportionate."
    )
    page.get_by_role("button", name="Close the review").click()

    expect(page).to_have_url(re.compile(r"/access/reviews/$"))
    expect(page.get_by_text("The break-glass access has been reviewed and closed.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Reviewed: appropriate")
    settled(page)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.CLOSED_APPROPRIATE
    assert grant.reviewed_by_id == world.iris.pk
    problems.assert_clean()


def test_child_page_screenshot_is_styled(
    page: Any, problems: Any, world: Any, chronology: Any
) -> None:
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    page.goto(f"/people/{world.amy.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Amy Archer")
    # GOV.UK Frontend's stylesheet and script really loaded: the header is black, JS is on.
    header_bg = page.locator(".govuk-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_bg == "rgb(11, 12, 12)", (
        f"GOV.UK Frontend CSS not applied (header background {header_bg})"
    )
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "child-page.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    problems.assert_clean()


def test_content_security_policy_blocks_inline_script_and_we_notice(
    page: Any, problems: Any, db: None
) -> None:
    """Guards the guard: an inline script is refused, and the console watcher reports it."""
    response = page.goto("/account/sign-in/")
    assert response is not None and response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, csp
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__inline") is None
    assert problems.csp_violations, (
        f"no CSP violation seen; console errors: {problems.console_errors}"
    )
    problems.csp_violations.clear()
    problems.assert_clean()


def test_no_font_fails_to_load(page: Any, problems: Any, db: None) -> None:
    """GOV.UK Frontend's CSS names GDS Transport at /assets/fonts/, which Hearth must not use
    (it is for GOV.UK only) and does not serve; the Sass build sets Arial everywhere instead."""
    page.goto("/account/sign-in/")
    page.keyboard.press("Tab")  # a keyboard user's first key shows the skip link
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    failed = page.evaluate(
        "async () => { await document.fonts.ready;"
        " return [...document.fonts].filter(f => f.status === 'error').map(f => f.family + ' ' + f.weight); }"
    )
    assert not failed and not problems.failed_fonts, (
        f"fonts failed: {failed} {problems.failed_fonts}"
    )


def test_amend_form_keeps_the_event_date(
    page: Any, problems: Any, world: Any, chronology: Any
) -> None:
    entry = chronology.alice_home_visit
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    page.goto(f"/chronology/{world.amy.pk}/entries/{entry.pk}/amend/")
    expect(page.get_by_label("What happened")).to_have_value(entry.description)
    assert page.get_by_label("Date of the event").input_value() == "2025-02-01"


def test_a_link_to_a_record_survives_signing_in(page: Any, problems: Any, world: Any) -> None:
    key = give_authenticator(world.alice)
    page.goto(f"/people/{world.amy.pk}/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=.*people"))
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/account/mfa/verify/"))
    page.get_by_label("Code from your authenticator app").fill(totp_code(key))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert re.search(rf"/people/{world.amy.pk}/$", page.url), f"landed on {page.url}"
    problems.assert_clean()
