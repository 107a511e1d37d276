"""The main window: navigation on the left, the page on the right, a status bar.

The window is a shell: pages get the workspace passed in and do their own work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..ops import backup as ops_backup
from ..storage import backup
from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import jobs, messages
from .guard import may
from .integrity_watch import IntegrityWatch
from .jobs import JobRunner, Op
from .residents_page import ResidentsPage
from .settings_page import SettingsPage

# The pages after the first are built (and their modules imported) when first shown or
# asked for: the first screen of a large station is there sooner (issue 15).

PAGES_TODO: dict[str, str] = {}  # pages not built yet: name → what they will do
BACKUP_CHECK_MS = 60_000


class PlaceholderPage(QWidget):
    def __init__(self, title: str, what: str) -> None:
        super().__init__()
        label = QLabel(
            f"<h2>{title}</h2><p>{what}功能尚未完成，将在后续版本提供。</p>"
            "<p>本页目前没有任何内容，也不会保存数据。</p>"
        )
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)


class _PageToBuild(QWidget):
    """Holds a page's place in the stack until the page is built."""


class MainWindow(QMainWindow):
    def __init__(
        self, ws: Workspace, *, background: bool = True, opening_checker: Op | None = None
    ) -> None:
        """``background=False``: none of the window's own timed work (the backup timer,
        the background integrity check) — for a look at the window that writes nothing
        (the screenshot tour), and every page built at once (the tour measures the
        window as it is once every page has been opened; a working window builds a page
        when it is first shown). A store opened without its check (``check_pending``) gets
        it at once in the background (``opening_checker``: tests hold it pending); until
        it passes the window is for looking only."""
        super().__init__()
        self.ws = ws
        org = ws.organisation
        self.setWindowTitle(f"基层公共卫生服务系统 — {org.name if org else ''}")
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(self.fontMetrics().horizontalAdvance("居民档案") * 2)
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        self.stack = QStackedWidget()
        self.settings_page = SettingsPage(ws)
        # A district or city bureau has its own pages (roster, import, status, summary).
        self._to_build: dict[str, tuple[_PageToBuild, Callable[[], QWidget]]] = {}
        if org is not None and org.is_bureau:
            from .bureau_shell import BureauPages

            self.bureau: Any = BureauPages(ws)
        else:
            self.bureau = None
        pages = [*self.bureau.pages] if self.bureau else self._station_pages(ws)
        pages.append(("设置", self.settings_page))
        for name, page in pages:
            self.nav.addItem(name)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self._show_row)
        if not background:
            for name in list(self._to_build):
                self._build_page(name)
        self.nav.setCurrentRow(0)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status_org = QLabel()
        self.status_backup = QLabel()
        self.statusBar().addWidget(self.status_org, 1)
        self.statusBar().addPermanentWidget(self.status_backup)
        self._update_status()
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.find_resident)
        for i in range(min(self.nav.count(), 9)):  # Ctrl+1 … Ctrl+9 open the pages in order
            QShortcut(
                QKeySequence(f"Ctrl+{i + 1}"), self, activated=lambda i=i: self.nav.setCurrentRow(i)
            )
            self.nav.item(i).setToolTip(f"Ctrl+{i + 1}")
        if self.bureau is None:
            self.residents_page.sig_changed.connect(lambda _c: self._update_status())
        self.settings_page.sig_backup_made.connect(self._update_status)
        self._backups = backup.BackupScheduler()
        self.jobs = JobRunner(ws, self)
        self._backup_timer = QTimer(self)
        self._backup_timer.timeout.connect(self.backup_if_due)
        self._backup_timer.timeout.connect(self.keep_report_up)
        if background:
            self._backup_timer.start(BACKUP_CHECK_MS)
        self.resize(1280, 720)
        # Ready to type a name (a bureau: a member's code or name).
        QTimer.singleShot(
            0, self.bureau.focus_search if self.bureau else self.residents_page.focus_search
        )
        if ws.store.readonly:
            self.statusBar().showMessage("数据库检查未通过，只读打开：请在“设置”中恢复备份", 0)
        # The opening check (when the file was opened without it) and the full check.
        self.integrity = IntegrityWatch(self, ws, opening_checker=opening_checker)
        self.integrity.sig_opening_checked.connect(self._opening_checked)
        self.integrity.check_opening()
        if background:
            self.integrity.start()

    def _opening_checked(self, passed: bool) -> None:
        """A damaged file: to 设置, where a backup is restored."""
        if not passed:
            self.nav.setCurrentRow(self.stack.indexOf(self.settings_page))

    def _station_pages(self, ws: Workspace) -> list[tuple[str, QWidget]]:
        self.residents_page = ResidentsPage(ws)
        pages: list[tuple[str, QWidget]] = [("居民档案", self.residents_page)]
        pages += [(name, PlaceholderPage(name, what)) for name, what in PAGES_TODO.items()]
        pages.insert(1, ("公卫服务", self._later("services_page", self._services)))
        pages.insert(2, ("待办随访", self._later("worklist_page", self._worklist)))
        pages.insert(3, ("家医签约", self._later("contracts_page", self._contracts)))
        pages.insert(4, ("转诊", self._later("referrals_page", self._referrals)))
        pages.append(("设备", self._later("equipment_page", self._equipment)))
        pages.append(("报表", self._later("report_page", self._report)))
        if may(ws, "audit.view"):
            pages.append(("审计日志", self._later("audit_page", self._audit)))
        return pages

    # ---- pages built when first needed -----------------------------------------------------

    def _later(self, name: str, build: Callable[[], QWidget]) -> QWidget:
        holder = _PageToBuild()
        self._to_build[name] = (holder, build)
        return holder

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not set yet: a page not built yet is built now.
        to_build = self.__dict__.get("_to_build")
        if to_build and name in to_build:
            return self._build_page(name)
        raise AttributeError(name)

    def _build_page(self, name: str) -> QWidget:
        holder, build = self._to_build.pop(name)
        page = build()
        setattr(self, name, page)
        index = self.stack.indexOf(holder)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(holder)
        holder.deleteLater()
        self.stack.setCurrentIndex(current)
        return page

    def _show_row(self, row: int) -> None:
        holder = self.stack.widget(row)
        if isinstance(holder, _PageToBuild):
            for name, (waiting, _build) in list(self._to_build.items()):
                if waiting is holder:
                    self._build_page(name)
        self.stack.setCurrentIndex(row)

    def _services(self) -> QWidget:
        from .services_page import ServicesPage

        return ServicesPage(self.ws)

    def _worklist(self) -> QWidget:
        from .worklist_page import WorklistPage

        page = WorklistPage(self.ws)
        page.sig_open_resident.connect(self.open_resident)
        return page

    def _contracts(self) -> QWidget:
        from .contracts_page import ContractsPage

        return ContractsPage(self.ws)

    def _referrals(self) -> QWidget:
        from .referrals_page import ReferralsPage

        return ReferralsPage(self.ws)

    def _equipment(self) -> QWidget:
        from .equipment_page import EquipmentPage

        return EquipmentPage(self.ws)

    def _report(self) -> QWidget:
        from .report_page import ReportPage

        page = ReportPage(self.ws)
        page.sig_open_resident.connect(self.open_resident)
        if may(self.ws, "report.submit"):  # ops.report.submit refuses anyway (and audits it)
            page.submit_button.setToolTip("上报后该季度的记录只有站长可以更正")
        else:
            page.submit_button.setEnabled(False)
            page.submit_button.setToolTip(messages.only_for("report.submit"))
        return page

    def _audit(self) -> QWidget:
        from .audit_page import AuditPage

        return AuditPage(self.ws)

    def find_resident(self) -> None:
        """Ctrl+F: the resident search (a bureau: the roster's search)."""
        self.nav.setCurrentRow(0)
        if self.bureau is not None:
            self.bureau.focus_search()
        else:
            self.residents_page.focus_search()

    def open_resident(self, resident_id: int) -> None:
        """Show a resident's timeline (from the worklist or elsewhere)."""
        from .resident_detail import ResidentDetail

        detail = ResidentDetail(self.ws, resident_id, self)
        detail.finished.connect(lambda _r: self._refresh_worklist())
        self._detail = detail
        detail.open()

    def _refresh_worklist(self) -> None:
        """After a resident's timeline closes: the worklist, if it was ever shown."""
        if "worklist_page" not in self._to_build:
            self.worklist_page.refresh()

    def last_backup_at(self) -> dt.datetime | None:
        backups = backup.list_backups(self.ws.store.path)
        return backups[0].created_at if backups else None

    def backup_if_due(self) -> None:
        """Every few minutes: back up when there were changes and 30 min have passed."""
        store = self.ws.store
        if store.closed or store.readonly or store.check_pending:
            return
        if self._backups.due(dt.datetime.now(), store.changes_since_backup, self.last_backup_at()):
            # In the background, without a dialog: the user goes on typing.
            self.jobs.start(
                "定时备份",
                partial(ops_backup.make, reason="定时"),
                self._backed_up,
                on_failed=self._backup_failed,
                quiet=True,
            )

    def keep_report_up(self) -> None:
        """Every few minutes: the kept quarterly figures brought up to date with the
        residents changed since, in the background (0.2-0.4 s at 265,000 residents),
        so that the report page opens its quarter at once."""
        # imported here, a minute after start, not with the window: the report's rules
        from ..ops import report_keep
        from ..storage import report_kept

        store = self.ws.store
        if self.bureau is not None or store.closed or store.readonly or store.check_pending:
            return
        if self.jobs.busy() or not report_kept.marked_any(store):
            return
        self.jobs.start(
            report_keep.TITLE,
            report_keep.keep_up,
            on_failed=self._keep_up_failed,
            quiet=True,
            ask_on_close=False,
        )

    def _keep_up_failed(self, message: str, cancelled: bool) -> None:
        if not cancelled:  # the report computes them itself when opened
            self.statusBar().showMessage(f"报表数据未能整理：{message}", 10_000)

    def _backed_up(self, _made: object) -> None:
        self.ws.store.changes_since_backup = 0
        self._update_status()

    def _backup_failed(self, message: str, _cancelled: bool) -> None:
        self.statusBar().showMessage(f"自动备份失败：{message}", 10_000)
        self._update_status()

    def _update_status(self) -> None:
        if self.ws.store.closed:  # a late signal after the window closed its file
            return
        org = self.ws.organisation
        org_text = f"{org.name}（{org.code}）" if org else "未设置机构"
        role = f"（{self.ws.store.role}）" if self.ws.store.role else ""
        self.status_org.setText(
            f"{org_text}　用户：{self.ws.store.user}{role}　数据库：{self.ws.store.path}"
        )
        last = self.last_backup_at()
        self.status_backup.setText(f"最近备份：{last:%Y-%m-%d %H:%M}" if last else "最近备份：无")

    def retire(self) -> None:
        """Replaced by a new window on the same workspace (after a restore or another
        user at the idle lock): hide, stop the timers, and never close the workspace."""
        self._retired = True
        self._backup_timer.stop()
        self.integrity.retire()
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if getattr(self, "_retired", False) or self.ws.store.closed:  # a second close
            event.accept()
            return
        running = [job for job in jobs.active() if job.ask_on_close]
        if running:
            names = "、".join(job.title for job in running)
            if not messages.ask(
                self,
                f"正在进行：{names}。\n现在退出将取消它，不会留下不完整的文件。要取消并退出吗？",
                "退出",
            ):
                event.ignore()
                return
        jobs.cancel_all_and_wait()  # and the short ones never asked about
        self._backup_timer.stop()  # its callbacks read the file about to close
        try:
            self.ws.close()
        except StoreError as exc:
            messages.error(self, f"退出时备份失败：{exc}\n数据已保存在数据库中。")
        event.accept()
