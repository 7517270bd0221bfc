"""Households over time: siblings and adults at one address are linked even without a recorded relationship."""

import datetime

import pytest

from hearth.people.households import co_residents, family_ids, family_of
from hearth.people.models import PersonKind
from tests.factories.people import AddressFactory, PersonFactory, ResidenceFactory

pytestmark = pytest.mark.django_db


def test_people_who_shared_an_address_at_overlapping_times_are_linked():
    flat = AddressFactory()
    a = PersonFactory()
    b = PersonFactory()
    ResidenceFactory(
        person=a,
        address=flat,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    ResidenceFactory(person=b, address=flat, start_date=datetime.date(2020, 6, 1), end_date=None)
    ever, now = co_residents(a.pk)
    assert ever == {b.pk}
    assert now == set()  # a has moved out


def test_tenants_before_and_after_are_not_a_household():
    flat = AddressFactory()
    before = PersonFactory()
    after = PersonFactory()
    ResidenceFactory(
        person=before,
        address=flat,
        start_date=datetime.date(2010, 1, 1),
        end_date=datetime.date(2012, 1, 1),
    )
    ResidenceFactory(person=after, address=flat, start_date=datetime.date(2015, 1, 1))
    assert co_residents(after.pk) == (set(), set())


def test_family_of_shows_an_unrelated_adult_man_in_the_household(world):
    family = family_of(world.amy)
    dean = next(m for m in family.members if m.person == world.dean)
    assert dean.lives_with_now
    assert dean.relationships == ["Lives here, no relationship recorded"]
    assert world.dean in [m.person for m in family.adults]
    assert [m.person for m in family.siblings] == [world.ben]


def test_family_of_describes_recorded_relationships_from_the_childs_side(world):
    family = family_of(world.amy)
    labels = {m.person.given_name: m.relationships for m in family.members}
    assert labels["Mandy"] == ["Mother"]
    assert labels["Ben"] == ["Sibling"]


def test_current_family_excludes_ended_relationships_and_past_co_residents(world):
    old_partner = PersonFactory(kind=PersonKind.ADULT, given_name="Old")
    ResidenceFactory(
        person=old_partner,
        address=world.home,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2020, 1, 1),
    )
    assert old_partner.pk in family_ids(world.amy.pk)
    assert old_partner.pk not in family_ids(world.amy.pk, current_only=True)
