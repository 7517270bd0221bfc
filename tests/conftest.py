"""Named personas for access stories, and a sign-in helper that passes multi-factor sign-in.

The Archer family lives at 1 Test Street: Mandy (mother), Amy (9) and Ben (6), and Dean, Mandy's
partner, who lives there though no relationship was ever recorded. Zara Young lives elsewhere.

- alice: CSC social worker allocated to Amy.
- bob: health visitor; his agency is involved with Mandy (so he sees the family).
- charlie: school safeguarding lead involved only with Zara: no relationship with the Archers.
- sam: front-door screener in the MASH, with no involvement.
- iris: information-governance officer.
- mike: CSC team manager (the lead agency for Amy).
- nina: partnership analyst.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.accounts.models import Role
from hearth.agencies.models import AgencyType
from hearth.people.models import PersonKind, RelationshipType, Sex
from tests.factories.access import InvolvementFactory
from tests.factories.accounts import UserFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.people import (
    AddressFactory,
    PersonFactory,
    RelationshipFactory,
    ResidenceFactory,
)

_CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def page_text(response: Any) -> str:
    """The body without its random CSRF token, so a "no data shown" check can never flake on it."""
    return _CSRF_TOKEN.sub("", response.content.decode())


def sign_in(client: Any, user: Any) -> Any:
    """Force-login and mark the session as having passed TOTP, as a real sign-in would."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@dataclass
class World:
    csc: Any
    health: Any
    school: Any
    mandy: Any
    amy: Any
    ben: Any
    dean: Any
    zara: Any
    home: Any
    alice: Any
    bob: Any
    charlie: Any
    sam: Any
    iris: Any
    mike: Any
    nina: Any


@pytest.fixture
def world(db: Any) -> World:
    csc = AgencyFactory(
        code="csc", name="Children's Social Care", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    health = AgencyFactory(
        code="hv", name="Health Visiting", agency_type=AgencyType.HEALTH_VISITING
    )
    school = AgencyFactory(code="school", name="Oakfield Primary", agency_type=AgencyType.SCHOOL)
    mash = AgencyFactory(
        code="mash", name="Front Door (MASH)", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE
    )
    home = AddressFactory(line1="1 Test Street", postcode="RH10 1AA")
    elsewhere = AddressFactory(line1="9 Other Road", postcode="RH11 7ZZ")
    mandy = PersonFactory(
        given_name="Mandy",
        family_name="Archer",
        kind=PersonKind.ADULT,
        date_of_birth=datetime.date(1990, 2, 2),
    )
    amy = PersonFactory(
        given_name="Amy", family_name="Archer", date_of_birth=datetime.date(2016, 4, 4)
    )
    ben = PersonFactory(
        given_name="Ben",
        family_name="Archer",
        sex=Sex.MALE,
        date_of_birth=datetime.date(2019, 6, 6),
    )
    dean = PersonFactory(
        given_name="Dean",
        family_name="Cole",
        kind=PersonKind.ADULT,
        sex=Sex.MALE,
        date_of_birth=datetime.date(1985, 1, 1),
    )
    zara = PersonFactory(
        given_name="Zara", family_name="Young", date_of_birth=datetime.date(2015, 9, 9)
    )
    for p in (mandy, amy, ben):
        ResidenceFactory(person=p, address=home, start_date=datetime.date(2019, 1, 1))
    ResidenceFactory(person=dean, address=home, start_date=datetime.date(2023, 5, 1))
    ResidenceFactory(person=zara, address=elsewhere)
    RelationshipFactory(person=mandy, relative=amy, relationship_type=RelationshipType.MOTHER)
    RelationshipFactory(person=mandy, relative=ben, relationship_type=RelationshipType.MOTHER)
    RelationshipFactory(person=amy, relative=ben, relationship_type=RelationshipType.SIBLING)
    alice = UserFactory(username="alice", first_name="Alice", agency=csc)
    bob = UserFactory(username="bob", first_name="Bob", agency=health)
    charlie = UserFactory(username="charlie", first_name="Charlie", agency=school)
    sam = UserFactory(username="sam", first_name="Sam", agency=mash, role=Role.SCREENER)
    iris = UserFactory(username="iris", first_name="Iris", agency=csc, role=Role.IG_OFFICER)
    mike = UserFactory(username="mike", first_name="Mike", agency=csc, role=Role.TEAM_MANAGER)
    nina = UserFactory(username="nina", first_name="Nina", agency=csc, role=Role.ANALYST)
    InvolvementFactory(
        person=amy,
        agency=csc,
        practitioner=alice,
        is_lead=True,
        role_description="Allocated social worker",
    )
    InvolvementFactory(
        person=mandy, agency=health, practitioner=bob, role_description="Health visitor"
    )
    InvolvementFactory(
        person=zara,
        agency=school,
        practitioner=charlie,
        role_description="Designated safeguarding lead",
    )
    return World(
        csc,
        health,
        school,
        mandy,
        amy,
        ben,
        dean,
        zara,
        home,
        alice,
        bob,
        charlie,
        sam,
        iris,
        mike,
        nina,
    )


@pytest.fixture(autouse=True)
def _no_recent_datasets() -> Any:
    """Each test starts with no dataset remembered from another test's records."""
    from hearth.partnership.dataset import forget_recent

    forget_recent()
    yield
    forget_recent()
