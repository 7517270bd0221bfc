"""An import killed part-way leaves no partial data, and running it again completes it exactly once.

For real: the import runs as its own `hearth` process against PostgreSQL and is killed with
SIGKILL while it is writing. Skipped on SQLite, where the test database lives in memory and a
second process cannot see it.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from hearth.episodes.models import Episode
from hearth.interop import census
from hearth.interop.models import ImportChildOutcome, ImportRun, RunStatus
from hearth.interop.synthetic import write_synthetic_census
from hearth.people.models import Person, PersonIdentifier

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: a killed import is run in a second process, which cannot see "
        "SQLite's in-memory test database (set DATABASE_URL to a PostgreSQL database)",
    ),
]
CHILDREN = 4000


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start(path: Path, tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HEARTH_ENV": "test",
        "DATABASE_URL": database_url(),
        "IMPORT_DIR": str(tmp_path / "imports"),
    }
    hearth = Path(sys.executable).with_name("hearth")
    return subprocess.Popen(
        [str(hearth), "import", "cin-census", str(path), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def kill_when(process: subprocess.Popen[bytes], condition: Any) -> None:
    wait_for(lambda: condition() or process.poll() is not None)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def finish(process: subprocess.Popen[bytes]) -> None:
    _out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()[-2000:]


@pytest.fixture
def census_file(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "cin-census-2025.xml"
    write_synthetic_census(path, CHILDREN)
    report = census.scan(path)
    assert report.valid_children == CHILDREN
    return path, report.episodes


def progress_done(tmp_path: Path) -> int:
    """Children written so far, from the progress file the import keeps for the browser."""
    for path in (tmp_path / "imports").glob("run-*.progress.json"):
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(path.read_text())
            if data["stage"] == "loading":
                return int(data["done"])
    return 0


def test_killed_in_reject_mode_it_leaves_nothing_and_a_rerun_loads_it_once(
    census_file: tuple[Path, int], tmp_path: Path
) -> None:
    path, episodes = census_file
    process = start(path, tmp_path)
    # Well into the load: a thousand children written, inside the one transaction.
    kill_when(process, lambda: progress_done(tmp_path) >= 1000)
    assert ImportRun.objects.get().status == RunStatus.LOADING  # killed, so never finished
    assert Person.objects.count() == 0
    assert Episode.objects.count() == 0
    assert ImportChildOutcome.objects.count() == 0

    finish(start(path, tmp_path))
    assert Person.objects.count() == CHILDREN
    assert Episode.objects.count() == episodes

    finish(start(path, tmp_path))  # and once more: nothing new
    assert Person.objects.count() == CHILDREN
    assert Episode.objects.count() == episodes
    assert ImportRun.objects.filter(status=RunStatus.LOADED).count() == 2


def test_killed_in_partial_mode_it_leaves_only_whole_children_and_a_rerun_completes_it(
    census_file: tuple[Path, int], tmp_path: Path
) -> None:
    path, episodes = census_file
    process = start(path, tmp_path, "--partial")
    kill_when(process, lambda: ImportChildOutcome.objects.exists())
    loaded = Person.objects.count()
    assert 0 < loaded < CHILDREN
    expected = {
        r.la_child_id: r.episode_count for r in census.valid_children(path, held_back=set())
    }
    per_child = Counter(
        PersonIdentifier.objects.filter(
            person__episodes__source_system=census.SOURCE_SYSTEM
        ).values_list("value", flat=True)
    )
    assert len(per_child) == loaded
    assert all(per_child[child] == expected[child] for child in per_child)  # each child whole

    finish(start(path, tmp_path, "--partial"))
    assert Person.objects.count() == CHILDREN
    assert Episode.objects.count() == episodes
    assert PersonIdentifier.objects.count() == CHILDREN
