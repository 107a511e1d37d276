"""Backups of the database file: the only module that writes them.

A backup is a consistent copy made with SQLite's online backup API (safe while the
app is running, includes data still in the WAL), checked with ``quick_check`` and only
then renamed into ``<db stem>-backups/ygt-YYYYMMDD-HHMMSS-ffffff.db`` (local time).
The copy carries a ``backup_info`` table (reason, time, source file); it is dropped
again on restore. A failed backup leaves no file behind. After each backup the folder
is rotated with :func:`ygt_desktop.core.retention.backups_to_keep`.

A backup counts as *good* only once the full ``PRAGMA integrity_check`` has passed on
it (:func:`verify_full`, run in the background by the window and at once by ``ygt
backup``): the result is kept beside it in ``<backup>.verified`` with the file's size,
time and SHA-256, so a copy changed afterwards is not taken for the one checked.
:func:`newest_good_backup` offers only such a backup. Backups, markers and the folder
are owner-only (0600/0700); what an interrupted backup or restore left behind is
removed at the next start (:func:`clear_interrupted`).

Restoring never deletes the current file: it is renamed aside to
``<name>.replaced-YYYYMMDD-HHMMSS`` (with its ``-wal``), Firefox-style.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ..core.retention import backups_to_keep
from .db import (
    PRIVATE_FILE,
    SIDECARS,
    StoreError,
    describe_os_error,
    integrity_check,
    looks_like_sqlite,
    make_private_dir,
    quick_check,
    tighten,
)

NAME_RE = re.compile(r"^ygt-(\d{8})-(\d{6})-(\d{6})\.db$")
NAME_FORMAT = "ygt-%Y%m%d-%H%M%S-%f.db"
STALE_TMP_SECONDS = 24 * 3600
MARK = ".verified"  # beside each backup once the full check has run on it


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    size: int
    reason: str | None
    ok: bool | None = None


def backup_dir_for(db_path: Path) -> Path:
    """The backup folder of ``db_path``: ``<db parent>/<db stem>-backups/`` (not created)."""
    db_path = Path(db_path)
    return db_path.parent / f"{db_path.stem}-backups"


def make_backup(
    conn: sqlite3.Connection, db_path: Path, reason: str, now: datetime | None = None
) -> Path:
    """Copy the database behind ``conn`` into its backup folder and rotate the folder.

    ``conn`` must not be inside a transaction. ``reason`` (e.g. "退出时", "定时",
    "升级前", "手动", "恢复前") is stored in the copy. Raises :class:`StoreError` with a
    Chinese message when the copy cannot be written or fails its check; then no file
    is left behind.
    """
    now = _local_naive(now or datetime.now())
    folder = backup_dir_for(db_path)
    try:
        make_private_dir(folder)
        final = _free_name(folder, now)
        tmp = final.with_name(final.name + ".tmp")
        # Owner-only from the start (SQLite gives the copy's journal the same mode), and
        # a clear PermissionError for a read-only folder.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except OSError as exc:
        raise _backup_error(exc, folder) from exc
    try:
        problems = _copy_into(conn, tmp, reason, now, db_path)
        if problems:
            raise StoreError(
                "备份副本检查未通过，本次备份未保存（原数据库未改变）：" + "；".join(problems[:3])
            )
        _fsync_file(tmp)
        os.replace(tmp, final)
        _fsync_dir(folder)
    except (sqlite3.Error, OSError) as exc:
        _remove_quietly(tmp)
        raise _backup_error(exc, folder) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    rotate(db_path, now)
    return final


def _backup_error(exc: BaseException, folder: Path) -> StoreError:
    return StoreError(
        f"备份未完成，无法写入备份文件夹 {folder}。{describe_os_error(exc, folder, '备份')}"
    )


def _copy_into(
    conn: sqlite3.Connection, tmp: Path, reason: str, now: datetime, db_path: Path
) -> list[str]:
    """Online-backup ``conn`` into ``tmp``, label it, and return its quick_check problems."""
    dest = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        dest.execute("PRAGMA synchronous = FULL")
        dest.execute("BEGIN IMMEDIATE")
        dest.execute(
            "CREATE TABLE IF NOT EXISTS backup_info "
            "(reason TEXT, created_at TEXT, source_path TEXT)"
        )
        dest.execute("DELETE FROM backup_info")
        dest.execute(
            "INSERT INTO backup_info (reason, created_at, source_path) VALUES (?, ?, ?)",
            (reason, now.astimezone().isoformat(timespec="seconds"), str(db_path)),
        )
        dest.execute("COMMIT")
        return quick_check(dest)
    finally:
        dest.close()
        _remove_sidecars(tmp)


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of ``db_path``, newest first. ``ok`` says what the full check found
    as recorded beside each (True passed, False damaged, None not checked yet); the file
    is not read again here."""
    result = []
    for path, created_at in _scan(backup_dir_for(db_path)):
        try:
            size = path.stat().st_size
        except OSError:
            continue
        result.append(BackupInfo(path, created_at, size, _read_reason(path), checked(path)))
    return result


