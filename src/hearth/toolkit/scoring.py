"""Scoring practice tools: pure functions of a tool definition and one response's answers.

The parameters (SDQ scales and bands, the graded-care line, ...) live in each definition's
"scoring" object, so a partnership can revise a tool version without a code change; this module
holds only the arithmetic. Nothing here touches the database, so views, reports and the loader
can all call it, and every result is JSON-serialisable so it can be stored with the response.

Answers are `{section_id: {question_id: value}}`, or a list of such dicts for a repeating
section. An unanswered question is absent, None or "". A stored value that cannot be what the
form engine saved (an SDQ item of 3, a grade of 9) raises ValueError rather than being scored:
a wrong score on a child's record is worse than no score.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

Definition = Mapping[str, Any]
Answers = Mapping[str, Any]
Result = dict[str, Any]

BAND_LABELS: dict[str, str] = {
    "close_to_average": "Close to average",
    "slightly_raised": "Slightly raised",
    "high": "High",
    "very_high": "Very high",
    "slightly_lowered": "Slightly lowered",
    "low": "Low",
    "very_low": "Very low",
}
# Band order, least to most concern: a band's rank is its index, so a higher rank is always
# worse whichever way the scale runs (prosocial is a strength: low scores are the concern).
RAISED_BANDS: tuple[str, ...] = ("close_to_average", "slightly_raised", "high", "very_high")
LOWERED_BANDS: tuple[str, ...] = ("close_to_average", "slightly_lowered", "low", "very_low")

STAGES: list[tuple[str, str]] = [
    ("precontemplation", "Pre-contemplation"),
    ("contemplation", "Contemplation"),
    ("preparation", "Preparation"),
    ("action", "Action"),
    ("maintenance", "Maintenance"),
    ("lapse", "Lapse"),
]
STAGE_LABELS: dict[str, str] = dict(STAGES)
# The forward order of change; a lapse sits outside it and always counts as going backwards.
_STAGE_ORDER: dict[str, int] = {value: i for i, (value, _) in enumerate(STAGES[:5])}
PROGRESS: list[tuple[str, str]] = [
    ("none", "No progress"),
    ("some", "Some progress"),
    ("good", "Good progress"),
    ("achieved", "Achieved"),
]

CHECKLIST_VALUES: frozenset[str] = frozenset({"yes", "no", "na"})


# --- shared helpers -------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _section(answers: Answers, section_id: str) -> Mapping[str, Any]:
    """The answers to a non-repeating section ({} when nothing was entered)."""
    got = answers.get(section_id)
    if got is None:
        return {}
    if not isinstance(got, Mapping):
        raise ValueError(f"answers to section '{section_id}' should be an object")
    return got


def _repeats(answers: Answers, section_id: str) -> list[Mapping[str, Any]]:
    """The entries of a repeating section, skipping wholly blank ones."""
    got = answers.get(section_id)
    if got is None:
        return []
    if not isinstance(got, list) or not all(isinstance(e, Mapping) for e in got):
        raise ValueError(f"answers to repeating section '{section_id}' should be a list of objects")
    return [e for e in got if not all(_blank(v) for v in e.values())]


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what}: {value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"{what}: {value!r} is not a number")


def _date(value: Any, what: str) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a YYYY-MM-DD date") from None


def _round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, halves up, in exact integer arithmetic.

    Float rounding would turn 2.5 into 2 (Python rounds halves to even) and can misplace a
    half by a representation error; the SDQ's SPSS syntax rounds halves up.
    """
    return (2 * numerator + denominator) // (2 * denominator)


def _mean_1dp(total: int, count: int) -> float:
    """The mean to one decimal place, halves up (2.25 shows as 2.3, as a person would round it)."""
    return _round_half_up(10 * total, count) / 10


def _grouped_questions(
    definition: Definition, kind: str
) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """Non-repeating sections with their questions of one type.

    Repeating sections are left out: a per-entry grade or checklist item has no single answer.
    """
    out = []
    for section in definition["sections"]:
        if "repeat" in section:
            continue
        questions = [q for q in section["questions"] if q["type"] == kind]
        if questions:
            out.append((section, questions))
    return out


# --- SDQ ------------------------------------------------------------------------------------


