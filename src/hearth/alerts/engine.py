"""Evaluating the rules: one set-based SQL pass per rule, over every child or over one family.

Full evaluation (`hearth alerts evaluate`) and incremental evaluation (after a save, for the
family of the people it touched) run the same rule functions over a different scope, so they
cannot disagree. Each rule finds the children whose condition is met with one aggregate query
(GROUP BY … HAVING), then reads the evidence only for those children.

A child's family, for every rule, is what the merged chronology shows: the child, everyone with a
recorded relationship to them, and everyone who lived at one of their addresses at an overlapping
time. It is built once per evaluation into a temporary table, `hearth_alert_family`.
"""

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection

FAMILY_TABLE = "hearth_alert_family"
SCOPE_TABLE = "hearth_alert_scope"
ENTRY_TABLE = "hearth_alert_family_entry"
# How far back an incremental evaluation reads the family's entries once, for every rule (the
# shipped rules' longest family window is 730 days; a longer one reads the chronology itself).
ENTRY_HORIZON_DAYS = 731

# The family's active entries dated in (%s, %s], and the household's entries at the child's
# address while the child lived there, in the same period: what the merged chronology shows.
FAMILY_ENTRIES = f"""
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


@dataclass(frozen=True)
class Evidence:
    """One thing that made the rule fire, with enough to link to it and to read it in a list."""

    kind: str  # entry | episode | person | tool
    id: int
    on: date | None
    agency: str
    label: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "on": self.on.isoformat() if self.on else None,
            "agency": self.agency,
            "label": self.label,
        }


@dataclass(frozen=True)
class Finding:
    rule: str
    child_id: int
    summary: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class EpisodeFacts:
    """For one kind of episode, across the children in scope: is one open at the date evaluated,
    and when did the latest one end. Read once per evaluation, so that a rule about plans costs
    nothing for the many families with none (most incremental evaluations)."""

    open_now: bool
    last_end: date | None


@dataclass
class Context:
    as_of: date
    params: dict[str, Any]
    cursor: Any
    episodes: dict[str, EpisodeFacts] = field(default_factory=dict)
    entries_from: date | None = None  # the family's entries after this date are in ENTRY_TABLE

    def days_ago(self, days: int) -> date:
        return self.as_of - timedelta(days=days)

    def any_episode(self, *kinds: str) -> bool:
        """Does any child in scope have an episode of these kinds (ever, up to the date)?"""
        return any(kind in self.episodes for kind in kinds)

    def any_open(self, *kinds: str) -> bool:
        return any(self.episodes[k].open_now for k in kinds if k in self.episodes)

    def any_ended_since(self, days: int, *kinds: str) -> bool:
        """Did an episode of these kinds end in the last `days` days (up to the date)?"""
        since = self.days_ago(days)
        return any(
            (end := self.episodes[k].last_end) is not None and end > since
            for k in kinds
            if k in self.episodes
        )

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if connection.vendor == "sqlite":  # dates are stored as ISO text there
            params = [p.isoformat() if isinstance(p, date) else p for p in params]
            self.cursor.execute(sql, list(params))
        else:  # a rule's statement has the same text every time: plan it once per connection
            self.cursor.execute(sql, list(params), prepare=True)
        return list(self.cursor.fetchall())


RuleFunction = Callable[[Context], Iterable[Finding]]
RULES: dict[str, RuleFunction] = {}


def rule(code: str) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        RULES[code] = function
        return function

    return register


def as_date(value: Any) -> date | None:
    """SQLite returns dates as text; PostgreSQL as dates."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_OVERLAPS = """COALESCE(r2.start_date, '0001-01-01') <= COALESCE(r1.end_date, '9999-12-31')
                AND COALESCE(r1.start_date, '0001-01-01') <= COALESCE(r2.end_date, '9999-12-31')"""


@contextmanager
def _rule_cursor() -> Iterator[Any]:
    """On PostgreSQL a cursor that binds parameters on the server, so that the rules' statements
    are prepared, planned once per connection rather than at every evaluation (planning a rule's
    query costs more than running it for one family). Django leaves prepared statements off, for
    connection poolers; they are on only while the rules run, for the statements the rules mark.
    On SQLite, Django's cursor: the driver already caches prepared statements."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    from psycopg import Cursor

    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = 1_000_000  # only statements executed with prepare=True
    try:
        with Cursor(raw) as cursor:
            yield cursor
    finally:
        raw.prepare_threshold = before


