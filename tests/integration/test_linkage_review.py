"""Clerical review: a data-quality officer decides whether two records are one person.

Same person merges them; different people is remembered so the pair never comes back; not sure
waits for a second reviewer. A reason is always required, every decision and every look at a
pair is audited against both people, and nobody but a data-quality officer gets in."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from hearth.accounts.models import Role
from hearth.audit.models import AuditAction, AuditEvent
from hearth.linkage.actions import decide, is_remembered_non_match, remembered_non_matches
from hearth.linkage.models import LinkageModel, Merge, NonMatch, ReviewItem, ReviewStatus
from hearth.people.models import Person
from tests.conftest import page_text, sign_in
from tests.factories.accounts import UserFactory
from tests.factories.chronology import make_entry
from tests.factories.linkage import make_record, make_review
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(world: Any) -> Any:
    return UserFactory(username="dq", first_name="Dee", agency=world.csc, role=Role.DATA_QUALITY)


@pytest.fixture
def second_reviewer(world: Any) -> Any:
    return UserFactory(username="dq2", agency=world.csc, role=Role.DATA_QUALITY)


@pytest.fixture
def pair(world: Any) -> ReviewItem:
    """A hospital record of "Amie Archer" (a provisional person of its own) against Amy's."""
    amie = PersonFactory(
        given_name="Amie", family_name="Archer", date_of_birth=datetime.date(2016, 4, 4)
    )
    incoming = make_record(
        amie,
        source_system="hospital-pas",
        source_reference="H778812",
        date_of_birth=datetime.date(2016, 4, 4),
        nhs_number="9990000018",
        previous_family_names=["Smith"],
    )
    candidate = make_record(world.amy, source_system="csc-mosaic", source_reference="C100")
    model = LinkageModel.objects.create(
        version=3,
        splink_settings={},
        upper_threshold=0.99,
        lower_threshold=0.2,
        trained_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        trained_by="lead",
        active=True,
    )
    return make_review(incoming, candidate, model=model)


def test_same_person_merges_the_provisional_person_into_the_known_child(world, reviewer, pair):
    amie = pair.record.person
    review = decide(review=pair, decision="same", by=reviewer, reason="Nickname; same address.")
    assert review.status == ReviewStatus.SAME
    assert (review.decided_by, review.reason) == (reviewer, "Nickname; same address.")
    merge = Merge.objects.get(review=review)
    assert (merge.survivor, merge.merged) == (world.amy, amie)
    pair.record.refresh_from_db()
    assert pair.record.person == world.amy
    decided = AuditEvent.objects.filter(action=AuditAction.DECIDE_MATCH)
    assert {e.person_id for e in decided} == {world.amy.pk, amie.pk}
    assert all(e.details["decision"] == "same" for e in decided)
    assert all(e.details["merge"] == merge.pk for e in decided)
    assert all(e.reason == "Nickname; same address." for e in decided)


def test_different_people_is_remembered_and_the_two_stay_apart(world, reviewer, pair):
    amie = pair.record.person
    decide(review=pair, decision="different", by=reviewer, reason="Different mothers.")
    assert is_remembered_non_match(pair.record, pair.candidate)
    assert is_remembered_non_match(pair.candidate.pk, pair.record.pk)  # either way round
    assert not is_remembered_non_match(pair.record, make_record(world.ben))
    low, high = sorted((pair.record.pk, pair.candidate.pk))
    assert remembered_non_matches() == {(low, high)}
    assert remembered_non_matches([pair.candidate.pk]) == {(low, high)}
    assert remembered_non_matches([make_record(world.zara).pk]) == set()
    non_match = NonMatch.objects.get()
    assert (non_match.review, non_match.by, non_match.reason) == (
        pair,
        reviewer,
        "Different mothers.",
    )
    assert not Merge.objects.exists()
    amie.refresh_from_db()
    assert amie.merged_into is None
    pair.record.refresh_from_db()
    assert pair.record.person == amie
    assert AuditEvent.objects.filter(
        action=AuditAction.DECIDE_MATCH, details__decision="different"
    ).count() == len({world.amy.pk, amie.pk})


def test_not_sure_waits_for_a_second_reviewer_who_can_then_decide(
    world, reviewer, second_reviewer, pair
):
    decide(review=pair, decision="not_sure", by=reviewer, reason="Sex differs; ask health.")
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.NOT_SURE
    assert not Merge.objects.exists() and not NonMatch.objects.exists()
    with pytest.raises(ValidationError):  # not sure twice says nothing new
        decide(review=pair, decision="not_sure", by=second_reviewer, reason="Still unsure.")
    decide(review=pair, decision="same", by=second_reviewer, reason="Health confirm: same girl.")
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (ReviewStatus.SAME, second_reviewer)


