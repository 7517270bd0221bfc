"""Rules over casework: cases closed without change, reviews, core groups and plan actions overdue,
no progress on capacity to change, plans ended against the social worker's advice, the child not
seen alone, and the child's GP or school missing from the network.

As everywhere in the engine, each condition is one set-based query over the children in scope
(`hearth_alert_scope`) and their families (`hearth_alert_family`); Python reads only the few rows
found (JSON answers and review dates, which SQLite stores as text and PostgreSQL as jsonb).
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from hearth.alerts.engine import (
    SCOPE_TABLE,
    Context,
    Evidence,
    Finding,
    Rows,
    Statement,
    as_date,
    rule,
)
from hearth.alerts.rules.concern import _plus_days
from hearth.alerts.rules.sql import entry_evidence, family_entries, in_list

PLAN_KINDS = ("early_help", "cin_plan", "cp_plan", "looked_after")
KIND_LABELS = {
    "referral": "referral",
    "assessment": "assessment",
    "s47": "section 47 enquiry",
    "early_help": "early help plan",
    "cin_plan": "child in need plan",
    "cp_plan": "child protection plan",
    "looked_after": "period of care",
}


# --- shared helpers ---------------------------------------------------------------------------


def is_open(alias: str) -> str:
    """An episode open at the date evaluated (two parameters: as_of, as_of); ended on the day
    means closed, as in the plan rules."""
    return f"{alias}.start_date <= %s AND ({alias}.end_date IS NULL OR {alias}.end_date > %s)"


def current(alias: str) -> str:
    """A residence, relationship or involvement current at the date evaluated (two parameters:
    as_of, as_of), as `hearth.people.households.current_q`: the end date is inclusive."""
    return (
        f"({alias}.start_date IS NULL OR {alias}.start_date <= %s) "
        f"AND ({alias}.end_date IS NULL OR {alias}.end_date >= %s)"
    )


def d(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else "an unknown date"


def ago(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''} ago"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def load_json(value: Any) -> Any:
    """A JSON column as read through a raw cursor: text on SQLite, already decoded on PostgreSQL."""
    if isinstance(value, str):
        return json.loads(value) if value else None
    return value


def years_before(on: date, years: int) -> date:
    """The same day `years` earlier (28 February for 29 February)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def episode_evidence(
    ctx: Context, pairs: Iterable[tuple[int, int]]
) -> dict[int, tuple[Evidence, ...]]:
    """Evidence for (child_id, episode_id) pairs. The child's own plans link to the plan; a
    referral, enquiry or another family member's episode is listed by name, without a link."""
    pairs = list(pairs)
    return episode_evidence_from(pairs, ctx.rows_together(*episode_statements(pairs)))


def episode_statements(pairs: Iterable[tuple[int, int]]) -> list[Statement]:
    """The statements `episode_evidence` runs, to send with others (`Context.rows_together`)."""
    ids = sorted({episode_id for _, episode_id in pairs})
    statements: list[Statement] = []
    for start in range(0, len(ids), 500):
        clause, params = in_list("p.id", ids[start : start + 500])
        statements.append(
            (
                "SELECT p.id, p.child_id, p.kind, p.start_date, p.end_date, p.end_reason, "
                "p.latest_category, pe.given_name, pe.family_name, COALESCE(a.name, '') "
                "FROM episodes_episode p JOIN people_person pe ON pe.id = p.child_id "
                f"LEFT JOIN agencies_agency a ON a.id = p.lead_agency_id WHERE {clause}",
                params,
            )
        )
    return statements


def episode_evidence_from(
    pairs: Iterable[tuple[int, int]], results: Iterable[Rows]
) -> dict[int, tuple[Evidence, ...]]:
    """`episode_evidence` from the rows of `episode_statements`."""
    by_child: dict[int, set[int]] = defaultdict(set)
    for child_id, episode_id in pairs:
        by_child[child_id].add(episode_id)
    rows = {row[0]: row for result in results for row in result}
    result: dict[int, tuple[Evidence, ...]] = {}
    for child, episodes in by_child.items():
        items = []
        for pk in episodes:
            _, owner, kind, began, ended, reason, category, given, family, agency = rows[pk]
            on, end = as_date(began), as_date(ended)
            label = kind_label(kind).capitalize()
            if kind == "cp_plan" and category:
                label += f" ({category})"
            label += f" from {d(on)}"
            if end:
                label += f" to {d(end)}" + (f": {reason}" if reason else "")
            own = owner == child
            if not own:
                label = f"{given} {family}: {label[0].lower()}{label[1:]}"
            link = "plan" if own and kind in PLAN_KINDS else "episode"
            items.append(Evidence(link, pk, on, agency, label))
        result[child] = tuple(sorted(items, key=lambda e: (e.on or date.min, e.id)))
    return result


