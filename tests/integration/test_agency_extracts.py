"""Importing agency extracts (CSV and Excel): people, addresses, relationships, involvements and
chronology entries. What loads, what is rejected and why, and that nothing is ever duplicated or
half loaded. Every name and number here is synthetic (NHS numbers in the 999 test range)."""

import codecs
import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hearth.access.models import Involvement
from hearth.agencies.models import AgencyType
from hearth.alerts.models import PendingEvaluation
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry, EntrySubject, EntryVersion, VersionKind
from hearth.interop import extracts, tabular
from hearth.interop.models import ColumnMapping, ImportRun, RunStatus
from hearth.lib.identifiers import nhs_check_digit
from hearth.people.models import (
    Address,
    Person,
    PersonIdentifier,
    Relationship,
    Residence,
    Sex,
)
from tests.factories.agencies import AgencyFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


def nhs(n: int) -> str:
    """The n-th valid NHS number in the 999 range reserved for test records."""
    found = 0
    for i in range(1_000_000):
        first = f"999{i:06d}"
        check = nhs_check_digit(first)
        if check is not None:
            if found == n:
                return f"{first}{check}"
            found += 1
    raise AssertionError


NHS_A, NHS_B = nhs(0), nhs(1)
BAD_NHS = NHS_A[:9] + str((int(NHS_A[9]) + 1) % 10)
PEOPLE_HEADER = (
    "person_reference,given_name,family_name,date_of_birth,sex,nhs_number,address_line1,postcode"
)


@pytest.fixture
def hv(db: Any) -> Any:
    return AgencyFactory(
        code="hv", agency_type=AgencyType.HEALTH_VISITING, source_system="systmone"
    )


