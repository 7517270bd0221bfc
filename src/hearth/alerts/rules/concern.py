"""Rules over the family's chronology: concerns adding up, across agencies, over time."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection

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
from hearth.alerts.rules.sql import family_entries, in_list, oldest_first

OPEN_PLAN = """
    EXISTS (SELECT 1 FROM episodes_episode p WHERE p.child_id = {child}
        AND p.kind IN ('cin_plan', 'cp_plan', 'looked_after', 'early_help')
        AND p.start_date <= %s AND (p.end_date IS NULL OR p.end_date > %s))
"""


def _concerns(
    ctx: Context, window_days: int, codes: list[str] | None = None
) -> tuple[str, list[Any]]:
    """(child_id, id, default_weight, agency_id, event_date, event_type_id, label) for the
    family's concern entries in the window, or only those about the child when the rule's
    `about` parameter is "child"."""
    since = ctx.days_ago(window_days)
    if ctx.params.get("about", "family") == "child":
        fam_sql, fam_params = _about_the_child(), [since, ctx.as_of]
    else:
        fam_sql, fam_params = family_entries(ctx, since, ctx.as_of)
    where, params = "et.is_concern", list[Any]()
    if codes:
        where, params = in_list("et.code", codes)
    sql = f"""
        SELECT fe.child_id, fe.entry_id AS id, et.default_weight, fe.agency_id, fe.event_date,
            fe.event_type_id, et.label
        FROM ({fam_sql}) fe
        JOIN chronology_eventtype et ON et.id = fe.event_type_id
        WHERE {where}
    """
    return sql, fam_params + params


def _about_the_child() -> str:
    """The columns of `family_entries`, for the entries about the child only."""
    return f"""SELECT s.child_id, es.entry_id, e.event_date, e.event_type_id, e.agency_id
        FROM {SCOPE_TABLE} s
        JOIN chronology_entrysubject es ON es.person_id = s.child_id
        JOIN chronology_chronologyentry e ON e.id = es.entry_id AND e.status = 'active'
        WHERE es.event_date > %s AND es.event_date <= %s"""


def _found_with_evidence(
    ctx: Context,
    found: str,
    found_params: Sequence[Any],
    window_days: int,
    codes: list[str] | None = None,
) -> Statement:
    """The children a rule finds, with the concern entries behind each, in one statement: a row
    per entry, with the child's columns from `found` (child_id first, one row per child) and
    then the entry's id, date, agency and event type. So a family whose rules fire costs no
    second round trip for their evidence, and one whose rules do not, no second statement."""
    sql, params = _concerns(ctx, window_days, codes)
    return (
        f"""SELECT f.*, c.id, c.event_date, a.name, c.label FROM ({found}) f
        JOIN ({sql}) c ON c.child_id = f.child_id
        JOIN agencies_agency a ON a.id = c.agency_id""",
        [*found_params, *params],
    )


def _found_from(
    rows: Rows, width: int
) -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[Evidence, ...]]]:
    """From `_found_with_evidence`'s rows: each child's columns of `found` (after child_id;
    `width` of them in all, child_id included), and the child's evidence, oldest first."""
    found: dict[int, tuple[Any, ...]] = {}
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for row in rows:
        found.setdefault(row[0], tuple(row[1:width]))
        entry_id, on, agency, label = row[width:]
        evidence[row[0]].append(Evidence("entry", entry_id, as_date(on), agency, label))
    return dict(sorted(found.items())), oldest_first(evidence)


def _findings_from(
    code: str, firing: dict[int, str], evidence: dict[int, tuple[Evidence, ...]]
) -> list[Finding]:
    return [
        Finding(code, child, summary, evidence.get(child, ())) for child, summary in firing.items()
    ]


@rule("cumulative-concern")
def cumulative_concern(ctx: Context) -> Iterable[Finding]:
    window = int(ctx.params["window_days"])
    threshold = float(ctx.params["threshold"])
    sql, params = _concerns(ctx, window)
    found, evidence = _found_from(
        ctx.rows(
            *_found_with_evidence(
                ctx,
                f"""SELECT c.child_id, SUM(c.default_weight) AS total,
                    MAX(c.default_weight) AS largest, COUNT(DISTINCT c.agency_id) AS agencies
                FROM ({sql}) c GROUP BY c.child_id
                HAVING SUM(c.default_weight) >= %s AND MAX(c.default_weight) < %s
                AND COUNT(DISTINCT c.agency_id) >= %s""",
                [*params, threshold, threshold, int(ctx.params.get("min_agencies", 1))],
                window,
            )
        ),
        4,
    )
    firing = {
        child: f"Concerns about the child and family in the last {window} days add up to "
        f"{float(total):g} (threshold {threshold:g}), from {agencies} agenc{'y' if agencies == 1 else 'ies'}, "
        f"though no single event reached it (the largest weighed {float(largest):g})."
        for child, (total, largest, agencies) in found.items()
    }
    return _findings_from("cumulative-concern", firing, evidence)


