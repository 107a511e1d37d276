"""The right words for the right fault: a full disk, a read-only disk or folder, a file
without permission and a damaged file get four different Chinese messages, and only the
damaged file is told to restore a backup. No traceback reaches the user.

Each fault is simulated (the errors the OS and SQLite raise), so the messages are always
tested; a real full tmpfs and a real read-only mount are used when this machine lets the
tests mount (root with CAP_SYS_ADMIN, as CI may be), else those tests say why they skip.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ORG, add_test_user
from ygt_desktop import cli
from ygt_desktop.storage import backup
from ygt_desktop.storage.db import (
    DAMAGED,
    FULL,
    NO_PERMISSION,
    READ_ONLY,
    DamagedDatabaseError,
    StoreError,
    describe_os_error,
    fault_message,
    fault_of,
)
from ygt_desktop.storage.organisation import add_village, set_organisation
from ygt_desktop.storage.workspace import Workspace

RESIDENT = {
    "name": "孙七",
    "no_id_reason": "9",
    "sex": "1",
    "birth_date": "1958-03-01",
    "ethnicity": "01",
    "village_code": "101",
}
RESTORE_WORDS = ("恢复", "备份")


def offers_restore(text: str) -> bool:
    return all(word in text for word in RESTORE_WORDS)


def make_station(path: Path, forms) -> Workspace:
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, ORG)
    add_village(ws.store, "101", "小坝村委会")
    add_test_user(ws)
    return ws


# ---- simulated: always run -------------------------------------------------------------


SIMULATED = [
    (OSError(errno.ENOSPC, "No space left on device"), FULL),
    (sqlite3.OperationalError("database or disk is full"), FULL),
    (OSError(errno.EROFS, "Read-only file system"), READ_ONLY),
    (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY),
    (PermissionError(errno.EACCES, "Permission denied"), NO_PERMISSION),
    (sqlite3.DatabaseError("database disk image is malformed"), DAMAGED),
    (sqlite3.DatabaseError("file is not a database"), DAMAGED),
]


@pytest.mark.parametrize(("exc", "kind"), SIMULATED)
def test_each_error_is_told_as_its_fault(exc: BaseException, kind: str, tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    db.write_bytes(b"")  # a writable file in a writable folder: nothing else to blame
    assert fault_of(exc, db) == kind
    text = describe_os_error(exc, db)
    assert text == fault_message(kind, "保存", db)
    assert offers_restore(text) == (kind == DAMAGED)


def test_the_four_messages_differ_and_only_damage_offers_a_restore(tmp_path: Path) -> None:
    texts = {
        kind: fault_message(kind, "保存", tmp_path / "a.db")
        for kind in (FULL, READ_ONLY, NO_PERMISSION, DAMAGED)
    }
    assert len(set(texts.values())) == 4
    assert "磁盘空间已满" in texts[FULL]
    assert "只读" in texts[READ_ONLY] and "U盘" in texts[READ_ONLY]
    assert "权限" in texts[NO_PERMISSION]
    assert "损坏" in texts[DAMAGED]
    assert [k for k, t in texts.items() if offers_restore(t)] == [DAMAGED]


def test_a_read_only_mount_is_not_called_a_permission_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite says only "readonly"/"permission": the file system decides which."""

    class Fs:
        f_flag = os.ST_RDONLY
        f_bavail = 100

    monkeypatch.setattr(os, "statvfs", lambda _p: Fs())
    assert (
        fault_of(PermissionError(errno.EACCES, "Permission denied"), tmp_path / "a.db") == READ_ONLY
    )
    assert (
        fault_of(sqlite3.OperationalError("attempt to write a readonly database"), tmp_path)
        == READ_ONLY
    )


class Failing:
    """A connection whose COMMIT fails with ``exc`` (the rest is the real one)."""

    def __init__(self, real: sqlite3.Connection, exc: BaseException) -> None:
        self.real, self.exc = real, exc

    def execute(self, sql: str, *args: object) -> object:
        if sql == "COMMIT":
            raise self.exc
        return self.real.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


@pytest.mark.parametrize(("exc", "kind"), SIMULATED)
def test_a_failed_save_says_which_fault_and_changes_nothing(
    exc: BaseException, kind: str, tmp_path: Path, forms
) -> None:
    ws = make_station(tmp_path / "station.db", forms)
    real = ws.store.conn
    try:
        ws.store.conn = Failing(real, exc)  # type: ignore[assignment]
        with pytest.raises(StoreError) as info:
            ws.residents.save(RESIDENT)
        ws.store.conn = real
        assert str(info.value) == fault_message(kind, "保存", ws.store.path)
        assert ws.residents.count() == 0
        # Only a damaged file stops further saving (it would spread the damage).
        assert isinstance(info.value, DamagedDatabaseError) == (kind == DAMAGED)
        assert ws.store.readonly == (kind == DAMAGED)
    finally:
        ws.store.conn = real
        ws.close(backup_on_exit=False)


