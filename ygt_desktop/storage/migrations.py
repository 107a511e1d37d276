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

from ..core.forms import FormRegistry


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


def _m0003_service_records(conn: sqlite3.Connection) -> None:
    # One header row per service record (any form); each form's own fields live in
    # its detail table f_<form id>, keyed by the header's id.
    run_script(conn, """
        CREATE TABLE service_records (
            id INTEGER PRIMARY KEY,
            form_id TEXT NOT NULL,
            resident_id INTEGER REFERENCES residents(id),
            episode_id INTEGER REFERENCES service_records(id),
            service_date TEXT NOT NULL,
            closes_episode INTEGER NOT NULL DEFAULT 0,
            entered_at TEXT NOT NULL,
            entered_by TEXT NOT NULL,
            late_entry INTEGER NOT NULL DEFAULT 0,
            recheck_date TEXT,
            referral TEXT CHECK (referral IN ('urgent', 'suggested')),
            alerts TEXT,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            deleted_reason TEXT
        );
        CREATE INDEX service_records_resident ON service_records(resident_id, service_date);
        CREATE INDEX service_records_form ON service_records(form_id, service_date);
        CREATE INDEX service_records_form_resident
            ON service_records(form_id, resident_id, service_date);
        CREATE INDEX service_records_episode ON service_records(episode_id);
    """)


def form_table(form_id: str, field_ids: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    """A migration creating ``f_<form_id>`` with exactly ``field_ids``.

    The ids are written out here (the migration history); each column's type comes from
    the field's type in the form file. A field added to a form later needs an
    :func:`add_fields` migration, or the drift test fails.
    """

    def apply(conn: sqlite3.Connection) -> None:
        form = _forms()[form_id]
        cols = ",\n".join(f"{fid} {form.field(fid).field_type.sql_type}" for fid in field_ids)
        conn.execute(
            f"CREATE TABLE {form.table} (\n"
            "record_id INTEGER PRIMARY KEY REFERENCES service_records(id) ON DELETE CASCADE,\n"
            f"{cols})"
        )

    return apply


def add_fields(form_id: str, field_ids: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        form = _forms()[form_id]
        for fid in field_ids:
            conn.execute(f"ALTER TABLE {form.table} ADD COLUMN {fid} "
                         f"{form.field(fid).field_type.sql_type}")

    return apply


def _forms() -> FormRegistry:
    from .workspace import load_forms

    return load_forms()


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_base", _m0001_base),
    Migration("0002_residents", _m0002_residents),
    Migration("0003_service_records", _m0003_service_records),
    Migration("0004_htn_register", form_table("htn_register", (
        "register_date", "diagnosis_date", "diagnosis_institution", "risk_level", "doctor",
        "closed_date", "close_reason"))),
    Migration("0005_htn_followup", form_table("htn_followup", (
        "visit_date", "visit_method", "symptoms", "sbp", "dbp", "weight", "weight_target",
        "height", "bmi", "heart_rate", "smoking", "smoking_target", "drinking",
        "drinking_target", "exercise_times", "exercise_minutes", "salt", "salt_target", "psych",
        "compliance", "adherence", "adverse_reaction", "adverse_detail", "medication",
        "visit_class", "controlled", "referral_reason", "referral_institution",
        "next_visit_date", "doctor"))),
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
