"""Whole at rest: a backup counts as good only once the full ``integrity_check`` has
passed on it, and a damaged, changed or unverified backup is never offered as "the
newest good backup"; ``ygt check`` runs the full check (``--quick`` the fast one) and
the audit chain against the newest verified backups; ``ygt restore`` acts as a user
allowed to restore; the window checks in the background and never waits for it on
closing."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
import types
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ORG, TEST_PASSWORD, TEST_USER, add_test_user
from ygt_desktop import cli
from ygt_desktop.ops import backup as ops_backup
from ygt_desktop.ops.base import OpCancelled, Run
from ygt_desktop.ops.users import Login
from ygt_desktop.storage import backup, opening, users
from ygt_desktop.storage.organisation import add_village, set_organisation, set_setting
from ygt_desktop.storage.workspace import Workspace

RESIDENT = {
    "name": "钱八",
    "no_id_reason": "9",
    "sex": "2",
    "birth_date": "1962-07-01",
    "ethnicity": "01",
    "village_code": "101",
}


def make_station(path: Path, forms, residents: int = 20) -> Workspace:
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, ORG)
    add_village(ws.store, "101", "小坝村委会")
    add_test_user(ws)
    for i in range(residents):
        ws.residents.save({**RESIDENT, "name": f"钱八{i:03d}"})
    return ws


def damage_an_index(path: Path) -> None:
    """Damage ``quick_check`` does not see and ``integrity_check`` does: an index whose
    entries no longer match its table (as after a torn write to an index page)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("CREATE TABLE zz_damage (a, b)")
    conn.execute("CREATE INDEX zz_damage_a ON zz_damage (a)")
    conn.executemany("INSERT INTO zz_damage VALUES (?, ?)", [(i, 999 - i) for i in range(300)])
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX zz_damage_a ON zz_damage (b)' "
        "WHERE name = 'zz_damage_a'"
    )
    conn.close()
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA integrity_check").fetchall() != [("ok",)]
    finally:
        check.close()


@pytest.fixture
def station(tmp_path: Path, forms) -> Path:
    path = tmp_path / "卫生室" / "station.db"
    make_station(path, forms).close(backup_on_exit=False)
    return path


def backup_of(path: Path, forms, when: datetime) -> Path:
    ws = Workspace.open(path, forms=forms)
    try:
        return backup.make_backup(ws.store.conn, path, "手动", now=when)
    finally:
        ws.close(backup_on_exit=False)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = cli.main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


# ---- good means fully checked ----------------------------------------------------------


def test_an_unverified_backup_is_not_good_until_the_full_check_passes(station: Path, forms) -> None:
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    assert backup.list_backups(station)[0].ok is None
    assert backup.newest_good_backup(station, check_unverified=False) is None
    assert backup.verify_full(made) == []
    assert backup.list_backups(station)[0].ok is True
    good = backup.newest_good_backup(station, check_unverified=False)
    assert good is not None and good.path == made


def test_a_backup_that_passes_quick_check_but_not_the_full_one_is_never_chosen(
    station: Path, forms
) -> None:
    older = backup_of(station, forms, datetime(2026, 5, 1, 9))
    newer = backup_of(station, forms, datetime(2026, 5, 2, 9))
    damage_an_index(newer)
    assert backup.verify_backup(newer)  # the quick check alone would take it
    good = backup.newest_good_backup(station)
    assert good is not None and good.path == older
    assert backup.list_backups(station)[0].ok is False  # recorded as damaged
    assert backup.verify_full(newer) != []


