"""Who is who, end to end: records arriving into the index with a trained model, and the batch run.

The model is trained once on the seeded test population (tests/linkage_records.py); each test
stores it as the active LinkageModel and sends records through `receive` or `hearth link run`.
"""

import datetime
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearth.audit.models import AuditAction, AuditEvent
from hearth.linkage import model as splink_model
from hearth.linkage.actions import decide
from hearth.linkage.index import Incoming, receive
from hearth.linkage.models import (
    LinkageModel,
    LinkEvent,
    LinkMethod,
    Merge,
    ReviewItem,
    ReviewStatus,
    SourceRecord,
)
from hearth.people.models import Person
from tests.factories.accounts import UserFactory
from tests.linkage_records import population

NHS_A = "9434765919"
NHS_A_MISTYPED = "9434765918"  # the check digit fails
NHS_B = "9434765927"  # valid: another child's number
D = datetime.date


@pytest.fixture(scope="module")
def trained() -> dict[str, Any]:
    records, _ = population(n_people=500)
    return splink_model.train(records)


@pytest.fixture
def active(db: Any, trained: dict[str, Any]) -> LinkageModel:
    return LinkageModel.objects.create(
        version=1,
        splink_settings=trained,
        upper_threshold=splink_model.DEFAULT_UPPER,
        lower_threshold=splink_model.DEFAULT_LOWER,
        trained_at=timezone.now(),
        trained_by="test",
        active=True,
    )


def record(system: str, ref: str, **kw: Any) -> Incoming:
    values: dict[str, Any] = {
        "source_system": system,
        "source_reference": ref,
        "channel": "import",
        "given_name": "William",
        "middle_names": "James",
        "family_name": "Archer",
        "date_of_birth": D(2015, 3, 4),
        "sex": "M",
        "postcode": "RH10 1AA",
        "address": "1 Test Street",
    }
    values.update(kw)
    return Incoming(**values)


@pytest.fixture
def william(active: LinkageModel) -> Person:
    """Children's social care's record of William, with his NHS number."""
    return receive(record("mosaic", "M-1", nhs_number=NHS_A), by=None).person


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"given_name": "Bill"}, id="nickname"),
        pytest.param({"date_of_birth": D(2015, 4, 3)}, id="day-and-month-transposed"),
        pytest.param(
            {"family_name": "Baker", "previous_family_names": ["Archer"]}, id="surname-change"
        ),
        pytest.param({"nhs_number": ""}, id="missing-nhs-number"),
    ],
)
def test_the_same_child_recorded_differently_is_linked_by_the_model(
    william: Person, active: LinkageModel, changes: dict[str, Any]
) -> None:
    got = receive(record("school-mis", "S-1", **changes), by=None)
    assert (got.outcome, got.person) == ("linked", william)
    event = LinkEvent.objects.get(record=got.record)
    assert event.method == LinkMethod.MODEL
    assert event.model == active
    assert event.match_probability is not None
    assert event.match_probability >= active.upper_threshold


def test_an_invalid_nhs_number_never_links_and_is_no_evidence(william: Person) -> None:
    stranger = receive(
        record(
            "police-niche",
            "P-9",
            given_name="Zara",
            middle_names="",
            family_name="Young",
            date_of_birth=D(2011, 11, 20),
            sex="F",
            postcode="BN1 1AA",
            address="9 Other Road",
            nhs_number=NHS_A_MISTYPED,
        ),
        by=None,
    )
    assert stranger.outcome == "new"
    assert stranger.person != william
    assert stranger.person.nhs_number == ""


def test_twins_are_never_linked_automatically(william: Person) -> None:
    harry = receive(record("school-mis", "S-2", given_name="Harry", middle_names=""), by=None)
    assert harry.person != william
    assert harry.outcome in {"review", "new"}
    if harry.review is not None:
        assert "twins" in harry.review.why_review.lower()


def test_a_record_with_another_valid_nhs_number_is_never_linked_automatically(
    william: Person,
) -> None:
    # Every other field is William's: a twin, or William with his number mistyped into a
    # valid one. Only a person can say which.
    got = receive(record("gp", "G-7", nhs_number=NHS_B), by=None)
    assert got.person != william
    assert got.outcome == "review"
    assert got.review is not None
    assert "different NHS numbers" in got.review.why_review
    assert got.review.match_probability >= splink_model.DEFAULT_UPPER


