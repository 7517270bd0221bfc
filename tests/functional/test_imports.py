"""A CIN census import in a real browser: the administrator uploads a return, reads the check
(problems per child, with path, value and rule), loads the valid children and sees them by LA
child ID."""

from pathlib import Path
from typing import Any

import pytest

from hearth.accounts.models import Role
from hearth.episodes.models import Episode
from hearth.interop.models import ImportRun, RunStatus
from tests.census_files import OTHER_UPN, VALID_UPN, child, write
from tests.factories.accounts import UserFactory
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code
from tests.functional.test_toolkit import assert_accessible

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_uploads_a_census_reads_the_report_loads_it_and_sees_the_children(
    page: Any, problems: Any, world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    ada = UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)
    path = write(
        tmp_path / "cin-census-2025.xml",
        child(),
        child((VALID_UPN, OTHER_UPN), ("RC7", "RC9"), la_child_id="ID002"),
    )

    sign_in_with_code(page, "ada", give_authenticator(ada))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Children in Need census")
    assert_accessible(page, "the imports page")
    page.get_by_label("CIN census file (XML)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("cin-census-2025.xml")
    expect(page.locator("#status")).to_have_text("Checked: waiting for a decision to load")
    report = page.locator("table[data-child='ID002']")
    expect(report).to_contain_text("/Message/Children/Child[2]/CINdetails[1]/ReasonForClosure")
    expect(report).to_contain_text("RC9")
    expect(report).to_contain_text("CODE_CLOSURE_REASON")
    expect(report).to_contain_text("The reason for closure must be one of the codes RC1 to RC8")
    assert_accessible(page, "the check's report")
    settled(page)
    assert Episode.objects.count() == 0  # nothing loaded before the decision

    page.get_by_label("The children without errors, holding back the others").check()
    page.get_by_role("button", name="Load").click()
    expect(page.locator("#result")).to_contain_text("Loaded 1 children")
    expect(page.locator("#result")).to_contain_text("1 held back")
    page.get_by_text("New to Hearth (1)").click()
    expect(page.locator("#created")).to_have_text("ID001")
    page.get_by_text("Held back (1)").click()
    expect(page.locator("#held-back")).to_have_text("ID002")
    expect(page.locator("main a[href^='/people/']")).to_have_count(0)
    assert_accessible(page, "the import's result")
    settled(page)
    problems.assert_clean()
    run = ImportRun.objects.get()
    assert run.status == RunStatus.LOADED and run.mode == "partial"
    assert Episode.objects.count() == 5
