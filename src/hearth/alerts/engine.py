"""Evaluating the rules: one set-based SQL pass per rule, over every child or over one family.

Full evaluation (`hearth alerts evaluate`) and incremental evaluation (after a save, for the
family of the people it touched) run the same rule functions over a different scope, so they
cannot disagree. Each rule finds the children whose condition is met with one aggregate query
(GROUP BY … HAVING), and reads the evidence only for those children (the rules that fire most, in
the same statement).

A child's family, for every rule, is what the merged chronology shows: the child, everyone with a
recorded relationship to them, and everyone who lived at one of their addresses at an overlapping
time. It is built once per evaluation into a temporary table, `hearth_alert_family`.

An incremental evaluation costs a few dozen small statements, each planned once per connection
(prepared) and each taking a fraction of a millisecond, so what it costs is mostly round trips.
On PostgreSQL the engine therefore sends statements together (psycopg's pipeline mode): the
children in scope and their episodes' summary in one round trip (for 43 % of people, no child:
nothing more), then the scope with every rule's first statement in another; the rules run in
rounds (`_evaluate_in_rounds`), each round sending every rule's next statement at once, and most
families need no second round.
"""

import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction

FAMILY_TABLE = "hearth_alert_family"
SCOPE_TABLE = "hearth_alert_scope"
ENTRY_TABLE = "hearth_alert_family_entry"
# How far back an incremental evaluation reads the family's entries once, for every rule (the
# shipped rules' longest family window is 730 days; a longer one reads the chronology itself).
ENTRY_HORIZON_DAYS = 731
PREPARED_MAX = 400

# The family's active entries dated in (%s, %s], and the household's entries at the child's
# address while the child lived there, in the same period: what the merged chronology shows.
# With the entry's columns the rules read (a subject's `event_date` mirrors its entry's).
FAMILY_ENTRIES = f"""
        SELECT f.child_id, e.id AS entry_id, e.event_date, e.event_type_id, e.agency_id
        FROM {FAMILY_TABLE} f
        JOIN chronology_entrysubject es ON es.person_id = f.person_id
        JOIN chronology_chronologyentry e ON e.id = es.entry_id
        WHERE es.event_date > %s AND es.event_date <= %s AND e.status = 'active'
        UNION
        SELECT s.child_id, e.id, e.event_date, e.event_type_id, e.agency_id
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


Statement = tuple[str, Sequence[Any]]
Rows = list[tuple[Any, ...]]


class _Unanswered(BaseException):
    """Raised in a rule run in rounds when it asks for a statement whose rows are not known yet.
    A BaseException, so that no rule's `except Exception` can swallow it."""


@dataclass
class _Round:
    """The statements answered so far in an evaluation run in rounds, and those asked for in this
    round (keyed by text and parameters: the same statement asked twice is run once)."""

    answers: dict[tuple[str, tuple[Any, ...]], Rows] = field(default_factory=dict)
    wanted: dict[tuple[str, tuple[Any, ...]], Statement] = field(default_factory=dict)
    asked: int = 0  # statements this rule asked for in this round (for its timing)


