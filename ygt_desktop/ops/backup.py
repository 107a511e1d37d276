"""Backups: make one now, list them, check the database, restore one.

Making a backup needs the open workspace (a :class:`Run`). Listing and checking work
on the database *file*, because they must work when it cannot be opened (damaged, or
in use by the window). Restoring works on the file too, but as a user allowed
``backup.restore`` (站长, 管理员): :func:`restore` signs the login in against the live
database when it can be read, else against the accounts in the backup being restored.
The window's 恢复所选备份 first runs :func:`before_restore` (permission
``backup.restore`` and a 恢复前 backup), closes its workspace, then restores.

A backup counts as good only once the full ``integrity_check`` has passed on it
(:func:`ygt_desktop.storage.backup.verify_full`); the window runs that, and the full
check of the database itself after an unclean shutdown and weekly, in the background
(:func:`background_check`).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import roles
from ..storage import backup, opening, users
from ..storage.audit import chain_head
from ..storage.backup import BackupInfo
from ..storage.db import (
    FULL,
    NO_PERMISSION,
    READ_ONLY,
    CheckInterrupted,
    InstanceLock,
    Store,
    StoreError,
    connect,
    fault_message,
    fault_of,
    integrity_check,
    looks_like_sqlite,
    quick_check,
)
from ..storage.opening import FULL_CHECK_BYTES
from ..storage.organisation import Organisation, get_organisation, get_setting, set_setting
from ..storage.residents import ResidentRepo
from ..storage.workspace import Workspace, load_forms
from .base import OpCancelled, OpError, PermissionRefused, Run
from .users import NO_USERS, Login, sign_in

MANUAL, BEFORE_RESTORE = "手动", "恢复前"
LAST_FULL_CHECK = "integrity.last_full_check"  # ISO time of the last passed full check
FULL_CHECK_EVERY = dt.timedelta(days=7)
ANCHOR_BACKUPS = 3  # how many verified backups lend their audit chain head to the check


def make(run: Run, reason: str = MANUAL) -> Path:
    """Back the database up now (a checked copy in its backup folder); the file made.
    StoreError (Chinese) when it cannot be written; then nothing is left behind."""
    run.require("backup.make")
    run.step(0, 0, "正在备份数据库…")
    store = run.ws.store
    made = backup.make_backup(store.conn, store.path, reason=reason)
    store.changes_since_backup = 0
    return made


def verify(made: Path) -> list[str]:
    """The full check on one backup, recorded beside it; the problems (empty: good)."""
    return backup.verify_full(Path(made))


def before_restore(run: Run) -> Path:
    """The window's first step of restoring: may the actor restore, and a 恢复前 backup
    of the database as it is (so a restore can be undone); the backup made."""
    run.require("backup.restore")
    return make(run, BEFORE_RESTORE)


def list_all(db_path: Path) -> list[BackupInfo]:
    """The backups of ``db_path``, newest first (``ok``: the recorded full check)."""
    return backup.list_backups(Path(db_path))


@dataclass
class Health:
    """What :func:`check` found. ``problems`` empty means the file is sound; then
    ``organisation`` and ``residents`` say what it holds. ``audit`` holds what the
    audit-chain check found (Chinese), ``audit_checked`` whether it ran."""

    path: Path
    problems: list[str] = field(default_factory=list)
    good_backup: BackupInfo | None = None  # the newest backup that passed the full check
    organisation: Organisation | None = None
    residents: int = 0
    full: bool = True  # integrity_check (False: quick_check only)
    audit: list[str] = field(default_factory=list)
    audit_checked: bool = False
    unverified: int = 0  # backups the full check has not run on yet

    @property
    def ok(self) -> bool:
        return not self.problems


def check(db_path: Path, *, quick: bool = False) -> Health:
    """Check the database file (read-only, works while the window has it open): the
    full ``integrity_check`` (``quick``: ``quick_check``) and, in full mode, the audit
    chain against the chain heads kept in the newest verified backups. A missing file
    raises :class:`OpError`; so does a file that is not a database when there is no
    backup of it (with backups, an empty file or a damaged header is damage, and the
    newest good backup is named). Damage is reported in ``problems``."""
    path = Path(db_path)
    if not path.exists():
        raise OpError(f"数据库文件 {path} 不存在")
    try:
        header_ok = path.stat().st_size > 0 and looks_like_sqlite(path)
    except OSError as exc:
        raise OpError(f"无法读取数据库文件 {path}：{exc}") from exc
    if not header_ok:
        if not backup.list_backups(path):
            raise OpError(f"文件 {path} 不是本程序的数据库（不是 SQLite 数据库文件）")
        empty = path.stat().st_size == 0
        problem = "文件是空的（0 字节）" if empty else "文件头已损坏（不是 SQLite 数据库文件头）"
        return Health(path, [problem], backup.newest_good_backup(path), full=not quick)
    health = Health(path, full=not quick)
    try:
        conn = _open_for_check(path)
    except sqlite3.DatabaseError as exc:
        conn, health.problems = None, [str(exc)]
    if conn is not None:
        try:
            health.problems = quick_check(conn) if quick else integrity_check(conn)
            if not health.problems:
                if not quick:
                    health.audit_checked, health.audit = _audit_findings(conn, path)
                _contents(health, Store(path, conn, readonly=True))
        except sqlite3.DatabaseError as exc:
            health.problems = health.problems or [str(exc)]
        finally:
            conn.close()
    damaged = bool(health.problems)
    # A damaged file needs a backup now: check unverified ones even in quick mode.
    health.good_backup = backup.newest_good_backup(path, check_unverified=damaged or not quick)
    health.unverified = len(backup.unverified(path))
    return health


def _open_for_check(path: Path) -> sqlite3.Connection:
    """A read-only connection, also on a read-only disk (a file closed cleanly is read
    as immutable there). A disk or permission fault is an :class:`OpError` naming it —
    not damage."""
    try:
        conn = connect(path, readonly=True)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        kind = fault_of(exc, path)
        wal = path.with_name(path.name + "-wal")
        if kind == READ_ONLY and not wal.exists():
            return connect(path, immutable=True)
        if kind in (FULL, READ_ONLY, NO_PERMISSION):
            raise OpError(fault_message(kind, "检查", path)) from exc
        raise


def _contents(health: Health, store: Store) -> None:
    """The organisation and the number of residents, read without writing."""
    health.organisation = get_organisation(store)
    health.residents = ResidentRepo(store, load_forms()["resident"]).count()


def _audit_findings(conn: sqlite3.Connection, path: Path) -> tuple[bool, list[str]]:
    """The audit-chain check (``storage.audit_check``, when present) with the chain
    heads of the newest verified backups as anchors: (ran, Chinese findings)."""
    try:
        from ..storage import audit_check  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return False, []
    verify_chain: Any = getattr(audit_check, "verify", None)
    anchor: Any = getattr(audit_check, "Anchor", None)
    if verify_chain is None or anchor is None:
        return False, []
    anchors = [
        anchor(source=f"备份 {info.path.name}", row_id=head[0], hash=head[1])
        for info, head in backup_heads(path)
    ]
    return True, [str(f.message) for f in verify_chain(conn, anchors=anchors)]


def backup_heads(db_path: Path) -> list[tuple[BackupInfo, tuple[int, str]]]:
    """The audit chain head of each of the newest verified backups (read read-only)."""
    heads = []
    for info in backup.list_backups(Path(db_path)):
        if info.ok is not True:
            continue
        try:
            conn = connect(info.path, readonly=True)
            try:
                head = chain_head(conn)
            finally:
                conn.close()
        except sqlite3.Error:
            continue  # older than the hash chain, or unreadable: no anchor from it
        if head is not None:
            heads.append((info, head))
        if len(heads) >= ANCHOR_BACKUPS:
            break
    return heads


# ---- the window's background check -------------------------------------------------------


def opening_check(run: Run) -> list[str]:
    """The check the window's opening left for the background
    (:func:`ygt_desktop.storage.opening.opening_check`), on a read-only connection of
    its own: the problems found (empty: the file is sound and writes may start). A
    file too damaged to read is a problem too; a disk or permission fault an
    :class:`OpError`. Writes nothing; stops promptly on a cancel (:class:`OpCancelled`)."""
    run.step(0, 0, "正在检查数据库…")
    try:
        conn = _open_for_check(run.ws.store.path)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    try:
        return opening.opening_check(conn, run.cancelled)
    except CheckInterrupted:
        raise OpCancelled() from None
    finally:
        conn.close()


def full_check_due(ws: Workspace, now: dt.datetime | None = None) -> bool:
    """Whether the window should run the full check of the database in the background:
    after an unclean shutdown, and when the last one passed a week ago or never ran. A
    small file has it on every opening."""
    store = ws.store
    if store.readonly:
        return False
    try:
        if store.path.stat().st_size <= FULL_CHECK_BYTES:
            return False  # fully checked on every opening
    except OSError:
        return False
    if store.unclean_shutdown:
        return True
    last = get_setting(store, LAST_FULL_CHECK)
    if not last:
        return True
    try:
        when = dt.datetime.fromisoformat(last)
    except ValueError:
        return True
    moment = now or dt.datetime.now().astimezone()
    return when > moment or moment - when >= FULL_CHECK_EVERY


@dataclass
class BackgroundResult:
    """What :func:`background_check` found: the database's problems (empty: sound, or
    not checked when ``database_checked`` is False) and the backups found damaged."""

    database_checked: bool = False
    problems: list[str] = field(default_factory=list)
    verified: list[Path] = field(default_factory=list)
    damaged_backups: list[Path] = field(default_factory=list)


def background_check(run: Run, *, database: bool = True) -> BackgroundResult:
    """The full ``integrity_check`` of the open database (``database``; its time kept
    in the setting :data:`LAST_FULL_CHECK` when it passes), then of every backup not
    checked yet, newest first. Reads only (the setting aside); stops promptly on a
    cancel (:class:`OpCancelled`)."""
    result = BackgroundResult()
    store = run.ws.store
    try:
        if database:
            run.step(0, 0, "正在检查数据库是否完整…")
            result.problems = integrity_check(store.conn, run.cancelled)
            result.database_checked = True
            if not result.problems:
                now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
                set_setting(store, LAST_FULL_CHECK, now)
                store.changes_since_backup = 0  # a note to ourselves, not a change to keep
        for info in backup.unverified(store.path):
            run.step(0, 0, f"正在检查备份 {info.path.name}…")
            if backup.verify_full(info.path, run.cancelled):
                result.damaged_backups.append(info.path)
            else:
                result.verified.append(info.path)
    except CheckInterrupted:
        raise OpCancelled() from None
    return result


# ---- restore ----------------------------------------------------------------------------


def restore(db_path: Path, backup_path: Path, login: Login) -> Path | None:
    """Replace the database file with a copy of ``backup_path`` (checked first; a bad
    one changes nothing) as ``login``, who must be allowed ``backup.restore``; where the
    current file was put aside, or None when there was none. The database must not be
    open: the instance lock is taken for the swap (StoreError, Chinese, when another
    window has it). A refusal changes nothing."""
    path = Path(db_path)
    lock = InstanceLock(path)
    lock.acquire()
    try:
        if not backup.verify_backup(Path(backup_path)):
            raise StoreError(backup.bad_backup_message(Path(backup_path)))
        _authorise(path, Path(backup_path), login)
        return backup.restore(path, Path(backup_path))
    finally:
        lock.release()


def _authorise(path: Path, backup_path: Path, login: Login) -> None:
    """Sign ``login`` in on the live database when it opens sound (a refusal is
    audited there), else check the password read-only against the accounts in the live
    file if they can be read, else in the backup."""
    ws = None
    try:
        ws = Workspace.open(path, lock=False)
    except (StoreError, sqlite3.Error, OSError):
        ws = None
    if ws is not None:
        try:
            if not ws.store.readonly and users.has_users(ws.store):
                Run.plain(ws, sign_in(ws, login)).require("backup.restore")
                return
        except sqlite3.Error:
            pass
        finally:
            ws.close(backup_on_exit=False)
    for source in (path, backup_path):
        if _check_offline(source, login):
            return
    raise OpError(NO_USERS)


def _check_offline(source: Path, login: Login) -> bool:
    """Check ``login`` against the accounts in ``source`` without writing to it: False
    when it has none that can be read; a wrong password or a role that may not restore
    raises (Chinese)."""
    try:
        if not source.is_file() or not looks_like_sqlite(source):
            return False
        conn = connect(source, readonly=True)
    except (OSError, sqlite3.Error):
        return False
    store = Store(source, conn, readonly=True)
    try:
        if not users.has_users(store):
            return False
        user = users.get_user(store, login.name.strip())
        if user is None or not users.check_password_of(store, user.name, login.password):
            raise users.LoginError("用户名或密码不正确。")
    except sqlite3.Error:
        return False
    finally:
        store.close()
    if not user.active:
        raise users.LoginError(f"账户“{user.name}”已停用。请找站长或管理员。")
    if not roles.allowed(user.role, "backup.restore"):
        raise PermissionRefused(roles.refusal(user.name, user.role, "backup.restore"))
    return True
