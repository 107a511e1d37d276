"""Ordered, explicit schema migrations, recorded in the ``schema_migrations`` table.

Each migration is a name and a function run inside one transaction. They are never
edited once released: a change to a form file that adds a field needs a new migration
here, and ``tests/storage/test_migrations.py`` fails until it exists (it compares the
migrated schema with what the form files say).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would commit first, breaking the all-or-nothing migration.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


def _m0001_base(conn: sqlite3.Connection) -> None:
    run_script(conn,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE organisation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            level TEXT NOT NULL,
            parent_code TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE villages (
            code TEXT PRIMARY KEY CHECK (length(code) = 3),
            name TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id INTEGER,
            action TEXT NOT NULL CHECK (action IN ('insert','update','delete','correction')),
            old_values TEXT,
            new_values TEXT,
            reason TEXT
        );
        CREATE INDEX audit_log_record ON audit_log(table_name, record_id);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END;
        """
    )


def _m0002_residents(conn: sqlite3.Connection) -> None:
    # Form fields of forms/resident.toml (version 1), then the system columns.
    run_script(conn,
        """
        CREATE TABLE residents (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            id_number TEXT,
            no_id_reason TEXT,
            sex TEXT,
            birth_date TEXT,
            ethnicity TEXT,
            phone TEXT,
            village_code TEXT REFERENCES villages(code),
            address TEXT,
            archive_date TEXT,
            resident_6m INTEGER,
            flag_disabled INTEGER,
            flag_poverty INTEGER,
            flag_dibao INTEGER,
            flag_tekun INTEGER,
            flag_family_planning INTEGER,
            note TEXT,
            archive_no TEXT NOT NULL UNIQUE CHECK (length(archive_no) = 17),
            status TEXT NOT NULL DEFAULT '在档'
                CHECK (status IN ('在档','迁出','死亡','注销')),
            status_date TEXT,
            status_reason TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            deleted_reason TEXT
        );
        CREATE UNIQUE INDEX residents_id_number ON residents(id_number)
            WHERE id_number IS NOT NULL AND deleted = 0;
        CREATE INDEX residents_village ON residents(village_code);
        CREATE INDEX residents_birth ON residents(birth_date);
        CREATE INDEX residents_archive_date ON residents(archive_date);
        CREATE TABLE resident_search (
            key TEXT NOT NULL,
            resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE
        );
        CREATE INDEX resident_search_key ON resident_search(key, resident_id);
        CREATE INDEX resident_search_resident ON resident_search(resident_id);
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_base", _m0001_base),
    Migration("0002_residents", _m0002_residents),
)


def applied(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
    )
    return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def pending(conn: sqlite3.Connection) -> list[Migration]:
    done = set(applied(conn))
    return [m for m in MIGRATIONS if m.name not in done]


def apply_pending(conn: sqlite3.Connection) -> list[str]:
    """Apply every pending migration, each in its own IMMEDIATE transaction."""
    names = []
    for migration in pending(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(conn)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, dt.datetime.now().astimezone().isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        names.append(migration.name)
    return names
