"""Loading tool definitions: validated against the JSON Schema, versioned, never overwritten.

A partnership publishes a new or revised tool with `hearth toolkit load FILE`: no code change.
A version number, once loaded, is fixed: loading different content under the same number is
refused, so a completed response always shows against the wording it was answered on.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.utils import timezone
from jsonschema import Draft202012Validator

from hearth.chronology.models import EventType
from hearth.lib.versioning import checksum
from hearth.toolkit import scoring
from hearth.toolkit.models import Tool, ToolVersion

SHIPPED_DIR = Path(__file__).parent / "definitions"
SCHEMA_PATH = Path(__file__).parent / "definition.schema.json"
# The order tools are offered in: the mandatory toolkit first.
SHIPPED_ORDER = [
    "day-in-my-life",
    "assessment-checklist",
    "parent-child-observation",
    "graded-care",
    "sdq",
    "capacity-to-change",
    "so-what",
]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(top level)'}: {self.message}"


class DefinitionError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def _semantic_problems(data: dict[str, Any]) -> list[Problem]:
    """What the schema cannot say: unique ids, options where needed, what each scorer relies on."""
    problems: list[Problem] = []
    seen_sections: set[str] = set()
    questions: dict[str, dict[str, dict[str, Any]]] = {}
    for s_index, section in enumerate(data["sections"]):
        where = f"sections[{s_index}]"
        if section["id"] in seen_sections:
            problems.append(Problem(where, f"section id '{section['id']}' is used twice"))
        seen_sections.add(section["id"])
        ids: dict[str, dict[str, Any]] = {}
        for q_index, q in enumerate(section["questions"]):
            q_where = f"{where}.questions[{q_index}] ({q['id']})"
            if q["id"] in ids:
                problems.append(Problem(q_where, "question id is used twice in this section"))
            ids[q["id"]] = q
            if q["type"] in ("choice", "multi_choice") and not q.get("options"):
                problems.append(Problem(q_where, "a choice question needs options"))
            if q["type"] == "grade":
                grades = sorted(int(k) for k in q.get("descriptors", {}))
                if len(grades) < 2 or grades != list(range(1, len(grades) + 1)):
                    problems.append(
                        Problem(q_where, "a grade needs descriptors for every grade from 1 up")
                    )
        questions[section["id"]] = ids
    method = data["scoring"]["method"]
    needs: dict[str, list[tuple[str, str]]] = {
        "sdq": [("items", f"item_{n}") for n in range(1, 26)] + [("about", "informant")],
        "capacity_to_change": [
            ("change", "target_date"),
            ("reviews", "review_date"),
            ("reviews", "stage"),
            ("reviews", "progress"),
        ],
        "so_what": [("next_steps", q) for q in ("who", "what", "outcome", "by_when")],
    }
    for section_id, question_id in needs.get(method, []):
        if question_id not in questions.get(section_id, {}):
            problems.append(
                Problem(
                    "scoring", f"method '{method}' needs question '{question_id}' in '{section_id}'"
                )
            )
    if method == "graded_care" and not any(
        q["type"] == "grade" for ids in questions.values() for q in ids.values()
    ):
        problems.append(Problem("scoring", "a graded care tool needs grade questions"))
    problems += [Problem("scoring", message) for message in scoring.scoring_problems(data)]
    if "dated_by" in data:
        section_id, _, question_id = data["dated_by"].partition(".")
        question = questions.get(section_id, {}).get(question_id)
        repeats = any(s["id"] == section_id and s.get("repeat") for s in data["sections"])
        if question is None or question["type"] != "date" or repeats:
            problems.append(
                Problem("dated_by", f"'{data['dated_by']}' is not a date question outside a repeat")
            )
    if data.get("per_carer") and data.get("covers_siblings"):
        problems.append(Problem("", "a tool is either per carer or covers siblings, not both"))
    return problems


def validate_definition(data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        return [Problem("", "a tool definition is a JSON object")]
    problems = [
        Problem("/".join(str(p) for p in error.absolute_path), error.message)
        for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
    return problems or _semantic_problems(data)


@transaction.atomic
def load_definition(data: Any, *, loaded_by: str = "") -> tuple[ToolVersion, bool]:
    """Publish one tool version. Returns (version, created); re-loading the same file is a no-op."""
    problems = validate_definition(data)
    if problems:
        raise DefinitionError(problems)
    digest = checksum(data)
    code, number = data["code"], data["version"]
    tool = Tool.objects.select_for_update().filter(code=code).first()
    if tool is not None:
        existing = tool.versions.filter(version=number).first()
        if existing is not None:
            if existing.checksum == digest:
                return existing, False
            raise DefinitionError(
                [
                    Problem(
                        "version",
                        f"version {number} of '{code}' is already published with different "
                        f"content; publish the change as version {number + 1}",
                    )
                ]
            )
        latest = tool.versions.order_by("-version").values_list("version", flat=True).first()
        if latest is not None and number < latest:
            raise DefinitionError(
                [
                    Problem(
                        "version", f"'{code}' is already at version {latest}; use a higher number"
                    )
                ]
            )
    position = SHIPPED_ORDER.index(code) + 1 if code in SHIPPED_ORDER else 100
    tool, _ = Tool.objects.update_or_create(
        code=code,
        defaults={
            "name": data["name"],
            "summary": data["summary"],
            "mandatory": bool(data.get("mandatory", False)),
            "position": position,
        },
    )
    version = ToolVersion.objects.create(
        tool=tool,
        version=number,
        definition=data,
        checksum=digest,
        loaded_at=timezone.now(),
        loaded_by=loaded_by,
    )
    return version, True


def read_definition_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise DefinitionError(
            [Problem(f"line {error.lineno} column {error.colno}", f"not valid JSON: {error.msg}")]
        ) from error


COMPLETED_EVENT = {
    "code": "tool-completed",
    "label": "Toolkit tool completed",
    "description": "A neglect toolkit tool (a day in my life, graded care, SDQ…) was completed.",
}


def load_shipped_definitions(using: str = "default") -> list[ToolVersion]:
    """Load every definition shipped with Hearth, and the chronology event a completed tool is
    recorded as; run after each migrate (and each test database flush)."""
    if ToolVersion._meta.db_table not in connections[using].introspection.table_names():
        return []
    EventType.objects.get_or_create(
        code=COMPLETED_EVENT["code"],
        defaults={k: v for k, v in COMPLETED_EVENT.items() if k != "code"},
    )
    loaded = []
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        version, created = load_definition(read_definition_file(path), loaded_by="Hearth")
        if created:
            loaded.append(version)
    return loaded
