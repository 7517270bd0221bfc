"""Every person an agency extract brings becomes a source record in the master person index,
linked by how the importer found them; re-running the file adds nothing."""

import io
from pathlib import Path
from typing import Any

import pytest

from hearth.linkage.models import LinkEvent, LinkMethod, SourceRecord
from hearth.people.models import Person
from tests.integration.test_agency_extracts import NHS_A, PEOPLE_HEADER, hv, run, write

__all__ = ["hv"]
pytestmark = pytest.mark.django_db


def test_a_people_extract_keeps_each_row_as_a_source_record(hv: Any, tmp_path: Path) -> None:
    known = Person.objects.create(given_name="Amy", family_name="Smith", nhs_number=NHS_A)
    path = write(
        tmp_path,
        PEOPLE_HEADER
        + f"\nP1,Amelia,Smith,05/03/2019,F,{NHS_A},12 Elm Road,rh10 1aa"
        + "\nP2,Ben,Jones,2018-01-02,M,,3 Oak Way,RH11 7ZZ\n",
    )
    summary, failed = run("people", path)
    assert not failed, summary
    records = {r.source_reference: r for r in SourceRecord.objects.all()}
    assert set(records) == {"P1", "P2"}
    assert {r.source_system for r in records.values()} == {"systmone"}
    assert records["P1"].person == known
    assert records["P1"].given_name == "Amelia"  # as the agency spelt it
    assert records["P1"].address == "12 Elm Road"
    assert records["P1"].postcode == "RH10 1AA"
    assert records["P2"].person is not None and records["P2"].person != known
    methods = dict(LinkEvent.objects.values_list("record__source_reference", "method"))
    assert methods == {"P1": LinkMethod.NHS_NUMBER, "P2": LinkMethod.NEW_PERSON}

    summary, failed = run("people", path)
    assert not failed, summary
    assert SourceRecord.objects.count() == 2
    assert LinkEvent.objects.count() == 2


def test_a_rejected_people_extract_leaves_no_source_records(hv: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        PEOPLE_HEADER + "\nP1,Amy,Smith,05/03/2019,F,,1 A Road,RH10 1AA\nP2,,,,,,,\n",
    )
    _summary, failed = run("people", path)
    assert failed
    assert SourceRecord.objects.count() == 0


def test_census_children_enter_the_index_by_la_child_id_once(db: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    from tests.census_files import child, write

    path = write(tmp_path / "census.xml", child(la_child_id="LA0001"), child(la_child_id="LA0002"))
    call_command("import", "cin-census", str(path), "--json", stdout=io.StringIO())
    records = SourceRecord.objects.order_by("source_reference")
    assert [r.source_reference for r in records] == ["LA0001", "LA0002"]
    assert all(r.person is not None for r in records)
    assert set(LinkEvent.objects.values_list("method", flat=True)) == {LinkMethod.NEW_PERSON}
    call_command("import", "cin-census", str(path), "--json", stdout=io.StringIO())
    assert SourceRecord.objects.count() == 2
    assert LinkEvent.objects.count() == 2
