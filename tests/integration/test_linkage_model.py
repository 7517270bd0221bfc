"""The matching model: trained unsupervised on a small UK-shaped population, it scores the
hard true matches high (nickname, transposed date of birth, surname change, no NHS number) and
different people low, round-trips through JSON, and reaches its FEBRL accuracy."""

import json
from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from hearth.linkage import evaluation
from hearth.linkage import model as linkage_model
from hearth.linkage.decisions import Outcome, decide, possible_twins
from hearth.linkage.model import DEFAULT_LOWER, DEFAULT_UPPER, score
from tests.linkage_records import population

NHS_A = "9434765919"
NHS_B = "9434765870"
NHS_INVALID = "9434765918"  # NHS_A with a wrong check digit


@pytest.fixture(scope="module")
def trained() -> dict[str, Any]:
    records, _ = population(n_people=500)
    return linkage_model.train(records)


def child(**changes: Any) -> dict[str, Any]:
    base = {
        "unique_id": 1,
        "source_system": "school",
        "given_name": "William",
        "middle_names": "James",
        "family_name": "Archer",
        "previous_family_names": [],
        "date_of_birth": date(2015, 3, 4),
        "sex": "M",
        "postcode": "RH10 1AA",
        "address": "1 Test Street",
        "nhs_number": NHS_A,
    }
    return {**base, **changes}


def probability(model: dict[str, Any], a: dict[str, Any], b: dict[str, Any]) -> float:
    (pair,) = score(model, a, [b])
    return pair.match_probability


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(child(unique_id=2, source_system="gp", given_name="Bill"), id="nickname"),
        pytest.param(
            child(unique_id=2, date_of_birth=date(2015, 4, 3), nhs_number=""),
            id="day-and-month-transposed",
        ),
        pytest.param(
            child(unique_id=2, family_name="Baker", previous_family_names=["Archer"]),
            id="surname-change-via-previous-name",
        ),
        pytest.param(child(unique_id=2, nhs_number=""), id="missing-nhs-number"),
        pytest.param(
            child(unique_id=2, given_name="Bill", family_name="Archar", nhs_number=""),
            id="nickname-and-misspelt-surname-without-nhs-number",
        ),
    ],
)
def test_the_same_child_recorded_differently_scores_high(
    trained: dict[str, Any], other: dict[str, Any]
) -> None:
    assert probability(trained, child(), other) >= DEFAULT_UPPER


def test_twins_are_not_linked_automatically(trained: dict[str, Any]) -> None:
    twin = child(unique_id=2, given_name="Harry", middle_names="", nhs_number=NHS_B)
    assert probability(trained, child(), twin) < DEFAULT_UPPER


def test_twins_without_nhs_numbers_are_not_linked_automatically(trained: dict[str, Any]) -> None:
    # Without NHS numbers the fields can score twins as one person: the twins rule holds them.
    a = child(nhs_number="")
    twin = child(unique_id=2, given_name="Harry", middle_names="", nhs_number="")
    assert possible_twins(a, twin)
    outcome = decide(
        probability(trained, a, twin), upper=DEFAULT_UPPER, lower=DEFAULT_LOWER, twins=True
    )
    assert outcome != Outcome.LINK


@pytest.mark.parametrize(
    ("a", "b", "twins"),
    [
        ("William", "Harry", True),
        ("Ellie", "Elsie", False),  # one letter: a typo is likelier than twins
        ("Sebastian", "Sbastian", False),
        ("Christopher", "Chris", False),  # a short form
        ("William", "Bill", False),  # a nickname
        ("William", "W", False),  # an initial
        ("W", "H", True),  # two different initials
        ("Layla", "Leila", False),  # said alike
        ("James", "William", False),  # goes by the middle name (William James)
    ],
)
def test_the_twins_rule_tells_different_names_from_one_name_recorded_differently(
    a: str, b: str, twins: bool
) -> None:
    left = child(given_name=a, middle_names="")
    middle = "James" if b == "William" else ""
    right = child(unique_id=2, given_name=b, middle_names=middle, nhs_number=NHS_B)
    assert possible_twins(left, right) is twins
    assert possible_twins(right, left) is twins


def test_the_same_valid_nhs_number_is_never_twins() -> None:
    assert not possible_twins(child(), child(unique_id=2, given_name="Harry", middle_names=""))


def test_different_people_score_low(trained: dict[str, Any]) -> None:
    stranger = {
        "unique_id": 3,
        "given_name": "Zara",
        "family_name": "Young",
        "date_of_birth": "2012-11-20",
        "sex": "F",
        "postcode": "BN1 1AA",
        "address": "9 Other Road",
        "nhs_number": NHS_B,
    }
    assert probability(trained, child(), stranger) < DEFAULT_LOWER


def test_a_different_valid_nhs_number_weighs_strongly_against(trained: dict[str, Any]) -> None:
    (same,) = score(trained, child(), [child(unique_id=2)])
    (different,) = score(trained, child(), [child(unique_id=2, nhs_number=NHS_B)])
    nhs = next(c for c in different.comparisons if c["name"] == "NHS number")
    assert nhs["level"] == "different"
    assert nhs["match_weight"] < -5
    assert different.match_weight < same.match_weight - 10


