"""How the alerts engine runs the rules' statements for one family: in rounds (on PostgreSQL in
pipeline mode, two or three round trips in all), in a transaction of its own, over temporary tables
emptied at commit. The rules' results are tested elsewhere; these are the ways the same
statements are sent, each of which could break while the results stay right."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from hearth.alerts import engine
from hearth.alerts.engine import ENTRY_TABLE, FAMILY_TABLE, SCOPE_TABLE, Context, evaluate
from hearth.alerts.registry import active_rules
from hearth.chronology.models import EventType
from hearth.people.models import PersonKind
from tests.factories.accounts import UserFactory
from tests.factories.agencies import AgencyFactory
from tests.factories.chronology import make_entry
from tests.factories.people import PersonFactory
from tests.functional.conftest import load_event_taxonomy

AS_OF = datetime.date(2025, 6, 30)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pipeline mode and ON COMMIT are PostgreSQL's"
)


def concerns_adding_up(world: Any) -> None:
    """Cumulative concern and many agencies (three of them) fire for Amy (as in test_alerts.py)."""
    school = UserFactory(username="dsl", agency=world.school)
    housing = UserFactory(username="housing", agency=AgencyFactory(code="housing", name="Homes"))
    for days, code, by, about in (
        (182, "home-conditions", housing, world.amy),
        (10, "missed-health-appointment", world.bob, world.mandy),
        (40, "missed-health-appointment", world.bob, world.mandy),
        (70, "missed-health-appointment", world.bob, world.mandy),
        (20, "poor-hygiene", school, world.amy),
        (30, "poor-hygiene", school, world.ben),
        (100, "child-hungry", school, world.amy),
    ):
        make_entry(
            by=by,
            subjects=[about],
            event_type=EventType.objects.get(code=code),
            event_date=AS_OF - datetime.timedelta(days=days),
        )


def rule_set() -> dict[str, dict[str, Any]]:
    return {code: r.params for code, r in active_rules().items()}


def keyed(evaluation: engine.Evaluation) -> dict[tuple[str, int], Any]:
    return {(f.rule, f.child_id): (f.summary, f.evidence) for f in evaluation.findings}


READY_CHECK = "SELECT COALESCE((SELECT c.reltuples"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The statements the engine sends together, call by call (on PostgreSQL a call of several
    is one round trip in pipeline mode; on SQLite they run one by one)."""
    calls: list[list[str]] = []
    run_all = engine._run_all

    def recording(cursor: Any, statements: Any) -> Any:
        calls.append([sql for sql, _ in statements])
        return run_all(cursor, statements)

    monkeypatch.setattr(engine, "_run_all", recording)
    yield calls


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many statements each of the engine's round trips sends (PostgreSQL), leaving out
    the catalogue check for the temporary tables, which a test's transaction (never
    committed) makes the engine repeat."""
    sizes: list[int] = []
    run_all, run = engine._run_all, engine._run

    def counting_run_all(cursor: Any, statements: Any) -> Any:
        if len(statements) > 1:  # one statement goes through `_run`, counted there
            sizes.append(len(statements))
        return run_all(cursor, statements)

    def counting_run(cursor: Any, sql: str, params: Any = ()) -> Any:
        if not sql.startswith(READY_CHECK):
            sizes.append(1)
        return run(cursor, sql, params)

    monkeypatch.setattr(engine, "_run_all", counting_run_all)
    monkeypatch.setattr(engine, "_run", counting_run)
    yield sizes


@pytest.mark.django_db
@pytest.mark.parametrize("in_rounds", [True, False])
def test_in_rounds_or_one_rule_after_another_the_findings_are_the_same(world, in_rounds):
    concerns_adding_up(world)
    rules = rule_set()
    full = keyed(evaluate(AS_OF, rules=rules))
    assert {("cumulative-concern", world.amy.pk), ("many-agencies", world.amy.pk)} <= set(full)
    family = evaluate(AS_OF, people=[world.mandy.pk], rules=rules, in_rounds=in_rounds)
    assert set(family.children or ()) == {world.amy.pk, world.ben.pk}
    assert keyed(family) == {k: v for k, v in full.items() if k[1] in family.children}


@pytest.mark.django_db
@postgresql_only
def test_one_family_on_postgresql_costs_two_round_trips(world, trips):
    concerns_adding_up(world)
    rules = rule_set()
    evaluate(AS_OF, people=[world.mandy.pk], rules=rules)  # creates and analyses the tables
    trips.clear()
    found = evaluate(AS_OF, people=[world.mandy.pk], rules=rules).findings
    assert {f.rule for f in found} >= {"cumulative-concern", "many-agencies"}
    # The children with their episodes' summary; then the scope with the rules' first
    # statements, which for the rules that fire here read their evidence too.
    assert len(trips) == 2, trips
    assert trips[0] == 2
    assert trips[1] >= 6 + 6  # the scope's six statements and the first of six rules at least


@pytest.mark.django_db
def test_a_person_with_no_child_in_the_family_costs_one_round_trip(world, sent):
    alone = PersonFactory(given_name="Alan", family_name="Alone", kind=PersonKind.ADULT)
    evaluation = evaluate(AS_OF, people=[alone.pk], rules=rule_set())
    assert evaluation.children == [] and evaluation.findings == []
    # The children and their episodes' summary, together; nothing written, no transaction.
    assert len(sent) == 1 and len(sent[0]) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("in_rounds", [True, False])
def test_a_rule_that_catches_exceptions_still_gets_its_rows_in_rounds(world, in_rounds):
    """Waiting for a statement's rows is signalled with a BaseException, which a rule's own
    `except Exception` cannot swallow."""
    seen: list[Any] = []

    def careful(ctx: Context) -> list[engine.Finding]:
        try:
            seen.append(ctx.rows(f"SELECT COUNT(*) FROM {SCOPE_TABLE}"))
        except Exception:
            seen.append("swallowed")
        return []

    engine.RULES["test-careful"] = careful
    try:
        evaluate(AS_OF, people=[world.mandy.pk], rules={"test-careful": {}}, in_rounds=in_rounds)
    finally:
        del engine.RULES["test-careful"]
    assert seen[-1] == [(2,)] and "swallowed" not in seen


@pytest.mark.django_db
def test_statements_asked_together_are_sent_in_one_round(world, sent):
    first, second = f"SELECT COUNT(*) FROM {SCOPE_TABLE}", f"SELECT COUNT(*) FROM {FAMILY_TABLE}"

    def together(ctx: Context) -> list[engine.Finding]:
        ctx.rows_together((first, []), (second, []))
        return []

    engine.RULES["test-together"] = together
    try:
        for _ in range(2):  # the first on a connection builds the scope statement by statement
            sent.clear()
            evaluate(AS_OF, child_ids=[world.amy.pk], rules={"test-together": {}}, in_rounds=True)
    finally:
        del engine.RULES["test-together"]
    assert any(first in call and second in call for call in sent), sent


def temp_tables() -> dict[str, tuple[int, int]]:
    """(bytes, rows) of this connection's temporary tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
            "WHERE c.relnamespace = pg_my_temp_schema() AND c.relname IN (%s, %s, %s)",
            [SCOPE_TABLE, FAMILY_TABLE, ENTRY_TABLE],
        )
        sizes = dict(cursor.fetchall())
        counts = {}
        for table in sizes:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return {table: (sizes[table], counts[table]) for table in sizes}


