"""Many rows in one statement: on PostgreSQL, one array per column through ``unnest``.

An ingest batch writes hundreds of rows to each table it touches. psycopg sends an
``executemany`` row by row, and the multi-row ``VALUES`` SQLAlchemy renders for one with
``RETURNING`` holds thousands of parameters, which psycopg spends longer parsing on the
client than PostgreSQL spends running it. ``INSERT … SELECT * FROM unnest(:a, :b, …)``
has one parameter per column, whatever the number of rows. Other databases (SQLite's
``executemany`` runs in C) get the plain statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from ..models import Base

__all__ = ["delete_tails", "insert_rows", "update_rows"]


def _names(dialect: Dialect, keys: Sequence[str]) -> str:
    return ", ".join(dialect.identifier_preparer.quote(key) for key in keys)


def _arrays(
    table: sa.Table, keys: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect
) -> tuple[str, dict[str, list[Any]]]:
    """The ``unnest(CAST(:k AS type[]), …)`` of `keys`, and its parameters."""
    arrays: dict[str, list[Any]] = {}
    casts = []
    for key in keys:
        column = table.c[key]
        # Each value as the column's type binds it on this database: enums to their
        # values, times to UTC, JSON to JSONB.
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[key] for row in rows]
        arrays[key] = [process(value) for value in values] if process else values
        casts.append(f"CAST(:{key} AS {column.type.compile(dialect=dialect)}[])")
    return f"unnest({', '.join(casts)})", arrays


def _table(model: type[Base]) -> sa.Table:
    return cast(sa.Table, model.__table__)


def _with_defaults(
    table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> Sequence[Mapping[str, Any]]:
    """`rows` with the columns' Python-side defaults filled in, as an ``INSERT`` would."""
    missing = [
        column
        for column in table.columns
        if column.key not in rows[0] and column.default is not None
    ]
    if not missing:
        return rows
    defaults: dict[str, Any] = {}
    for column in missing:
        default: Any = column.default
        # A callable default (SQLAlchemy wraps it to take the execution context) is
        # called once per statement, as an executemany would call it once per row.
        defaults[column.key] = default.arg(None) if default.is_callable else default.arg
    return [{**defaults, **row} for row in rows]


def insert_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_conflicts_on: Sequence[str] | None = None,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (dicts with the same keys) into `model`'s table; the `returning` columns.

    With `skip_conflicts_on`, a row that would break that unique constraint is skipped
    (``ON CONFLICT DO NOTHING``) and returns nothing.
    """
    if not rows:
        return []
    table = _table(model)
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        statement: Any = sqlite.insert(table) if dialect.name == "sqlite" else sa.insert(table)
        if skip_conflicts_on is not None:
            statement = statement.on_conflict_do_nothing(index_elements=list(skip_conflicts_on))
        if returning:
            statement = statement.returning(*(table.c[name] for name in returning))
            # render_nulls: rows that leave different columns empty go in one statement.
            found = session.execute(statement.execution_options(render_nulls=True), rows)
            return [tuple(row) for row in found]
        session.execute(statement.execution_options(render_nulls=True), rows)
        return []
    rows = _with_defaults(table, rows)
    keys = list(rows[0])
    source, params = _arrays(table, keys, rows, dialect)
    sql = f"INSERT INTO {table.name} ({_names(dialect, keys)}) SELECT * FROM {source}"
    if skip_conflicts_on is not None:
        sql += f" ON CONFLICT ({_names(dialect, skip_conflicts_on)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {_names(dialect, returning)}"
    result = session.execute(sa.text(sql).columns(*(table.c[name] for name in returning)), params)
    return [tuple(row) for row in result] if returning else []


def update_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """Update rows of `model`'s table by their ``id`` to the values of `rows` (same keys)."""
    if not rows:
        return
    table = _table(model)
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        session.execute(
            sa.update(table).where(table.c.id == sa.bindparam("_id")),
            [{**{k: v for k, v in row.items() if k != "id"}, "_id": row["id"]} for row in rows],
        )
        return
    keys = list(rows[0])
    source, params = _arrays(table, keys, rows, dialect)
    quote = dialect.identifier_preparer.quote
    assignments = ", ".join(f"{quote(key)} = v.{quote(key)}" for key in keys if key != "id")
    session.execute(
        sa.text(
            f"UPDATE {table.name} SET {assignments} FROM {source} AS v({_names(dialect, keys)}) "
            f"WHERE {table.name}.id = v.id"
        ),
        params,
    )


def delete_tails(
    session: Session, model: type[Base], key: str, start: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Delete the rows of `model`'s table from each of `rows` on: same `key`, `start` at least.

    ``delete_tails(session, DossierStepRun, "dossier_id", "position", [{"dossier_id": 7,
    "position": 2}])`` deletes dossier 7's step runs from the third on.
    """
    if not rows:
        return
    table = _table(model)
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        session.execute(
            sa.delete(table).where(
                table.c[key] == sa.bindparam("_key"), table.c[start] >= sa.bindparam("_start")
            ),
            [{"_key": row[key], "_start": row[start]} for row in rows],
        )
        return
    source, params = _arrays(table, [key, start], rows, dialect)
    quote = dialect.identifier_preparer.quote
    session.execute(
        sa.text(
            f"DELETE FROM {table.name} USING {source} AS v({_names(dialect, [key, start])}) "
            f"WHERE {table.name}.{quote(key)} = v.{quote(key)} "
            f"AND {table.name}.{quote(start)} >= v.{quote(start)}"
        ),
        params,
    )


def one_of(session: Session, column: Any, values: Sequence[Any]) -> Any:
    """The condition "`column` is one of `values`", as cheap as the database allows.

    On PostgreSQL ``column = ANY(:array)``: one parameter, so the statement's text is the
    same for every batch and psycopg does not parse hundreds of placeholders each time.
    Elsewhere the plain ``IN``.
    """
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
    return column == sa.any_(array)
