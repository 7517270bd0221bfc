"""Exporting a CIN census return for a collection year, valid against the schema, and the round
trip: import → export → import gives the same records."""

import datetime
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from hearth.agencies.models import AgencyType
from hearth.audit.models import AuditAction, AuditEvent
from hearth.episodes.models import Episode, EpisodeKind
from hearth.interop import census, census_xml
from hearth.interop.models import ChildOutcome, ImportChildOutcome
from hearth.interop.synthetic import write_synthetic_census
from hearth.people.models import Person, PersonIdentifier
from tests.census_files import OTHER_UPN, VALID_UPN, child, with_second_episode, write
from tests.factories.agencies import AgencyFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def csc(db: Any) -> Any:
    return AgencyFactory(
        code="csc", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE, source_system="mosaic"
    )


def load(path: Path, *args: str) -> None:
    call_command("import", "cin-census", str(path), *args, stdout=io.StringIO())


def export(path: Path, year: int = 2025) -> str:
    out = io.StringIO()
    call_command(
        "export",
        "cin-census",
        "--year",
        str(year),
        "--la",
        "938",
        "--output",
        str(path),
        stdout=out,
    )
    return out.getvalue()


def snapshot() -> dict[str, Any]:
    """Every record an import writes, as comparable values."""
    fields = [
        f.name
        for f in Episode._meta.fields
        if f.name not in ("id", "child", "referral", "lead_agency")
    ]
    people = {
        p.pk: (p.date_of_birth, p.sex, p.ethnicity, p.disabilities, p.upn, p.former_upn)
        for p in Person.objects.all()
    }
    return {
        "people": sorted(people.values(), key=repr),
        "identifiers": sorted(PersonIdentifier.objects.values_list("system", "value")),
        "episodes": sorted(
            (tuple(getattr(e, f) for f in fields) for e in Episode.objects.all()), key=repr
        ),
    }


def without_timestamp(path: Path) -> bytes:
    return b"\n".join(line for line in path.read_bytes().splitlines() if b"<DateTime>" not in line)


def test_import_export_import_gives_the_same_records(tmp_path: Path) -> None:
    original = tmp_path / "original.xml"
    write_synthetic_census(original, 300)
    load(original)
    exported = tmp_path / "exported.xml"
    export(exported)
    before = snapshot()
    load(exported)
    assert snapshot() == before
    outcomes = ImportChildOutcome.objects.filter(run__file_name="exported.xml")
    assert outcomes.count() > 200
    assert set(outcomes.values_list("outcome", flat=True)) == {ChildOutcome.UNCHANGED}
    again = tmp_path / "again.xml"
    export(again)
    assert without_timestamp(again) == without_timestamp(exported)


def test_a_return_whose_episodes_are_all_in_the_year_comes_back_exactly(tmp_path: Path) -> None:
    """Every item the importer reads survives the round trip, in both layouts."""
    second = child(
        (VALID_UPN, OTHER_UPN),
        ("<Sex>F</Sex>", "<Sex>U</Sex>"),
        ("</UPN>", "</UPN>\n      <FormerUPN>Y20100000003A</FormerUPN>"),
        (
            "<Disability>NONE</Disability>",
            "<Disability>LD</Disability>\n        <Disability>AUT</Disability>",
        ),
        la_child_id="ID002",
    )
    original = write(tmp_path / "in.xml", child(), with_second_episode(second, "2025-02-01"))
    load(original)
    exported = tmp_path / "out.xml"
    export(exported)

    def children(path: Path) -> list[Any]:
        return [c.node for c in census_xml.read(path.open("rb"), census_xml.Header(), Counter())]

    def flat(node: Any) -> list[tuple[str, str]]:
        return [(n.path, n.text) for n in node.walk()]

    assert [flat(n) for n in children(exported)] == [flat(n) for n in children(original)]


def test_the_export_is_valid_against_the_schema_hearth_publishes(tmp_path: Path) -> None:
    original = tmp_path / "original.xml"
    write_synthetic_census(original, 50)
    load(original)
    exported = tmp_path / "exported.xml"
    export(exported)
    schema = census_xml.schema()
    assert schema.validate(etree.parse(str(exported))), schema.error_log


def test_the_year_covers_episodes_open_at_any_time_from_1_april_to_31_march(
    tmp_path: Path,
) -> None:
    person = PersonFactory()
    PersonIdentifier.objects.create(person=person, system="mosaic", value="H1")
    for start, end in [
        (datetime.date(2023, 6, 1), datetime.date(2024, 3, 31)),  # closed the day before: out
        (datetime.date(2024, 4, 2), datetime.date(2024, 4, 6)),  # in
        (datetime.date(2025, 4, 1), None),  # after the year: out
    ]:
        Episode.objects.create(
            kind=EpisodeKind.REFERRAL,
            child=person,
            start_date=start,
            end_date=end,
            end_reason="RC8" if end else "",
        )
    exported = tmp_path / "out.xml"
    export(exported)
    assert exported.read_text().count("<CINreferralDate>") == 1
    assert "<CINreferralDate>2024-04-02</CINreferralDate>" in exported.read_text()


def test_earlier_years_are_written_with_gender_current(tmp_path: Path) -> None:
    load(write(tmp_path / "in.xml", child(), year=2025))
    exported = tmp_path / "out.xml"
    export(exported, year=2025)
    assert "<Sex>F</Sex>" in exported.read_text()
    older = tmp_path / "older.xml"
    Episode.objects.update(start_date=datetime.date(2023, 5, 1))
    export(older, year=2024)
    assert "<GenderCurrent>2</GenderCurrent>" in older.read_text()


def test_a_child_without_an_la_child_id_is_left_out_and_counted(tmp_path: Path) -> None:
    Episode.objects.create(
        kind=EpisodeKind.REFERRAL, child=PersonFactory(), start_date=datetime.date(2024, 6, 1)
    )
    exported = tmp_path / "out.xml"
    err = io.StringIO()
    call_command(
        "export",
        "cin-census",
        "--year",
        "2025",
        "--la",
        "938",
        "--output",
        str(exported),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "Left out 1 children" in err.getvalue()
    assert "<Child>" not in exported.read_text()


def test_the_export_is_audited(tmp_path: Path) -> None:
    load(write(tmp_path / "in.xml", child()))
    export(tmp_path / "out.xml")
    audit = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert audit.details["children"] == 1 and audit.details["episodes"] == 5


def test_an_export_needs_the_local_authority(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="3-digit code"):
        call_command("export", "cin-census", "--year", "2025", "--output", str(tmp_path / "x.xml"))


def test_the_exported_file_imports_with_no_problems(tmp_path: Path) -> None:
    original = tmp_path / "original.xml"
    write_synthetic_census(original, 100)
    load(original)
    exported = tmp_path / "exported.xml"
    export(exported)
    report = census.scan(exported)
    assert report.problems == [] and report.children > 50
