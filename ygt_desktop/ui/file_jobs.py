"""Saving a file in the background, the same way on every page: ask where (the page
does), run the ``ops`` function through the page's :class:`~.jobs.JobRunner`, then say
what happened — characters the PDF font lacks, the PDF opened in the system viewer (or
where it is when no viewer starts), or why nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from . import messages
from .jobs import JobRunner, Op

PDF_NOTE = "PDF 已生成，但请注意：\n"


def save_file(
    parent: QWidget,
    runner: JobRunner,
    title: str,
    op: Op,
    *,
    written: Callable[[Any], tuple[Path, list[str]]] = lambda r: r,
    open_pdf: Callable[[Path], bool] | None = None,
    failure_title: str = "无法保存",
    on_saved: Callable[[Path], None] | None = None,
) -> bool:
    """Run ``op`` (which writes one file) in the background. ``written(result)`` gives
    the file and warnings; a PDF is opened with ``open_pdf``. False when another job of
    ``runner`` is still running (nothing started)."""

    def done(result: Any) -> None:
        out, warnings = written(result)
        if warnings:
            messages.info(parent, PDF_NOTE + "\n".join(warnings), "打印提示")
        if open_pdf is not None and out.suffix.lower() == ".pdf" and not open_pdf(out):
            messages.error(
                parent,
                f"PDF 已保存到 {out}，但无法自动打开。请在文件夹中双击该文件后打印。",
                "无法打开 PDF",
            )
        if on_saved is not None:
            on_saved(out)

    def failed(message: str, cancelled: bool) -> None:
        if not cancelled:
            messages.error(parent, message, failure_title)

    return runner.start(title, op, done, on_failed=failed) is not None