def merge(*sources: dict[int, tuple[Evidence, ...]]) -> dict[int, tuple[Evidence, ...]]:
    """Evidence from several sources, one timeline per child, oldest first, without repeats."""
    merged: dict[int, dict[tuple[str, int, str], Evidence]] = defaultdict(dict)
    for source in sources:
        for child, items in source.items():
            for item in items:
                merged[child][(item.kind, item.id, item.label)] = item
    return {
        child: tuple(sorted(items.values(), key=lambda e: (e.on or date.min, e.kind, e.id)))
        for child, items in merged.items()
    }


def findings(
    code: str, reasons: dict[int, list[str]], *evidence: dict[int, tuple[Evidence, ...]]
) -> list[Finding]:
    timeline = merge(*evidence)
    return [
        Finding(code, child, " ".join(parts), timeline.get(child, ()))
        for child, parts in sorted(reasons.items())
        if parts
    ]


def tool_rows(ctx: Context, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """(answers, definition, effective_date, agency, carer name) for a few tool responses."""
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 500):
        clause, params = in_list("r.id", list(ids[start : start + 500]))
        for pk, answers, definition, on, agency, given, family in ctx.rows(
            "SELECT r.id, r.answers, v.definition, r.effective_date, a.name, "
            "c.given_name, c.family_name FROM toolkit_toolresponse r "
            "JOIN toolkit_toolversion v ON v.id = r.tool_version_id "
            "JOIN agencies_agency a ON a.id = r.agency_id "
            f"LEFT JOIN people_person c ON c.id = r.carer_id WHERE {clause}",
            params,
        ):
            carer = f"{given} {family}" if given or family else ""
            found[pk] = (
                load_json(answers) or {},
                load_json(definition) or {},
                as_date(on),
                agency,
                carer,
            )
    return found


# --- closed without change --------------------------------------------------------------------


