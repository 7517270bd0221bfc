"""Receiving records into the master person index: the deterministic steps and idempotency."""

import datetime
from typing import Any

import pytest

from hearth.linkage.index import Incoming, receive
from hearth.linkage.models import LinkEvent, LinkMethod, SourceRecord
from hearth.people.models import Person, PersonIdentifier
from tests.factories.people import PersonFactory

VALID_NHS = "9434765919"  # 999-range test number with a correct check digit
INVALID_NHS = "9434765918"  # one digit off: the check digit fails


def _upn() -> str:
    from hearth.lib.identifiers import upn_check_letter

    return upn_check_letter("123456789012") + "123456789012"


def incoming(**kw: Any) -> Incoming:
    values: dict[str, Any] = {
        "source_system": "school-mis",
        "source_reference": "S-1",
        "channel": "import",
        "given_name": "Amy",
        "family_name": "Archer",
        "date_of_birth": datetime.date(2016, 4, 9),
        "sex": "F",
        "postcode": "rh10 1aa",
    }
    values.update(kw)
    return Incoming(**values)


@pytest.fixture
def amy(db: Any) -> Person:
    return PersonFactory(
        given_name="Amy",
        family_name="Archer",
        date_of_birth=datetime.date(2016, 4, 9),
        nhs_number=VALID_NHS,
        upn=_upn(),
    )


def test_a_valid_nhs_number_links_to_its_one_holder_and_records_how(amy: Person) -> None:
    got = receive(incoming(nhs_number="943 476 5919", given_name="Amelia"), by=None)
    assert got.person == amy
    assert got.outcome == "deterministic"
    event = LinkEvent.objects.get(record=got.record)
    assert (event.method, event.person) == (LinkMethod.NHS_NUMBER, amy)
    # Kept as received, identifiers in one spelling.
    assert got.record.raw["nhs_number"] == "943 476 5919"
    assert got.record.nhs_number == VALID_NHS
    assert got.record.postcode == "RH10 1AA"


def test_an_invalid_nhs_number_never_links(amy: Person) -> None:
    got = receive(incoming(nhs_number=INVALID_NHS), by=None, use_model=False)
    assert got.person != amy
    assert got.outcome == "new"
    assert got.person.nhs_number == ""  # never copied onto the new person either
    assert got.record.nhs_number == INVALID_NHS  # but kept on the record, as received


def test_a_valid_nhs_number_with_another_date_of_birth_does_not_link(amy: Person) -> None:
    got = receive(
        incoming(nhs_number=VALID_NHS, date_of_birth=datetime.date(2001, 1, 30)),
        by=None,
        use_model=False,
    )
    assert got.person != amy


def test_a_transposed_date_of_birth_does_not_stop_an_nhs_number_link(amy: Person) -> None:
    got = receive(
        incoming(nhs_number=VALID_NHS, date_of_birth=datetime.date(2016, 9, 4)),
        by=None,
    )
    assert got.person == amy


def test_a_upn_links_when_there_is_no_nhs_number(amy: Person) -> None:
    got = receive(incoming(upn=_upn().lower(), given_name="Aimee"), by=None)
    assert (got.person, got.method) == (amy, LinkMethod.UPN)


def test_a_local_id_links_within_its_own_source_only(amy: Person) -> None:
    PersonIdentifier.objects.create(person=amy, system="school-mis", value="S-77")
    same_source = receive(incoming(source_reference="S-77", given_name="A."), by=None)
    assert same_source.person == amy
    other_source = receive(
        incoming(source_system="police-niche", source_reference="S-77", given_name="Zed"),
        by=None,
        use_model=False,
    )
    assert other_source.person != amy


def test_the_same_record_again_changes_nothing_and_a_changed_one_keeps_its_history(
    amy: Person,
) -> None:
    first = receive(incoming(nhs_number=VALID_NHS), by=None)
    again = receive(incoming(nhs_number=VALID_NHS), by=None)
    assert again.outcome == "same_record"
    assert again.record.pk == first.record.pk
    assert SourceRecord.objects.count() == 1
    assert again.record.history == []
    moved = receive(incoming(nhs_number=VALID_NHS, postcode="BN1 1AA"), by=None)
    moved.record.refresh_from_db()
    assert SourceRecord.objects.count() == 1
    assert moved.record.postcode == "BN1 1AA"
    assert [h["postcode"] for h in moved.record.history] == ["RH10 1AA"]
    assert LinkEvent.objects.filter(record=first.record).count() == 1


def test_a_record_with_nothing_to_link_by_makes_a_new_person_with_its_names(db: Any) -> None:
    got = receive(
        incoming(family_name="Brown", previous_family_names=["Smith"]), by=None, use_model=False
    )
    assert got.outcome == "new"
    names = set(got.person.names.values_list("name_type", "family_name"))
    assert names == {("current", "Brown"), ("previous", "Smith")}
    assert PersonIdentifier.objects.filter(
        person=got.person, system="school-mis", value="S-1"
    ).exists()


def test_backfill_indexes_everyone_once_with_their_identifiers_and_home(db: Any) -> None:
    from hearth.linkage.backfill import backfill
    from tests.factories.people import AddressFactory, ResidenceFactory

    old = AddressFactory(line1="1 Old Road", postcode="RH10 1AA")
    new = AddressFactory(line1="2 New Road", postcode="RH11 7ZZ")
    amy = PersonFactory(given_name="Amy", nhs_number=VALID_NHS)
    ResidenceFactory(
        person=amy,
        address=old,
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2020, 1, 1),
    )
    ResidenceFactory(person=amy, address=new, start_date=datetime.date(2020, 1, 1))
    PersonIdentifier.objects.create(person=amy, system="mosaic", value="M-1")
    PersonIdentifier.objects.create(person=amy, system="systmone", value="S-9")
    ben = PersonFactory(given_name="Ben")
    merged = PersonFactory(given_name="Gone", merged_into=ben)

    assert backfill(by=None) == 3
    assert backfill(by=None) == 0
    keys = set(SourceRecord.objects.values_list("source_system", "source_reference", "person_id"))
    assert keys == {
        ("mosaic", "M-1", amy.pk),
        ("systmone", "S-9", amy.pk),
        ("hearth", str(ben.pk), ben.pk),
    }
    mosaic = SourceRecord.objects.get(source_reference="M-1")
    assert (mosaic.postcode, mosaic.address) == ("RH11 7ZZ", "2 New Road, Testtown")
    assert mosaic.nhs_number == VALID_NHS
    assert not SourceRecord.objects.filter(person=merged).exists()
