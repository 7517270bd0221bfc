"""SQL shared by the rules: a child's family's entries in a window, and evidence rows."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection

from hearth.alerts.engine import ENTRY_TABLE, FAMILY_ENTRIES, Context, Evidence, as_date


def family_entries(ctx: Context, since: date, until: date) -> tuple[str, list[Any]]:
    """(child_id, entry_id) for active entries about anyone in the child's family, and household
    entries at the child's address while the child lived there, dated in (since, until].

    An incremental evaluation has already read the family's entries for a period into a
    temporary table (`ENTRY_TABLE`): a window inside it is read from there, so that the rules
    that look at the family's chronology do not each read it again."""
    if ctx.entries_from is not None and since >= ctx.entries_from and until <= ctx.as_of:
        return (
            f"SELECT DISTINCT x.child_id, x.entry_id FROM {ENTRY_TABLE} x "
            "WHERE x.event_date > %s AND x.event_date <= %s",
            [since, until],
        )
    return FAMILY_ENTRIES, [since, until, since, until]


ANY_LIMIT = 500


def in_list(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column IN (%s, …)` with its parameters (never string-formatted values). On PostgreSQL,
    for the short lists of one family, `column = ANY(%s)` with one array: the statement's text
    does not depend on how many values there are, so it is prepared once rather than once per
    length. Not for the long lists of a full evaluation: PostgreSQL searches an array parameter
    value by value for every row (tens of thousands of children: minutes), a list of values
    through a hash."""
    if not values:
        return "1 = 0", []
    if connection.vendor == "postgresql" and len(values) <= ANY_LIMIT:
        return f"{column} = ANY(%s)", [list(values)]
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
