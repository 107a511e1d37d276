"""盘点: the yearly stocktake, marked asset by asset from the keyboard, and its printout.

In the list: 1 找到, 2 缺失, 3 状态变化 (asks the status found and a note), 4 备注; each
mark moves to the next asset. Ctrl+N starts a stocktake, Ctrl+P prints the result.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..ops import documents
from ..reports.stocktake_pdf import file_name
from ..storage.db import StoreError
from ..storage.equipment import STATUSES
from ..storage.equipment_stocktake import (
    CHANGED,
    FOUND,
    MISSING,
    StocktakeItem,
    StocktakeResult,
    Stocktakes,
)
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from . import messages, printing
from .entity_editor import EntityEditor
from .equipment_models import GREY, RED, SORT_ROLE, Column, RowsModel
from .error_text import ErrorLabel
from .file_jobs import save_file
from .jobs import JobRunner
from .selection import keep_selection, select_first_if_none, select_key
from .widgets import dialog_buttons

COLUMNS: list[Column[StocktakeItem]] = [
    Column("资产编号", lambda i: str(i.asset["asset_no"])),
    Column("设备名称", lambda i: str(i.asset["name"])),
    Column("类别", lambda i: i.asset.category_label),
    Column("存放地点", lambda i: i.asset["location"] or ""),
    Column("账面状态", lambda i: i.asset.status_label),
    Column("盘点结果", lambda i: i.result_label, lambda i: i.result or "0"),
    Column("实际状态", lambda i: i.observed_label),
    Column("备注", lambda i: i.note or ""),
]
KEYS = {Qt.Key.Key_1: FOUND, Qt.Key.Key_2: MISSING, Qt.Key.Key_3: CHANGED, Qt.Key.Key_4: None}


def _item_color(item: StocktakeItem) -> Any:
    return RED if item.result == MISSING else GREY if item.result == FOUND else None


class ItemsModel(RowsModel[StocktakeItem]):
    """A stocktake's lines; a line is its asset (the selection follows the asset)."""

    def row_key(self, row: StocktakeItem) -> int:
        return row.asset.id


class MarkDialog(QDialog):
    """The status found (for 状态变化) and a note; ``on_save(status, note)`` writes and
    raises ValidationFailed to keep the dialog open with the message at the field."""

    def __init__(
        self, item: StocktakeItem, with_status: bool, on_save: Any, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("状态变化" if with_status else "备注")
        self.on_save = on_save
        self.with_status = with_status
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                f"{item.asset['asset_no']} {item.asset['name']}　账面状态："
                f"{item.asset.status_label}"
            )
        )
        self.status = QComboBox()
        self.status.setObjectName("field_observed_status")
        self.status.addItem("", None)
        for code, label in STATUSES.items():
            self.status.addItem(f"{code} {label}", code)
        self.status.setCurrentIndex(max(self.status.findData(item.observed_status), 0))
        self.status_error = ErrorLabel()  # no room taken until there is an error
        self.note = QLineEdit(item.note or "")
        self.note.setObjectName("field_note")
        self.note.setMaxLength(200)
        self.note_error = ErrorLabel()
        if with_status:
            form.addRow("实际状态＊", self.status)
            form.addRow("", self.status_error)
        form.addRow("备注", self.note)
        form.addRow("", self.note_error)
        self.buttons = dialog_buttons(self, "确定 (Enter)", "取消 (Esc)", self.save)
        form.addRow(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("中" * 32))  # room for a note
        (self.status if with_status else self.note).setFocus()

    def save(self) -> None:
        try:
            self.on_save(self.status.currentData(), self.note.text().strip() or None)
        except ValidationFailed as exc:
            self.status_error.setText(exc.errors.get("observed_status", ""))
            others = [m for k, m in exc.errors.items() if k != "observed_status"]
            self.note_error.setText("；".join(others))
            return
        self.accept()


class _MarkKeys(QObject):
    def __init__(self, tab: StocktakeTab) -> None:
        super().__init__(tab)
        self.tab = tab

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in KEYS
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self.tab.mark_key(KEYS[Qt.Key(event.key())])
            return True
        return False


