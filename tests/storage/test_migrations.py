"""Migrations applied to a fresh database match the form definitions (drift test)."""

from __future__ import annotations

from ygt_desktop.storage.db import connect
from ygt_desktop.storage.migrations import MIGRATIONS, applied, apply_pending

SYSTEM_COLUMNS = {"id", "archive_no", "status", "status_date", "status_reason", "created_at",
                  "created_by", "updated_at", "deleted", "deleted_reason", "record_id"}


def columns(conn, table):
    return {row[1]: row[2] for row in conn.execute(f"PRAGMA table_info({table})")}


def test_fresh_database_has_every_form_field_with_its_type(tmp_path, forms):
    conn = connect(tmp_path / "fresh.db")
    apply_pending(conn)
    for form in forms:
        cols = columns(conn, form.table)
        assert cols, f"表单 {form.source} 的表 {form.table} 没有迁移"
        for field in form.fields:
            assert field.id in cols, f"{form.source} 字段 {field.id} 缺少迁移"
            assert cols[field.id] == field.field_type.sql_type, field.id
        extra = set(cols) - {f.id for f in form.fields} - SYSTEM_COLUMNS
        assert not extra, f"表 {form.table} 有表单中没有的列 {extra}"
        if form.kind not in ("register", "entity"):  # entities have their own id
            assert "record_id" in cols, form.table


def test_migrations_are_recorded_in_order_and_run_once(tmp_path):
    path = tmp_path / "fresh.db"
    conn = connect(path)
    assert apply_pending(conn) == [m.name for m in MIGRATIONS]
    assert applied(conn) == sorted(m.name for m in MIGRATIONS)
    assert apply_pending(conn) == []


def test_house_pragmas_are_on(tmp_path):
    conn = connect(tmp_path / "p.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
