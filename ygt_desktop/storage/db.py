"""Opening the database: pragmas, integrity check, one writer app per file, transactions.

Every connection runs WAL with ``synchronous=FULL`` (a committed save survives a power
cut), foreign keys on and a busy timeout. Writes go through :meth:`Store.write`, which
opens a ``BEGIN IMMEDIATE`` transaction: all of a mutation lands or none of it does.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import sqlite_utils

BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"


class StoreError(Exception):
    """A storage problem explained in Chinese for the user."""


class NotADatabaseError(StoreError):
    pass


class DamagedDatabaseError(StoreError):
    pass


class DatabaseInUseError(StoreError):
    pass


class ReadOnlyStoreError(StoreError):
    pass


def describe_os_error(exc: BaseException) -> str:
    """A Chinese explanation for a failed write (disk full, read-only, removed)."""
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == 28:
        return "磁盘空间已满，保存未完成，数据未改变。请清理磁盘后重试。"
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "数据库文件或所在磁盘是只读的，保存未完成，数据未改变。"
    if "disk i/o" in text or "unable to open" in text:
        return "无法写入磁盘（可能已拔出或损坏），保存未完成，数据未改变。"
    return f"保存失败，数据未改变：{exc}"


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the house pragmas; autocommit mode (transactions are explicit)."""
    if readonly:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def looks_like_sqlite(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == SQLITE_HEADER


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """Problems found by ``PRAGMA quick_check`` (empty list when the file is sound)."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


class InstanceLock:
    """An exclusive OS lock on ``<db>.lock``: one running app per database file.

    The lock dies with the process (also on a crash), so a stale file never blocks.
    """

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        fh = open(self.path, "a+")  # noqa: SIM115 - held for the app's lifetime
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise DatabaseInUseError(
                f"数据库文件 {self.path.with_suffix('').name} 正被另一个程序窗口使用。"
                "请先关闭那个窗口，或打开其他数据库文件。"
            ) from None
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class Store:
    """An open database file: a sqlite-utils ``Database`` plus the write discipline.

    ``readonly`` is set when the file failed its check: reads work, writes raise
    :class:`ReadOnlyStoreError`. One Store per thread; workers open their own.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        *,
        readonly: bool = False,
        problems: list[str] | None = None,
    ) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self.readonly = readonly
        self.problems = problems or []
        self.changes_since_backup = 0
        # Which data changed when, for caches of derived views (the worklist): each
        # committed write bumps ``generation``; a write that names its topics records
        # them, one that does not counts as a change to everything.
        self.generation = 0
        self.head_unlocked = False  # the station head may correct submitted quarters
        self._topic_generation: dict[str, int] = {}
        self._untagged_generation = 0
        self.instance_lock: InstanceLock | None = None
        # Who writes: set at login (Workspace.login) or by the operation's Run. Before
        # anyone logs in, audit rows name the OS account and no role is held.
        self.user = os.environ.get("USERNAME") or os.environ.get("USER") or "操作员"
        self.role: str | None = None

    @contextlib.contextmanager
    def write(self, *topics: str) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; rolled back on any exception.

        ``topics`` name what the transaction changes (``"resident"``, ``"form:<id>"``)
        so caches of other data stay valid; without them every cache is dropped."""
        if self.readonly:
            raise ReadOnlyStoreError(
                "数据库文件检查未通过，已以只读方式打开，不能保存。请在“设置”中恢复最近的备份。"
            )
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(describe_os_error(exc)) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError | OSError):
                raise StoreError(describe_os_error(exc)) from exc
            raise
        self.changes_since_backup += 1
        self.generation += 1
        for topic in topics:
            self._topic_generation[topic] = self.generation
        if not topics:
            self._untagged_generation = self.generation

    def changed_since(self, generation: int, topics: Iterable[str]) -> bool:
        """Whether any of ``topics`` (or anything untagged) changed after ``generation``."""
        return self._untagged_generation > generation or any(
            self._topic_generation.get(t, 0) > generation for t in topics
        )

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name."""
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
