"""Inserting many new rows fast: COPY on PostgreSQL, `bulk_create` elsewhere.

On PostgreSQL the rows' ids are reserved from the table's own sequence first (`nextval`, safe
alongside any other writer), set on the objects, and the rows are streamed with COPY, which is
several times faster than a multi-row INSERT built by the ORM. Runs inside the caller's
transaction, like any other statement.
"""

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import DateField, JSONField, Model


def insert(objs: Sequence[Model], using: str = "default") -> None:
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=500)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ["id", *[f.column for f in fields]])
    stamped = [
        f
        for f in fields
        if isinstance(f, DateField) and (getattr(f, "auto_now", False) or f.auto_now_add)
    ]
    plain = [(f.attname, isinstance(f, JSONField)) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [meta.db_table, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
                for f in stamped:
                    f.pre_save(obj, add=True)
                row: list[Any] = [pk]
                for attname, is_json in plain:
                    value = getattr(obj, attname)
                    if is_json:
                        value = json.dumps(value)
                    elif isinstance(value, str) and type(value) is not str:
                        value = str(value)  # a TextChoices member
                    row.append(value)
                copy.write_row(row)
                obj._state.adding = False
                obj._state.db = using


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    using: str = "default",
) -> list[int]:
    """Insert plain tuples (values for `columns`, by attname) and return their new ids, in order.

    The fast path for a million rows: no model instances. On PostgreSQL the rows go as one COPY
    in CSV format, written by the C `csv` module; FORCE_NOT_NULL keeps an empty string empty in
    the NOT NULL text columns (elsewhere an empty field is NULL, as `None` is written).
    """
    if not rows:
        return []
    connection = connections[using]
    meta = model._meta
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=500)
        return [o.pk for o in objs]
    fields = {f.attname: f for f in meta.concrete_fields}
    qn = connection.ops.quote_name
    texts = [
        qn(fields[c].column)
        for c in columns
        if not fields[c].null
        and fields[c].get_internal_type() in ("CharField", "TextField", "SlugField")
    ]
    table = qn(meta.db_table)
    names = ", ".join(qn(c) for c in ["id", *[fields[c].column for c in columns]])
    options = f"FORMAT csv, FORCE_NOT_NULL ({', '.join(texts)})" if texts else "FORMAT csv"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [meta.db_table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerows((pk, *row) for pk, row in zip(ids, rows, strict=True))
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH ({options})") as copy:
            copy.write(buffer.getvalue())
    return ids


def append_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    using: str = "default",
) -> None:
    """Insert plain tuples whose ids nobody needs back: on PostgreSQL one COPY that leaves the
    id to the column's own default, with no round trip to reserve ids first."""
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        insert_rows(model, columns, rows, using)
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    names = ", ".join(qn(fields[c].column) for c in columns)
    table = qn(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
