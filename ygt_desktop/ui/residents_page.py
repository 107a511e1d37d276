"""居民档案: find as you type, add (Ctrl+N), edit (Enter), close an archive."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..storage.db import StoreError
from ..storage.organisation import villages
from ..storage.resident_hints import missing_registers
from ..storage.residents import Change
from ..storage.workspace import Workspace
from . import messages
from .close_dialog import CloseDialog
from .guard import deleting, gate
from .jobs import JobRunner
from .resident_detail import ResidentDetail
from .resident_editor import ResidentEditor
from .resident_model import SEARCH_DELAY_MS as SEARCH_DELAY_MS  # the pickers' delay too
from .resident_model import ResidentTableModel
from .selection import keep_selection, select_first_if_none, select_key


class ResidentsPage(QWidget):
    sig_changed = Signal(object)  # Change

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.dialog: QDialog | None = None  # the editor or close dialog last opened
        self.search = QLineEdit()
        self.search.setObjectName("resident_search")
        self.search.setPlaceholderText("查找：姓名、拼音首字母（如 zs）、身份证号、电话或档案号")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.hint_label = QLabel()  # after a save: 既往史 without its register (a hint)
        self.hint_label.setObjectName("resident_hint")
        self.hint_label.setStyleSheet("color: #b35900;")
        self.incomplete_box = QCheckBox("只看档案不完整(&W)")
        self.incomplete_box.setObjectName("resident_incomplete")
        self.incomplete_box.setToolTip("完整度不到100%的档案：个人基本信息表还有项目未填")
        self.incomplete_box.toggled.connect(self._filter_incomplete)
        self.model = ResidentTableModel(ws.residents, {v.code: v.name for v in villages(ws.store)})
        self.jobs = JobRunner(ws, self)
        self.table = QTableView()
        self.table.setObjectName("resident_table")
        self.table.setModel(self.model)
        self.kept = keep_selection(self.table)  # a refresh or search keeps the resident
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        for col, width in enumerate((150, 80, 44, 92, 44, 150, 100, 120, 50, 56)):
            self.table.setColumnWidth(col, width)
        new_btn = QPushButton("新建档案 (Ctrl+N)")
        open_btn = QPushButton("服务记录 (Enter)")
        open_btn.clicked.connect(self.open_current)
        edit_btn = QPushButton("编辑档案 (Ctrl+E)")
        close_btn = QPushButton("结案(&J)…")
        delete_btn = QPushButton("删除(&D)…")
        delete_btn.setToolTip("仅用于误建、重复建档的记录；记录保留并注明原因")
        delete_btn.clicked.connect(self.delete_current)
        gate(delete_btn, self.ws, "record.delete")
        new_btn.clicked.connect(self.new_resident)
        edit_btn.clicked.connect(self.edit_current)
        close_btn.clicked.connect(self.close_current)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.incomplete_box)
        top.addWidget(new_btn)
        top.addWidget(open_btn)
        top.addWidget(edit_btn)
        top.addWidget(close_btn)
        top.addWidget(delete_btn)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addWidget(self.hint_label, 1)
        layout.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._focus_table)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        QShortcut(QKeySequence("Ctrl+N"), self).activated.connect(self.new_resident)
        QShortcut(QKeySequence("Ctrl+E"), self).activated.connect(self.edit_current)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), self.table)
            sc.activated.connect(self.open_current)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.model.set_query("")
        self._update_count()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _run_search(self) -> None:
        """List the matches of the search text. The resident selected stays selected
        when still listed (selection follows the id, :mod:`.selection`); otherwise the
        first match is selected, so Enter opens the one person searched for."""
        self._timer.stop()
        self.model.set_query(self.search.text())
        self._update_count()
        select_first_if_none(self.table)

    def _filter_incomplete(self, on: bool) -> None:
        """Only the archives with a 完整度 item unanswered (with the search, if any);
        the resident selected stays selected when still listed. Finding them reads
        every archive (0.1-0.7 s at 100,000): a job, the list usable meanwhile; the
        list then keeps them until the box is cleared (:meth:`ResidentTableModel.recheck`
        after a save)."""
        self._timer.stop()
        if not on:
            self.model.set_query(self.search.text(), incomplete=False)
            self._update_count()
            select_first_if_none(self.table)
            return
        self.count_label.setText("正在查找档案不完整的居民…")
        # Busy: the job already running (ticked, cleared, ticked again) answers for this.
        self.jobs.start(
            "查找档案不完整的居民",
            lambda run: run.ws.residents.incomplete_keys(),
            self._show_incomplete,
            on_failed=self._incomplete_failed,
        )

    def _show_incomplete(self, kept: list[tuple[str, int]]) -> None:
        if not self.incomplete_box.isChecked():
            return  # cleared while they were being found
        self._timer.stop()
        self.model.set_query(self.search.text(), incomplete=True, kept=kept)
        self._update_count()
        select_first_if_none(self.table)

    def _incomplete_failed(self, message: str, cancelled: bool) -> None:
        self.incomplete_box.blockSignals(True)
        self.incomplete_box.setChecked(False)
        self.incomplete_box.blockSignals(False)
        self._update_count()
        if not cancelled:
            messages.error(self, message, "未能筛选")

    def _focus_table(self) -> None:
        if self._timer.isActive() or self.search.text().strip() != self.model.query:
            self._run_search()
        if self.model.rowCount():
            self.table.setFocus()
            select_first_if_none(self.table)

    def _update_count(self) -> None:
        which = "档案不完整的" if self.model.incomplete else ""
        if self.model.query:
            n = self.model.rowCount()
            more = "（仅显示前200条，请输入更多字缩小范围）" if n >= 200 else ""
            self.count_label.setText(f"找到{which} {n} 人{more}")
        elif self.model.incomplete:
            done = len(self.model.completed)
            self.count_label.setText(
                f"档案不完整 {self.model.total - done} 份"
                + (f"，另有刚补全的 {done} 份仍列出" if done else "")
            )
        else:
            self.count_label.setText(f"共 {self.model.total} 份档案")

    def current_id(self) -> int | None:
        """The resident of the selected row; None when no row is selected (a current
        index without a selection is not a choice the user made)."""
        index: QModelIndex = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.resident_id(index.row())

    def new_resident(self) -> None:
        self._open_editor(None)

    def selected_or_tell(self) -> int | None:
        """The selected resident's id; says what to do when nobody is selected."""
        rid = self.current_id()
        if rid is None:
            messages.info(self, "请先在列表中选中一位居民。")
        return rid

    def edit_current(self) -> None:
        rid = self.selected_or_tell()
        if rid is not None:
            self._open_editor(rid)

    def open_current(self) -> None:
        """The resident's timeline and services."""
        rid = self.selected_or_tell()
        if rid is None:
            return
        detail = ResidentDetail(self.ws, rid, self)
        self.dialog = detail
        detail.finished.connect(lambda _r: self._after_change(Change("residents", rid, "update")))
        detail.open()

    def close_current(self) -> None:
        rid = self.selected_or_tell()
        if rid is None:
            return
        dialog = CloseDialog(self.ws, rid, self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._after_change(Change("residents", rid, "close")))
        dialog.open()

    def delete_current(self) -> None:
        rid = self.selected_or_tell()
        if rid is None:
            return
        row = self.ws.residents.get(rid)
        assert row is not None
        reason = messages.ask_text(
            self,
            f"删除 {row['name']}（档案号 {row['archive_no']}）的档案。\n"
            "记录不会真正抹去，将标记为已删除。请填写原因（如：重复建档）：",
            "删除档案",
        )
        if reason is None:
            return
        try:
            change = deleting(self.ws, lambda: self.ws.residents.delete(rid, reason))
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self._after_change(change)

    def _open_editor(self, resident_id: int | None) -> None:
        editor = ResidentEditor(self.ws, resident_id, self)
        self.dialog = editor

        def saved() -> None:
            if editor.change:
                self._after_save(editor.change)

        editor.accepted.connect(saved)
        editor.open()

    def _after_save(self, change: Change) -> None:
        """The list as it now is, and in the status line what the saved 既往史 asks
        for: a disease with a register of its own that the resident is not on."""
        self._after_change(change)
        hints = missing_registers(self.ws.store, self.ws.forms, change.record_id)
        text = "；".join(hints)
        self.hint_label.setText(text)
        window = self.window()
        if text and isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 30_000)

    def _after_change(self, change: Change) -> None:
        """Show the list as it now is with the record just saved selected, by its id,
        whatever namesakes the list holds. A new resident is searched by name (so the
        clerk sees them among any namesakes), and the search that typing the name would
        start is not run again after (it would keep the selection anyway)."""
        self.model.village_names = {v.code: v.name for v in villages(self.ws.store)}
        self.model.recheck(change.record_id)
        row = self.ws.residents.get(change.record_id) if change.action == "insert" else None
        if row:
            self.search.blockSignals(True)
            self.search.setText(row["name"])
            self.search.blockSignals(False)
            self._timer.stop()
            self.model.set_query(row["name"])
        else:
            self.model.refresh()
        self._update_count()
        if not select_key(self.table, change.record_id) and change.action == "insert":
            # Not found by name (a search never misses a fresh name, but be sure): the
            # whole list, where every resident is.
            self.search.clear()
            self._timer.stop()
            self.model.set_query("")
            self._update_count()
            select_key(self.table, change.record_id)
        self.sig_changed.emit(change)
