"""Households across agencies: the same home spelt two ways is one dwelling, so a child and the
adults and siblings who lived there at the same time are cross-referenced (seed 003, learning 4)."""

import datetime
from typing import Any

import pytest

from hearth.lib.addresses import dwelling_key
from hearth.people.households import co_residents, family_of
from hearth.people.models import Address, PersonKind
from tests.factories.people import PersonFactory, ResidenceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("12 Elm Rd", "", "RH10 1AA"), ("12 ELM ROAD", "", "rh101aa")),
        (("Flat 2", "7 Mill Ln", "BN1 1AA"), ("Flat 2, 7 Mill Lane", "", "BN1 1AA")),
        (("3 St Mary's Cl", "", "RH11 7ZZ"), ("3 St. Marys Close", "", "RH11 7ZZ")),
    ],
)
def test_one_home_spelt_two_ways_has_one_key(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    assert dwelling_key(*a) == dwelling_key(*b) != ""


def test_different_homes_and_a_uprn_keep_their_own_keys() -> None:
    assert dwelling_key("12 Elm Road", "", "RH10 1AA") != dwelling_key(
        "14 Elm Road", "", "RH10 1AA"
    )
    assert dwelling_key("12 Elm Road", "", "RH10 1AA") != dwelling_key(
        "12 Elm Road", "", "RH10 1AB"
    )
    assert dwelling_key("anything", "", "RH10 1AA", "100061234567") == "uprn:100061234567"


def test_siblings_recorded_by_two_agencies_at_one_home_are_one_household(db: Any) -> None:
    school_spelling = Address.objects.create(line1="12 Elm Rd", postcode="RH10 1AA")
    housing_spelling = Address.objects.create(line1="12 ELM ROAD", postcode="RH10 1AA")
    next_door = Address.objects.create(line1="14 Elm Road", postcode="RH10 1AA")
    amy = PersonFactory(given_name="Amy")
    ben = PersonFactory(given_name="Ben")
    lodger = PersonFactory(given_name="Lee", kind=PersonKind.ADULT)
    neighbour = PersonFactory(given_name="Nia")
    moved_out = PersonFactory(given_name="Max", kind=PersonKind.ADULT)
    ResidenceFactory(person=amy, address=school_spelling, start_date=D(2020, 1, 1))
    ResidenceFactory(person=ben, address=housing_spelling, start_date=D(2021, 3, 1))
    ResidenceFactory(person=lodger, address=housing_spelling, start_date=D(2024, 1, 1))
    ResidenceFactory(person=neighbour, address=next_door, start_date=D(2020, 1, 1))
    ResidenceFactory(
        person=moved_out, address=housing_spelling, start_date=D(2015, 1, 1), end_date=D(2019, 6, 1)
    )
    ever, now = co_residents(amy.pk)
    assert ever == {ben.pk, lodger.pk}
    assert now == {ben.pk, lodger.pk}
    family = family_of(amy)
    assert {m.person.given_name for m in family.household_now} == {"Ben", "Lee"}