def _key(sql: str, params: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
    return sql, tuple(tuple(p) if isinstance(p, list) else p for p in params)


@dataclass
class Context:
    as_of: date
    params: dict[str, Any]
    cursor: Any
    episodes: dict[str, EpisodeFacts] = field(default_factory=dict)
    entries_from: date | None = None  # the family's entries after this date are in ENTRY_TABLE
    rounds: _Round | None = None  # set when the rules run in rounds (`_evaluate_in_rounds`)

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

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        return self.rows_together((sql, params))[0]

    def rows_together(self, *statements: Statement) -> list[Rows]:
        """The rows of statements that do not depend on one another's results: run in rounds,
        they are asked for in the same round (one round trip) rather than one after another."""
        if self.rounds is None:
            return [_run_all(self.cursor, [statement])[0] or [] for statement in statements]
        keys = [_key(sql, params) for sql, params in statements]
        missing = [
            (key, statement)
            for key, statement in zip(keys, statements, strict=True)
            if key not in self.rounds.answers
        ]
        if missing:
            for key, statement in missing:
                self.rounds.wanted.setdefault(key, statement)
            self.rounds.asked += len(missing)
            raise _Unanswered
        return [list(self.rounds.answers[key]) for key in keys]


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
    # psycopg keeps 100 prepared statements and re-prepares beyond that; the rules have about
    # 60 (one text each, whatever the family), so leave room for more rules. Nothing else on
    # the connection prepares statements, so this is left as it is afterwards.
    raw.prepared_max = max(raw.prepared_max, PREPARED_MAX)
    try:
        with Cursor(raw) as cursor:
            yield cursor
    finally:
        raw.prepare_threshold = before


def _run(cursor: Any, sql: str, params: Sequence[Any] = ()) -> None:
    """A statement run at every evaluation: prepared on PostgreSQL (see `_rule_cursor`)."""
    if connection.vendor == "postgresql":
        cursor.execute(sql, list(params), prepare=True)
    else:  # dates are stored as ISO text there
        cursor.execute(sql, [p.isoformat() if isinstance(p, date) else p for p in params])


def _run_all(cursor: Any, statements: Sequence[Statement]) -> list[Rows | None]:
    """Run statements in order; the rows of each (None for one that returns none). On PostgreSQL
    several are sent in one round trip (pipeline mode), each into its own cursor; they still run
    one after another, in order, on the server, and an error in one fails the call."""
    if connection.vendor != "postgresql" or len(statements) == 1:
        results: list[Rows | None] = []
        for sql, params in statements:
            _run(cursor, sql, params)
            results.append(list(cursor.fetchall()) if cursor.description else None)
        return results
    raw = cursor.connection
    # The engine's own cursor class (server-side binding: see `_rule_cursor`), not the
    # connection's default (Django's binds on the client, so nothing would be prepared).
    cursors = [type(cursor)(raw) for _ in statements]
    try:
        with raw.pipeline():
            for each, (sql, params) in zip(cursors, statements, strict=True):
                each.execute(sql, list(params), prepare=True)
        return [list(each.fetchall()) if each.description else None for each in cursors]
    finally:
        for each in cursors:
            each.close()


# Connections (psycopg's) whose temporary tables for one family exist, with statistics, since a
# committed transaction: an incremental evaluation on them need not look in the catalogue first.
_READY: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _create_tables(cursor: Any, *, full: bool) -> None:
    """A whole population's tables are created for the evaluation and dropped after it, with a
    key and an index for its joins. One family's live as long as the connection and, on
    PostgreSQL, are emptied at every commit (ON COMMIT DELETE ROWS), without keys or indexes:
    emptied that way a table keeps its file and statistics, so the prepared plans stay valid,
    whereas rows deleted one by one leave dead line pointers that only VACUUM (never run on
    temporary tables) reclaims, so the tables would grow with every evaluation. An index would
    be rebuilt at each commit, and that re-plans every statement that reads its table."""
    postgresql = connection.vendor == "postgresql"
    per_family = postgresql and not full
    key = "" if per_family else " PRIMARY KEY"
    on_commit = " ON COMMIT DELETE ROWS" if per_family else ""
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {SCOPE_TABLE} (child_id bigint{key}){on_commit}"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {FAMILY_TABLE} "
        f"(child_id bigint, person_id bigint){on_commit}"
    )
    if not per_family:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {FAMILY_TABLE}_person ON {FAMILY_TABLE} (person_id)"
        )
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {ENTRY_TABLE} (child_id bigint, entry_id bigint, "
        f"event_date date, event_type_id bigint, agency_id bigint){on_commit}"
    )


