"""审计日志 (站长, 管理员): who changed what, when and why — filtered by user, date,
table and record, the selected row's old and new values below, exported as CSV.

Reading and exporting go through :mod:`ygt_desktop.ops.audit_log` (``audit.view``) in
the background: a station's log holds millions of rows. The list shows the newest
:data:`SHOWN` matching rows; the export writes all of them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.dates import DateError, parse_date
from ..ops import audit_log
from ..ops.base import USER_ERRORS, Run
from ..storage.audit import Entry
from ..storage.workspace import Workspace
from . import files, messages
from .guard import may
from .jobs import JobRunner
from .row_table import RowTableModel
from .selection import keep_selection
from .widgets import error_label

SHOWN = 5000
HEADERS = ("时间", "用户", "数据表", "记录", "操作", "原因")
ALL = "（全部）"


def choose_path(parent: QWidget | None, file_name: str) -> Path | None:
    """Where to write the CSV (tests replace this)."""
    return files.choose_path(parent, "导出审计日志", file_name, "CSV 文件 (*.csv)", ".csv")


def values_text(raw: str | None, labels: Mapping[str, str] | None = None) -> str:
    """A row's JSON values as 'field：value' lines ('—' for none); a field is named by
    its form's label when ``labels`` knows it."""
    if not raw:
        return "—"
    try:
        values = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(values, dict):
        return str(values)
    labels = labels or {}
    lines = (f"{labels.get(k, k)}：{'' if v is None else v}" for k, v in values.items())
    return "\n".join(lines) or "—"