@rule("closed-without-change")
def closed_without_change(ctx: Context) -> Iterable[Finding]:
    """A referral or plan closed in the lookback window, and the child has no open referral or
    plan now, where either the closure was for non-engagement (its end reason says so, or a
    non-engagement entry about the family is dated within `near_days` of it), or `min_concerns`
    or more concern events about the family were recorded in the `after_days` after it."""
    if not ctx.any_ended_since(int(ctx.params["lookback_days"]), *ctx.params["kinds"]):
        return []
    lookback = int(ctx.params["lookback_days"])
    near = int(ctx.params["near_days"])
    after = int(ctx.params["after_days"])
    minimum = int(ctx.params["min_concerns"])
    kinds = list(ctx.params["kinds"])
    patterns = [str(p).lower() for p in ctx.params["reason_patterns"]]
    markers = list(ctx.params["event_types"])
    since = ctx.days_ago(lookback)
    kind_in, kind_params = in_list("p.kind", kinds)
    still_open_kinds, still_open_params = in_list("o.kind", ["referral", *PLAN_KINDS])
    closed = f"""{kind_in} AND p.end_date > %s AND p.end_date <= %s
        AND NOT EXISTS (SELECT 1 FROM episodes_episode o WHERE o.child_id = p.child_id
            AND {still_open_kinds} AND {is_open("o")})"""
    closed_params = [*kind_params, since, ctx.as_of, *still_open_params, ctx.as_of, ctx.as_of]

    reasons: dict[int, list[str]] = defaultdict(list)
    closures: list[tuple[int, int]] = []
    entries: list[tuple[int, int]] = []

    # 1. The end reason says the family did not engage.
    if patterns:
        like = " OR ".join(["LOWER(p.end_reason) LIKE %s"] * len(patterns))
        for child, pk, kind, end, reason in ctx.rows(
            f"""SELECT s.child_id, p.id, p.kind, p.end_date, p.end_reason FROM {SCOPE_TABLE} s
            JOIN episodes_episode p ON p.child_id = s.child_id
            WHERE {closed} AND ({like}) ORDER BY p.end_date, p.id""",
            [*closed_params, *patterns],
        ):
            reasons[child].append(
                f"The {kind_label(kind)} was closed on {d(as_date(end))} for non-engagement "
                f'("{reason}").'
            )
            closures.append((child, pk))

    # 2. A non-engagement entry about the family near the closure.
    fam_sql, fam_params = family_entries(ctx, ctx.days_ago(lookback + near), ctx.as_of)
    marker_in, marker_params = in_list("et.code", markers)
    for child, pk, kind, end, entry_id in ctx.rows(
        f"""SELECT DISTINCT fe.child_id, p.id, p.kind, p.end_date, fe.entry_id FROM ({fam_sql}) fe
        JOIN chronology_eventtype et ON et.id = fe.event_type_id AND {marker_in}
        JOIN episodes_episode p ON p.child_id = fe.child_id
            AND fe.event_date <= {_plus_days("p.end_date", near)}
            AND p.end_date <= {_plus_days("fe.event_date", near)}
        WHERE {closed} ORDER BY p.end_date, p.id""",
        [*fam_params, *marker_params, *closed_params],
    ):
        if (child, pk) not in closures:
            reasons[child].append(
                f"The {kind_label(kind)} was closed on {d(as_date(end))}, and the family's "
                "non-engagement was recorded within "
                f"{near} days of the closure."
            )
            closures.append((child, pk))
        entries.append((child, entry_id))

    # 3. Concerns still being recorded after the closure.
    fam_sql, fam_params = family_entries(ctx, since, ctx.as_of)
    not_marker, not_marker_params = in_list("et.code", markers)
    concern_rows = ctx.rows(
        f"""SELECT fe.child_id, p.id, p.kind, p.end_date, COUNT(DISTINCT fe.entry_id)
        FROM ({fam_sql}) fe
        JOIN chronology_eventtype et ON et.id = fe.event_type_id
            AND et.is_concern AND NOT ({not_marker})
        JOIN episodes_episode p ON p.child_id = fe.child_id
            AND fe.event_date > p.end_date AND fe.event_date <= {_plus_days("p.end_date", after)}
        WHERE {closed}
        GROUP BY fe.child_id, p.id, p.kind, p.end_date HAVING COUNT(DISTINCT fe.entry_id) >= %s
        ORDER BY p.end_date, p.id""",
        [*fam_params, *not_marker_params, *closed_params, minimum],
    )
    for child, pk, kind, end, count in concern_rows:
        reasons[child].append(
            f"{count} concern{'s' if count != 1 else ''} about the child or family "
            f"{'were' if count != 1 else 'was'} recorded in the {after} days after the "
            f"{kind_label(kind)} closed on {d(as_date(end))}."
        )
        closures.append((child, pk))
    if concern_rows:
        ids = sorted({row[0] for row in concern_rows})
        child_in, child_params = in_list("fe.child_id", ids)
        pk_in, pk_params = in_list("p.id", sorted({row[1] for row in concern_rows}))
        entries += ctx.rows(
            f"""SELECT DISTINCT fe.child_id, fe.entry_id FROM ({fam_sql}) fe
            JOIN chronology_eventtype et ON et.id = fe.event_type_id
                AND et.is_concern AND NOT ({not_marker})
            JOIN episodes_episode p ON p.child_id = fe.child_id AND {pk_in}
                AND fe.event_date > p.end_date
                AND fe.event_date <= {_plus_days("p.end_date", after)}
            WHERE {child_in}""",
            [*fam_params, *not_marker_params, *pk_params, *child_params],
        )
    for child in reasons:
        reasons[child].append("The child has no open referral or plan.")
    return findings(
        "closed-without-change",
        reasons,
        episode_evidence(ctx, closures),
        entry_evidence(ctx, entries),
    )


# --- reviews and core groups overdue ----------------------------------------------------------


