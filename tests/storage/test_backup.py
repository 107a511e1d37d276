"""Backups and restore, as the clinic user would notice them."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ygt_desktop.storage import backup
from ygt_desktop.storage.backup import (
    BackupScheduler,
    backup_dir_for,
    list_backups,
    make_backup,
    newest_good_backup,
    restore,
    rotate,
    verify_backup,
)
from ygt_desktop.storage.db import StoreError, connect
from ygt_desktop.storage.migrations import apply_pending

NOW = datetime(2025, 6, 15, 12, 0, 0)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def village_names(path: Path) -> list[str]:
    conn = connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM villages ORDER BY code")]
    finally:
        conn.close()


def add_villages(conn: sqlite3.Connection, *names: str, start: int = 1) -> None:
    conn.execute("BEGIN IMMEDIATE")
    for i, name in enumerate(names, start):
        conn.execute("INSERT INTO villages (code, name) VALUES (?, ?)", (f"{i:03d}", name))
    conn.execute("COMMIT")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "卫生室 数据" / "ygt.db"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    db_path.parent.mkdir(parents=True)
    conn = connect(db_path)
    apply_pending(conn)
    add_villages(conn, "张家村", "李家村", "王家村")
    yield conn
    conn.close()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_backup_folder_sits_next_to_the_database(db_path: Path) -> None:
    assert backup_dir_for(db_path) == db_path.parent / "ygt-backups"


def test_round_trip_brings_deleted_rows_back(conn: sqlite3.Connection, db_path: Path) -> None:
    made = make_backup(conn, db_path, reason="手动", now=NOW)
    assert made.parent == backup_dir_for(db_path)
    assert made.name == "ygt-20250615-120000-000000.db"
    conn.execute("DELETE FROM villages WHERE name = '李家村'")
    conn.execute("UPDATE villages SET name = '改名村' WHERE code = '001'")
    conn.close()
    assert village_names(db_path) == ["改名村", "王家村"]

    aside = restore(db_path, made)

    assert village_names(db_path) == ["张家村", "李家村", "王家村"]
    check = connect(db_path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master")}
        assert "backup_info" not in tables
        assert "schema_migrations" in tables
    finally:
        check.close()
    # The replaced file is kept aside, with the changes made after the backup.
    assert aside is not None and aside.exists()
    assert aside.name.startswith("ygt.db.replaced-")
    assert village_names(aside) == ["改名村", "王家村"]
    # The backup itself is untouched and still usable.
    assert verify_backup(made)


def test_backup_contains_rows_still_in_the_wal(conn: sqlite3.Connection, db_path: Path) -> None:
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    add_villages(conn, "新村一", "新村二", start=10)
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0

    made = make_backup(conn, db_path, reason="定时", now=NOW)

    assert not made.with_name(made.name + "-wal").exists()
    copy = sqlite3.connect(made)
    try:
        names = [r[0] for r in copy.execute("SELECT name FROM villages ORDER BY code")]
        assert names == ["张家村", "李家村", "王家村", "新村一", "新村二"]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        info = copy.execute("SELECT reason, source_path FROM backup_info").fetchall()
        assert info == [("定时", str(db_path))]
    finally:
        copy.close()


def test_list_backups_newest_first_with_reasons(conn: sqlite3.Connection, db_path: Path) -> None:
    first = make_backup(conn, db_path, reason="升级前", now=NOW)
    second = make_backup(conn, db_path, reason="手动", now=NOW + timedelta(minutes=5))
    folder = backup_dir_for(db_path)
    (folder / "ygt-20250615-130000-000000.db.tmp").write_bytes(b"half")
    (folder / "notes.txt").write_text("不是备份")

    found = list_backups(db_path)

    assert [b.path for b in found] == [second, first]
    assert [b.reason for b in found] == ["手动", "升级前"]
    assert found[0].created_at == NOW + timedelta(minutes=5)
    assert found[0].size == second.stat().st_size > 0
    assert found[0].ok is None


def test_two_backups_in_the_same_second_get_different_files(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    a = make_backup(conn, db_path, reason="手动", now=NOW)
    b = make_backup(conn, db_path, reason="手动", now=NOW)
    assert a != b and a.exists() and b.exists()
    c = make_backup(conn, db_path, reason="手动")  # real clock, back to back
    d = make_backup(conn, db_path, reason="手动")
    assert c != d and c.exists() and d.exists()


def test_failing_quick_check_leaves_no_file(
    conn: sqlite3.Connection, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "quick_check", lambda _conn: ["Page 3: btreeInitPage() error"])
    with pytest.raises(StoreError) as err:
        make_backup(conn, db_path, reason="手动", now=NOW)
    assert has_chinese(str(err.value))
    assert files_in(backup_dir_for(db_path)) == []


class DiskFullConnection:
    def backup(self, target: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")


def test_disk_full_gives_chinese_error_and_no_file(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with pytest.raises(StoreError) as err:
        make_backup(DiskFullConnection(), db_path, reason="退出时", now=NOW)  # type: ignore[arg-type]
    assert "磁盘空间已满" in str(err.value)
    assert files_in(backup_dir_for(db_path)) == []


def test_read_only_backup_folder_gives_chinese_error(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    folder = backup_dir_for(db_path)
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: chmod does not make the folder read-only")
        with pytest.raises(StoreError) as err:
            make_backup(conn, db_path, reason="定时", now=NOW)
        assert has_chinese(str(err.value))
        assert "只读" in str(err.value)
        assert files_in(folder) == []
    finally:
        folder.chmod(0o700)
    assert village_names(db_path) == ["张家村", "李家村", "王家村"]


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data)):
        data[i] = (i * 131 + 7) % 256
    path.write_bytes(bytes(data))


def test_restore_refuses_a_corrupted_backup_and_changes_nothing(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    good = make_backup(conn, db_path, reason="手动", now=NOW)
    bad = good.with_name("damaged-copy.db")
    bad.write_bytes(good.read_bytes())
    corrupt(bad)
    conn.close()
    before = digest(db_path)
    listing = files_in(db_path.parent)

    assert not verify_backup(bad)
    with pytest.raises(StoreError) as err:
        restore(db_path, bad)

    assert has_chinese(str(err.value))
    assert digest(db_path) == before
    assert files_in(db_path.parent) == listing  # no .replaced-*, no temporary file


def test_restore_of_garbage_or_missing_file_is_refused(
    conn: sqlite3.Connection, db_path: Path, tmp_path: Path
) -> None:
    conn.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    for candidate in (garbage, tmp_path / "missing.db"):
        assert not verify_backup(candidate)
        with pytest.raises(StoreError):
            restore(db_path, candidate)
    assert village_names(db_path) == ["张家村", "李家村", "王家村"]


CRASH_AFTER_WRITE = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("INSERT INTO villages (code, name) VALUES ('099', '崩溃前写入村')")
os._exit(0)
"""


