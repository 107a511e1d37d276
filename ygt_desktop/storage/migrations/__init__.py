"""Ordered, explicit schema migrations, run by sqlite-utils' ``Migrations``.

The history lives in the ``history_*`` modules, one per era, written with the steps of
:mod:`.builders`. Every step carries the columns it made as literal ``(name, SQL type)``
pairs; nothing in the history reads ``forms/``. Migrations are never edited once
released: a form file that gains, loses or retypes a field needs a new migration
(``python -m ygt_desktop.storage.migrations`` prints it), and the drift test
(:func:`.drift.drift`) fails until it exists.

Where the record of applied migrations lives
--------------------------------------------
Databases made before sqlite-utils ran the migrations record each one in
``schema_migrations(name, applied_at)``; sqlite-utils would keep its own
``_sqlite_migrations(id, migration_set, name, applied_at)``. The record stays in
``schema_migrations``: :class:`History` is sqlite-utils' ``Migrations`` reading and
writing that table. Carrying the rows over to ``_sqlite_migrations`` was rejected:

- every station's database and every backup already holds ``schema_migrations``; one
  record cannot disagree with a copy, and a conversion step would itself need to be
  run exactly once before anything else;
- a copy of the app not yet updated (another computer, a restored installation) reads
  ``schema_migrations``; with the record moved it would take a current database for an
  empty one and try to create every table again;
- sqlite-utils, pointed at an existing table of another shape, would ``transform`` it.

A database at any version therefore upgrades with nothing re-applied and nothing
skipped: the names recorded are exactly the names registered here.

Transactions
------------
:func:`apply_pending` runs each pending migration in its own ``BEGIN IMMEDIATE``
transaction (the write lock is taken before reading what is pending, so two processes
never both apply one). Inside it sqlite-utils' ``Migrations.apply`` runs the step and
writes its record in a savepoint, stopping before the next migration; a failure rolls
back the step and its record together, so a step that cannot run in a transaction
(sqlite-utils' ``transactional=False``, e.g. ``VACUUM``) has no place in this history.
:mod:`..opening` backs an existing database up before its first pending migration.
Connection settings (WAL, foreign keys) are :func:`..db.connect`'s; the migrations do
not change them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

from . import (
    history_0001_core,
    history_0004_service_forms,
    history_0027_entities,
    history_0047_reporting,
    history_0049_users,
    history_0051_audit_digests,
    history_0052_keys,
    history_0053_withdraw,
    history_0054_worklist_kept,
    history_0055_report_indexes,
    history_0056_worklist_series,
    history_0057_resident_list,
    history_0058_national_forms,
    history_0065_resident_full,
    history_0070_households,
    history_0073_health_check,
    history_0078_archive_life,
    history_0079_children,
    history_0083_mothers,
    history_0085_vaccines,
    history_0086_tb_smi_logs,
    history_0090_newborn_discharge,
    history_0091_vaccine_card,
    history_0092_report_kept,
)
from .builders import Migration, database
from .drift import Difference, create_entity_table, drift, suggest

__all__ = [
    "HISTORY",
    "MIGRATIONS",
    "Difference",
    "History",
    "Migration",
    "applied",
    "apply_pending",
    "create_entity_table",
    "drift",
    "pending",
    "suggest",
]

MIGRATIONS: tuple[Migration, ...] = (
    *history_0001_core.MIGRATIONS,
    *history_0004_service_forms.MIGRATIONS,
    *history_0027_entities.MIGRATIONS,
    *history_0047_reporting.MIGRATIONS,
    *history_0049_users.MIGRATIONS,
    *history_0051_audit_digests.MIGRATIONS,
    *history_0052_keys.MIGRATIONS,
    *history_0053_withdraw.MIGRATIONS,
    *history_0054_worklist_kept.MIGRATIONS,
    *history_0055_report_indexes.MIGRATIONS,
    *history_0056_worklist_series.MIGRATIONS,
    *history_0057_resident_list.MIGRATIONS,
    *history_0058_national_forms.MIGRATIONS,
    *history_0065_resident_full.MIGRATIONS,
    *history_0070_households.MIGRATIONS,
    *history_0073_health_check.MIGRATIONS,
    *history_0078_archive_life.MIGRATIONS,
    *history_0079_children.MIGRATIONS,
    *history_0083_mothers.MIGRATIONS,
    *history_0085_vaccines.MIGRATIONS,
    *history_0086_tb_smi_logs.MIGRATIONS,
    *history_0090_newborn_discharge.MIGRATIONS,
    *history_0091_vaccine_card.MIGRATIONS,
    *history_0092_report_kept.MIGRATIONS,
)
_BY_NAME = {m.name: m for m in MIGRATIONS}

RECORD_TABLE = "schema_migrations"


class History(Migrations):
    """sqlite-utils' ``Migrations`` with its record kept in ``schema_migrations``
    (see the module docstring for why)."""

    migrations_table = RECORD_TABLE

    def ensure_migrations_table(self, db: sqlite_utils.Database) -> None:
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT)"
        )

    def applied(self, db: sqlite_utils.Database) -> list[Migrations._AppliedMigration]:
        """The recorded migrations in the order they were applied (read-only)."""
        if not db.table(RECORD_TABLE).exists():
            return []
        rows = db.execute(f"SELECT name, applied_at FROM {RECORD_TABLE} ORDER BY rowid")
        return [self._AppliedMigration(name=name, applied_at=at) for name, at in rows]

    def _record_applied(self, db: sqlite_utils.Database, name: str) -> None:
        db.execute(
            f"INSERT INTO {RECORD_TABLE} (name, applied_at) VALUES (?, ?)",
            (name, dt.datetime.now().astimezone().isoformat(timespec="seconds")),
        )


def _history() -> History:
    history = History("ygt_desktop")
    for migration in MIGRATIONS:
        history(name=migration.name)(migration.fn)
    return history


HISTORY = _history()


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the applied migrations, sorted; creates the (empty) record table when a
    database has none yet."""
    db = database(conn)
    HISTORY.ensure_migrations_table(db)
    return sorted(m.name for m in HISTORY.applied(db))


def pending(conn: sqlite3.Connection) -> list[Migration]:
    """The migrations not yet applied, in order (read-only)."""
    return [_BY_NAME[m.name] for m in HISTORY.pending(database(conn))]


def apply_pending(conn: sqlite3.Connection) -> list[str]:
    """Apply every pending migration, each in its own IMMEDIATE transaction; returns the
    names applied, in order. ``conn`` is in autocommit mode (``db.connect``)."""
    db = database(conn)
    names: list[str] = []
    if not HISTORY.pending(db):
        return names
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            todo = [m.name for m in HISTORY.pending(db)]
            if todo:
                HISTORY.apply(db, stop_before=todo[1:])
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if not todo:
            return names
        names.append(todo[0])
