"""The audit log's hash chain against tampering with plain sqlite3 (triggers dropped):
an edited, deleted, inserted or reordered row is named as the first bad row with the
kind of break; newest rows cut off are found against an anchor (a backup's or a
workbook's chain head). Also: the frozen copies in the migration history hash and
digest exactly as the live code does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ygt_desktop.storage import audit, audit_check, audit_digest
from ygt_desktop.storage.audit_check import Anchor
from ygt_desktop.storage.migrations import history_0049_users, history_0051_audit_digests
from ygt_desktop.storage.workspace import Workspace

N_ROWS = 30


@pytest.fixture
def logged(ws: Workspace) -> Path:
    """A station whose log has at least N_ROWS rows (village and setting changes)."""
    with ws.store.write() as conn:
        for n in range(N_ROWS):
            audit.record(
                conn,
                user=f"用户{n % 3}",
                table="settings",
                record_id=None,
                action="update",
                old={"n": n},
                new={"n": n + 1},
            )
    path = Path(ws.store.path)
    ws.close(backup_on_exit=False)
    return path


def _tamper(path: Path, *sql: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for statement in sql:
        conn.execute(statement)
    return conn


def _only(conn: sqlite3.Connection, anchors=()) -> audit_check.Finding:
    found = [f for f in audit_check.verify(conn, anchors) if f.record_id is None]
    assert len(found) == 1, found
    return found[0]


def test_clean_log_verifies(logged: Path) -> None:
    conn = sqlite3.connect(logged)
    assert audit.first_break(conn) is None
    head = audit.chain_head(conn)
    assert head is not None
    assert audit_check.verify(conn, [Anchor("备份 A", *head)]) == []


def test_edited_row_is_named_with_time_and_user(logged: Path) -> None:
    conn = _tamper(logged, "UPDATE audit_log SET new_values = '{\"n\": 99}' WHERE id = 12")
    f = _only(conn)
    user, at = conn.execute("SELECT user, at FROM audit_log WHERE id = 12").fetchone()
    assert (f.kind, f.audit_id) == ("edited", 12)
    assert "第 12 条" in f.message and user in f.message and at[:10] in f.message
    assert "被修改过" in f.message
    assert audit.first_break(conn) == 12


def test_edited_hash_is_found_too(logged: Path) -> None:
    conn = _tamper(logged, "UPDATE audit_log SET hash = '" + "a" * 64 + "' WHERE id = 7")
    assert _only(conn).audit_id == 7


def test_deleted_row_leaves_a_gap(logged: Path) -> None:
    conn = _tamper(logged, "DELETE FROM audit_log WHERE id = 15")
    f = _only(conn)
    assert (f.kind, f.audit_id) == ("missing", 15)
    assert "缺少第 15 条" in f.message and "第 16 条" in f.message


def test_deleted_row_with_ids_moved_up(logged: Path) -> None:
    conn = _tamper(
        logged,
        "DELETE FROM audit_log WHERE id = 15",
        "UPDATE audit_log SET id = -(id - 1) WHERE id > 15",
        "UPDATE audit_log SET id = -id WHERE id < 0",
    )
    f = _only(conn)
    assert (f.kind, f.audit_id) == ("missing", 15)
    assert "之前有记录被删除" in f.message


def test_inserted_row(logged: Path) -> None:
    conn = _tamper(
        logged,
        "UPDATE audit_log SET id = -(id + 1) WHERE id >= 10",
        "UPDATE audit_log SET id = -id WHERE id < 0",
        "INSERT INTO audit_log (id, at, user, table_name, record_id, action, hash) "
        "VALUES (10, '2026-01-01T00:00:00+08:00', '外人', 'residents', 1, 'update', 'x')",
    )
    f = _only(conn)
    assert (f.kind, f.audit_id) == ("inserted", 10)
    assert "外人" in f.message and "被插入" in f.message


def test_row_appended_with_a_made_up_hash(logged: Path) -> None:
    conn = _tamper(
        logged,
        "INSERT INTO audit_log (id, at, user, table_name, record_id, action, hash) "
        "SELECT max(id) + 1, '2026-01-01T00:00:00+08:00', '外人', 'residents', 1, 'update', "
        "'x' FROM audit_log",
    )
    newest = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    f = _only(conn)
    assert (f.kind, f.audit_id) == ("edited", newest)
    assert "最新的" in f.message


@pytest.mark.parametrize(("a", "b"), [(8, 20), (8, 9)])
def test_swapped_rows_are_out_of_order(logged: Path, a: int, b: int) -> None:
    conn = _tamper(
        logged,
        f"UPDATE audit_log SET id = -1 WHERE id = {a}",
        f"UPDATE audit_log SET id = {a} WHERE id = {b}",
        f"UPDATE audit_log SET id = {b} WHERE id = -1",
    )
    f = _only(conn)
    assert (f.kind, f.audit_id) == ("reordered", a)
    assert f"第 {a} 条" in f.message and f"第 {b} 条" in f.message and "调换" in f.message


def test_newest_rows_cut_off_are_found_against_an_anchor(logged: Path) -> None:
    conn = sqlite3.connect(logged)
    head = audit.chain_head(conn)
    assert head is not None
    conn.close()
    conn = _tamper(logged, f"DELETE FROM audit_log WHERE id > {head[0] - 5}")
    assert audit.first_break(conn) is None  # the chain alone cannot tell
    assert audit_check.verify(conn) == []
    f = _only(conn, [Anchor("备份 station-20261120.db", *head)])
    assert f.kind == "truncated"
    assert "备份 station-20261120.db" in f.message
    assert f"第 {head[0]} 条" in f.message and f"第 {head[0] - 5} 条" in f.message


def test_rewritten_history_disagrees_with_an_anchor(logged: Path) -> None:
    """Rewriting the whole chain consistently passes the chain check, not the anchor."""
    conn = sqlite3.connect(logged)
    head = audit.chain_head(conn)
    assert head is not None
    conn.close()
    conn = _tamper(logged, "UPDATE audit_log SET user = '别人' WHERE id = 3")
    prev = audit.GENESIS
    rows = conn.execute(
        f"SELECT {', '.join(audit.ROW_COLUMNS)}, digest FROM audit_log ORDER BY id"
    ).fetchall()
    for row in rows:
        prev = audit.row_hash(prev, audit.chained(row[:-1], row[-1]))
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (prev, row[0]))
    assert audit.first_break(conn) is None
    f = _only(conn, [Anchor("上报工作簿 2026Q3", *head)])
    assert f.kind == "rewritten" and "上报工作簿 2026Q3" in f.message


def test_frozen_row_hash_is_the_live_one() -> None:
    rows = [
        (1, "2026-11-20T08:00:00+08:00", "演示站长", "residents", 3, "update",
         '{"name": "李秀英"}', '{"name": "李秀"}', None),
        (2, "2026-11-20T08:00:01+08:00", "系统", "settings", None, "login", None, None, "原因"),
    ]  # fmt: skip
    prev = audit.GENESIS
    for row in rows:
        assert history_0049_users._row_hash(prev, row) == audit.row_hash(prev, row)
        assert history_0051_audit_digests._row_hash(prev, row) == audit.row_hash(prev, row)
        with_digest = audit.chained(row, "0123456789abcdef")
        assert history_0051_audit_digests._row_hash(prev, with_digest) == audit.row_hash(
            prev, with_digest
        )
        prev = audit.row_hash(prev, row)
    assert history_0049_users.GENESIS == history_0051_audit_digests.GENESIS == audit.GENESIS


def test_rows_before_digests_keep_their_hash() -> None:
    row = (5, "2026-01-01T00:00:00+08:00", "u", "residents", 1, "insert", None, "{}", None)
    assert audit.chained(row, None) == list(row)
    assert audit.row_hash("p", audit.chained(row, None)) == history_0049_users._row_hash("p", row)


def _without_lines(conn: sqlite3.Connection) -> None:
    """A demo made today as a station before 0051 had it: no lines of repeating groups
    (their tables come with 0058 and later, so no database the baseline meets has any;
    a record without lines digests as before them)."""
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB '*__*'"
    ).fetchall():
        conn.execute(f"DELETE FROM {table}")
    conn.commit()


def _entity_lines(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'e_*__*'"
        )
    ]


def test_frozen_baseline_digests_are_the_live_ones(db_path: Path, forms) -> None:
    """The 0051 baseline (a frozen copy) digests every record as audit_digest does."""
    from tests.storage.test_audit_check import make_demo

    path = make_demo(db_path.parent / "demo.db")
    conn = sqlite3.connect(path)
    _without_lines(conn)
    frozen = dict(history_0051_audit_digests._families(sqlite_utils.Database(conn)))
    checked = 0
    later = {"org_keys", "bureau_member_keys"}  # made empty by 0052: nothing to baseline
    for fam in audit_digest.families(conn):
        live = list(audit_digest.stream(conn, fam))
        if fam.main in later:
            assert live == [], fam.name
            continue
        assert list(frozen[fam.main]) == live, fam.name
        checked += len(live)
    assert checked > 1000
    # the entities' child tables (e_household__members, 0071) came after 0051: a
    # database the baseline meets has none, so the frozen copy's view of them is moot
    after = {t for t in frozen if "__" in t}
    assert set(frozen) - after == {f.main for f in audit_digest.families(conn)} - later


def test_baseline_covers_a_database_made_before_digests(tmp_path: Path) -> None:
    """An upgraded station: 0051 writes the records it finds into the log; they verify
    clean, and a record changed afterwards with plain SQL is found."""
    from tests.storage.test_audit_check import make_demo

    path = make_demo(tmp_path / "demo.db")
    conn = sqlite3.connect(path, isolation_level=None)
    _without_lines(conn)
    # Make it look like 0050: no digests anywhere, no 0051 in the record.
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("ALTER TABLE audit_log DROP COLUMN digest")
    prev = audit.GENESIS
    for row in conn.execute(
        f"SELECT {', '.join(audit.ROW_COLUMNS)} FROM audit_log ORDER BY id"
    ).fetchall():
        prev = audit.row_hash(prev, row)
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (prev, row[0]))
    conn.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END"
    )
    conn.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END"
    )
    conn.execute("DELETE FROM schema_migrations WHERE name = '0051_audit_digests'")
    before = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    # the entities' child tables come with 0071, after 0051: out of its sight here
    later = _entity_lines(conn)
    for table in later:
        conn.execute(f"ALTER TABLE {table} RENAME TO held_{table}")
    conn.close()

    ws = Workspace.open(path)  # applies 0051
    ws.close(backup_on_exit=False)
    conn = sqlite3.connect(path)
    for table in later:
        conn.execute(f"ALTER TABLE held_{table} RENAME TO {table}")
    baseline = conn.execute(
        "SELECT count(*) FROM audit_log WHERE id > ? AND action = 'baseline'", (before,)
    ).fetchone()[0]
    assert baseline >= 5
    assert audit_check.verify(conn) == []
    conn.execute("UPDATE residents SET phone = '13900000000' WHERE id = 2")
    found = audit_check.verify(conn)
    assert [(f.kind, f.table, f.record_id) for f in found] == [("changed", "residents", 2)]


def test_upward_workbook_carries_the_chain_head(logged: Path, tmp_path: Path) -> None:
    """The head goes into ``_meta``; the bureau's reader accepts workbooks with and
    without it and gives it back as an anchor."""
    from tests.reports.report_helpers import sample_report
    from ygt_desktop.reports.workbook import write_workbook
    from ygt_desktop.reports.workbook_reader import audit_head, read_upward_workbook

    conn = sqlite3.connect(logged)
    head = audit.chain_head(conn)
    assert head is not None
    with_head, without = tmp_path / "with.xlsx", tmp_path / "without.xlsx"
    write_workbook(sample_report(), with_head, audit_head=head)
    write_workbook(sample_report(), without)
    read = read_upward_workbook(with_head)
    assert read.meta["audit_head_id"] == str(head[0])
    assert audit_head(read.meta) == head
    plain = read_upward_workbook(without)
    assert audit_head(plain.meta) is None and "audit_head_id" not in plain.meta
    assert plain.data == read.data and plain.warnings == read.warnings == []
    # Cut the log's newest rows: the workbook's copy of the head finds it.
    conn.close()
    conn = _tamper(logged, f"DELETE FROM audit_log WHERE id > {head[0] - 3}")
    anchor = Anchor(f"上报工作簿 {with_head.name}", *audit_head(read.meta))  # type: ignore[misc]
    assert [f.kind for f in audit_check.verify(conn, [anchor])] == ["truncated"]
