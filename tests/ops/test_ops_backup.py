"""ops.backup: make a backup now (and the window's 恢复前 step), list, check, restore.

Requirements held here: a backup asks for backup.make, reports its step and is listed
with its reason; a cancel or a refusal before it leaves no backup file; restoring asks
for backup.restore and backs up first; check reports a sound file's contents, refuses
a missing file or one that is not a database in Chinese, and names the newest good
backup of a damaged one; a bad backup restores nothing.
"""

from __future__ import annotations

import pytest

from tests.ops.conftest import LOGIN
from tests.ops.ops_helpers import watch
from ygt_desktop.ops import backup
from ygt_desktop.ops.base import OpCancelled, OpError, PermissionRefused
from ygt_desktop.ops.station import opened
from ygt_desktop.storage.backup import backup_dir_for, verify_backup
from ygt_desktop.storage.db import StoreError


def backup_files(db):
    folder = backup_dir_for(db)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_backup_is_made_listed_and_checked(open_run, seen, demo_db):
    made = backup.make(open_run)
    assert verify_backup(made) and seen.asked == ["backup.make"] and seen.progress
    assert open_run.ws.store.changes_since_backup == 0
    listed = backup.list_all(demo_db)
    assert [(b.path, b.reason) for b in listed] == [(made, "手动")]


def test_before_restore_asks_for_restore_and_backs_up(open_run, seen, demo_db):
    made = backup.before_restore(open_run)
    assert seen.asked == ["backup.restore", "backup.make"]
    assert backup.list_all(demo_db)[0].reason == "恢复前" and made.exists()


def test_a_cancel_or_a_refusal_makes_no_backup(demo_db, seen, refuse):
    with opened(demo_db) as run:
        watch(run, seen, cancel_after=0)
        with pytest.raises(OpCancelled):
            backup.make(run)
    refuse("backup.make")
    with opened(demo_db) as run, pytest.raises(PermissionRefused):
        backup.make(run)
    assert backup_files(demo_db) == []


def test_check_a_sound_file(demo_db):
    health = backup.check(demo_db)
    assert health.ok and health.residents == 120 and health.good_backup is None
    assert health.organisation is not None and health.organisation.level == "站"


def test_check_refuses_a_missing_file_and_one_that_is_not_a_database(tmp_path):
    with pytest.raises(OpError, match="不存在"):
        backup.check(tmp_path / "没有.db")
    text = tmp_path / "a.db"
    text.write_text("不是数据库", encoding="utf-8")
    with pytest.raises(OpError, match="不是本程序的数据库"):
        backup.check(text)


def test_a_damaged_file_names_its_newest_good_backup(demo_db, seen):
    with opened(demo_db) as run:
        made = backup.make(run)
    data = bytearray(demo_db.read_bytes())
    data[8192:16384] = b"\xff" * 8192  # ruin pages in the middle of the file
    demo_db.write_bytes(bytes(data))
    health = backup.check(demo_db)
    assert not health.ok and health.problems
    assert health.good_backup is not None and health.good_backup.path == made


def test_restore_puts_the_old_file_aside_and_a_bad_backup_changes_nothing(demo_db, seen, tmp_path):
    with opened(demo_db) as run:
        made = backup.make(run)
    fake = tmp_path / "fake.db"
    fake.write_text("不是数据库", encoding="utf-8")
    before = demo_db.read_bytes()
    with pytest.raises(StoreError, match="不能用于恢复"):
        backup.restore(demo_db, fake, LOGIN)
    assert demo_db.read_bytes() == before
    aside = backup.restore(demo_db, made, LOGIN)
    assert aside is not None and aside.exists() and backup.check(demo_db).residents == 120


def test_restore_refuses_while_the_database_is_open(demo_db, seen):
    with opened(demo_db) as run:
        made = backup.make(run)
        with pytest.raises(StoreError, match="正被另一个程序窗口使用"):
            backup.restore(demo_db, made, LOGIN)
