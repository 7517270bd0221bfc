"""The chronology extract's rules when the import runs as it does from the command line, outside
any transaction of the caller's: its look-ups (people, entries already held) then run on a
connection of their own, ahead of the writes. Idempotency, amendments and every refusal must be
exactly as on one connection. PostgreSQL only: the other connection must see committed data."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from hearth.agencies.models import Agency, AgencyType
from hearth.chronology.models import ChronologyEntry, EntrySubject, EntryVersion, EventType
from hearth.people.models import PersonIdentifier

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
HEADER = "source_reference,person_reference,event_date,event_type,description"


@pytest.fixture
def agencies(tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    for code in ("hv", "school"):  # two agencies on the same system: references may collide
        Agency.objects.create(
            code=code, name=code, agency_type=AgencyType.HEALTH_VISITING, source_system="s1"
        )
    EventType.objects.get_or_create(code="home_visit", defaults={"label": "Home visit"})
    people = tmp_path / "people.csv"
    people.write_text("person_reference,given_name,family_name\nP1,Amy,Archer\nP2,Ben,Archer\n")
    assert not run("people", people)[1]


def run(kind: str, path: Path, *args: str, agency: str = "hv") -> tuple[dict[str, Any], bool]:
    out = io.StringIO()
    try:
        call_command("import", kind, str(path), "--agency", agency, "--json", *args, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return json.loads(out.getvalue()), failed


def extract(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def rules(summary: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["row"], p["rule"]) for p in summary["problems"]}


def test_reimports_amendments_and_refusals_match_the_single_connection_load(
    agencies: None, tmp_path: Path
) -> None:
    first = extract(
        tmp_path,
        "one.csv",
        "E1,P1,2024-01-05,home_visit,Seen at home",
        "E2,P1,2024-01-06,home_visit,Seen at home again",
        "E3,P2,2024-01-07,home_visit,Seen with his sister",
    )
    summary, failed = run("chronology", first)
    assert not failed and summary["counts"]["created"] == 3
    summary, failed = run("chronology", first)  # the same file again: nothing new
    assert not failed and summary["counts"] == {**summary["counts"], "unchanged": 3, "created": 0}

    second = extract(
        tmp_path,
        "two.csv",
        "E1,P1,2024-01-05,home_visit,Seen at home",  # unchanged
        "E2,P1,2024-01-06,home_visit,Seen at home again: the house was cold",  # amended
        "E3,P1,2024-01-07,home_visit,Seen with his sister",  # row 4: about someone else now
        "E4,P2,2024-01-08,home_visit,Seen at clinic",  # new
        "E4,P2,2024-01-08,home_visit,Seen at clinic",  # row 6: twice in the file
        "E5,P9,2024-01-09,home_visit,Seen at home",  # row 7: no such person
    )
    summary, failed = run("chronology", second)
    assert failed  # reject mode: any rejected row and nothing loads
    assert rules(summary) == {
        ("4", "SUBJECT_CHANGED"),
        ("6", "DUPLICATE_IN_FILE"),
        ("7", "UNKNOWN_PERSON"),
    }
    assert ChronologyEntry.objects.count() == 3 and EntryVersion.objects.count() == 3

    summary, failed = run("chronology", second, "--partial")
    assert not failed
    counts = summary["counts"]
    assert (counts["created"], counts["amended"], counts["unchanged"]) == (1, 1, 1)
    e2 = ChronologyEntry.objects.get(source_reference="E2")
    assert e2.version == 2 and e2.description.endswith("the house was cold")
    assert list(e2.versions.values_list("version", "kind")) == [(1, "original"), (2, "amendment")]
    e3 = ChronologyEntry.objects.get(source_reference="E3")
    p2 = PersonIdentifier.objects.get(system="s1", value="P2").person_id
    assert list(EntrySubject.objects.filter(entry=e3).values_list("person_id", flat=True)) == [p2]
    assert ChronologyEntry.objects.count() == 4 and EntryVersion.objects.count() == 5

    other = extract(tmp_path, "school.csv", "E1,P1,2024-01-05,home_visit,Seen at school")
    summary, failed = run("chronology", other, agency="school")
    assert failed and rules(summary) == {("2", "OTHER_AGENCY")}
    assert ChronologyEntry.objects.get(source_reference="E1").description == "Seen at home"


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly(
    agencies: None, tmp_path: Path
) -> None:
    """The entries reach PostgreSQL as COPY text: every character COPY treats specially must
    arrive as written."""
    description = 'Said "\\N is not null"\tthen, on a new line:\nC:\\temp\\notes\r\nend'
    path = tmp_path / "odd.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows(
            [HEADER.split(","), ["E\\1\t", "P1", "2024-01-05", "home_visit", description]]
        )
    summary, failed = run("chronology", path)
    assert not failed, (summary["problems"], summary["counts"], summary["error"])
    entry = ChronologyEntry.objects.get()
    assert entry.source_reference == "E\\1"  # the trailing tab is trimmed like any space
    assert entry.description == description.strip()
    assert entry.versions.get().description == entry.description
