"""The demo's agency action plans, Impact Framework evidence and training, over the last four quarters.

Children's social care and health visiting improve quarter by quarter; the police's Respond
objective gets worse; one police action has no update for the last quarter (overdue) and one CSC
action is past its due date. Every write goes through the actions, as a user's would. All text is
invented; the seed is the census date, so the same `--as-of` gives the same demo.
"""

import contextlib
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.accounts.models import User
from hearth.actionplans import actions as plan_actions
from hearth.actionplans.models import ActionPlan, ActionUpdate
from hearth.agencies.models import Agency
from hearth.lib.periods import Quarter
from hearth.lib.plan_years import PlanYear
from hearth.workforce import actions as training_actions


@dataclass(frozen=True)
class DemoAction:
    objective: str
    description: str
    owner: str
    measure: str
    ratings: tuple[str, str, str, str]  # oldest quarter first; "" means no update recorded
    due_quarters_ago: int = 0  # 0: the end of the plan year; n: the end of the quarter n ago


OBJECTIVES = {
    "recognise": "Practitioners recognise neglect early, including cumulative harm.",
    "respond": "Every concern about neglect gets a timely, proportionate response.",
    "quantify": "The agency measures the impact of neglect on the children it works with.",
    "evaluate": "The agency tests whether its work has made a difference for children.",
}

PLANS: dict[str, list[DemoAction]] = {
    "lead.csc": [
        DemoAction(
            "recognise",
            "Every social worker completes the neglect e-learning and a day in my life tool",
            "Principal social worker",
            "Day in my life used in 80% of assessments where neglect is a factor",
            ("red", "amber", "amber", "green"),
        ),
        DemoAction(
            "respond",
            "Review every CIN plan for neglect open over 12 months",
            "Head of family support and protection",
            "CIN plans for neglect open over 12 months down from 35.7% to 25%",
            ("red", "red", "amber", "amber"),
            due_quarters_ago=2,
        ),
        DemoAction(
            "quantify",
            "Record the graded care assessment in the case system so it can be reported",
            "Performance and systems manager",
            "Graded care scores reported quarterly for every child on a CP plan for neglect",
            ("amber", "amber", "green", "green"),
        ),
        DemoAction(
            "evaluate",
            "Quarterly neglect case audit with the voice of the child",
            "Head of quality assurance",
            "Audits rated good or better up from 40% to 60%",
            ("amber", "amber", "amber", "green"),
        ),
    ],
    "lead.health": [
        DemoAction(
            "recognise",
            "Neglect half-day session for every health visiting locality",
            "Named nurse for safeguarding",
            "90% of health visitors trained; confidence scaling repeated",
            ("amber", "amber", "green", "green"),
        ),
        DemoAction(
            "respond",
            "Was-not-brought follow-up within 5 working days for every missed appointment",
            "Named nurse for safeguarding",
            "Follow-up recorded for 95% of missed appointments",
            ("red", "amber", "amber", "green"),
        ),
        DemoAction(
            "evaluate",
            "Staff scaling questionnaire on confidence with neglect, repeated each half-year",
            "Safeguarding children lead",
            "Mean confidence up from 2.8 to 4 on a 5-point scale",
            ("amber", "green", "green", "green"),
        ),
    ],
    "lead.police": [
        DemoAction(
            "recognise",
            "60-second briefing on recognising neglect to every response officer",
            "Detective inspector, safeguarding",
            "Neglect named in 50% more police referrals to the front door",
            ("green", "green", "green", "green"),
        ),
        DemoAction(
            "respond",
            "Record the child's views at every domestic-abuse call where children live",
            "Detective inspector, safeguarding",
            "The child's views recorded at 90% of calls, audited monthly",
            ("green", "green", "amber", "red"),
        ),
        DemoAction(
            "quantify",
            "Neglect flagged as a crime type where the threshold is met",
            "Crime registrar",
            "Every child-neglect crime flagged and counted quarterly",
            ("amber", "amber", "green", ""),  # the last quarter's update is overdue
        ),
    ],
}

NARRATIVES = {
    "red": "Behind plan: {what} has not started in two teams and the measure has not moved.",
    "amber": "Progress: {what} is under way; the measure has moved but not yet to target.",
    "green": "On track: {what} is in place and the measure is at or near target.",
}

EVIDENCE = [
    (
        "recognise",
        "practitioner_feedback",
        "Practitioner forum: frontline staff say the day in my life tool helps them see the "
        "child's day; two teams still find it slow to record.",
        ["tool_coverage_day_in_my_life"],
        "lead.csc",
    ),
    (
        "respond",
        "data_trends",
        "CIN plans for neglect open over 12 months fell for the second quarter running; "
        "re-referrals within 12 months are flat.",
        ["cin_neglect_over_12m", "rereferrals_12m"],
        "lead.csc",
    ),
    (
        "respond",
        "audits",
        "Multi-agency audit of 20 neglect cases: the child was seen alone in 14; police "
        "records of the child's views are inconsistent.",
        ["cp_neglect_share_latest"],
        "lead.police",
    ),
    (
        "recognise",
        "voice_of_children",
        "Young people on plans for neglect told the participation worker they now know "
        "who their social worker is; several still did not know they were on a plan.",
        [],
        "",
    ),
    (
        "evaluate",
        "action_plan_reviews",
        "The neglect working group reviewed every agency's return: health visiting is on "
        "track; the police's Respond objective has worsened for two quarters.",
        [],
        "lead.health",
    ),
]

