"""Print one stored service record: ask where to save the PDF, write it, open it.

The PDF opens in the system viewer, which prints it (UI.md: nothing depends on a
printer driver). :func:`choose_path` and :func:`open_pdf` are module functions so tests
replace them with ``monkeypatch`` instead of driving a modal dialog or a viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ..ops import records as ops_records
from ..reports import print_record as job
from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import files, messages
from .file_jobs import save_file
from .jobs import JobRunner


def default_folder() -> Path:
    return files.default_folder()


def choose_path(parent: QWidget | None, file_name: str) -> Path | None:
    """Ask where to save ``file_name``; None when cancelled. Remembers the folder."""
    return files.choose_path(parent, "保存打印文件（PDF）", file_name, "PDF 文件 (*.pdf)", ".pdf")


def open_pdf(path: Path) -> bool:
    """Open the PDF in the system viewer; False when none could be started."""
    return files.open_file(path)


def print_record(
    ws: Workspace,
    record_id: int,
    parent: QWidget,
    runner: JobRunner,
    *,
    id_masked: bool = True,
    full_phone: bool = False,
    on_saved: Callable[[Path], None] | None = None,
) -> bool:
    """Save the stored record ``record_id`` as a PDF where the user says and open it.
    ID and phone numbers are masked unless asked (the operation checks the right and
    audits an unmasked print).

    The PDF is written in the background (:func:`ygt_desktop.ops.records.print_pdf`
    through ``runner``), whole or not at all. False when cancelled or
    refused (the user was told why); ``on_saved(file)`` once it is written.
    """
    try:
        record = job.load(ws, record_id)
    except StoreError as exc:
        messages.error(parent, str(exc), "无法打印")
        return False
    out = choose_path(parent, record.file_name())
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        f"打印{record.form.label}",
        partial(
            ops_records.print_pdf,
            out=out,
            record_id=record_id,
            full_id=not id_masked,
            full_phone=full_phone,
        ),
        written=lambda done: (done.out, done.warnings),
        open_pdf=lambda p: open_pdf(p),
        failure_title="无法打印",
        on_saved=on_saved,
    )
