"""Automatic links that would give one person two NHS numbers are held back (twins whose
records agree on every other field are told apart by their numbers)."""

import numpy as np

from hearth.linkage.conflicts import held_links, numbers_conflict


def test_numbers_conflict_only_when_both_sides_hold_numbers_and_share_none() -> None:
    assert numbers_conflict({"9434765919"}, {"9434765927"})
    assert not numbers_conflict({"9434765919"}, {"9434765919", "9434765927"})
    assert not numbers_conflict(set(), {"9434765927"})
    assert not numbers_conflict({"9434765919"}, ())


def test_a_record_matching_both_twins_joins_the_closer_one_only() -> None:
    # 1 and 2 are twins with their own numbers; 3 carries none and scores against both.
    numbers = {1: {"9434765919"}, 2: {"9434765927"}}
    held = held_links([1, 2], [3, 3], [0.9990, 0.9995], numbers)
    assert held.tolist() == [True, False]  # 3 joins 2 (the better link); 1 stays apart


def test_the_conflict_is_seen_through_records_that_hold_no_number() -> None:
    # 1 - 3 - 4 - 2: only the ends hold numbers, so the last link applied is held.
    numbers = {1: {"9434765919"}, 2: {"9434765927"}}
    held = held_links([1, 3, 4], [3, 4, 2], [0.999, 0.998, 0.997], numbers)
    assert held.tolist() == [False, False, True]


def test_links_without_conflicting_numbers_all_stand() -> None:
    numbers = {1: {"9434765919"}, 3: {"9434765919"}}
    held = held_links([1, 2, 3], [2, 3, 4], [0.999, 0.995, 0.993], numbers)
    assert not held.any()


def test_the_result_does_not_depend_on_the_order_the_pairs_come_in() -> None:
    numbers = {"a": {"9434765919"}, "b": {"9434765927"}, "e": {"9434765935"}}
    left, right = ["a", "b", "c", "e", "d"], ["c", "c", "d", "d", "b"]
    prob = [0.999, 0.999, 0.998, 0.997, 0.996]
    first = held_links(left, right, prob, numbers)
    order = np.random.default_rng(1).permutation(len(left))
    shuffled = held_links(
        [left[i] for i in order], [right[i] for i in order], [prob[i] for i in order], numbers
    )
    assert shuffled.tolist() == first[order].tolist()
    assert first.sum() >= 2  # a, b and e hold three numbers: at most one joins c and d
