"""The window's one way to run long work: an ``ops`` function on a worker thread.

``JobRunner.start(title, op, on_done)`` runs ``op(run)`` on a QThread with its own
:class:`~ygt_desktop.storage.workspace.Workspace` (SQLite connections belong to one
thread), shows a window-modal progress dialog with 取消, and calls ``on_done(result)``
back on the UI thread. Errors the user can act on (:data:`ops.base.USER_ERRORS`) come
back as their Chinese message; anything else is logged to ``ygt-error.log`` and comes
back as a short note — never a traceback. A cancel stops the operation between steps
(:class:`~ygt_desktop.ops.base.OpCancelled`), so no file is left half-written.

Every running job is registered here, so the main window can ask, cancel and wait for
all of them before it closes (:func:`active`, :func:`cancel_all_and_wait`): a QThread
destroyed while running aborts the whole process.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..ops.base import USER_ERRORS, Actor, OpCancelled, Run
from ..storage.workspace import Workspace
from . import messages

log = logging.getLogger("ygt_desktop")
Op = Callable[[Run], Any]
UNEXPECTED = "处理时遇到意外错误，已记录到数据文件夹中的 ygt-error.log。未保存任何不完整的文件。"
SHOW_AFTER_MS = 300  # short jobs finish without a dialog flashing up

# While a job runs, the window thread asks for the GIL after 0.5 ms instead of 5 ms: a
# worker that releases the GIL often (file writes, zlib, SQLite steps) and takes it
# straight back would otherwise starve the window for hundreds of milliseconds (the
# "convoy effect": each release restarts the waiter's 5 ms timeout).
JOB_SWITCH_INTERVAL_S = 0.0002
_PACE: list[float] = []
_ACTIVE: set[Job] = set()


def active() -> list[Job]:
    """The jobs running now, in any window or page."""
    return list(_ACTIVE)


def cancel_all_and_wait() -> None:
    """Ask every running job to stop, then wait for each (UI thread; used on close).
    Their ``on_done``/``on_failed`` callbacks are not called any more."""
    jobs = active()
    for job in jobs:
        job.detach()
        job.cancel()
    for job in jobs:
        job.wait()


class _Worker(QObject):
    sig_progress = Signal(int, int, str)
    sig_done = Signal(object)
    sig_failed = Signal(str, bool)  # message, cancelled

    def __init__(
        self, db: Path, actor: Actor, op: Op, stop: threading.Event, *, hold: bool = False
    ) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        self.op = op
        self.stop = stop
        self.hold = hold  # the window's check is pending: this job may not write either

    def run(self) -> None:
        try:
            ws = Workspace.open(self.db, lock=False, check=False)
        except USER_ERRORS as exc:
            self.sig_failed.emit(str(exc), False)
            return
        except Exception:
            log.exception("后台任务无法打开数据库")
            self.sig_failed.emit(UNEXPECTED, False)
            return
        try:
            if self.hold:
                ws.store.hold_writes()
            ws.store.user = self.actor.name
            run = Run(ws, self.actor, self.sig_progress.emit, self.stop.is_set)
            result = self.op(run)
        except OpCancelled as exc:
            self.sig_failed.emit(str(exc), True)
            return
        except USER_ERRORS as exc:
            self.sig_failed.emit(str(exc), False)
            return
        except Exception:
            log.exception("后台任务出错")
            self.sig_failed.emit(UNEXPECTED, False)
            return
        finally:
            ws.close(backup_on_exit=False)
        self.sig_done.emit(result)


class Job(QObject):
    """One running operation: its thread, worker and progress dialog."""

    sig_finished = Signal()

    def __init__(
        self,
        db: Path,
        actor: Actor,
        title: str,
        op: Op,
        parent: QWidget,
        *,
        cancellable: bool,
        on_done: Callable[[Any], None] | None,
        on_failed: Callable[[str, bool], None] | None,
        quiet: bool = False,
        hold: bool = False,
        ask_on_close: bool = True,
    ) -> None:
        # No Qt parent: a page or dialog closed and deleted while its job runs must not
        # take the running thread with it (that aborts the process). The registry keeps
        # the job alive until its worker has finished.
        super().__init__()
        self.title = title
        # False: closing the window waits for it without asking (short derived work
        # the user never asked for, such as bringing the kept report up to date)
        self.ask_on_close = ask_on_close
        self.stop = threading.Event()
        self.on_done = on_done
        self.on_failed = on_failed
        self.finished = False
        self.dialog = None if quiet else self._dialog(title, cancellable, parent)
        parent.destroyed.connect(self._parent_gone)
        self.worker_thread = QThread(self)
        self.worker = _Worker(db, actor, op, self.stop, hold=hold)
        self.worker.moveToThread(self.worker_thread)
        self.worker_thread.started.connect(self.worker.run)
        # Bound methods of this object (which lives in the UI thread), never lambdas:
        # a lambda would run in the worker's thread, which cannot wait for itself.
        self.worker.sig_progress.connect(self._step)
        self.worker.sig_done.connect(self._done)
        self.worker.sig_failed.connect(self._failed)

    def _dialog(self, title: str, cancellable: bool, parent: QWidget) -> QProgressDialog:
        dialog = QProgressDialog(f"{title}：准备中…", "取消" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        return dialog

    def start(self) -> None:
        if not _ACTIVE:
            # No cyclic garbage collection while jobs run: a collection holds the GIL
            # for as long as it takes to scan every object of the process — the
            # window's and the job's hundreds of thousands of rows — 50-200 ms during
            # which the window cannot repaint. Reference counting still frees almost
            # everything; the cycles left wait for the collection after the job.
            gc.disable()
            _PACE.append(sys.getswitchinterval())
            sys.setswitchinterval(JOB_SWITCH_INTERVAL_S)
        _ACTIVE.add(self)
        if self.dialog is not None:
            self.dialog.setValue(0)
        self.worker_thread.start()

    def cancel(self) -> None:
        if not self.stop.is_set():
            self.stop.set()
            if self.dialog is not None:
                self.dialog.setLabelText(f"{self.title}：正在取消，当前一步完成后停止…")

    def _parent_gone(self) -> None:
        """The page went away: stop, and report to nobody (its dialog went with it)."""
        self.dialog = None
        self.detach()
        self.cancel()

    def detach(self) -> None:
        """Forget the callbacks (the page is going away)."""
        self.on_done = None
        self.on_failed = None

    def wait(self) -> None:
        """Block until the worker has finished (UI thread, after :meth:`cancel`)."""
        self.worker_thread.quit()
        self.worker_thread.wait()
        self._close()

    def _step(self, done: int, total: int, text: str) -> None:
        if self.stop.is_set() or self.dialog is None:
            return
        if total and self.dialog.maximum() != total:
            self.dialog.setMaximum(total)
        self.dialog.setValue(min(done, total) if total else 0)
        self.dialog.setLabelText(text)

    def _done(self, result: Any) -> None:
        self._close()
        if self.on_done is not None:
            self.on_done(result)

    def _failed(self, message: str, cancelled: bool) -> None:
        self._close()
        if self.on_failed is not None:
            self.on_failed(message, cancelled)

    def _close(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.worker_thread.quit()
        self.worker_thread.wait()
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        _ACTIVE.discard(self)
        if not _ACTIVE:
            gc.enable()
            if _PACE:
                sys.setswitchinterval(_PACE.pop())
        self.sig_finished.emit()
        QTimer.singleShot(0, self.deleteLater)


class JobRunner(QObject):
    """Runs a page's operations, one at a time, on worker threads.

    ``db`` is the open database's file; the actor defaults to the workspace's user.
    """

    def __init__(self, ws: Workspace, parent: QWidget) -> None:
        super().__init__(parent)
        self.ws = ws
        self.widget = parent
        self.job: Job | None = None

    def busy(self) -> bool:
        return self.job is not None

    def start(
        self,
        title: str,
        op: Op,
        on_done: Callable[[Any], None] | None = None,
        *,
        on_failed: Callable[[str, bool], None] | None = None,
        cancellable: bool = True,
        quiet: bool = False,
        ask_on_close: bool = True,
    ) -> Job | None:
        """Run ``op`` in the background; None (and nothing started) while another of
        this runner's jobs is still running. ``on_failed(message, cancelled)`` defaults
        to a message box (nothing for a cancel). ``quiet`` jobs (the automatic backup)
        show no progress dialog; ``ask_on_close=False`` ones are waited for on closing
        without a question."""
        if self.job is not None:
            return None
        job = Job(
            self.ws.store.path,
            Actor.of(self.ws),
            title,
            op,
            self.widget,
            cancellable=cancellable,
            on_done=on_done,
            on_failed=on_failed or self._show_failure,
            quiet=quiet,
            ask_on_close=ask_on_close,
            # Writes wait for the window's opening check: a job's own connection too.
            hold=self.ws.store.check_pending,
        )
        job.sig_finished.connect(self._finished)
        self.job = job
        job.start()
        return job

    def _finished(self) -> None:
        self.job = None

    def _show_failure(self, message: str, cancelled: bool) -> None:
        if not cancelled:
            messages.error(self.widget, message, "未能完成")
