"""Answers for the shipped tools, and turning answers into what the browser form posts."""

import datetime
from typing import Any

from hearth.episodes.models import Episode
from hearth.toolkit.engine import field_name
from hearth.toolkit.models import Tool


def definition(code: str) -> dict[str, Any]:
    version = Tool.objects.get(code=code).current_version()
    assert version is not None
    return dict(version.definition)


def post_data(
    code: str, answers: dict[str, Any], action: str = "complete", **extra: Any
) -> dict[str, Any]:
    """The form fields a practitioner would fill in to give these answers."""
    data: dict[str, Any] = {"action": action, **extra}
    for section in definition(code)["sections"]:
        stored = answers.get(section["id"])
        if section.get("repeat") is not None:
            items: list[tuple[int | None, Any]] = list(enumerate(stored or []))
            data[f"s__{section['id']}__count"] = max(len(items), 1)
        else:
            items = [(None, stored or {})]
        for item, values in items:
            for q in section["questions"]:
                if q["id"] not in values:
                    continue
                value = values[q["id"]]
                name = field_name(section["id"], q["id"], item)
                if q["type"] == "grade":
                    data[name] = str(value["grade"])
                    data[f"{name}__evidence"] = value["evidence"]
                else:
                    data[name] = value
    return data


def day_in_my_life(seen_alone: str = "yes", **summary: str) -> dict[str, Any]:
    return {
        "breakfast": {
            "what_happens": "No breakfast at home; Amy ate two slices of toast at the school breakfast club.",
            "who_is_there": "Mum asleep; Ben",
            "child_feels": "hungry",
            "child_words": "There's never cereal, I get hungry in maths.",
        },
        "bedtime": {
            "what_happens": "No set bedtime; Amy said she falls asleep on the sofa with the television on.",
            "child_feels": "tired",
        },
        "voice": {"methods": ["conversation", "drawing"], "seen_alone": seen_alone},
        "summary": {
            "good_for_child": "Amy loves her teaching assistant and the breakfast club; she drew them smiling.",
            "worrying_for_child": "Amy goes to school hungry most days and is tired in lessons.",
            "child_knows_plan": "yes",
            **summary,
        },
    }


GRADED_AREAS = {
    "physical_care": ["nutrition", "housing", "clothing", "hygiene", "health"],
    "safety": ["supervision_home", "supervision_out", "danger_awareness", "who_cares"],
    "emotional_care": ["warmth", "responsiveness", "consistency"],
    "developmental_care": ["stimulation", "education", "approval"],
}


def graded_care(grade: int, assessed_on: str | None = None, **overrides: int) -> dict[str, Any]:
    """Every sub-area graded `grade` (or as overridden), each with evidence."""
    answers: dict[str, Any] = {
        area: {
            sub: {
                "grade": overrides.get(sub, grade),
                "evidence": f"Seen on the visit: {sub.replace('_', ' ')} described specifically.",
            }
            for sub in subs
        }
        for area, subs in GRADED_AREAS.items()
    }
    answers["about"] = {"assessed_on": assessed_on or datetime.date.today().isoformat()}
    return answers


def make_plan(child: Any, agency: Any, kind: str = "cp_plan", **fields: Any) -> Episode:
    defaults: dict[str, Any] = {
        "start_date": datetime.date(2025, 1, 10),
        "latest_category": "NEG" if kind == "cp_plan" else "",
        "initial_category": "NEG" if kind == "cp_plan" else "",
    }
    defaults.update(fields)
    return Episode.objects.create(kind=kind, child=child, lead_agency=agency, **defaults)


def completed_sdq(by: Any, child: Any) -> Any:
    """An SDQ with only its required answers: the smallest completed response."""
    from hearth.toolkit import actions

    version = Tool.objects.get(code="sdq").current_version()
    answers = {"about": {"informant": "parent", "completed_on": "2025-02-01"}}
    draft = actions.save_draft(by=by, tool_version=version, child=child, answers=answers)
    return actions.complete(by=by, response=draft, answers=answers)
