"""A chronology extract import killed part-way leaves no partial data, and running it again
completes it exactly once.

For real: `hearth import chronology` runs as its own process against PostgreSQL and is killed with
SIGKILL once its progress file says it is well into the load (not after a guessed sleep). Skipped
on SQLite, where the test database lives in memory and a second process cannot see it.
"""

import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from hearth.agencies.models import Agency, AgencyType
from hearth.alerts.models import PendingEvaluation
from hearth.chronology.models import ChronologyEntry, EntrySubject, EntryVersion, EventType
from hearth.interop import actions
from hearth.interop.models import ImportRun, RunStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: a killed import is run in a second process, which cannot see "
        "SQLite's in-memory test database (set DATABASE_URL to a PostgreSQL database)",
    ),
]
PEOPLE = 500
ROWS = 60_000  # six batches of 10,000: killed after the second has been read
AGENCY = "hv-kill"


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def extract(tmp_path: Path, settings: Any) -> Path:
    """The agency, its people (loaded, committed) and a chronology extract about them."""
    settings.IMPORT_DIR = tmp_path / "imports"
    Agency.objects.create(
        code=AGENCY,
        name="Health visiting",
        agency_type=AgencyType.HEALTH_VISITING,
        source_system="hv",
    )
    EventType.objects.get_or_create(code="home_visit", defaults={"label": "Home visit"})
    people = tmp_path / "people.csv"
    with people.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["person_reference", "given_name", "family_name", "date_of_birth"])
        w.writerows([f"P{i}", "Amy", f"Family{i}", "05/03/2019"] for i in range(PEOPLE))
    run = actions.import_extract_file(
        by=actions.command_actor(), path=people, kind="people", agency_code=AGENCY
    )
    assert run.status == RunStatus.LOADED
    path = tmp_path / "chronology.csv"
    with path.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(
            ["source_reference", "person_reference", "event_date", "event_type", "description"]
        )
        start = date(2020, 1, 1)
        w.writerows(
            [
                f"E{i}",
                f"P{i % PEOPLE}",
                (start + timedelta(days=i % 1500)).isoformat(),
                "home_visit",
                f"Seen at home (visit {i}).",
            ]
            for i in range(ROWS)
        )
    return path


def start(path: Path, tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HEARTH_ENV": "test",
        "DATABASE_URL": database_url(),
        "IMPORT_DIR": str(tmp_path / "imports"),
    }
    hearth = Path(sys.executable).with_name("hearth")
    return subprocess.Popen(
        [str(hearth), "import", "chronology", str(path), "--agency", AGENCY, "--json", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def rows_done(tmp_path: Path) -> int:
    """Rows read so far, from the progress file the import keeps for the browser."""
    for path in (tmp_path / "imports").glob("run-*.progress.json"):
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text())
            if data["stage"] == "loading":
                return int(data["done"])
    return 0


def kill_when_loading(process: subprocess.Popen[bytes], tmp_path: Path, rows: int) -> None:
    deadline = time.monotonic() + 300
    while rows_done(tmp_path) < rows and process.poll() is None:
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def finish(process: subprocess.Popen[bytes]) -> dict[str, Any]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()[-2000:]
    summary: dict[str, Any] = json.loads(out)
    return summary


def assert_each_entry_whole() -> None:
    """Every entry has exactly its one subject and its first version: nothing half-written."""
    entries = ChronologyEntry.objects.count()
    assert EntrySubject.objects.count() == entries
    assert EntryVersion.objects.count() == entries
    assert not ChronologyEntry.objects.filter(subject_links__isnull=True).exists()
    assert not ChronologyEntry.objects.filter(versions__isnull=True).exists()


def test_killed_in_reject_mode_it_leaves_nothing_and_a_rerun_loads_it_once(
    extract: Path, tmp_path: Path
) -> None:
    queued_before = PendingEvaluation.objects.count()
    process = start(extract, tmp_path)
    # Two batches of 10,000 read, and the first written, inside the one transaction.
    kill_when_loading(process, tmp_path, 20_000)
    run = ImportRun.objects.get(kind="chronology")
    assert run.status == RunStatus.LOADING  # killed, so never finished
    assert ChronologyEntry.objects.count() == 0
    assert EntrySubject.objects.count() == 0
    assert EntryVersion.objects.count() == 0
    assert PendingEvaluation.objects.count() == queued_before
    assert not run.problems.exists()

    summary = finish(start(extract, tmp_path))
    assert summary["counts"]["created"] == ROWS
    assert ChronologyEntry.objects.count() == ROWS
    assert_each_entry_whole()

    again = finish(start(extract, tmp_path))  # and once more: nothing new
    assert again["counts"]["unchanged"] == ROWS and again["counts"]["created"] == 0
    assert ChronologyEntry.objects.count() == ROWS
    assert EntryVersion.objects.count() == ROWS
    assert ImportRun.objects.filter(kind="chronology", status=RunStatus.LOADED).count() == 2


def test_killed_in_partial_mode_it_leaves_whole_batches_and_a_rerun_completes_it(
    extract: Path, tmp_path: Path
) -> None:
    process = start(extract, tmp_path, "--partial")
    kill_when_loading(process, tmp_path, 30_000)
    loaded = ChronologyEntry.objects.count()
    assert 0 < loaded < ROWS
    assert loaded % 10_000 == 0  # whole batches, each its own transaction
    assert_each_entry_whole()

    summary = finish(start(extract, tmp_path, "--partial"))
    assert summary["counts"]["created"] == ROWS - loaded
    assert summary["counts"]["unchanged"] == loaded
    assert ChronologyEntry.objects.count() == ROWS
    assert_each_entry_whole()
    references = Counter(ChronologyEntry.objects.values_list("source_reference", flat=True))
    assert len(references) == ROWS and set(references.values()) == {1}  # each exactly once