# ---- verification: the full check, recorded beside the backup ----------------------------


def marker_for(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + MARK)


def _fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _read_marker(path: Path) -> dict[str, object] | None:
    """The recorded check of ``path`` if it still describes this very file (same size
    and modification time), else None."""
    try:
        data = json.loads(marker_for(path).read_text(encoding="utf-8"))
        size, mtime = _fingerprint(path)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("size") != size or data.get("mtime_ns") != mtime:
        return None
    return data


def checked(path: Path) -> bool | None:
    """What the full check recorded for ``path``: True passed, False damaged, None not
    checked (or the file changed since). Cheap: the file is not read."""
    data = _read_marker(Path(path))
    return None if data is None else data.get("ok") is True


def confirmed(path: Path) -> bool:
    """True when ``path`` passed the full check and its bytes are still the ones checked
    (SHA-256: a second or two for a large file)."""
    path = Path(path)
    data = _read_marker(path)
    if data is None or data.get("ok") is not True:
        return False
    try:
        return data.get("sha256") == _sha256(path)
    except OSError:
        return False


def verify_full(path: Path, cancelled: Callable[[], bool] | None = None) -> list[str]:
    """Run the full ``integrity_check`` on the backup ``path`` (read-only) and record the
    result beside it; the problems found (empty: the backup is good). A file that is
    not SQLite at all is damaged too. ``cancelled`` stops a long check
    (:class:`~ygt_desktop.storage.db.CheckInterrupted`; nothing recorded then)."""
    path = Path(path)
    try:
        size, mtime = _fingerprint(path)
        if size == 0 or not looks_like_sqlite(path):
            problems = ["文件为空或文件头已损坏，不是完整的数据库"]
        else:
            with _readonly(path) as conn:
                problems = integrity_check(conn, cancelled)
        sha = _sha256(path)
    except (OSError, sqlite3.Error) as exc:
        return [str(exc)]  # unreadable now: nothing recorded, asked again next time
    record = {
        "ok": not problems,
        "problems": problems[:10],
        "size": size,
        "mtime_ns": mtime,
        "sha256": sha,
        "checked_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    _write_marker(path, record)
    return problems


def _write_marker(path: Path, record: dict[str, object]) -> None:
    """Owner-only; a folder that cannot be written (a read-only stick) records nothing."""
    marker = marker_for(path)
    with contextlib.suppress(OSError):
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False)
        tighten(marker)


def unverified(db_path: Path) -> list[BackupInfo]:
    """The backups of ``db_path`` the full check has not run on yet, newest first."""
    return [info for info in list_backups(db_path) if info.ok is None]