class StocktakeTab(QWidget):
    sig_changed = Signal()

    def __init__(
        self, ws: Workspace, stocktakes: Stocktakes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.stocktakes = stocktakes
        self.dialog: QDialog | None = None
        self.result: StocktakeResult | None = None
        self.jobs = JobRunner(ws, self)
        self.box = QComboBox()
        self.box.setObjectName("stocktake_box")
        self.info = QLabel()
        self.info.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("盘点："))
        top.addWidget(self.box, 1)
        for text, slot in (
            ("开始盘点 (Ctrl+N)…", self.start),
            ("修改盘点信息…", self.edit),
            ("结束盘点…", self.finish),
            ("打印 (Ctrl+P)", self.print_result),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            top.addWidget(button)
        marks = QHBoxLayout()
        for text, result in (
            ("找到 (1)", FOUND),
            ("缺失 (2)", MISSING),
            ("状态变化 (3)…", CHANGED),
            ("备注 (4)…", None),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, r=result: self.mark_key(r))
            marks.addWidget(button)
        register = QPushButton("登记状态变更…")
        register.setToolTip("把“状态变化”的结果登记到设备台账（日期为盘点日期）")
        register.clicked.connect(self.register_change)
        marks.addWidget(register)
        self.open_only = QCheckBox("只看未盘")
        self.open_only.toggled.connect(lambda _on: self.show_items())
        marks.addWidget(self.open_only)
        marks.addStretch()
        self.model = ItemsModel(COLUMNS, _item_color)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("stocktake_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        keep_selection(self.table)  # a reload keeps the asset selected, wherever it sorts
        self.table.installEventFilter(_MarkKeys(self))
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addLayout(marks)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.start)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_result)
        self.box.currentIndexChanged.connect(lambda _i: self.load())
        self.refresh()

    # ---- reading -----------------------------------------------------------------
    @property
    def stocktake_id(self) -> int | None:
        data = self.box.currentData()
        return int(data) if data is not None else None

    def refresh(self, select: int | None = None) -> None:
        """Reload the list of stocktakes (latest first) and the chosen one."""
        keep = select if select is not None else self.stocktake_id
        self.box.blockSignals(True)
        self.box.clear()
        for s in self.stocktakes.rows():
            state = f"已结束 {s['finished_date'].isoformat()}" if s["finished_date"] else "进行中"
            self.box.addItem(
                f"{s['year']}年度（{s['stocktake_date'].isoformat()}，{state}）", s["id"]
            )
        index = self.box.findData(keep) if keep is not None else 0
        self.box.setCurrentIndex(max(index, 0))
        self.box.blockSignals(False)
        self.load()

    def load(self, select: int | None = None) -> None:
        """Show the chosen stocktake; the asset ``select`` (by id) is then selected, else
        the one selected before, else the first."""
        sid = self.stocktake_id
        self.result = self.stocktakes.result(sid) if sid is not None else None
        if self.result is None:
            self.info.setText("尚未开始任何盘点。按 Ctrl+N 开始本年度盘点。")
        else:
            v = self.result.values
            state = (
                f"已于 {v['finished_date'].isoformat()} 结束，结果不能再修改"
                if self.result.finished
                else "进行中：选中设备后按 1 找到、2 缺失、3 状态变化、4 备注，自动跳到下一台"
            )
            self.info.setText(
                f"盘点日期 {v['stocktake_date'].isoformat()}　盘点人 "
                f"{v['checker'] or ''}　负责人 {v['supervisor'] or ''}　{state}"
            )
        self.show_items(select)

    def show_items(self, select: int | None = None) -> None:
        items = self.result.items if self.result else []
        if self.open_only.isChecked():
            items = [i for i in items if i.result is None]
        self.model.set_rows(items)
        self.table.resizeColumnsToContents()
        if self.result:
            counts = "，".join(f"{k} {v}" for k, v in self.result.counts.items())
            self.count.setText(f"共 {self.result.total} 台：{counts}")
        else:
            self.count.setText("")
        if select is not None:
            select_key(self.table, select)
        select_first_if_none(self.table)

    def current(self) -> StocktakeItem | None:
        index = self.table.currentIndex()
        return self.model.row_at(self.proxy.mapToSource(index).row()) if index.isValid() else None

    # ---- marking -----------------------------------------------------------------
    def mark_key(self, result: str | None) -> None:
        """1/2 mark at once; 3 and 4 ask first. The selection then moves on."""
        item, sid = self.current(), self.stocktake_id
        if item is None or sid is None:
            return
        next_asset = self._next_asset()
        if result in (FOUND, MISSING):
            try:
                self.stocktakes.mark(sid, item.asset.id, result, None, item.note)
            except (ValidationFailed, StoreError) as exc:
                messages.error(self, _text(exc))
                return
            self._after_mark(next_asset)
            return
        if result is None and item.result is None:
            messages.info(self, "请先标记盘点结果（1 找到、2 缺失、3 状态变化），再填写备注。")
            return

        def save(status: str | None, note: str | None) -> None:
            mark_as = CHANGED if result == CHANGED else item.result
            assert mark_as is not None
            self.stocktakes.mark(
                sid,
                item.asset.id,
                mark_as,
                status if mark_as == CHANGED else item.observed_status,
                note,
            )

        dialog = MarkDialog(item, result == CHANGED, save, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._after_mark(next_asset))
        dialog.open()

    def _next_asset(self) -> int | None:
        """The asset listed after the selected one (the selected one at the end): where
        the selection moves once the selected one is marked."""
        row = self.table.currentIndex().row()
        for position in (row + 1, row):
            index = self.proxy.mapToSource(self.proxy.index(position, 0))
            item = self.model.row_at(index.row()) if index.isValid() else None
            if item is not None:
                return item.asset.id
        return None

    def _after_mark(self, asset_id: int | None) -> None:
        self.load(asset_id)
        self.table.setFocus()
        self.sig_changed.emit()

    # ---- the stocktake itself ----------------------------------------------------
    def _open(self, record_id: int | None, initial: dict[str, object] | None = None) -> None:
        editor = EntityEditor(
            self.ws,
            self.stocktakes.repo,
            record_id,
            header="每年盘点一次：核对台账上的每台设备是否在位、状态是否一致",
            initial=initial,
            parent=self,
        )
        self.dialog = editor
        editor.accepted.connect(
            lambda: self.refresh(editor.change.record_id if editor.change else None)
        )
        editor.open()

    def start(self) -> None:
        open_ones = [s for s in self.stocktakes.rows() if s["finished_date"] is None]
        if open_ones:
            messages.info(self, f"{open_ones[0]['year']}年度的盘点尚未结束，请先完成并结束它。")
            return
        today = dt.date.today()
        self._open(None, {"year": today.year, "checker": self.ws.store.user})

    def edit(self) -> None:
        if self.stocktake_id is not None:
            self._open(self.stocktake_id)

    def finish(self) -> None:
        sid, result = self.stocktake_id, self.result
        if sid is None or result is None or result.finished:
            return
        counts = "，".join(f"{k} {v}" for k, v in result.counts.items())
        if not messages.ask(
            self,
            f"结束 {result.values['year']}年度盘点？（{counts}）\n结束后结果不能再修改。",
            "结束盘点",
        ):
            return
        try:
            self.stocktakes.finish(sid, dt.date.today())
        except (ValidationFailed, StoreError) as exc:
            messages.error(self, _text(exc), "不能结束盘点")
            return
        self.refresh(sid)
        self.sig_changed.emit()

    def register_change(self) -> None:
        """Open the status change form for a 状态变化 line, dated the stocktake date."""
        item, result = self.current(), self.result
        if item is None or result is None:
            return
        if item.result != CHANGED or item.observed_status is None:
            messages.info(self, "所选设备的盘点结果不是“状态变化”。")
            return
        equipment = self.stocktakes.equipment
        note = f"盘点发现：{item.note}" if item.note else "盘点发现"
        editor = EntityEditor(
            self.ws,
            equipment.statuses,
            header=f"{item.asset['asset_no']} "
            f"{item.asset['name']}　账面状态 {item.asset.status_label}",
            parent=self,
            initial={
                "asset_id": str(item.asset.id),
                "status": item.observed_status,
                "status_date": result.values["stocktake_date"],
                "reason": note,
            },
        )
        self.dialog = editor
        editor.accepted.connect(self._after_register)
        editor.open()

    def _after_register(self) -> None:
        self.load()
        self.sig_changed.emit()

    def print_result(self) -> bool:
        if self.result is None:
            messages.info(self, "尚未开始任何盘点。")
            return False
        org = self.ws.organisation
        return print_stocktake(self, self.jobs, self.result, org.name if org else "")


def _text(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed):
        return "；".join(exc.errors.values())
    return str(exc)


def print_stocktake(
    parent: QWidget, runner: JobRunner, result: StocktakeResult, org_name: str
) -> bool:
    """Save the stocktake result as a PDF where the user says and open it, in the
    background; False when cancelled (the user is told about failures)."""
    out = printing.choose_path(parent, file_name(result))
    if out is None:
        return False
    return save_file(
        parent,
        runner,
        "打印盘点结果",
        partial(documents.stocktake_pdf, result=result, out=out, org_name=org_name),
        open_pdf=lambda p: printing.open_pdf(p),
        failure_title="无法打印",
    )
