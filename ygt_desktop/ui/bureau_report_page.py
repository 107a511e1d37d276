"""汇总报表: the bureau's report for a period — its members' current workbooks summed,
rates recomputed, in the background — shown as the station's report table, and written
in the background as the same upward workbook (with the 排名 sheet and ``children``) and PDF.

Keyboard: the period box has focus; F5 recomputes; Ctrl+E writes the workbook, Ctrl+P
the PDF.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core.report_model import Period, PeriodError
from ..ops import bureau as ops
from ..reports.bureau_report import BureauReport
from ..storage.workspace import Workspace
from . import bureau_common, messages
from .bureau_common import period_box, table_view
from .files import choose_path, open_file
from .jobs import JobRunner
from .report_table import ReportTableModel

WORKBOOK, PDF = ops.WORKBOOK, ops.PDF


class BureauReportPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.result: BureauReport | None = None
        self.jobs = JobRunner(ws, self)
        self.period = period_box("bureau_report_period")
        self.period.activated.connect(lambda _i: self.refresh())
        self.period.lineEdit().returnPressed.connect(self.refresh)
        compute = QPushButton("计算 (F5)")
        compute.clicked.connect(self.refresh)
        self.buttons = {}
        for kind, text in ((WORKBOOK, "导出工作簿 (Ctrl+E)…"), (PDF, "导出 PDF (Ctrl+P)…")):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, k=kind: self.export(k))
            self.buttons[kind] = button
        top = QHBoxLayout()
        for w in (QLabel("统计期"), self.period, compute):
            top.addWidget(w)
        top.addStretch()
        for button in self.buttons.values():
            top.addWidget(button)
        self.status = QLabel()
        self.status.setObjectName("bureau_report_status")
        self.status.setWordWrap(True)
        self.model = ReportTableModel()
        self.table = table_view(self.model, "bureau_report_table", (3, 10, 16, 6, 6, 5, 4))
        QShortcut(QKeySequence("F5"), self, activated=self.refresh)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=lambda: self.export(WORKBOOK))
        QShortcut(QKeySequence("Ctrl+P"), self, activated=lambda: self.export(PDF))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)

    def chosen(self) -> Period | None:
        try:
            return bureau_common.chosen_period(self.period)
        except PeriodError as exc:
            self.status.setText(str(exc))
            return None

    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Sum the period in the background; the table follows (then ``then()``)."""
        period = self.chosen()
        if period is None:
            return
        if self.jobs.busy():
            self.status.setText("正在处理上一个操作，请稍候…")
            return
        self.status.setText(f"正在汇总{period.label}各机构的数据…")
        self.jobs.start(
            f"汇总{period.label}",
            functools.partial(ops.district_report, period=period),
            functools.partial(self._computed, then),
            on_failed=self._compute_failed,
            quiet=True,
        )

    def _computed(self, then: Callable[[], None] | None, result: BureauReport) -> None:
        self.result = result
        self.model.set_report(result.report)
        text = result.describe()
        if not result.used:
            text += "。尚未接收到任何工作簿，请先在“导入”页导入"
        self.status.setText(text + "。")
        if then is not None:
            then()

    def _compute_failed(self, message: str, cancelled: bool) -> None:
        self.result = None
        self.model.set_report(None)
        self.status.setText("已取消汇总，按 F5 重新计算。" if cancelled else message)

    def export(self, kind: str) -> None:
        """Sum the period afresh (in the background), ask where, then write in the
        background."""
        if self.chosen() is not None:
            self.refresh(then=functools.partial(self._ask_and_write, kind))

    def _ask_and_write(self, kind: str) -> None:
        assert self.result is not None
        r = self.result.report
        period = r.period
        if not self.result.used:
            messages.info(self, f"{period.label}还没有接收到任何成员机构的工作簿，无法汇总。")
            return
        suffix = ".xlsx" if kind == WORKBOOK else ".pdf"
        out = choose_path(
            self,
            "导出汇总报表",
            f"{r.org_code}_{period}_第{r.revision}版{suffix}",
            "Excel 工作簿 (*.xlsx)" if kind == WORKBOOK else "PDF 文件 (*.pdf)",
            suffix,
        )
        if out is None:
            return
        op = functools.partial(
            ops.write_report,
            period=period,
            xlsx=out if kind == WORKBOOK else None,
            pdf=out if kind == PDF else None,
        )
        self.jobs.start("导出汇总报表", op, self._exported, on_failed=self._failed)

    def _failed(self, message: str, cancelled: bool) -> None:
        if not cancelled:
            messages.error(self, message, "导出失败")

    def _exported(self, files: ops.ReportFiles) -> None:
        self.ws.store.changes_since_backup += 1
        notes = ("\n\n注意：\n" + "\n".join(files.warnings)) if files.warnings else ""
        shown = "\n".join(str(p) for p in files.written)
        messages.info(self, f"已写出：\n{shown}{notes}", "导出完成")
        for out in files.written:
            if out.suffix == ".pdf":
                open_file(out)
        self.refresh()  # the revision written is noted now

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        self.refresh()
