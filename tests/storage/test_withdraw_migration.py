"""Migration 0053 on a bureau's database that already holds submissions: the table is
rebuilt without ``UNIQUE (org_code, period, revision)`` (a partial unique index over the
standing submissions instead), every row keeps its id and values, the figures and the
import log still point at their submissions, the old triggers are back and new ones fix
every column but the withdrawal's, and each record's audit digest still matches."""

from __future__ import annotations

import sqlite3

import pytest

from ygt_desktop.storage import audit_digest
from ygt_desktop.storage.db import connect
from ygt_desktop.storage.migrations import HISTORY, apply_pending, database


def _submission(conn: sqlite3.Connection, sid: int, org: str, revision: int, sha: str = "") -> None:
    conn.execute(
        "INSERT INTO bureau_submissions (id, org_code, org_name, period, revision, sha256, "
        "digest, file_name, file_path, imported_at, imported_by, meta) "
        "VALUES (?, ?, '站', '2026Q3', ?, ?, 'd', 'f.xlsx', '/usb/f.xlsx', 't', 'u', '{}')",
        (sid, org, revision, sha or f"sha{sid}"),
    )
    conn.execute(
        "INSERT INTO bureau_rows VALUES (?, 'ref.up', '站', ?, NULL, ?)", (sid, sid * 10, sid * 10)
    )
    conn.execute(
        "INSERT INTO bureau_import_log (at, user, file_name, file_path, outcome, code, reason, "
        "submission_id) VALUES ('t', 'u', 'f.xlsx', '/usb', 'accepted', 'accepted', '', ?)",
        (sid,),
    )


def test_0053_rebuilds_the_table_keeping_every_row(tmp_path):
    conn = connect(tmp_path / "old.db")
    db = database(conn)
    HISTORY.ensure_migrations_table(db)
    conn.execute("BEGIN IMMEDIATE")
    HISTORY.apply(db, stop_before=["0053_withdraw"])
    conn.execute("COMMIT")
    conn.execute("BEGIN IMMEDIATE")
    for code in ("530102001", "530102002"):
        conn.execute(
            "INSERT INTO bureau_members (code, name, level, created_at, updated_at) "
            "VALUES (?, '站', '站', 't', 't')",
            (code,),
        )
    _submission(conn, 1, "530102001", 1)
    _submission(conn, 2, "530102001", 2)
    _submission(conn, 5, "530102002", 1)
    conn.execute("COMMIT")
    fam = audit_digest.family_of("bureau_submissions")
    assert fam is not None
    before = {k: d.hex() for k, d in audit_digest.stream(conn, fam)}
    rows_before = conn.execute("SELECT * FROM bureau_submissions ORDER BY id").fetchall()

    assert apply_pending(conn)[0] == "0053_withdraw"  # and any later migration
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    after = conn.execute("SELECT * FROM bureau_submissions ORDER BY id").fetchall()
    assert [r[:15] for r in after] == rows_before
    assert all(r[15:] == (None, None, None) for r in after)
    for key, digest in before.items():  # the audit log's digests still hold
        assert digest in audit_digest.alternatives(conn, fam, key)
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'bureau_submissions'"
    ).fetchone()[0]
    assert "UNIQUE (org_code, period, revision)" not in sql and "CHECK (revision >= 1)" in sql
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {
        "bureau_submissions_kept",
        "bureau_submissions_fixed",
        "bureau_submissions_withdrawn_once",
    } <= names

    with pytest.raises(sqlite3.IntegrityError, match="不可删除"):
        conn.execute("DELETE FROM bureau_submissions WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="不可修改"):
        conn.execute("UPDATE bureau_submissions SET org_name = 'x' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _submission(conn, 9, "530102001", 2)  # revision 2 stands: not twice
    conn.execute("UPDATE bureau_submissions SET withdrawn_at = 't2', withdrawn_reason = 'r' "
                 "WHERE id = 2")  # fmt: skip
    _submission(conn, 9, "530102001", 2)  # withdrawn: its number may come again
    with pytest.raises(sqlite3.IntegrityError, match="不可恢复"):
        conn.execute("UPDATE bureau_submissions SET withdrawn_at = NULL WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        _submission(conn, 10, "530102002", 3, sha="sha2")  # a file (even withdrawn) once
    conn.close()
