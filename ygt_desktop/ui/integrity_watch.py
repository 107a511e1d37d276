"""The window's background full check: the database after an unclean shutdown and
weekly, and every backup not fully checked yet (a backup counts as good only then).

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

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

from ..ops import backup as ops_backup
from ..storage import backup
from ..storage.workspace import Workspace
from . import messages
from .jobs import JobRunner

START_DELAY_MS = 5_000  # let the window settle and the user start working first
INTERVAL_MS = 5 * 60_000
TITLE = "完整性检查"


class IntegrityWatch(QObject):
    """Runs :func:`ygt_desktop.ops.backup.background_check` for ``window`` when due."""

    def __init__(self, window: QWidget, ws: Workspace) -> None:
        super().__init__(window)
        self.window = window
        self.ws = ws
        self.runner = JobRunner(ws, window)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.last_result: ops_backup.BackgroundResult | None = None
        window.installEventFilter(self)

    def start(self, delay_ms: int = START_DELAY_MS) -> None:
        QTimer.singleShot(delay_ms, self.tick)
        self.timer.start(INTERVAL_MS)

    def tick(self) -> bool:
        """Start a check if one is due and none is running; whether one started."""
        if self.runner.busy():
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
        job = self.runner.job
        if job is not None:
            job.detach()
            job.cancel()
            job.wait()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Before the window's own closeEvent: it must neither ask about this check nor
        # wait for it.
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.stop()
        return False