def test_the_batch_run_keeps_two_nhs_numbers_apart_and_asks_a_reviewer(
    active: LinkageModel,
) -> None:
    """Three people before matching: William's two records with two numbers, and a school
    record with none that scores as both. One link stands; the other is held for review."""
    first = receive(record("mosaic", "M-1", nhs_number=NHS_A), by=None, use_model=False).person
    second = receive(record("gp", "G-1", nhs_number=NHS_B), by=None, use_model=False).person
    school = receive(record("school-mis", "S-1"), by=None, use_model=False).person
    out = StringIO()
    call_command("link", "run", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["people_merged"] == 1
    assert figures["reviews_queued"] == 1
    merge = Merge.objects.get()
    assert school in {merge.survivor, merge.merged}
    # The two numbers are never one person's.
    holders = {r.person_id for r in SourceRecord.objects.exclude(nhs_number="")}
    assert len(holders) == 2
    item = ReviewItem.objects.get(status=ReviewStatus.OPEN)
    assert "different NHS numbers" in item.why_review
    assert {item.record.person_id, item.candidate.person_id} <= {
        first.pk,
        second.pk,
        school.pk,
        merge.survivor.pk,
    }


def test_a_stranger_is_a_new_person_with_nothing_queued(william: Person) -> None:
    got = receive(
        record(
            "gp",
            "G-1",
            given_name="Zara",
            middle_names="",
            family_name="Young",
            date_of_birth=D(2012, 11, 20),
            sex="F",
            postcode="BN1 1AA",
            address="9 Other Road",
        ),
        by=None,
    )
    assert got.outcome == "new"
    assert not ReviewItem.objects.exists()


def _two_people_for_one_child(active: LinkageModel) -> tuple[Person, Person]:
    """William as two people: recorded before the model, as an import without matching would."""
    a = receive(record("mosaic", "M-1"), by=None, use_model=False).person
    b = receive(record("school-mis", "S-1", given_name="Bill"), by=None, use_model=False).person
    assert a != b
    return a, b


def test_the_batch_run_merges_one_child_recorded_as_two_people(active: LinkageModel) -> None:
    a, b = _two_people_for_one_child(active)
    out = StringIO()
    call_command("link", "run", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["people_merged"] == 1
    merge = Merge.objects.get()
    assert {merge.survivor, merge.merged} == {a, b}
    assert merge.by is None  # the model's decision, made by the system
    assert set(SourceRecord.objects.values_list("person", flat=True)) == {merge.survivor.pk}
    assert AuditEvent.objects.filter(action=AuditAction.LINK_RUN).exists()
    # Run again: nothing left to do.
    out = StringIO()
    call_command("link", "run", "--json", stdout=out)
    assert json.loads(out.getvalue())["people_merged"] == 0


def test_a_dry_run_writes_nothing(active: LinkageModel) -> None:
    _two_people_for_one_child(active)
    out = StringIO()
    call_command("link", "run", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["people_merged"] == 1
    assert not Merge.objects.exists()


def test_different_people_decided_by_a_reviewer_are_never_proposed_again(
    active: LinkageModel,
) -> None:
    oliver = receive(record("mosaic", "M-1", given_name="Oliver", middle_names=""), by=None)
    harry = receive(record("school-mis", "S-2", given_name="Harry", middle_names=""), by=None)
    review = harry.review or ReviewItem.objects.create(
        record=harry.record,
        candidate=oliver.record,
        match_weight=0.0,
        match_probability=0.6,
        created_at=timezone.now(),
    )
    reviewer = UserFactory(role="data_quality")
    decide(
        review=review, decision=ReviewStatus.DIFFERENT, by=reviewer, reason="Twins: two children"
    )
    call_command("link", "run", "--json", stdout=StringIO())
    assert not ReviewItem.objects.filter(status=ReviewStatus.OPEN).exists()
    assert not Merge.objects.exists()


def test_the_batch_run_needs_a_trained_model(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="link train"):
        call_command("link", "run")
