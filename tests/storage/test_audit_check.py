"""Every record held against its newest audit row (``ygt check``): a blood pressure, an
ID number, a bureau's accepted figure changed with plain SQL and no audit row are named;
records inserted or deleted behind the app's back too; a clean demo station and
legitimate edits and deletes through the repositories verify clean."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.bureau_helpers import bureau_workspace, incoming, station_report
from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop import cli
from ygt_desktop.storage import audit, audit_check, audit_digest, submissions
from ygt_desktop.storage.entities import EntityRepo
from ygt_desktop.storage.workspace import Workspace

_TEMPLATE: dict[str, Path] = {}


def make_demo(path: Path) -> Path:
    """A 300-resident demo station at ``path`` (made once per session, then copied)."""
    if "demo" not in _TEMPLATE:
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="ygt-audit-demo-"))
        made = folder / "demo.db"
        args = ["demo", "--db", str(made), "--residents", "300", "--seed", "7"]
        assert cli.main([*args, "--year", "2026", "--today", "2026-11-20"]) == 0
        _TEMPLATE["demo"] = made
    src = sqlite3.connect(_TEMPLATE["demo"])
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    return path


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return make_demo(tmp_path / "station.db")


def _plain(path: Path, *sql: str, params: tuple = ()) -> sqlite3.Connection:
    """What an attacker with sqlite3 does: no app, no audit row."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in sql:
        conn.execute(statement, params if "?" in statement else ())
    return conn


def _found(conn: sqlite3.Connection) -> list[tuple[str, str | None, int | None]]:
    return [(f.kind, f.table, f.record_id) for f in audit_check.verify(conn)]


