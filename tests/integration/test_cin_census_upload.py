"""The administrator's import in the browser: upload, read the check, choose what to load, see the
children loaded by LA child ID — and never a child's record."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import Role
from hearth.audit.models import AuditAction, AuditEvent
from hearth.episodes.models import Episode
from hearth.interop.models import ImportRun, RunStatus
from tests.census_files import OTHER_UPN, VALID_UPN, census, child
from tests.conftest import page_text, sign_in
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

GOOD = child()
BAD = child((VALID_UPN, OTHER_UPN), ("RC7", "RC9"), la_child_id="ID002")


@pytest.fixture(autouse=True)
def imports_dir(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


@pytest.fixture
def ada(world: Any) -> Any:
    return UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)


def upload(client: Client, content: bytes, name: str = "cin-2025.xml") -> Any:
    return client.post(
        reverse("interop:index"),
        {"file": SimpleUploadedFile(name, content, content_type="text/xml")},
    )


def test_the_administrator_uploads_reads_the_check_and_loads_the_valid_children(ada, imports_dir):
    client = sign_in(Client(), ada)
    response = upload(client, census(GOOD, BAD))
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "interop:run", args=[run.pk]
    )
    assert run.status == RunStatus.VALIDATED and run.by_username == "ada"
    assert AuditEvent.objects.filter(
        action=AuditAction.UPLOAD_IMPORT, actor_username="ada"
    ).exists()
    assert Episode.objects.count() == 0  # checked, not loaded

    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert "ID002" in page and "CODE_CLOSURE_REASON" in page and "RC9" in page
    assert "/Message/Children/Child[2]/CINdetails[1]/ReasonForClosure" in page

    response = client.post(reverse("interop:load", args=[run.pk]), {"mode": "partial"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.LOADED and run.counts["children_loaded"] == 1
    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert "Loaded 1 children" in page and "ID001" in page
    assert "/people/" not in page  # no links to records the administrator may not see
    assert not list(imports_dir.glob("*.xml"))  # the upload is not kept once loaded


def test_loading_the_whole_of_a_file_with_errors_rejects_it(ada):
    client = sign_in(Client(), ada)
    upload(client, census(GOOD, BAD))
    run = ImportRun.objects.get()
    client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
    run.refresh_from_db()
    assert run.status == RunStatus.REJECTED and Episode.objects.count() == 0
    assert "Nothing from this file was loaded" in page_text(
        client.get(reverse("interop:run", args=[run.pk]))
    )


def test_a_large_file_is_checked_and_loaded_by_the_background_worker(ada, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 100
    client = sign_in(Client(), ada)
    upload(client, census(GOOD))
    run = ImportRun.objects.get()
    assert run.status == RunStatus.UPLOADED
    page = page_text(client.get(reverse("interop:run", args=[run.pk])))
    assert 'http-equiv="refresh"' in page and "hearth import work" in page
    call_command("import", "work", "--once", stdout=io.StringIO())
    run.refresh_from_db()
    assert run.status == RunStatus.VALIDATED
    client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    call_command("import", "work", "--once", stdout=io.StringIO())
    run.refresh_from_db()
    assert run.status == RunStatus.LOADED and Episode.objects.count() == 5
    # The load is recorded as the administrator's decision, though the worker ran it.
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, actor_username="ada").exists()


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(ada, settings, imports_dir):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(sign_in(Client(), ada), census(GOOD))
    assert response.status_code == 200
    assert "larger than" in page_text(response)
    assert ImportRun.objects.count() == 0


def test_the_problems_download_as_csv(ada):
    client = sign_in(Client(), ada)
    upload(client, census(GOOD, BAD))
    run = ImportRun.objects.get()
    response = client.get(reverse("interop:report_csv", args=[run.pk]))
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "child,path,value,rule,message"
    assert "ID002,/Message/Children/Child[2]/CINdetails[1]/ReasonForClosure,RC9" in body


def test_loading_twice_is_refused(ada):
    client = sign_in(Client(), ada)
    upload(client, census(GOOD))
    run = ImportRun.objects.get()
    client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
    response = client.post(reverse("interop:load", args=[run.pk]), {"mode": "reject"})
    assert response.status_code == 400 and "already been loaded" in page_text(response)
    assert Episode.objects.count() == 5


def test_a_practitioner_cannot_import(world):
    client = sign_in(Client(), world.alice)
    assert client.get(reverse("interop:index")).status_code == 403
    assert upload(client, census(GOOD)).status_code == 403
    assert ImportRun.objects.count() == 0


def test_the_menu_offers_imports_to_the_administrator_only(ada, world):
    assert "Imports" in page_text(sign_in(Client(), ada).get("/"))
    assert ">Imports<" not in page_text(sign_in(Client(), world.alice).get("/"))


def test_an_upload_that_went_missing_fails_cleanly_and_the_worker_carries_on(ada, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 100
    client = sign_in(Client(), ada)
    upload(client, census(GOOD), name="lost.xml")
    upload(client, census(GOOD), name="kept.xml")
    lost = ImportRun.objects.get(file_name="lost.xml")
    (Path(settings.IMPORT_DIR) / lost.stored_name).unlink()
    call_command("import", "work", "--once", stdout=io.StringIO())
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and "missing" in lost.error
    assert ImportRun.objects.get(file_name="kept.xml").status == RunStatus.VALIDATED
    assert "missing" in page_text(client.get(reverse("interop:run", args=[lost.pk])))