@rule("review-overdue")
def review_overdue(ctx: Context) -> Iterable[Finding]:
    """An open CP plan whose review is overdue (the first within `first_review_days` of the
    start, then every `review_interval_days` after the last), or with no core group meeting
    about the family in the last `core_group_days` days once the plan is older than that."""
    if not ctx.any_open("cp_plan"):
        return []
    first = int(ctx.params["first_review_days"])
    interval = int(ctx.params["review_interval_days"])
    core = int(ctx.params["core_group_days"])
    core_types = list(ctx.params["core_group_event_types"])
    reasons: dict[int, list[str]] = defaultdict(list)
    plans: list[tuple[int, int]] = []

    # Reviews. The review dates are the plan's (the CIN census CPPreviewDate list, which
    # recording a review in Hearth also updates): JSON, so read in Python for the open plans
    # old enough to be due one.
    for child, pk, began, review_dates in ctx.rows(
        f"""SELECT s.child_id, p.id, p.start_date, p.review_dates FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = 'cp_plan'
        WHERE {is_open("p")} AND p.start_date < %s ORDER BY p.start_date, p.id""",
        [ctx.as_of, ctx.as_of, ctx.days_ago(first)],
    ):
        start = as_date(began)
        assert start is not None
        held = [r for r in _dates(review_dates) if start <= r <= ctx.as_of]
        last = max(held, default=None)
        due = last + timedelta(days=interval) if last else start + timedelta(days=first)
        if ctx.as_of <= due:
            continue
        late = (ctx.as_of - due).days
        if last is None:
            reasons[child].append(
                f"The child protection plan started on {d(start)} has had no review: the first "
                f"was due by {d(due)}, within {first} days of the start ({ago(late)})."
            )
        else:
            reasons[child].append(
                f"The child protection plan was last reviewed on {d(last)}; the next review was "
                f"due by {d(due)}, {interval} days later ({ago(late)})."
            )
        plans.append((child, pk))

    # Core groups: a core group entry about anyone in the family counts.
    fam_sql, fam_params = family_entries(ctx, ctx.days_ago(core), ctx.as_of)
    type_in, type_params = in_list("et.code", core_types)
    for child, pk, start in ctx.rows(
        f"""SELECT s.child_id, p.id, p.start_date FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = 'cp_plan'
        WHERE {is_open("p")} AND p.start_date < %s
            AND s.child_id NOT IN (SELECT fe.child_id FROM ({fam_sql}) fe
                JOIN chronology_eventtype et ON et.id = fe.event_type_id AND {type_in})
        ORDER BY p.start_date, p.id""",
        [ctx.as_of, ctx.as_of, ctx.days_ago(core), *fam_params, *type_params],
    ):
        reasons[child].append(
            f"No core group meeting is recorded in the last {core} days of the child protection "
            f"plan started on {d(as_date(start))}."
        )
        plans.append((child, pk))
    return findings("review-overdue", reasons, episode_evidence(ctx, plans))


def _dates(value: Any) -> list[date]:
    found = []
    for item in load_json(value) or []:
        try:
            found.append(date.fromisoformat(str(item)[:10]))
        except ValueError:
            continue
    return found


# --- plan actions past their date -------------------------------------------------------------