def write(tmp_path: Path, text: str, name: str = "extract.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(kind: str, path: Path, *args: str, agency: str = "hv") -> tuple[dict[str, Any], bool]:
    """The command's --json summary, and whether it exited non-zero."""
    out = io.StringIO()
    try:
        call_command("import", kind, str(path), "--agency", agency, "--json", *args, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return json.loads(out.getvalue()), failed


def rules(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(p["row"], p["column"], p["rule"]) for p in summary["problems"]]


@pytest.fixture
def known(tmp_path: Path, hv: Any) -> dict[str, Person]:
    """Two people loaded by the health visitors' people extract: P1 (Amy) and P2 (Ben)."""
    path = write(
        tmp_path,
        f"{PEOPLE_HEADER}\nP1,Amy,Archer,04/04/2016,F,{NHS_A},1 Test Street,rh10 1aa\n"
        f"P2,Ben,Archer,2019-06-06,M,{NHS_B},1 Test Street,RH10 1AA\n",
        "people.csv",
    )
    summary, failed = run("people", path)
    assert not failed, summary
    return {
        ref: PersonIdentifier.objects.get(system="systmone", value=ref).person
        for ref in ("P1", "P2")
    }


CHRONO_HEADER = "source_reference,person_reference,event_date,event_type,description"


def chrono(tmp_path: Path, *rows: str, header: str = CHRONO_HEADER, name: str = "c.csv") -> Path:
    return write(tmp_path, "\n".join([header, *rows]) + "\n", name)


# --- people -----------------------------------------------------------------------------------


def test_people_extract_creates_people_identifiers_addresses_and_residences(
    known: dict[str, Person],
) -> None:
    amy = known["P1"]
    assert (amy.given_name, amy.family_name, amy.date_of_birth) == (
        "Amy",
        "Archer",
        datetime.date(2016, 4, 4),
    )
    assert amy.sex == Sex.FEMALE and amy.nhs_number == NHS_A
    assert amy.names.filter(given_key="amy").exists()
    home = Address.objects.get(line1="1 Test Street")
    assert home.postcode == "RH10 1AA"
    assert Residence.objects.filter(address=home, end_date=None).count() == 2
    run_row = ImportRun.objects.get(kind="people")
    assert run_row.counts["created"] == 2 and run_row.status == RunStatus.LOADED
    assert AuditEvent.objects.filter(action=AuditAction.CREATE_PERSON, person_id=amy.pk).exists()


def test_people_rerun_changes_nothing_and_a_changed_name_is_updated_with_before_and_after(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    again = write(
        tmp_path,
        f"{PEOPLE_HEADER}\nP1,Amy,Archer,04/04/2016,F,{NHS_A},1 Test Street,RH10 1AA\n"
        f"P2,Benjamin,Archer,2019-06-06,M,{NHS_B},1 Test Street,RH10 1AA\n",
        "again.csv",
    )
    summary, failed = run("people", again)
    assert not failed
    assert summary["counts"]["created"] == 0 and summary["counts"]["unchanged"] == 1
    assert summary["counts"]["amended"] == 1
    assert Person.objects.count() == 2 and PersonIdentifier.objects.count() == 2
    assert Residence.objects.count() == 2
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE_PERSON, object_type="person").get()
    assert event.details["changed"] == {"given_name": ["Ben", "Benjamin"]}


def test_people_are_matched_by_nhs_number_before_anyone_new_is_created(
    tmp_path: Path, hv: Any
) -> None:
    existing = PersonFactory(given_name="Zara", family_name="Young", nhs_number=NHS_A)
    path = write(tmp_path, f"{PEOPLE_HEADER}\nZ9,Zara,Young,,,{NHS_A},,\n")
    summary, failed = run("people", path)
    assert not failed and summary["counts"]["created"] == 0
    assert PersonIdentifier.objects.get(system="systmone", value="Z9").person == existing


def test_an_invalid_nhs_number_is_rejected_and_never_stored_or_linked(
    tmp_path: Path, hv: Any
) -> None:
    PersonFactory(nhs_number="")
    path = write(tmp_path, f"{PEOPLE_HEADER}\nP9,Ann,Other,,,{BAD_NHS},,\n")
    summary, failed = run("people", path)
    assert failed and rules(summary) == [("2", "nhs_number", "NHS_NUMBER")]
    assert not Person.objects.filter(nhs_number=BAD_NHS).exists()
    assert not PersonIdentifier.objects.filter(value="P9").exists()
    chronology = chrono(
        tmp_path,
        "E1,,2024-01-05,child-hungry,Arrived hungry",
        header="source_reference,nhs_number,event_date,event_type,description",
    )
    chronology.write_text(chronology.read_text().replace("E1,,", f"E1,{BAD_NHS},"))
    summary, failed = run("chronology", chronology)
    assert failed and rules(summary) == [("2", "nhs_number", "NHS_NUMBER")]
    assert not ChronologyEntry.objects.exists()


# --- every row rule: one failing row, one passing ---------------------------------------------

RULE_CASES = [
    # (kind, rule, column, bad value, good value)
    ("people", "REQUIRED", "given_name", "", "Amy"),
    ("people", "TOO_LONG", "family_name", "x" * 101, "Archer"),
    ("people", "DATE", "date_of_birth", "31/02/2016", "29/02/2016"),
    ("people", "DATE", "date_of_birth", "2016/04/04", "2016-04-04"),
    ("people", "FUTURE_DATE", "date_of_birth", "01/01/2999", "01/01/2020"),
    ("people", "CODE", "sex", "X", "female"),
    ("people", "NHS_NUMBER", "nhs_number", BAD_NHS, NHS_A),
    ("people", "UPN", "upn", "upn-wrong-letter", "upn-valid"),
    ("people", "UPN", "upn", "A12345", "upn-valid"),
    ("people", "POSTCODE", "postcode", "NOT A CODE", "RH10 1AA"),
    ("people", "ADDRESS_INCOMPLETE", "postcode", "", "RH10 1AA"),
    ("chronology", "DATE", "event_date", "5 March 2024", "5/3/2024"),
    ("chronology", "REQUIRED", "description", "", "Missed the 2-year check"),
    ("chronology", "CODE", "sharing_level", "everyone", "own_agency"),
    ("chronology", "CODE", "restricted_roles", "headteacher", "ig_officer"),
    ("involvements", "CODE", "is_lead", "maybe", "Y"),
    ("involvements", "DATE_ORDER", "end_date", "01/01/2020", "01/01/2025"),
    ("relationships", "CODE", "relationship_type", "aunt", "grandparent"),
    ("relationships", "SELF_RELATIONSHIP", "relative_reference", "P1", "P2"),
]


def _valid_upn() -> str:
    from hearth.lib.identifiers import upn_check_letter

    rest = "23456789012"
    return upn_check_letter("1" + rest) + "1" + rest


BASE_ROWS: dict[str, dict[str, str]] = {
    "people": {
        "person_reference": "P1",
        "given_name": "Amy",
        "family_name": "Archer",
        "address_line1": "1 Test Street",
        "postcode": "RH10 1AA",
    },
    "chronology": {
        "source_reference": "E1",
        "person_reference": "P1",
        "event_date": "2024-03-05",
        "event_type": "child-hungry",
        "description": "Arrived hungry",
    },
    "involvements": {
        "source_reference": "I1",
        "person_reference": "P1",
        "start_date": "01/06/2024",
    },
    "relationships": {
        "person_reference": "P1",
        "relationship_type": "mother",
        "relative_reference": "P2",
    },
}


def check(kind: str, cells: dict[str, str]) -> list[tuple[str, str]]:
    _row, problems = extracts.check_row(kind, 2, cells, extracts.COLUMNS[kind])
    return [(p.path, p.rule) for p in problems]


@pytest.mark.parametrize(("kind", "rule", "column", "bad", "good"), RULE_CASES)
def test_each_row_rule_rejects_a_bad_value_and_accepts_a_good_one(
    kind: str, rule: str, column: str, bad: str, good: str
) -> None:
    good = _valid_upn() if good == "upn-valid" else good
    if bad == "upn-wrong-letter":
        valid = _valid_upn()
        bad = ("B" if valid[0] != "B" else "C") + valid[1:]
    row = dict(BASE_ROWS[kind])
    if kind == "involvements" and column == "end_date":
        row["start_date"] = "01/06/2024"
    failing = {**row, column: bad}
    if rule == "ADDRESS_INCOMPLETE":
        failing.pop("postcode")
    assert (column, rule) in check(kind, failing)
    assert check(kind, {**row, column: good}) == []


def test_a_restricted_entry_without_roles_is_rejected_and_with_roles_passes() -> None:
    row = {**BASE_ROWS["chronology"], "sharing_level": "restricted"}
    assert check("chronology", row) == [("restricted_roles", "RESTRICTED_ROLES")]
    assert check("chronology", {**row, "restricted_roles": "team_manager; ig_officer"}) == []


def test_a_row_without_a_person_is_rejected_and_an_nhs_number_alone_is_enough() -> None:
    row = {**BASE_ROWS["chronology"], "person_reference": ""}
    assert check("chronology", row) == [("person_reference", "PERSON_NEEDED")]
    assert check("chronology", {**row, "nhs_number": NHS_A}) == []


def test_both_date_formats_are_read_as_the_same_day() -> None:
    assert extracts.parse_date("05/03/2024") == extracts.parse_date("2024-03-05")
    assert extracts.parse_date("5/3/2024") == datetime.date(2024, 3, 5)


def test_a_file_missing_a_required_column_is_refused_whole(tmp_path: Path, hv: Any) -> None:
    path = write(tmp_path, "source_reference,person_reference,event_date\nE1,P1,2024-01-01\n")
    summary, failed = run("chronology", path)
    assert failed and summary["status"] == RunStatus.REJECTED
    assert ("", "event_type", "MISSING_COLUMN") in rules(summary)
    assert ("", "description", "MISSING_COLUMN") in rules(summary)


def test_an_unreadable_file_is_refused(tmp_path: Path, hv: Any) -> None:
    path = write(tmp_path, "")
    summary, failed = run("chronology", path)
    assert failed and rules(summary) == [("", "", "UNREADABLE")]


# --- chronology -------------------------------------------------------------------------------


def test_chronology_rows_become_entries_with_subject_version_and_queued_alerts(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    PendingEvaluation.objects.all().delete()
    path = chrono(
        tmp_path,
        "E1,P1,05/03/2024,child-hungry,Arrived hungry",
        "E2,P2,2024-03-06,child-hungry,Arrived hungry again",
    )
    summary, failed = run("chronology", path)
    assert not failed, summary
    assert summary["counts"] == {
        "rows": 2,
        "rows_loaded": 2,
        "rows_rejected": 0,
        "created": 2,
        "amended": 0,
        "unchanged": 0,
    }
    entry = ChronologyEntry.objects.get(source_system="systmone", source_reference="E1")
    assert entry.event_date == datetime.date(2024, 3, 5) and entry.agency.code == "hv"
    assert list(entry.subject_links.values_list("person_id", flat=True)) == [known["P1"].pk]
    version = entry.versions.get()
    assert version.kind == VersionKind.ORIGINAL and version.description == "Arrived hungry"
    assert set(PendingEvaluation.objects.values_list("person_id", flat=True)) == {
        known["P1"].pk,
        known["P2"].pk,
    }
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="import_run").latest(
        "pk"
    )
    assert (
        audit.details["kind"] == "chronology"
        and audit.details["counts"]["created"] == 2
        and audit.details["sha256"] == summary["sha256"]
    )


def test_chronology_rows_can_name_the_person_by_nhs_number(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    path = chrono(
        tmp_path,
        f"E1,{NHS_B},2024-03-06,child-hungry,Arrived hungry",
        header="source_reference,nhs_number,event_date,event_type,description",
    )
    _summary, failed = run("chronology", path)
    assert not failed
    assert EntrySubject.objects.get().person == known["P2"]


def test_same_file_twice_and_an_overlapping_file_create_nothing_new(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    first = chrono(tmp_path, "E1,P1,2024-03-05,child-hungry,A", "E2,P1,2024-03-06,child-hungry,B")
    assert not run("chronology", first)[1]
    summary, failed = run("chronology", first)
    assert not failed and summary["counts"]["unchanged"] == 2
    assert summary["counts"]["created"] == 0
    overlap = chrono(
        tmp_path,
        "E2,P1,2024-03-06,child-hungry,B",
        "E3,P2,2024-03-07,child-hungry,C",
        name="overlap.csv",
    )
    summary, failed = run("chronology", overlap)
    assert not failed and summary["counts"]["created"] == 1
    assert summary["counts"]["unchanged"] == 1
    assert ChronologyEntry.objects.count() == 3 and EntrySubject.objects.count() == 3
    assert EntryVersion.objects.count() == 3


def test_a_changed_source_row_becomes_an_amendment_with_history(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    assert not run("chronology", chrono(tmp_path, "E1,P1,2024-03-05,child-hungry,First"))[1]
    changed = chrono(tmp_path, "E1,P1,2024-03-04,child-hungry,Corrected", name="changed.csv")
    summary, failed = run("chronology", changed)
    assert not failed and summary["counts"]["amended"] == 1
    entry = ChronologyEntry.objects.get()
    assert (entry.version, entry.description) == (2, "Corrected")
    assert entry.event_date == datetime.date(2024, 3, 4)
    assert EntrySubject.objects.get().event_date == datetime.date(2024, 3, 4)
    versions = list(entry.versions.order_by("version"))
    assert [(v.kind, v.description) for v in versions] == [
        (VersionKind.ORIGINAL, "First"),
        (VersionKind.AMENDMENT, "Corrected"),
    ]
    assert "source record changed" in versions[1].reason


def test_an_entry_cannot_move_to_another_person(tmp_path: Path, known: dict[str, Person]) -> None:
    assert not run("chronology", chrono(tmp_path, "E1,P1,2024-03-05,child-hungry,A"))[1]
    summary, failed = run("chronology", chrono(tmp_path, "E1,P2,2024-03-05,child-hungry,A"))
    assert failed and rules(summary) == [("2", "person_reference", "SUBJECT_CHANGED")]


def test_a_retracted_entry_is_not_amended_from_the_source(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    from hearth.chronology.models import EntryStatus
    from hearth.lib.immutable import allow_changes

    assert not run("chronology", chrono(tmp_path, "E1,P1,2024-03-05,child-hungry,A"))[1]
    with allow_changes():
        ChronologyEntry.objects.update(status=EntryStatus.RETRACTED)
    summary, failed = run("chronology", chrono(tmp_path, "E1,P1,2024-03-05,child-hungry,B"))
    assert failed and rules(summary) == [("2", "source_reference", "RETRACTED")]


def test_unknown_people_event_types_and_repeated_references_are_rejected(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    path = chrono(
        tmp_path,
        "E1,NOBODY,2024-03-05,child-hungry,A",
        "E2,P1,2024-03-05,no-such-type,A",
        "E3,P1,2024-03-05,child-hungry,A",
        "E3,P1,2024-03-05,child-hungry,A",
    )
    summary, failed = run("chronology", path)
    assert failed
    assert sorted(rules(summary)) == [
        ("2", "person_reference", "UNKNOWN_PERSON"),
        ("3", "event_type", "EVENT_TYPE"),
        ("5", "source_reference", "DUPLICATE_IN_FILE"),
    ]


def test_a_reference_and_nhs_number_naming_different_people_is_rejected(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    header = "source_reference,person_reference,nhs_number,event_date,event_type,description"
    bad = chrono(tmp_path, f"E1,P1,{NHS_B},2024-03-05,child-hungry,A", header=header)
    summary, failed = run("chronology", bad)
    assert failed and rules(summary) == [("2", "nhs_number", "PERSON_MISMATCH")]
    good = chrono(tmp_path, f"E1,P1,{NHS_A},2024-03-05,child-hungry,A", header=header)
    assert not run("chronology", good)[1]


def test_an_nhs_number_two_people_share_is_ambiguous(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    PersonFactory(nhs_number=NHS_A)
    path = chrono(
        tmp_path,
        f"E1,{NHS_A},2024-03-05,child-hungry,A",
        header="source_reference,nhs_number,event_date,event_type,description",
    )
    summary, failed = run("chronology", path)
    assert failed and rules(summary) == [("2", "nhs_number", "AMBIGUOUS_NHS")]


def test_all_or_nothing_by_default_and_partial_loads_the_good_rows(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    path = chrono(
        tmp_path,
        "E1,P1,2024-03-05,child-hungry,A",
        "E2,P1,not a date,child-hungry,B",
        "E3,P2,2024-03-07,child-hungry,C",
    )
    summary, failed = run("chronology", path)
    assert failed and summary["rejected"] and summary["counts"]["rows_rejected"] == 1
    assert summary["counts"]["rows_loaded"] == 0
    assert not ChronologyEntry.objects.exists() and not EntryVersion.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.REJECT_IMPORT).count() == 1
    summary, failed = run("chronology", path, "--partial")
    assert not failed and summary["counts"]["rows_loaded"] == 2
    assert summary["counts"]["rows_rejected"] == 1
    assert set(ChronologyEntry.objects.values_list("source_reference", flat=True)) == {"E1", "E3"}
    assert rules(summary) == [("3", "event_date", "DATE")]
    fixed = chrono(tmp_path, *path.read_text().splitlines()[1:], name="fixed.csv")
    fixed.write_text(fixed.read_text().replace("not a date", "2024-03-06"))
    summary, failed = run("chronology", fixed)
    assert not failed and summary["counts"]["created"] == 1
    assert summary["counts"]["unchanged"] == 2


def test_the_rejected_rows_file_lists_row_column_value_and_reason_formula_safe(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    path = chrono(
        tmp_path,
        'E1,P1,=HYPERLINK("http://x"),child-hungry,A',
        "E2,P1,2024-03-05,@SUM(A1),B",
    )
    rejected = tmp_path / "rejected.csv"
    summary, failed = run("chronology", path, "--rejected", str(rejected))
    assert failed and summary["rejected_file"] == str(rejected)
    rows = list(csv.DictReader(rejected.open(encoding="utf-8")))
    assert [r["row"] for r in rows] == ["2", "3"]
    assert list(rows[0]) == ["row", "column", "value", "reason", "rule"]
    assert rows[0]["column"] == "event_date" and rows[0]["rule"] == "DATE"
    assert rows[0]["value"] == '\'=HYPERLINK("http://x")'
    assert "YYYY-MM-DD or DD/MM/YYYY" in rows[0]["reason"]
    assert rows[1]["value"] == "'@SUM(A1)" and rows[1]["rule"] == "EVENT_TYPE"
    assert not rows[0]["reason"].startswith(("=", "+", "-", "@"))


# --- encodings, Excel and column mappings -----------------------------------------------------

ROW = "E1,P1,2024-03-05,child-hungry,Café: arrived hungry"


@pytest.mark.parametrize(
    ("prefix", "encoding", "reported"),
    [
        (b"", "utf-8", "utf-8"),
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (b"", "utf-16", "utf-16"),  # Python writes the BOM for utf-16
        (b"", "cp1252", "cp1252"),
    ],
)
def test_encodings_and_byte_order_marks_are_read_and_reported(
    tmp_path: Path, known: dict[str, Person], prefix: bytes, encoding: str, reported: str
) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes(prefix + f"{CHRONO_HEADER}\r\n{ROW}\r\n".encode(encoding))
    summary, failed = run("chronology", path)
    assert not failed, summary
    assert summary["encoding"] == reported
    assert ChronologyEntry.objects.get().description == "Café: arrived hungry"
    if encoding == "cp1252":
        assert any("Windows-1252" in n for n in summary["notices"])


def test_an_excel_workbook_is_read_with_real_dates_and_numbers(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["source_reference", "nhs_number", "event_date", "event_type", "description"])
    sheet.append(["E1", int(NHS_A), datetime.datetime(2024, 3, 5), "child-hungry", "From Excel"])
    path = tmp_path / "extract.xlsx"
    book.save(path)
    summary, failed = run("chronology", path)
    assert not failed, summary
    assert summary["encoding"] == "xlsx"
    entry = ChronologyEntry.objects.get()
    assert entry.event_date == datetime.date(2024, 3, 5)
    assert entry.subject_links.get().person == known["P1"]


def test_a_saved_column_mapping_reads_an_agencys_own_headers(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "Event ID": "source_reference",
                "Client No": "person_reference",
                "Date": "event_date",
                "Type": "event_type",
                "Notes": "description",
            }
        )
    )
    call_command(
        "import",
        "mapping",
        str(mapping),
        "--agency",
        "hv",
        "--kind",
        "chronology",
        stdout=io.StringIO(),
    )
    assert ColumnMapping.objects.get().mapping["Notes"] == "description"
    path = chrono(
        tmp_path,
        "E1,P1,05/03/2024,child-hungry,A",
        header="Event ID,Client No,Date,Type,Notes,Extra",
    )
    summary, failed = run("chronology", path)
    assert not failed, summary
    assert summary["mapping"]["Date"] == "event_date"
    assert any("extra" in n for n in summary["notices"])
    assert ChronologyEntry.objects.count() == 1
    # A file given with --mapping for one run overrides the saved one.
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"Ref": "source_reference"}))
    summary, failed = run("chronology", path, "--mapping", str(other))
    assert failed and ("", "person_reference", "MISSING_COLUMN") in rules(summary)


def test_a_mapping_to_an_unknown_column_is_refused(tmp_path: Path, hv: Any) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Notes": "notes"}))
    with pytest.raises(CommandError, match="notes is not a column"):
        call_command("import", "mapping", str(mapping), "--agency", "hv", "--kind", "chronology")


def test_an_unknown_agency_is_refused(tmp_path: Path, hv: Any) -> None:
    with pytest.raises(CommandError, match="No agency"):
        call_command("import", "chronology", str(chrono(tmp_path)), "--agency", "nope")


# --- addresses, relationships, involvements ---------------------------------------------------


def test_addresses_extract_records_a_residence_once_and_updates_its_dates(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    header = "person_reference,address_line1,postcode,start_date,end_date"
    path = write(tmp_path, f"{header}\nP1,9 Other Road,RH11 7ZZ,01/01/2024,\n")
    assert not run("addresses", path)[1]
    assert not run("addresses", path)[1]
    assert Residence.objects.filter(person=known["P1"], address__line1="9 Other Road").count() == 1
    moved = write(tmp_path, f"{header}\nP1,9 Other Road,RH11 7ZZ,01/01/2024,01/06/2024\n", "m.csv")
    summary, failed = run("addresses", moved)
    assert not failed and summary["counts"]["amended"] == 1
    assert Residence.objects.get(address__line1="9 Other Road").end_date == datetime.date(
        2024, 6, 1
    )


def test_relationships_extract_links_people_by_reference_once(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    path = write(
        tmp_path,
        "person_reference,relationship_type,relative_reference\nP1,sibling,P2\nP1,sibling,P9\n",
    )
    summary, failed = run("relationships", path, "--partial")
    assert not failed and rules(summary) == [("3", "relative_reference", "UNKNOWN_PERSON")]
    assert not run("relationships", path, "--partial")[1]
    rel = Relationship.objects.get()
    assert (rel.person, rel.relative) == (known["P1"], known["P2"])


def test_involvements_extract_is_idempotent_and_a_change_is_audited(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    header = "source_reference,person_reference,start_date,end_date,role_description,is_lead"
    path = write(tmp_path, f"{header}\nI1,P1,01/02/2024,,Health visitor,N\n")
    assert not run("involvements", path)[1]
    assert not run("involvements", path)[1]
    ended = write(tmp_path, f"{header}\nI1,P1,01/02/2024,01/03/2025,Health visitor,N\n", "e.csv")
    summary, failed = run("involvements", ended)
    assert not failed and summary["counts"]["amended"] == 1
    involvement = Involvement.objects.get(source_system="systmone")
    assert involvement.end_date == datetime.date(2025, 3, 1)
    change = (
        AuditEvent.objects.filter(
            action=AuditAction.RECORD_INVOLVEMENT, object_id=str(involvement.pk)
        )
        .order_by("pk")
        .last()
    )
    assert change is not None and change.details["changed"]["end_date"] == [None, "2025-03-01"]


# --- streaming --------------------------------------------------------------------------------


def test_a_csv_is_streamed_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(CHRONO_HEADER + "\n")
        for i in range(20_000):
            out.write(f"E{i},P1,2024-03-05,child-hungry,Row {i}\n")
    table = tabular.open_table(path, {})
    first = next(table.rows)
    assert first == (
        2,
        {**BASE_ROWS["chronology"], "source_reference": "E0", "description": "Row 0"},
    )
    assert sum(1 for _ in table.rows) == 19_999


def test_nothing_is_future_dated(tmp_path: Path, known: dict[str, Person]) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    path = chrono(tmp_path, f"E1,P1,{tomorrow:%d/%m/%Y},child-hungry,A")
    summary, failed = run("chronology", path)
    assert failed and rules(summary) == [("2", "event_date", "FUTURE_DATE")]


def test_a_load_gives_the_process_back_its_thread_switch_interval(
    tmp_path: Path, known: dict[str, Person]
) -> None:
    """A load shortens Python's switch interval while its threads run; the worker that runs
    imports one after another, and the web process, must get their own back after it, even
    after a failed load."""
    import sys

    before = sys.getswitchinterval()
    summary, failed = run("chronology", chrono(tmp_path, "E1,P1,2024-03-01,child-hungry,A"))
    assert not failed and summary["counts"]["created"] == 1
    assert sys.getswitchinterval() == before
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    summary, failed = run(
        "chronology", chrono(tmp_path, f"E2,P1,{tomorrow:%d/%m/%Y},child-hungry,B")
    )
    assert failed
    assert sys.getswitchinterval() == before


# --- interrupted ------------------------------------------------------------------------------


def _interrupt_second_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from hearth.interop import actions, extract_loader

    monkeypatch.setattr(actions, "EXTRACT_BATCH", 2)
    real = extract_loader.chronology
    calls = {"n": 0}

    def failing(rows: Any, ctx: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("the database went away")
        return real(rows, ctx)

    monkeypatch.setitem(extract_loader.LOADERS, "chronology", failing)


FIVE = [f"E{i},P1,2024-03-0{i},child-hungry,Row {i}" for i in range(1, 6)]


def test_an_import_interrupted_part_way_leaves_nothing_and_a_rerun_loads_it_once(
    tmp_path: Path, known: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = chrono(tmp_path, *FIVE)
    with monkeypatch.context() as patch:
        _interrupt_second_batch(patch)
        with pytest.raises(ConnectionError):
            call_command("import", "chronology", str(path), "--agency", "hv", "--json")
    assert not ChronologyEntry.objects.exists() and not EntryVersion.objects.exists()
    assert ImportRun.objects.get(kind="chronology").status == RunStatus.FAILED
    summary, failed = run("chronology", path)
    assert not failed and summary["counts"]["created"] == 5
    assert ChronologyEntry.objects.count() == 5


def test_a_partial_import_interrupted_keeps_whole_batches_and_a_rerun_completes_it(
    tmp_path: Path, known: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = chrono(tmp_path, *FIVE)
    with monkeypatch.context() as patch:
        _interrupt_second_batch(patch)
        with pytest.raises(ConnectionError):
            call_command("import", "chronology", str(path), "--agency", "hv", "--partial")
    assert ChronologyEntry.objects.count() == 2  # the first batch, whole
    summary, failed = run("chronology", path, "--partial")
    assert not failed
    assert (summary["counts"]["created"], summary["counts"]["unchanged"]) == (3, 2)
    assert ChronologyEntry.objects.count() == 5 and EntryVersion.objects.count() == 5
