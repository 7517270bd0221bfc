"""An agency extract in the browser: the administrator uploads a CSV or Excel file for an agency
and a kind, reads the check (every rejected row with its column, value and reason) before anything
is loaded, chooses what to load, and a large file is checked and loaded by the background worker.
Every name and number here is synthetic."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import Role
from hearth.agencies.models import AgencyType
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry, EntryVersion
from hearth.interop import actions
from hearth.interop.models import ImportRun, RunStatus
from tests.conftest import page_text, sign_in
from tests.factories.accounts import UserFactory
from tests.factories.agencies import AgencyFactory

pytestmark = pytest.mark.django_db

PEOPLE = "person_reference,given_name,family_name,date_of_birth\nP1,Amy,Archer,04/04/2016\n"
HEADER = "source_reference,person_reference,event_date,event_type,description"
GOOD = "E1,P1,05/03/2024,child-hungry,Arrived hungry"
ALSO_GOOD = "E2,P1,2024-03-06,missed-health-appointment,Missed the 2-year check"
UNKNOWN_PERSON = "E3,P9,2024-03-07,child-hungry,Arrived hungry again"
BAD_DATE = "E4,P1,31/02/2024,child-hungry,Arrived hungry again"


@pytest.fixture(autouse=True)
def imports_dir(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


@pytest.fixture
def hv(world: Any, tmp_path: Path) -> Any:
    """The health visitors, whose people extract has been loaded: P1 is Amy."""
    agency = AgencyFactory(
        code="hv",
        name="Health visiting",
        agency_type=AgencyType.HEALTH_VISITING,
        source_system="systmone",
    )
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    run = actions.import_extract_file(
        by=actions.command_actor(), path=path, kind="people", agency_code="hv"
    )
    assert run.status == RunStatus.LOADED
    return agency


@pytest.fixture
def ada(world: Any) -> Any:
    return UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def upload(client: Client, content: bytes, kind: str = "chronology", name: str = "hv.csv") -> Any:
    return client.post(
        reverse("interop:extracts"),
        {
            "agency": "hv",
            "kind": kind,
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def test_the_administrator_reads_the_rejected_rows_then_loads_the_good_ones(ada, hv, imports_dir):
    client = sign_in(Client(), ada)
    response = upload(client, csv_file(GOOD, UNKNOWN_PERSON, BAD_DATE, ALSO_GOOD))
    run = ImportRun.objects.get(kind="chronology")
    assert response.status_code == 302
    assert response["Location"] == reverse("interop:run", args=[run.pk])
    assert run.status == RunStatus.VALIDATED and run.by_username == "ada"
    assert run.header["agency"] == "hv" and run.via == "browser"
    assert run.counts["rows"] == 4 and run.counts["rows_rejected"] == 2
    assert run.counts["would_created"] == 2
    assert ChronologyEntry.objects.count() == 0  # checked, not loaded
    assert AuditEvent.objects.filter(
        action=AuditAction.UPLOAD_IMPORT, actor_username="ada", details__agency="hv"
    ).exists()

    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert "UNKNOWN_PERSON" in page and "P9" in page and "person_reference" in page
    assert "31/02/2024" in page and "DATE" in page
    assert "create 2, amend 0, leave 0 unchanged" in page

    response = client.post(reverse("interop:load", args=[run.pk]), {"mode": "partial"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.LOADED and run.mode == "partial"
    assert run.counts["created"] == 2 and run.counts["rows_rejected"] == 2
    assert run.problems.count() == 2  # the check's problems, not saved twice by the load
    assert set(ChronologyEntry.objects.values_list("source_reference", flat=True)) == {"E1", "E2"}
    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert "Loaded 2 rows" in page and "2 new" in page
    assert not list(imports_dir.glob("*.csv"))  # the upload is not kept once loaded


def test_loading_the_whole_of_a_file_with_rejected_rows_loads_nothing(ada, hv):
    client = sign_in(Client(), ada)
    upload(client, csv_file(GOOD, UNKNOWN_PERSON))
    run = ImportRun.objects.get(kind="chronology")
    client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED and ChronologyEntry.objects.count() == 0
    assert "Nothing from this file was loaded" in page_text(
        client.get(reverse("interop:run", args=[run.pk]))
    )


def test_a_clean_file_loads_whole_and_loading_it_again_changes_nothing(ada, hv):
    client = sign_in(Client(), ada)
    for _ in range(2):
        upload(client, csv_file(GOOD, ALSO_GOOD))
        run = ImportRun.objects.filter(kind="chronology").first()
        assert run is not None and run.problem_count == 0
        client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
        run.refresh_from_db()
        assert run.status == RunStatus.LOADED
    assert run.counts["unchanged"] == 2 and run.counts["created"] == 0
    assert ChronologyEntry.objects.count() == 2 and EntryVersion.objects.count() == 2


def test_a_large_extract_is_checked_and_loaded_by_the_background_worker(ada, hv, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 10
    client = sign_in(Client(), ada)
    upload(client, csv_file(GOOD, ALSO_GOOD))
    run = ImportRun.objects.get(kind="chronology")
    assert run.status == RunStatus.UPLOADED
    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert 'http-equiv="refresh"' in page and "hearth import work" in page
    call_command("import", "work", "--once", stdout=io.StringIO())
    run.refresh_from_db()
    assert run.status == RunStatus.VALIDATED and ChronologyEntry.objects.count() == 0
    client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    call_command("import", "work", "--once", stdout=io.StringIO())
    run.refresh_from_db()
    assert run.status == RunStatus.LOADED and ChronologyEntry.objects.count() == 2
    # The load is recorded as the administrator's decision, though the worker ran it.
    assert AuditEvent.objects.filter(
        action=AuditAction.IMPORT, actor_username="ada", details__kind="chronology"
    ).exists()


def test_a_file_without_a_required_column_is_refused_at_once(ada, hv):
    client = sign_in(Client(), ada)
    upload(client, b"source_reference,person_reference,event_date\nE1,P1,2024-03-05\n")
    run = ImportRun.objects.get(kind="chronology")
    assert run.status == RunStatus.REJECTED
    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert "MISSING_COLUMN" in page and "event_type" in page


def test_the_rejected_rows_download_as_csv(ada, hv):
    client = sign_in(Client(), ada)
    upload(client, csv_file(GOOD, UNKNOWN_PERSON))
    run = ImportRun.objects.get(kind="chronology")
    response = client.get(reverse("interop:report_csv", args=[run.pk]))
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "row,column,value,reason,rule"
    assert body.splitlines()[1].startswith("3,person_reference,P9,")


def test_an_excel_extract_is_checked_like_a_csv(ada, hv, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD.split(","))
    path = tmp_path / "hv.xlsx"
    book.save(path)
    client = sign_in(Client(), ada)
    upload(client, path.read_bytes(), name="hv.xlsx")
    run = ImportRun.objects.get(kind="chronology")
    assert run.status == RunStatus.VALIDATED and run.header["encoding"] == "xlsx"
    assert run.counts["would_created"] == 1


def test_a_practitioner_cannot_upload_an_extract(world, hv):
    client = sign_in(Client(), world.alice)
    assert client.get(reverse("interop:extracts")).status_code == 403
    assert upload(client, csv_file(GOOD)).status_code == 403
    assert not ImportRun.objects.filter(kind="chronology").exists()
