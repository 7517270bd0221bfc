"""SQL shared by the rules: a child's family's entries in a window, and evidence rows."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from hearth.alerts.engine import FAMILY_TABLE, SCOPE_TABLE, Context, Evidence, as_date


def family_entries(since: date, until: date) -> tuple[str, list[Any]]:
    """(child_id, entry_id) for active entries about anyone in the child's family, and household
    entries at the child's address while the child lived there, dated in (since, until]."""
    sql = f"""
        SELECT f.child_id, e.id AS entry_id
        FROM {FAMILY_TABLE} f
        JOIN chronology_entrysubject es ON es.person_id = f.person_id
        JOIN chronology_chronologyentry e ON e.id = es.entry_id
        WHERE es.event_date > %s AND es.event_date <= %s AND e.status = 'active'
        UNION
        SELECT s.child_id, e.id
        FROM {SCOPE_TABLE} s
        JOIN people_residence r ON r.person_id = s.child_id
        JOIN chronology_chronologyentry e ON e.household_id = r.address_id
            AND e.event_date >= COALESCE(r.start_date, '0001-01-01')
            AND e.event_date <= COALESCE(r.end_date, '9999-12-31')
        WHERE e.event_date > %s AND e.event_date <= %s AND e.status = 'active'
    """
    return sql, [since, until, since, until]


def in_list(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column IN (%s, …)` with its parameters (never string-formatted values)."""
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def entry_evidence(
    ctx: Context, pairs: Iterable[tuple[int, int]]
) -> dict[int, tuple[Evidence, ...]]:
    """Evidence for (child_id, entry_id) pairs: date, agency and event type, oldest first."""
    by_child: dict[int, list[int]] = defaultdict(list)
    for child_id, entry_id in pairs:
        by_child[child_id].append(entry_id)
    entry_ids = sorted({e for ids in by_child.values() for e in ids})
    details: dict[int, Evidence] = {}
    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start : start + 500]
        clause, params = in_list("e.id", chunk)
        for entry_id, on, agency, label in ctx.rows(
            "SELECT e.id, e.event_date, a.name, et.label FROM chronology_chronologyentry e "
            "JOIN agencies_agency a ON a.id = e.agency_id "
            f"JOIN chronology_eventtype et ON et.id = e.event_type_id WHERE {clause}",
            params,
        ):
            details[entry_id] = Evidence("entry", entry_id, as_date(on), agency, label)
    return {
        child: tuple(sorted((details[e] for e in ids), key=lambda ev: (ev.on or date.min, ev.id)))
        for child, ids in by_child.items()
    }