def _run(cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
    """A statement run at every evaluation: prepared on PostgreSQL (see `_rule_cursor`)."""
    if connection.vendor == "postgresql":
        cursor.execute(sql, list(params), prepare=True)
    else:
        cursor.execute(sql, list(params))


def _ensure_tables(cursor: Any) -> bool:
    """The temporary tables live as long as the connection (or until the transaction that
    created them rolls back): an incremental evaluation only empties and refills them. Returns
    whether they have never been analysed (PostgreSQL)."""
    if connection.vendor == "postgresql":
        _run(
            cursor,
            "SELECT COALESCE((SELECT c.reltuples FROM pg_class c "
            "WHERE c.oid = to_regclass(%s)), -2)",
            [f"pg_temp.{ENTRY_TABLE}"],  # created and analysed last
        )
        reltuples = float(cursor.fetchone()[0])
        if reltuples > -2:  # it exists; -1 is "never analysed"
            return reltuples < 0
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {SCOPE_TABLE} (child_id bigint PRIMARY KEY)"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {FAMILY_TABLE} (child_id bigint, person_id bigint)"
    )
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {FAMILY_TABLE}_person ON {FAMILY_TABLE} (person_id)"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {ENTRY_TABLE} "
        "(child_id bigint, entry_id bigint, event_date date)"
    )
    return True


def _fill_scope(cursor: Any, child_ids: Iterable[int] | None, people: Iterable[int] | None) -> None:
    """Every living child; or these children; or the children in the families of these people."""
    living_child = "p.kind = 'child' AND p.date_of_death IS NULL"
    if child_ids is None and people is None:
        _run(
            cursor,
            f"INSERT INTO {SCOPE_TABLE} SELECT p.id FROM people_person p WHERE {living_child}",
        )
        return
    if people is not None:
        ids = sorted(set(people))
        if not ids:
            return
        marks = ", ".join(["%s"] * len(ids))
        # A UNION of index lookups: an OR of IN-subqueries would scan every person.
        _run(
            cursor,
            f"""INSERT INTO {SCOPE_TABLE} SELECT p.id FROM people_person p WHERE {living_child}
            AND p.id IN (SELECT p2.id FROM people_person p2 WHERE p2.id IN ({marks})
                UNION SELECT r.relative_id FROM people_relationship r WHERE r.person_id IN ({marks})
                UNION SELECT r.person_id FROM people_relationship r WHERE r.relative_id IN ({marks})
                UNION SELECT r2.person_id FROM people_residence r1
                    JOIN people_residence r2 ON r2.address_id = r1.address_id AND {_OVERLAPS}
                    WHERE r1.person_id IN ({marks}))""",
            ids * 4,
        )
        return
    ids = sorted(set(child_ids or ()))
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        _run(
            cursor,
            f"INSERT INTO {SCOPE_TABLE} SELECT p.id FROM people_person p "
            f"WHERE p.id IN ({marks}) AND {living_child}",
            ids,
        )


def _build_family(
    cursor: Any, child_ids: Iterable[int] | None, people: Iterable[int] | None = None
) -> bool:
    """The children in scope and their families, into the temporary tables; whether they were
    analysed now."""
    unanalysed = _ensure_tables(cursor)
    _run(cursor, f"DELETE FROM {SCOPE_TABLE}")
    _run(cursor, f"DELETE FROM {FAMILY_TABLE}")
    _run(cursor, f"DELETE FROM {ENTRY_TABLE}")
    _fill_scope(cursor, child_ids, people)
    _run(
        cursor,
        f"""
        INSERT INTO {FAMILY_TABLE} (child_id, person_id)
        SELECT child_id, child_id FROM {SCOPE_TABLE}
        UNION SELECT s.child_id, r.relative_id FROM {SCOPE_TABLE} s
            JOIN people_relationship r ON r.person_id = s.child_id
        UNION SELECT s.child_id, r.person_id FROM {SCOPE_TABLE} s
            JOIN people_relationship r ON r.relative_id = s.child_id
        UNION SELECT s.child_id, r2.person_id FROM {SCOPE_TABLE} s
            JOIN people_residence r1 ON r1.person_id = s.child_id
            JOIN people_residence r2 ON r2.address_id = r1.address_id
                AND r2.person_id <> s.child_id AND {_OVERLAPS}
        """,
    )
    if connection.vendor == "postgresql":
        # Temporary tables have no statistics until analysed (autovacuum never sees them), and
        # without them the planner assumes thousands of rows and scans whole tables for one
        # family. A whole population is analysed every time; the tables of one family once,
        # so that the prepared plans stay valid (analysing again would re-plan them all).
        full = child_ids is None and people is None
        if full or unanalysed:
            _run(cursor, f"SELECT EXISTS (SELECT 1 FROM {FAMILY_TABLE})")
            if cursor.fetchone()[0]:
                cursor.execute(f"ANALYZE {SCOPE_TABLE}")
                cursor.execute(f"ANALYZE {FAMILY_TABLE}")
                return True
    return False