@rule("many-agencies")
def many_agencies(ctx: Context) -> Iterable[Finding]:
    window = int(ctx.params["window_days"])
    minimum = int(ctx.params["min_agencies"])
    sql, params = _concerns(ctx, window)
    no_plan = OPEN_PLAN.format(child="c.child_id")
    found, evidence = _found_from(
        ctx.rows(
            *_found_with_evidence(
                ctx,
                f"""SELECT c.child_id, COUNT(DISTINCT c.agency_id) AS agencies FROM ({sql}) c
                WHERE NOT {no_plan}
                GROUP BY c.child_id HAVING COUNT(DISTINCT c.agency_id) >= %s""",
                [*params, ctx.as_of, ctx.as_of, minimum],
                window,
            )
        ),
        2,
    )
    firing = {
        child: f"{n} agencies recorded concerns about the child or family in the last {window} days, "
        "and the child has no plan."
        for child, (n,) in found.items()
    }
    return _findings_from("many-agencies", firing, evidence)


def _count_rule(ctx: Context, code: str, describe: str) -> Iterable[Finding]:
    firing, evidence = _counted(ctx, ctx.rows(*_count_statement(ctx)), describe)
    return _findings_from(code, firing, evidence)


def _event_types(ctx: Context) -> list[str]:
    return list(ctx.params["event_types"])


def _count_statement(ctx: Context) -> Statement:
    """Children with `min_events` or more of the rule's event types in `window_days`, with
    those entries (`_found_with_evidence`)."""
    window = int(ctx.params["window_days"])
    sql, params = _concerns(ctx, window, _event_types(ctx))
    return _found_with_evidence(
        ctx,
        f"SELECT c.child_id, COUNT(*) AS n FROM ({sql}) c GROUP BY c.child_id "
        "HAVING COUNT(*) >= %s",
        [*params, int(ctx.params["min_events"])],
        window,
        _event_types(ctx),
    )


def _counted(
    ctx: Context, rows: Rows, describe: str
) -> tuple[dict[int, str], dict[int, tuple[Evidence, ...]]]:
    window = int(ctx.params["window_days"])
    found, evidence = _found_from(rows, 2)
    return {child: describe.format(n=n, window=window) for child, (n,) in found.items()}, evidence


@rule("health-neglect")
def health_neglect(ctx: Context) -> Iterable[Finding]:
    """Missed appointments; and (from version 2) a child on a plan about whose health no health
    professional has recorded anything for `silence_days`: what is known comes from the family."""
    describe = (
        "{n} health appointments (including dental and immunisations) missed by the "
        + ("child" if ctx.params.get("about") == "child" else "child or family")
        + " in the last {window} days."
    )
    # The missed appointments first: they are counted for every family, and the count need not
    # wait for the episode summary (which decides whether to look for silence).
    firing, missed_evidence = _counted(ctx, ctx.rows(*_count_statement(ctx)), describe)
    if "silence_days" not in ctx.params or not ctx.any_open(*ctx.params["plan_kinds"]):
        return _findings_from("health-neglect", firing, missed_evidence)
    days = int(ctx.params["silence_days"])
    kind_in, kind_params = in_list("p.kind", list(ctx.params["plan_kinds"]))
    type_in, type_params = in_list("a.agency_type", list(ctx.params["health_agency_types"]))
    since = ctx.days_ago(days)
    [rows] = ctx.rows_together(
        (
            f"""SELECT s.child_id, MIN(p.start_date) FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND {kind_in}
            AND p.start_date < %s AND (p.end_date IS NULL OR p.end_date > %s)
        WHERE NOT EXISTS (SELECT 1 FROM chronology_entrysubject es
            JOIN chronology_chronologyentry e ON e.id = es.entry_id AND e.status = 'active'
            JOIN agencies_agency a ON a.id = e.agency_id AND {type_in}
            WHERE es.person_id = s.child_id AND es.event_date > %s AND es.event_date <= %s)
        GROUP BY s.child_id""",
            [*kind_params, since, ctx.as_of, *type_params, since, ctx.as_of],
        ),
    )
    silent = {
        child: f"The child has been on a plan for more than {days} days and no health "
        "professional has recorded anything about them in that time: what is known of their "
        "health comes from the family."
        for child, _ in rows
    }
    kinds = ("cin_plan", "cp_plan")
    results = ctx.rows_together(
        *([_episode_statement(silent, kind) for kind in kinds] if silent else [])
    )
    missed = _findings_from("health-neglect", firing, missed_evidence)
    by_child = {f.child_id: f for f in missed}
    plans: dict[int, tuple[Evidence, ...]] = {}
    for kind, plan_rows in zip(kinds, results, strict=True) if silent else ():
        for f in _episode_findings_from("health-neglect", silent, kind, plan_rows):
            plans[f.child_id] = plans.get(f.child_id, ()) + f.evidence
    for child, summary in silent.items():
        evidence = tuple(sorted(plans.get(child, ()), key=lambda e: (e.on or date.min, e.id)))
        earlier = by_child.get(child)
        by_child[child] = Finding(
            "health-neglect",
            child,
            f"{earlier.summary} {summary}" if earlier else summary,
            (earlier.evidence if earlier else ()) + evidence,
        )
    return list(by_child.values())


