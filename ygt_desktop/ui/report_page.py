"""报表: the quarter's indicators against targets, the people behind each, base data,
exports and submission.

Keyboard: the period box has focus; F5 recomputes; ↑↓ in the table and Enter opens the
list of people behind an indicator; Ctrl+B edits the year's base data.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.report_model import COUNT, Period, PeriodError
from ..ops import keys as key_ops
from ..ops import report as ops_report
from ..ops.base import Run
from ..storage import locking
from ..storage.reporting import Computed, Reporting
from ..storage.workspace import Workspace
from . import messages
from .entity_editor import EntityEditor
from .files import choose_path, open_file
from .jobs import Job, JobRunner
from .report_minimums import MinimumsBox
from .report_people import PeopleDialog
from .report_table import ReportTableModel


def recent_periods(today: dt.date, years: int = 2) -> list[Period]:
    """Ended quarters, newest first, over this and the previous year(s)."""
    out = []
    for year in range(today.year, today.year - years, -1):
        for quarter in (4, 3, 2, 1):
            period = Period(year, quarter)
            if period.window_end < today:
                out.append(period)
    return out


class ReportPage(QWidget):
    sig_open_resident = Signal(int)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.reporting = Reporting(ws)
        self.computed: Computed | None = None
        self.period_box = QComboBox()
        self.period_box.setObjectName("report_period")
        self.period_box.setEditable(True)
        for period in recent_periods(dt.date.today()):
            self.period_box.addItem(f"{period}　{period.label}", str(period))
        self.period_box.activated.connect(lambda _i: self.refresh())
        self.period_box.lineEdit().returnPressed.connect(self.refresh)
        compute = QPushButton("计算 (F5)")
        compute.clicked.connect(self.refresh)
        self.base_button = QPushButton("基础数据 (Ctrl+B)…")
        self.base_button.clicked.connect(self.edit_base)
        self.submit_button = QPushButton("上报并锁定…")
        self.submit_button.clicked.connect(self.submit)
        self.export_buttons = {}
        for kind, text in (
            (ops_report.WORKBOOK, "导出工作簿 (Ctrl+E)…"),
            (ops_report.PDF, "导出 PDF (Ctrl+P)…"),
            (ops_report.LISTS, "花名册…"),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, k=kind: self.export(k))
            self.export_buttons[kind] = button
        top = QHBoxLayout()
        for w in (QLabel("统计期"), self.period_box, compute, self.base_button):
            top.addWidget(w)
        top.addStretch()
        for button in self.export_buttons.values():
            top.addWidget(button)
        top.addWidget(self.submit_button)
        self.status = QLabel()
        self.signing_note = ""  # whether the last workbook exported was signed, and why not
        self.status.setWordWrap(True)
        self.model = ReportTableModel()
        self.table = QTableView()
        self.table.setObjectName("report_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((44, 170, 260, 80, 80, 70, 60)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(lambda index: self.show_people(index.row()))
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(
                QKeySequence(key),
                self.table,
                activated=lambda: self.show_people(self.table.currentIndex().row()),
            )
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        QShortcut(QKeySequence("Ctrl+B"), self, activated=self.edit_base)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=lambda: self.export(ops_report.WORKBOOK))
        QShortcut(QKeySequence("Ctrl+P"), self, activated=lambda: self.export(ops_report.PDF))
        self.jobs = JobRunner(ws, self)
        self.people: PeopleDialog | None = None
        self.editor: EntityEditor | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.minimums = MinimumsBox(ws.forms)  # 健康教育 yearly minimums of the period's year
        layout.addWidget(self.minimums)

    # ---- state -------------------------------------------------------------------
    def period(self) -> Period | None:
        words = self.period_box.currentText().split()  # "2026Q3　2026年第3季度" or typed
        try:
            return Period.parse(words[0] if words else "")
        except PeriodError as exc:
            self.status.setText(str(exc))
            return None

    @property
    def job(self) -> Job | None:
        """The background work running now (computing or exporting), if any."""
        return self.jobs.job

    def refresh(self) -> None:
        """Compute the period's indicators in the background; the table follows."""
        period = self.period()
        if period is None:
            return
        if self.jobs.busy():
            self.status.setText("正在处理上一个操作，请稍候…")
            return
        self.status.setText(f"正在计算{period.label}的各项指标…")
        self.jobs.start(
            f"计算{period.label}报表",
            partial(ops_report.compute, period=period),
            partial(self._computed, period),
            on_failed=self._compute_failed,
        )

    def _computed(self, period: Period, computed: Computed) -> None:
        selected = self.table.currentIndex().row()
        code = (
            self.model.indicator(selected).code if 0 <= selected < self.model.rowCount() else None
        )
        self.computed = computed
        self.model.set_report(computed.report)
        self.minimums.show_report(computed.report)
        self.status.setText(self.describe(period))
        rows = [r for r in range(self.model.rowCount()) if self.model.indicator(r).code == code]
        if rows or self.model.rowCount():
            self.table.selectRow(rows[0] if rows else 0)

    def _compute_failed(self, message: str, cancelled: bool) -> None:
        self.computed = None
        self.model.set_report(None)
        self.minimums.show_report(None)
        self.status.setText("已取消计算，按 F5 重新计算。" if cancelled else message)

    def describe(self, period: Period) -> str:
        assert self.computed is not None
        report = self.computed.report
        parts = [f"统计时段 {period.window_start.isoformat()} 至 {period.window_end.isoformat()}"]
        done = locking.submissions(self.ws.store, period)
        if done:
            last = done[-1]
            parts.append(
                f"已于 {last.submitted_at[:16].replace('T', ' ')} 上报第 {last.revision} 版，"
                "该时段的记录已锁定（站长可更正）"
            )
            if report.revision > last.revision:
                parts.append(f"上报后有更正，再次导出为第 {report.revision} 版")
        else:
            parts.append("尚未上报")
        missing = sorted({v.missing for v in report.values.values() if v.missing})
        if missing:
            parts.append("；".join(missing) + "（Ctrl+B 填写）")
        short = [
            ind.label
            for ind in report.template.indicators
            if ind.target is not None
            and (v := report.values.get(ind.code)) is not None
            and v.value is not None
            and v.value < ind.target
        ]
        if short:
            parts.append("未达目标：" + "、".join(short))
        return "。".join(parts) + "。"

    # ---- actions -----------------------------------------------------------------
    def show_people(self, row: int) -> None:
        if self.computed is None or not 0 <= row < self.model.rowCount():
            return
        ind = self.model.indicator(row)
        counted = self.computed.counted.get(ind.code)
        if counted is None or ind.kind == COUNT:
            self.status.setText(f"“{ind.label}”是计数，没有居民名单。")
            return
        self.people = PeopleDialog(self.ws, ind.label, counted, self)
        self.people.sig_open_resident.connect(self.sig_open_resident)
        self.people.open()

    def edit_base(self) -> None:
        period = self.period()
        if period is None:
            return
        repo = self.reporting.base_data
        self.editor = EntityEditor(
            self.ws,
            repo,
            self.reporting.base_id(period.year),
            header=f"{period.year}年基础数据：报表的分母",
            initial={"year": period.year},
            parent=self,
        )
        self.editor.accepted.connect(self.refresh)
        self.editor.open()

    def export(self, kind: str) -> None:
        """Ask where, then write in the background (the window stays usable)."""
        period = self.period()
        if period is None or self.jobs.busy():
            return
        org = self.ws.organisation
        code = org.code if org else ""
        revision = self.computed.report.revision if self.computed else 1
        name, file_filter, suffix = {
            ops_report.WORKBOOK: (
                f"{code}_{period}_第{revision}版.xlsx",
                "Excel 工作簿 (*.xlsx)",
                ".xlsx",
            ),
            ops_report.PDF: (f"{code}_{period}_第{revision}版.pdf", "PDF 文件 (*.pdf)", ".pdf"),
            ops_report.LISTS: (f"{code}_{period}_花名册.xlsx", "Excel 工作簿 (*.xlsx)", ".xlsx"),
        }[kind]
        title = f"导出{ops_report.TITLES[kind]}"
        out = choose_path(self, title, name, file_filter, suffix)
        if out is None:
            return
        if kind == ops_report.LISTS:
            full_id = messages.ask(
                self,
                "花名册中的身份证号默认遮挡（如 530102********123X）。\n"
                "需要导出完整身份证号吗？完整号码的文件请妥善保管。",
                "身份证号",
            )
            self.jobs.start(
                title,
                partial(ops_report.write_lists, period=period, out=out, full_id=full_id),
                lambda _sheets: self._exported([out], []),
                on_failed=self._export_failed,
            )
            return
        if kind == ops_report.WORKBOOK:
            self._export_workbook(title, period, out)
            return
        files = {"pdf": out}
        self.jobs.start(
            title,
            partial(ops_report.write_files, period=period, **files),
            lambda done: self._exported(done.written, done.warnings),
            on_failed=self._export_failed,
        )

    def _export_workbook(self, title: str, period: Period, out: Path) -> None:
        """The upward workbook, signed when the logged-in user holds the organisation's
        key: the window keeps no password, so it asks for it once per export (cancel:
        unsigned). Anyone else's export is unsigned, and the result says so."""
        key = key_ops.current(Run.plain(self.ws))
        password = None
        if key is not None and key.owner == self.ws.store.user:
            password = messages.ask_password(
                self,
                "上报工作簿将用本机构的签名密钥签名。\n请输入您的登录密码"
                "（取消则导出不带签名的工作簿）：",
                "签名",
            )
        self.jobs.start(
            title,
            partial(ops_report.write_signed_workbook, period=period, out=out, password=password),
            lambda result: self._exported(result[0].written, result[0].warnings, result[1]),
            on_failed=self._export_failed,
        )

    def _exported(self, written: list[Path], warnings: list[str], signing: str = "") -> None:
        notes = "\n".join(warnings)
        self.signing_note = signing
        messages.info(
            self,
            "已写出：\n"
            + "\n".join(map(str, written))
            + (f"\n上报工作簿{signing}" if signing else "")
            + (f"\n\n注意：\n{notes}" if notes else ""),
            "导出完成",
        )
        if written and written[0].suffix == ".pdf":
            open_file(written[0])

    def _export_failed(self, message: str, cancelled: bool) -> None:
        if cancelled:
            self.status.setText("已取消导出，没有写出文件。")
        else:
            messages.error(self, message, "导出失败")

    def submit(self) -> None:
        period = self.period()
        if period is None:
            return
        if not messages.ask(
            self,
            f"上报{period.label}并锁定？\n上报后 {period.window_start.isoformat()}"
            f" 至 {period.window_end.isoformat()} 的服务记录只有站长可以更正，"
            "每次更正都会记入审计日志并使下次导出的版本号加一。",
            "上报并锁定",
        ):
            return
        self.jobs.start(
            f"上报{period.label}",
            partial(ops_report.submit, period=period),
            partial(self._submitted, period),
            cancellable=False,
        )

    def _submitted(self, period: Period, done: locking.Submission) -> None:
        messages.info(self, f"{period.label}已上报（第 {done.revision} 版），记录已锁定。")
        self.refresh()

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        if self.computed is None:
            self.refresh()