def test_restore_moves_the_old_wal_aside_instead_of_replaying_it(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    made = make_backup(conn, db_path, reason="手动", now=NOW)
    conn.close()
    subprocess.run([sys.executable, "-c", CRASH_AFTER_WRITE, str(db_path)], check=True)
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0

    aside = restore(db_path, made)

    assert aside is not None
    assert not wal.exists()
    assert not db_path.with_name(db_path.name + "-shm").exists()
    assert village_names(db_path) == ["张家村", "李家村", "王家村"]
    # Nothing of the replaced file is lost: its WAL travelled with it.
    assert aside.with_name(aside.name + "-wal").exists()
    assert "崩溃前写入村" in village_names(aside)


def test_two_restores_keep_both_replaced_files(conn: sqlite3.Connection, db_path: Path) -> None:
    made = make_backup(conn, db_path, reason="手动", now=NOW)
    conn.close()
    first = restore(db_path, made)
    second = restore(db_path, made)
    assert first is not None and second is not None and first != second
    assert first.exists() and second.exists()


def test_restore_without_a_current_file(conn: sqlite3.Connection, db_path: Path) -> None:
    made = make_backup(conn, db_path, reason="手动", now=NOW)
    conn.close()
    db_path.unlink()
    assert restore(db_path, made) is None
    assert village_names(db_path) == ["张家村", "李家村", "王家村"]


def test_newest_good_backup_skips_a_damaged_one(conn: sqlite3.Connection, db_path: Path) -> None:
    older = make_backup(conn, db_path, reason="定时", now=NOW)
    newer = make_backup(conn, db_path, reason="退出时", now=NOW + timedelta(hours=1))
    corrupt(newer)
    good = newest_good_backup(db_path)
    assert good is not None
    assert good.path == older and good.ok is True and good.reason == "定时"


def test_no_backups_yet(db_path: Path) -> None:
    assert list_backups(db_path) == []
    assert newest_good_backup(db_path) is None
    assert rotate(db_path, NOW) == []


def fake_backups(db_path: Path, start: datetime, end: datetime, step: timedelta) -> list[Path]:
    folder = backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    paths, t = [], start
    while t <= end:
        path = folder / t.strftime("ygt-%Y%m%d-%H%M%S-%f.db")
        path.write_bytes(b"")
        paths.append(path)
        t += step
    return paths


def test_rotation_keeps_about_a_year_in_few_files(db_path: Path) -> None:
    made = fake_backups(db_path, datetime(2024, 3, 1), NOW, timedelta(hours=6))
    unrelated = backup_dir_for(db_path) / "readme.txt"
    unrelated.write_text("x")

    deleted = rotate(db_path, NOW)

    left = list_backups(db_path)
    assert len(left) + len(deleted) == len(made)
    assert not any(p.exists() for p in deleted)
    assert 20 < len(left) < 60
    assert left[0].path == made[-1]
    assert timedelta(days=330) <= NOW - left[-1].created_at <= timedelta(days=366)
    assert unrelated.exists()
    assert rotate(db_path, NOW) == []


def test_make_backup_rotates_old_backups(conn: sqlite3.Connection, db_path: Path) -> None:
    fake_backups(db_path, NOW - timedelta(days=40), NOW - timedelta(days=1), timedelta(hours=2))
    made = make_backup(conn, db_path, reason="定时", now=NOW)
    left = list_backups(db_path)
    assert left[0].path == made
    assert len(left) < 40


def test_scheduler_waits_for_changes_and_the_interval() -> None:
    scheduler = BackupScheduler()
    last = NOW - timedelta(minutes=10)
    assert not scheduler.due(NOW, 0, None)
    assert not scheduler.due(NOW, 0, NOW - timedelta(days=3))
    assert scheduler.due(NOW, 1, None)
    assert not scheduler.due(NOW, 5, last)
    assert scheduler.due(NOW, 5, NOW - timedelta(minutes=30))
    assert scheduler.due(NOW, 1, NOW - timedelta(hours=5))
    assert scheduler.due(NOW, 1, NOW + timedelta(days=1))  # clock was set back


def test_scheduler_interval_is_configurable() -> None:
    scheduler = BackupScheduler(interval=timedelta(minutes=5))
    assert scheduler.due(NOW, 1, NOW - timedelta(minutes=5))
    assert not scheduler.due(NOW, 1, NOW - timedelta(minutes=4))