@rule("animal-welfare")
def animal_welfare(ctx: Context) -> Iterable[Finding]:
    return _count_rule(
        ctx,
        "animal-welfare",
        "An animal welfare concern was recorded at the child's home in the last {window} days.",
    )


@rule("repeat-referrals")
def repeat_referrals(ctx: Context) -> Iterable[Finding]:
    if not ctx.any_episode("referral"):
        return []
    window = int(ctx.params["window_days"])
    minimum = int(ctx.params["min_referrals"])
    since = ctx.days_ago(window)
    many, rereferred = ctx.rows_together(
        (
            f"""SELECT s.child_id, COUNT(*) FROM {SCOPE_TABLE} s
            JOIN episodes_episode r ON r.child_id = s.child_id AND r.kind = 'referral'
            WHERE r.start_date > %s AND r.start_date <= %s
            GROUP BY s.child_id HAVING COUNT(*) >= %s""",
            [since, ctx.as_of, minimum],
        ),
        (
            f"""SELECT DISTINCT s.child_id FROM {SCOPE_TABLE} s
            JOIN episodes_episode r ON r.child_id = s.child_id AND r.kind = 'referral'
            JOIN episodes_episode earlier ON earlier.child_id = s.child_id
                AND earlier.kind = 'referral' AND earlier.id <> r.id
                AND earlier.end_date IS NOT NULL AND earlier.end_date <= r.start_date
                AND r.start_date <= {_plus_days("earlier.end_date", window)}
            WHERE r.start_date > %s AND r.start_date <= %s""",
            [since, ctx.as_of],
        ),
    )
    firing: dict[int, str] = {
        child: f"{n} referrals in the last {window} days." for child, n in many
    }
    for (child,) in rereferred:
        firing[child] = (
            firing.get(child, "") + f" Referred again within {window} days of a referral closing."
        ).strip()
    return _episode_findings(ctx, "repeat-referrals", firing, "referral", since)


def _plus_days(column: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({column} + {int(days)})"
    return f"date({column}, '+{int(days)} days')"


def _minus_days(column: str, days: int) -> str:
    """`x >= _minus_days(y, n)` rather than `y <= _plus_days(x, n)` where x is indexed: the
    same condition, and the index can serve it."""
    if connection.vendor == "postgresql":
        return f"({column} - {int(days)})"
    return f"date({column}, '-{int(days)} days')"


def _episode_findings(
    ctx: Context, code: str, firing: dict[int, str], kind: str, since: object
) -> list[Finding]:
    if not firing:
        return []
    [rows] = ctx.rows_together(_episode_statement(firing, kind))
    return _episode_findings_from(code, firing, kind, rows)


def _episode_statement(firing: dict[int, str], kind: str) -> Statement:
    clause, ids = in_list("child_id", sorted(firing))
    return (
        f"SELECT id, child_id, start_date, end_date, end_reason FROM episodes_episode "
        f"WHERE kind = %s AND {clause} ORDER BY start_date",
        [kind, *ids],
    )


def _episode_findings_from(
    code: str, firing: dict[int, str], kind: str, rows: Rows
) -> list[Finding]:
    evidence: dict[int, list[Evidence]] = {}
    for pk, child, start, end, reason in rows:
        label = f"{kind.replace('_', ' ').capitalize()} from {as_date(start):%d %b %Y}"
        if end:
            label += f" to {as_date(end):%d %b %Y}" + (f" ({reason})" if reason else "")
        link = (
            "plan" if kind in ("cin_plan", "cp_plan", "early_help", "looked_after") else "episode"
        )
        evidence.setdefault(child, []).append(Evidence(link, pk, as_date(start), "", label))
    return [
        Finding(code, child, summary, tuple(evidence.get(child, [])))
        for child, summary in firing.items()
    ]