@rule("actions-overdue")
def actions_overdue(ctx: Context) -> Iterable[Finding]:
    """Open actions on an open plan whose date ('by when') has passed by more than `grace_days`."""
    if not ctx.any_open(*PLAN_KINDS):
        return []
    grace = int(ctx.params["grace_days"])
    minimum = int(ctx.params["min_actions"])
    kind_in, kind_params = in_list("p.kind", list(PLAN_KINDS))
    overdue = f"""JOIN episodes_episode p ON p.child_id = s.child_id AND {kind_in} AND {is_open("p")}
        JOIN plans_planaction a ON a.plan_id = p.id AND a.status = 'open' AND a.by_when < %s"""
    overdue_params = [*kind_params, ctx.as_of, ctx.as_of, ctx.days_ago(grace)]
    counts: dict[int, int] = dict(
        ctx.rows(
            f"""SELECT s.child_id, COUNT(*) FROM {SCOPE_TABLE} s {overdue}
            GROUP BY s.child_id HAVING COUNT(*) >= %s""",
            [*overdue_params, minimum],
        )
    )
    if not counts:
        return []
    child_in, child_params = in_list("s.child_id", sorted(counts))
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    oldest: dict[int, tuple[date, str]] = {}
    for child, _action, plan_id, kind, by_when, what, who, agency, given, family in ctx.rows(
        f"""SELECT s.child_id, a.id, p.id, p.kind, a.by_when, a.what, a.who_name,
            COALESCE(ag.name, ''), w.given_name, w.family_name
        FROM {SCOPE_TABLE} s {overdue}
        LEFT JOIN agencies_agency ag ON ag.id = a.agency_id
        LEFT JOIN people_person w ON w.id = a.who_person_id
        WHERE {child_in} ORDER BY a.by_when, a.id""",
        [*overdue_params, *child_params],
    ):
        due = as_date(by_when)
        assert due is not None  # by_when < as_of
        who = who or (f"{given} {family}" if given or family else "")
        what = " ".join(str(what).split()) or "an action with no description"
        text = what if len(what) <= 100 else what[:99] + "…"
        label = f"Action due by {d(due)}, still open: {text}" + (f" ({who})" if who else "")
        evidence[child].append(Evidence("plan", plan_id, due, agency, label))
        oldest.setdefault(child, (due, kind_label(kind)))
    reasons = {}
    for child, count in counts.items():
        due, plan = oldest[child]
        reasons[child] = [
            f"{count} action{'s' if count != 1 else ''} on the {plan if count == 1 else 'plan'} "
            f"{'are' if count != 1 else 'is'} past {'their' if count != 1 else 'its'} date and "
            f"still open; the oldest was due by {d(due)} ({ago((ctx.as_of - due).days)})."
        ]
    return findings("actions-overdue", reasons, {c: tuple(items) for c, items in evidence.items()})


# --- no progress on capacity to change ---------------------------------------------------------


@rule("no-progress-capacity")
def no_progress_capacity(ctx: Context) -> Iterable[Finding]:
    """A completed capacity-to-change response about a child on an open plan, whose target date
    has passed with no review showing the target met or the carer at least taking action: the
    toolkit's own test (`overdue_without_progress`), on the reviews dated by the date evaluated."""
    if not ctx.any_open(*PLAN_KINDS):
        return []
    from hearth.toolkit import scoring

    tool_in, tool_params = in_list("t.code", list(ctx.params["tools"]))
    kind_in, kind_params = in_list("p.kind", list(PLAN_KINDS))
    candidates = ctx.rows(
        f"""SELECT DISTINCT s.child_id, r.id FROM {SCOPE_TABLE} s
        JOIN toolkit_responsesubject rs ON rs.person_id = s.child_id
        JOIN toolkit_toolresponse r ON r.id = rs.response_id AND r.status = 'completed'
            AND r.effective_date <= %s
        JOIN toolkit_tool t ON t.id = r.tool_id AND {tool_in}
        WHERE EXISTS (SELECT 1 FROM episodes_episode p WHERE p.child_id = s.child_id
            AND {kind_in} AND {is_open("p")})""",
        [ctx.as_of, *tool_params, *kind_params, ctx.as_of, ctx.as_of],
    )
    responses = tool_rows(ctx, sorted({pk for _, pk in candidates}))
    stages = dict(scoring.STAGES)
    progress_labels = dict(scoring.PROGRESS)
    reasons: dict[int, list[str]] = defaultdict(list)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for child, pk in sorted(candidates):
        answers, definition, _on, agency, carer = responses[pk]
        known = dict(answers)
        known["reviews"] = [
            r
            for r in answers.get("reviews") or []
            if isinstance(r, dict) and str(r.get("review_date") or "") <= ctx.as_of.isoformat()
        ]
        try:
            result = scoring.score(definition, known, as_of=ctx.as_of)
        except (ValueError, KeyError, TypeError):
            continue  # answers the scorer cannot read raise no alert (and no crash)
        if not result.get("overdue_without_progress"):
            continue
        target = as_date(result["target_date"])
        assert target is not None
        progress = progress_labels.get(result.get("latest_progress") or "", "none recorded")
        stage = stages.get(result.get("latest_stage") or "", "not recorded")
        with_carer = f" with {carer}" if carer else ""
        reasons[child].append(
            f"The capacity-to-change target{with_carer} was due by {d(target)} "
            f"({ago((ctx.as_of - target).days)}); the latest progress is "
            f"'{progress.lower()}' and the stage of change '{stage.lower()}'."
        )
        evidence[child].append(
            Evidence(
                "tool",
                pk,
                target,
                agency,
                f"Capacity to change{with_carer}: target date {d(target)}; progress "
                f"{progress.lower()}; stage {stage.lower()}",
            )
        )
    return findings(
        "no-progress-capacity", reasons, {c: tuple(items) for c, items in evidence.items()}
    )


