"""The neglect dataset in a real browser: an analyst filters by agency and downloads the workbook
(read back with openpyxl); a practitioner is refused."""

import datetime
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from hearth.episodes.models import Episode, EpisodeKind
from hearth.lib.periods import Quarter
from tests.factories.access import InvolvementFactory
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code, sign_out
from tests.functional.test_toolkit import assert_accessible

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_filters_by_agency_and_downloads_the_workbook_and_a_practitioner_is_refused(
    page: Any, problems: Any, world: Any
) -> None:
    quarter = Quarter.last_complete(datetime.date.today())
    for child in (world.amy, world.ben):
        Episode.objects.create(
            kind=EpisodeKind.CP_PLAN,
            child=child,
            start_date=quarter.start - datetime.timedelta(days=30),
            initial_category="NEG",
            latest_category="NEG",
        )
    # Only Amy is known to the health visiting service.
    InvolvementFactory(person=world.amy, agency=world.health, start_date=quarter.start)

    sign_in_with_code(page, "nina", give_authenticator(world.nina))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Neglect dataset").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(quarter.label)
    row = page.locator("#row-cp_neglect_share_latest")
    expect(row).to_contain_text("100.0% (2 of 2)")
    assert_accessible(page, "the dataset page")

    page.get_by_label("Agency").select_option(label=world.health.name)
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-caption-l")).to_contain_text(world.health.name)
    expect(page.locator("#row-cp_neglect_share_latest")).to_contain_text("100.0% (1 of 1)")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the workbook (Excel)").click()
    download = info.value
    assert download.suggested_filename.endswith(
        f"{quarter.code}-{world.health.code}-not-for-publication.xlsx"
    )
    with open(download.path(), "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    cp_rows = {r[0].value: r for r in workbook["Child protection plans"].iter_rows(min_row=2)}
    assert cp_rows["cp_neglect_share_latest"][2].value == pytest.approx(1.0)
    assert (
        cp_rows["cp_neglect_share_latest"][3].value,
        cp_rows["cp_neglect_share_latest"][4].value,
    ) == (1, 1)
    settled(page)
    problems.assert_clean()

    sign_out(page)
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    expect(page.get_by_role("navigation", name="Menu")).not_to_contain_text("Neglect dataset")
    response = page.goto("/partnership/dataset/")
    assert response is not None and response.status == 403
    expect(page.locator("main")).not_to_contain_text("Child protection plans")
