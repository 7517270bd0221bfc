"""Fast loading: COPY on PostgreSQL, executemany on SQLite; never one save() per row.

On PostgreSQL the loader also drops secondary indexes while loading and rebuilds them at the end
(one sorted build is far cheaper than ten million random inserts), and skips foreign-key triggers
when the role is a superuser, because the generator writes consistent ids itself.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections
from django.db.models import JSONField, Model

KEEP_ON_RESET = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "chronology_eventtype",
    # Published definitions and configuration, not records: `--reset` keeps them, so a fresh
    # generation finds the toolkit's tools, the alert rules and the reference figures in place.
    "toolkit_tool",
    "toolkit_toolversion",
    "alerts_rule",
    "alerts_ruleversion",
    "partnership_referencevalue",
    "partnership_statisticalneighbour",
    "partnership_reportingsettings",
}


class BulkWriter:
    def __init__(self, using: str = "default") -> None:
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        self._dropped: list[tuple[str, str]] = []
        self.rows_written = 0

    # -- session set-up ------------------------------------------------------------------------
    def begin_load(self, models: Sequence[type[Model]]) -> None:
        if not self.postgres:
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET session_replication_role = replica")
            for model in models:
                cursor.execute(
                    """
                    SELECT i.relname, pg_get_indexdef(i.oid)
                    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                    WHERE t.relname = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
                    """,
                    [model._meta.db_table],
                )
                for name, definition in cursor.fetchall():
                    self._dropped.append((name, definition))
                    cursor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def end_load(self, models: Sequence[type[Model]], progress: Any = None) -> None:
        """Rebuild dropped indexes, reset id sequences and refresh planner statistics."""
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SET maintenance_work_mem = '1GB'")
                for name, definition in self._dropped:
                    if progress:
                        progress(f"  rebuilding index {name}")
                    cursor.execute(definition)
                self._dropped = []
                cursor.execute("SET session_replication_role = DEFAULT")
                for model in models:
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                    )
                for model in models:
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
            else:
                cursor.execute("ANALYZE")

    # -- writing -------------------------------------------------------------------------------
    def _defaults(
        self, model: type[Model], columns: Sequence[str]
    ) -> tuple[tuple[str, ...], tuple[Any, ...]]:
        """Columns the generator does not know about (added to a model later) get their field default."""
        names: list[str] = []
        values: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.column in columns or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = "2000-01-01 00:00:00"
            elif isinstance(f, JSONField):
                value = json.dumps(f.get_default())
            elif f.has_default() or not f.null:
                value = f.get_db_prep_save(f.get_default(), self.connection)
            else:
                value = None
            names.append(f.column)
            values.append(value)
        return tuple(names), tuple(values)

    def write(
        self, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        table = model._meta.db_table
        count = 0
        extra_columns, extra_values = self._defaults(model, columns)
        if extra_columns:
            columns = (*columns, *extra_columns)
            rows = (tuple(row) + extra_values for row in rows)
        self.connection.ensure_connection()
        if self.postgres:
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            rows = list(rows)
            placeholders = ", ".join("?" for _ in columns)
            raw = self.connection.connection.cursor()
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
            raw.executemany(sql, rows)
            count = len(rows)
        self.rows_written += count
        return count


def reset_database(using: str = "default") -> None:
    """Empty every table except migrations and reference taxonomies, ready for a fresh generation."""
    connection = connections[using]
    tables = [
        t
        for t in connection.introspection.django_table_names(only_existing=True)
        if t not in KEEP_ON_RESET
    ]
    extra = {"axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "django_session"}
    existing = set(connection.introspection.table_names())
    tables += sorted(t for t in extra & existing if t not in tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire deferred foreign-key checks first: TRUNCATE refuses tables with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608
            if "sqlite_sequence" in existing:
                marks = ", ".join("%s" for _ in tables)
                cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marks})", tables)  # noqa: S608
            cursor.execute("PRAGMA foreign_keys = ON")
