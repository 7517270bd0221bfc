"""The plan check: which SMART element each action is missing.

Specific (who does what), Measurable (how we will know), Achievable and Relevant (a
practitioner's judgement, not checked here), Time-bound (by when, and when it is reviewed).
Used by the plan page, the "So what? Next steps" tool and the partnership's audits alike.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

# Who: a role or a group is not a named person.
_GENERIC_WHO = re.compile(
    r"^\s*(all|everyone|everybody|all agencies|agencies|professionals|all professionals|"
    r"parents?|the parents|carers?|the family|family|team|services|tbc|tba|n/?a|various|"
    r"social care|health|school|the school|police|housing)\s*\.?\s*$",
    re.IGNORECASE,
)
# Measurable: a number, a frequency or an observable test.
_MEASURABLE = re.compile(
    r"\d|%|\b(every|each|daily|weekly|fortnightly|monthly|per (day|week|month)|times|"
    r"at least|no more than|none|no longer|all (appointments|sessions|visits)|"
    r"attend(s|ed|ance)?|score[sd]?|grade[sd]?|weigh(s|t|ed)?|centile|seen alone|"
    r"on time|by the (end|review)|before|until|zero|once|twice)\b",
    re.IGNORECASE,
)
_VAGUE_OUTCOME = re.compile(
    r"^\s*(improve[sd]?|better|engage[sd]?|work with|be more|support|monitor|continue|"
    r"ongoing|as needed|as required)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SmartProblem:
    element: str  # who | what | outcome | by_when | review
    message: str


def check_action(
    *,
    who: str = "",
    what: str = "",
    outcome: str = "",
    by_when: date | None = None,
    review_date: date | None = None,
    plan_start: date | None = None,
) -> list[SmartProblem]:
    problems: list[SmartProblem] = []
    if not who.strip():
        problems.append(SmartProblem("who", "Say who will do it: a named person and their agency."))
    elif _GENERIC_WHO.match(who):
        problems.append(
            SmartProblem("who", f"'{who.strip()}' is a role or a group: name the person.")
        )
    if len(what.split()) < 3:
        problems.append(SmartProblem("what", "Say specifically what will be done."))
    if not outcome.strip():
        problems.append(
            SmartProblem(
                "outcome", "Say what will be different for the child, and how it will be measured."
            )
        )
    elif not _MEASURABLE.search(outcome) or (
        _VAGUE_OUTCOME.match(outcome) and not re.search(r"\d", outcome)
    ):
        problems.append(
            SmartProblem(
                "outcome",
                "The outcome is not measurable: say how often, how many, or what you will see.",
            )
        )
    if by_when is None:
        problems.append(SmartProblem("by_when", "Give the date it must be done by."))
    elif plan_start is not None and by_when < plan_start:
        problems.append(SmartProblem("by_when", "The date is before the plan started."))
    if review_date is None:
        problems.append(SmartProblem("review", "Say when progress will be reviewed."))
    return problems


def check_plan_action(action: Any) -> list[SmartProblem]:
    """The check for a stored `PlanAction`."""
    return check_action(
        who=action.who_name or (action.who_person.full_name if action.who_person_id else ""),
        what=action.what,
        outcome=action.outcome,
        by_when=action.by_when,
        review_date=action.review_date,
        plan_start=action.plan.start_date,
    )


def check_next_step(step: dict[str, Any]) -> list[SmartProblem]:
    """The check for a next step in a "So what?" response (answers as stored)."""
    return check_action(
        who=str(step.get("who", "")),
        what=str(step.get("what", "")),
        outcome=str(step.get("outcome", "")),
        by_when=date.fromisoformat(step["by_when"]) if step.get("by_when") else None,
        review_date=date.fromisoformat(step["review_date"]) if step.get("review_date") else None,
    )
