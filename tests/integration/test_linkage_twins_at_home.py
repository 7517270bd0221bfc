"""Twins at one home: trained (unsupervised) on a population with households, the model
learns how often two different people at one home share a birthday, so twins (every field
alike but a clearly different given name) score as two people, not as one person's records;
one child's records that differ by a nickname still link."""

from typing import Any

import pytest

from hearth.linkage import model as linkage_model
from hearth.linkage import synthetic
from hearth.linkage.decisions import Outcome, decide, possible_twins
from hearth.linkage.model import DEFAULT_LOWER, DEFAULT_UPPER, TWINS_AT_HOME, score


@pytest.fixture(scope="module")
def trained() -> dict[str, Any]:
    return linkage_model.train(synthetic.generate(5000, seed=3).drop_columns(["cluster"]))


def child(**changes: Any) -> dict[str, Any]:
    base = {
        "unique_id": 1,
        "given_name": "William",
        "family_name": "Archer",
        "date_of_birth": "2015-03-04",
        "sex": "M",
        "postcode": "RH10 1AA",
        "address": "1 Test Street, Crawley",
    }
    return {**base, **changes}


def test_a_shared_birthday_at_one_home_is_measured_from_the_records(
    trained: dict[str, Any],
) -> None:
    twins = trained["training"]["twins_at_home"]
    assert twins["conditioned"]
    # Different people at one home share a birthday far more often than two random people.
    assert 0.001 < twins["same_birthday_share"] < 0.2


def _given(trained: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    (pair,) = score(trained, child(), [other])
    return next(c for c in pair.comparisons if c["name"] == "Given name")


def test_twins_at_one_home_are_two_people(trained: dict[str, Any]) -> None:
    twin = child(unique_id=2, given_name="Harry")
    given = _given(trained, twin)
    assert given["level"] == TWINS_AT_HOME
    # Elsewhere a different given name keeps its ordinary weight; at one home on one birthday
    # it also takes back what the shared birthday wrongly added (twins share it).
    moved = child(unique_id=2, given_name="Harry", postcode="BN1 1AA", address="9 Other Road")
    different = _given(trained, moved)
    assert different["level"] == "different"
    assert given["match_weight"] < different["match_weight"] - 2
    # The twins rule still forbids an automatic link whatever the weights say.
    assert possible_twins(child(), twin)
    (pair,) = score(trained, child(), [twin])
    outcome = decide(pair.match_probability, upper=DEFAULT_UPPER, lower=DEFAULT_LOWER, twins=True)
    assert outcome != Outcome.LINK


def test_the_same_child_with_a_nickname_at_home_still_links(trained: dict[str, Any]) -> None:
    (pair,) = score(trained, child(), [child(unique_id=2, given_name="Bill")])
    assert pair.match_probability >= DEFAULT_UPPER


def test_twins_given_each_others_names_as_middle_names_are_not_one_person(
    trained: dict[str, Any],
) -> None:
    # "Isla Evie" and "Evie Amelia": each middle name contradicts the swap.
    a = child(given_name="Isla", middle_names="Evie", sex="F")
    b = child(unique_id=2, given_name="Evie", middle_names="Amelia", sex="F")
    (pair,) = score(trained, a, [b])
    given = next(c for c in pair.comparisons if c["name"] == "Given name")
    assert given["level"] == TWINS_AT_HOME
    # One person who goes by her middle name: the other record has none to contradict it.
    (same,) = score(trained, a, [child(unique_id=2, given_name="Evie", sex="F")])
    level = next(c for c in same.comparisons if c["name"] == "Given name")["level"]
    assert level == "swapped with a middle name"


def test_two_different_initials_are_not_one_letter_apart(trained: dict[str, Any]) -> None:
    (pair,) = score(trained, child(given_name="E"), [child(unique_id=2, given_name="G")])
    given = next(c for c in pair.comparisons if c["name"] == "Given name")
    assert given["level"] == TWINS_AT_HOME