def clear_interrupted(db_path: Path) -> list[Path]:
    """Remove what an interrupted backup or restore of ``db_path`` left behind
    (``ygt-*.db.tmp`` with its journal, ``<db>.restoring.tmp``) and make old backups
    owner-only. Only for the holder of the database's instance lock — nobody else is
    backing it up then. The paths removed."""
    db_path = Path(db_path)
    removed = []
    leftovers = [db_path.with_name(db_path.name + ".restoring.tmp")]
    folder = backup_dir_for(db_path)
    if folder.is_dir():
        tighten(folder, 0o700)
        for path in folder.iterdir():
            if path.name.startswith("ygt-") and ".tmp" in path.name:
                leftovers.append(path)
            elif path.name.startswith("ygt-"):
                tighten(path)
    for aside in db_path.parent.glob(f"{glob.escape(db_path.name)}.replaced-*"):
        tighten(aside)  # files set aside by restores of older versions
    for tmp in leftovers:
        for candidate in (tmp, *(tmp.with_name(tmp.name + sfx) for sfx in SIDECARS)):
            if candidate.exists() and _remove_quietly(candidate):
                removed.append(candidate)
    return removed


def rotate(db_path: Path, now: datetime | None = None) -> list[Path]:
    """Delete the backups the retention policy does not keep; return the deleted paths.

    Also removes temporary files of backups interrupted more than a day ago. A file
    that cannot be deleted is skipped (left for the next rotation).
    """
    now = _local_naive(now or datetime.now())
    folder = backup_dir_for(db_path)
    found = _scan(folder)
    keep = backups_to_keep([stamp for _, stamp in found], now)
    deleted = []
    for path, stamp in found:
        if stamp not in keep and _remove_quietly(path):
            deleted.append(path)
            _remove_quietly(marker_for(path))
    if folder.is_dir():
        for marker in folder.glob(f"ygt-*.db{MARK}"):
            if not marker.with_name(marker.name[: -len(MARK)]).exists():
                _remove_quietly(marker)
        for tmp in folder.glob("ygt-*.tmp"):
            with contextlib.suppress(OSError):
                if time.time() - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                    _remove_quietly(tmp)
    return deleted


