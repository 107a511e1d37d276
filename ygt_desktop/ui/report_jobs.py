"""Exports of the 报表 page in the background: the window stays responsive, a progress
dialog says what is being written, and the files appear complete or not at all.

The worker opens its own connection to the database file (one Store per thread) and
computes the report again there, so what is written is what the records say now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..core.report_model import Period
from ..reports import line_lists_export, report_export
from ..reports.atomic import ExportError
from ..reports.line_lists import LineListError
from ..reports.workbook import WorkbookError
from ..storage.db import StoreError
from ..storage.reporting import Reporting
from ..storage.workspace import Workspace

WORKBOOK, PDF, LISTS = "workbook", "pdf", "lists"
TITLES = {WORKBOOK: "上报工作簿", PDF: "报表 PDF", LISTS: "花名册"}


@dataclass
class ExportRequest:
    db: Path
    period: Period
    outputs: dict[str, Path]  # WORKBOOK / PDF / LISTS → file
    full_id: bool = False
    warnings: list[str] = field(default_factory=list)


class ExportWorker(QObject):
    sig_step = Signal(int, str)
    sig_done = Signal(list)  # the files written
    sig_failed = Signal(str)

    def __init__(self, request: ExportRequest) -> None:
        super().__init__()
        self.request = request

    def run(self) -> None:
        req = self.request
        written: list[str] = []
        try:
            ws = Workspace.open(req.db, lock=False)
        except StoreError as exc:
            self.sig_failed.emit(str(exc))
            return
        try:
            self.sig_step.emit(0, "正在计算各项指标…")
            reporting = Reporting(ws)
            report = reporting.compute(req.period).report
            steps: list[tuple[str, Callable[[Path], object]]] = [
                (WORKBOOK, lambda out: report_export.workbook(reporting, report, out)),
                (PDF, lambda out: req.warnings.extend(report_export.pdf(reporting, report, out))),
                (LISTS, lambda out: line_lists_export.write(ws, req.period, out,
                                                            full_id=req.full_id)),
            ]
            for n, (kind, write) in enumerate(steps, start=1):
                if kind in req.outputs:
                    self.sig_step.emit(n, f"正在写出{TITLES[kind]}…")
                    write(req.outputs[kind])
                    written.append(str(req.outputs[kind]))
        except (ExportError, LineListError, WorkbookError, StoreError) as exc:
            done = f"\n已写出：{'、'.join(written)}" if written else ""
            self.sig_failed.emit(f"{exc}{done}")
            return
        finally:
            ws.close(backup_on_exit=False)
        self.sig_done.emit(written)


class ExportJob(QObject):
    """Run one export on a thread with a progress dialog; ``sig_finished`` carries the
    files written (empty on failure) and the message to show."""

    sig_finished = Signal(list, str)

    def __init__(self, request: ExportRequest, parent: QWidget) -> None:
        super().__init__(parent)
        self.request = request
        self.progress = QProgressDialog(f"{request.period.label}：准备导出…", "", 0, 4, parent)
        self.progress.setWindowTitle("导出")
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.thread = QThread(self)
        self.worker = ExportWorker(request)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.sig_step.connect(self._step)
        self.worker.sig_done.connect(self._done)
        self.worker.sig_failed.connect(self._failed)

    def start(self) -> None:
        self.progress.setValue(0)
        self.thread.start()

    def _step(self, n: int, text: str) -> None:
        self.progress.setLabelText(text)
        self.progress.setValue(n)

    def _finish(self) -> None:
        self.thread.quit()
        self.thread.wait()
        self.progress.setValue(self.progress.maximum())
        self.progress.close()

    def _done(self, written: list[str]) -> None:
        self._finish()
        notes = "\n".join(self.request.warnings)
        self.sig_finished.emit(written, "已写出：\n" + "\n".join(written)
                               + (f"\n\n注意：\n{notes}" if notes else ""))

    def _failed(self, message: str) -> None:
        self._finish()
        self.sig_finished.emit([], message)