# Transactional tests empty the tables at teardown and the event types come from a data migration,
# so each loads them itself (serialized_rollback clashed with rows already there under xdist).
@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_in_autocommit_an_evaluation_is_its_own_transaction_and_leaves_nothing_behind(world):
    from psycopg.pq import TransactionStatus

    load_event_taxonomy()
    concerns_adding_up(world)
    rules = rule_set()
    with transaction.atomic():  # in a caller's transaction, as the background evaluator runs
        expected = keyed(evaluate(AS_OF, people=[world.mandy.pk], rules=rules))
    assert expected
    for _ in range(30):
        assert keyed(evaluate(AS_OF, people=[world.mandy.pk], rules=rules)) == expected
        assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    # Emptied at each commit, file and all: rows deleted one by one would leave dead space that
    # only VACUUM reclaims, and the tables would grow with every evaluation.
    assert temp_tables() == {SCOPE_TABLE: (0, 0), FAMILY_TABLE: (0, 0), ENTRY_TABLE: (0, 0)}
    assert connection.connection in engine._READY  # analysed once, then trusted


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_a_failing_evaluation_rolls_its_transaction_back(world):
    from psycopg.pq import TransactionStatus

    load_event_taxonomy()
    concerns_adding_up(world)
    rules = rule_set()

    def broken(ctx: Context) -> list[engine.Finding]:
        ctx.rows("SELECT no_such_column FROM hearth_alert_scope")
        return []

    engine.RULES["test-broken"] = broken
    try:
        for _ in range(2):  # the first on a connection runs statement by statement; then pipelined
            with pytest.raises(Exception, match="no_such_column"):
                evaluate(AS_OF, people=[world.mandy.pk], rules={**rules, "test-broken": {}})
            assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    finally:
        del engine.RULES["test-broken"]
    assert keyed(evaluate(AS_OF, people=[world.mandy.pk], rules=rules))
