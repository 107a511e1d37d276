"""The window's background checks: the opening check a large file was opened without
(the store refuses every write until it has passed), then the full check of the
database after an unclean shutdown and weekly, and every backup not fully checked yet
(a backup counts as good only then).

The opening check starts at once (:meth:`IntegrityWatch.check_opening`); while it runs
the status bar says the window is only for looking; it passing lets writes in, it
failing turns the store read-only like a file that failed its check on opening, tells
the user and takes them to 设置 (the restore of a backup).

It runs through the window's job machinery (:class:`~ygt_desktop.ui.jobs.JobRunner`,
quiet: no dialog), a few seconds after the window opens and then every few minutes
when there is something to check. Closing the window never waits for it: the check is
interrupted (SQLite's progress handler, within milliseconds) before the window's own
close handling runs, and simply runs again next time. When the database fails the
check the user is told in Chinese and the store refuses every further write (saving
into a damaged file spreads the damage); a restore from 设置 → 备份 is the way out.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QWidget

from ..ops import backup as ops_backup
from ..storage import backup
from ..storage.workspace import Workspace
from . import messages
from .jobs import JobRunner, Op

START_DELAY_MS = 5_000  # let the window settle and the user start working first
INTERVAL_MS = 5 * 60_000
TITLE = "完整性检查"
OPENING_TITLE = "数据库检查"
PENDING_TEXT = "正在检查数据库，检查完成前只能查看"
RETRY_MS = 60_000  # an opening check that could not run (a disk fault) is tried again


class IntegrityWatch(QObject):
    """Runs the opening check (``opening_checker``, by default
    :func:`ygt_desktop.ops.backup.opening_check`) when the store holds its writes, and
    :func:`ygt_desktop.ops.backup.background_check` for ``window`` when due.

    ``sig_opening_checked(passed)`` tells the window the opening check's verdict."""

    sig_opening_checked = Signal(bool)

    def __init__(
        self, window: QWidget, ws: Workspace, *, opening_checker: Op | None = None
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ws = ws
        self.runner = JobRunner(ws, window)
        self.opening_runner = JobRunner(ws, window)
        self.opening_checker: Op = opening_checker or ops_backup.opening_check
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.last_result: ops_backup.BackgroundResult | None = None
        self.retired = False  # the window was replaced: nothing starts any more
        window.installEventFilter(self)

    # ---- the opening check -----------------------------------------------------------------

    def check_opening(self) -> bool:
        """Start the check the opening left for the background, if the store is holding
        its writes for it and it is not running yet; whether one started."""
        if self.retired or not self.ws.store.check_pending or self.opening_runner.busy():
            return False
        self._status(PENDING_TEXT)
        job = self.opening_runner.start(
            OPENING_TITLE,
            self.opening_checker,
            self._opening_done,
            on_failed=self._opening_failed,
            quiet=True,
        )
        return job is not None

    def _opening_done(self, problems: list[str]) -> None:
        store = self.ws.store
        if not problems:
            store.check_passed()
            self._status("数据库检查完成，可以保存", 5_000)
            self.sig_opening_checked.emit(True)
            return
        store.refuse_writes(problems)
        detail = "；".join(problems[:3])
        self._status("数据库检查未通过，只读打开：请在“设置”中恢复备份")
        self.sig_opening_checked.emit(False)
        messages.error(
            self.window,
            "数据库文件检查未通过，文件已损坏：\n"
            f"{detail}\n\n为免损坏扩大，本程序只能查看、不能保存（只读）。"
            "请在“设置 → 备份”恢复最近的完好备份；损坏的文件会另存，不会删除。",
            "数据库损坏",
        )

    def _opening_failed(self, message: str, cancelled: bool) -> None:
        """The check could not run (a disk fault): writes stay held; tried again."""
        if cancelled:
            return
        self._status(f"数据库检查未能完成，暂不能保存：{message}")
        QTimer.singleShot(RETRY_MS, self.check_opening)

    # ---- the full check --------------------------------------------------------------------

    def start(self, delay_ms: int = START_DELAY_MS) -> None:
        QTimer.singleShot(delay_ms, self.tick)
        self.timer.start(INTERVAL_MS)

    def tick(self) -> bool:
        """Start a check if one is due and none is running; whether one started."""
        if self.retired or self.runner.busy() or self.ws.store.check_pending:
            return False
        store = self.ws.store
        database = ops_backup.full_check_due(self.ws)
        if not database and not backup.unverified(store.path):
            return False
        job = self.runner.start(
            TITLE,
            partial(ops_backup.background_check, database=database),
            self._done,
            on_failed=self._failed,
            quiet=True,
        )
        return job is not None

    def _done(self, result: ops_backup.BackgroundResult) -> None:
        self.last_result = result
        if result.problems:
            self.ws.store.refuse_writes(result.problems)
            detail = "；".join(result.problems[:3])
            self._status("数据库完整性检查未通过，已停止保存：请在“设置”中恢复备份")
            messages.error(
                self.window,
                "后台完整性检查发现数据库文件已损坏：\n"
                f"{detail}\n\n为免损坏扩大，本程序已停止保存（只读）。"
                "请到“设置 → 备份”恢复最近的完好备份；损坏的文件会另存，不会删除。",
                "数据库损坏",
            )
        elif result.damaged_backups:
            names = "、".join(p.name for p in result.damaged_backups)
            self._status(f"备份 {names} 未通过完整性检查，不会作为可恢复的备份", 30_000)

    def _failed(self, message: str, cancelled: bool) -> None:
        if not cancelled:
            self._status(f"完整性检查未能完成：{message}", 15_000)

    def _status(self, text: str, timeout_ms: int = 0) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, timeout_ms)

    def stop(self) -> None:
        """Interrupt a running check and wait for it (milliseconds); it runs again later."""
        for runner in (self.opening_runner, self.runner):
            job = runner.job
            if job is not None:
                job.detach()
                job.cancel()
                job.wait()

    def retire(self) -> None:
        """The window is replaced (a restore, another user): stop for good."""
        self.retired = True
        self.timer.stop()
        self.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Before the window's own closeEvent: it must neither ask about this check nor
        # wait for it.
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop()
        return False
