"""Opening the database: pragmas, integrity check, one writer app per file, transactions.

Every connection runs WAL with ``synchronous=FULL`` (a committed save survives a power
cut), foreign keys on and a busy timeout. Writes go through :meth:`Store.write`, which
opens a ``BEGIN IMMEDIATE`` transaction: all of a mutation lands or none of it does.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import sqlite_utils

BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE_FILE = 0o600  # the database, its -wal/-shm/-journal, backups, locks
PRIVATE_DIR = 0o700  # the backup folder, the lock folder, a data folder we make
SIDECARS = ("-wal", "-shm", "-journal")
CHECK_STEPS = 20_000  # SQLite steps between two looks at "cancelled" (about a millisecond)


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


class CheckPendingError(StoreError):
    """A write while the opening check of a large file still runs in the background."""


CHECK_PENDING_MESSAGE = "数据库检查尚未完成，请稍候再保存。"

# What an authorizer refuses on the main database while its check is pending: every
# statement that would change it (a temp table stays allowed).
_WRITE_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_INSERT,
        sqlite3.SQLITE_UPDATE,
        sqlite3.SQLITE_DELETE,
        sqlite3.SQLITE_CREATE_INDEX,
        sqlite3.SQLITE_CREATE_TABLE,
        sqlite3.SQLITE_CREATE_TRIGGER,
        sqlite3.SQLITE_CREATE_VIEW,
        sqlite3.SQLITE_DROP_INDEX,
        sqlite3.SQLITE_DROP_TABLE,
        sqlite3.SQLITE_DROP_TRIGGER,
        sqlite3.SQLITE_DROP_VIEW,
        sqlite3.SQLITE_ALTER_TABLE,
        sqlite3.SQLITE_REINDEX,
        sqlite3.SQLITE_ANALYZE,
        sqlite3.SQLITE_CREATE_VTABLE,
        sqlite3.SQLITE_DROP_VTABLE,
    }
)


def _no_writes(
    action: int, _arg1: str | None, _arg2: str | None, db: str | None, _trig: str | None
) -> int:
    if action in _WRITE_ACTIONS and db != "temp":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class CheckInterrupted(StoreError):
    """A long integrity check stopped because its caller asked (the window closing)."""


# ---- private files ---------------------------------------------------------------------
#
# SQLite creates a database's -wal, -shm and -journal files with the database file's own
# permissions, so a database created owner-only keeps all its companions owner-only.


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (and parents) if missing; the folder itself owner-only (0700)."""
    folder = Path(folder)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    tighten(folder, PRIVATE_DIR)


def make_private_file(path: Path) -> bool:
    """Create ``path`` empty and owner-only (0600) unless it exists; True when created.
    SQLite treats an empty file as a new database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    tighten(path)
    return True


def tighten(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Take group and other access away from ``path`` if it has any (files made 0644 by
    older versions, or under a loose umask). Quietly does nothing for a file we do not
    own or cannot change (a read-only disk) and on Windows."""
    if os.name == "nt":
        return
    try:
        st = os.stat(path)
        if st.st_mode & 0o077 and st.st_uid == os.getuid():
            os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
    except OSError:
        pass


def tighten_database(path: Path) -> None:
    """Make ``path`` and its -wal/-shm/-journal owner-only."""
    path = Path(path)
    tighten(path)
    for suffix in SIDECARS:
        tighten(path.with_name(path.name + suffix))


# ---- the four faults -------------------------------------------------------------------

FULL, READ_ONLY, NO_PERMISSION, DAMAGED, OTHER = (
    "full",
    "read_only",
    "permission",
    "damaged",
    "other",
)
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT = 3, 8, 10, 11
_SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 13, 14, 26


