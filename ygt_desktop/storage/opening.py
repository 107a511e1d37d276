"""Open or create a database file: check it, lock it, back it up and migrate it.

- A file that is not SQLite is refused (:class:`NotADatabaseError`).
- Every open checks the file: the full ``integrity_check`` for a small file, else
  ``quick_check`` (the window then runs the full one in the background); a damaged
  file is opened read-only and the problems are kept on the store, so the UI can
  offer the newest good backup.
- The window opens a large file with ``defer_check``: no check before the window is
  usable (a ``quick_check`` is linear in the file's size, 2 s at 265,000 residents);
  the store refuses every write (``Store.check_pending``) until the window's
  background run of :func:`opening_check` has passed. When migrations are pending the
  check runs at once anyway: migrating writes, and writes need the check first. The
  ``ygt`` command line keeps checking on every open (one command at a time).
- A full disk, a read-only disk or folder and a file without permission are refused
  with their own Chinese message (:func:`ygt_desktop.storage.db.fault_message`).
- The file, its -wal/-shm and the folder we create are owner-only.
- Before pending migrations are applied to an existing database a backup is made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..paths import default_db_path
from . import backup, migrations
from .db import (
    CHECK_STEPS,
    DAMAGED,
    FULL,
    NO_PERMISSION,
    OTHER,
    PRIVATE_DIR,
    READ_ONLY,
    CheckInterrupted,
    DamagedDatabaseError,
    InstanceLock,
    NotADatabaseError,
    Store,
    StoreError,
    connect,
    describe_os_error,
    fault_message,
    fault_of,
    integrity_check,
    looks_like_sqlite,
    make_private_dir,
    make_private_file,
    quick_check,
    tighten,
)

FULL_CHECK_BYTES = 32 * 1024 * 1024
DEFER_CHECK_BYTES = FULL_CHECK_BYTES  # smaller files are checked at once (well under 1 s)


def open_store(
    path: Path,
    *,
    create: bool = False,
    lock: bool = True,
    check: bool = True,
    defer_check: bool = False,
) -> Store:
    """Open ``path`` for this process.

    ``create`` allows a new file (made owner-only, in a folder made owner-only when we
    create it). ``lock`` takes the one-app-per-file lock (the GUI and writing commands
    do; read-only checks need not); with it, what an interrupted backup or restore left
    behind is cleared away. ``check=False`` skips the check — only for a second
    connection to a file this process has just opened and checked (the window's
    background jobs). ``defer_check`` (the window): a file over
    :data:`DEFER_CHECK_BYTES` without pending migrations is opened unchecked with
    ``check_pending`` set — the caller runs :func:`opening_check` in the background
    and then calls ``Store.check_passed`` or ``Store.refuse_writes``. Raises
    :class:`StoreError` subclasses with Chinese messages.
    """
    path = Path(path)
    if path.is_dir():
        raise NotADatabaseError(f"{path} 是一个文件夹，不是数据库文件：请指定数据库文件本身。")
    exists = path.exists() and path.stat().st_size > 0
    if path.exists() and not exists and not create:
        raise NotADatabaseError(f"文件 {path} 是空文件，不是本程序的数据库。")
    if not exists and not create:
        raise StoreError(f"数据库文件 {path} 不存在。请先运行初始化（ygt init）或在程序中新建。")
    try:
        if exists and not looks_like_sqlite(path):
            raise NotADatabaseError(f"文件 {path} 不是本程序的数据库（不是 SQLite 数据库文件）。")
        if not exists:
            if not path.parent.is_dir():
                make_private_dir(path.parent)
            make_private_file(path)  # before the lock: the lock is named by the file
        if path.parent == default_db_path().parent:
            tighten(path.parent, PRIVATE_DIR)  # our own data folder
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "打开数据库")) from exc
    instance_lock = InstanceLock(path) if lock else None
    if instance_lock:
        instance_lock.acquire()
        backup.clear_interrupted(path)
    try:
        store = _open_checked(path, exists, check=check, defer_check=defer_check)
    except BaseException:
        if instance_lock:
            instance_lock.release()
        raise
    store.instance_lock = instance_lock
    store.unclean_shutdown = bool(instance_lock and instance_lock.unclean)
    return store


def damaged_message(path: Path) -> str:
    return (
        f"数据库文件 {path} 已损坏或不完整，无法打开。"
        "请恢复最近的备份（设置 → 备份，或 ygt check 查看可用备份后 ygt restore）。"
    )


def opening_check(
    conn: sqlite3.Connection, cancelled: Callable[[], bool] | None = None
) -> list[str]:
    """The check an opening makes, on ``conn`` (the window's background run uses its
    own read-only connection): the full ``integrity_check`` for a small file, else
    ``quick_check``. The problems found; empty when the file is sound. ``cancelled``
    is asked every few thousand SQLite steps; when it says so the check stops with
    :class:`CheckInterrupted`."""
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2])
    if path.stat().st_size <= FULL_CHECK_BYTES:
        return integrity_check(conn, cancelled)
    if cancelled is None:
        return quick_check(conn)
    conn.set_progress_handler(lambda: 1 if cancelled() else 0, CHECK_STEPS)
    try:
        problems = quick_check(conn)
    finally:
        conn.set_progress_handler(None, 0)
    if cancelled():
        raise CheckInterrupted("数据库检查已取消。")
    return problems


def _open_checked(
    path: Path, exists: bool, *, check: bool = True, defer_check: bool = False
) -> Store:
    deferred = False
    try:
        conn = connect(path)
        # A small file gets the full check at once (well under a second); a large one
        # the quick check here and the full one in the window's background.
        small = path.stat().st_size <= FULL_CHECK_BYTES
        if exists and check and defer_check and path.stat().st_size > DEFER_CHECK_BYTES:
            # Reading which migrations are pending is the first read of the file: a
            # file damaged beyond a normal open fails here, as it fails the check.
            deferred = not migrations.pending(conn)
        problems = (
            (integrity_check(conn) if small else quick_check(conn))
            if exists and check and not deferred
            else []
        )
    except sqlite3.DatabaseError as exc:
        kind = fault_of(exc, path)
        if kind not in (DAMAGED, OTHER):
            raise StoreError(fault_message(kind, "打开数据库", path)) from exc
        # Damaged beyond a normal open: try to read it, so the user can still look.
        try:
            conn = connect(path, readonly=True)
            problems = quick_check(conn) or [str(exc)]
        except sqlite3.DatabaseError:
            raise DamagedDatabaseError(damaged_message(path)) from exc
        return Store(path, conn, readonly=True, problems=problems)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, path, "打开数据库")) from exc
    if problems:
        conn.close()
        conn = connect(path, readonly=True)
        return Store(path, conn, readonly=True, problems=problems)
    try:
        todo = migrations.pending(conn)
        if todo and exists and migrations.applied(conn):
            backup.make_backup(conn, path, reason="升级前")
        migrations.apply_pending(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        kind = fault_of(exc, path)
        if kind in (FULL, READ_ONLY, NO_PERMISSION):
            raise StoreError(fault_message(kind, "升级数据库", path)) from exc
        raise DamagedDatabaseError(f"数据库文件 {path} 无法升级：{exc}") from exc
    return Store(path, conn, check_pending=deferred)


def close_store(store: Store, *, backup_on_exit: bool = True) -> Path | None:
    """Close the store; back up first when anything changed since the last backup."""
    made = None
    try:
        if backup_on_exit and not store.readonly and store.changes_since_backup:
            made = backup.make_backup(store.conn, store.path, reason="退出时")
    finally:
        store.close()
        if store.instance_lock is not None:
            store.instance_lock.release()
    return made