def _read_family_entries(cursor: Any, as_of: date) -> date:
    """One family's entries over the horizon, read once for every rule (incremental only: for a
    whole population the rules' own set-based reads are cheaper than a copy of the chronology)."""
    since = as_of - timedelta(days=ENTRY_HORIZON_DAYS)
    params: list[Any] = [since, as_of, since, as_of]
    if connection.vendor == "sqlite":
        params = [p.isoformat() for p in params]
    _run(
        cursor,
        f"""INSERT INTO {ENTRY_TABLE} (child_id, entry_id, event_date)
        SELECT f.child_id, e.id, es.event_date
        FROM {FAMILY_TABLE} f
        JOIN chronology_entrysubject es ON es.person_id = f.person_id
        JOIN chronology_chronologyentry e ON e.id = es.entry_id
        WHERE es.event_date > %s AND es.event_date <= %s AND e.status = 'active'
        UNION
        SELECT s.child_id, e.id, e.event_date
        FROM {SCOPE_TABLE} s
        JOIN people_residence r ON r.person_id = s.child_id
        JOIN chronology_chronologyentry e ON e.household_id = r.address_id
            AND e.event_date >= COALESCE(r.start_date, '0001-01-01')
            AND e.event_date <= COALESCE(r.end_date, '9999-12-31')
        WHERE e.event_date > %s AND e.event_date <= %s AND e.status = 'active'""",
        params,
    )
    return since


def _episode_facts(cursor: Any, as_of: date) -> dict[str, EpisodeFacts]:
    on = as_of.isoformat() if connection.vendor == "sqlite" else as_of
    _run(
        cursor,
        f"""SELECT p.kind,
            MAX(CASE WHEN p.end_date IS NULL OR p.end_date > %s THEN 1 ELSE 0 END),
            MAX(CASE WHEN p.end_date <= %s THEN p.end_date END)
        FROM {SCOPE_TABLE} s JOIN episodes_episode p ON p.child_id = s.child_id
        WHERE p.start_date <= %s GROUP BY p.kind""",
        [on, on, on],
    )
    return {
        kind: EpisodeFacts(bool(open_now), as_date(last_end))
        for kind, open_now, last_end in cursor.fetchall()
    }


@dataclass
class Evaluation:
    as_of: date
    findings: list[Finding] = field(default_factory=list)
    children_in_scope: int = 0


def evaluate(
    as_of: date,
    *,
    child_ids: Iterable[int] | None = None,
    people: Iterable[int] | None = None,
    rules: dict[str, dict[str, Any]],
    timings: dict[str, float] | None = None,
) -> Evaluation:
    """Every rule in `rules` ({code: params}) over the children in scope: every child, the given
    children, or (incremental) the children in the families of the given people. `timings`, if
    given, collects the seconds each rule (and building the scope, as `scope`) took."""
    from hearth.alerts import rules as _rules  # noqa: F401 - registers the rule functions

    result = Evaluation(as_of)
    full = child_ids is None and people is None
    clock = time.perf_counter
    with _rule_cursor() as cursor:
        started = clock()
        analysed = _build_family(cursor, child_ids, people)
        _run(cursor, f"SELECT COUNT(*) FROM {SCOPE_TABLE}")
        result.children_in_scope = int(cursor.fetchone()[0])
        episodes: dict[str, EpisodeFacts] = {}
        entries_from = None
        if result.children_in_scope:
            episodes = _episode_facts(cursor, as_of)
            if not full:
                entries_from = _read_family_entries(cursor, as_of)
                if analysed:
                    cursor.execute(f"ANALYZE {ENTRY_TABLE}")
        if timings is not None:
            timings["scope"] = timings.get("scope", 0.0) + clock() - started
        if result.children_in_scope:
            for code, params in rules.items():
                function = RULES.get(code)
                if function is None:
                    raise ValueError(f"rule '{code}' has no implementation")
                started = clock()
                result.findings.extend(
                    function(Context(as_of, params, cursor, episodes, entries_from))
                )
                if timings is not None:
                    timings[code] = timings.get(code, 0.0) + clock() - started
        if full:
            # Drop, not empty: the statistics gathered for a whole population would make the
            # planner choose whole-table plans for the next one-family evaluation.
            for table in (FAMILY_TABLE, SCOPE_TABLE, ENTRY_TABLE):
                cursor.execute(f"DROP TABLE {table}")
    return result
