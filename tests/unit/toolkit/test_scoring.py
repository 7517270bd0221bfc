"""Scoring of the neglect toolkit's tools, checked against cases worked out by hand.

The SDQ expectations are computed in the comments from Youthinmind's published rules (reverse
scoring, prorating from 3 of 5 items with halves rounded up, the 4–17 four-band tables), and the
tables themselves are written out here from the published source rather than read back from
sdq.json, so a typo in the definition cannot hide behind the same typo in the test.
"""

import json
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import hearth.toolkit
from hearth.toolkit.scoring import (
    BAND_LABELS,
    STAGES,
    care_dipping,
    dips,
    score,
    scoring_problems,
)

TOOLKIT = Path(hearth.toolkit.__file__).parent
SDQ: dict[str, Any] = json.loads((TOOLKIT / "definitions" / "sdq.json").read_text())

# Youthinmind, "Scoring the SDQ": item numbers of each scale, and the reverse-scored items.
SCALES = {
    "emotional": [3, 8, 13, 16, 24],
    "conduct": [5, 7, 12, 18, 22],
    "hyperactivity": [2, 10, 15, 21, 25],
    "peer": [6, 11, 14, 19, 23],
    "prosocial": [1, 4, 9, 17, 20],
}
REVERSE = {7, 11, 14, 21, 25}

R = ("close_to_average", "slightly_raised", "high", "very_high")
L = ("close_to_average", "slightly_lowered", "low", "very_low")


def _bands(*ranges: tuple[int, int], order: tuple[str, ...] = R) -> dict[str, list[int]]:
    return {band: list(r) for band, r in zip(order, ranges, strict=True)}


PUBLISHED_BANDS = {
    "parent": {
        "total_difficulties": _bands((0, 13), (14, 16), (17, 19), (20, 40)),
        "emotional": _bands((0, 3), (4, 4), (5, 6), (7, 10)),
        "conduct": _bands((0, 2), (3, 3), (4, 5), (6, 10)),
        "hyperactivity": _bands((0, 5), (6, 7), (8, 8), (9, 10)),
        "peer": _bands((0, 2), (3, 3), (4, 4), (5, 10)),
        "prosocial": _bands((8, 10), (7, 7), (6, 6), (0, 5), order=L),
        "impact": _bands((0, 0), (1, 1), (2, 2), (3, 10)),
    },
    "teacher": {
        "total_difficulties": _bands((0, 11), (12, 15), (16, 18), (19, 40)),
        "emotional": _bands((0, 3), (4, 4), (5, 5), (6, 10)),
        "conduct": _bands((0, 2), (3, 3), (4, 4), (5, 10)),
        "hyperactivity": _bands((0, 5), (6, 7), (8, 8), (9, 10)),
        "peer": _bands((0, 2), (3, 4), (5, 5), (6, 10)),
        "prosocial": _bands((6, 10), (5, 5), (4, 4), (0, 3), order=L),
        "impact": _bands((0, 0), (1, 1), (2, 2), (3, 6)),
    },
    "self": {
        "total_difficulties": _bands((0, 14), (15, 17), (18, 19), (20, 40)),
        "emotional": _bands((0, 4), (5, 5), (6, 6), (7, 10)),
        "conduct": _bands((0, 2), (3, 3), (4, 4), (5, 10)),
        "hyperactivity": _bands((0, 5), (6, 6), (7, 7), (8, 10)),
        "peer": _bands((0, 2), (3, 3), (4, 4), (5, 10)),
        "prosocial": _bands((7, 10), (6, 6), (5, 5), (0, 4), order=L),
        "impact": _bands((0, 0), (1, 1), (2, 2), (3, 10)),
    },
}


