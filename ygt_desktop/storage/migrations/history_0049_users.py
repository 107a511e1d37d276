"""Migrations 0049-0050: user accounts (the station head's PIN becomes the first 站长);
the audit log rebuilt as a hash chain, open to the new kinds of entry (logins, refusals,
unmaskings).

Frozen history: never edit a released migration, add a new one. The chain's row form
below is a frozen copy of :func:`ygt_desktop.storage.audit.row_hash` as of 0050; a test
holds the two equal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlite_utils

from .builders import Migration

GENESIS = "0" * 64


def _row_hash(prev: str, row: Sequence[object]) -> str:
    body = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def _users(db: sqlite_utils.Database) -> None:
    db.executescript("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            failed INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            must_change INTEGER NOT NULL DEFAULT 0,
            recovery_hash TEXT,
            last_login TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
    """)
    conn = db.conn
    got = dict(
        conn.execute("SELECT key, value FROM settings WHERE key IN ('head.name', 'head.pin')")
    )
    name, pin = (got.get("head.name") or "").strip(), got.get("head.pin") or ""
    if name and ":" in pin:
        salt, digest = pin.split(":", 1)
        at = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
        conn.execute(
            "INSERT INTO users (name, role, password_hash, must_change, created_at, updated_at) "
            "VALUES (?, '站长', ?, 1, ?, ?)",
            (name, f"pbkdf2${salt}${digest}", at, at),
        )
    conn.execute("DELETE FROM settings WHERE key = 'head.pin'")


def _audit_chain(db: sqlite_utils.Database) -> None:
    conn = db.conn
    db.executescript("""
        CREATE TABLE audit_log_chained (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id INTEGER,
            action TEXT NOT NULL,
            old_values TEXT,
            new_values TEXT,
            reason TEXT,
            hash TEXT NOT NULL
        );
    """)
    prev = GENESIS
    cur = conn.execute(
        "SELECT id, at, user, table_name, record_id, action, old_values, new_values, reason "
        "FROM audit_log ORDER BY id"
    )
    while batch := cur.fetchmany(5000):
        out = []
        for row in batch:
            prev = _row_hash(prev, row)
            out.append((*row, prev))
        conn.executemany(
            "INSERT INTO audit_log_chained VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", out
        )
    db.executescript("""
        DROP TRIGGER audit_log_no_update;
        DROP TRIGGER audit_log_no_delete;
        DROP TABLE audit_log;
        ALTER TABLE audit_log_chained RENAME TO audit_log;
        CREATE INDEX audit_log_record ON audit_log(table_name, record_id);
        CREATE INDEX audit_log_at ON audit_log(at);
        CREATE INDEX audit_log_user ON audit_log(user, at);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END;
    """)


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0049_users", _users),
    Migration("0050_audit_chain", _audit_chain),
)
