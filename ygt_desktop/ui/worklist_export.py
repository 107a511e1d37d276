"""Print the worklist as shown (PDF, opened in the system viewer) or export it as CSV,
in the background (:func:`ygt_desktop.ops.worklist.export` through the page's job
runner): the worker queries the same range and filters again and writes the file whole
or not at all.

:func:`choose_path` and :func:`open_file` are module functions so tests replace them
with ``monkeypatch`` instead of driving a modal dialog or a viewer (the 家医签约 page's
prints use them too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ..ops import worklist as ops_worklist
from ..reports.worklist_rows import filters_text
from ..storage.worklist import DUE_VIEW, WorkItem
from ..storage.worklist_lines import WorkLines
from . import files
from .file_jobs import save_file
from .jobs import JobRunner


@dataclass(frozen=True)
class Shown:
    """What the worklist page shows: its lines (one per resident, built as they come
    into view) and the query that produced them. The files are made from the query
    again, in the background (:func:`print_shown`, :func:`export_shown`)."""

    lines: WorkLines
    start: dt.date
    end: dt.date
    on: dt.date
    packages: Sequence[str] | None
    village: str | None  # as chosen, "101 小坝村委会"
    statuses: Sequence[str] | None
    doctor: str | None = None
    village_code: str | None = None
    view: str = DUE_VIEW

    def file_name(self, suffix: str) -> str:
        return self.query.file_name(suffix)

    @property
    def count(self) -> int:
        """How many items the lines hold (the CSV's rows)."""
        return self.lines.item_count

    @property
    def items(self) -> Sequence[WorkItem]:
        """Every item shown, built now (seconds on a large station: for tests and small
        lists; the files are made in the background)."""
        return self.lines.items()

    @property
    def filters(self) -> str:
        return filters_text(self.packages, self.village, self.statuses, self.doctor, self.view)

    @property
    def query(self) -> ops_worklist.Query:
        return ops_worklist.Query(
            self.start,
            self.end,
            self.on,
            self.packages,
            self.village_code,
            self.statuses,
            self.doctor,
            self.view,
        )


def choose_path(
    parent: QWidget | None, title: str, file_name: str, file_filter: str, suffix: str
) -> Path | None:
    """Ask where to save ``file_name``; None when cancelled."""
    return files.choose_path(parent, title, file_name, file_filter, suffix)


def open_file(path: Path) -> bool:
    """Open ``path`` with the system's viewer; False when none could be started."""
    return files.open_file(path)


def _one_file(done: ops_worklist.Exported) -> tuple[Path, list[str]]:
    return done.written[0], done.warnings


def print_shown(
    parent: QWidget, runner: JobRunner, shown: Shown, on_saved: Callable[[Path], None] | None = None
) -> bool:
    """Save the shown list as a PDF where the user says, then open it. False when
    cancelled (nothing started); the user is told about failures."""
    out = choose_path(
        parent, "保存待办随访名单（PDF）", shown.file_name(".pdf"), "PDF 文件 (*.pdf)", ".pdf"
    )
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        "打印待办随访名单",
        partial(ops_worklist.export, query=shown.query, pdf=out),
        written=_one_file,
        open_pdf=lambda p: open_file(p),
        failure_title="无法打印",
        on_saved=on_saved,
    )


def export_shown(
    parent: QWidget, runner: JobRunner, shown: Shown, on_saved: Callable[[Path], None] | None = None
) -> bool:
    """Save the shown items as CSV (one row per item; opens in Excel) where the user
    says. False when
    cancelled (nothing started); ``on_saved(file)`` once it is written."""
    out = choose_path(
        parent, "导出待办随访表格（CSV）", shown.file_name(".csv"), "CSV 表格 (*.csv)", ".csv"
    )
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        "导出待办随访表格",
        partial(ops_worklist.export, query=shown.query, csv=out),
        written=_one_file,
        failure_title="无法导出",
        on_saved=on_saved,
    )
