"""待办随访: who is due or overdue in a date range, filterable, counted, printable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core import schedules as sch
from ..core.dates import DateError, age_text, parse_date
from ..core.forms import PACKAGES
from ..core.masking import mask_phone
from ..core.resident import headers
from ..reports.worklist_rows import week_of
from ..storage.db import Store
from ..storage.organisation import villages
from ..storage.worklist import REFERRAL_GROUP, WorkItem
from ..storage.workspace import Workspace
from . import worklist_export
from .jobs import JobRunner
from .resident_model import SEX, phone_text
from .row_table import RowTableModel
from .worklist_export import Shown

COLUMNS = (
    "状态",
    *headers("name", "sex", "age", "village", "phone"),
    "服务项目",
    "服务包",
    "时间窗",
    "完成日期",
)
STATUS_COLOURS = {
    sch.OVERDUE: "#c62828",
    sch.DUE: "#b26a00",
    sch.DONE: "#808080",
    sch.LOST: "#808080",
    sch.CLOSED: "#808080",
}


class WorklistModel(RowTableModel[WorkItem]):
    """The items; phone numbers in full for a user with ``phones.view`` logged in on
    ``store`` (those who phone residents), masked for the others and without a store."""

    def __init__(
        self, village_names: dict[str, str], on: dt.date, store: Store | None = None
    ) -> None:
        super().__init__(COLUMNS)
        self.village_names = village_names
        self.on = on
        self.store = store

    @property
    def items(self) -> list[WorkItem]:
        return self.rows

    def set_items(self, items: list[WorkItem], on: dt.date) -> None:
        self.on = on
        self.set_rows(items)

    def cell(self, row: WorkItem, position: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and row.status in STATUS_COLOURS:
            return QColor(STATUS_COLOURS[row.status])
        return None

    def text(self, item: WorkItem, column: int) -> str:
        r, due = item.resident, item.due
        birth = r["birth_date"]
        cells = (
            item.status,
            r["name"],
            SEX.get(r["sex"] or "", ""),
            age_text(dt.date.fromisoformat(birth), self.on) if birth else "",
            self.village_names.get(r["village_code"], r["village_code"] or ""),
            phone_text(self.store, r["phone"]) if self.store else mask_phone(r["phone"]),
            due.label,
            item.package,
            f"{due.start.isoformat()} 至 {due.end.isoformat()}",
            due.done.isoformat() if due.done else "",
        )
        return cells[column]


class WorklistPage(QWidget):
    sig_open_resident = Signal(int)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        today = dt.date.today()
        monday, sunday = week_of(today)
        self.start = QLineEdit(monday.isoformat())
        self.start.setObjectName("worklist_start")
        self.end = QLineEdit(sunday.isoformat())
        self.end.setObjectName("worklist_end")
        self.package = QComboBox()
        self.package.addItem("全部服务包", None)
        for p in (*PACKAGES[:3], REFERRAL_GROUP):
            self.package.addItem(p, p)
        self.village = QComboBox()
        self.village.addItem("全部居委/村委", None)
        for v in villages(ws.store):
            self.village.addItem(f"{v.code} {v.name}", v.code)
        self.doctor = QComboBox()
        self.doctor.setObjectName("worklist_doctor")
        self._fill_doctors()
        self.status = QComboBox()
        self.status.addItem("应访和逾期", [sch.DUE, sch.OVERDUE])
        for s in (sch.OVERDUE, sch.DUE, sch.DONE, sch.LOST):
            self.status.addItem(s, [s])
        self.status.addItem("全部", None)
        show = QPushButton("查询 (Enter)")
        show.clicked.connect(self.refresh)
        week = QPushButton("本周")
        week.clicked.connect(lambda: self._range(*week_of(dt.date.today())))
        month = QPushButton("本月")
        first = today.replace(day=1)
        month.clicked.connect(
            lambda: self._range(first, sch.add_months(first, 1) - dt.timedelta(days=1))
        )
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        filters = QHBoxLayout()
        for w in (
            QLabel("从"),
            self.start,
            QLabel("到"),
            self.end,
            week,
            month,
            self.package,
            self.village,
            self.doctor,
            self.status,
            show,
        ):
            filters.addWidget(w)
        filters.addStretch()
        self.model = WorklistModel({v.code: v.name for v in villages(ws.store)}, today, ws.store)
        self.table = QTableView()
        self.table.setObjectName("worklist_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((50, 80, 44, 44, 120, 100, 190, 70, 190)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.counts = QLabel()
        self.notice = QLabel()
        self.shown: Shown | None = None
        self.jobs = JobRunner(ws, self)
        self.print_button = QPushButton("打印 (Ctrl+P)")
        self.print_button.clicked.connect(self.print_list)
        self.export_button = QPushButton("导出表格")
        self.export_button.clicked.connect(self.export_table)
        bottom = QHBoxLayout()
        for w in (self.counts, self.notice):
            bottom.addWidget(w)
        bottom.addStretch()
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_list)
        for edit in (self.start, self.end):
            edit.returnPressed.connect(self.refresh)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), self.table, activated=self.open_current)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        for combo in (self.package, self.village, self.doctor, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())

    def _fill_doctors(self) -> None:
        """The 责任医生 list, kept current (archives are edited on another page)."""
        chosen = self.doctor.currentData()
        self.doctor.blockSignals(True)
        self.doctor.clear()
        self.doctor.addItem("全部责任医生", None)
        for name in self.ws.worklist.doctors():
            self.doctor.addItem(name, name)
        self.doctor.setCurrentIndex(max(self.doctor.findData(chosen), 0))
        self.doctor.blockSignals(False)

    def _range(self, start: dt.date, end: dt.date) -> None:
        self.start.setText(start.isoformat())
        self.end.setText(end.isoformat())
        self.refresh()

    def refresh(self) -> None:
        try:
            start, end = parse_date(self.start.text()), parse_date(self.end.text())
        except DateError as exc:
            self.error.setText(f"日期：{exc}")
            return
        if end < start:
            self.error.setText("结束日期不能早于开始日期")
            return
        self.error.setText("")
        on = dt.date.today()
        packages = [self.package.currentData()] if self.package.currentData() else None
        items = self.ws.worklist.items(
            start,
            end,
            on,
            packages=packages,
            village=self.village.currentData(),
            statuses=self.status.currentData(),
            doctor=self.doctor.currentData(),
        )
        self.model.set_items(items, on)
        village = self.village.currentText() if self.village.currentData() else None
        self.shown = Shown(
            items,
            start,
            end,
            on,
            packages,
            village,
            self.status.currentData(),
            self.doctor.currentData(),
            self.village.currentData(),
        )
        counts: dict[str, set[int]] = {}
        for i in items:
            counts.setdefault(i.status, set()).add(i.resident["id"])
        self.counts.setText(
            "　".join(f"{s} {len(ids)} 人" for s, ids in counts.items()) or "没有待办随访"
        )

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._fill_doctors()
        self.refresh()  # always current: entries made elsewhere show at once

    def print_list(self) -> None:
        """Print the rows shown, with the range and filters they were queried with."""
        if self.shown is not None:
            worklist_export.print_shown(self, self.jobs, self.shown)

    def export_table(self) -> None:
        """Save the rows shown as a CSV table for Excel."""
        if self.shown is not None:
            count = len(self.shown.items)
            self.notice.setText("")
            worklist_export.export_shown(
                self,
                self.jobs,
                self.shown,
                on_saved=lambda out: self.notice.setText(f"已导出 {count} 行到 {out}"),
            )

    def open_current(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.model.items):
            self.sig_open_resident.emit(int(self.model.items[row].resident["id"]))