def fault_of(exc: BaseException, path: Path | None = None) -> str:
    """Which of the faults a failed file operation is: :data:`FULL` (disk full),
    :data:`READ_ONLY` (a read-only disk, USB stick or folder), :data:`NO_PERMISSION`
    (the file belongs to someone else or is not writable), :data:`DAMAGED` (the file is
    corrupt) or :data:`OTHER`. SQLite does not say *why* a file is read-only, so then
    the file system is asked (read-only mount? writable file? writable folder?)."""
    number = getattr(exc, "errno", None)
    if number in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return FULL
    if number == errno.EROFS:
        return READ_ONLY
    if number in (errno.EACCES, errno.EPERM):
        return _probe(path) or NO_PERMISSION
    text = str(exc).lower()
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == _SQLITE_FULL or "disk is full" in text or "no space" in text:
        return FULL
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return DAMAGED
    if code == _SQLITE_PERM or "permission" in text:
        return _probe(path) or NO_PERMISSION
    if code == _SQLITE_READONLY or "readonly" in text or "read-only" in text:
        return _probe(path) or READ_ONLY
    if code in (_SQLITE_CANTOPEN, _SQLITE_IOERR) or "unable to open" in text or "i/o" in text:
        return _probe(path) or OTHER
    return OTHER


def _probe(path: Path | None) -> str | None:
    """Ask the file system why ``path`` cannot be written, if it can tell."""
    if path is None:
        return None
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    with contextlib.suppress(OSError, AttributeError):
        fs = os.statvfs(folder)
        if fs.f_flag & os.ST_RDONLY:
            return READ_ONLY
        if fs.f_bavail == 0:
            return FULL
    with contextlib.suppress(OSError):
        if path.is_file() and not os.access(path, os.R_OK | os.W_OK):
            return NO_PERMISSION
        if not os.access(folder, os.W_OK):
            return READ_ONLY
    return None


def fault_message(kind: str, what: str = "保存", path: Path | None = None) -> str:
    """The Chinese sentence for a fault: what happened, that nothing changed, what to
    do. Only a damaged file is told to restore a backup."""
    name = f" {path}" if path is not None else ""
    if kind == FULL:
        return (
            f"磁盘空间已满，{what}未完成，数据未改变。"
            "请清理磁盘（删除不需要的文件、清空回收站）后重试。"
        )
    if kind == READ_ONLY:
        return (
            f"数据库所在的磁盘或文件夹是只读的（如写保护的U盘、只读的共享文件夹），"
            f"{what}未完成，数据未改变。请解除写保护，或把数据库文件复制到可写的文件夹后再打开。"
        )
    if kind == NO_PERMISSION:
        return (
            f"当前系统账户没有读写数据库文件{name}的权限，{what}未完成，数据未改变。"
            "请用建立该数据库的系统账户运行本程序，或请电脑管理员修改文件权限。"
        )
    if kind == DAMAGED:
        return (
            f"数据库文件{name}已损坏，{what}未完成。"
            "请恢复最近的完好备份（设置 → 备份，或 ygt check 查看可用备份后 ygt restore）。"
        )
    return f"无法写入磁盘（可能已拔出或损坏），{what}未完成，数据未改变。"


def describe_os_error(exc: BaseException, path: Path | None = None, what: str = "保存") -> str:
    """A Chinese explanation for a failed write: one of the four faults (full disk,
    read-only disk or folder, no permission, damaged file), a disk gone, or else the
    error as it stands."""
    kind = fault_of(exc, path)
    text = str(exc).lower()
    disk = isinstance(exc, OSError) or "unable to open" in text or "i/o" in text
    if kind == OTHER and not disk:
        return f"{what}失败，数据未改变：{exc}"
    return fault_message(kind, what, path)


def connect(path: Path, *, readonly: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """A connection with the house pragmas; autocommit mode (transactions are explicit).

    A new file is created owner-only first (SQLite would make it 0644), and an existing
    one with its -wal/-shm is tightened to owner-only. ``immutable`` (read-only too)
    reads a file on a read-only disk, where SQLite cannot make the -shm it needs; only
    right for a file without a -wal (closed cleanly)."""
    if readonly or immutable:
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else ""),
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        with contextlib.suppress(OSError):
            if not make_private_file(Path(path)):
                tighten_database(Path(path))
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not (readonly or immutable):
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


