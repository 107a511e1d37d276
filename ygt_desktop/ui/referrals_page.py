"""转诊: open referral suggestions from the clinical rules (Enter makes the draft, Delete
records why not), and the up and down referrals of a period with their 2-week
follow-up, counted the way the quarterly report counts them.

Keyboard: Enter on a suggestion opens its draft; Delete on a suggestion records 不转诊;
Ctrl+N a new referral; Enter on a referral edits it; Tab moves between the two lists.
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
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core import schedules as sch
from ..core.dates import DateError, parse_date
from ..storage.db import StoreError
from ..storage.referrals import DIRECTIONS, Referrals, Suggestion
from ..storage.residents import Change
from ..storage.workspace import Workspace
from . import messages
from .guard import deleting, gate
from .referral_editor import ReferralEditor, dismissal_editor, editor_for_suggestion
from .referral_models import ReferralModel, SuggestionModel
from .selection import keep_selection
from .widgets import error_label

SINCE_CHOICES = (("全部", None), ("近30天", 30), ("近90天", 90), ("今年", 0))


def _table(model: Any, name: str, widths: tuple[int, ...]) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    keep_selection(table)  # a refresh keeps the selected record, by id
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab leaves the list, as everywhere else
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    for col, width in enumerate(widths):
        table.setColumnWidth(col, width)
    return table


def _on_keys(table: QTableView, keys: tuple[Qt.Key, ...], slot: Any) -> None:
    for key in keys:
        sc = QShortcut(QKeySequence(key), table, activated=slot)
        sc.setContext(Qt.ShortcutContext.WidgetShortcut)


class ReferralsPage(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.referrals = Referrals(ws.store, ws.forms)
        self.dialog: QDialog | None = None  # the editor last opened
        enter = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

        # -- suggestions ------------------------------------------------------------
        self.since = QComboBox()
        self.since.setObjectName("referral_since")
        for label, days in SINCE_CHOICES:
            self.since.addItem(label, days)
        self.since.currentIndexChanged.connect(lambda _i: self.refresh_suggestions())
        self.suggestion_count = QLabel()
        draft_btn = QPushButton("生成转诊单 (Enter)")
        draft_btn.clicked.connect(self.draft_current)
        dismiss_btn = QPushButton("不转诊(&B)… (Delete)")
        dismiss_btn.setToolTip("医生决定不转诊时记录原因；该建议从列表中移除")
        dismiss_btn.clicked.connect(self.dismiss_current)
        self.suggestion_model = SuggestionModel()
        self.suggestion_table = _table(
            self.suggestion_model, "suggestion_table", (95, 80, 150, 110, 80)
        )
        self.suggestion_table.doubleClicked.connect(lambda _i: self.draft_current())
        _on_keys(self.suggestion_table, enter, self.draft_current)
        _on_keys(self.suggestion_table, (Qt.Key.Key_Delete,), self.dismiss_current)
        top_bar = QHBoxLayout()
        top_bar.addWidget(QLabel("<b>待处理的转诊建议</b>"))
        top_bar.addWidget(QLabel("服务日期"))
        top_bar.addWidget(self.since)
        top_bar.addWidget(self.suggestion_count)
        top_bar.addStretch()
        top_bar.addWidget(draft_btn)
        top_bar.addWidget(dismiss_btn)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(top_bar)
        hint = QLabel(
            "服务记录中临床规则提示转诊、尚未生成转诊单也未说明不转诊的记录（红色为紧急转诊）。"
        )
        hint.setWordWrap(True)
        top_layout.addWidget(hint)
        top_layout.addWidget(self.suggestion_table, 1)

        # -- referrals --------------------------------------------------------------
        year = dt.date.today().year
        self.start = QLineEdit(dt.date(year, 1, 1).isoformat())
        self.start.setObjectName("referral_start")
        self.end = QLineEdit(dt.date(year, 12, 31).isoformat())
        self.end.setObjectName("referral_end")
        for edit in (self.start, self.end):
            edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") + 24)
            edit.returnPressed.connect(self.refresh_referrals)
        self.direction = QComboBox()
        self.direction.setObjectName("referral_direction")
        self.direction.addItem("上转和下转", None)
        for code, label in DIRECTIONS.items():
            self.direction.addItem(label, code)
        self.direction.currentIndexChanged.connect(lambda _i: self.refresh_referrals())
        quarter = QPushButton("本季度")
        quarter.clicked.connect(self._this_quarter)
        this_year = QPushButton("今年")
        this_year.clicked.connect(
            lambda: self._range(
                dt.date(dt.date.today().year, 1, 1), dt.date(dt.date.today().year, 12, 31)
            )
        )
        new_btn = QPushButton("新增转诊 (Ctrl+N)")
        new_btn.clicked.connect(self.new_referral)
        edit_btn = QPushButton("查看/修改 (Enter)")
        edit_btn.clicked.connect(self.edit_current)
        delete_btn = QPushButton("删除(&D)…")
        delete_btn.setToolTip("仅用于录错的转诊单；记录保留并注明原因")
        delete_btn.clicked.connect(self.delete_current)
        gate(delete_btn, self.ws, "record.delete")
        self.referral_model = ReferralModel()
        self.referral_table = _table(
            self.referral_model, "referral_table", (95, 50, 80, 70, 170, 210, 130, 95)
        )
        self.referral_table.doubleClicked.connect(lambda _i: self.edit_current())
        _on_keys(self.referral_table, enter, self.edit_current)
        self.error = error_label()
        self.error.hide()
        self.summary = QLabel()
        self.summary.setObjectName("referral_summary")
        bar = QHBoxLayout()
        for w in (
            QLabel("<b>转诊登记</b>"),
            QLabel("从"),
            self.start,
            QLabel("到"),
            self.end,
            quarter,
            this_year,
            self.direction,
        ):
            bar.addWidget(w)
        bar.addStretch()
        for b in (new_btn, edit_btn, delete_btn):
            bar.addWidget(b)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(bar)
        bottom_layout.addWidget(self.error)
        bottom_layout.addWidget(self.referral_table, 1)
        bottom_layout.addWidget(self.summary)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_referral)

    # ---- lists -----------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh()  # records entered elsewhere show at once

    def refresh(self) -> None:
        self.refresh_suggestions()
        self.refresh_referrals()

    def refresh_suggestions(self) -> None:
        days = self.since.currentData()
        today = dt.date.today()
        since = (
            None
            if days is None
            else (dt.date(today.year, 1, 1) if days == 0 else today - dt.timedelta(days=days))
        )
        chosen = self.current_suggestion()
        rows = self.referrals.suggestions(since)
        self.suggestion_model.set_rows(rows)
        urgent = sum(1 for s in rows if s.level == "urgent")
        self.suggestion_count.setText(
            f"共 {len(rows)} 条，其中紧急 {urgent} 条" if rows else "没有待处理的转诊建议"
        )
        ids = [s.record_id for s in rows]
        if rows:
            keep = ids.index(chosen.record_id) if chosen and chosen.record_id in ids else 0
            self.suggestion_table.selectRow(min(keep, len(rows) - 1))

    def refresh_referrals(self, select: int | None = None) -> None:
        try:
            start, end = parse_date(self.start.text()), parse_date(self.end.text())
        except DateError as exc:
            self._show_error(f"日期：{exc}")
            return
        if end < start:
            self._show_error("结束日期不能早于开始日期")
            return
        self._show_error("")
        rows = self.referrals.listing(start, end, self.direction.currentData())
        self.referral_model.set_rows(rows)
        figures = self.referrals.figures(start, end)
        share = f"（{figures.followup_share:.0%}）" if figures.followup_share is not None else ""
        overdue = sum(1 for r in rows if r["followup"] == sch.OVERDUE)
        self.summary.setText(
            f"{start.isoformat()} 至 {end.isoformat()}：上转 {figures.up} 例　下转 {figures.down} 例"
            f"　上转后2周内随访 {figures.followed_within}/{figures.followup_denominator}{share}"
            + (f"　<span style='color:#c62828'>逾期未随访 {overdue} 例</span>" if overdue else "")
        )
        ids = [r["id"] for r in rows]
        if select in ids:
            self.referral_table.selectRow(ids.index(select))  # type: ignore[arg-type]
        elif rows and not self.referral_table.currentIndex().isValid():
            self.referral_table.selectRow(0)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _range(self, start: dt.date, end: dt.date) -> None:
        self.start.setText(start.isoformat())
        self.end.setText(end.isoformat())
        self.refresh_referrals()

    def _this_quarter(self) -> None:
        first, last = sch.quarter_bounds(*sch.quarter_of(dt.date.today()))
        self._range(first, last)

    def current_suggestion(self) -> Suggestion | None:
        row = self.suggestion_table.currentIndex().row()
        rows = self.suggestion_model.rows
        return rows[row] if 0 <= row < len(rows) else None

    def current_referral(self) -> int | None:
        row = self.referral_table.currentIndex().row()
        rows = self.referral_model.rows
        return int(rows[row]["id"]) if 0 <= row < len(rows) else None

    # ---- actions -----------------------------------------------------------------------
    def draft_current(self) -> None:
        suggestion = self.current_suggestion()
        if suggestion is None:
            messages.info(self, "请先在转诊建议列表中选中一条。")
            return
        try:
            editor = editor_for_suggestion(self.ws, self.referrals, suggestion, self)
        except StoreError as exc:  # deleted meanwhile
            messages.error(self, str(exc))
            self.refresh()
            return
        self._open(editor)

    def dismiss_current(self) -> None:
        suggestion = self.current_suggestion()
        if suggestion is None:
            return
        editor = dismissal_editor(self.ws, self.referrals, suggestion, self)
        self.dialog = editor
        editor.accepted.connect(self.refresh)
        editor.open()

    def new_referral(self) -> None:
        self._open(ReferralEditor(self.ws, self.referrals, parent=self))

    def edit_current(self) -> None:
        referral_id = self.current_referral()
        if referral_id is None:
            return
        self._open(ReferralEditor(self.ws, self.referrals, referral_id, parent=self))

    def _open(self, editor: ReferralEditor) -> None:
        self.dialog = editor
        editor.accepted.connect(lambda: self._saved(editor.change))
        editor.open()

    def _saved(self, change: Change | None) -> None:
        self.refresh_suggestions()
        if change is not None:
            day = self.referrals.values(change.record_id)["referral_date"]
            try:
                shown = parse_date(self.start.text()) <= day <= parse_date(self.end.text())
            except DateError:
                shown = False
            if not shown:  # show the year it is in
                self.start.setText(dt.date(day.year, 1, 1).isoformat())
                self.end.setText(dt.date(day.year, 12, 31).isoformat())
            self.refresh_referrals(select=change.record_id)
            self.referral_table.setFocus()

    def delete_current(self) -> None:
        referral_id = self.current_referral()
        if referral_id is None:
            return
        reason = messages.ask_text(
            self,
            "删除所选转诊单（记录保留并标记为已删除；由转诊建议生成的，该建议会重新出现在"
            "待处理列表中）。请填写原因：",
            "删除转诊单",
        )
        if reason is None:
            return
        try:
            deleting(self.ws, lambda: self.referrals.delete(referral_id, reason))
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.refresh()