class AuditModel(RowTableModel[Entry]):
    """The log's rows; a row's record is shown by its name (``names``, from
    ``ops.audit_log.named_entries``), its number only where it has none."""

    names: Mapping[tuple[str, int], str] = {}

    def cell(self, row: Entry, position: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.at[:19].replace("T", " "),
                row.user,
                audit_log.table_label(row.table),
                self.record_text(row),
                audit_log.action_label(row.action),
                row.reason or "",
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 3 and row.record_id is not None:
            return f"记录编号 {row.record_id}（可在“记录”框中按编号筛选）"
        if role == Qt.ItemDataRole.ForegroundRole and row.action in (
            "refused",
            "login_failed",
            "login_locked",
        ):
            return Qt.GlobalColor.darkRed
        return None

    def record_text(self, row: Entry) -> str:
        if row.record_id is None:
            return ""
        return self.names.get((row.table, row.record_id)) or f"编号 {row.record_id}"


class AuditPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.jobs = JobRunner(ws, self)
        self.flt: audit_log.Filter | None = None
        # A form's table → its fields' labels: old and new values say 姓名, not name.
        self.field_labels = {f.table: {d.id: d.label for d in f.fields} for f in ws.forms}
        self.loaded = False
        self.user = QComboBox()
        self.user.setObjectName("audit_user")
        self.table_name = QComboBox()
        self.table_name.setObjectName("audit_table")
        self.since = QLineEdit()
        self.since.setObjectName("audit_since")
        self.since.setPlaceholderText("起始日期")
        self.until = QLineEdit()
        self.until.setObjectName("audit_until")
        self.until.setPlaceholderText("截止日期")
        self.record = QLineEdit()
        self.record.setObjectName("audit_record")
        self.record.setPlaceholderText("记录编号")
        for edit in (self.since, self.until, self.record):
            edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("2026-12-31") * 2)
            edit.returnPressed.connect(self.refresh)
        self.query_button = QPushButton("查询")
        self.query_button.setObjectName("audit_query")
        self.query_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("导出 CSV…")
        self.export_button.setObjectName("audit_export")
        self.export_button.clicked.connect(self.export)
        if not may(ws, "audit.view"):  # ops refuses anyway; this saves a refused click
            self.query_button.setEnabled(False)
            self.export_button.setEnabled(False)
        top = QHBoxLayout()
        for label, widget in (
            ("用户", self.user),
            ("数据表", self.table_name),
            ("日期", self.since),
            ("至", self.until),
            ("记录", self.record),
        ):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addWidget(self.query_button)
        top.addStretch()
        top.addWidget(self.export_button)
        self.error = error_label()
        self.count = QLabel()
        self.model = AuditModel(HEADERS, self)
        self.view = QTableView()
        self.view.setObjectName("audit_view")
        self.view.setModel(self.model)
        keep_selection(self.view)  # a refresh keeps the selected entry, by id
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._show_values)
        self.old = QPlainTextEdit()
        self.old.setObjectName("audit_old")
        self.old.setReadOnly(True)
        self.new = QPlainTextEdit()
        self.new.setObjectName("audit_new")
        self.new.setReadOnly(True)
        values = QWidget()
        v_row = QHBoxLayout(values)
        v_row.setContentsMargins(0, 0, 0, 0)
        for title, edit in (("原值", self.old), ("新值", self.new)):
            box = QVBoxLayout()
            box.addWidget(QLabel(title))
            box.addWidget(edit)
            v_row.addLayout(box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(values)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(split, 1)
        layout.addWidget(self.count)

    # ---- filters ---------------------------------------------------------------------

    def _fill_choices(self) -> None:
        try:
            seen, tables = audit_log.choices(Run.plain(self.ws))
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        for combo, items, shown in (
            (self.user, seen, lambda name: name),
            (self.table_name, tables, audit_log.table_label),
        ):
            current = combo.currentData()
            combo.clear()
            combo.addItem(ALL, None)
            for item in items:
                combo.addItem(shown(item), item)  # shown in Chinese, filtered by raw name
            combo.setCurrentIndex(max(combo.findData(current), 0))

    def filter(self) -> audit_log.Filter | None:
        """The typed filter, or None with the reason shown."""
        try:
            since = parse_date(self.since.text()) if self.since.text().strip() else None
            until = parse_date(self.until.text()) if self.until.text().strip() else None
        except DateError as exc:
            self.error.setText(f"日期：{exc}")
            return None
        if since and until and until < since:
            self.error.setText("截止日期不能早于起始日期。")
            return None
        record_text = self.record.text().strip()
        if record_text and not record_text.isdigit():
            self.error.setText("记录编号应为数字。")
            return None
        self.error.setText("")
        if since:
            self.since.setText(since.isoformat())
        if until:
            self.until.setText(until.isoformat())
        user, table = self.user.currentData(), self.table_name.currentData()
        return audit_log.Filter(
            since=since,
            until=until,
            user=user or None,
            table=table or None,
            record_id=int(record_text) if record_text else None,
        )

    # ---- reading ---------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self.loaded:
            self.loaded = True
            self._fill_choices()
            self.refresh()

    def refresh(self) -> None:
        flt = self.filter()
        if flt is None:
            return
        self.flt = flt
        self.jobs.start(
            "读取审计日志",
            partial(audit_log.named_entries, flt=flt, limit=SHOWN + 1),
            self._loaded,
            on_failed=self._failed,
        )

    def _loaded(self, found: tuple[list[Entry], dict[tuple[str, int], str]]) -> None:
        rows, names = found
        more = len(rows) > SHOWN
        self.model.names = names
        self.model.set_rows(rows[:SHOWN])
        self.view.resizeColumnsToContents()
        self.old.clear()
        self.new.clear()
        self.count.setText(
            f"只显示最新的 {SHOWN} 条：请缩小范围，或导出全部。" if more else f"共 {len(rows)} 条。"
        )

    def _failed(self, message: str, cancelled: bool) -> None:
        if not cancelled:
            self.error.setText(message)

    def _show_values(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.model.row_at(current.row())
        labels = self.field_labels.get(entry.table) if entry else None
        self.old.setPlainText(values_text(entry.old, labels) if entry else "")
        self.new.setPlainText(values_text(entry.new, labels) if entry else "")

    # ---- export ----------------------------------------------------------------------

    def export(self) -> None:
        """All matching rows (not only those shown) as CSV, in the background."""
        flt = self.filter()
        if flt is None:
            return
        out = choose_path(self, f"审计日志_{dt.date.today():%Y%m%d}.csv")
        if out is None:
            return
        self.jobs.start(
            "导出审计日志",
            partial(audit_log.export_csv, flt=flt, out=out),
            lambda count: self._exported(count, out),
        )

    def _exported(self, count: int, out: Path) -> None:
        messages.info(self, f"已导出 {count} 条审计记录到 {out}")
        self._fill_choices()