def verify_backup(path: Path) -> bool:
    """True when ``path`` is an SQLite file that passes ``quick_check`` (opened read-only)."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0 or not looks_like_sqlite(path):
            return False
        with _readonly(path) as conn:
            return not quick_check(conn)
    except (OSError, sqlite3.Error):
        return False


def newest_good_backup(
    db_path: Path, *, check_unverified: bool = True, cancelled: Callable[[], bool] | None = None
) -> BackupInfo | None:
    """The newest backup of ``db_path`` known good: the full check passed on it and its
    bytes are unchanged since (``ok=True``). A backup not checked yet is checked now
    when ``check_unverified`` (seconds for a large file), else passed over; a damaged or
    changed one never counts."""
    for info in list_backups(db_path):
        state = info.ok
        if state is None and check_unverified:
            state = not verify_full(info.path, cancelled)
        if state and confirmed(info.path):
            return BackupInfo(info.path, info.created_at, info.size, info.reason, ok=True)
    return None


def restore(db_path: Path, backup_path: Path) -> Path | None:
    """Replace ``db_path`` with a copy of ``backup_path``; return where the old file went.

    The caller must have closed its connection to ``db_path``. The backup is checked
    first; a bad backup raises :class:`StoreError` and changes nothing. The current file
    (with its ``-wal``) is renamed to ``<name>.replaced-YYYYMMDD-HHMMSS`` and never
    deleted; ``None`` is returned when there was no current file.
    """
    db_path, backup_path = Path(db_path), Path(backup_path)
    if not verify_backup(backup_path):
        raise StoreError(bad_backup_message(backup_path))
    tmp = db_path.with_name(db_path.name + ".restoring.tmp")
    full = checked(backup_path) is not True  # a verified backup needs only the quick check
    try:
        _remove_quietly(tmp)
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        shutil.copyfile(backup_path, tmp)  # into the owner-only file
        problems = _prepare_restored(tmp, full=full)
        if problems:
            raise StoreError(
                "复制出的备份检查未通过，恢复已取消，当前数据库未改变：" + "；".join(problems[:3])
            )
        _fsync_file(tmp)
        aside = _move_aside(db_path)
        try:
            os.replace(tmp, db_path)
        except OSError:
            if aside is not None:
                _move_back(aside, db_path)
            raise
        _fsync_dir(db_path.parent)
    except (sqlite3.Error, OSError) as exc:
        _remove_quietly(tmp)
        raise StoreError(
            f"恢复失败，当前数据库未改变：{describe_os_error(exc, db_path, '恢复')}"
        ) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    return aside


def bad_backup_message(backup_path: Path) -> str:
    return (
        f"备份文件 {Path(backup_path).name} 已损坏或不是本程序的数据库，不能用于恢复。"
        "当前数据库未改变。请选择另一个备份。"
    )


def _prepare_restored(tmp: Path, *, full: bool = True) -> list[str]:
    """Drop our ``backup_info`` label from the copy and check it (fully unless the
    backup was verified already); return its problems."""
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("DROP TABLE IF EXISTS backup_info")
        return integrity_check(conn) if full else quick_check(conn)
    finally:
        conn.close()
        _remove_sidecars(tmp)


def _move_aside(db_path: Path) -> Path | None:
    """Rename the current file (and its ``-wal``) aside; drop its ``-shm``."""
    if not db_path.exists():
        for suffix in ("-wal", "-shm"):
            _remove_quietly(db_path.with_name(db_path.name + suffix))
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.name}.replaced-{stamp}")
    n = 2
    while aside.exists() or aside.with_name(aside.name + "-wal").exists():
        aside = db_path.with_name(f"{db_path.name}.replaced-{stamp}-{n}")
        n += 1
    os.replace(db_path, aside)
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists():
        try:
            os.replace(wal, aside.with_name(aside.name + "-wal"))
        except OSError:
            _move_back(aside, db_path)
            raise
    _remove_quietly(db_path.with_name(db_path.name + "-shm"))
    return aside


def _move_back(aside: Path, db_path: Path) -> None:
    with contextlib.suppress(OSError):
        os.replace(aside, db_path)
    aside_wal = aside.with_name(aside.name + "-wal")
    if aside_wal.exists():
        with contextlib.suppress(OSError):
            os.replace(aside_wal, db_path.with_name(db_path.name + "-wal"))


def _scan(folder: Path) -> list[tuple[Path, datetime]]:
    """Backup files in ``folder`` with the time in their name, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = NAME_RE.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            stamp = datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S%f")
        except ValueError:
            continue
        found.append((path, stamp))
    found.sort(key=lambda item: item[1], reverse=True)
    return found


def _read_reason(path: Path) -> str | None:
    try:
        with _readonly(path) as conn:
            row = conn.execute("SELECT reason FROM backup_info LIMIT 1").fetchone()
    except (OSError, sqlite3.Error):
        return None
    return row[0] if row else None


@contextlib.contextmanager
def _readonly(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def _free_name(folder: Path, now: datetime) -> Path:
    """A backup name for ``now`` not yet used (moved on by microseconds if needed)."""
    while True:
        path = folder / now.strftime(NAME_FORMAT)
        if not path.exists() and not path.with_name(path.name + ".tmp").exists():
            return path
        now += timedelta(microseconds=1)


def _local_naive(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_sidecars(tmp: Path) -> None:
    """Journal files SQLite may leave next to one of our temporary copies."""
    for suffix in ("-journal", "-wal", "-shm"):
        _remove_quietly(tmp.with_name(tmp.name + suffix))


def _remove_quietly(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True


class BackupScheduler:
    """When to make a timed backup: only after changes, at most once per ``interval``.

    Pure logic; the UI asks :meth:`due` from a QTimer and calls :func:`make_backup`.
    """

    def __init__(self, interval: timedelta = timedelta(minutes=30)) -> None:
        self.interval = interval

    def due(
        self, now: datetime, changes_since_backup: int, last_backup_at: datetime | None
    ) -> bool:
        """True when something changed and ``interval`` has passed since the last backup.

        A last backup stamped after ``now`` (the clock was set back) counts as long ago.
        """
        if changes_since_backup <= 0:
            return False
        if last_backup_at is None or last_backup_at > now:
            return True
        return now - last_backup_at >= self.interval