def _sdq_band(score: int | None, table: Mapping[str, Sequence[int]] | None) -> Result:
    """Which four-band category a score falls in, with its rank (0 = close to average)."""
    if score is None or table is None:
        return {"band": None, "band_label": None, "band_rank": None}
    order = _band_order(table)
    for rank, band in enumerate(order):
        low, high = table[band]
        if low <= score <= high:
            return {"band": band, "band_label": BAND_LABELS[band], "band_rank": rank}
    raise ValueError(f"score {score} falls in no band of {dict(table)}")


def _band_order(table: Mapping[str, Sequence[int]]) -> tuple[str, ...]:
    for order in (RAISED_BANDS, LOWERED_BANDS):
        if set(table) == set(order):
            return order
    raise ValueError(
        f"bands should be exactly {RAISED_BANDS} or {LOWERED_BANDS}, not {list(table)}"
    )


def _sdq_item(value: Any, number: int) -> int | None:
    if _blank(value):
        return None
    response = _int(value, f"SDQ item {number}")
    if response not in (0, 1, 2):
        raise ValueError(f"SDQ item {number}: {value!r} is not 0, 1 or 2")
    return response


def _score_sdq(definition: Definition, answers: Answers, as_of: date) -> Result:
    """Youthinmind's published scoring: reverse-score, prorate from 3 of 5 items, sum, band.

    Matches the SPSS syntax `rnd(mean.3(...)*5)`: a scale with at least `min_answered` items
    answered is the mean of those items times the scale length, rounded with halves up.
    """
    params = definition["scoring"]
    prefix = params.get("item_prefix", "item_")
    min_answered = int(params.get("min_answered", 3))
    reverse = set(params["reverse_scored"])
    responses = _section(answers, params.get("items_section", "items"))
    informant = _section(answers, params.get("about_section", "about")).get("informant") or None
    bands = params["bands"]
    tables: Mapping[str, Any] | None = bands.get(informant) if informant else None
    if informant and tables is None:
        raise ValueError(f"SDQ: no bands for informant {informant!r}")

    def table(key: str) -> Mapping[str, Sequence[int]] | None:
        return tables.get(key) if tables is not None else None

    scored: dict[int, int | None] = {}
    for scale in params["scales"].values():
        for n in scale["items"]:
            raw = _sdq_item(responses.get(f"{prefix}{n}"), n)
            scored[n] = None if raw is None else (2 - raw if n in reverse else raw)

    scales: dict[str, Result] = {}
    for key, scale in params["scales"].items():
        got = [v for n in scale["items"] if (v := scored[n]) is not None]
        of = len(scale["items"])
        value = _round_half_up(sum(got) * of, len(got)) if len(got) >= min_answered else None
        scales[key] = {
            "title": scale.get("title", key),
            "score": value,
            "answered": len(got),
            "of": of,
            "prorated": value is not None and len(got) < of,
            **_sdq_band(value, table(key)),
        }

    def combined(keys: Sequence[str], banded: bool) -> Result:
        parts = [scales[k] for k in keys]
        missing = any(p["score"] is None for p in parts)
        value = None if missing else sum(p["score"] for p in parts)
        out: Result = {"score": value, "prorated": any(p["prorated"] for p in parts)}
        if banded:
            out.update(_sdq_band(value, table("total_difficulties")))
        return out

    return {
        "informant": informant,
        "scales": scales,
        "total_difficulties": combined(params["total_difficulties"], banded=True),
        "internalising": combined(params["internalising"], banded=False),
        "externalising": combined(params["externalising"], banded=False),
        "impact": _sdq_impact(params["impact"], answers, informant, table("impact")),
        "missing_items": sorted(n for n, v in scored.items() if v is None),
        "bands_source": bands.get("source", ""),
    }


def _sdq_impact(
    params: Mapping[str, Any],
    answers: Answers,
    informant: str | None,
    table: Mapping[str, Sequence[int]] | None,
) -> Result:
    """The impact supplement: 0 when the informant sees no difficulties, else the item sum.

    As the SPSS `sum()` does, the sum is over the items answered; it is missing only when none
    of the informant's items is answered, or when the difficulties question itself is blank.
    """
    given = _section(answers, params.get("section", "impact"))
    gate = given.get(params.get("gate_question", "has_difficulties"))
    item_ids: list[str] = list(params["items"].get(informant, [])) if informant else []
    item_scores: Mapping[str, int] = params["item_scores"]
    values = []
    for qid in item_ids:
        value = given.get(qid)
        if _blank(value):
            continue
        if not isinstance(value, str) or value not in item_scores:
            raise ValueError(f"SDQ impact '{qid}': {value!r} is not one of {list(item_scores)}")
        values.append(item_scores[value])
    if _blank(gate):
        total = None
    elif gate == params.get("no_difficulties", "no"):
        total = 0
    else:
        total = sum(values) if values and informant else None
    return {
        "score": total,
        "answered": len(values),
        "of": len(item_ids),
        "has_difficulties": None if _blank(gate) else gate,
        **_sdq_band(total, table),
    }


