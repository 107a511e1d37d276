"""设备台账: the asset register with each asset's history (status changes, maintenance).

Keyboard: Ctrl+N new asset, Enter edit, Ctrl+T change status, Ctrl+M add maintenance,
Alt+D delete; in the history list Enter edits the record and Delete removes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.equipment_checklist import CATEGORIES
from ..storage.db import StoreError
from ..storage.entities import EntityRepo
from ..storage.equipment import STATUSES, Asset, Equipment
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from . import messages
from .entity_editor import EntityEditor
from .equipment_models import GREY, RED, SORT_ROLE, Column, RowsModel
from .guard import deleting
from .selection import keep_selection


def money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


COLUMNS: list[Column[Asset]] = [
    Column("资产编号", lambda a: str(a["asset_no"])),
    Column("设备名称", lambda a: str(a["name"])),
    Column("类别", lambda a: a.category_label, lambda a: a["category"] or ""),
    Column("规格型号", lambda a: a["model"] or ""),
    Column("购置日期", lambda a: _date(a["purchase_date"])),
    Column("价格（元）", lambda a: money(a["price"]), lambda a: a.price, right=True),
    Column("存放地点", lambda a: a["location"] or ""),
    Column("责任人", lambda a: a["responsible"] or ""),
    Column("状态", lambda a: a.status_label, lambda a: a.status),
    Column("状态日期", lambda a: _date(a.status_date)),
]


def _asset_color(asset: Asset) -> Any:
    return RED if asset.status == "2" else GREY if asset.status in ("3", "4") else None


class RegisterTab(QWidget):
    """``sig_changed`` after any write, so the other tabs refresh."""

    sig_changed = Signal()

    def __init__(self, ws: Workspace, equipment: Equipment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.equipment = equipment
        self.dialog: QDialog | None = None
        self.search = QLineEdit()
        self.search.setObjectName("equipment_search")
        self.search.setPlaceholderText("资产编号、名称、型号或存放地点")
        self.search.setClearButtonEnabled(True)
        self.category = QComboBox()
        self.category.addItem("全部类别", None)
        for code, label in CATEGORIES.items():
            self.category.addItem(label, code)
        self.status = QComboBox()
        self.status.addItem("全部状态", None)
        for code, label in STATUSES.items():
            self.status.addItem(label, code)
        buttons = [
            ("新增 (Ctrl+N)", self.add),
            ("修改 (Enter)", self.edit_current),
            ("变更状态 (Ctrl+T)", self.change_status),
            ("维修保养 (Ctrl+M)", self.add_maintenance),
            ("删除(&D)…", self.delete_current),
        ]
        row = QHBoxLayout()
        for w in (self.search, self.category, self.status):
            row.addWidget(w)
        for text, slot in buttons:
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        self.model: RowsModel[Asset] = RowsModel(COLUMNS, _asset_color)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("equipment_table")
        self.table.setModel(self.proxy)
        keep_selection(self.table)  # a refresh keeps the selected asset, by id
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda _i: self.edit_current())
        self.count = QLabel()
        self.detail_title = QLabel()
        self.history = QTableWidget(0, 5)
        self.history.setObjectName("equipment_history")
        self.history.setHorizontalHeaderLabels(["日期", "事项", "内容", "费用（元）", "结果/原因"])
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.itemActivated.connect(lambda _i: self.edit_history())
        self.history_rows: list[tuple[str, int | None]] = []
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.history, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        layout.addWidget(self.count)
        for keys, slot in (
            ("Ctrl+N", self.add),
            ("Ctrl+T", self.change_status),
            ("Ctrl+M", self.add_maintenance),
        ):
            QShortcut(QKeySequence(keys), self, activated=slot)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.history,
            activated=self.delete_history,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.category.currentIndexChanged.connect(lambda _i: self.refresh())
        self.status.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_history())
        self.refresh()

    # ---- the list ----------------------------------------------------------------
    def refresh(self, select: int | None = None) -> None:
        """Reload the list (today's status), keep or move the selection to ``select``."""
        current = self.current()
        keep = select if select is not None else (current.id if current else None)
        assets = self.equipment.register()
        text = self.search.text().strip().lower()
        category, status = self.category.currentData(), self.status.currentData()
        shown = [
            a
            for a in assets
            if (
                not text
                or any(
                    text in str(a[k] or "").lower()
                    for k in ("asset_no", "name", "model", "location")
                )
            )
            and (category is None or a["category"] == category)
            and (status is None or a.status == status)
        ]
        self.model.set_rows(shown)
        self.table.resizeColumnsToContents()
        by_status = {label: 0 for label in STATUSES.values()}
        for a in assets:
            by_status[a.status_label] += 1
        value = sum(a.price for a in assets if a.status != "4")
        parts = "，".join(f"{k} {v}" for k, v in by_status.items())
        filtered = f"显示 {len(shown)} 台；" if len(shown) != len(assets) else ""
        self.count.setText(
            f"{filtered}共 {len(assets)} 台（{parts}），在账原值合计 {money(value)} 元"
        )
        self.select(keep)
        self.show_history()

    def select(self, asset_id: int | None) -> None:
        for r in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(r, 0))
            asset = self.model.row_at(source.row())
            if asset is not None and (asset_id is None or asset.id == asset_id):
                self.table.selectRow(r)
                self.table.setCurrentIndex(self.proxy.index(r, 0))
                return

    def current(self) -> Asset | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def _need_current(self) -> Asset | None:
        asset = self.current()
        if asset is None:
            messages.info(self, "请先在列表中选中一台设备。")
        return asset

    # ---- the selected asset's history --------------------------------------------
    def show_history(self) -> None:
        asset = self.current()
        self.history.setRowCount(0)
        self.history_rows = []
        if asset is None:
            self.detail_title.setText("履历：未选中设备")
            return
        self.detail_title.setText(
            f"履历：{asset['asset_no']} {asset['name']}　当前状态：{asset.status_label}"
            f"（自 {_date(asset.status_date)}）"
        )
        entries: list[tuple[str, str, str, str, str, str, int | None]] = [
            (
                _date(asset["purchase_date"]),
                "购置",
                asset["manufacturer"] or "",
                money(asset["price"]),
                "在用",
                "",
                None,
            )
        ]
        for s in self.equipment.status_history(asset.id):
            entries.append(
                (
                    _date(s["status_date"]),
                    "状态变更",
                    f"→ {STATUSES[s['status']]}",
                    "",
                    s["reason"] or "",
                    "status",
                    s["id"],
                )
            )
        form = self.equipment.maintenance.form
        for m in self.equipment.maintenance_log(asset.id):
            kind = form.field("kind").choice_labels.get(m["kind"], "")
            result = form.field("result").choice_labels.get(m["result"], "")
            content = "；".join(x for x in (m["content"], m["done_by"]) if x)
            entries.append(
                (
                    _date(m["maint_date"]),
                    kind,
                    content,
                    money(m["cost"]),
                    result,
                    "maintenance",
                    m["id"],
                )
            )
        entries.sort(key=lambda e: e[0])
        self.history.setRowCount(len(entries))
        for r, entry in enumerate(entries):
            for c, text in enumerate(entry[:5]):
                self.history.setItem(r, c, QTableWidgetItem(text))
            self.history_rows.append((entry[5], entry[6]))
        self.history.resizeColumnsToContents()

    def _history_repo(self, kind: str) -> EntityRepo:
        return self.equipment.statuses if kind == "status" else self.equipment.maintenance

    def edit_history(self) -> None:
        row = self.history.currentRow()
        asset = self.current()
        if asset is None or not 0 <= row < len(self.history_rows):
            return
        kind, record_id = self.history_rows[row]
        if record_id is None:
            self.edit_current()
            return
        self._open(self._history_repo(kind), record_id, self._asset_header(asset), asset.id)

    def delete_history(self) -> None:
        row = self.history.currentRow()
        if not 0 <= row < len(self.history_rows) or self.history_rows[row][1] is None:
            return
        kind, record_id = self.history_rows[row]
        what = "状态变更" if kind == "status" else "维修保养记录"
        reason = messages.ask_text(
            self, f"删除所选{what}（记录保留并标记为已删除）。请填写原因：", f"删除{what}"
        )
        if not reason:
            return
        assert record_id is not None
        repo = self._history_repo(kind)
        self._write(lambda: deleting(self.ws, lambda: repo.delete(record_id, reason)))

    # ---- actions -----------------------------------------------------------------
    def _asset_header(self, asset: Asset) -> str:
        return (
            f"{asset['asset_no']} {asset['name']}　购置日期 {_date(asset['purchase_date'])}"
            f"　当前状态 {asset.status_label}（自 {_date(asset.status_date)}）"
        )

    def _open(
        self,
        repo: EntityRepo,
        record_id: int | None,
        header: str,
        select: int | None,
        initial: dict[str, object] | None = None,
    ) -> None:
        editor = EntityEditor(self.ws, repo, record_id, header=header, initial=initial, parent=self)
        self.dialog = editor

        def saved() -> None:
            new = (
                editor.change.record_id
                if editor.change and repo is self.equipment.assets
                else select
            )
            self.refresh(new)
            self.sig_changed.emit()

        editor.accepted.connect(saved)
        editor.open()

    def add(self) -> None:
        self._open(self.equipment.assets, None, "新设备登记：资产编号不能与已有设备重复", None)

    def edit_current(self) -> None:
        asset = self._need_current()
        if asset is not None:
            self._open(self.equipment.assets, asset.id, self._asset_header(asset), asset.id)

    def change_status(self) -> None:
        asset = self._need_current()
        if asset is not None:
            self._open(
                self.equipment.statuses,
                None,
                self._asset_header(asset),
                asset.id,
                {"asset_id": str(asset.id)},
            )

    def add_maintenance(self) -> None:
        asset = self._need_current()
        if asset is not None:
            self._open(
                self.equipment.maintenance,
                None,
                self._asset_header(asset),
                asset.id,
                {"asset_id": str(asset.id)},
            )

    def delete_current(self) -> None:
        asset = self._need_current()
        if asset is None:
            return
        reason = messages.ask_text(
            self,
            f"删除设备 {asset['asset_no']} {asset['name']}（登记错误时使用；"
            "报废请用“变更状态”）。记录保留并标记为已删除。请填写原因：",
            "删除设备",
        )
        if reason:
            self._write(
                lambda: deleting(self.ws, lambda: self.equipment.assets.delete(asset.id, reason))
            )

    def _write(self, job: Any) -> None:
        try:
            job()
        except (ValidationFailed, StoreError) as exc:
            messages.error(self, str(exc))
            return
        self.refresh()
        self.sig_changed.emit()
