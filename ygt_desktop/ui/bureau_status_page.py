"""上报情况: for a period, each member — submitted (when, which revision), late, missing,
or whose file was refused and why — with the deadline and an export to a workbook or
CSV. Missing, refused and withdrawn in red, late in amber. 撤销… withdraws the selected
member's current version (审核员, 管理员) after asking for the reason; the member's
next file is then accepted.

Keyboard: F5 refreshes, Ctrl+E exports.
"""

from __future__ import annotations

import datetime as dt
import functools

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.report_model import PeriodError
from ..ops import bureau as ops
from ..ops.base import OpError, Run
from ..reports import bureau_status
from ..reports.bureau_status import LATE, PeriodStatus
from ..storage import submissions
from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import bureau_common, guard, messages
from .bureau_common import AMBER, RED, RowsModel, period_box, table_view
from .jobs import JobRunner


class StatusPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.status: PeriodStatus | None = None
        self.jobs = JobRunner(ws, self)
        self.period = period_box("status_period")
        self.period.activated.connect(lambda _i: self.refresh())
        self.period.lineEdit().returnPressed.connect(self.refresh)
        self.deadline = QSpinBox()
        self.deadline.setObjectName("status_deadline")
        self.deadline.setRange(1, 31)
        self.deadline.setValue(submissions.deadline_day(ws.store))
        self.deadline.setPrefix("季度后次月 ")
        self.deadline.setSuffix(" 日")
        self.deadline.valueChanged.connect(self.save_deadline)
        refresh = QPushButton("刷新 (F5)")
        refresh.clicked.connect(self.refresh)
        export = QPushButton("导出 (Ctrl+E)…")
        export.clicked.connect(self.export)
        self.withdraw_button = QPushButton("撤销…")
        self.withdraw_button.setObjectName("status_withdraw")
        self.withdraw_button.setToolTip("撤销所选机构当前已接收的版本（需填写原因，记入审计日志）")
        self.withdraw_button.clicked.connect(self.withdraw)
        guard.gate(self.withdraw_button, ws, "bureau.withdraw")
        top = QHBoxLayout()
        for w in (QLabel("统计期"), self.period, QLabel("报送截止"), self.deadline, refresh):
            top.addWidget(w)
        top.addStretch()
        top.addWidget(self.withdraw_button)
        top.addWidget(export)
        self.summary = QLabel()
        self.summary.setObjectName("status_summary")
        self.summary.setWordWrap(True)
        self.model = RowsModel(bureau_status.COLUMNS, self)
        self.model.right_aligned = {4, 5}
        self.table = table_view(
            self.model, "status_table", (10, 20, 4, 8, 4, 6, 10, 10, 10, 10, 18)
        )
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.export)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        try:
            period = bureau_common.chosen_period(self.period)
        except PeriodError as exc:
            self.summary.setText(str(exc))
            return
        if period is None:
            return
        self.status = bureau_status.period_status(
            self.ws, period, deadline_day=self.deadline.value()
        )
        rows = self.status.rows
        self.model.set_rows(
            [r.cells() for r in rows],
            backgrounds=[
                None if r.submitted and r.state != LATE else AMBER if r.state == LATE else RED
                for r in rows
            ],
            tips=[r.note for r in rows],
        )
        late_now = dt.date.today() > self.status.deadline
        self.summary.setText(self.status.summary() + ("；截止日已过" if late_now else ""))

    def withdraw(self) -> None:
        """Ask for the reason, then withdraw the selected member's current version."""
        if self.status is None:
            return
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        chosen = [self.status.rows[r] for r in rows if 0 <= r < len(self.status.rows)]
        row = chosen[0] if chosen else None
        if row is None or row.revision is None:
            messages.info(self, "请先选中一个已报送的机构（撤销的是它当前已接收的版本）。")
            return
        what = f"{row.name}（{row.code}）{self.status.period.label} 第{row.revision}版"
        reason = messages.ask_text(
            self,
            f"撤销 {what}？\n撤销后该版本不计入汇总、上报情况和回执（记录保留，不可恢复），"
            "该机构的下一个文件将照常接收。\n\n撤销原因（必填，记入审计日志）：",
            "撤销已接收的上报",
        )
        if reason is None:
            return
        try:
            ops.withdraw(Run.plain(self.ws), row.code, self.status.period, row.revision, reason)
        except (OpError, StoreError) as exc:
            messages.error(self, str(exc), "未能撤销")
            return
        self.refresh()
        messages.info(self, f"已撤销 {what}。", "已撤销")

    def save_deadline(self, day: int) -> None:
        try:
            submissions.set_deadline_day(self.ws.store, day)
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.refresh()

    def export(self) -> None:
        """Ask where, then write the table (as shown, with this deadline) in the
        background."""
        if self.jobs.busy():
            return
        if self.status is None:
            self.refresh()
        if self.status is None:
            return
        period = self.status.period
        out = bureau_common.choose_save(
            self,
            "导出上报情况",
            f"上报情况_{period}.xlsx",
            "Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)",
            (".xlsx", ".csv"),
        )
        if out is None:
            return
        self.jobs.start(
            "导出上报情况",
            functools.partial(
                ops.export_status, period=period, out=out, deadline_day=self.deadline.value()
            ),
            lambda _status: messages.info(self, f"已导出到 {out}", "导出完成"),
        )

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        self.refresh()