def _drop_tables(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        _READY.discard(cursor.connection)
    for table in (FAMILY_TABLE, SCOPE_TABLE, ENTRY_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _family_tables_ready(cursor: Any) -> bool:
    """PostgreSQL, one family: do the tables exist with statistics? Creates them if missing."""
    if cursor.connection in _READY:
        return True
    _run(
        cursor,
        "SELECT COALESCE((SELECT c.reltuples FROM pg_class c WHERE c.oid = to_regclass(%s)), -2)",
        [f"pg_temp.{ENTRY_TABLE}"],  # created and analysed last
    )
    reltuples = float(cursor.fetchone()[0])
    if reltuples == -2:
        _create_tables(cursor, full=False)
    if reltuples < 0:  # -1: never analysed
        return False
    _mark_ready(cursor.connection)
    return True


def _mark_ready(raw: Any) -> None:
    """Remembered once the transaction that created (and analysed) the tables has committed: a
    rollback would take them away."""
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _READY.add(raw))
    else:
        _READY.add(raw)


LIVING_CHILD = "p.kind = 'child' AND p.date_of_death IS NULL"


def _children_in_scope(
    cursor: Any, as_of: date, child_ids: Iterable[int] | None, people: Iterable[int] | None
) -> tuple[list[int], dict[str, EpisodeFacts]]:
    """These living children, or the living children in the families of these people, with the
    summary of their episodes, in one round trip. Read before anything is written: for 43 % of
    people there is no child, and then that is all; and the summary is known before the first
    round of rules, so that the rules about plans ask for their statements in it."""
    if people is not None:
        ids = sorted(set(people))
        marks = ", ".join(["%s"] * len(ids))
        # A UNION of index lookups: an OR of IN-subqueries would scan every person.
        sql = f"""SELECT p.id FROM people_person p WHERE {LIVING_CHILD}
            AND p.id IN (SELECT p2.id FROM people_person p2 WHERE p2.id IN ({marks})
                UNION SELECT r.relative_id FROM people_relationship r WHERE r.person_id IN ({marks})
                UNION SELECT r.person_id FROM people_relationship r WHERE r.relative_id IN ({marks})
                UNION SELECT r2.person_id FROM people_residence r1
                    JOIN people_residence r2 ON r2.address_id = r1.address_id AND {_OVERLAPS}
                    WHERE r1.person_id IN ({marks}))"""
        params = ids * 4
    else:
        ids = sorted(set(child_ids or ()))
        marks = ", ".join(["%s"] * len(ids))
        sql = f"SELECT p.id FROM people_person p WHERE p.id IN ({marks}) AND {LIVING_CHILD}"
        params = ids
    if not ids:
        return [], {}
    rows, summary = _run_all(
        cursor, [(f"{sql} ORDER BY p.id", params), _episode_summary(as_of, sql, params)]
    )
    return [row[0] for row in rows or ()], _episode_facts(summary or [])


def _fill_scope(children: list[int] | None) -> Statement:
    """Every living child, or these (found by `_children_in_scope`)."""
    if children is None:
        return (
            f"INSERT INTO {SCOPE_TABLE} SELECT p.id FROM people_person p WHERE {LIVING_CHILD}",
            [],
        )
    if connection.vendor == "postgresql":  # one text whatever the number: prepared once
        return f"INSERT INTO {SCOPE_TABLE} SELECT unnest(%s::bigint[])", [children]
    values = ", ".join(["(%s)"] * len(children))
    return f"INSERT INTO {SCOPE_TABLE} (child_id) VALUES {values}", children


FILL_FAMILY = f"""
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
        """


def _family_entries(as_of: date) -> Statement:
    """One family's entries over the horizon, read once for every rule (incremental only: for a
    whole population the rules' own set-based reads are cheaper than a copy of the chronology)."""
    since = as_of - timedelta(days=ENTRY_HORIZON_DAYS)
    # What FAMILY_ENTRIES reads, each family member's entries read once however many of the
    # children they are family to.
    return (
        f"""WITH person_entry AS MATERIALIZED (
            SELECT es.person_id, e.id, e.event_date, e.event_type_id, e.agency_id
            FROM (SELECT DISTINCT person_id FROM {FAMILY_TABLE}) p
            JOIN chronology_entrysubject es ON es.person_id = p.person_id
            JOIN chronology_chronologyentry e ON e.id = es.entry_id
            WHERE es.event_date > %s AND es.event_date <= %s AND e.status = 'active')
        INSERT INTO {ENTRY_TABLE} (child_id, entry_id, event_date, event_type_id, agency_id)
        SELECT f.child_id, pe.id, pe.event_date, pe.event_type_id, pe.agency_id
        FROM {FAMILY_TABLE} f JOIN person_entry pe ON pe.person_id = f.person_id
        UNION
        SELECT s.child_id, e.id, e.event_date, e.event_type_id, e.agency_id
        FROM {SCOPE_TABLE} s
        JOIN people_residence r ON r.person_id = s.child_id
        JOIN chronology_chronologyentry e ON e.household_id = r.address_id
            AND e.event_date >= COALESCE(r.start_date, '0001-01-01')
            AND e.event_date <= COALESCE(r.end_date, '9999-12-31')
        WHERE e.event_date > %s AND e.event_date <= %s AND e.status = 'active'""",
        [since, as_of, since, as_of],
    )


def _episode_summary(
    as_of: date, scope: str = f"SELECT child_id FROM {SCOPE_TABLE}", params: Sequence[Any] = ()
) -> Statement:
    """Which kinds of episode the children in scope (`scope`, with its `params`) have had up to
    the date, which are open, and when the latest ended."""
    return (
        f"""SELECT p.kind,
            MAX(CASE WHEN p.end_date IS NULL OR p.end_date > %s THEN 1 ELSE 0 END),
            MAX(CASE WHEN p.end_date <= %s THEN p.end_date END)
        FROM episodes_episode p WHERE p.child_id IN ({scope}) AND p.start_date <= %s
        GROUP BY p.kind""",
        [as_of, as_of, *params, as_of],
    )


def _episode_facts(rows: Rows) -> dict[str, EpisodeFacts]:
    return {
        kind: EpisodeFacts(bool(open_now), as_date(last_end)) for kind, open_now, last_end in rows
    }


@dataclass
class _Scope:
    analysed: bool = False  # one family's tables, analysed now (PostgreSQL)


@contextmanager
def _family_transaction(cursor: Any, enabled: bool) -> Iterator[list[Statement]]:
    """One family's evaluation on PostgreSQL is one transaction: its tables are emptied at each
    commit. Yields the statements that begin it, to send first, with the scope's: none inside a
    caller's transaction (`transaction.atomic`), or on SQLite.

    Its own transaction is begun and ended here on the connection, not with Django's atomic():
    psycopg waits for the result of a BEGIN it sends itself, a round trip of its own. Emptying
    the tables at commit takes an exclusive lock on each, which PostgreSQL logs for hot standbys,
    so the commit would wait for the log to reach the disk; the transaction writes only
    temporary tables, so nothing in it needs to be durable (synchronous_commit off)."""
    if not enabled or connection.in_atomic_block or not connection.get_autocommit():
        yield []
        return
    from psycopg.pq import TransactionStatus

    ended = False
    try:
        yield [("BEGIN", []), ("SET LOCAL synchronous_commit = off", [])]
        cursor.execute("COMMIT")
        ended = True
    finally:
        if not ended and cursor.connection.info.transaction_status != TransactionStatus.IDLE:
            cursor.execute("ROLLBACK")


def _build_scope(
    cursor: Any,
    as_of: date,
    children: list[int] | None,
    *,
    ready: bool = False,
    begin: Sequence[Statement] = (),
) -> _Scope | list[Statement]:
    """The children in scope (every child, or these) and their families into the temporary
    tables, with (for some children) their families' entries. For some children on PostgreSQL,
    once the tables have statistics (`ready`), all of it can be sent in one round trip: then the
    statements are returned, to send, rather than run. `begin`: statements to send first."""
    full = children is None
    postgresql = connection.vendor == "postgresql"
    fill = [_fill_scope(children), (FILL_FAMILY, [])]
    if full:
        _drop_tables(cursor)
        _create_tables(cursor, full=True)
    elif ready:
        empty: list[Statement] = [
            (f"DELETE FROM {table}", []) for table in (SCOPE_TABLE, FAMILY_TABLE, ENTRY_TABLE)
        ]
        return [*begin, *empty, *fill, _family_entries(as_of)]
    else:
        if not postgresql:
            _create_tables(cursor, full=False)
        for sql, params in begin:
            _run(cursor, sql, params)
        for table in (SCOPE_TABLE, FAMILY_TABLE, ENTRY_TABLE):
            _run(cursor, f"DELETE FROM {table}")
    # A whole population, the first family on a connection, or SQLite: one statement at a time.
    _run_all(cursor, fill)
    if postgresql:
        # Temporary tables have no statistics until analysed (autovacuum never sees them), and
        # without them the planner assumes thousands of rows and scans whole tables for one
        # family. A whole population is analysed every time; the tables of one family once
        # per connection, so that the prepared plans stay valid (analysing again would re-plan
        # them all), and then all in one round trip as above.
        cursor.execute(f"ANALYZE {SCOPE_TABLE}")
        cursor.execute(f"ANALYZE {FAMILY_TABLE}")
    if not full:
        _run_all(cursor, [_family_entries(as_of)])
        if postgresql:
            cursor.execute(f"ANALYZE {ENTRY_TABLE}")
            return _Scope(analysed=True)
    return _Scope()


@dataclass
class Evaluation:
    as_of: date
    findings: list[Finding] = field(default_factory=list)
    children_in_scope: int = 0
    children: list[int] | None = None  # the children evaluated (None: every child)


def evaluate(
    as_of: date,
    *,
    child_ids: Iterable[int] | None = None,
    people: Iterable[int] | None = None,
    rules: dict[str, dict[str, Any]],
    timings: dict[str, float] | None = None,
    in_rounds: bool | None = None,
) -> Evaluation:
    """Every rule in `rules` ({code: params}) over the children in scope: every child, the given
    children, or (incremental) the children in the families of the given people. `timings`, if
    given, collects the seconds each rule (and building the scope, as `scope`) took.

    `in_rounds` runs the rules in rounds (`_evaluate_in_rounds`); by default, one family's
    evaluation on PostgreSQL does, where round trips are what it costs."""
    from hearth.alerts import rules as _rules  # noqa: F401 - registers the rule functions

    for code in rules:
        if code not in RULES:
            raise ValueError(f"rule '{code}' has no implementation")
    result = Evaluation(as_of)
    full = child_ids is None and people is None
    postgresql = connection.vendor == "postgresql"
    if in_rounds is None:
        in_rounds = postgresql and not full
    clock = time.perf_counter
    with _rule_cursor() as cursor:
        started = clock()
        children, episodes = (
            (None, {}) if full else _children_in_scope(cursor, as_of, child_ids, people)
        )
        result.children = children
        if children == []:
            if timings is not None:
                timings["scope"] = timings.get("scope", 0.0) + clock() - started
            return result
        # Checked (and created) before the evaluation's transaction begins.
        ready = postgresql and not full and _family_tables_ready(cursor)
        with _family_transaction(cursor, postgresql and not full) as begin:
            try:
                scope = _build_scope(cursor, as_of, children, ready=ready, begin=begin)
                since = None if full else as_of - timedelta(days=ENTRY_HORIZON_DAYS)
                send: list[Statement] = []  # the scope's statements, not yet sent
                if isinstance(scope, list):
                    if in_rounds:
                        send = scope
                    else:
                        _run_all(cursor, scope)
                if full:
                    [summary] = _run_all(cursor, [_episode_summary(as_of)])
                    episodes = _episode_facts(summary or [])
                    [count] = _run_all(cursor, [(f"SELECT COUNT(*) FROM {SCOPE_TABLE}", [])])
                    result.children_in_scope = int((count or [(0,)])[0][0])
                else:
                    result.children_in_scope = len(children or ())
                if timings is not None:
                    timings["scope"] = timings.get("scope", 0.0) + clock() - started
                contexts = {
                    code: Context(as_of, params, cursor, episodes, since)
                    for code, params in rules.items()
                }
                if not result.children_in_scope:
                    found: dict[str, list[Finding]] = {}
                elif in_rounds:
                    found = _evaluate_in_rounds(cursor, contexts, timings, before=send)
                else:
                    found = {}
                    for code, ctx in contexts.items():
                        started = clock()
                        found[code] = list(RULES[code](ctx))
                        if timings is not None:
                            timings[code] = timings.get(code, 0.0) + clock() - started
                for code in rules:
                    result.findings.extend(found.get(code, ()))
            finally:
                if full and _usable(cursor):
                    # Drop, not empty: the statistics gathered for a whole population would make
                    # the planner choose whole-table plans for the next one-family evaluation.
                    _drop_tables(cursor)
        if isinstance(scope, _Scope) and scope.analysed:
            _mark_ready(cursor.connection)  # after the commit (or on the caller's)
    return result


def _usable(cursor: Any) -> bool:
    """False in a transaction that an error has aborted (PostgreSQL), where nothing can run."""
    if connection.vendor != "postgresql":
        return True
    from psycopg.pq import TransactionStatus

    return bool(cursor.connection.info.transaction_status != TransactionStatus.INERROR)


def _evaluate_in_rounds(
    cursor: Any,
    contexts: dict[str, Context],
    timings: dict[str, float] | None,
    before: Sequence[Statement] = (),
) -> dict[str, list[Finding]]:
    """Run the rules in rounds, so that one family's few dozen statements cost a few round
    trips rather than one each. In each round every unfinished rule runs from its start, its
    statements answered from the rows already read, until it asks for one not yet run (the
    rule functions read and write nothing else, so running one again repeats it exactly); the
    statements asked for are then sent together (`_run_all`). A rule needs as many rounds as
    its longest chain of statements that depend on one another's results, typically two to
    four; `Context.rows_together` asks for independent statements in the same round. The
    statements and their results are the same as when the rules run one after another.

    `before`: the scope's statements (`_build_scope`), sent ahead of the first round's.

    Timings: each rule's own time, plus a share of each round trip by the statements it asked
    (the scope's share goes to `scope`)."""
    clock = time.perf_counter
    shared = _Round()
    found: dict[str, list[Finding]] = {}
    pending = dict(contexts)
    ahead = list(before)
    while pending:
        asked: dict[str, int] = {}
        for code, ctx in list(pending.items()):
            ctx.rounds = shared
            shared.asked = 0
            started = clock()
            try:
                found[code] = list(RULES[code](ctx))
                del pending[code]
            except _Unanswered:
                asked[code] = shared.asked
            finally:
                if timings is not None:
                    timings[code] = timings.get(code, 0.0) + clock() - started
        if not shared.wanted and not ahead:
            if pending:
                raise RuntimeError("a rule asked for nothing and did not finish")
            continue
        started = clock()
        keys = list(shared.wanted)
        results = _run_all(cursor, [*ahead, *shared.wanted.values()])
        for key, rows in zip(keys, results[len(ahead) :], strict=True):
            shared.answers[key] = rows or []
        shared.wanted.clear()
        if timings is not None:
            share = (clock() - started) / max(sum(asked.values()) + len(ahead), 1)
            for code, n in asked.items():
                timings[code] = timings.get(code, 0.0) + share * n
            timings["scope"] = timings.get("scope", 0.0) + share * len(ahead)
        ahead = []
    return found
