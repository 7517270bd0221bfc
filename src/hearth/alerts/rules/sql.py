"""SQL shared by the rules: a child's family's entries in a window, and evidence rows."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection

from hearth.alerts.engine import (
    ENTRY_TABLE,
    FAMILY_ENTRIES,
    Context,
    Evidence,
    Rows,
    Statement,
    as_date,
)


def family_entries(ctx: Context, since: date, until: date) -> tuple[str, list[Any]]:
    """(child_id, entry_id, event_date, event_type_id, agency_id) for active entries about anyone
    in the child's family, and household entries at the child's address while the child lived
    there, dated in (since, until]: with the entry's own columns the rules need, so that they need
    not read the entries again.

    An incremental evaluation has already read the family's entries for a period into a
    temporary table (`ENTRY_TABLE`): a window inside it is read from there, so that the rules
    that look at the family's chronology do not each read it again."""
    if ctx.entries_from is not None and since >= ctx.entries_from and until <= ctx.as_of:
        return (
            "SELECT x.child_id, x.entry_id, x.event_date, x.event_type_id, x.agency_id "
            f"FROM {ENTRY_TABLE} x WHERE x.event_date > %s AND x.event_date <= %s",
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
    pairs = list(pairs)
    return entry_evidence_from(pairs, ctx.rows_together(*entry_statements(pairs)))


def entry_statements(pairs: Iterable[tuple[int, int]]) -> list[Statement]:
    """The statements `entry_evidence` runs, to send with others (`Context.rows_together`)."""
    entry_ids = sorted({entry_id for _, entry_id in pairs})
    statements: list[Statement] = []
    for start in range(0, len(entry_ids), 500):
        clause, params = in_list("e.id", entry_ids[start : start + 500])
        statements.append(
            (
                "SELECT e.id, e.event_date, a.name, et.label FROM chronology_chronologyentry e "
                "JOIN agencies_agency a ON a.id = e.agency_id "
                f"JOIN chronology_eventtype et ON et.id = e.event_type_id WHERE {clause}",
                params,
            )
        )
    return statements


def entry_evidence_from(
    pairs: Iterable[tuple[int, int]], results: Iterable[Rows]
) -> dict[int, tuple[Evidence, ...]]:
    """`entry_evidence` from the rows of `entry_statements`."""
    details = {
        entry_id: Evidence("entry", entry_id, as_date(on), agency, label)
        for rows in results
        for entry_id, on, agency, label in rows
    }
    by_child: dict[int, list[Evidence]] = defaultdict(list)
    for child_id, entry_id in pairs:
        by_child[child_id].append(details[entry_id])
    return oldest_first(by_child)


def entry_evidence_in(
    ctx: Context, sql: str, params: Sequence[Any]
) -> dict[int, tuple[Evidence, ...]]:
    """Evidence for the entries a statement finds, as (child_id, entry_id, event_date, agency_id,
    event_type_id) rows, such as `family_entries` gives: read with their agency and event type
    in the same statement, rather than found in one and described in another."""
    return evidence_from(ctx.rows(*evidence_statement(sql, params)))


def evidence_statement(sql: str, params: Sequence[Any]) -> Statement:
    """The statement `entry_evidence_in` runs, to send with others (`Context.rows_together`)."""
    return (
        f"""SELECT x.child_id, x.entry_id, x.event_date, a.name, et.label FROM ({sql}) x
        JOIN agencies_agency a ON a.id = x.agency_id
        JOIN chronology_eventtype et ON et.id = x.event_type_id""",
        params,
    )


def evidence_from(rows: Rows) -> dict[int, tuple[Evidence, ...]]:
    """`entry_evidence_in` from the rows of `evidence_statement`."""
    by_child: dict[int, list[Evidence]] = defaultdict(list)
    for child_id, entry_id, on, agency, label in rows:
        by_child[child_id].append(Evidence("entry", entry_id, as_date(on), agency, label))
    return oldest_first(by_child)


def oldest_first(by_child: dict[int, list[Evidence]]) -> dict[int, tuple[Evidence, ...]]:
    """Each child's evidence by date, then id."""
    return {
        child: tuple(sorted(items, key=lambda ev: (ev.on or date.min, ev.id)))
        for child, items in by_child.items()
    }