SESSIONS = [
    # (months before the census date, title, course type, delivering lead or None, attendees)
    (10, "Neglect strategy and toolkit launch", "strategy_launch", None, 18),
    (7, "Cumulative harm and the graded care tool", "multi_agency", None, 14),
    (4, "Neglect champions workshop", "champions", "lead.csc", 10),
    (2, "Neglect half-day session: health visiting", "single_agency", "lead.health", 12),
]
NAME_ONLY = ["Priya Shah", "Tom Eccles", "Grace Adeyemi", "Owen Burke", "Hana Novak", "Lewis Hart"]


def seed_action_plans(as_of: date) -> None:
    """Action plans, updates, sign-offs, evidence and training for the demo's agency leads."""
    leads = {u.username: u for u in User.objects.filter(username__in=PLANS)}
    admin = User.objects.filter(username="admin").first()
    analyst = User.objects.filter(username="analyst").first()
    if len(leads) != len(PLANS) or admin is None or analyst is None:
        return
    current = Quarter.containing(as_of)
    quarters = current.previous().trailing(4)  # the last four complete quarters, oldest first
    latest_updates = _plans_and_updates(leads, admin, quarters, as_of)
    for objective, source, summary, codes, lead in EVIDENCE:
        plan_actions.record_evidence(
            by=analyst,
            strategic_objective=objective,
            source=source,
            quarter=quarters[-1].code,
            summary=summary,
            indicator_codes=codes,
            updates=latest_updates.get((lead, objective), []),
        )
    _training(leads, admin, as_of, random.Random(as_of.toordinal()))


def _plans_and_updates(
    leads: dict[str, User], admin: User, quarters: list[Quarter], as_of: date
) -> dict[tuple[str, str], list[ActionUpdate]]:
    """One plan per agency per plan year the quarters touch; actions carried into the next year."""
    latest: dict[tuple[str, str], list[ActionUpdate]] = {}
    years = sorted({PlanYear.of_quarter(q) for q in quarters})
    for username, specs in PLANS.items():
        lead = leads[username]
        assert lead.agency is not None
        for year in years:
            plan = plan_actions.create_plan(by=admin, agency=lead.agency, plan_year=year.code)
            objectives = {
                code: plan_actions.add_objective(
                    by=lead, plan=plan, strategic_objective=code, description=text
                )
                for code, text in OBJECTIVES.items()
                if any(s.objective == code for s in specs)
            }
            in_year = [q for q in quarters if year.contains(q)]
            for spec in specs:
                due = quarters[-spec.due_quarters_ago].end if spec.due_quarters_ago else year.end
                action = plan_actions.add_action(
                    by=lead,
                    objective=objectives[spec.objective],
                    description=spec.description,
                    owner=spec.owner,
                    due_date=due,
                    measure_of_impact=spec.measure,
                    first_quarter=in_year[0].code,
                )
                for quarter, rag in zip(quarters, spec.ratings, strict=True):
                    if not rag or quarter not in in_year:
                        continue
                    made = plan_actions.record_update(
                        by=lead,
                        action=action,
                        quarter=quarter.code,
                        rag=rag,
                        narrative=NARRATIVES[rag].format(what=spec.description.lower()),
                        evidence=f"Figures for {quarter.label} from the agency's own reporting.",
                        today=as_of,
                    )
                    if quarter == quarters[-1]:
                        latest.setdefault((username, spec.objective), []).append(made)
            for quarter in in_year:
                _sign_off_if_complete(lead, plan, quarter, as_of)
    return latest


def _sign_off_if_complete(lead: User, plan: ActionPlan, quarter: Quarter, as_of: date) -> None:
    """The lead signs off every quarter whose return is complete (not the one with a gap)."""
    with contextlib.suppress(ValidationError):
        plan_actions.sign_off(by=lead, plan=plan, quarter=quarter.code, today=as_of)


def _training(leads: dict[str, User], admin: User, as_of: date, rng: random.Random) -> None:
    today = min(as_of, timezone.localdate())
    agencies: list[Agency] = [a for a in (leads[u].agency for u in PLANS) if a is not None]
    practitioners = {
        agency.pk: list(
            User.objects.filter(agency=agency, role="practitioner", is_active=True).order_by("pk")[
                :40
            ]
        )
        for agency in agencies
    }
    for months_ago, title, course, lead_name, size in SESSIONS:
        by = leads[lead_name] if lead_name else admin
        agency = by.agency if lead_name else None
        held = today - timedelta(days=30 * months_ago)
        session = training_actions.record_session(
            by=by, title=title, held_on=held, course_type=course, agency=agency
        )
        pool = [u for a in ([agency] if agency else agencies) for u in practitioners[a.pk]]
        chosen = rng.sample(pool, min(size, len(pool)))
        for user in chosen:
            training_actions.record_attendance(
                by=admin, session=session, user=user, confidence=_confidence(rng)
            )
        for name in NAME_ONLY[: 2 if agency else len(NAME_ONLY)]:
            training_actions.record_attendance(
                by=admin,
                session=session,
                name=name,
                agency=agency or rng.choice(agencies),
                confidence=_confidence(rng),
            )
    for year in sorted(
        {PlanYear.containing(today - timedelta(days=300)), PlanYear.containing(today)}
    ):
        for agency, target in zip(agencies, (60, 45, 80), strict=False):
            training_actions.set_target(
                by=admin, agency=agency, plan_year=year.code, practitioners=target
            )


def _confidence(rng: random.Random) -> dict[str, tuple[int | None, int | None]]:
    """Before 1–4, after the same or up to two points higher (the launch sessions' pattern)."""
    scores: dict[str, tuple[int | None, int | None]] = {}
    for item in ("recognising", "responding", "finding_tools", "using_tools"):
        if rng.random() < 0.1:
            scores[item] = (None, None)  # did not answer
            continue
        before = rng.randint(1, 4)
        scores[item] = (before, min(5, before + rng.choice((0, 1, 1, 2))))
    return scores