def test_an_invalid_nhs_number_gives_no_evidence_either_way(trained: dict[str, Any]) -> None:
    stranger = {"unique_id": 4, "given_name": "Zara", "family_name": "Young", "nhs_number": NHS_A}
    (pair,) = score(trained, child(nhs_number=NHS_INVALID), [stranger])
    nhs = next(c for c in pair.comparisons if c["name"] == "NHS number")
    assert nhs["level"] == "missing on one side"
    assert nhs["match_weight"] == 0
    assert pair.match_probability < DEFAULT_LOWER


def test_scores_explain_each_comparison_for_the_reviewer(trained: dict[str, Any]) -> None:
    other = child(unique_id=2, given_name="Bill", date_of_birth=date(2015, 4, 3))
    (pair,) = score(trained, child(), [other])
    by_name = {c["name"]: c for c in pair.comparisons}
    assert by_name["Given name"]["level"] == "nickname variant"
    assert by_name["Given name"]["left"] == "William James"
    assert by_name["Given name"]["right"] == "Bill James"
    assert by_name["Date of birth"] == {
        "name": "Date of birth",
        "level": "day and month transposed",
        "left": "2015-03-04",
        "right": "2015-04-03",
        "match_weight": by_name["Date of birth"]["match_weight"],
    }
    assert by_name["Date of birth"]["match_weight"] > 0
    total = sum(c["match_weight"] for c in pair.comparisons)
    prior = pair.match_weight - total
    assert prior < 0  # the rest is the prior: two random records rarely match
    assert (pair.left_id, pair.right_id) == (1, 2)


def test_score_ranks_candidates_best_first(trained: dict[str, Any]) -> None:
    candidates = [
        child(unique_id=5, given_name="Zara", family_name="Young", nhs_number=NHS_B),
        child(unique_id=6, nhs_number=""),
    ]
    pairs = score(trained, child(), candidates)
    assert [p.right_id for p in pairs] == [6, 5]
    assert score(trained, child(), []) == []


def test_a_model_round_trips_through_json_and_scores_the_same(trained: dict[str, Any]) -> None:
    reloaded = json.loads(json.dumps(trained))
    reloaded["fingerprint"] = "reloaded-copy"  # a fresh scorer, compiled from the JSON alone
    other = child(unique_id=2, given_name="Bill", nhs_number="")
    assert score(reloaded, child(), [other]) == score(trained, child(), [other])


def test_batch_predict_finds_the_populations_duplicates(trained: dict[str, Any]) -> None:
    records, truth = population(n_people=500)
    pairs = linkage_model.predict(trained, records, threshold_probability=DEFAULT_UPPER)
    assert pairs.column_names == ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    found = zip(
        pairs.column("unique_id_l").to_pylist(),
        pairs.column("unique_id_r").to_pylist(),
        strict=True,
    )
    metrics = evaluation.pair_metrics(found, truth)
    assert metrics["precision"] >= 0.99
    assert metrics["recall"] >= 0.95


def test_predict_agrees_with_score_on_a_pair(trained: dict[str, Any]) -> None:
    a, b = child(), child(unique_id=2, given_name="Bill", nhs_number="")
    table = linkage_model.standardise_table([a, b])
    assert isinstance(table, pa.Table)
    batch = linkage_model.predict(
        {**trained, "term_frequencies": trained["term_frequencies"]}, table, threshold_probability=0
    )
    assert batch.num_rows == 1
    # Term frequencies differ (the batch derives them from its own two records), so compare
    # the decision, not the number.
    assert (batch.column("match_probability")[0].as_py() >= DEFAULT_UPPER) == (
        probability(trained, a, b) >= DEFAULT_UPPER
    )


def test_count_comparisons_reports_each_blocking_rule() -> None:
    records, _ = population(n_people=200)
    counts = linkage_model.count_comparisons(records)
    assert set(counts) == {
        "nhs_number",
        "dob_given_sound",
        "dob_family_sound",
        "names_sound",
        "postcode_birth_year",
        "dob_postcode",
        "household",
        "names_swapped",
    }
    n = len(records)
    assert 0 < sum(counts.values()) < n * (n - 1) / 2 / 20  # blocking keeps it a small fraction


def test_pair_metrics() -> None:
    m = evaluation.pair_metrics([(1, 2), (3, 4), (5, 6)], [(2, 1), (3, 4), (7, 8)])
    assert (m["true_positives"], m["false_positives"], m["false_negatives"]) == (2, 1, 1)
    assert m["precision"] == m["recall"] == m["f1"] == 0.6667


@pytest.mark.parametrize("dataset", ["febrl3", "febrl4"])
def test_febrl_accuracy_at_small_scale(dataset: str) -> None:
    result = evaluation.evaluate(dataset, entities=1000)
    assert result["auto_links_and_review"]["f1"] >= 0.98
    assert result["auto_links"]["precision"] >= 0.99