def integrity_check(
    conn: sqlite3.Connection, cancelled: Callable[[], bool] | None = None, limit: int = 100
) -> list[str]:
    """Problems found by the full ``PRAGMA integrity_check`` (every index held against
    its table, which ``quick_check`` skips); empty when the file is sound. Seconds on a
    large file: ``cancelled`` is asked every few thousand steps and, when it says so,
    the check stops with :class:`CheckInterrupted`."""
    if cancelled is not None:
        conn.set_progress_handler(lambda: 1 if cancelled() else 0, CHECK_STEPS)
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()]
    except sqlite3.DatabaseError as exc:
        if cancelled is not None and cancelled():
            raise CheckInterrupted("完整性检查已取消。") from exc
        return [str(exc)]
    finally:
        if cancelled is not None:
            conn.set_progress_handler(None, 0)
    return [] if rows == ["ok"] else rows


# ---- one app per database --------------------------------------------------------------


def file_identity(path: Path) -> str:
    """What makes a database file the same file under any name: device and inode of
    the file a symlink points to (a hard link shares them); the resolved path for a
    file that does not exist yet."""
    try:
        st = os.stat(path)  # follows symlinks
    except OSError:
        resolved = str(Path(path).resolve()).encode()
        return "path-" + hashlib.sha256(resolved).hexdigest()[:24]
    return f"{st.st_dev}-{st.st_ino}"


