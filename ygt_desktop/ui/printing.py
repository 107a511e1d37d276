"""Print one stored service record: ask where to save the PDF, write it, open it.

The PDF opens in the system viewer, which prints it (UI.md: nothing depends on a
printer driver). :func:`choose_path` and :func:`open_pdf` are module functions so tests
replace them with ``monkeypatch`` instead of driving a modal dialog or a viewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from ..reports import print_record as job
from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import files, messages


def default_folder() -> Path:
    return files.default_folder()


def choose_path(parent: QWidget | None, file_name: str) -> Path | None:
    """Ask where to save ``file_name``; None when cancelled. Remembers the folder."""
    return files.choose_path(parent, "保存打印文件（PDF）", file_name, "PDF 文件 (*.pdf)", ".pdf")


def open_pdf(path: Path) -> bool:
    """Open the PDF in the system viewer; False when none could be started."""
    return files.open_file(path)


def print_record(
    ws: Workspace, record_id: int, parent: QWidget | None, *, id_masked: bool = True
) -> Path | None:
    """Save the stored record ``record_id`` as a PDF where the user says and open it.

    Returns the file written, or None when cancelled or failed (the user was told why;
    a failed write leaves no file behind). Runs on the UI thread: one record renders in
    well under a second.
    """
    try:
        record = job.load(ws, record_id)
    except StoreError as exc:
        messages.error(parent, str(exc), "无法打印")
        return None
    out = choose_path(parent, record.file_name())
    if out is None:
        return None
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        warnings = job.render(record, out, id_masked=id_masked)
    except StoreError as exc:
        failure: str | None = str(exc)
    else:
        failure = None
    finally:
        QGuiApplication.restoreOverrideCursor()
    if failure is not None:
        messages.error(parent, failure, "无法打印")
        return None
    if warnings:
        messages.info(parent, "PDF 已生成，但请注意：\n" + "\n".join(warnings), "打印提示")
    if not open_pdf(out):
        messages.error(
            parent,
            f"PDF 已保存到 {out}，但无法自动打开。请在文件夹中双击该文件后打印。",
            "无法打开 PDF",
        )
    return out
