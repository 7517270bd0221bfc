"""The child's page gathers everything in a fixed number of queries, however big the family or chronology."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.people.child_page import build_child_page
from hearth.people.models import PersonKind, RelationshipType
from tests.factories.access import InvolvementFactory
from tests.factories.chronology import make_entry
from tests.factories.people import PersonFactory, RelationshipFactory, ResidenceFactory

pytestmark = pytest.mark.django_db


def _count_queries(user, child):
    with CaptureQueriesContext(connection) as ctx:
        page = build_child_page(user, child)
    return len(ctx.captured_queries), page


def test_child_page_query_count_does_not_grow_with_the_family(world):
    make_entry(by=world.alice, subjects=[world.amy])
    small, _ = _count_queries(world.alice, world.amy)

    for i in range(6):
        sibling = PersonFactory(given_name=f"Sib{i}", family_name="Archer")
        ResidenceFactory(person=sibling, address=world.home, start_date=datetime.date(2019, 1, 1))
        RelationshipFactory(
            person=world.mandy, relative=sibling, relationship_type=RelationshipType.MOTHER
        )
        InvolvementFactory(person=sibling, agency=world.health)
        for d in range(5):
            make_entry(
                by=world.bob,
                subjects=[sibling, world.amy],
                event_date=datetime.date(2024, 1, d + 1),
            )
    uncle = PersonFactory(kind=PersonKind.ADULT, given_name="Uncle")
    RelationshipFactory(
        person=uncle, relative=world.amy, relationship_type=RelationshipType.OTHER_SIGNIFICANT_ADULT
    )

    large, page = _count_queries(world.alice, world.amy)
    assert page.chronology.total == 31
    assert len(page.family.members) == 10
    assert large == small, (
        f"{small} queries for a small family but {large} for a large one (an N+1?)"
    )
    assert large <= 16