# --- CP plan ended against the social worker's recommendation --------------------------------


@rule("cp-ended-against-advice")
def cp_ended_against_advice(ctx: Context) -> Iterable[Finding]:
    """A CP plan that ended in the lookback window within `within_days` after an entry about the
    child, during the plan, recording that the allocated social worker recommended it continue.
    A manager review task."""
    if not ctx.any_ended_since(int(ctx.params["lookback_days"]), "cp_plan"):
        return []
    lookback = int(ctx.params["lookback_days"])
    within = int(ctx.params["within_days"])
    type_in, type_params = in_list("et.code", list(ctx.params["event_types"]))
    rows = ctx.rows(
        f"""SELECT DISTINCT s.child_id, p.id, p.end_date, e.id, e.event_date FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = 'cp_plan'
            AND p.end_date > %s AND p.end_date <= %s
        JOIN chronology_entrysubject es ON es.person_id = s.child_id
            AND es.event_date >= p.start_date AND es.event_date <= p.end_date
            AND p.end_date <= {_plus_days("es.event_date", within)}
        JOIN chronology_chronologyentry e ON e.id = es.entry_id AND e.status = 'active'
        JOIN chronology_eventtype et ON et.id = e.event_type_id AND {type_in}
        ORDER BY p.end_date, e.event_date""",
        [ctx.days_ago(lookback), ctx.as_of, *type_params],
    )
    reasons: dict[int, list[str]] = defaultdict(list)
    said: set[int] = set()
    for child, pk, end, _entry, recommended in rows:
        if pk in said:
            continue
        said.add(pk)
        end, recommended = as_date(end), as_date(recommended)
        assert end is not None and recommended is not None
        reasons[child].append(
            f"The child protection plan ended on {d(end)}, {(end - recommended).days} days after "
            f"the allocated social worker recommended it continue ({d(recommended)}). "
            "A manager should review the decision."
        )
    return findings(
        "cp-ended-against-advice",
        reasons,
        episode_evidence(ctx, [(r[0], r[1]) for r in rows]),
        entry_evidence(ctx, [(r[0], r[3]) for r in rows]),
    )


# --- the child not seen alone ----------------------------------------------------------------

# Where each tool records whether the child was seen alone: (section, question).
SEEN_ALONE_ANSWERS = {
    "day-in-my-life": ("voice", "seen_alone"),
    "assessment-checklist": ("checklist", "child_seen_alone"),
}


def _voice_absent(code: str, answers: dict[str, Any]) -> bool:
    """The child's own words are missing: the checklist says so, or no part of a day in my life
    records anything the child said."""
    if code == "assessment-checklist":
        return (answers.get("checklist") or {}).get("child_words_recorded") == "no"
    return not any(
        str(section.get("child_words") or "").strip()
        for section in answers.values()
        if isinstance(section, dict)
    )


