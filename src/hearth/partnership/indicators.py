"""The indicator library: each indicator defined once, with its plain-English definition, and one
implementation that the dataset page, the exports, the command and the API all call.

An indicator's `compute` receives a `PeriodFacts` (the records for one period, already fetched)
and returns a `Measurement`: the figure with its numerator and denominator, and the same figure by
age band, sex, ethnicity or another group where that is meaningful.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from hearth.episodes.models import AbuseCategory, PrimaryNeed, ReferralSource
from hearth.lib.periods import Period, add_months
from hearth.lib.plan_years import PlanYear
from hearth.partnership.facts import (
    SEX_LABELS,
    AlertRow,
    Facts,
    Plan,
    Referral,
    age_band,
    ethnic_group,
)
from hearth.partnership.measures import Figure, Group, Item, Measurement, Unit, measure
from hearth.toolkit import reporting as toolkit_reporting
from hearth.workforce import reporting as workforce_reporting
from hearth.workforce.models import ConfidenceItem

CHILD_DIMENSIONS = ("age", "sex", "ethnicity")
# Plain strings: an enum member's attribute lookup, a million times over, costs a second.
NEGLECT = AbuseCategory.NEGLECT.value
N1 = PrimaryNeed.ABUSE_NEGLECT.value
SOURCE_GROUPS = {code: label.split(":")[0] for code, label in ReferralSource.choices}


class Section(StrEnum):
    CP = "Child protection plans"
    CIN = "Children in need"
    REFERRALS = "Referrals"
    TOOLKIT = "Neglect toolkit"
    ALERTS = "Alerts"
    WORKFORCE = "Workforce"


@dataclass
class PeriodFacts:
    facts: Facts
    period: Period
    population: int | None
    known: set[int] | None  # children the chosen agency knows; None: every child

    @cached_property
    def neglect_cohort(self) -> set[int]:
        """Children on a neglect plan on the period's last day (the toolkit's definition), of
        those the chosen agency knows (intersected here: that set can be large)."""
        found = set(
            toolkit_reporting.neglect_plan_children(self.period.end).values_list("pk", flat=True)
        )
        return found if self.known is None else found & self.known

    @cached_property
    def tool_coverage(self) -> dict[str, dict[str, Any]]:
        rows = toolkit_reporting.mandatory_tool_coverage(
            self.period.end, cohort=self.neglect_cohort
        )
        return {r["tool"]: r for r in rows}

    @cached_property
    def voice(self) -> dict[str, Any]:
        return toolkit_reporting.voice_of_the_child(self.period.end, cohort=self.neglect_cohort)

    @cached_property
    def referrals_in_period(self) -> list[Referral]:
        return [
            r
            for r in self.facts.referrals
            if self.period.contains(r.start) and self.includes(r.child_id)
        ]

    def includes(self, child_id: int) -> bool:
        return self.known is None or child_id in self.known

    def groups(self, child_id: int, on: date) -> dict[str, str]:
        child = self.facts.children.get(child_id)
        if child is None:
            return {}
        return {
            "age": age_band(child.dob, on),
            "sex": SEX_LABELS.get(child.sex, "Not known"),
            "ethnicity": ethnic_group(child.ethnicity),
        }

    # ---- shared selections ---------------------------------------------------------------
    def cp_open_at_end(self) -> list[Plan]:
        """One plan per child: a child is on a plan or not, whatever the records hold."""
        seen: dict[int, Plan] = {}
        for plan in self.facts.cp_plans:
            if plan.open_on(self.period.end) and self.includes(plan.child_id):
                seen.setdefault(plan.child_id, plan)
        return list(seen.values())

    def cp_started(self) -> list[Plan]:
        return [
            p
            for p in self.facts.cp_plans
            if self.period.contains(p.start) and self.includes(p.child_id)
        ]

    def cp_ended(self) -> list[Plan]:
        return [
            p
            for p in self.facts.cp_plans
            if p.end is not None and self.period.contains(p.end) and self.includes(p.child_id)
        ]

    def earlier_plans(self, plan: Plan) -> list[Plan]:
        return [
            p
            for p in self.facts.cp_plans_by_child.get(plan.child_id, [])
            if (p.start, p.id) < (plan.start, plan.id)
        ]


@dataclass(frozen=True)
class Indicator:
    code: str
    section: Section
    name: str
    unit: Unit
    definition: str
    numerator: str
    denominator: str
    source: str
    compute: Callable[[PeriodFacts], Measurement]
    dfe: str = ""  # the DfE definition it matches, if any
    reference: str = ""  # the published measure it is compared with (`ReferenceValue.measure`)
    counts_children: bool = True  # small numbers are suppressed for publication
    agency_filter: str = "Children with an involvement of the agency during the period."

    @property
    def matches_dfe(self) -> bool:
        return bool(self.dfe)


LIBRARY: dict[str, Indicator] = {}


def indicator(**meta: object) -> Callable[[Callable[[PeriodFacts], Measurement]], Callable]:
    def register(fn: Callable[[PeriodFacts], Measurement]) -> Callable[[PeriodFacts], Measurement]:
        code = str(meta["code"])
        if code in LIBRARY:
            raise ValueError(f"indicator {code} is defined twice")
        LIBRARY[code] = Indicator(compute=fn, **meta)  # type: ignore[arg-type]
        return fn

    return register


def _plan_items(
    pf: PeriodFacts, plans: list[Plan], on: Callable[[Plan], date], hit: Callable[[Plan], bool]
) -> list[Item]:
    return [Item(pf.groups(p.child_id, on(p)), hit(p)) for p in plans]


# ---- Child protection plans -------------------------------------------------------------------
CP_SOURCE = "Child protection plan episodes (start and end dates, initial and latest category)"


@indicator(
    code="cp_children",
    section=Section.CP,
    name="Children on child protection plans at the end of the period",
    unit=Unit.RATE,
    definition="Children with a child protection plan open on the last day of the period (a plan "
    "ending that day is closed), per 10,000 children.",
    numerator="Children on a plan on the last day",
    denominator="The child population (see the settings)",
    source=CP_SOURCE,
    dfe="Children on child protection plans at 31 March, rate per 10,000 (CIN census table D1)",
    reference="cp_rate_at31",
)
def cp_children(pf: PeriodFacts) -> Measurement:
    plans = pf.cp_open_at_end()
    items = _plan_items(pf, plans, lambda p: pf.period.end, lambda p: True)
    return measure(Unit.RATE, items, dimensions=CHILD_DIMENSIONS, population=pf.population)


@indicator(
    code="cp_neglect_rate",
    section=Section.CP,
    name="Children on child protection plans under neglect (latest category)",
    unit=Unit.RATE,
    definition="Children on a plan on the last day of the period whose latest category is "
    "neglect, per 10,000 children.",
    numerator="Children on a plan under neglect on the last day",
    denominator="The child population",
    source=CP_SOURCE,
)
def cp_neglect_rate(pf: PeriodFacts) -> Measurement:
    plans = [p for p in pf.cp_open_at_end() if p.latest_category == NEGLECT]
    items = _plan_items(pf, plans, lambda p: pf.period.end, lambda p: True)
    return measure(Unit.RATE, items, dimensions=CHILD_DIMENSIONS, population=pf.population)


def _category_share(field: str) -> Callable[[PeriodFacts], Measurement]:
    def compute(pf: PeriodFacts) -> Measurement:
        items = _plan_items(
            pf, pf.cp_open_at_end(), lambda p: pf.period.end, lambda p: getattr(p, field) == NEGLECT
        )
        return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)

    return compute


indicator(
    code="cp_neglect_share_initial",
    section=Section.CP,
    name="Share of children on plans whose initial category was neglect",
    unit=Unit.PERCENT,
    definition="Of children on a plan on the last day of the period, those whose plan began "
    "under the neglect category.",
    numerator="Children on a plan whose initial category is neglect",
    denominator="Children on a plan on the last day",
    source=CP_SOURCE,
    dfe="Initial category of abuse: neglect, share of plans at 31 March (CIN census table D2)",
)(_category_share("initial_category"))
indicator(
    code="cp_neglect_share_latest",
    section=Section.CP,
    name="Share of children on plans whose latest category is neglect",
    unit=Unit.PERCENT,
    definition="Of children on a plan on the last day of the period, those whose latest "
    "category (after any review that changed it) is neglect.",
    numerator="Children on a plan whose latest category is neglect",
    denominator="Children on a plan on the last day",
    source=CP_SOURCE,
    dfe="Latest category of abuse: neglect, share of plans at 31 March (CIN census table D1)",
)(_category_share("latest_category"))


@indicator(
    code="cp_started",
    section=Section.CP,
    name="Child protection plans started",
    unit=Unit.RATE,
    definition="Plans that started during the period (a child with two plans counts twice), per "
    "10,000 children a year: the count is annualised so that quarters compare with the DfE's "
    "yearly rate.",
    numerator="Plans started",
    denominator="The child population",
    source=CP_SOURCE,
)
def cp_started(pf: PeriodFacts) -> Measurement:
    items = _plan_items(pf, pf.cp_started(), lambda p: p.start, lambda p: True)
    return measure(
        Unit.RATE,
        items,
        dimensions=CHILD_DIMENSIONS,
        population=pf.population,
        annualise_days=pf.period.days,
    )


@indicator(
    code="cp_repeat_ever",
    section=Section.CP,
    name="Plans started that were a second or later plan",
    unit=Unit.PERCENT,
    definition="Of plans started in the period, those for a child who had an earlier child "
    "protection plan at any time: an earlier plan in the records, or a number of previous plans "
    "above zero (the census item, for plans before the records began).",
    numerator="Second or later plans started",
    denominator="Plans started",
    source=CP_SOURCE + "; number of previous plans",
    dfe="Child protection plans starting during the year that were a second or subsequent "
    "plan (CIN census table D3)",
    reference="cp_subsequent_percent",
)
def cp_repeat_ever(pf: PeriodFacts) -> Measurement:
    items = _plan_items(
        pf,
        pf.cp_started(),
        lambda p: p.start,
        lambda p: bool(pf.earlier_plans(p)) or (p.previous_plans or 0) > 0,
    )
    return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)


def _within_two_years(pf: PeriodFacts, plan: Plan) -> bool:
    ends = [p.end for p in pf.earlier_plans(plan) if p.end is not None and p.end <= plan.start]
    return bool(ends) and max(ends) >= add_months(plan.start, -24)


@indicator(
    code="cp_repeat_2y",
    section=Section.CP,
    name="Plans started within 2 years of the child's last plan ending",
    unit=Unit.PERCENT,
    definition="Of plans started in the period, those for a child whose previous plan ended no "
    "more than 2 years (24 calendar months, inclusive) before this one started.",
    numerator="Plans started within 2 years of the last one ending",
    denominator="Plans started",
    source=CP_SOURCE,
)
def cp_repeat_2y(pf: PeriodFacts) -> Measurement:
    items = _plan_items(pf, pf.cp_started(), lambda p: p.start, lambda p: _within_two_years(pf, p))
    return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)


def _lasted(plan: Plan, months: int, until: date) -> bool:
    return add_months(plan.start, months) <= until


def _open_duration(months: int) -> Callable[[PeriodFacts], Measurement]:
    def compute(pf: PeriodFacts) -> Measurement:
        items = _plan_items(
            pf,
            pf.cp_open_at_end(),
            lambda p: pf.period.end,
            lambda p: _lasted(p, months, pf.period.end),
        )
        return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)

    return compute


def _ended_duration(months: int) -> Callable[[PeriodFacts], Measurement]:
    def compute(pf: PeriodFacts) -> Measurement:
        items = _plan_items(
            pf,
            pf.cp_ended(),
            lambda p: p.end or pf.period.end,
            lambda p: p.end is not None and _lasted(p, months, p.end),
        )
        return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)

    return compute


indicator(
    code="cp_open_15m",
    section=Section.CP,
    name="Plans open at the end of the period that had lasted 15 months or more",
    unit=Unit.PERCENT,
    definition="Of children on a plan on the last day of the period, those whose plan had by "
    "then run for 15 calendar months or more.",
    numerator="Plans open 15 months or more",
    denominator="Children on a plan on the last day",
    source=CP_SOURCE,
)(_open_duration(15))
indicator(
    code="cp_open_2y",
    section=Section.CP,
    name="Plans open at the end of the period that had lasted 2 years or more",
    unit=Unit.PERCENT,
    definition="Of children on a plan on the last day of the period, those whose plan had by "
    "then run for 2 years (24 calendar months) or more.",
    numerator="Plans open 2 years or more",
    denominator="Children on a plan on the last day",
    source=CP_SOURCE,
    dfe="Child protection plans at 31 March by length: 2 years or more (CIN census table D5)",
    reference="cp_2years_percent_at31",
)(_open_duration(24))
indicator(
    code="cp_ended_15m",
    section=Section.CP,
    name="Plans ended in the period that had lasted 15 months or more",
    unit=Unit.PERCENT,
    definition="Of plans that ended during the period, those that had lasted 15 calendar months "
    "or more (among plans ended, not plans open).",
    numerator="Plans ended after 15 months or more",
    denominator="Plans ended",
    source=CP_SOURCE,
)(_ended_duration(15))
indicator(
    code="cp_ended_2y",
    section=Section.CP,
    name="Plans ended in the period that had lasted 2 years or more",
    unit=Unit.PERCENT,
    definition="Of plans that ended during the period, those that had lasted 2 years or more "
    "(among plans ended, not plans open).",
    numerator="Plans ended after 2 years or more",
    denominator="Plans ended",
    source=CP_SOURCE,
    dfe="Child protection plans ceasing during the year by length: 2 years or more (table D4)",
)(_ended_duration(24))


@indicator(
    code="cp_ended_3m",
    section=Section.CP,
    name="Plans ended in the period within 3 months of starting",
    unit=Unit.PERCENT,
    definition="Of plans that ended during the period, those that ended no more than 3 calendar "
    "months after they started (ended at or before the first review conference).",
    numerator="Plans that lasted 3 months or less",
    denominator="Plans ended",
    source=CP_SOURCE,
    dfe="Child protection plans ceasing during the year that lasted 3 months or less (table D4)",
)
def cp_ended_3m(pf: PeriodFacts) -> Measurement:
    items = _plan_items(
        pf,
        pf.cp_ended(),
        lambda p: p.end or pf.period.end,
        lambda p: p.end is not None and p.end <= add_months(p.start, 3),
    )
    return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)


@indicator(
    code="cp_category_changed",
    section=Section.CP,
    name="Plans whose category has changed since they began",
    unit=Unit.PERCENT,
    definition="Of plans open at any time during the period, those whose latest category differs "
    "from the initial category (a review conference changed it).",
    numerator="Plans with a changed category",
    denominator="Plans open during the period",
    source=CP_SOURCE,
)
def cp_category_changed(pf: PeriodFacts) -> Measurement:
    plans = [p for p in pf.facts.cp_plans if p.overlaps(pf.period) and pf.includes(p.child_id)]
    items = _plan_items(
        pf,
        plans,
        lambda p: pf.period.end,
        lambda p: bool(p.latest_category) and p.latest_category != p.initial_category,
    )
    return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)


# ---- Children in need -------------------------------------------------------------------------
def _cin_neglect_open(pf: PeriodFacts) -> list[Plan]:
    seen: dict[int, Plan] = {}
    for plan in pf.facts.cin_plans:
        if plan.primary_need == N1 and plan.open_on(pf.period.end) and pf.includes(plan.child_id):
            seen.setdefault(plan.child_id, plan)
    return list(seen.values())


CIN_NEGLECT = (
    "child in need plans whose referral's primary need is abuse or neglect (N1: the census does "
    "not separate neglect from abuse in the primary need)"
)


@indicator(
    code="cin_neglect_plans",
    section=Section.CIN,
    name="Children on child in need plans where neglect is the primary concern",
    unit=Unit.RATE,
    definition=f"Children with one of the {CIN_NEGLECT} open on the last day of the period, per "
    "10,000 children.",
    numerator="Children on such a plan on the last day",
    denominator="The child population",
    source="Child in need plan episodes and their referral's primary need",
)
def cin_neglect_plans(pf: PeriodFacts) -> Measurement:
    items = _plan_items(pf, _cin_neglect_open(pf), lambda p: pf.period.end, lambda p: True)
    return measure(Unit.RATE, items, dimensions=CHILD_DIMENSIONS, population=pf.population)


@indicator(
    code="cin_neglect_over_12m",
    section=Section.CIN,
    name="Child in need plans for neglect open over 12 months",
    unit=Unit.PERCENT,
    definition=f"Of {CIN_NEGLECT} open on the last day of the period, those that had run 12 "
    "calendar months or more by then (the drift measure in the West Sussex dataset).",
    numerator="Plans open 12 months or more",
    denominator="Children on such a plan on the last day",
    source="Child in need plan episodes and their referral's primary need",
)
def cin_neglect_over_12m(pf: PeriodFacts) -> Measurement:
    items = _plan_items(
        pf,
        _cin_neglect_open(pf),
        lambda p: pf.period.end,
        lambda p: _lasted(p, 12, pf.period.end),
    )
    return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)


@indicator(
    code="assessment_neglect",
    section=Section.CIN,
    name="Assessments that identified neglect",
    unit=Unit.PERCENT,
    definition="Of assessments completed (authorised) in the period, those with neglect (factor "
    "16A) among the factors identified.",
    numerator="Assessments identifying neglect (16A)",
    denominator="Assessments completed",
    source="Assessment episodes: authorisation date and factors identified",
    dfe="Factors identified at the end of assessment: neglect (CIN census table C3; the DfE's "
    "denominator is episodes with any factor recorded)",
    reference="assessment_neglect_percent",
)
def assessment_neglect(pf: PeriodFacts) -> Measurement:
    items = [
        Item(pf.groups(a.child_id, a.authorised), "16A" in a.factors)
        for a in pf.facts.assessments
        if pf.period.contains(a.authorised) and pf.includes(a.child_id)
    ]
    return measure(Unit.PERCENT, items, dimensions=CHILD_DIMENSIONS)


# ---- Referrals --------------------------------------------------------------------------------
REFERRAL_SOURCE_TEXT = (
    "Referral episodes (date, source, primary need); contacts still under screening are not counted"
)


def _source_group(code: str) -> str:
    return SOURCE_GROUPS.get(code, "Not recorded")


def _referrals(pf: PeriodFacts) -> list[Referral]:
    return pf.referrals_in_period


@indicator(
    code="referrals",
    section=Section.REFERRALS,
    name="Referrals to children's social care",
    unit=Unit.RATE,
    definition="Referrals received in the period (a child referred twice counts twice), per "
    "10,000 children a year (the count is annualised). By source: the agency that referred.",
    numerator="Referrals",
    denominator="The child population",
    source=REFERRAL_SOURCE_TEXT,
    dfe="Referrals during the year, rate per 10,000 children (CIN census table C1)",
    reference="referral_rate",
)
def referrals(pf: PeriodFacts) -> Measurement:
    items = [
        Item(pf.groups(r.child_id, r.start) | {"source": _source_group(r.source)})
        for r in _referrals(pf)
    ]
    return measure(
        Unit.RATE,
        items,
        dimensions=("source", *CHILD_DIMENSIONS),
        population=pf.population,
        annualise_days=pf.period.days,
    )


@indicator(
    code="referrals_neglect",
    section=Section.REFERRALS,
    name="Referrals where neglect is the presenting need",
    unit=Unit.PERCENT,
    definition="Of referrals received in the period, those whose primary need is abuse or "
    "neglect (N1).",
    numerator="Referrals with primary need N1",
    denominator="Referrals",
    source=REFERRAL_SOURCE_TEXT,
)
def referrals_neglect(pf: PeriodFacts) -> Measurement:
    items = [
        Item(
            pf.groups(r.child_id, r.start) | {"source": _source_group(r.source)},
            r.primary_need == N1,
        )
        for r in _referrals(pf)
    ]
    return measure(Unit.PERCENT, items, dimensions=("source", *CHILD_DIMENSIONS))


def is_rereferral(pf: PeriodFacts, referral: Referral) -> bool:
    """12 calendar months, inclusive: a previous referral on or after the same date a year
    earlier makes this one a re-referral (so exactly 12 months counts)."""
    since = add_months(referral.start, -12)
    return any(
        since <= r.start <= referral.start and (r.start, r.id) < (referral.start, referral.id)
        for r in pf.facts.referrals_by_child.get(referral.child_id, [])
    )


@indicator(
    code="rereferrals_12m",
    section=Section.REFERRALS,
    name="Re-referrals within 12 months of a previous referral",
    unit=Unit.PERCENT,
    definition="Of referrals received in the period, those for a child with a previous referral "
    "within 12 calendar months before it (inclusive: exactly 12 months counts; not 365 days).",
    numerator="Re-referrals",
    denominator="Referrals",
    source=REFERRAL_SOURCE_TEXT,
    dfe="Re-referrals within 12 months of a previous referral (CIN census table C1)",
    reference="rereferral_percent",
)
def rereferrals_12m(pf: PeriodFacts) -> Measurement:
    items = [
        Item(
            pf.groups(r.child_id, r.start) | {"source": _source_group(r.source)},
            is_rereferral(pf, r),
        )
        for r in _referrals(pf)
    ]
    return measure(Unit.PERCENT, items, dimensions=("source", *CHILD_DIMENSIONS))


# ---- Neglect toolkit ---------------------------------------------------------------------------
TOOLKIT_SOURCE = "Completed toolkit responses and chronology entries (hearth.toolkit.reporting)"
NEGLECT_PLAN_TEXT = (
    "children on a neglect plan on the last day of the period (a CP plan whose latest category "
    "is neglect, or a CIN plan with primary need N1)"
)


@indicator(
    code="tools_completed",
    section=Section.TOOLKIT,
    name="Toolkit tools completed",
    unit=Unit.COUNT,
    definition="Tools completed during the period, by tool, by the agency that completed them and "
    "by the author's team (the workbook also gives them week by week).",
    numerator="Tools completed",
    denominator="",
    source=TOOLKIT_SOURCE,
    agency_filter="Tools completed by the agency.",
)
def tools_completed(pf: PeriodFacts) -> Measurement:
    rows = toolkit_reporting.tools_completed_by_week(
        pf.period.start,
        pf.period.end,
        agency_ids=[pf.facts.agency_id] if pf.facts.agency_id else None,
    )
    items = [
        Item({"tool": r["tool_name"], "agency": r["agency"], "team": r["team"]})
        for r in rows
        for _ in range(r["count"])
    ]
    return measure(Unit.COUNT, items, dimensions=("tool", "agency", "team"))


def _coverage(code: str) -> Callable[[PeriodFacts], Measurement]:
    def compute(pf: PeriodFacts) -> Measurement:
        row = pf.tool_coverage.get(code)
        if row is None:
            return Measurement(Figure(None))
        return Measurement(Figure.share(row["with_tool"], row["children"]))

    return compute


for _code, _name in (
    ("chronology", "an impact chronology entry"),
    ("day-in-my-life", "a day in my life"),
    ("assessment-checklist", "an assessment checklist"),
    ("parent-child-observation", "a parent–child observation"),
):
    indicator(
        code=f"tool_coverage_{_code.replace('-', '_')}",
        section=Section.TOOLKIT,
        name=f"Children on neglect plans with {_name} in the last 6 months",
        unit=Unit.PERCENT,
        definition=f"Of {NEGLECT_PLAN_TEXT}, those with {_name} completed about them in the 183 "
        "days up to that day"
        + (" (an entry that says what it meant for the child)." if _code == "chronology" else "."),
        numerator=f"Children with {_name}",
        denominator="Children on neglect plans",
        source=TOOLKIT_SOURCE,
    )(_coverage(_code))


def _voice(key: str) -> Callable[[PeriodFacts], Measurement]:
    def compute(pf: PeriodFacts) -> Measurement:
        return Measurement(Figure.share(pf.voice[key], pf.voice["children"]))

    return compute


for _key, _code, _name in (
    ("seen_alone", "voice_seen_alone", "Children on neglect plans seen alone"),
    (
        "own_words_recorded",
        "voice_own_words",
        "Children on neglect plans whose own words are recorded",
    ),
    ("knows_plan", "voice_knows_plan", "Children on neglect plans who know they have a plan"),
):
    indicator(
        code=_code,
        section=Section.TOOLKIT,
        name=_name,
        unit=Unit.PERCENT,
        definition=f"Of {NEGLECT_PLAN_TEXT}, those whose latest 'day in my life' in the last 6 "
        "months records it (a child with no such tool counts as not recorded).",
        numerator=_name,
        denominator="Children on neglect plans",
        source=TOOLKIT_SOURCE,
    )(_voice(_key))


# ---- Alerts -----------------------------------------------------------------------------------
ALERT_SOURCE = "Alerts and the professional responses recorded to them"


def _alerts_raised(pf: PeriodFacts) -> list[AlertRow]:
    return [a for a in pf.facts.alerts if pf.period.contains(a.raised) and pf.includes(a.child_id)]


@indicator(
    code="alerts_raised",
    section=Section.ALERTS,
    name="Alerts raised",
    unit=Unit.COUNT,
    definition="Alerts raised during the period, by rule.",
    numerator="Alerts raised",
    denominator="",
    source=ALERT_SOURCE,
)
def alerts_raised(pf: PeriodFacts) -> Measurement:
    items = [Item({"rule": a.rule}) for a in _alerts_raised(pf)]
    return measure(Unit.COUNT, items, dimensions=("rule",))


@indicator(
    code="alerts_acknowledged",
    section=Section.ALERTS,
    name="Alerts raised in the period and responded to by its end",
    unit=Unit.PERCENT,
    definition="Of alerts raised during the period, those with any professional response "
    "(acknowledged, action taken or no action needed) recorded by the last day of the period.",
    numerator="Alerts with a response",
    denominator="Alerts raised",
    source=ALERT_SOURCE,
)
def alerts_acknowledged(pf: PeriodFacts) -> Measurement:
    items = [
        Item({"rule": a.rule}, a.first_response is not None and a.first_response <= pf.period.end)
        for a in _alerts_raised(pf)
    ]
    return measure(Unit.PERCENT, items, dimensions=("rule",))


@indicator(
    code="alerts_acted",
    section=Section.ALERTS,
    name="Alerts raised in the period and acted on by its end",
    unit=Unit.PERCENT,
    definition="Of alerts raised during the period, those with an 'action taken' response by "
    "the last day of the period.",
    numerator="Alerts acted on",
    denominator="Alerts raised",
    source=ALERT_SOURCE,
)
def alerts_acted(pf: PeriodFacts) -> Measurement:
    items = [
        Item({"rule": a.rule}, a.first_action is not None and a.first_action <= pf.period.end)
        for a in _alerts_raised(pf)
    ]
    return measure(Unit.PERCENT, items, dimensions=("rule",))


@indicator(
    code="alerts_open_median_age",
    section=Section.ALERTS,
    name="Median age of open alerts",
    unit=Unit.DAYS,
    definition="Of alerts open (raised and not closed) on the last day of the period, the median "
    "number of days since each was raised.",
    numerator="Open alerts",
    denominator="",
    source=ALERT_SOURCE,
)
def alerts_open_median_age(pf: PeriodFacts) -> Measurement:
    end = pf.period.end
    items = [
        Item({"rule": a.rule}, value=float((end - a.raised).days))
        for a in pf.facts.alerts
        if a.raised <= end and (a.closed is None or a.closed > end) and pf.includes(a.child_id)
    ]
    return measure(Unit.DAYS, items, dimensions=("rule",))


# ---- Workforce --------------------------------------------------------------------------------
WORKFORCE_SOURCE = "Training sessions, attendance and targets (hearth.workforce.reporting)"
PRACTITIONER_FILTER = "Practitioners of the agency."


def _agency_ids(pf: PeriodFacts) -> list[int] | None:
    return [pf.facts.agency_id] if pf.facts.agency_id else None


@indicator(
    code="training_reach",
    section=Section.WORKFORCE,
    name="Practitioners trained this plan year against the target",
    unit=Unit.PERCENT,
    definition="Distinct practitioners trained from the start of the plan year (1 April) to the "
    "period's last day, against the agencies' targets for that year (agencies without a target "
    "are left out; 'practitioners trained' counts them).",
    numerator="Practitioners trained in agencies with a target",
    denominator="The agencies' targets",
    source=WORKFORCE_SOURCE,
    counts_children=False,
    agency_filter=PRACTITIONER_FILTER,
)
def training_reach(pf: PeriodFacts) -> Measurement:
    year = PlanYear.containing(pf.period.end)
    rows = workforce_reporting.practitioners_trained(
        year.start, pf.period.end, agency_ids=_agency_ids(pf)
    )
    with_target = [r for r in rows if r["target"]]
    trained = sum(r["trained"] for r in with_target)
    target = sum(r["target"] or 0 for r in with_target)
    groups = [
        Group("agency", r["agency"], Figure.share(r["trained"], r["target"] or 0))
        for r in with_target
    ]
    return Measurement(Figure.share(trained, target), groups)


@indicator(
    code="practitioners_trained",
    section=Section.WORKFORCE,
    name="Practitioners trained in the period",
    unit=Unit.COUNT,
    definition="Distinct practitioners at a neglect training session during the period, by their "
    "own agency (someone at three sessions counts once).",
    numerator="Practitioners trained",
    denominator="",
    source=WORKFORCE_SOURCE,
    counts_children=False,
    agency_filter=PRACTITIONER_FILTER,
)
def practitioners_trained(pf: PeriodFacts) -> Measurement:
    rows = workforce_reporting.practitioners_trained(
        pf.period.start, pf.period.end, agency_ids=_agency_ids(pf)
    )
    total = sum(r["trained"] for r in rows)
    groups = [
        Group(
            "agency",
            r["agency"],
            Figure(100 * r["trained"] / total if total else None, r["trained"], total),
        )
        for r in rows
        if r["trained"]
    ]
    return Measurement(Figure.count(total), groups)


def _confidence(item: str) -> Callable[[PeriodFacts], Measurement]:
    def compute(pf: PeriodFacts) -> Measurement:
        rows = workforce_reporting.confidence_change(
            pf.period.start, pf.period.end, agency_ids=_agency_ids(pf)
        )
        row = next(r for r in rows if r["item"] == item)
        return Measurement(Figure(row["change"], row["respondents"], None))

    return compute


for _item in ConfidenceItem:
    indicator(
        code=f"confidence_{_item.value}",
        section=Section.WORKFORCE,
        name=f"Change in confidence after training: {_item.label.lower()}",
        unit=Unit.SCORE,
        definition="Among practitioners trained in the period who rated their confidence both "
        f"before and after (1 low to 5 high) in {_item.label.lower()}, the mean after minus the "
        "mean before.",
        numerator="Practitioners with both ratings",
        denominator="",
        source=WORKFORCE_SOURCE,
        counts_children=False,
        agency_filter=PRACTITIONER_FILTER,
    )(_confidence(_item.value))
