"""标准配置清单 and 统计: what the standard list asks against what the station has, and
the register's figures on a date (the same function the quarterly report uses)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.equipment_checklist import ChecklistError, read_checklist
from ..paths import resources_dir
from ..storage.db import StoreError
from ..storage.equipment import STATUSES, ChecklistRow, Equipment
from . import messages
from .equipment_models import GREY, RED, Column, RowsModel
from .equipment_register import money

STANDARD_FILE = "village_clinic_equipment.toml"


def standard_checklist_path() -> Path:
    return resources_dir() / "checklists" / STANDARD_FILE


def choose_checklist_file(parent: QWidget | None) -> Path | None:
    """Ask for a checklist file (a bureau's list); None when cancelled. A module
    function so tests replace it instead of driving a modal dialog."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent, "选择标准配置清单文件", str(Path.home()), "清单文件 (*.toml)"
    )
    return Path(chosen) if chosen else None


def _state(row: ChecklistRow) -> str:
    if not row.missing:
        return "已配齐" + (f"（{row.in_repair} 台维修中）" if row.in_repair else "")
    return f"缺 {row.missing}" if row.required else "未配（选配）"


CHECKLIST_COLUMNS: list[Column[ChecklistRow]] = [
    Column("编号", lambda r: r.code),
    Column("设备名称", lambda r: r.name),
    Column("类别", lambda r: r.category_label),
    Column("要求", lambda r: r.level_label),
    Column("应配", lambda r: str(r.quantity), lambda r: r.quantity, right=True),
    Column("现有", lambda r: str(r.have), lambda r: r.have, right=True),
    Column("情况", _state),
    Column("说明", lambda r: r.note or ""),
]


def _checklist_color(row: ChecklistRow):  # type: ignore[no-untyped-def]
    if row.missing and row.required:
        return RED
    return GREY if row.missing else None


class ChecklistTab(QWidget):
    """The loaded checklist against today's register; load the bundled or a bureau's list."""

    def __init__(self, equipment: Equipment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.equipment = equipment
        self.info = QLabel()
        self.info.setWordWrap(True)
        load = QPushButton("载入标准清单")
        load.setToolTip("载入程序自带的村卫生室基本设备配置清单")
        load.clicked.connect(lambda: self.load(standard_checklist_path()))
        load_file = QPushButton("从文件载入…")
        load_file.setToolTip("载入卫生健康局下发的清单文件（.toml），按项目编号更新")
        load_file.clicked.connect(self.load_from_file)
        row = QHBoxLayout()
        row.addWidget(self.info, 1)
        row.addWidget(load)
        row.addWidget(load_file)
        self.model: RowsModel[ChecklistRow] = RowsModel(CHECKLIST_COLUMNS, _checklist_color)
        self.table = QTableView()
        self.table.setObjectName("checklist_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.count = QLabel()
        # "必配 24 项…缺 9 项：…" is long: it wraps, never widening the window.
        self.count.setWordWrap(True)
        hint = QLabel(
            "设备计入清单项目的方法：在“设备台账”中修改设备，选择“对应标准清单项目”。"
            "在用和维修中的设备计为现有；停用、报废的不计。"
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(hint)
        self.refresh()

    def refresh(self) -> None:
        info = self.equipment.checklist_info()
        rows = self.equipment.checklist_status(dt.date.today())
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        if info is None:
            self.info.setText(
                "尚未载入标准配置清单。点“载入标准清单”载入村卫生室基本设备清单，"
                "或载入卫生健康局下发的清单文件。"
            )
            self.count.setText("")
            return
        self.info.setText(
            f"{info['title']}（{info.get('version') or ''}，{info['loaded']} 载入）"
            f"\n来源：{info.get('source') or '未注明'}"
        )
        required = [r for r in rows if r.required]
        missing = [r for r in required if r.missing]
        names = "、".join(r.name for r in missing)
        self.count.setText(
            f"必配 {len(required)} 项，已配齐 {len(required) - len(missing)} 项，"
            f"缺 {len(missing)} 项" + (f"：{names}" if names else "")
        )

    def load(self, path: Path) -> None:
        try:
            checklist = read_checklist(path)
            result = self.equipment.load_checklist(checklist, dt.date.today())
        except (ChecklistError, StoreError) as exc:
            messages.error(self, str(exc), "无法载入清单")
            return
        self.refresh()
        messages.info(
            self,
            f"已载入“{result.title}”：新增 {result.added} 项，更新 "
            f"{result.updated} 项，移除 {result.removed} 项。",
            "已载入清单",
        )

    def load_from_file(self) -> None:
        path = choose_checklist_file(self)
        if path is not None:
            self.load(path)


class SummaryTab(QWidget):
    """Counts by category and status, values, and missing items on a chosen date."""

    def __init__(self, equipment: Equipment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.equipment = equipment
        self.on = QDateEdit(QDate.currentDate())
        self.on.setObjectName("summary_date")
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.on.setCalendarPopup(True)
        self.on.dateChanged.connect(lambda _d: self.refresh())
        row = QHBoxLayout()
        row.addWidget(QLabel("统计日期："))
        row.addWidget(self.on)
        row.addStretch()
        self.table = QTableWidget()
        self.table.setObjectName("summary_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        self.refresh()

    def refresh(self) -> None:
        s = self.equipment.summary(self.on.date().toPython())
        headers = [*STATUSES.values(), "在账合计", "在账原值（元）"]
        categories = list(s.by_category)
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(categories) + 1)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setVerticalHeaderLabels([*categories, "合计"])
        for r, category in enumerate(categories):
            cells = [
                *(str(n) for n in s.by_category_status[category].values()),
                str(s.by_category[category]),
                money(s.value_by_category[category]),
            ]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, _number(text))
        totals = [*(str(n) for n in s.by_status.values()), str(s.total), money(s.total_value)]
        for c, text in enumerate(totals):
            self.table.setItem(len(categories), c, _number(text))
        self.table.resizeColumnsToContents()
        missing = "、".join(s.missing_items) if s.missing_items else "无（或尚未载入标准清单）"
        self.totals.setText(
            f"{s.on.isoformat()}：在用设备 {s.in_use} 台，原值 {money(s.in_use_value)} 元；"
            f"在账（不含报废）{s.total} 台，原值 {money(s.total_value)} 元。\n"
            f"标准清单中缺少的必配设备：{missing}"
        )


def _number(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