# --- graded care ----------------------------------------------------------------------------


def _grade(value: Any, question: Mapping[str, Any], where: str) -> tuple[int, str] | None:
    if _blank(value):
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: a grade is stored as {{'grade': n, 'evidence': text}}")
    if _blank(value.get("grade")):
        return None
    grade = _int(value["grade"], where)
    top = max((int(k) for k in question.get("descriptors", {})), default=5)
    if not 1 <= grade <= top:
        raise ValueError(f"{where}: grade {grade} is outside 1–{top}")
    evidence = value.get("evidence")
    return grade, evidence if isinstance(evidence, str) else ""


def _score_graded_care(definition: Definition, answers: Answers, as_of: date) -> Result:
    """Area and overall means against the good-enough line, and what is still to evidence.

    A sub-area is good enough at a grade <= good_enough_max. An area (or the whole assessment)
    is good enough when its mean, to 1 dp as shown, is <= `line`: by default halfway between
    the last good-enough grade and the next (2.5), so an area of mixed 2s and 3s is judged by
    which it leans to. Judging the shown mean means the page never says "2.5, not good enough".
    The overall mean is over every graded sub-area, so each observation weighs the same.
    """
    params = definition["scoring"]
    good_enough_max = int(params.get("good_enough_max", 2))
    line = float(params.get("line", good_enough_max + 0.5))
    serious_min = int(params.get("serious_min", 4))
    areas: dict[str, Result] = {}
    every: list[int] = []
    missing_evidence: list[Result] = []
    ungraded: list[Result] = []
    serious: list[Result] = []
    of = 0
    for section, questions in _grouped_questions(definition, "grade"):
        given = _section(answers, section["id"])
        grades: dict[str, int] = {}
        for q in questions:
            where = {"area": section["id"], "sub_area": q["id"], "label": q["label"]}
            got = _grade(given.get(q["id"]), q, f"{section['id']}.{q['id']}")
            if got is None:
                ungraded.append(where)
                continue
            grade, evidence = got
            grades[q["id"]] = grade
            if _blank(evidence):
                missing_evidence.append(where)
            if grade >= serious_min:
                serious.append({**where, "grade": grade})
        values = list(grades.values())
        mean = _mean_1dp(sum(values), len(values)) if values else None
        areas[section["id"]] = {
            "title": section["title"],
            "mean": mean,
            "worst": max(values, default=None),
            "graded": len(values),
            "of": len(questions),
            "grades": grades,
            "good_enough": None if mean is None else mean <= line,
        }
        every.extend(values)
        of += len(questions)
    overall_mean = _mean_1dp(sum(every), len(every)) if every else None
    return {
        "good_enough_max": good_enough_max,
        "line": line,
        "dip_min": int(params.get("dip_min", 2)),
        "areas": areas,
        "overall": {
            "mean": overall_mean,
            "worst": max(every, default=None),
            "graded": len(every),
            "of": of,
            "good_enough": None if overall_mean is None else overall_mean <= line,
        },
        "areas_not_good_enough": [k for k, a in areas.items() if a["good_enough"] is False],
        "serious_min": serious_min,
        "serious_count": len(serious),
        "serious": serious,
        "missing_evidence": missing_evidence,
        "ungraded": ungraded,
        "complete": not ungraded and not missing_evidence,
    }


def dips(values: Sequence[float], line: float) -> int:
    """How many times a series of means crosses from the good side (<= line) to the bad (> line).

    Only good-to-bad transitions between consecutive readings count: a series that starts bad
    has not dipped, it was never good. So bad, good, bad is one dip; good, bad, good, bad is two.
    """
    count = 0
    previous_good = False
    for value in values:
        good = value <= line
        if previous_good and not good:
            count += 1
        previous_good = good
    return count


def care_dipping(values: Sequence[float], line: float, min_dips: int = 2) -> bool:
    """True when care keeps slipping back over the line after getting better.

    The pattern (good, bad, good, bad) matters in neglect: improvements that are not sustained
    are easy to miss when each assessment is read alone. Steadily poor care is not "dipping";
    it shows in the means themselves.
    """
    if min_dips < 1:
        raise ValueError("min_dips must be at least 1")
    return dips(values, line) >= min_dips


