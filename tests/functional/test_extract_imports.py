"""An agency extract import in a real browser: the administrator uploads a health visiting
chronology extract for its agency, reads the rejected rows (row, column, value, rule and reason),
loads the good rows and sees what was created. Every name and number here is synthetic."""

from pathlib import Path
from typing import Any

import pytest

from hearth.accounts.models import Role
from hearth.agencies.models import AgencyType
from hearth.chronology.models import ChronologyEntry, EventType
from hearth.interop import actions
from hearth.interop.models import ImportRun, RunStatus
from tests.factories.accounts import UserFactory
from tests.factories.agencies import AgencyFactory
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code
from tests.functional.test_toolkit import assert_accessible

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_uploads_an_extract_reads_the_rejected_rows_and_loads_the_rest(
    page: Any, problems: Any, world: Any, settings: Any, tmp_path: Path
) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    ada = UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)
    AgencyFactory(
        code="hv",
        name="Health visiting",
        agency_type=AgencyType.HEALTH_VISITING,
        source_system="systmone",
    )
    people = tmp_path / "people.csv"
    people.write_text("person_reference,given_name,family_name\nP1,Amy,Archer\n")
    loaded = actions.import_extract_file(
        by=actions.command_actor(), path=people, kind="people", agency_code="hv"
    )
    assert loaded.status == RunStatus.LOADED
    event_type = EventType.objects.get_or_create(code="child-hungry", defaults={"label": "Hungry"})[
        0
    ].code
    extract = tmp_path / "hv-chronology.csv"
    extract.write_text(
        "source_reference,person_reference,event_date,event_type,description\n"
        f"E1,P1,05/03/2024,{event_type},Arrived hungry\n"
        f"E2,P9,2024-03-06,{event_type},Arrived hungry again\n"
    )

    sign_in_with_code(page, "ada", give_authenticator(ada))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="import an agency extract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import an agency extract")
    assert_accessible(page, "the agency extract page")
    page.get_by_label("Agency").select_option("hv")
    page.get_by_label("What the file holds").select_option("chronology")
    page.get_by_label("Extract (CSV or Excel)").set_input_files(str(extract))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("hv-chronology.csv")
    expect(page.locator("#status")).to_have_text("Checked: waiting for a decision to load")
    expect(page.locator("#would")).to_have_text("create 1, amend 0, leave 0 unchanged")
    rejected = page.locator("#rejected-rows tr[data-row='3']")
    expect(rejected).to_contain_text("person_reference")
    expect(rejected).to_contain_text("P9")
    expect(rejected).to_contain_text("UNKNOWN_PERSON")
    expect(rejected).to_contain_text("load them with the people extract first")
    assert_accessible(page, "the extract's check")
    settled(page)
    assert ChronologyEntry.objects.count() == 0  # nothing loaded before the decision

    page.get_by_label("The rows without errors, leaving out the rejected rows").check()
    page.get_by_role("button", name="Load").click()
    expect(page.locator("#result")).to_contain_text("Loaded 1 rows")
    expect(page.locator("#result")).to_contain_text("1 new")
    expect(page.locator("#result")).to_contain_text("1 rejected rows left out")
    expect(page.locator("main a[href^='/people/']")).to_have_count(0)
    assert_accessible(page, "the extract's result")
    settled(page)
    problems.assert_clean()
    run = ImportRun.objects.get(kind="chronology")
    assert run.status == RunStatus.LOADED and run.mode == "partial"
    assert list(ChronologyEntry.objects.values_list("source_reference", flat=True)) == ["E1"]
