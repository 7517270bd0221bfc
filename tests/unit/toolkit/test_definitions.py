"""The toolkit's tool definitions: every JSON file in `hearth/toolkit/definitions` is checked
against the definition schema and against the rules the form engine and scoring rely on.

The structural rules (unique ids, options on choice questions) apply to every file, including
tools written by others; the content rules pin the ids and scales that scoring and reporting use.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import hearth

TOOLKIT_DIR = Path(hearth.__file__).resolve().parent / "toolkit"
SCHEMA_PATH = TOOLKIT_DIR / "definition.schema.json"
DEFINITIONS_DIR = TOOLKIT_DIR / "definitions"
DEFINITION_FILES = sorted(DEFINITIONS_DIR.glob("*.json"))

EXPECTED_TOOLS = {
    "day-in-my-life",
    "graded-care",
    "parent-child-observation",
    "capacity-to-change",
    "assessment-checklist",
    "so-what",
}

DAY_PARTS = [
    "waking",
    "getting_ready",
    "breakfast",
    "getting_to_school",
    "school_day",
    "after_school",
    "tea",
    "evening",
    "bedtime",
    "night",
]

GRADED_CARE_AREAS = {
    "physical_care": ["nutrition", "housing", "clothing", "hygiene", "health"],
    "safety": ["supervision_home", "supervision_out", "danger_awareness", "who_cares"],
    "emotional_care": ["warmth", "responsiveness", "consistency"],
    "developmental_care": ["stimulation", "education", "approval"],
}

OBSERVATION_GRADES = ["warmth", "attunement", "responsiveness", "boundaries", "child_behaviour"]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def tool(code: str) -> dict[str, Any]:
    return load(DEFINITIONS_DIR / f"{code}.json")


def section(definition: dict[str, Any], section_id: str) -> dict[str, Any]:
    matches = [s for s in definition["sections"] if s["id"] == section_id]
    assert len(matches) == 1, f"{definition['code']}: section {section_id!r} not found once"
    return matches[0]


def questions(definition: dict[str, Any]):
    for sec in definition["sections"]:
        for question in sec["questions"]:
            yield sec, question


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = load(SCHEMA_PATH)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_expected_tools_are_present():
    assert EXPECTED_TOOLS.issubset(p.stem for p in DEFINITION_FILES)


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda p: p.name)
class TestEveryDefinition:
    def test_valid_against_schema(self, path: Path, validator: Draft202012Validator):
        errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
        )

    def test_file_is_named_after_its_code(self, path: Path):
        assert load(path)["code"] == path.stem

    def test_section_ids_are_unique(self, path: Path):
        ids = [s["id"] for s in load(path)["sections"]]
        assert len(ids) == len(set(ids)), ids

    def test_question_ids_are_unique_within_each_section(self, path: Path):
        for sec in load(path)["sections"]:
            ids = [q["id"] for q in sec["questions"]]
            assert len(ids) == len(set(ids)), f"section {sec['id']}: {ids}"

    def test_choice_questions_have_distinct_options(self, path: Path):
        for sec, question in questions(load(path)):
            if question["type"] in ("choice", "multi_choice"):
                values = [o["value"] for o in question.get("options", [])]
                where = f"{sec['id']}.{question['id']}"
                assert values, f"{where} has no options"
                assert len(values) == len(set(values)), f"{where}: {values}"

    def test_repeat_limits_are_consistent(self, path: Path):
        for sec in load(path)["sections"]:
            repeat = sec.get("repeat")
            if repeat:
                assert repeat.get("min", 1) <= repeat.get("max", 20), sec["id"]


def test_day_in_my_life_has_the_parts_of_the_day_in_order():
    definition = tool("day-in-my-life")
    ids = [s["id"] for s in definition["sections"]]
    assert ids[: len(DAY_PARTS)] == DAY_PARTS
    assert ids[len(DAY_PARTS) :] == ["voice", "summary"]
    for part_id in DAY_PARTS:
        part = section(definition, part_id)
        by_id = {q["id"]: q for q in part["questions"]}
        assert list(by_id) == [
            "what_happens",
            "who_is_there",
            "child_feels",
            "child_words",
            "observation",
        ]
        assert by_id["child_words"]["voice"] == "child"
        assert by_id["what_happens"]["voice"] == "practitioner"
        assert by_id["observation"]["voice"] == "practitioner"


def test_graded_care_grades_have_descriptors_one_to_five():
    definition = tool("graded-care")
    assert [s["id"] for s in definition["sections"]] == ["about", *GRADED_CARE_AREAS, "summary"]
    for area, sub_areas in GRADED_CARE_AREAS.items():
        grades = [q for q in section(definition, area)["questions"] if q["type"] == "grade"]
        assert [q["id"] for q in grades] == sub_areas
        for question in grades:
            descriptors = question.get("descriptors", {})
            assert sorted(descriptors) == ["1", "2", "3", "4", "5"], question["id"]
            assert all(text.strip() for text in descriptors.values()), question["id"]
            assert question.get("evidence_label"), question["id"]
            assert question.get("hint"), question["id"]


def test_parent_child_observation_grades_have_descriptors_one_to_four():
    definition = tool("parent-child-observation")
    assert definition["per_carer"] is True
    grades = [q for q in section(definition, "observation")["questions"] if q["type"] == "grade"]
    assert [q["id"] for q in grades] == OBSERVATION_GRADES
    for question in grades:
        descriptors = question.get("descriptors", {})
        assert sorted(descriptors) == ["1", "2", "3", "4"], question["id"]
        assert all(text.strip() for text in descriptors.values()), question["id"]
        assert question.get("evidence_label"), question["id"]


def test_capacity_to_change_stages_of_change():
    reviews = section(tool("capacity-to-change"), "reviews")
    assert reviews["repeat"] == {"item_label": "Review", "min": 0, "max": 20}
    stage = next(q for q in reviews["questions"] if q["id"] == "stage")
    assert [o["value"] for o in stage["options"]] == [
        "precontemplation",
        "contemplation",
        "preparation",
        "action",
        "maintenance",
        "lapse",
    ]


def test_assessment_checklist_items_answer_yes_no_or_not_applicable():
    checklist = section(tool("assessment-checklist"), "checklist")
    assert len(checklist["questions"]) == 11
    for question in checklist["questions"]:
        assert question["type"] == "choice"
        assert [(o["value"], o["label"]) for o in question["options"]] == [
            ("yes", "Yes"),
            ("no", "No"),
            ("na", "Not applicable"),
        ], question["id"]
        assert question.get("hint"), question["id"]


def test_so_what_next_steps_are_smart():
    next_steps = section(tool("so-what"), "next_steps")
    assert next_steps["repeat"]["min"] == 1
    by_id = {q["id"]: q for q in next_steps["questions"]}
    assert list(by_id) == ["who", "agency", "what", "outcome", "by_when", "review_date"]
    assert all(by_id[q].get("required") for q in ("who", "what", "outcome", "by_when"))