def sdq(
    informant: str | None = "parent",
    items: Mapping[int, int | str | None] | None = None,
    impact: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Score an SDQ response: `items` maps item number to the response as ticked."""
    answers: dict[str, Any] = {
        "about": {"informant": informant, "completed_on": "2025-05-01"},
        "items": {f"item_{n}": None if v is None else str(v) for n, v in (items or {}).items()},
    }
    if impact is not None:
        answers["impact"] = dict(impact)
    return score(SDQ, answers)


def responses_for(**wanted: int) -> dict[int, int]:
    """Responses (as ticked) giving each scale the wanted score; unnamed scales score 0.

    Each item contributes up to 2, in item order; a reverse-scored item contributing c is
    ticked 2 - c.
    """
    out: dict[int, int] = {}
    for scale, numbers in SCALES.items():
        left = wanted.get(scale, 0)
        for n in numbers:
            contribution = min(2, left)
            left -= contribution
            out[n] = 2 - contribution if n in REVERSE else contribution
        assert left == 0, f"{scale} cannot reach {wanted[scale]}"
    return out


def responses_for_total(total: int) -> dict[int, int]:
    """Fill emotional, conduct, hyperactivity and peer up to 10 each, in that order."""
    wanted = {}
    for scale in ("emotional", "conduct", "hyperactivity", "peer"):
        wanted[scale] = min(10, total)
        total -= wanted[scale]
    return responses_for(**wanted)


# --- the SDQ definition ---------------------------------------------------------------------


def test_sdq_definition_is_valid_against_the_schema() -> None:
    schema = json.loads((TOOLKIT / "definition.schema.json").read_text())
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(SDQ)]
    assert errors == []
    assert (SDQ["code"], SDQ["version"], SDQ["mandatory"], SDQ["covers_siblings"]) == (
        "sdq",
        1,
        False,
        False,
    )
    assert SDQ["name"] == "Strengths and Difficulties Questionnaire: scoring"
    assert scoring_problems(SDQ) == []


def test_sdq_definition_reproduces_no_item_wording() -> None:
    """Items are entered by number only: the questionnaire's wording is copyright."""
    items = next(s for s in SDQ["sections"] if s["id"] == "items")
    assert [q["id"] for q in items["questions"]] == [f"item_{n}" for n in range(1, 26)]
    assert [q["label"] for q in items["questions"]] == [f"Item {n}" for n in range(1, 26)]
    for q in items["questions"]:
        assert q["type"] == "choice"
        assert q["options"] == [
            {"value": "0", "label": "0 – Not true"},
            {"value": "1", "label": "1 – Somewhat true"},
            {"value": "2", "label": "2 – Certainly true"},
        ]
        assert q["hint"] == (
            "Enter the response exactly as ticked on the form; reverse-scored items are "
            "handled automatically"
        )


def test_sdq_parameters_are_the_published_ones() -> None:
    params = SDQ["scoring"]
    assert {k: v["items"] for k, v in params["scales"].items()} == SCALES
    assert set(params["reverse_scored"]) == REVERSE
    assert params["min_answered"] == 3
    assert params["total_difficulties"] == ["emotional", "conduct", "hyperactivity", "peer"]
    bands = dict(params["bands"])
    assert bands.pop("source").startswith("Youthinmind, Scoring the SDQ (sdqinfo.org)")
    assert bands == PUBLISHED_BANDS
    assert params["impact"]["item_scores"] == {
        "not_at_all": 0,
        "only_a_little": 0,
        "quite_a_lot": 1,
        "a_great_deal": 2,
    }
    assert params["impact"]["items"]["teacher"] == ["distress", "friendships", "classroom_learning"]


def test_a_gap_in_a_revised_band_table_is_reported() -> None:
    revised = json.loads(json.dumps(SDQ))
    revised["scoring"]["bands"]["parent"]["total_difficulties"]["slightly_raised"] = [15, 16]
    assert scoring_problems(revised) == [
        "bands (parent, total_difficulties): bands should run on from 14, not start at 15"
    ]


# --- SDQ scoring ----------------------------------------------------------------------------

COMPLETE = {
    1: 2, 2: 1, 3: 2, 4: 2, 5: 0, 6: 1, 7: 2, 8: 1, 9: 2, 10: 2, 11: 0, 12: 0, 13: 1,
    14: 2, 15: 1, 16: 2, 17: 1, 18: 0, 19: 0, 20: 2, 21: 0, 22: 1, 23: 0, 24: 1, 25: 1,
}  # fmt: skip


def test_complete_parent_response() -> None:
    # emotional      3,8,13,16,24:     2+1+1+2+1            = 7  -> parent 7–10: very high
    # conduct        5,7r,12,18,22:    0+(2->0)+0+0+1       = 1  -> 0–2: close to average
    # hyperactivity  2,10,15,21r,25r:  1+2+1+(0->2)+(1->1)  = 7  -> 6–7: slightly raised
    # peer           6,11r,14r,19,23:  1+(0->2)+(2->0)+0+0  = 3  -> 3: slightly raised
    # prosocial      1,4,9,17,20:      2+2+2+1+2            = 9  -> 8–10: close to average
    # total 7+1+7+3 = 18 -> 17–19: high; internalising 7+3 = 10; externalising 1+7 = 8
    # impact (definite): distress 1 + home life 2 + friendships 0 + classroom 0 + leisure 1 = 4
    #   -> 3–10: very high
    result = sdq(
        "parent",
        COMPLETE,
        {
            "has_difficulties": "definite",
            "distress": "quite_a_lot",
            "home_life": "a_great_deal",
            "friendships": "only_a_little",
            "classroom_learning": "not_at_all",
            "leisure": "quite_a_lot",
        },
    )
    scales = result["scales"]
    assert {k: (v["score"], v["band"]) for k, v in scales.items()} == {
        "emotional": (7, "very_high"),
        "conduct": (1, "close_to_average"),
        "hyperactivity": (7, "slightly_raised"),
        "peer": (3, "slightly_raised"),
        "prosocial": (9, "close_to_average"),
    }
    assert scales["emotional"] == {
        "title": "Emotional symptoms",
        "score": 7,
        "answered": 5,
        "of": 5,
        "prorated": False,
        "band": "very_high",
        "band_label": "Very high",
        "band_rank": 3,
    }
    assert result["total_difficulties"] == {
        "score": 18,
        "prorated": False,
        "band": "high",
        "band_label": "High",
        "band_rank": 2,
    }
    assert result["internalising"] == {"score": 10, "prorated": False}
    assert result["externalising"] == {"score": 8, "prorated": False}
    assert result["impact"]["score"] == 4
    assert result["impact"]["band"] == "very_high"
    assert (result["impact"]["answered"], result["impact"]["of"]) == (5, 5)
    assert result["missing_items"] == []
    assert result["informant"] == "parent"
    assert result["bands_source"].startswith("Youthinmind")
    assert json.loads(json.dumps(result)) == result


def test_reverse_scored_items_are_reversed() -> None:
    # Every item ticked 0: only the reverse-scored items count, each as 2.
    # emotional 0; conduct item 7 -> 2; hyperactivity 21, 25 -> 4; peer 11, 14 -> 4;
    # prosocial 0 (very low); total 0+2+4+4 = 10.
    zeros = sdq("parent", dict.fromkeys(range(1, 26), 0))
    assert {k: v["score"] for k, v in zeros["scales"].items()} == {
        "emotional": 0,
        "conduct": 2,
        "hyperactivity": 4,
        "peer": 4,
        "prosocial": 0,
    }
    assert zeros["total_difficulties"]["score"] == 10
    # Every item ticked 2: reverse-scored items count 0, the rest 2 each.
    # emotional 10; conduct 4×2 = 8; hyperactivity 3×2 = 6; peer 3×2 = 6; prosocial 10;
    # total 10+8+6+6 = 30.
    twos = sdq("parent", dict.fromkeys(range(1, 26), 2))
    assert {k: v["score"] for k, v in twos["scales"].items()} == {
        "emotional": 10,
        "conduct": 8,
        "hyperactivity": 6,
        "peer": 6,
        "prosocial": 10,
    }
    assert twos["total_difficulties"]["score"] == 30
    # A reverse-scored item ticked 1 still counts 1: conduct all 1s = 5.
    ones = sdq("parent", dict.fromkeys(range(1, 26), 1))
    assert ones["scales"]["conduct"]["score"] == 5


def test_a_scale_with_four_items_is_prorated_rounding_halves_up() -> None:
    # emotional: items 3, 8, 13, 16 = 1, 1, 0, 0 and 24 blank: 2 × 5 / 4 = 2.5 -> 3
    # (Python's round(2.5) would give 2: the SPSS syntax rounds halves up.)
    items = {**COMPLETE, 3: 1, 8: 1, 13: 0, 16: 0, 24: None}
    # conduct: 5, 7r, 12, 18 = 0, (1->1), 0, 0 with 22 blank: 1 × 5 / 4 = 1.25 -> 1
    items.update({5: 0, 7: 1, 12: 0, 18: 0, 22: None})
    result = sdq("parent", items)
    assert result["scales"]["emotional"] | {"title": None} == {
        "title": None,
        "score": 3,
        "answered": 4,
        "of": 5,
        "prorated": True,
        "band": "close_to_average",
        "band_label": "Close to average",
        "band_rank": 0,
    }
    assert result["scales"]["conduct"]["score"] == 1
    # total 3 + 1 + hyperactivity 7 + peer 3 = 14, marked prorated
    assert result["total_difficulties"]["score"] == 14
    assert result["total_difficulties"]["prorated"] is True
    assert result["missing_items"] == [22, 24]


def test_a_scale_with_three_items_is_prorated() -> None:
    # conduct: items 5, 12, 18 = 1, 0, 0 with 7 and 22 blank: 1 × 5 / 3 = 1.667 -> 2
    # peer: items 6, 11r, 14r = 0, (2->0), (0->2), 19 and 23 blank: 2 × 5 / 3 = 3.333 -> 3
    items = {**COMPLETE, 5: 1, 12: 0, 18: 0, 7: None, 22: None}
    items.update({6: 0, 11: 2, 14: 0, 19: None, 23: None})
    result = sdq("parent", items)
    assert (result["scales"]["conduct"]["score"], result["scales"]["conduct"]["answered"]) == (2, 3)
    assert result["scales"]["peer"]["score"] == 3
    assert result["missing_items"] == [7, 19, 22, 23]


def test_a_scale_with_two_items_is_missing_and_so_is_the_total() -> None:
    # emotional: only items 3 and 8 answered -> missing; total and internalising need it.
    items = {**COMPLETE, 13: None, 16: None, 24: None}
    result = sdq("parent", items)
    emotional = result["scales"]["emotional"]
    assert (emotional["score"], emotional["answered"], emotional["band"]) == (None, 2, None)
    assert emotional["band_rank"] is None
    assert result["total_difficulties"]["score"] is None
    assert result["total_difficulties"]["band"] is None
    assert result["internalising"]["score"] is None
    assert result["externalising"]["score"] == 8  # conduct 1 + hyperactivity 7, unaffected
    assert result["missing_items"] == [13, 16, 24]


def test_blank_form_scores_nothing() -> None:
    result = sdq("parent", {})
    assert all(s["score"] is None for s in result["scales"].values())
    assert result["missing_items"] == list(range(1, 26))
    assert result["impact"]["score"] is None  # the difficulties question was not answered


@settings(deadline=None)
@given(
    st.lists(st.sampled_from([None, 0, 1, 2]), min_size=5, max_size=5),
)
def test_prorating_matches_the_spss_syntax(ticks: list[int | None]) -> None:
    """rnd(mean.3(...)*5), with SPSS rounding halves away from zero, computed in decimals."""
    answered = [t for t in ticks if t is not None]
    expected = (
        int((Decimal(sum(answered)) / len(answered) * 5).quantize(0, rounding=ROUND_HALF_UP))
        if len(answered) >= 3
        else None
    )
    result = sdq("parent", dict(zip(SCALES["emotional"], ticks, strict=True)))
    assert result["scales"]["emotional"]["score"] == expected


def test_impact_is_zero_when_the_informant_reports_no_difficulties() -> None:
    result = sdq(
        "parent", COMPLETE, {"has_difficulties": "no", "distress": "a_great_deal"}
    )  # items answered in error are not counted
    assert result["impact"]["score"] == 0
    assert result["impact"]["band"] == "close_to_average"


IMPACT_ALL = {
    "has_difficulties": "severe",
    "distress": "a_great_deal",  # 2
    "home_life": "a_great_deal",  # 2, not on the teacher form
    "friendships": "quite_a_lot",  # 1
    "classroom_learning": "only_a_little",  # 0
    "leisure": "a_great_deal",  # 2, not on the teacher form
}


def test_teacher_impact_uses_only_three_items() -> None:
    # teacher: distress 2 + friendships 1 + classroom 0 = 3 -> teacher 3–6: very high
    teacher = sdq("teacher", COMPLETE, IMPACT_ALL)["impact"]
    assert (teacher["score"], teacher["answered"], teacher["of"]) == (3, 3, 3)
    assert teacher["band"] == "very_high"
    # parent: 2 + 2 + 1 + 0 + 2 = 7
    parent = sdq("parent", COMPLETE, IMPACT_ALL)["impact"]
    assert (parent["score"], parent["of"]) == (7, 5)


def test_impact_sums_the_items_answered() -> None:
    # minor difficulties, only distress answered (quite a lot = 1): impact 1, slightly raised
    impact = sdq("self", COMPLETE, {"has_difficulties": "minor", "distress": "quite_a_lot"})
    assert impact["impact"]["score"] == 1
    assert impact["impact"]["band"] == "slightly_raised"
    # difficulties reported but no impact item answered: missing
    assert sdq("parent", COMPLETE, {"has_difficulties": "minor"})["impact"]["score"] is None


@pytest.mark.parametrize(
    ("informant", "total", "band"),
    [
        ("parent", 13, "close_to_average"),
        ("parent", 14, "slightly_raised"),
        ("parent", 16, "slightly_raised"),
        ("parent", 17, "high"),
        ("parent", 19, "high"),
        ("parent", 20, "very_high"),
        ("teacher", 11, "close_to_average"),
        ("teacher", 12, "slightly_raised"),
        ("teacher", 15, "slightly_raised"),
        ("teacher", 16, "high"),
        ("teacher", 18, "high"),
        ("teacher", 19, "very_high"),
        ("self", 14, "close_to_average"),
        ("self", 15, "slightly_raised"),
        ("self", 17, "slightly_raised"),
        ("self", 18, "high"),
        ("self", 19, "high"),
        ("self", 20, "very_high"),
        ("self", 40, "very_high"),
        ("parent", 0, "close_to_average"),
    ],
)
def test_total_difficulties_band_boundaries(informant: str, total: int, band: str) -> None:
    result = sdq(informant, responses_for_total(total))["total_difficulties"]
    assert (result["score"], result["band"]) == (total, band)
    assert result["band_rank"] == R.index(band)


@pytest.mark.parametrize(
    ("informant", "scale", "value", "band"),
    [
        ("parent", "emotional", 3, "close_to_average"),
        ("parent", "emotional", 4, "slightly_raised"),
        ("parent", "emotional", 6, "high"),
        ("teacher", "emotional", 5, "high"),
        ("teacher", "emotional", 6, "very_high"),
        ("self", "emotional", 4, "close_to_average"),
        ("self", "emotional", 5, "slightly_raised"),
        ("parent", "conduct", 5, "high"),
        ("parent", "conduct", 6, "very_high"),
        ("teacher", "conduct", 5, "very_high"),
        ("parent", "hyperactivity", 7, "slightly_raised"),
        ("parent", "hyperactivity", 8, "high"),
        ("self", "hyperactivity", 6, "slightly_raised"),
        ("self", "hyperactivity", 7, "high"),
        ("self", "hyperactivity", 8, "very_high"),
        ("parent", "peer", 4, "high"),
        ("teacher", "peer", 4, "slightly_raised"),
        ("teacher", "peer", 6, "very_high"),
    ],
)
def test_scale_band_boundaries(informant: str, scale: str, value: int, band: str) -> None:
    result = sdq(informant, responses_for(**{scale: value}))["scales"][scale]
    assert (result["score"], result["band"], result["band_label"]) == (
        value,
        band,
        BAND_LABELS[band],
    )


@pytest.mark.parametrize(
    ("informant", "value", "band", "rank"),
    [
        ("parent", 10, "close_to_average", 0),
        ("parent", 8, "close_to_average", 0),
        ("parent", 7, "slightly_lowered", 1),
        ("parent", 6, "low", 2),
        ("parent", 5, "very_low", 3),
        ("parent", 0, "very_low", 3),
        ("teacher", 6, "close_to_average", 0),
        ("teacher", 5, "slightly_lowered", 1),
        ("teacher", 4, "low", 2),
        ("teacher", 3, "very_low", 3),
        ("self", 7, "close_to_average", 0),
        ("self", 6, "slightly_lowered", 1),
        ("self", 5, "low", 2),
        ("self", 4, "very_low", 3),
    ],
)
def test_prosocial_bands_run_the_other_way(
    informant: str, value: int, band: str, rank: int
) -> None:
    """Prosocial is a strength: a low score is the concern, and carries the higher rank."""
    result = sdq(informant, responses_for(prosocial=value))["scales"]["prosocial"]
    assert (result["score"], result["band"], result["band_rank"]) == (value, band, rank)


def test_without_an_informant_scores_are_given_but_not_banded() -> None:
    result = sdq(None, COMPLETE, {"has_difficulties": "no"})
    assert result["total_difficulties"]["score"] == 18
    assert result["total_difficulties"]["band"] is None
    assert result["impact"]["score"] == 0


def test_an_impossible_item_value_is_refused() -> None:
    with pytest.raises(ValueError, match="item 4"):
        sdq("parent", {**COMPLETE, 4: 3})


# --- graded care ----------------------------------------------------------------------------

DESCRIPTORS = {str(g): f"Grade {g} looks like this" for g in range(1, 6)}


def grade_q(qid: str) -> dict[str, Any]:
    return {"id": qid, "type": "grade", "label": qid.replace("_", " "), "descriptors": DESCRIPTORS}


GRADED_CARE: dict[str, Any] = {
    "code": "graded-care",
    "name": "Graded care",
    "version": 1,
    "summary": "Test",
    "scoring": {"method": "graded_care", "good_enough_max": 2, "line": 2.5, "dip_min": 2},
    "sections": [
        {
            "id": "about",
            "title": "About",
            "questions": [{"id": "notes", "type": "textarea", "label": "Notes"}],
        },
        {
            "id": "physical",
            "title": "Physical care",
            "questions": [grade_q("nutrition"), grade_q("housing"), grade_q("clothing")],
        },
        {
            "id": "safety",
            "title": "Safety",
            "questions": [grade_q("supervision"), grade_q("road_safety")],
        },
    ],
}


def g(grade: int | None, evidence: str = "Seen at the home visit") -> dict[str, Any]:
    return {"grade": grade, "evidence": evidence}


def test_graded_care_area_means_worst_and_missing_evidence() -> None:
    # physical: 2, 3, 4 -> mean 3.0, worst 4: above the line (2.5), not good enough
    # safety:   1, 3    -> mean 2.0, worst 3: good enough
    # overall:  2+3+4+1+3 = 13 / 5 = 2.6 -> above the line; one sub-area graded 4 or more
    answers = {
        "physical": {"nutrition": g(2), "housing": g(3), "clothing": g(4, "  ")},
        "safety": {"supervision": g(1), "road_safety": g(3)},
    }
    result = score(GRADED_CARE, answers)
    assert result["areas"]["physical"] == {
        "title": "Physical care",
        "mean": 3.0,
        "worst": 4,
        "graded": 3,
        "of": 3,
        "grades": {"nutrition": 2, "housing": 3, "clothing": 4},
        "good_enough": False,
    }
    assert (result["areas"]["safety"]["mean"], result["areas"]["safety"]["good_enough"]) == (
        2.0,
        True,
    )
    assert "about" not in result["areas"]
    assert result["overall"] == {
        "mean": 2.6,
        "worst": 4,
        "graded": 5,
        "of": 5,
        "good_enough": False,
    }
    assert result["areas_not_good_enough"] == ["physical"]
    assert result["serious_count"] == 1
    assert result["serious"] == [
        {"area": "physical", "sub_area": "clothing", "label": "clothing", "grade": 4}
    ]
    assert result["missing_evidence"] == [
        {"area": "physical", "sub_area": "clothing", "label": "clothing"}
    ]
    assert result["line"] == 2.5
    assert result["complete"] is False
    assert json.loads(json.dumps(result)) == result


def test_graded_care_mean_on_the_line_is_good_enough_and_halves_round_up() -> None:
    # safety: 2, 3 -> 2.5: on the line, good enough.
    # physical: 2, 3 and clothing ungraded -> 2.5, graded 2 of 3.
    answers = {
        "physical": {"nutrition": g(2), "housing": g(3), "clothing": g(None, "")},
        "safety": {"supervision": g(2), "road_safety": g(3)},
    }
    result = score(GRADED_CARE, answers)
    assert result["areas"]["safety"]["good_enough"] is True
    assert (result["areas"]["physical"]["graded"], result["areas"]["physical"]["of"]) == (2, 3)
    assert result["ungraded"] == [{"area": "physical", "sub_area": "clothing", "label": "clothing"}]
    assert result["missing_evidence"] == []
    assert result["complete"] is False
    # overall 2, 3, 2, 3 -> 2.5; now 2, 2, 3, 2 -> 9 / 4 = 2.25 -> 2.3 (round() would say 2.2)
    answers["safety"]["road_safety"] = g(2)
    answers["physical"]["housing"] = g(3)
    answers["safety"]["supervision"] = g(2)
    answers["physical"]["nutrition"] = g(2)
    assert score(GRADED_CARE, answers)["overall"]["mean"] == 2.3


def test_graded_care_with_nothing_graded() -> None:
    result = score(GRADED_CARE, {})
    assert result["areas"]["physical"]["mean"] is None
    assert result["areas"]["physical"]["good_enough"] is None
    assert result["overall"]["mean"] is None
    assert len(result["ungraded"]) == 5


def test_graded_care_refuses_a_grade_off_the_scale() -> None:
    with pytest.raises(ValueError, match="outside 1–5"):
        score(GRADED_CARE, {"safety": {"supervision": g(6)}})


def test_dips_count_good_to_bad_crossings() -> None:
    line = 2.5
    assert dips([2.0, 3.0, 2.0, 3.0], line) == 2
    assert dips([3.0, 2.0, 3.0], line) == 1  # started bad: never good before the first reading
    assert dips([2.5, 2.6], line) == 1  # on the line is the good side
    assert dips([3.0, 3.5, 4.0], line) == 0
    assert dips([], line) == 0


def test_care_dipping() -> None:
    line = 2.5
    assert care_dipping([2.0, 3.0, 2.2, 3.1], line) is True  # good, bad, good, bad
    assert care_dipping([3.0, 3.2, 3.5, 4.0], line) is False  # steadily poor is not dipping
    assert care_dipping([2.0, 3.0, 2.0], line) is False  # one dip
    assert care_dipping([2.0, 3.0, 2.0], line, min_dips=1) is True
    assert care_dipping([1.5, 2.0, 2.4], line) is False  # steadily good enough


# --- checklist ------------------------------------------------------------------------------

YNN = [{"value": v, "label": v} for v in ("yes", "no", "na")]


def choice(qid: str, options: list[dict[str, str]]) -> dict[str, Any]:
    return {"id": qid, "type": "choice", "label": qid, "options": options}


CHECKLIST: dict[str, Any] = {
    "code": "assessment-checklist",
    "name": "Checklist",
    "version": 1,
    "summary": "Test",
    "scoring": {"method": "checklist"},
    "sections": [
        {
            "id": "a",
            "title": "A",
            "questions": [
                choice("q1", YNN),
                choice("q2", YNN),
                choice("q3", YNN[:2]),  # yes/no only: not a checklist item
                {"id": "q4", "type": "yes_no", "label": "q4"},  # not a checklist item
                choice("q5", [YNN[2], YNN[0], YNN[1]]),  # same values, other order: an item
            ],
        },
        {"id": "b", "title": "B", "questions": [choice("q6", YNN)]},
    ],
}


def test_checklist_counts_and_completeness() -> None:
    # q1 yes, q2 no, q5 n/a, q6 unanswered: applicable = 1 + 1 + 1 = 3; 100 × 1 / 3 = 33
    answers = {"a": {"q1": "yes", "q2": "no", "q3": "yes", "q4": "no", "q5": "na"}, "b": {"q6": ""}}
    assert score(CHECKLIST, answers) == {
        "items": {"q1": "yes", "q2": "no", "q5": "na", "q6": None},
        "met": 1,
        "not_met": 1,
        "not_applicable": 1,
        "unanswered": 1,
        "applicable": 3,
        "completeness": 33,
    }
    # q1, q2 yes, q6 no: 2 / 3 = 66.7 -> 67
    answers = {"a": {"q1": "yes", "q2": "yes", "q5": "na"}, "b": {"q6": "no"}}
    assert score(CHECKLIST, answers)["completeness"] == 67
    # all not applicable: nothing to be complete about
    answers = {"a": {"q1": "na", "q2": "na", "q5": "na"}, "b": {"q6": "na"}}
    assert score(CHECKLIST, answers)["completeness"] is None


def test_checklist_completeness_rounds_halves_up() -> None:
    # 1 met of 8 applicable = 12.5% -> 13 (round() would give 12)
    questions = [choice(f"c{n}", YNN) for n in range(8)]
    definition = {**CHECKLIST, "sections": [{"id": "a", "title": "A", "questions": questions}]}
    result = score(definition, {"a": {"c0": "yes"}})
    assert (result["met"], result["applicable"], result["completeness"]) == (1, 8, 13)


# --- capacity to change ---------------------------------------------------------------------

CAPACITY: dict[str, Any] = {
    "code": "capacity-to-change",
    "name": "Capacity to change",
    "version": 1,
    "summary": "Test",
    "scoring": {"method": "capacity_to_change"},
    "sections": [
        {
            "id": "change",
            "title": "The change needed",
            "questions": [
                {"id": "goal", "type": "textarea", "label": "Goal"},
                {"id": "target_date", "type": "date", "label": "By when"},
            ],
        },
        {
            "id": "reviews",
            "title": "Reviews",
            "repeat": {"item_label": "Review"},
            "questions": [
                {"id": "review_date", "type": "date", "label": "Date"},
                choice("progress", [{"value": v, "label": v} for v in ("none", "some", "good")]),
                choice("engagement", [{"value": v, "label": v} for v in ("low", "high")]),
                choice("stage", [{"value": v, "label": label} for v, label in STAGES]),
            ],
        },
    ],
}


def review(when: str, stage: str | None, progress: str | None = "some") -> dict[str, Any]:
    return {"review_date": when, "stage": stage, "progress": progress, "engagement": "low"}


def capacity(target: str | None, *reviews: dict[str, Any], as_of: date) -> dict[str, Any]:
    answers = {"change": {"goal": "Regular meals", "target_date": target}, "reviews": list(reviews)}
    return score(CAPACITY, answers, as_of=as_of)


def test_capacity_to_change_overdue_without_progress_and_worsening() -> None:
    # Entered out of order: sorted by date, contemplation then pre-contemplation: worsening.
    result = capacity(
        "2025-03-01",
        review("2025-02-20", "precontemplation", "none"),
        review("2025-01-10", "contemplation", "some"),
        as_of=date(2025, 4, 1),
    )
    assert result["reviews"] == [
        {"date": "2025-01-10", "stage": "contemplation", "progress": "some", "engagement": "low"},
        {
            "date": "2025-02-20",
            "stage": "precontemplation",
            "progress": "none",
            "engagement": "low",
        },
    ]
    assert (result["latest_stage"], result["latest_progress"]) == ("precontemplation", "none")
    assert result["target_date"] == "2025-03-01"
    assert result["overdue_without_progress"] is True
    assert result["trajectory"] == "worsening"
    assert json.loads(json.dumps(result)) == result


def test_capacity_to_change_not_overdue() -> None:
    late = date(2025, 4, 1)
    taking_action = capacity("2025-03-01", review("2025-02-01", "action", "some"), as_of=late)
    assert taking_action["overdue"] is True
    assert taking_action["overdue_without_progress"] is False
    achieved = capacity("2025-03-01", review("2025-02-01", "contemplation", "achieved"), as_of=late)
    assert achieved["overdue_without_progress"] is False
    on_the_day = capacity(
        "2025-03-01", review("2025-02-01", "contemplation"), as_of=date(2025, 3, 1)
    )
    assert on_the_day["overdue_without_progress"] is False
    assert capacity(None, as_of=late)["overdue_without_progress"] is False
    # no reviews at all and the target has passed
    nothing = capacity("2025-03-01", as_of=late)
    assert (nothing["overdue_without_progress"], nothing["trajectory"]) == (True, "unknown")


@pytest.mark.parametrize(
    ("stages", "trajectory"),
    [
        (["contemplation", "preparation"], "improving"),
        (["action", "action"], "static"),
        (["preparation", "contemplation"], "worsening"),
        (["maintenance", "lapse"], "worsening"),
        (["lapse"], "worsening"),
        (["lapse", "contemplation"], "improving"),
        (["precontemplation", "action", "preparation"], "worsening"),  # the latest move
        (["contemplation"], "unknown"),
        ([], "unknown"),
    ],
)
def test_capacity_to_change_trajectory(stages: list[str], trajectory: str) -> None:
    reviews = [review(f"2025-0{n + 1}-01", stage) for n, stage in enumerate(stages)]
    assert capacity("2026-01-01", *reviews, as_of=date(2025, 6, 1))["trajectory"] == trajectory


def test_capacity_to_change_keeps_the_last_recorded_stage_and_counts_undated_reviews() -> None:
    result = capacity(
        "2025-03-01",
        review("2025-01-10", "contemplation"),
        review("2025-02-10", "preparation", None),
        review("2025-02-20", None, "good"),
        review("", "action"),
        {"review_date": "", "stage": "", "progress": None},  # a blank block: ignored
        as_of=date(2025, 2, 25),
    )
    assert (result["latest_stage"], result["latest_progress"]) == ("preparation", "good")
    assert result["trajectory"] == "improving"
    assert result["undated_reviews"] == 1
    assert len(result["reviews"]) == 3


def test_capacity_to_change_as_of_defaults_to_today() -> None:
    answers = {"change": {"target_date": "2000-01-01"}, "reviews": []}
    assert score(CAPACITY, answers)["overdue_without_progress"] is True
    answers = {"change": {"target_date": "2999-01-01"}, "reviews": []}
    assert score(CAPACITY, answers)["overdue_without_progress"] is False


# --- dispatch -------------------------------------------------------------------------------


def test_no_scoring_and_unknown_methods() -> None:
    assert score({**CHECKLIST, "scoring": {"method": "none"}}, {"a": {"q1": "yes"}}) == {}
    with pytest.raises(ValueError, match="no scorer"):
        score({**CHECKLIST, "scoring": {"method": "astrology"}}, {})
