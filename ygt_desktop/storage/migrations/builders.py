"""The steps the migration history is written in (part of the history itself).

Every step takes the columns it makes as literal ``(name, SQL type)`` pairs, written
out on the day the migration was added: nothing here reads ``forms/``, so editing a
form file can never change what an old migration does. A builder's output is history
too: once a released migration uses it, what it creates must not change. A new kind of
table gets a new builder.

Steps run on a sqlite-utils :class:`~sqlite_utils.Database` inside the runner's
transaction (see :mod:`ygt_desktop.storage.migrations`); they never commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlite_utils
from sqlite_utils.db import ForeignKey

TEXT = "TEXT"
INTEGER = "INTEGER"
REAL = "REAL"

Column = tuple[str, str]
"""A column as a migration made it: its name and its SQL type."""

Step = Callable[[sqlite_utils.Database], None]


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over ``conn`` without touching the connection's settings.

    ``db.connect`` owns the pragmas (WAL, foreign keys, busy timeout); sqlite-utils
    would otherwise switch ``recursive_triggers`` on and run plugin hooks.
    """
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


@dataclass(frozen=True)
class Migration:
    """One named step of the history."""

    name: str
    fn: Step

    def apply(self, conn: sqlite3.Connection) -> None:
        """Run the step inside the caller's open transaction (never commits)."""
        if not conn.in_transaction:
            raise RuntimeError(f"迁移 {self.name} 必须在事务中运行")
        self.fn(database(conn))


def sql(script: str) -> Step:
    """Hand-written DDL (checks, triggers, partial indexes), run statement by statement
    inside the open transaction (sqlite-utils' ``executescript`` does not commit
    there)."""

    def apply(db: sqlite_utils.Database) -> None:
        db.executescript(script)

    return apply


def _columns(table: str, columns: Sequence[Column]) -> dict[str, str]:
    made = dict(columns)
    if len(made) != len(columns):
        raise ValueError(f"{table}: duplicate column in {columns!r}")
    return made


def form_table(table: str, columns: Sequence[Column]) -> Step:
    """A service form's detail table: ``record_id`` (the header row in
    ``service_records``, deleted with it) and exactly ``columns``."""
    made = _columns(table, columns)

    def apply(db: sqlite_utils.Database) -> None:
        db.create_table(
            table,
            {"record_id": INTEGER, **made},
            pk="record_id",
            foreign_keys=[
                ForeignKey(table, "record_id", "service_records", "id", on_delete="CASCADE")
            ],
        )

    return apply


def child_table(parent: str, field_id: str) -> str:
    """The table of a form's repeating group (a ``rows`` field): ``<parent>__<field>``."""
    return f"{parent}__{field_id}"


def rows_table(parent: str, key: str, field_id: str, columns: Sequence[Column]) -> Step:
    """A repeating group's table: one row per line of a record — ``record_id`` (the
    parent's ``key``: a service form's ``record_id``, a resident's or entity's ``id``,
    its lines deleted with it), ``line`` (1, 2, … in the order entered) and exactly
    ``columns``."""
    table = child_table(parent, field_id)
    made = _columns(table, columns)

    def apply(db: sqlite_utils.Database) -> None:
        db.create_table(
            table,
            {"record_id": INTEGER, "line": INTEGER, **made},
            pk=("record_id", "line"),
            not_null={"record_id", "line"},
            foreign_keys=[ForeignKey(table, "record_id", parent, key, on_delete="CASCADE")],
        )

    return apply


ENTITY_SYSTEM_COLUMNS: tuple[Column, ...] = (
    ("created_at", TEXT),
    ("created_by", TEXT),
    ("updated_at", TEXT),
    ("deleted", INTEGER),
    ("deleted_reason", TEXT),
)
_ENTITY_NOT_NULL = ("created_at", "created_by", "updated_at", "deleted")


def entity_table(table: str, columns: Sequence[Column]) -> Step:
    """An entity form's table: its own ``id``, exactly ``columns``, then the system
    columns kept by :class:`~ygt_desktop.storage.entities.EntityRepo`."""
    made = _columns(table, [*columns, *ENTITY_SYSTEM_COLUMNS])

    def apply(db: sqlite_utils.Database) -> None:
        db.create_table(
            table,
            {"id": INTEGER, **made},
            pk="id",
            not_null=_ENTITY_NOT_NULL,
            defaults={"deleted": 0},
        )

    return apply


def add_columns(table: str, columns: Sequence[Column]) -> Step:
    """New nullable columns at the end of ``table`` (a field added to a form)."""
    made = _columns(table, columns)

    def apply(db: sqlite_utils.Database) -> None:
        for name, sql_type in made.items():
            db.table(table).add_column(name, sql_type)

    return apply


def change_types(table: str, types: Mapping[str, str]) -> Step:
    """New SQL types for existing columns (a form field's type changed): sqlite-utils
    rebuilds the table with its rows, indexes and foreign keys. Rare and slow on big
    tables; values are converted by SQLite's type affinity."""
    made = dict(types)

    def apply(db: sqlite_utils.Database) -> None:
        db.table(table).transform(types=made)

    return apply


def drop_columns(table: str, names: Iterable[str]) -> Step:
    """Remove columns (a field removed from a form) and the data in them."""
    gone = tuple(names)

    def apply(db: sqlite_utils.Database) -> None:
        db.table(table).transform(drop=gone)

    return apply