def _try_lock(fh: IO[bytes]) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _open_lock_file(path: Path) -> IO[bytes] | None:
    """The lock file opened for reading and writing, created owner-only; None when it
    cannot be (a read-only folder): then that lock is skipped, never a traceback."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
    except OSError:
        return None
    tighten(path)
    return os.fdopen(fd, "r+b")


class InstanceLock:
    """One running app per database *file*: exclusive OS locks that die with the process
    (also on a crash), so a stale file never blocks.

    Two locks: one named by the file's identity (:func:`file_identity`) in the user's
    lock folder, so a symlink or hard link to an open database is refused too, and
    ``<db>.lock`` beside the file, which another PC sharing the folder also sees. A lock
    file that cannot be created (a read-only folder) is skipped. The identity lock also
    remembers whether the last session ended cleanly (:attr:`unclean`).
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.path = self.db_path.with_name(self.db_path.name + ".lock")
        self._fh: IO[bytes] | None = None
        self._ident: IO[bytes] | None = None
        self.unclean = False  # the previous session on this file did not close cleanly

    def _identity_path(self) -> Path | None:
        from ..paths import lock_dir

        folder = lock_dir()
        try:
            make_private_dir(folder)
        except OSError:
            return None
        return folder / f"{file_identity(self.db_path)}.lock"

    def acquire(self) -> None:
        ident_path = self._identity_path()
        ident = _open_lock_file(ident_path) if ident_path else None
        if ident is not None and not _try_lock(ident):
            ident.close()
            self._refuse()
        fh = _open_lock_file(self.path)
        if fh is not None and not _try_lock(fh):
            fh.close()
            if ident is not None:
                ident.close()
            self._refuse()
        if ident is not None:
            with contextlib.suppress(OSError):
                ident.seek(1 if os.name == "nt" else 0)
                self.unclean = ident.read(4) == b"open"
                ident.seek(1 if os.name == "nt" else 0)
                ident.write(f"open {os.getpid()}\n".encode())
                ident.truncate()
                ident.flush()
        self._fh, self._ident = fh, ident

    def _refuse(self) -> None:
        raise DatabaseInUseError(
            f"数据库文件 {self.db_path.name} 正被另一个程序窗口使用。"
            "请先关闭那个窗口，或打开其他数据库文件。"
        )

    def release(self) -> None:
        """Let go of both locks and note a clean end of the session."""
        if self._ident is not None:
            with contextlib.suppress(OSError):
                self._ident.seek(1 if os.name == "nt" else 0)
                self._ident.truncate()
                self._ident.flush()
            self._ident.close()
            self._ident = None
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class Store:
    """An open database file: a sqlite-utils ``Database`` plus the write discipline.

    ``readonly`` is set when the file failed its check: reads work, writes raise
    :class:`ReadOnlyStoreError`. ``check_pending`` is set while the check of a large
    file runs in the background (:func:`ygt_desktop.storage.opening.open_store` with
    ``defer_check``): reads work, writes raise :class:`CheckPendingError` until
    :meth:`check_passed` (or :meth:`refuse_writes` when it failed). One Store per
    thread; workers open their own.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        *,
        readonly: bool = False,
        problems: list[str] | None = None,
        check_pending: bool = False,
    ) -> None:
        self.path = path
        self.conn = conn
        self.check_pending = False
        # no plugin hooks: sqlite-utils would look for them through every installed
        # package's entry points at the first open (30-70 ms of the window's start) and
        # run whatever they register on the station's connection
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        self.readonly = readonly
        self.problems = problems or []
        self.changes_since_backup = 0
        self.closed = False  # set by close(): a late timer or signal must not touch it
        # Which data changed when, for caches of derived views (the worklist): each
        # committed write bumps ``generation``; a write that names its topics records
        # them, one that does not counts as a change to everything.
        self.generation = 0
        self.head_unlocked = False  # the station head may correct submitted quarters
        self._topic_generation: dict[str, int] = {}
        self._untagged_generation = 0
        self.instance_lock: InstanceLock | None = None
        # The last session on this file ended without closing (a crash, a power cut):
        # the window then runs the full integrity check in the background.
        self.unclean_shutdown = False
        # Who writes: set at login (Workspace.login) or by the operation's Run. Before
        # anyone logs in, audit rows name the OS account and no role is held.
        self.user = os.environ.get("USERNAME") or os.environ.get("USER") or "操作员"
        self.role: str | None = None
        if check_pending:
            self.hold_writes()

    def hold_writes(self) -> None:
        """Refuse every write until :meth:`check_passed`: :meth:`write` raises
        :class:`CheckPendingError`, and SQLite itself refuses any statement that would
        change the file on this connection (a write that does not go through
        :meth:`write` cannot slip past)."""
        self.check_pending = True
        self.conn.set_authorizer(_no_writes)

    def check_passed(self) -> None:
        """The background check found the file sound: writes are accepted again."""
        if self.check_pending:
            self.check_pending = False
            self.conn.set_authorizer(None)

    @contextlib.contextmanager
    def write(self, *topics: str) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction; rolled back on any exception.

        ``topics`` name what the transaction changes (``"resident"``, ``"form:<id>"``)
        so caches of other data stay valid; without them every cache is dropped."""
        if self.readonly:
            raise ReadOnlyStoreError(
                "数据库文件检查未通过，已以只读方式打开，不能保存。请在“设置”中恢复最近的备份。"
            )
        if self.check_pending:
            raise CheckPendingError(CHECK_PENDING_MESSAGE)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError | OSError) or (
                type(exc) is sqlite3.DatabaseError
            ):
                raise self._failed(exc) from exc
            raise
        self.changes_since_backup += 1
        self.generation += 1
        for topic in topics:
            self._topic_generation[topic] = self.generation
        if not topics:
            self._untagged_generation = self.generation

    def _failed(self, exc: BaseException) -> StoreError:
        """The Chinese error for a failed write; a damaged file also stops all writing
        (the store turns read-only, like a file that failed its check on opening)."""
        if fault_of(exc, self.path) == DAMAGED:
            self.refuse_writes([str(exc)])
            return DamagedDatabaseError(fault_message(DAMAGED, "保存", self.path))
        return StoreError(describe_os_error(exc, self.path))

    def refuse_writes(self, problems: list[str]) -> None:
        """From now on every write raises :class:`ReadOnlyStoreError` (a check found
        ``problems``: saving into a damaged file spreads the damage)."""
        self.check_passed()  # the authorizer goes; readonly refuses from now on
        self.readonly = True
        self.problems = list(problems)

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
        self.closed = True
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()
