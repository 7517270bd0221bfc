"""Family A's toolkit, for the demo: what a social worker opening the family sees first.

A day in my life for the youngest child, graded care assessments over a year whose care dips below
good enough and recovers twice (shown as dipping), and the CP plan's actions: one SMART, one not,
so the plan check has something to say. All text is invented.
"""

from datetime import date, timedelta
from typing import Any

from hearth.accounts.models import User
from hearth.episodes.models import Episode, EpisodeKind
from hearth.people.models import Person
from hearth.plans.actions import save_action
from hearth.toolkit import actions
from hearth.toolkit.models import Tool

AREAS = {
    "physical_care": ["nutrition", "housing", "clothing", "hygiene", "health"],
    "safety": ["supervision_home", "supervision_out", "danger_awareness", "who_cares"],
    "emotional_care": ["warmth", "responsiveness", "consistency"],
    "developmental_care": ["stimulation", "education", "approval"],
}
EVIDENCE = {
    2: "Food in the fridge and cupboards; the child had eaten breakfast; clean clothes for school.",
    4: "No food in the house at 4pm; the child said she had not eaten since school lunch; "
    "the kitchen floor was covered in dog faeces and the smell of urine reached the front door.",
}


def _complete(code: str, by: User, child: Person, answers: dict[str, Any], **kw: Any) -> None:
    version = Tool.objects.get(code=code).current_version()
    assert version is not None
    draft = actions.save_draft(by=by, tool_version=version, child=child, answers=answers, **kw)
    actions.complete(by=by, response=draft, answers=answers, **kw)


def seed_family_a_toolkit(child_ids: list[int], as_of: date) -> None:
    worker = User.objects.filter(username="sw.csc").first()
    if worker is None or not child_ids:
        return
    children = list(Person.objects.filter(pk__in=child_ids).order_by("-date_of_birth"))
    youngest, siblings = children[0], children[1:]
    for months_ago, grade in ((12, 2), (9, 4), (6, 2), (2, 4)):
        when = as_of - timedelta(days=30 * months_ago)
        answers: dict[str, Any] = {
            area: {sub: {"grade": grade, "evidence": EVIDENCE[grade]} for sub in subs}
            for area, subs in AREAS.items()
        }
        answers["about"] = {"assessed_on": when.isoformat()}
        _complete("graded-care", worker, youngest, answers, siblings=siblings)
    _complete(
        "day-in-my-life",
        worker,
        youngest,
        {
            "breakfast": {
                "what_happens": "No breakfast at home; she eats toast at the school breakfast club.",
                "who_is_there": "Her brothers; mum asleep",
                "child_feels": "hungry",
                "child_words": "There's never any cereal. I get hungry in maths.",
            },
            "bedtime": {
                "what_happens": "No set bedtime; she falls asleep on the sofa with the television on.",
                "child_feels": "tired",
                "child_words": "I sleep on the settee because my bed smells.",
            },
            "voice": {"methods": ["conversation", "drawing"], "seen_alone": "yes"},
            "summary": {
                "good_for_child": "She loves her teaching assistant and the breakfast club.",
                "worrying_for_child": "She arrives hungry four days in five and falls asleep in lessons.",
                "child_knows_plan": "yes",
            },
        },
    )
    plan = Episode.objects.filter(
        child=youngest, kind=EpisodeKind.CP_PLAN, end_date__isnull=True
    ).first()
    if plan is None:
        return
    save_action(
        by=worker,
        plan=plan,
        who_name="Kim Patel (health visitor)",
        what="Weigh the youngest child at the clinic every fortnight and share the result",
        outcome="Weight back on the 25th centile within 12 weeks",
        by_when=as_of + timedelta(days=84),
        review_date=as_of + timedelta(days=42),
    )
    save_action(
        by=worker, plan=plan, who_name="Parents", what="Improve home conditions", outcome="Better"
    )