@rule("child-not-seen")
def child_not_seen(ctx: Context) -> Iterable[Finding]:
    """On an open CIN or CP plan: none of the last `last_visits` visits about the child since the
    plan started had the child seen alone on the same day, or all of them were on the doorstep
    only; or the latest day-in-my-life or assessment checklist completed for the child during the
    plan says they were not seen alone, or has none of the child's own words."""
    if not ctx.any_open(*ctx.params["kinds"]):
        return []
    n = int(ctx.params["last_visits"])
    kind_in, kind_params = in_list("p.kind", list(ctx.params["kinds"]))
    doorstep = list(ctx.params["doorstep_event_types"])
    visit_in, visit_params = in_list("et.code", list(ctx.params["visit_event_types"]) + doorstep)
    door_in, door_params = in_list("et.code", doorstep)
    seen_in, seen_params = in_list("et2.code", list(ctx.params["seen_event_types"]))
    tools = [t for t in ctx.params["tools"] if t in SEEN_ALONE_ANSWERS]
    tool_in, tool_params = in_list("t.code", tools)
    on_plan = f"""(SELECT s.child_id, MIN(p.start_date) AS since FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND {kind_in} AND {is_open("p")}
        GROUP BY s.child_id)"""
    on_plan_params = [*kind_params, ctx.as_of, ctx.as_of]
    visits = f"""SELECT op.child_id, e.id AS entry_id, es.event_date,
            CASE WHEN {door_in} THEN 1 ELSE 0 END AS doorstep,
            ROW_NUMBER() OVER (PARTITION BY op.child_id
                ORDER BY es.event_date DESC, e.id DESC) AS rn
        FROM {on_plan} op
        JOIN chronology_entrysubject es ON es.person_id = op.child_id
            AND es.event_date >= op.since AND es.event_date <= %s
        JOIN chronology_chronologyentry e ON e.id = es.entry_id AND e.status = 'active'
        JOIN chronology_eventtype et ON et.id = e.event_type_id AND {visit_in}"""
    visits_params = [*door_params, *on_plan_params, ctx.as_of, *visit_params]
    unseen = f"""CASE WHEN EXISTS (SELECT 1 FROM chronology_entrysubject es2
            JOIN chronology_chronologyentry e2 ON e2.id = es2.entry_id AND e2.status = 'active'
            JOIN chronology_eventtype et2 ON et2.id = e2.event_type_id AND {seen_in}
            WHERE es2.person_id = v.child_id AND es2.event_date = v.event_date) THEN 0 ELSE 1 END"""
    reasons: dict[int, list[str]] = defaultdict(list)
    counts = ctx.rows(
        f"""SELECT v.child_id, SUM({unseen}), SUM(v.doorstep) FROM ({visits}) v WHERE v.rn <= %s
        GROUP BY v.child_id HAVING COUNT(*) >= %s AND (SUM({unseen}) >= %s OR SUM(v.doorstep) >= %s)""",
        [*seen_params, *visits_params, n, n, *seen_params, n, n],
    )
    entries: list[tuple[int, int]] = []
    if counts:
        child_in, child_params = in_list("v.child_id", sorted(c for c, _, _ in counts))
        entries = ctx.rows(
            f"SELECT v.child_id, v.entry_id FROM ({visits}) v WHERE v.rn <= %s AND {child_in}",
            [*visits_params, n, *child_params],
        )
        for child, unseen_visits, doorstep_visits in counts:
            if int(unseen_visits) >= n:
                reasons[child].append(
                    f"The child was not seen alone at any of the last {n} visits of the plan."
                )
            if int(doorstep_visits) >= n:
                reasons[child].append(f"The last {n} visits of the plan were on the doorstep only.")

    latest = ctx.rows(
        f"""SELECT x.child_id, x.id, x.code FROM (
            SELECT op.child_id, r.id, t.code, ROW_NUMBER() OVER (PARTITION BY op.child_id
                ORDER BY r.effective_date DESC, r.id DESC) AS rn
            FROM {on_plan} op
            JOIN toolkit_responsesubject rs ON rs.person_id = op.child_id
            JOIN toolkit_toolresponse r ON r.id = rs.response_id AND r.status = 'completed'
                AND r.effective_date >= op.since AND r.effective_date <= %s
            JOIN toolkit_tool t ON t.id = r.tool_id AND {tool_in}) x
        WHERE x.rn = 1""",
        [*on_plan_params, ctx.as_of, *tool_params],
    )
    responses = tool_rows(ctx, sorted(pk for _, pk, _ in latest))
    tool_evidence: dict[int, tuple[Evidence, ...]] = {}
    for child, pk, code in latest:
        answers, definition, on, agency, _carer = responses[pk]
        section, question = SEEN_ALONE_ANSWERS[code]
        name = definition.get("name") or code
        gaps = []
        if (answers.get(section) or {}).get(question) == "no":
            gaps.append("not seen alone")
        if _voice_absent(code, answers):
            gaps.append("the child's own words not recorded")
        if not gaps:
            continue
        reasons[child].append(
            f"The latest {name.lower()} for the child ({d(on)}) records {' and '.join(gaps)}."
        )
        tool_evidence[child] = (Evidence("tool", pk, on, agency, f"{name}: {'; '.join(gaps)}"),)
    return findings("child-not-seen", reasons, entry_evidence(ctx, entries), tool_evidence)


