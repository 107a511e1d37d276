"""Files that appear complete or not at all, and why one could not be written (Chinese):
:func:`write_failure` is the one message every writer shows for an OSError.

Exports go to USB sticks that fill up or are pulled out: every writer puts its bytes
in a temporary file beside the target, flushes it to the disk, and only then renames
it over the target. A failure removes the temporary file and leaves the target as it
was (absent, or the previous version).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class ExportError(OSError):
    """A file could not be written. ``str(exc)`` is a Chinese sentence naming the file,
    the reason and what to do; ``errno`` and ``filename`` are those of the cause and
    ``strerror`` is the Chinese reason alone."""

    def __init__(self, message: str, cause: OSError, out: Path, reason: str) -> None:
        super().__init__(cause.errno, reason, str(out))
        self.message = message

    def __str__(self) -> str:
        return self.message


@contextlib.contextmanager
def atomic_file(out: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside ``out``, flushed to the disk and renamed over ``out`` when
    the block ends normally, removed otherwise (``out`` untouched). Raises OSError."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(data: bytes, out: Path) -> None:
    """Write ``data`` to a temporary file beside ``out``, then rename it over ``out``.

    Raises OSError; on any failure the temporary file is removed and ``out`` untouched.
    """
    with atomic_file(out) as fh:
        fh.write(data)


def save_export(data: bytes, out: Path, what: str) -> None:
    """:func:`write_atomic`, raising :class:`ExportError` (Chinese) instead of a bare
    OSError; ``what`` names the file for the user (e.g. ``上报工作簿``)."""
    try:
        write_atomic(data, out)
    except ExportError:
        raise
    except OSError as exc:
        raise export_error(exc, out, what) from exc


def export_error(exc: OSError, out: Path, what: str) -> ExportError:
    """``exc`` as an :class:`ExportError` carrying :func:`write_failure`'s message
    (``exc`` itself when it is one already); for writers that catch OSError themselves."""
    if isinstance(exc, ExportError):
        return exc
    return ExportError(write_failure(exc, out, what), exc, out, write_error_reason(exc, out))


def write_failure(exc: OSError, out: Path, what: str) -> str:
    """The one Chinese message for a file that could not be written: ``无法保存<what>
    <out>：<reason>未写入任何文件。`` (every writer here is atomic, so that is true);
    an :class:`ExportError` is already that message. ``what`` names the file for the
    user (``上报工作簿``, ``打印文件`` …)."""
    if isinstance(exc, ExportError):
        return str(exc)
    return f"无法保存{what} {out}：{write_error_reason(exc, out)}未写入任何文件。"


# Windows: "device not ready", "drive not found", "device no longer exists".
_WIN_REMOVED = {21, 15, 1167}


def write_error_reason(exc: OSError, out: Path) -> str:
    """Why ``out`` could not be written, in Chinese, with what to do (a full sentence)."""
    code = exc.errno
    if code == errno.ENOSPC:
        return "磁盘空间已满（或U盘已满），请清理后重试或换一个位置保存。"
    if code == errno.ENOENT or isinstance(exc, FileNotFoundError):
        return f"文件夹不存在：{out.parent}（U盘可能已拔出），请换一个位置保存。"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
        return (
            "没有写入权限（文件夹或U盘是只读的），或同名文件正被其他程序"
            "（如 Excel、WPS、PDF 阅读器）打开。请关闭该文件或换一个位置保存。"
        )
    if code == errno.EISDIR or isinstance(exc, IsADirectoryError):
        return "该位置是一个文件夹，请填写文件名。"
    if code == errno.ENOTDIR or isinstance(exc, NotADirectoryError):
        return f"{out.parent} 不是文件夹，请换一个位置保存。"
    if code in (errno.EIO, errno.ENODEV, errno.ENXIO) or getattr(exc, "winerror", None) in (
        _WIN_REMOVED
    ):
        return f"无法写入磁盘（U盘可能已拔出或损坏：{exc.strerror or exc}），请检查后重试。"
    return f"{exc.strerror or exc}。"
