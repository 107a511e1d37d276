"""Print the worklist as shown (PDF, opened in the system viewer) or export it as CSV.

:func:`choose_path` and :func:`open_file` are module functions so tests replace them
with ``monkeypatch`` instead of driving a modal dialog or a viewer. Both jobs run on the
UI thread under a wait cursor: a week's list renders in a fraction of a second, the
longest lists (5,000 rows) in about two seconds.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from ..reports.worklist_pdf import render_worklist
from ..reports.worklist_rows import filters_text, write_csv
from ..storage.worklist import WorkItem
from . import files, messages


@dataclass(frozen=True)
class Shown:
    """What the worklist page shows: its rows and the query that produced them."""

    items: Sequence[WorkItem]
    start: dt.date
    end: dt.date
    on: dt.date
    packages: Sequence[str] | None
    village: str | None  # as chosen, "101 小坝村委会"
    statuses: Sequence[str] | None
    doctor: str | None = None

    def file_name(self, suffix: str) -> str:
        return f"待办随访_{self.start.isoformat()}至{self.end.isoformat()}{suffix}"

    @property
    def filters(self) -> str:
        return filters_text(self.packages, self.village, self.statuses, self.doctor)


def choose_path(
    parent: QWidget | None, title: str, file_name: str, file_filter: str, suffix: str
) -> Path | None:
    """Ask where to save ``file_name``; None when cancelled."""
    return files.choose_path(parent, title, file_name, file_filter, suffix)


def open_file(path: Path) -> bool:
    """Open ``path`` with the system's viewer; False when none could be started."""
    return files.open_file(path)


def write_error(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in Chinese."""
    if exc.errno == errno.ENOSPC:
        return f"磁盘空间已满，未能保存 {path}。请清理磁盘后重试。"
    if isinstance(exc, PermissionError):
        return (
            f"无法写入 {path}：没有权限，或同名文件正被其他程序（如 PDF 阅读器、Excel）"
            "打开。请关闭该文件或换个文件名后重试。"
        )
    if isinstance(exc, FileNotFoundError):
        return f"无法写入 {path}：文件夹不存在（U 盘可能已拔出）。请换个位置保存。"
    return f"无法保存 {path}：{exc.strerror or exc}"


def _write(
    parent: QWidget | None, path: Path, job: Callable[[], list[str] | None], title: str
) -> list[str] | None:
    """Run ``job`` under a wait cursor; None (the user told why) when writing failed."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = job() or []
    except OSError as exc:
        failure: str | None = write_error(path, exc)
    else:
        failure = None
    finally:
        QGuiApplication.restoreOverrideCursor()
    if failure is not None:
        messages.error(parent, failure, title)
        return None
    return result


def print_shown(
    parent: QWidget | None, shown: Shown, org_name: str, village_names: Mapping[str, str]
) -> Path | None:
    """Save the shown list as a PDF where the user says and open it; the file written,
    or None when cancelled or failed (the user was told why)."""
    out = choose_path(
        parent, "保存待办随访名单（PDF）", shown.file_name(".pdf"), "PDF 文件 (*.pdf)", ".pdf"
    )
    if out is None:
        return None

    def job() -> list[str]:
        return render_worklist(
            shown.items,
            out,
            org_name=org_name,
            start=shown.start,
            end=shown.end,
            on=shown.on,
            filters_text=shown.filters,
            village_names=village_names,
        )

    warnings = _write(parent, out, job, "无法打印")
    if warnings is None:
        return None
    if warnings:
        messages.info(parent, "PDF 已生成，但请注意：\n" + "\n".join(warnings), "打印提示")
    if not open_file(out):
        messages.error(
            parent,
            f"PDF 已保存到 {out}，但无法自动打开。请在文件夹中双击该文件后打印。",
            "无法打开 PDF",
        )
    return out


def export_shown(
    parent: QWidget | None, shown: Shown, village_names: Mapping[str, str]
) -> Path | None:
    """Save the shown list as CSV (opens in Excel) where the user says; the file written,
    or None when cancelled or failed (the user was told why)."""
    out = choose_path(
        parent, "导出待办随访表格（CSV）", shown.file_name(".csv"), "CSV 表格 (*.csv)", ".csv"
    )
    if out is None:
        return None

    def job() -> None:
        write_csv(shown.items, out, on=shown.on, village_names=village_names)

    return out if _write(parent, out, job, "无法导出") is not None else None