@pytest.mark.parametrize("decision", ["same", "different", "not_sure"])
def test_every_decision_needs_a_reason(reviewer, pair, decision):
    with pytest.raises(ValidationError):
        decide(review=pair, decision=decision, by=reviewer, reason="   ")
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(action=AuditAction.DECIDE_MATCH).exists()


def test_a_decided_pair_cannot_be_decided_again(reviewer, pair):
    decide(review=pair, decision="different", by=reviewer, reason="Different mothers.")
    with pytest.raises(ValidationError):
        decide(review=pair, decision="same", by=reviewer, reason="Changed my mind.")
    assert not Merge.objects.exists()


def test_only_a_data_quality_officer_may_decide(world, pair):
    with pytest.raises(PermissionDenied):
        decide(review=pair, decision="same", by=world.alice, reason="Looks like Amy.")
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.OPEN


def test_siblings_are_never_merged_even_when_a_reviewer_says_same(world, reviewer):
    review = make_review(make_record(world.ben), make_record(world.amy))
    with pytest.raises(ValidationError, match="related"):
        decide(review=review, decision="same", by=reviewer, reason="Same surname and address.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert Person.objects.get(pk=world.ben.pk).merged_into is None


def test_other_reviews_between_the_same_two_people_are_withdrawn_by_a_merge(world, reviewer, pair):
    # A second record of Amy's, and a school record of Amie's, both waiting against each other.
    other = make_review(
        make_record(pair.record.person, source_system="school-mis"),
        make_record(world.amy, source_system="gp"),
    )
    unsure = make_review(pair.record, make_record(world.amy, source_system="police"))
    unsure.status = ReviewStatus.NOT_SURE
    unsure.save()
    unrelated = make_review(make_record(world.zara), make_record(world.amy, source_system="hv"))
    decide(review=pair, decision="same", by=reviewer, reason="Same child.")
    for review in (other, unsure, unrelated):
        review.refresh_from_db()
    assert other.status == ReviewStatus.WITHDRAWN
    assert unsure.status == ReviewStatus.WITHDRAWN
    assert unrelated.status == ReviewStatus.OPEN
    merge = Merge.objects.get()
    assert (
        merge.snapshot
        and AuditEvent.objects.filter(
            action=AuditAction.MERGE_PEOPLE,
            details__withdrawn_reviews=sorted([other.pk, unsure.pk]),
        ).exists()
    )


def test_different_is_refused_when_the_records_are_already_one_person(world, reviewer, pair):
    other = make_review(pair.record, make_record(world.amy, source_system="police"))
    decide(review=pair, decision="same", by=reviewer, reason="Same child.")
    other.refresh_from_db()
    assert other.status == ReviewStatus.WITHDRAWN
    fresh = make_review(pair.record, make_record(world.amy, source_system="gp"))
    with pytest.raises(ValidationError, match="undo that merge first"):
        decide(review=fresh, decision="different", by=reviewer, reason="Not her.")


# --- The pages --------------------------------------------------------------------------------


def test_a_practitioner_is_refused_the_queue_and_the_pair(world, pair):
    client = sign_in(Client(), world.alice)
    for url in ("/linkage/", f"/linkage/reviews/{pair.pk}/", "/linkage/merges/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Amie" not in page_text(response)
    response = client.post(
        f"/linkage/reviews/{pair.pk}/", {"decision": "same", "reason": "Looks like her."}
    )
    assert response.status_code == 403
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.OPEN


def test_the_queue_has_open_not_sure_and_decided_tabs_with_counts(world, reviewer, pair):
    old = make_review(
        make_record(world.zara),
        make_record(PersonFactory(given_name="Sara", family_name="Young")),
        match_probability=0.3,
        created_at=pair.created_at - datetime.timedelta(days=3),
    )
    unsure = make_review(make_record(world.ben), make_record(world.mandy))
    unsure.status = ReviewStatus.NOT_SURE
    unsure.save()
    client = sign_in(Client(), reviewer)
    body = page_text(client.get("/linkage/"))
    assert "Waiting (2)" in body and "Not sure (1)" in body and "Decided (0)" in body
    assert body.index("Zara Young") < body.index("Amie Archer")  # oldest first
    by_score = page_text(client.get("/linkage/?order=score"))
    assert by_score.index("Amie Archer") < by_score.index("Zara Young")
    not_sure = page_text(client.get("/linkage/?tab=not_sure"))
    assert "Ben Archer" in not_sure and "Amie Archer" not in not_sure
    decide(review=old, decision="different", by=reviewer, reason="Different dates of birth.")
    decided = page_text(client.get("/linkage/?tab=decided"))
    assert "Zara Young" in decided and "Different people" in decided
    listed = AuditEvent.objects.filter(
        action=AuditAction.VIEW_LIST, actor_username="dq", details__list="linkage_review_open"
    )
    assert all(world.amy.pk in e.details["person_ids"] for e in listed) and listed.exists()


def test_the_reviewers_home_page_counts_the_pairs_waiting(reviewer, pair):
    body = page_text(sign_in(Client(), reviewer).get("/"))
    assert "1 possible match waiting for a decision" in body
    assert "aggregate figures" not in body


def test_the_queue_is_paginated(world, reviewer):
    for n in range(27):
        make_review(
            make_record(PersonFactory(given_name=f"Kid{n}")),
            make_record(world.amy, source_system=f"s{n}"),
        )
    client = sign_in(Client(), reviewer)
    first = page_text(client.get("/linkage/"))
    assert "Page 1 of 2" in first
    second = page_text(client.get("/linkage/?tab=open&order=oldest&page=2"))
    assert second.count('href="/linkage/reviews/') == 2


def test_the_pair_page_shows_the_two_records_side_by_side_and_each_weight(world, reviewer, pair):
    entry = make_entry(by=world.alice, subjects=[world.amy], description="Amy hungry at school.")
    response = sign_in(Client(), reviewer).get(f"/linkage/reviews/{pair.pk}/")
    assert response.status_code == 200
    body = page_text(response)
    for shown in (
        "hospital-pas",
        "H778812",
        "csc-mosaic",
        "C100",
        "Amie",
        "Amy",
        "Smith",  # a previous family name
        "4 Apr 2016",
        "*** *** 0018",  # the NHS number, partly masked
        "Day and month transposed",
        "+7.1",
        "-2.5",
        "linkage model v3",
        "62.0%",
    ):
        assert shown in body, shown
    assert "9990000018" not in body and "999 000 0018" not in body
    assert entry.description not in body  # identifying fields only, never a chronology
    assert "<svg" in body
    viewed = AuditEvent.objects.filter(action=AuditAction.VIEW_MATCH)
    assert {e.person_id for e in viewed} == {world.amy.pk, pair.record.person_id}
    assert all(e.object_id == str(pair.pk) for e in viewed)


def test_a_reviewer_decides_in_the_browser_and_a_missing_reason_is_an_error(world, reviewer, pair):
    client = sign_in(Client(), reviewer)
    response = client.post(f"/linkage/reviews/{pair.pk}/", {"decision": "same", "reason": ""})
    assert response.status_code == 200
    assert "Say why you decided this." in page_text(response)
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.OPEN
    response = client.post(
        f"/linkage/reviews/{pair.pk}/", {"decision": "same", "reason": "Same child."}
    )
    assert response.status_code == 302 and response["Location"] == "/linkage/"
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.SAME
    page = page_text(client.get(f"/linkage/reviews/{pair.pk}/"))
    assert "Same child." in page and 'id="decision"' not in page


def test_a_refused_merge_is_shown_on_the_pair_page(world, reviewer):
    review = make_review(make_record(world.ben), make_record(world.amy))
    response = sign_in(Client(), reviewer).post(
        f"/linkage/reviews/{review.pk}/", {"decision": "same", "reason": "Same surname."}
    )
    assert response.status_code == 200
    assert "recorded as related" in page_text(response)


def test_the_merges_list_offers_undo_with_a_reason(world, reviewer, pair):
    decide(review=pair, decision="same", by=reviewer, reason="Same child.")
    merge = Merge.objects.get()
    client = sign_in(Client(), reviewer)
    listing = page_text(client.get("/linkage/merges/"))
    assert "Undo this merge" in listing and "Amie Archer" in listing
    page = client.get(f"/linkage/merges/{merge.pk}/")
    assert "linkage.SourceRecord.person: 1" in page_text(page)
    response = client.post(f"/linkage/merges/{merge.pk}/", {"reason": ""})
    assert "Say why the merge is being undone." in page_text(response)
    merge.refresh_from_db()
    assert merge.undone_at is None
    response = client.post(f"/linkage/merges/{merge.pk}/", {"reason": "Two girls after all."})
    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.undo_reason == "Two girls after all."
    pair.record.refresh_from_db()
    assert pair.record.person_id == merge.merged_id
    assert "Undone" in page_text(client.get("/linkage/merges/"))
