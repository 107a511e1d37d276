"""公卫服务: the station-level logs (健康教育活动, 卫生监督协管) and the way to personal services.

Personal services are entered from a resident's timeline (居民档案 → Enter); this page
keeps the logs that belong to the station, not to a resident.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..storage.db import StoreError
from ..storage.workspace import Workspace
from . import messages
from .guard import deleting, gate
from .service_editor import ServiceEditor
from .table_fit import WIDEST, fit_columns

SHOWN_FIELDS = 5  # first fields of a log shown as columns


class ServicesPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.dialog: QDialog | None = None
        intro = QLabel(
            "个人服务（随访、体检、孕产妇、儿童、中医药等）：在“居民档案”中查找居民"
            "（Ctrl+F），回车打开其服务记录，再按 Ctrl+N 新增。"
            "本页登记机构层面的健康教育活动和卫生监督协管信息。"
        )
        intro.setWordWrap(True)
        self.form_box = QComboBox()
        self.form_box.setObjectName("station_form")
        for form in ws.services.station_forms():
            self.form_box.addItem(f"{form.title}（{form.package}）", form.id)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(dt.date.today().year)
        self.year.setSuffix(" 年")
        add = QPushButton("新增 (Ctrl+N)")
        edit = QPushButton("修改 (Enter)")
        delete = QPushButton("删除(&D)…")
        add.clicked.connect(self.add)
        edit.clicked.connect(self.edit_current)
        delete.clicked.connect(self.delete_current)
        gate(delete, self.ws, "record.delete")
        row = QHBoxLayout()
        for w in (self.form_box, self.year, add, edit, delete):
            row.addWidget(w)
        row.addStretch()
        self.table = QTableWidget()
        self.table.setObjectName("station_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.records: list[dict[str, Any]] = []
        self.fit = fit_columns(self.table, stretch=WIDEST)  # the topic takes the room left
        self.table.itemActivated.connect(lambda _i: self.edit_current())
        self.count = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add)
        self.form_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.refresh()

    @property
    def form_id(self) -> str:
        return str(self.form_box.currentData())

    @property
    def current_id(self) -> int | None:
        """The id of the record selected (None when none is)."""
        row = self.table.currentRow()
        selected = self.table.selectionModel().selectedRows()
        return int(self.records[row]["id"]) if selected and 0 <= row < len(self.records) else None

    def refresh(self, select: int | None = None) -> None:
        """List the chosen log's records of the year; the record ``select`` (by id) is
        then selected, else the one selected before if still listed, else none."""
        if self.form_box.count() == 0:
            return
        keep = select if select is not None else self.current_id
        form = self.ws.forms[self.form_id]
        fields = form.fields[:SHOWN_FIELDS]
        self.records = self.ws.services.station_records(self.form_id, self.year.value())
        self.table.clear()
        self.table.setColumnCount(len(fields))
        self.table.setHorizontalHeaderLabels([f.label for f in fields])
        self.table.setRowCount(len(self.records))
        for r, rec in enumerate(self.records):
            for c, f in enumerate(fields):
                text = f.field_type.display(rec["values"].get(f.id), f)
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.fit.refit()
        ids = [rec["id"] for rec in self.records]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
            self.table.scrollTo(self.table.model().index(ids.index(keep), 0))
        self.count.setText(f"{self.year.value()}年 共 {len(self.records)} 条")

    def _open(self, record_id: int | None) -> None:
        editor = ServiceEditor(self.ws, self.form_id, None, record_id, self)
        self.dialog = editor
        editor.accepted.connect(
            lambda: self.refresh(editor.saved.change.record_id if editor.saved else None)
        )
        editor.open()

    def add(self) -> None:
        self._open(None)

    def edit_current(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.records):
            self._open(self.records[row]["id"])

    def delete_current(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.records):
            messages.info(self, "请先选中一条记录。")
            return
        reason = messages.ask_text(
            self, "删除所选记录（记录保留并标记为已删除）。请填写原因：", "删除记录"
        )
        if reason is None:
            return
        try:
            rec = self.records[row]["id"]
            deleting(self.ws, lambda: self.ws.services.delete(rec, reason))
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.refresh()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.table.hasFocus():
            self.edit_current()
            return
        super().keyPressEvent(event)