def test_clean_demo_station_verifies(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    assert audit_check.verify(conn) == []
    # Every record of every covered table is in the log with a digest.
    assert conn.execute("SELECT count(*) FROM audit_log WHERE digest IS NOT NULL").fetchone()[0]


def test_blood_pressure_changed_with_plain_sql(demo: Path) -> None:
    conn = _plain(demo)
    rid, name = conn.execute(
        "SELECT d.record_id, r.name FROM f_htn_followup d JOIN service_records h "
        "ON h.id = d.record_id JOIN residents r ON r.id = h.resident_id "
        "WHERE d.sbp IS NOT NULL ORDER BY d.record_id LIMIT 1"
    ).fetchone()
    conn.execute("UPDATE f_htn_followup SET sbp = sbp - 30 WHERE record_id = ?", (rid,))
    found = audit_check.verify(conn)
    assert [(f.kind, f.table, f.record_id) for f in found] == [("changed", "service_records", rid)]
    assert f"第{rid}号" in found[0].message and name in found[0].message
    assert "高血压" in found[0].message and "绕过程序修改" in found[0].message


def test_id_number_changed_with_plain_sql(demo: Path) -> None:
    conn = _plain(demo)
    name = conn.execute("SELECT name FROM residents WHERE id = 123").fetchone()[0]
    conn.execute("UPDATE residents SET id_number = '530102199001011237' WHERE id = 123")
    found = audit_check.verify(conn)
    assert [(f.kind, f.table, f.record_id) for f in found] == [("changed", "residents", 123)]
    assert found[0].message.startswith(f"居民档案 第123号（{name}）")
    assert "与审计日志记录的值不一致：数据被绕过程序修改过" in found[0].message


def test_the_column_is_named_when_the_log_has_the_values(ws: Workspace) -> None:
    """A resident entered through the app: the log has the values, so the column that
    was changed behind its back is named."""
    change = ws.residents.save(
        {"name": "李秀英", "id_number": "11010519491231002X", "village_code": "101",
         "ethnicity": "01", "archive_date": "2020-03-01"}
    )  # fmt: skip
    path = Path(ws.store.path)
    ws.close(backup_on_exit=False)
    conn = _plain(path, "UPDATE residents SET id_number = '530102195603021240' WHERE id = ?",
                  params=(change.record_id,))  # fmt: skip
    found = audit_check.verify(conn)
    assert [f.message for f in found] == [
        f"居民档案 第{change.record_id}号（李秀英）的 id_number 与审计日志记录的值不一致："
        "数据被绕过程序修改过"
    ]


def test_records_inserted_and_deleted_behind_the_apps_back(demo: Path) -> None:
    conn = _plain(
        demo,
        "INSERT INTO e_team (name, created_at, created_by, updated_at) "
        "VALUES ('影子团队', '2026-11-20', 'x', '2026-11-20')",
        "DELETE FROM e_contract_payment WHERE id = 3",
        "DELETE FROM f_dm_followup WHERE record_id = (SELECT min(record_id) FROM f_dm_followup)",
    )
    found = audit_check.verify(conn)
    kinds = {(f.kind, f.table) for f in found}
    assert ("unaudited", "e_team") in kinds
    assert ("deleted", "e_contract_payment") in kinds
    assert ("changed", "service_records") in kinds  # header kept, detail gone
    assert any("影子团队" in f.message and "没有记录" in f.message for f in found)
    assert any("被绕过程序删除" in f.message for f in found)


def test_many_changed_records_are_summed_up(demo: Path) -> None:
    conn = _plain(demo, "UPDATE residents SET phone = '13800000000' WHERE id <= 120")
    found = audit_check.verify(conn)
    assert len(found) == audit_check.MAX_RECORD_FINDINGS + 1
    assert found[-1].kind == "more" and "另有 70 条" in found[-1].message


def test_legitimate_edits_and_deletes_stay_clean(demo: Path, forms) -> None:
    ws = Workspace.open(demo, forms=forms)
    try:
        ws.login(TEST_USER, TEST_PASSWORD)
        ws.residents.save({"phone": "13912345678"}, resident_id=5)
        ws.residents.delete(6, "重复建档")
        rid = ws.store.conn.execute(
            "SELECT record_id FROM f_htn_followup ORDER BY record_id DESC LIMIT 1"
        ).fetchone()[0]
        ws.services.save("htn_followup", {"sbp": "150"}, record_id=rid, today=_today())
        other = ws.store.conn.execute(
            "SELECT id FROM service_records WHERE form_id = 'elderly_exam' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        ws.services.delete(other, "录错了人")
        teams = EntityRepo(ws.store, forms["team"])
        teams.save({"leader": "王医生"}, entity_id=1)
        payments = EntityRepo(ws.store, forms["contract_payment"])
        payments.delete(2, "重复到账")
        assert audit_check.verify(ws.store.conn) == []
    finally:
        ws.close(backup_on_exit=False)


def _today():
    import datetime as dt

    return dt.date(2026, 11, 20)


def test_bureau_accepted_figure_changed_with_plain_sql(tmp_path: Path, forms) -> None:
    gen = bureau_workspace(tmp_path, forms)
    ws = next(gen)
    outcome = submissions.record(ws.store, incoming(station_report(1)))
    assert outcome.submission_id is not None
    assert audit_check.verify(ws.store.conn) == []
    path = Path(ws.store.path)
    with pytest.raises(StopIteration):
        next(gen)
    conn = _plain(
        path,
        "DROP TRIGGER bureau_rows_fixed",
        "UPDATE bureau_rows SET numerator = numerator + 1 WHERE submission_id = ? "
        "AND indicator = (SELECT min(indicator) FROM bureau_rows WHERE numerator IS NOT NULL)",
        params=(outcome.submission_id,),
    )
    found = audit_check.verify(conn)
    assert [(f.kind, f.table, f.record_id) for f in found] == [
        ("changed", "bureau_submissions", outcome.submission_id)
    ]
    assert "已接收的上报" in found[0].message and "五华区第1社区卫生服务站" in found[0].message


def test_audit_rows_about_records_carry_the_digest_after_the_change(ws: Workspace) -> None:
    change = ws.residents.save(
        {"name": "张三", "id_number": "11010519491231002X", "village_code": "101",
         "ethnicity": "01", "archive_date": "2020-03-01"}
    )  # fmt: skip
    digests = [
        r[0]
        for r in ws.store.conn.execute(
            "SELECT digest FROM audit_log WHERE table_name = 'residents' AND record_id = ?",
            (change.record_id,),
        )
    ]
    assert len(digests) == 1 and len(digests[0]) == 16
    ws.residents.save({"phone": "13812345678"}, resident_id=change.record_id)
    newest = ws.store.conn.execute(
        "SELECT digest FROM audit_log WHERE table_name = 'residents' AND record_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (change.record_id,),
    ).fetchone()[0]
    assert newest != digests[0]
    # Rows that are not about a record carry none.
    with ws.store.write() as conn:
        audit.record(conn, user="u", table="exports", record_id=None, action="export")
    assert (
        ws.store.conn.execute("SELECT digest FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
        is None
    )


def test_copy_of_a_tampered_file_keeps_the_findings(demo: Path, tmp_path: Path) -> None:
    """verify reads only; a second run finds the same."""
    _plain(demo, "UPDATE residents SET name = '王五' WHERE id = 9").close()
    copy = tmp_path / "copy.db"
    shutil.copy(demo, copy)
    first = _found(sqlite3.connect(demo))
    assert first == _found(sqlite3.connect(copy)) == [("changed", "residents", 9)]


def test_checkpoint_reports_progress_and_can_stop(demo: Path, monkeypatch) -> None:
    monkeypatch.setattr(audit_check, "STEP", 500)
    seen: list[tuple[int, int, str]] = []
    audit_check.verify(sqlite3.connect(demo), checkpoint=lambda *a: seen.append(a))
    assert len(seen) >= 3 and all("核对" in text for _, _, text in seen)

    class Stop(Exception):
        pass

    def stop(*_: object) -> None:
        raise Stop

    with pytest.raises(Stop):
        audit_check.verify(sqlite3.connect(demo), checkpoint=stop)


def test_bulk_loads_digest_without_reading_back(tmp_path: Path, monkeypatch) -> None:
    """The demo's big tables are digested from the rows as stored (StoredRows), not read
    back (record_batch): that keeps ``ygt demo`` within its time budget."""
    read_back: list[str] = []
    original = audit.record_batch

    def spy(conn: sqlite3.Connection, **kw) -> None:
        read_back.append(kw["table"])
        original(conn, **kw)

    monkeypatch.setattr(audit, "record_batch", spy)
    path = tmp_path / "fresh.db"
    args = ["demo", "--db", str(path), "--residents", "300", "--seed", "11", "--year", "2026"]
    assert cli.main([*args, "--today", "2026-11-20"]) == 0
    big = {"residents", "service_records", "e_contract", "e_contract_payment", "e_referral"}
    assert not big & set(read_back), read_back
    assert audit_check.verify(sqlite3.connect(path)) == []


def test_of_two_bulk_rows_over_one_record_the_newer_digest_counts() -> None:
    """Two bulk audit rows (record_id NULL) naming one record: the newer row's digest is
    the one expected, whatever the digests' text (each bulk row's id was read late, so
    every bulk stream carried the last id and the older digest could win the tie)."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, table_name TEXT, "
                 "record_id INTEGER, digest TEXT)")  # fmt: skip
    older, newer = "f" * 16, "0" * 16
    for digest in (older, newer):
        conn.execute(
            "INSERT INTO audit_log (table_name, record_id, digest) VALUES ('t', NULL, ?)",
            (f"5:{digest}",),
        )
    fam = audit_digest.Family("t", "测试", ("t",), "t")
    assert list(audit_check._newest(audit_check._expected(conn, fam))) == [(5, newer)]
