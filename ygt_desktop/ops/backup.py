"""Backups: make one now, list them, check the database, restore one.

Making a backup needs the open workspace (a :class:`Run`). Listing, checking and
restoring work on the database *file*, because they must work when it cannot be opened
(damaged, or in use by the window): there is no workspace, so no acting user to ask.
The window's 恢复所选备份 therefore first runs :func:`before_restore` (permission
``backup.restore`` and a 恢复前 backup), closes its workspace, then calls
:func:`restore`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..storage import backup
from ..storage.backup import BackupInfo
from ..storage.db import InstanceLock, connect, looks_like_sqlite, quick_check
from ..storage.organisation import Organisation
from ..storage.workspace import Workspace
from .base import OpError, Run

MANUAL, BEFORE_RESTORE = "手动", "恢复前"


def make(run: Run, reason: str = MANUAL) -> Path:
    """Back the database up now (a checked copy in its backup folder); the file made.
    StoreError (Chinese) when it cannot be written; then nothing is left behind."""
    run.require("backup.make")
    run.step(0, 0, "正在备份数据库…")
    store = run.ws.store
    made = backup.make_backup(store.conn, store.path, reason=reason)
    store.changes_since_backup = 0
    return made


def before_restore(run: Run) -> Path:
    """The window's first step of restoring: may the actor restore, and a 恢复前 backup
    of the database as it is (so a restore can be undone); the backup made."""
    run.require("backup.restore")
    return make(run, BEFORE_RESTORE)


def list_all(db_path: Path) -> list[BackupInfo]:
    """The backups of ``db_path``, newest first (not checked)."""
    return backup.list_backups(Path(db_path))


@dataclass
class Health:
    """What :func:`check` found. ``problems`` empty means the file is sound; then
    ``organisation`` and ``residents`` say what it holds."""

    path: Path
    problems: list[str] = field(default_factory=list)
    good_backup: BackupInfo | None = None  # the newest backup that passes its check
    organisation: Organisation | None = None
    residents: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check(db_path: Path) -> Health:
    """Check the database file (read-only, works while the window has it open).
    A missing file or one that is not a database raises :class:`OpError`; damage is
    reported in ``problems`` with the newest good backup to restore from."""
    path = Path(db_path)
    if not path.exists():
        raise OpError(f"数据库文件 {path} 不存在")
    if not looks_like_sqlite(path):
        raise OpError(f"文件 {path} 不是本程序的数据库（不是 SQLite 数据库文件）")
    try:
        conn = connect(path, readonly=True)
        try:
            problems = quick_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    health = Health(path, problems, backup.newest_good_backup(path))
    if problems:
        return health
    ws = Workspace.open(path, lock=False)
    try:
        health.organisation = ws.organisation
        health.residents = ws.residents.count()
    finally:
        ws.close(backup_on_exit=False)
    return health


def restore(db_path: Path, backup_path: Path) -> Path | None:
    """Replace the database file with a copy of ``backup_path`` (checked first; a bad
    one changes nothing); where the current file was put aside, or None when there was
    none. The database must not be open: the instance lock is taken for the swap
    (StoreError, Chinese, when another window has it)."""
    path = Path(db_path)
    lock = InstanceLock(path)
    lock.acquire()
    try:
        return backup.restore(path, Path(backup_path))
    finally:
        lock.release()