# --- checklist ------------------------------------------------------------------------------


def _is_checklist_item(question: Mapping[str, Any]) -> bool:
    values = [o.get("value") for o in question.get("options", [])]
    return len(values) == len(CHECKLIST_VALUES) and set(values) == CHECKLIST_VALUES


def _score_checklist(definition: Definition, answers: Answers, as_of: date) -> Result:
    """Met / not met / not applicable counts over every yes/no/n.a. choice question.

    Completeness is met as a percentage of the applicable items, where an unanswered item
    counts as applicable (not yet shown to be met), rounded halves up; None if nothing applies.
    Question ids key the items, so they must be unique across the checklist's sections.
    """
    items: dict[str, str | None] = {}
    for section, questions in _grouped_questions(definition, "choice"):
        given = _section(answers, section["id"])
        for q in questions:
            if not _is_checklist_item(q):
                continue
            if q["id"] in items:
                raise ValueError(f"checklist item id '{q['id']}' is used in two sections")
            value = given.get(q["id"])
            if _blank(value):
                items[q["id"]] = None
            elif value in CHECKLIST_VALUES:
                items[q["id"]] = value
            else:
                raise ValueError(f"checklist item '{q['id']}': {value!r} is not yes, no or na")
    answers_given = list(items.values())
    met = answers_given.count("yes")
    not_met = answers_given.count("no")
    unanswered = answers_given.count(None)
    applicable = met + not_met + unanswered
    return {
        "items": items,
        "met": met,
        "not_met": not_met,
        "not_applicable": answers_given.count("na"),
        "unanswered": unanswered,
        "applicable": applicable,
        "completeness": _round_half_up(100 * met, applicable) if applicable else None,
    }


# --- capacity to change ---------------------------------------------------------------------


def _trajectory(stages: Sequence[str]) -> str:
    """The direction of the latest move: the last recorded stage against the one before it.

    A lapse is always worsening; moving on from a lapse to any stage is improving.
    """
    if stages and stages[-1] == "lapse":
        return "worsening"
    if len(stages) < 2:
        return "unknown"
    before, latest = stages[-2], stages[-1]
    if before == "lapse":
        return "improving"
    step = _STAGE_ORDER[latest] - _STAGE_ORDER[before]
    return "improving" if step > 0 else "worsening" if step < 0 else "static"


def _score_capacity_to_change(definition: Definition, answers: Answers, as_of: date) -> Result:
    """Reviews in date order, the latest stage and progress, and whether the target has passed.

    The latest stage and progress are the most recent ones recorded (a review that left one
    blank does not erase what an earlier review found). Reviews without a date cannot be placed
    in order, so they are counted in `undated_reviews` and otherwise left out.
    Overdue without progress: the target date has passed, the goal is not achieved and the
    parent is not at least taking action.
    """
    params = definition["scoring"]
    change = _section(answers, params.get("change_section", "change"))
    target = _date(change.get("target_date"), "target_date")
    reviews: list[Result] = []
    undated = 0
    for n, entry in enumerate(_repeats(answers, params.get("reviews_section", "reviews")), 1):
        when = _date(entry.get("review_date"), f"review {n} date")
        if when is None:
            undated += 1
            continue
        stage = entry.get("stage") or None
        if stage is not None and stage not in STAGE_LABELS:
            raise ValueError(f"review {n}: {stage!r} is not a stage of change")
        reviews.append(
            {
                "date": when.isoformat(),
                "stage": stage,
                "progress": entry.get("progress") or None,
                "engagement": entry.get("engagement") or None,
            }
        )
    reviews.sort(key=lambda r: r["date"])  # stable: same-day reviews keep the order entered
    stages = [r["stage"] for r in reviews if r["stage"]]
    progress = [r["progress"] for r in reviews if r["progress"]]
    latest_stage = stages[-1] if stages else None
    latest_progress = progress[-1] if progress else None
    overdue = target is not None and as_of > target
    return {
        "reviews": reviews,
        "undated_reviews": undated,
        "latest_stage": latest_stage,
        "latest_progress": latest_progress,
        "target_date": target.isoformat() if target else None,
        "as_of": as_of.isoformat(),
        "overdue": overdue,
        "overdue_without_progress": overdue
        and latest_progress != "achieved"
        and latest_stage not in ("action", "maintenance"),
        "trajectory": _trajectory(stages),
    }