def test_a_backup_into_a_folder_without_permission_says_so(
    tmp_path: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_station(tmp_path / "station.db", forms)
    real_open = os.open

    def refused(path: object, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refused)
    try:
        with pytest.raises(StoreError) as info:
            backup.make_backup(ws.store.conn, ws.store.path, "手动")
    finally:
        monkeypatch.undo()
        ws.close(backup_on_exit=False)
    assert "权限" in str(info.value) and not offers_restore(str(info.value))


def test_an_unreadable_file_is_refused_with_the_permission_message(
    tmp_path: Path, forms, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "station.db"
    make_station(path, forms).close(backup_on_exit=False)
    if os.geteuid() != 0:
        path.chmod(0o000)
    else:  # root reads everything: the OS's refusal is simulated
        real_open = Path.open

        def refused(self: Path, *args: object, **kwargs: object) -> object:
            if self == path:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", refused)
        monkeypatch.setattr(os, "access", lambda p, _m: Path(p) != path)
    try:
        with pytest.raises(StoreError) as info:
            Workspace.open(path, forms=forms)
    finally:
        monkeypatch.undo()
        path.chmod(0o600)
    assert "权限" in str(info.value) and not offers_restore(str(info.value))


def test_a_damaged_file_is_the_only_one_offered_a_restore(tmp_path: Path, forms) -> None:
    path = tmp_path / "station.db"
    ws = make_station(path, forms)
    for i in range(200):
        ws.residents.save({**RESIDENT, "name": f"孙七{i:03d}"})
    ws.close(backup_on_exit=False)
    data = bytearray(path.read_bytes())
    data[len(data) // 2 :] = bytes((i * 131 + 7) % 256 for i in range(len(data) - len(data) // 2))
    path.write_bytes(bytes(data))
    try:
        ws = Workspace.open(path, forms=forms)
    except DamagedDatabaseError as exc:
        assert offers_restore(str(exc))
    else:
        assert ws.store.readonly and ws.store.problems
        with pytest.raises(StoreError) as info:
            ws.residents.save(RESIDENT)
        assert offers_restore(str(info.value))
        ws.close(backup_on_exit=False)


# ---- real: a full tmpfs and a read-only mount ------------------------------------------


@contextlib.contextmanager
def tmpfs(tmp_path: Path, size: str) -> Iterator[Path]:
    where = tmp_path / f"mnt-{uuid.uuid4().hex[:6]}"
    where.mkdir()
    if os.name == "nt" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here (no CAP_SYS_ADMIN?): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(where)], capture_output=True)
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> None:
    """Write zeros until the disk is full (unbuffered: nothing left over to fail on close)."""
    with open(folder / "ballast", "wb", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
        with contextlib.suppress(OSError):
            while True:  # the last few blocks
                fh.write(b"\0" * 512)


def test_on_a_full_disk_saving_and_backing_up_say_the_disk_is_full(
    tmp_path: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path, "4m") as disk:
        path = disk / "station.db"
        ws = make_station(path, forms)
        try:
            fill(disk)
            with pytest.raises(StoreError) as saving:
                for i in range(2000):
                    ws.residents.save({**RESIDENT, "name": f"满盘{i:04d}"})
            assert "磁盘空间已满" in str(saving.value), saving.value
            assert not offers_restore(str(saving.value))
            with pytest.raises(StoreError) as backing:
                backup.make_backup(ws.store.conn, path, "手动")
            assert "磁盘空间已满" in str(backing.value), backing.value
            folder = backup.backup_dir_for(path)
            assert not [p for p in folder.iterdir()] if folder.exists() else True
        finally:
            (disk / "ballast").unlink()
            ws.close(backup_on_exit=False)


def test_on_a_read_only_mount_the_app_and_ygt_say_read_only(
    tmp_path: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(tmp_path, "8m") as disk:
        path = disk / "station.db"
        make_station(path, forms).close(backup_on_exit=False)
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True
        )
        if remount.returncode != 0:
            pytest.skip(f"remounting read-only is not permitted here: {remount.stderr.strip()}")

        with pytest.raises(StoreError) as opening:  # the lock file cannot be made either
            Workspace.open(path, forms=forms)
        text = str(opening.value)
        assert "只读" in text and "U盘" in text and not offers_restore(text)

        capsys.readouterr()
        assert cli.main(["backup", "--db", str(path)]) == 1
        _out, err = capsys.readouterr()
        assert "只读" in err and "Traceback" not in err and not offers_restore(err)

        assert cli.main(["check", "--db", str(path)]) == 0  # reading still works
        out, err = capsys.readouterr()
        assert "完好" in out, out + err
