"""Who is who, in a real browser: a data-quality officer resolves a queued pair, information
governance sees the decision in the child's audit trail, and the child's social worker then sees
both records' chronologies together on one page (or, when they are different people, apart)."""

import datetime
import re
from typing import Any

import pytest

from hearth.accounts.models import Role
from hearth.chronology.models import EventType
from hearth.linkage.models import Merge, NonMatch, ReviewItem, ReviewStatus
from hearth.people.models import Person
from tests.factories.access import InvolvementFactory
from tests.factories.accounts import UserFactory
from tests.factories.chronology import make_entry
from tests.factories.linkage import make_record, make_review
from tests.factories.people import PersonFactory
from tests.functional.conftest import load_event_taxonomy
from tests.functional.helpers import give_authenticator, settled, sign_in_with_code, sign_out
from tests.functional.test_toolkit import assert_accessible

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSPITAL_ENTRY = "Amie brought to A&E with a scald; mother says she was left with a cousin."
CSC_ENTRY = "Home visit: Amy seen alone; no food in the fridge."


def queued_pair(world: Any) -> tuple[ReviewItem, Person]:
    """The hospital's record of "Amie", on a provisional person with her own chronology, queued
    against Amy's record."""
    load_event_taxonomy()
    amie = PersonFactory(
        given_name="Amie", family_name="Archer", date_of_birth=datetime.date(2016, 4, 4)
    )
    InvolvementFactory(person=amie, agency=world.health, practitioner=world.bob)
    make_entry(
        by=world.bob,
        subjects=[amie],
        event_type=EventType.objects.get(code="accidental-injury"),
        event_date=datetime.date(2025, 3, 2),
        description=HOSPITAL_ENTRY,
    )
    make_entry(
        by=world.alice,
        subjects=[world.amy],
        event_date=datetime.date(2025, 2, 1),
        description=CSC_ENTRY,
    )
    review = make_review(
        make_record(
            amie,
            source_system="hospital-pas",
            source_reference="RXH-204817",
            nhs_number="9990000018",
        ),
        make_record(world.amy, source_system="csc-mosaic", source_reference="C100"),
    )
    return review, amie


def resolve(page: Any, problems: Any, review: ReviewItem, choice: str, reason: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Possible matches").click()
    expect(page.locator("#review-tabs")).to_contain_text("Waiting (1)")
    page.locator("#review-items").get_by_role("link", name=re.compile("Review")).click()
    expect(page).to_have_url(re.compile(rf"/linkage/reviews/{review.pk}/$"))
    records = page.locator("#pair-records")
    expect(records).to_contain_text("hospital-pas")
    expect(records).to_contain_text("Amie")
    expect(records).to_contain_text("*** *** 0018")
    expect(page.locator("#pair-weights")).to_contain_text("Day and month transposed")
    expect(page.locator("main")).not_to_contain_text(HOSPITAL_ENTRY)  # never a chronology
    assert_accessible(page, "the pair page")
    page.get_by_label(choice).check()
    page.get_by_label("Why").fill(reason)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(re.compile(r"/linkage/$"))
    settled(page)
    problems.assert_clean()


def test_a_reviewer_merges_a_pair_the_audit_shows_it_and_the_chronologies_come_together(
    page: Any, problems: Any, world: Any
) -> None:
    review, amie = queued_pair(world)
    reviewer = UserFactory(username="dq", agency=world.csc, role=Role.DATA_QUALITY)

    sign_in_with_code(page, "dq", give_authenticator(reviewer))
    resolve(page, problems, review, "Same person: merge them", "Nickname, same address and mother.")
    expect(page.locator("main")).to_contain_text("the two records are now one person")
    expect(page.locator("#review-tabs")).to_contain_text("Decided (1)")
    settled(page)
    review.refresh_from_db()
    assert review.status == ReviewStatus.SAME
    assert Merge.objects.get(review=review).merged_id == amie.pk
    sign_out(page)

    # Information governance: the decision is in Amy's audit trail, with its reason.
    sign_in_with_code(page, "iris", give_authenticator(world.iris))
    page.goto(f"/audit/people/{world.amy.pk}/")
    events = page.locator("#audit-events")
    expect(events).to_contain_text("Decided a possible match")
    expect(events).to_contain_text("Nickname, same address and mother.")
    expect(events).to_contain_text("Merged two records of one person")
    sign_out(page)

    # Amy's social worker now sees the hospital's entry on Amy's page, beside her own; the old
    # record's address takes her there too.
    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    page.goto(f"/people/{amie.pk}/")
    expect(page).to_have_url(re.compile(rf"/people/{world.amy.pk}/$"))
    chronology = page.locator("#chronology-entries")
    expect(chronology).to_contain_text(CSC_ENTRY)
    expect(chronology).to_contain_text(HOSPITAL_ENTRY)
    expect(page.locator("#child-summary")).to_contain_text("Amie Archer")  # also known as
    settled(page)
    problems.assert_clean()


def test_different_people_keeps_the_two_chronologies_apart(
    page: Any, problems: Any, world: Any
) -> None:
    review, amie = queued_pair(world)
    reviewer = UserFactory(username="dq", agency=world.csc, role=Role.DATA_QUALITY)

    sign_in_with_code(page, "dq", give_authenticator(reviewer))
    resolve(
        page,
        problems,
        review,
        "Different people: never propose this pair again",
        "Different mother on the birth record.",
    )
    expect(page.locator("main")).to_contain_text("will not be proposed again")
    settled(page)
    assert NonMatch.objects.filter(review=review).exists()
    assert not Merge.objects.exists()
    amie.refresh_from_db()
    assert amie.merged_into is None
    sign_out(page)

    sign_in_with_code(page, "alice", give_authenticator(world.alice))
    page.goto(f"/people/{world.amy.pk}/")
    chronology = page.locator("#chronology-entries")
    expect(chronology).to_contain_text(CSC_ENTRY)
    expect(chronology).not_to_contain_text(HOSPITAL_ENTRY)
    settled(page)
    problems.assert_clean()