def test_a_verified_backup_changed_afterwards_is_not_taken_for_the_one_checked(
    station: Path, forms
) -> None:
    older = backup_of(station, forms, datetime(2026, 5, 1, 9))
    newer = backup_of(station, forms, datetime(2026, 5, 2, 9))
    assert backup.verify_full(older) == [] and backup.verify_full(newer) == []
    st = newer.stat()
    data = bytearray(newer.read_bytes())
    data[-100] ^= 0xFF  # bit rot: same size, same time
    newer.write_bytes(bytes(data))
    os.utime(newer, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert backup.checked(newer) is True and not backup.confirmed(newer)
    good = backup.newest_good_backup(station)
    assert good is not None and good.path == older


def test_rotation_takes_the_markers_with_the_backups(station: Path, forms) -> None:
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    backup.verify_full(made)
    made.unlink()
    backup.rotate(station)
    assert not backup.marker_for(made).exists()


# ---- ygt check, ygt backup, ygt backups --------------------------------------------------


def test_ygt_backup_checks_the_backup_fully_and_backups_shows_it(
    station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run_cli(capsys, "backup", "--db", str(station))
    assert rc == 0, err
    made = Path(out.strip().removeprefix("已备份到 "))
    assert "完整性检查" in err and backup.checked(made) is True
    rc, out, _ = run_cli(capsys, "backups", "--db", str(station))
    assert out.strip().split("\t")[-2:] == ["已校验", str(made)]


def test_ygt_check_runs_the_full_check_and_quick_only_on_request(
    station: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    good = backup_of(station, forms, datetime(2026, 5, 1, 9))
    damage_an_index(station)
    rc, out, _ = run_cli(capsys, "check", "--db", str(station), "--quick")
    assert rc == 0 and "完好" in out and "quick_check" in out
    rc, out, _ = run_cli(capsys, "check", "--db", str(station))
    assert rc == 1 and "已损坏" in out and "integrity_check" in out
    assert f"最近的完好备份：{good}" in out


@pytest.mark.parametrize("kind", ["empty", "header"])
def test_ygt_check_on_an_empty_file_or_a_damaged_header_names_the_newest_good_backup(
    kind: str, station: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    good = backup_of(station, forms, datetime(2026, 5, 1, 9))
    data = station.read_bytes()
    station.write_bytes(b"" if kind == "empty" else b"\0" * 16 + data[16:])
    rc, out, err = run_cli(capsys, "check", "--db", str(station))
    assert rc == 1, err
    assert "已损坏" in out and f"最近的完好备份：{good}" in out


def test_ygt_check_keeps_its_lines_and_adds_how_it_checked(
    station: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    rc, out, _ = run_cli(capsys, "check", "--db", str(station))
    lines = out.splitlines()
    assert rc == 0
    assert lines[0] == f"数据库 {station} 完好。"
    assert "机构：测试社区卫生服务站（530102001，站）" in lines
    assert "居民档案：20 份" in lines
    assert "最近备份：2026-05-01 09:00" in lines  # checked now, so it counts
    assert "检查方式：完整检查（integrity_check）" in lines
    assert backup.checked(made) is True


@dataclass(frozen=True)
class FakeAnchor:
    source: str
    row_id: int
    hash: str


@dataclass(frozen=True)
class FakeFinding:
    message: str


def test_ygt_check_verifies_the_audit_chain_against_the_newest_verified_backups(
    station: Path, forms, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    backup.verify_full(made)
    conn = sqlite3.connect(made)
    head = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    seen: list[list[FakeAnchor]] = []
    findings: list[FakeFinding] = []

    def verify(conn: sqlite3.Connection, anchors=(), checkpoint=None):
        seen.append(list(anchors))
        return findings

    fake = types.ModuleType("ygt_desktop.storage.audit_check")
    fake.Anchor = FakeAnchor  # type: ignore[attr-defined]
    fake.verify = verify  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ygt_desktop.storage.audit_check", fake)
    import ygt_desktop.storage as storage_pkg

    monkeypatch.setattr(storage_pkg, "audit_check", fake, raising=False)

    rc, out, _ = run_cli(capsys, "check", "--db", str(station))
    assert rc == 0 and "审计日志：哈希链完整" in out
    assert seen[-1] == [FakeAnchor(f"备份 {made.name}", head[0], head[1])]

    findings.append(FakeFinding("审计日志第 3 行被改动"))
    rc, out, _ = run_cli(capsys, "check", "--db", str(station))
    assert rc == 1 and "审计日志第 3 行被改动" in out and "审计日志：发现问题" in out

    rc, out, _ = run_cli(capsys, "check", "--db", str(station), "--quick")
    assert rc == 0 and len(seen) == 2  # the quick check leaves the audit log alone


def test_ygt_check_without_the_audit_module_still_works(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ygt_desktop.storage.audit_check", None)  # import fails
    import ygt_desktop.storage as storage_pkg

    monkeypatch.delattr(storage_pkg, "audit_check", raising=False)
    rc, out, err = run_cli(capsys, "check", "--db", str(station))
    assert rc == 0, err
    assert "完好" in out and "审计日志" not in out


# ---- ygt restore as a user -------------------------------------------------------------


def add_account(path: Path, forms, name: str, role: str) -> None:
    ws = Workspace.open(path, forms=forms)
    try:
        users.add_user(ws.store, name, role, "pass-5678", is_bureau=False, by=TEST_USER)
    finally:
        ws.close(backup_on_exit=False)


def test_ygt_restore_needs_a_user_allowed_to_restore(
    station: Path, forms, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(station, forms, "录入小王", "录入员")
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    monkeypatch.setenv("YGT_USER", "录入小王")
    monkeypatch.setenv("YGT_PASSWORD", "pass-5678")
    rc, _, err = run_cli(capsys, "restore", "--db", str(station), str(made))
    assert rc == 1 and "无权" in err
    assert not [p for p in station.parent.iterdir() if ".replaced-" in p.name]
    monkeypatch.setenv("YGT_USER", TEST_USER)
    monkeypatch.setenv("YGT_PASSWORD", "wrong-password")
    rc, _, err = run_cli(capsys, "restore", "--db", str(station), str(made))
    assert rc == 1 and "密码不正确" in err
    monkeypatch.setenv("YGT_PASSWORD", TEST_PASSWORD)
    rc, out, err = run_cli(capsys, "restore", "--db", str(station), str(made))
    assert rc == 0, err
    assert "已从" in out


def test_ygt_restore_of_an_unreadable_database_logs_in_against_the_backup(
    station: Path, forms, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(station, forms, "录入小王", "录入员")
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    station.write_bytes(b"")  # the live file is gone to nothing
    monkeypatch.setenv("YGT_USER", "录入小王")
    monkeypatch.setenv("YGT_PASSWORD", "pass-5678")
    rc, _, err = run_cli(capsys, "restore", "--db", str(station), str(made))
    assert rc == 1 and "无权" in err and station.read_bytes() == b""
    aside = ops_backup.restore(station, made, Login(TEST_USER, TEST_PASSWORD))
    assert aside is not None and aside.read_bytes() == b""
    assert ops_backup.check(station).residents == 20


# ---- the window's background check -----------------------------------------------------


def test_the_full_check_is_due_after_an_unclean_shutdown_and_weekly(
    station: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.open(station, forms=forms)
    try:
        assert not ops_backup.full_check_due(ws)  # a small file: checked on opening
        monkeypatch.setattr(ops_backup, "FULL_CHECK_BYTES", 0)
        assert ops_backup.full_check_due(ws)  # never ran
        now = datetime.now().astimezone()
        set_setting(ws.store, ops_backup.LAST_FULL_CHECK, (now - timedelta(days=2)).isoformat())
        assert not ops_backup.full_check_due(ws, now)
        ws.store.unclean_shutdown = True
        assert ops_backup.full_check_due(ws, now)
        ws.store.unclean_shutdown = False
        assert ops_backup.full_check_due(ws, now + timedelta(days=6))
    finally:
        ws.close(backup_on_exit=False)


def test_background_check_records_the_database_and_verifies_backups(station: Path, forms) -> None:
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    ws = Workspace.open(station, forms=forms)
    try:
        result = ops_backup.background_check(Run.plain(ws))
        assert result.database_checked and result.problems == []
        assert result.verified == [made] and backup.checked(made) is True
        from ygt_desktop.storage.organisation import get_setting

        assert get_setting(ws.store, ops_backup.LAST_FULL_CHECK)
    finally:
        ws.close(backup_on_exit=False)


def test_a_cancel_stops_the_background_check_at_once_and_records_nothing(
    station: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ygt_desktop.storage import db

    monkeypatch.setattr(db, "CHECK_STEPS", 10)  # a small file: look often
    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    ws = Workspace.open(station, forms=forms)
    try:
        asked = iter([False])  # the step before the backup's check; then "stop"
        run = Run(ws, Run.plain(ws).actor, cancelled=lambda: next(asked, True))
        with pytest.raises(OpCancelled):
            ops_backup.background_check(run, database=False)
    finally:
        ws.close(backup_on_exit=False)
    assert backup.checked(made) is None


def test_the_window_checks_backups_in_the_background(qtbot, station: Path, forms) -> None:
    from ygt_desktop.ui.integrity_watch import IntegrityWatch
    from ygt_desktop.ui.shell import MainWindow

    made = backup_of(station, forms, datetime(2026, 5, 1, 9))
    ws = Workspace.open(station, forms=forms)
    ws.login(TEST_USER, TEST_PASSWORD)
    window = MainWindow(ws)
    qtbot.addWidget(window)
    try:
        watch: IntegrityWatch = window.integrity
        assert watch.tick()
        qtbot.waitUntil(lambda: watch.last_result is not None, timeout=10_000)
        assert watch.last_result.verified == [made]
        assert backup.checked(made) is True and not ws.store.readonly
        assert not watch.tick()  # nothing left to check
    finally:
        ws.store.changes_since_backup = 0
        window.close()  # closes the workspace


def test_a_failed_background_check_tells_the_user_and_stops_saving(
    qtbot, station: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ygt_desktop.ui import integrity_watch, messages
    from ygt_desktop.ui.shell import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(messages, "error", lambda _p, text, *a, **k: shown.append(text))
    monkeypatch.setattr(ops_backup, "full_check_due", lambda _ws: True)
    monkeypatch.setattr(
        integrity_watch.ops_backup,
        "background_check",
        lambda run, database: ops_backup.BackgroundResult(True, ["row 7 missing from index x"]),
    )
    ws = Workspace.open(station, forms=forms)
    ws.login(TEST_USER, TEST_PASSWORD)
    window = MainWindow(ws)
    qtbot.addWidget(window)
    try:
        assert window.integrity.tick()
        qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
        assert "已损坏" in shown[0] and "恢复" in shown[0] and "row 7" in shown[0]
        assert ws.store.readonly
        from ygt_desktop.storage.db import ReadOnlyStoreError

        with pytest.raises(ReadOnlyStoreError):
            ws.residents.save(RESIDENT)
    finally:
        window.close()  # closes the workspace (read-only now: no backup)


@pytest.mark.alone  # timed (tests/alone.py)
def test_closing_the_window_does_not_wait_for_the_check(
    qtbot, station: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ygt_desktop.ui import integrity_watch, jobs
    from ygt_desktop.ui.shell import MainWindow

    started: list[bool] = []

    def endless(run: Run, database: bool) -> None:
        started.append(True)
        while True:  # a check of a very large file, interrupted only by a cancel
            run.check()
            time.sleep(0.005)

    monkeypatch.setattr(ops_backup, "full_check_due", lambda _ws: True)
    monkeypatch.setattr(integrity_watch.ops_backup, "background_check", endless)
    ws = Workspace.open(station, forms=forms)
    ws.login(TEST_USER, TEST_PASSWORD)
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    assert window.integrity.tick()
    qtbot.waitUntil(lambda: bool(started), timeout=10_000)
    ws.store.changes_since_backup = 0
    began = time.perf_counter()
    window.close()  # no question about the check, and no wait for it
    assert time.perf_counter() - began < 2.0
    assert not jobs.active()


def test_opening_a_small_file_runs_the_full_check(station: Path, forms) -> None:
    damage_an_index(station)
    assert station.stat().st_size <= opening.FULL_CHECK_BYTES
    ws = Workspace.open(station, forms=forms)
    try:
        assert ws.store.readonly and ws.store.problems
    finally:
        ws.close(backup_on_exit=False)
