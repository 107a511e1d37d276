"""One app per database, judged by the file itself: a symlink or a hard link to an
open database is refused like the file's own name; the lock remembers whether the last
session ended cleanly (the window then runs the full check in the background)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ORG, add_test_user
from ygt_desktop.storage.db import DatabaseInUseError, InstanceLock, file_identity
from ygt_desktop.storage.organisation import set_organisation
from ygt_desktop.storage.workspace import Workspace

IN_USE = "正被另一个程序窗口使用"


@pytest.fixture
def station(tmp_path: Path, forms) -> Path:
    path = tmp_path / "卫生室" / "station.db"
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, ORG)
    add_test_user(ws)
    ws.close(backup_on_exit=False)
    return path


def other_names(station: Path) -> list[Path]:
    """A hard link with another name in another folder, and a symlink."""
    elsewhere = station.parent.parent / "别处"
    elsewhere.mkdir()
    hard = elsewhere / "副本.db"
    os.link(station, hard)
    soft = elsewhere / "快捷方式.db"
    soft.symlink_to(station)
    return [hard, soft]


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_hard_link_or_symlink_cannot_open_the_same_database_twice(station: Path, forms) -> None:
    names = other_names(station)
    assert {file_identity(p) for p in [station, *names]} == {file_identity(station)}
    ws = Workspace.open(station, forms=forms)
    try:
        for name in names:
            with pytest.raises(DatabaseInUseError, match=IN_USE):
                Workspace.open(name, forms=forms)
    finally:
        ws.close(backup_on_exit=False)
    # And the other way round: opened by its link, the file's own name is refused.
    ws = Workspace.open(names[0], forms=forms)
    try:
        with pytest.raises(DatabaseInUseError, match=IN_USE):
            Workspace.open(station, forms=forms)
    finally:
        ws.close(backup_on_exit=False)
    Workspace.open(names[1], forms=forms).close(backup_on_exit=False)  # free again


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_another_process_is_refused_through_a_hard_link(station: Path, forms) -> None:
    hard = other_names(station)[0]
    ws = Workspace.open(station, forms=forms)
    try:
        code = (
            "import sys\n"
            "from ygt_desktop.storage.db import DatabaseInUseError\n"
            "from ygt_desktop.storage.workspace import Workspace\n"
            "try:\n"
            f"    Workspace.open({str(hard)!r})\n"
            "except DatabaseInUseError:\n"
            "    sys.exit(3)\n"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
        assert done.returncode == 3, done.stderr.decode()
    finally:
        ws.close(backup_on_exit=False)


def test_different_files_do_not_block_each_other(tmp_path: Path, forms) -> None:
    a = Workspace.open(tmp_path / "a.db", create=True, forms=forms)
    b = Workspace.open(tmp_path / "b.db", create=True, forms=forms)
    a.close(backup_on_exit=False)
    b.close(backup_on_exit=False)


def test_a_lock_beside_a_read_only_folder_is_skipped_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ygt_desktop.storage.db as db

    real = db._open_lock_file
    monkeypatch.setattr(
        db,
        "_open_lock_file",
        lambda p: None if p.suffix == ".lock" and p.parent == tmp_path else real(p),
    )
    path = tmp_path / "x.db"
    path.write_bytes(b"")
    lock = InstanceLock(path)
    lock.acquire()  # the identity lock alone still keeps a second app out
    try:
        with pytest.raises(DatabaseInUseError):
            InstanceLock(path).acquire()
    finally:
        lock.release()


@pytest.mark.skipif(os.name == "nt", reason="kill semantics")
def test_an_unclean_shutdown_is_noticed_at_the_next_start(station: Path, forms) -> None:
    ws = Workspace.open(station, forms=forms)
    assert ws.store.unclean_shutdown is False
    ws.close(backup_on_exit=False)

    code = (
        "import os\n"
        "from ygt_desktop.storage.workspace import Workspace\n"
        f"ws = Workspace.open({str(station)!r})\n"
        "os._exit(0)  # a crash: no close\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", code], env=env, check=True)

    ws = Workspace.open(station, forms=forms)
    assert ws.store.unclean_shutdown is True
    ws.close(backup_on_exit=False)
    ws = Workspace.open(station, forms=forms)  # closed cleanly this time
    assert ws.store.unclean_shutdown is False
    ws.close(backup_on_exit=False)