def _score_so_what(definition: Definition, answers: Answers, as_of: date) -> Result:
    """The plan check on each next step: which SMART element it is missing."""
    from hearth.plans.smart import check_next_step  # pure Python, like this module

    steps = _repeats(answers, "next_steps")
    problems = {
        str(i + 1): [p.message for p in check_next_step(dict(s))] for i, s in enumerate(steps)
    }
    return {
        "next_steps": len(steps),
        "not_smart": sum(1 for v in problems.values() if v),
        "problems": {k: v for k, v in problems.items() if v},
    }


# --- dispatch -------------------------------------------------------------------------------

_METHODS: dict[str, Callable[[Definition, Answers, date], Result]] = {
    "none": lambda definition, answers, as_of: {},
    "sdq": _score_sdq,
    "graded_care": _score_graded_care,
    "checklist": _score_checklist,
    "capacity_to_change": _score_capacity_to_change,
    "so_what": _score_so_what,
}


def score(definition: Definition, answers: Answers, *, as_of: date | None = None) -> Result:
    """Score one response by its definition's method; a JSON-serialisable dict ({} for "none").

    `as_of` (for overdue checks) defaults to the machine's date; Django callers should pass
    `timezone.localdate()`.
    """
    method = definition.get("scoring", {}).get("method", "none")
    scorer = _METHODS.get(method)
    if scorer is None:
        raise ValueError(f"no scorer for method {method!r}; known: {sorted(_METHODS)}")
    return scorer(definition, answers or {}, as_of or date.today())  # noqa: DTZ011


def scoring_problems(definition: Definition) -> list[str]:
    """What is wrong with a definition's scoring parameters, for the loader to refuse early.

    For the SDQ: every scale's items exist and each band table covers every possible score
    exactly once, in order, so a partnership's revision cannot leave a score unbanded.
    """
    params = definition.get("scoring", {})
    if params.get("method") != "sdq":
        return []
    problems: list[str] = []
    try:
        questions = {
            s["id"]: {q["id"] for q in s["questions"]} for s in definition.get("sections", [])
        }
        items = questions.get(params.get("items_section", "items"), set())
        prefix = params.get("item_prefix", "item_")
        scales = params["scales"]
        for key, scale in scales.items():
            for n in scale["items"]:
                if f"{prefix}{n}" not in items:
                    problems.append(f"scale '{key}': no question '{prefix}{n}'")
        for n in params["reverse_scored"]:
            if not any(n in s["items"] for s in scales.values()):
                problems.append(f"reverse-scored item {n} is in no scale")
        for part in ("total_difficulties", "internalising", "externalising"):
            problems += [f"{part}: no scale '{k}'" for k in params[part] if k not in scales]
        impact = params["impact"]
        impact_questions = questions.get(impact.get("section", "impact"), set())
        top = {k: 2 * len(s["items"]) for k, s in scales.items()}
        top["total_difficulties"] = sum(top[k] for k in params["total_difficulties"])
        for informant, tables in params["bands"].items():
            if informant == "source":
                continue
            impact_items = impact["items"].get(informant, [])
            problems += [
                f"impact ({informant}): no question '{q}'"
                for q in impact_items
                if q not in impact_questions
            ]
            highest = max(impact["item_scores"].values()) * len(impact_items)
            for key, bands in tables.items():
                limit = highest if key == "impact" else top.get(key)
                if limit is None:
                    problems.append(f"bands ({informant}): no score called '{key}'")
                    continue
                problems += [f"bands ({informant}, {key}): {p}" for p in _band_gaps(bands, limit)]
    except (KeyError, TypeError, ValueError) as error:
        problems.append(f"malformed SDQ scoring parameters: {error!r}")
    return problems


def _band_gaps(bands: Mapping[str, Sequence[int]], top: int) -> list[str]:
    """Each score 0..top in exactly one band, and the bands in order of concern."""
    order = _band_order(bands)
    ranges = [tuple(bands[b]) for b in order]
    if any(len(r) != 2 or r[0] > r[1] for r in ranges):
        return ["each band is [lowest, highest]"]
    if order == LOWERED_BANDS:  # a strength: concern grows as the score falls
        ranges.reverse()
    expected = 0
    for low, high in ranges:
        if low != expected:
            return [f"bands should run on from {expected}, not start at {low}"]
        expected = high + 1
    if expected != top + 1:
        return [f"bands should end at {top}, not {expected - 1}"]
    return []
