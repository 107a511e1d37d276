"""Long bureau work in the background — importing a USB stick of workbooks, writing the
district report, the receipts — with a progress dialog; the window stays responsive.

The work is a plain function ``fn(ws, progress, cancelled)`` run on a QThread with its
own :class:`~ygt_desktop.storage.workspace.Workspace` (one connection per thread);
``progress(done, total, text)`` moves the bar, ``cancelled()`` says whether the user
pressed 取消 (asked between files, so nothing is left half-done). Errors the user can
act on (StoreError, ExportError, WorkbookError) come back as their Chinese message; an
unexpected one is logged and comes back as a short note.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..reports.atomic import ExportError
from ..reports.workbook import WorkbookError
from ..storage.db import StoreError
from ..storage.workspace import Workspace

log = logging.getLogger("ygt_desktop")
Progress = Callable[[int, int, str], None]
Work = Callable[[Workspace, Progress, Callable[[], bool]], Any]
EXPECTED = (StoreError, ExportError, WorkbookError)


class _Worker(QObject):
    sig_progress = Signal(int, int, str)
    sig_done = Signal(object)
    sig_failed = Signal(str)

    def __init__(self, db: Path, work: Work, stop: threading.Event) -> None:
        super().__init__()
        self.db = db
        self.work = work
        self.stop = stop

    def run(self) -> None:
        try:
            ws = Workspace.open(self.db, lock=False)
        except StoreError as exc:
            self.sig_failed.emit(str(exc))
            return
        try:
            result = self.work(ws, self.sig_progress.emit, self.stop.is_set)
        except EXPECTED as exc:
            self.sig_failed.emit(str(exc))
            return
        except Exception:
            log.exception("后台任务出错")
            self.sig_failed.emit("处理时遇到意外错误，已记录到数据文件夹中的 ygt-error.log。")
            return
        finally:
            ws.close(backup_on_exit=False)
        self.sig_done.emit(result)


class BackgroundJob(QObject):
    """Run ``work`` on a thread; ``sig_finished(result, error)`` — the result and "" on
    success, None and the Chinese message on failure."""

    sig_finished = Signal(object, str)

    def __init__(self, db: Path, work: Work, title: str, parent: QWidget, *,
                 cancellable: bool = False) -> None:
        super().__init__(parent)
        self.stop = threading.Event()
        self.progress = QProgressDialog(f"{title}：准备中…", "取消" if cancellable else "",
                                        0, 0, parent)
        self.progress.setWindowTitle(title)
        if not cancellable:
            self.progress.setCancelButton(None)
        self.progress.canceled.connect(self._cancel)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.thread = QThread(self)
        self.worker = _Worker(db, work, self.stop)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.sig_progress.connect(self._step)
        # Bound methods of this object (which lives in the window's thread), never lambdas:
        # a lambda would run in the worker's thread, which cannot wait for itself.
        self.worker.sig_done.connect(self._done)
        self.worker.sig_failed.connect(self._failed)

    def start(self) -> None:
        self.progress.setValue(0)
        self.thread.start()

    def _cancel(self) -> None:
        self.stop.set()
        self.progress.setLabelText("正在取消：当前文件处理完后停止…")

    def _step(self, done: int, total: int, text: str) -> None:
        if total and self.progress.maximum() != total:
            self.progress.setMaximum(total)
        self.progress.setValue(min(done, total) if total else 0)
        if not self.stop.is_set():
            self.progress.setLabelText(text)

    def _done(self, result: Any) -> None:
        self._finish(result, "")

    def _failed(self, message: str) -> None:
        self._finish(None, message)

    def _finish(self, result: Any, message: str) -> None:
        self.thread.quit()
        self.thread.wait()
        self.progress.close()
        self.sig_finished.emit(result, message)