# --- information not shared ------------------------------------------------------------------


@rule("information-not-shared")
def information_not_shared(ctx: Context) -> Iterable[Finding]:
    """A child on an open CIN or CP plan with no current involvement of a GP practice, or, when
    of school age (`school_age_from` to `school_age_to` years old), of a school or the elective
    home education team. Unborn children are left out."""
    if not ctx.any_open(*ctx.params["kinds"]):
        return []
    kind_in, kind_params = in_list("p.kind", list(ctx.params["kinds"]))
    age_from = int(ctx.params["school_age_from"])
    age_to = int(ctx.params["school_age_to"])
    reasons: dict[int, list[str]] = defaultdict(list)
    plans: list[tuple[int, int]] = []
    for types, age, missing in (
        (list(ctx.params["gp_agency_types"]), None, "No GP practice is"),
        (
            list(ctx.params["school_agency_types"]),
            (age_from, age_to),
            "No school (nor the elective home education team) is",
        ),
    ):
        type_in, type_params = in_list("a.agency_type", types)
        age_sql, age_params = "", list[Any]()
        if age is not None:
            age_sql = "AND c.date_of_birth <= %s AND c.date_of_birth > %s"
            age_params = [years_before(ctx.as_of, age[0]), years_before(ctx.as_of, age[1] + 1)]
        on_plans: dict[int, list[str]] = defaultdict(list)
        for child, pk, kind in ctx.rows(
            f"""SELECT s.child_id, p.id, p.kind FROM {SCOPE_TABLE} s
            JOIN people_person c ON c.id = s.child_id AND c.date_of_birth_precision <> 'expected'
            JOIN episodes_episode p ON p.child_id = s.child_id AND {kind_in} AND {is_open("p")}
            WHERE NOT EXISTS (SELECT 1 FROM access_involvement i
                JOIN agencies_agency a ON a.id = i.agency_id AND {type_in}
                WHERE i.person_id = s.child_id AND {current("i")}) {age_sql}
            ORDER BY p.start_date, p.id""",
            [*kind_params, ctx.as_of, ctx.as_of, *type_params, ctx.as_of, ctx.as_of, *age_params],
        ):
            if kind_label(kind) not in on_plans[child]:
                on_plans[child].append(kind_label(kind))
            plans.append((child, pk))
        for child, kinds in on_plans.items():
            school_age = f", who is of school age ({age[0]} to {age[1]})" if age else ""
            reasons[child].append(
                f"{missing} recorded as involved with the child{school_age}, though the child "
                f"is on a {' and a '.join(kinds)}."
            )
    # A housing provider that knows the family (it recorded something about the child, the
    # family or the home in `housing_known_days`) but is not in the child's network.
    housing_in, housing_params = in_list("a.agency_type", list(ctx.params["housing_agency_types"]))
    fam_sql, fam_params = family_entries(
        ctx, ctx.days_ago(int(ctx.params["housing_known_days"])), ctx.as_of
    )
    known = ctx.rows(
        f"""SELECT fe.child_id, MAX(fe.entry_id) FROM ({fam_sql}) fe
        JOIN agencies_agency a ON a.id = fe.agency_id AND {housing_in}
        WHERE EXISTS (SELECT 1 FROM episodes_episode p WHERE p.child_id = fe.child_id
                AND {kind_in} AND {is_open("p")})
            AND NOT EXISTS (SELECT 1 FROM access_involvement i
                JOIN agencies_agency a2 ON a2.id = i.agency_id AND a2.id = fe.agency_id
                WHERE i.person_id = fe.child_id AND {current("i")})
        GROUP BY fe.child_id""",
        [*fam_params, *housing_params, *kind_params, ctx.as_of, ctx.as_of, ctx.as_of, ctx.as_of],
    )
    for child, _entry in known:
        reasons[child].append(
            "A housing provider has recorded information about the child's family or home but is "
            "not recorded as involved with the child."
        )
    return findings(
        "information-not-shared", reasons, episode_evidence(ctx, plans), entry_evidence(ctx, known)
    )
