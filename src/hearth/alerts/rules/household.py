"""Rules about the child's household and education: persistent absence and elective home
education after neglect concerns, unseen men, and a new baby in a family already known.

Each condition is one set-based query over the children in scope and their families; evidence
is read only for the children found.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from hearth.alerts.engine import (
    FAMILY_TABLE,
    SCOPE_TABLE,
    Context,
    Evidence,
    Finding,
    Statement,
    as_date,
    rule,
)
from hearth.alerts.rules.casework import (
    current,
    d,
    episode_evidence_from,
    episode_statements,
    findings,
    is_open,
)
from hearth.alerts.rules.concern import _minus_days
from hearth.alerts.rules.sql import (
    entry_evidence_from,
    entry_statements,
    evidence_from,
    evidence_statement,
    family_entries,
    in_list,
)

RELATIONSHIPS = {
    "father": "father",
    "step_parent": "step-parent",
    "parents_partner": "parent's partner",
    "other_adult": "significant adult",
}
EPISODE_KINDS = (
    "referral",
    "assessment",
    "s47",
    "early_help",
    "cin_plan",
    "cp_plan",
    "looked_after",
)


def _child_entries(types_sql: str) -> str:
    """Active entries about the child (as a subject) of some event types, dated in (%s, %s]."""
    return f"""FROM {SCOPE_TABLE} s
        JOIN chronology_entrysubject es ON es.person_id = s.child_id
            AND es.event_date > %s AND es.event_date <= %s
        JOIN chronology_chronologyentry e ON e.id = es.entry_id AND e.status = 'active'
        JOIN chronology_eventtype et ON et.id = e.event_type_id AND {types_sql}"""


# --- education -------------------------------------------------------------------------------


@rule("education")
def education(ctx: Context) -> Iterable[Finding]:
    """`min_absences` or more persistent-absence entries about the child in `window_days`; or the
    child registered for elective home education in `ehe_window_days`, where the family already
    had a CIN or CP plan before the registration, or concern events in the `history_days` before
    it (any concern event about the family but the registration itself)."""
    window = int(ctx.params["window_days"])
    minimum = int(ctx.params["min_absences"])
    ehe_window = int(ctx.params["ehe_window_days"])
    history = int(ctx.params["history_days"])
    absence_in, absence_params = in_list("et.code", list(ctx.params["absence_event_types"]))
    ehe_codes = list(ctx.params["ehe_event_types"])
    ehe_in, ehe_params = in_list("et.code", ehe_codes)
    reasons: dict[int, list[str]] = defaultdict(list)

    # Persistent absence; and registrations for elective home education (rare: found first,
    # and the family's history read only for them). Both asked for at once.
    absent = f"{_child_entries(absence_in)}"
    absent_params = [ctx.days_ago(window), ctx.as_of, *absence_params]
    counts, found = ctx.rows_together(
        (
            f"SELECT s.child_id, COUNT(*) {absent} GROUP BY s.child_id HAVING COUNT(*) >= %s",
            [*absent_params, minimum],
        ),
        (
            f"SELECT e.id {_child_entries(ehe_in)}",
            [ctx.days_ago(ehe_window), ctx.as_of, *ehe_params],
        ),
    )
    later: list[Statement] = []  # the next statements, sent together
    if counts:
        child_in, child_params = in_list("s.child_id", sorted(c for c, _ in counts))
        later.append(
            evidence_statement(
                "SELECT s.child_id, e.id AS entry_id, e.event_date, e.agency_id, e.event_type_id "
                f"{absent} WHERE {child_in}",
                [*absent_params, *child_params],
            )
        )
        for child, n in counts:
            reasons[child].append(
                f"{n} entries about the child's persistent absence from school in the last "
                f"{window} days."
            )

    # Elective home education after earlier concerns or plans in the family: each registration
    # in the window, where a family member had a CIN or CP plan starting before it, or a concern
    # event in the `history_days` before it (EXISTS: the first one found is enough).
    not_ehe, not_ehe_params = in_list("et2.code", ehe_codes)
    concern_before = f"""SELECT 1 FROM chronology_entrysubject es2
        JOIN chronology_chronologyentry e2 ON e2.id = es2.entry_id AND e2.status = 'active'
        JOIN chronology_eventtype et2 ON et2.id = e2.event_type_id
            AND et2.is_concern AND NOT ({not_ehe})
        WHERE es2.person_id = f.person_id AND es2.event_date < r.registered_on
            AND es2.event_date >= {_minus_days("r.registered_on", history)}"""
    plan_before = """SELECT 1 FROM episodes_episode p WHERE p.child_id = f.person_id
        AND p.kind IN ('cin_plan', 'cp_plan') AND p.start_date < r.registered_on"""
    shown = int(ctx.params["evidence_concerns"])
    if found:
        # Each child's earliest qualifying registration, chosen in SQL: the same entry can be a
        # registration of several children, and a child's history is read for their own only.
        # The registrations are the entries found, each with the children it is about (looked up
        # by entry: a prepared plan that read the children's entries first, and tested the
        # history of each, took milliseconds).
        found_in, found_params = in_list("es.entry_id", sorted({row[0] for row in found}))
        registrations = f"""SELECT s.child_id, es.entry_id, es.event_date AS registered_on
            FROM {SCOPE_TABLE} s JOIN chronology_entrysubject es ON es.person_id = s.child_id
            WHERE {found_in} AND es.event_date > %s AND es.event_date <= %s"""
        chosen = f"""SELECT q.child_id, q.entry_id, q.registered_on FROM (
            SELECT x.child_id, x.entry_id, x.registered_on, ROW_NUMBER() OVER (
                PARTITION BY x.child_id ORDER BY x.registered_on, x.entry_id) AS rn
            FROM (SELECT DISTINCT r.child_id, r.entry_id, r.registered_on
                FROM ({registrations}) r
                JOIN {FAMILY_TABLE} f ON f.child_id = r.child_id
                WHERE EXISTS ({plan_before}) OR EXISTS ({concern_before})) x) q
            WHERE q.rn = 1"""
        chosen_params = [
            *found_params,
            ctx.days_ago(ehe_window),
            ctx.as_of,
            *not_ehe_params,
        ]
        # The registrations chosen, and the history for their evidence: every earlier plan, and
        # the latest `evidence_concerns` concerns (with how many there were).
        later += [
            (
                f"SELECT c.child_id, c.entry_id, c.registered_on FROM ({chosen}) c "
                "ORDER BY c.registered_on, c.entry_id",
                chosen_params,
            ),
            (
                f"""SELECT DISTINCT r.child_id, p.id FROM ({chosen}) r
                JOIN {FAMILY_TABLE} f ON f.child_id = r.child_id
                JOIN episodes_episode p ON p.child_id = f.person_id
                    AND p.kind IN ('cin_plan', 'cp_plan') AND p.start_date < r.registered_on""",
                chosen_params,
            ),
            (
                f"""SELECT y.child_id, y.concern_id, y.n FROM (
                SELECT z.child_id, z.concern_id,
                    ROW_NUMBER() OVER (PARTITION BY z.child_id
                        ORDER BY z.event_date DESC, z.concern_id DESC) AS rn,
                    COUNT(*) OVER (PARTITION BY z.child_id) AS n
                FROM (SELECT DISTINCT r.child_id, e2.id AS concern_id, es2.event_date
                    FROM ({chosen}) r
                    JOIN {FAMILY_TABLE} f ON f.child_id = r.child_id
                    JOIN chronology_entrysubject es2 ON es2.person_id = f.person_id
                        AND es2.event_date < r.registered_on
                        AND es2.event_date >= {_minus_days("r.registered_on", history)}
                    JOIN chronology_chronologyentry e2
                        ON e2.id = es2.entry_id AND e2.status = 'active'
                    JOIN chronology_eventtype et2 ON et2.id = e2.event_type_id
                        AND et2.is_concern AND NOT ({not_ehe})) z) y
            WHERE y.rn <= %s""",
                [*chosen_params, *not_ehe_params, shown],
            ),
        ]
    results = ctx.rows_together(*later)
    absence = evidence_from(results.pop(0)) if counts else {}
    registered, plans, concerns = results if found else ([], [], [])
    entries: list[tuple[int, int]] = []
    earlier: list[tuple[int, int]] = []
    first: dict[int, tuple[int, Any]] = {}
    for child, entry_id, on in registered:
        first.setdefault(child, (entry_id, on))
    plans = [(child, pk) for child, pk in plans if child in first]
    totals: dict[int, int] = {}
    for child, concern_id, n in concerns:
        if child in first:
            totals[child] = int(n)
            earlier.append((child, concern_id))
    plan_count = _count(plans)
    for child, (entry_id, on) in first.items():
        history_parts = []
        if plan_count[child]:
            n = plan_count[child]
            history_parts.append(f"{n} earlier child in need or protection plan{'s' * (n != 1)}")
        if totals.get(child):
            n = totals[child]
            history_parts.append(
                f"{n} concern{'s' * (n != 1)} recorded in the {history} days before"
                + (f" (the latest {shown} shown)" if n > shown else "")
            )
        reasons[child].append(
            f"The child was registered for elective home education on {d(as_date(on))}, "
            f"after {' and '.join(history_parts)} in the family."
        )
        entries.append((child, entry_id))
    entry_st = entry_statements([*entries, *earlier])
    episode_st = episode_statements(plans)
    rows = ctx.rows_together(*entry_st, *episode_st)
    return findings(
        "education",
        reasons,
        absence,
        entry_evidence_from([*entries, *earlier], rows[: len(entry_st)]),
        episode_evidence_from(plans, rows[len(entry_st) :]),
    )


def _count(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for child, _ in pairs:
        counts[child] += 1
    return counts


# --- unseen men ------------------------------------------------------------------------------


@rule("unseen-men")
def unseen_men(ctx: Context) -> Iterable[Finding]:
    """A child open to children's services or early help (any open referral, assessment, enquiry
    or plan) with an adult man living at their address, or a current father, step-parent or
    parent's partner, with whom no agency has been involved, about whom no entry was recorded,
    and for whom no toolkit assessment was completed as a carer, in the last `window_days`."""
    if not ctx.any_open(*EPISODE_KINDS):
        return []
    window = int(ctx.params["window_days"])
    since = ctx.days_ago(window)
    rel_in, rel_params = in_list("rel.relationship_type", list(ctx.params["relationship_types"]))
    open_in, open_params = in_list("o.kind", list(EPISODE_KINDS))
    men = f"""
        SELECT s.child_id, m.id AS man_id, 'home' AS how, r2.start_date AS since
        FROM {SCOPE_TABLE} s
        JOIN people_residence r1 ON r1.person_id = s.child_id AND {current("r1")}
        JOIN people_residence r2 ON r2.address_id = r1.address_id AND {current("r2")}
        JOIN people_person m ON m.id = r2.person_id
        WHERE m.kind = 'adult' AND m.sex = 'M' AND m.date_of_death IS NULL
        UNION
        SELECT s.child_id, m.id, rel.relationship_type, rel.start_date
        FROM {SCOPE_TABLE} s
        JOIN people_relationship rel ON rel.relative_id = s.child_id AND {rel_in}
            AND {current("rel")}
        JOIN people_person m ON m.id = rel.person_id
        WHERE m.kind = 'adult' AND m.sex = 'M' AND m.date_of_death IS NULL"""
    men_params = [ctx.as_of] * 4 + [*rel_params, ctx.as_of, ctx.as_of]
    rows = ctx.rows(
        f"""SELECT x.child_id, x.man_id, x.how, x.since, m.given_name, m.family_name
        FROM ({men}) x JOIN people_person m ON m.id = x.man_id
        WHERE EXISTS (SELECT 1 FROM episodes_episode o WHERE o.child_id = x.child_id
                AND {open_in} AND {is_open("o")})
            AND NOT EXISTS (SELECT 1 FROM access_involvement i WHERE i.person_id = x.man_id
                AND i.start_date <= %s AND (i.end_date IS NULL OR i.end_date > %s))
            AND NOT EXISTS (SELECT 1 FROM chronology_entrysubject es
                JOIN chronology_chronologyentry e ON e.id = es.entry_id AND e.status = 'active'
                WHERE es.person_id = x.man_id AND es.event_date > %s AND es.event_date <= %s)
            AND NOT EXISTS (SELECT 1 FROM toolkit_toolresponse r WHERE r.carer_id = x.man_id
                AND r.status = 'completed' AND r.effective_date > %s AND r.effective_date <= %s)
        ORDER BY x.child_id, x.man_id, x.how""",
        [
            *men_params,
            *open_params,
            ctx.as_of,
            ctx.as_of,
            ctx.as_of,
            since,
            since,
            ctx.as_of,
            since,
            ctx.as_of,
        ],
    )
    found: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for child, man, how, start, given, family in rows:
        about = found[child].setdefault(man, {"name": f"{given} {family}", "how": [], "on": None})
        about["how"].append(
            "lives at the child's address"
            if how == "home"
            else f"is recorded as the child's {RELATIONSHIPS.get(how, how.replace('_', ' '))}"
        )
        start = as_date(start)
        if start and (about["on"] is None or start < about["on"]):
            about["on"] = start
    reasons: dict[int, list[str]] = {}
    evidence: dict[int, tuple[Evidence, ...]] = {}
    for child, by_man in found.items():
        reasons[child] = [
            f"{m['name']}, an adult man who {' and '.join(m['how'])}, has had no agency "
            f"involvement, no assessment and no chronology entry about him in the last {window} "
            "days."
            for m in by_man.values()
        ]
        evidence[child] = tuple(
            Evidence(
                "person",
                man,
                m["on"],
                "",
                f"{m['name']}: {' and '.join(m['how'])}"
                + (f" (since {d(m['on'])})" if m["on"] else ""),
            )
            for man, m in by_man.items()
        )
    return findings("unseen-men", reasons, evidence)


# --- new baby --------------------------------------------------------------------------------


@rule("new-baby")
def new_baby(ctx: Context) -> Iterable[Finding]:
    """An unborn child (expected date not more than `born_within_days` past), or a baby born in the
    last `born_within_days`, with no assessment, enquiry or plan of their own yet, in a family
    where any other member has ever had a CP plan, or with `min_concerns` or more concern events
    about the family in the last `concern_window_days`: prompt a pre-birth assessment."""
    born = int(ctx.params["born_within_days"])
    window = int(ctx.params["concern_window_days"])
    minimum = int(ctx.params["min_concerns"])
    recent = ctx.days_ago(born)
    babies_sql = f"""SELECT b.id FROM {SCOPE_TABLE} s JOIN people_person b ON b.id = s.child_id
        WHERE ((b.date_of_birth_precision = 'expected'
                    AND (b.date_of_birth IS NULL OR b.date_of_birth > %s))
                OR (b.date_of_birth_precision <> 'expected'
                    AND b.date_of_birth > %s AND b.date_of_birth <= %s))
            AND NOT EXISTS (SELECT 1 FROM episodes_episode a WHERE a.child_id = b.id
                AND a.kind IN ('assessment', 's47', 'cin_plan', 'cp_plan', 'looked_after')
                AND a.start_date <= %s)"""
    babies_params = [recent, recent, ctx.as_of, ctx.as_of]
    babies = {
        pk: (as_date(dob), precision)
        for pk, dob, precision in ctx.rows(
            "SELECT id, date_of_birth, date_of_birth_precision FROM people_person "
            f"WHERE id IN ({babies_sql})",
            babies_params,
        )
    }
    if not babies:
        return []
    # The family's history, for the babies only.
    fam_sql, fam_params = family_entries(ctx, ctx.days_ago(window), ctx.as_of)
    plans, entries = ctx.rows_together(
        (
            f"""SELECT f.child_id, p.id FROM {FAMILY_TABLE} f
            JOIN episodes_episode p ON p.child_id = f.person_id AND p.kind = 'cp_plan'
                AND p.start_date <= %s
            WHERE f.person_id <> f.child_id AND f.child_id IN ({babies_sql})""",
            [ctx.as_of, *babies_params],
        ),
        (
            f"""SELECT fe.child_id, fe.entry_id FROM ({fam_sql}) fe
            JOIN chronology_eventtype et ON et.id = fe.event_type_id AND et.is_concern
            WHERE fe.child_id IN ({babies_sql})""",
            [*fam_params, *babies_params],
        ),
    )
    plan_count = _count(plans)
    concern_count = _count(entries)
    reasons: dict[int, list[str]] = {}
    people: dict[int, tuple[Evidence, ...]] = {}
    for child, (dob, precision) in sorted(babies.items()):
        if not plan_count[child] and concern_count[child] < minimum:
            continue
        unborn = precision == "expected"
        who = (
            f"A baby is expected{f' on {d(dob)}' if dob else ''}"
            if unborn
            else f"A baby was born on {d(dob)}"
        )
        known = []
        if plan_count[child]:
            n = plan_count[child]
            known.append(f"{n} child protection plan{'s' * (n != 1)} for others in the family")
        if concern_count[child] >= minimum:
            n = concern_count[child]
            known.append(f"{n} concern{'s' * (n != 1)} about the family in the last {window} days")
        reasons[child] = [
            f"{who}, in a family with {' and '.join(known)}, and the baby has no assessment yet. "
            f"Consider a {'pre-birth ' if unborn else ''}assessment."
        ]
        people[child] = (
            Evidence(
                "person",
                child,
                dob,
                "",
                f"{'Expected' if unborn else 'Born'} {d(dob) if dob else '(date not known)'}",
            ),
        )
    plans = [(child, pk) for child, pk in plans if child in reasons]
    entries = [(child, pk) for child, pk in entries if child in reasons]
    episode_st, entry_st = episode_statements(plans), entry_statements(entries)
    rows = ctx.rows_together(*episode_st, *entry_st)
    return findings(
        "new-baby",
        reasons,
        people,
        episode_evidence_from(plans, rows[: len(episode_st)]),
        entry_evidence_from(entries, rows[len(episode_st) :]),
    )
