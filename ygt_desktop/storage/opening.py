"""Open or create a database file: check it, lock it, back it up and migrate it.

- A file that is not SQLite is refused (:class:`NotADatabaseError`).
- ``quick_check`` runs on every open; a damaged file is opened read-only and the
  problems are kept on the store, so the UI can offer the newest good backup.
- Before pending migrations are applied to an existing database a backup is made.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from . import backup, migrations
from .db import (
    DamagedDatabaseError,
    InstanceLock,
    NotADatabaseError,
    Store,
    StoreError,
    connect,
    describe_os_error,
    looks_like_sqlite,
    quick_check,
)


def open_store(path: Path, *, create: bool = False, lock: bool = True, check: bool = True) -> Store:
    """Open ``path`` for this process.

    ``create`` allows a new file. ``lock`` takes the one-app-per-file lock (the GUI and
    writing commands do; read-only checks need not). ``check=False`` skips
    ``quick_check`` — only for a second connection to a file this process has just
    opened and checked (the window's background jobs). Raises :class:`StoreError`
    subclasses with Chinese messages.
    """
    path = Path(path)
    exists = path.exists() and path.stat().st_size > 0
    if path.exists() and not exists and not create:
        raise NotADatabaseError(f"文件 {path} 是空文件，不是本程序的数据库。")
    if not exists and not create:
        raise StoreError(f"数据库文件 {path} 不存在。请先运行初始化（ygt init）或在程序中新建。")
    if exists and not looks_like_sqlite(path):
        raise NotADatabaseError(f"文件 {path} 不是本程序的数据库（不是 SQLite 数据库文件）。")
    if not exists:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(describe_os_error(exc)) from exc
    instance_lock = InstanceLock(path) if lock else None
    if instance_lock:
        instance_lock.acquire()
    try:
        store = _open_checked(path, exists, check=check)
    except BaseException:
        if instance_lock:
            instance_lock.release()
        raise
    store.instance_lock = instance_lock
    return store


def damaged_message(path: Path) -> str:
    return (
        f"数据库文件 {path} 已损坏或不完整，无法打开。"
        "请恢复最近的备份（设置 → 备份，或 ygt check 查看可用备份后 ygt restore）。"
    )


def _open_checked(path: Path, exists: bool, *, check: bool = True) -> Store:
    try:
        conn = connect(path)
    except sqlite3.DatabaseError as exc:
        # Damaged beyond a normal open: try to read it, so the user can still look.
        try:
            conn = connect(path, readonly=True)
            problems = quick_check(conn) or [str(exc)]
        except sqlite3.DatabaseError:
            raise DamagedDatabaseError(damaged_message(path)) from exc
        return Store(path, conn, readonly=True, problems=problems)
    problems = quick_check(conn) if exists and check else []
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
        raise DamagedDatabaseError(f"数据库文件 {path} 无法升级：{exc}") from exc
    return Store(path, conn)


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
