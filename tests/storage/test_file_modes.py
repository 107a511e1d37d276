"""Private at rest: every file the app creates is readable by its owner only.

Another account on the same PC must not read residents' ID numbers from the database,
its -wal/-shm, a backup, a lock or a leftover temporary file. The storage layer sets
the modes itself (so library use and tests get them whatever the umask); old files made
0644 are tightened when opened; what an interrupted backup or restore left behind is
gone after the next start.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import ORG, add_test_user
from ygt_desktop.storage import backup
from ygt_desktop.storage.db import InstanceLock, file_identity
from ygt_desktop.storage.organisation import set_organisation
from ygt_desktop.storage.workspace import Workspace

pytestmark = pytest.mark.skipif(
    os.name == "nt", reason="POSIX modes; Windows keeps files in the profile"
)

RESIDENT = {
    "name": "赵六",
    "no_id_reason": "9",
    "sex": "1",
    "birth_date": "1960-05-01",
    "ethnicity": "01",
    "village_code": "101",
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The usual umask 022 (0644 files): the modes below come from the code itself."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def station(path: Path, forms) -> Workspace:
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, ORG)
    from ygt_desktop.storage.organisation import add_village

    add_village(ws.store, "101", "小坝村委会")
    add_test_user(ws)
    ws.residents.save(RESIDENT)
    return ws


def test_database_sidecars_lock_and_new_folder_are_owner_only(tmp_path: Path, forms) -> None:
    path = tmp_path / "新文件夹" / "station.db"
    ws = station(path, forms)
    try:
        assert mode(path.parent) == 0o700  # the folder we made
        for made in (path, path.with_name("station.db-wal"), path.with_name("station.db-shm")):
            assert made.exists() and mode(made) == 0o600, made
        assert mode(path.with_name("station.db.lock")) == 0o600
        from ygt_desktop.paths import lock_dir

        ident = lock_dir() / f"{file_identity(path)}.lock"
        assert mode(ident) == 0o600 and mode(lock_dir()) == 0o700
    finally:
        ws.close(backup_on_exit=False)


def test_backups_markers_and_restored_files_are_owner_only(tmp_path: Path, forms) -> None:
    path = tmp_path / "station.db"
    ws = station(path, forms)
    made = backup.make_backup(ws.store.conn, path, "手动")
    ws.close(backup_on_exit=False)
    assert mode(backup.backup_dir_for(path)) == 0o700
    assert mode(made) == 0o600
    assert backup.verify_full(made) == []
    assert mode(backup.marker_for(made)) == 0o600
    aside = backup.restore(path, made)
    assert aside is not None
    assert mode(path) == 0o600 and mode(aside) == 0o600
    names = [p.name for p in path.parent.iterdir()]
    assert not [n for n in names if ".tmp" in n or n.endswith("-journal")], names


def test_files_made_0644_by_an_older_version_are_tightened_on_opening(
    tmp_path: Path, forms
) -> None:
    path = tmp_path / "station.db"
    ws = station(path, forms)
    made = backup.make_backup(ws.store.conn, path, "手动")
    ws.close(backup_on_exit=False)
    for old in (path, made, path.with_name("station.db.lock")):
        old.chmod(0o644)
    backup.backup_dir_for(path).chmod(0o755)

    ws = Workspace.open(path, forms=forms)
    try:
        assert mode(path) == 0o600
        assert mode(path.with_name("station.db-wal")) == 0o600
        assert mode(path.with_name("station.db.lock")) == 0o600
        assert mode(made) == 0o600 and mode(backup.backup_dir_for(path)) == 0o700
    finally:
        ws.close(backup_on_exit=False)


def test_an_interrupted_backup_or_restore_leaves_nothing_after_the_next_start(
    tmp_path: Path, forms
) -> None:
    path = tmp_path / "station.db"
    station(path, forms).close(backup_on_exit=False)
    folder = backup.backup_dir_for(path)
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime(backup.NAME_FORMAT)
    left = [
        folder / f"{stamp}.tmp",
        folder / f"{stamp}.tmp-journal",
        path.with_name("station.db.restoring.tmp"),
        path.with_name("station.db.restoring.tmp-journal"),
    ]
    for leftover in left:
        leftover.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)

    # A reader alongside (ygt check) does not touch them: a backup may be running.
    Workspace.open(path, lock=False, forms=forms).close(backup_on_exit=False)
    assert all(p.exists() for p in left)

    Workspace.open(path, forms=forms).close(backup_on_exit=False)  # the next start
    assert not [p for p in left if p.exists()]


def test_the_lock_of_a_new_file_is_taken_on_the_file_itself(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    lock = InstanceLock(path)
    lock.acquire()
    lock.release()
    assert mode(path.with_name("x.db.lock")) == 0o600


def test_ygt_makes_every_file_it_writes_owner_only(tmp_path: Path) -> None:
    """``ygt`` sets umask 077 first: whatever it writes (exports, logs) is private."""
    db, probe = tmp_path / "s.db", tmp_path / "after.txt"
    code = (
        "import os, sys\n"
        "os.umask(0o022)\n"
        "from ygt_desktop import cli\n"
        f"rc = cli.main(['check', '--db', {str(db)!r}])\n"
        f"open({str(probe)!r}, 'w').close()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    assert mode(probe) == 0o600
