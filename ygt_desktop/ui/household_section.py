"""The 家庭 section of a resident's page: the household number, head, address and
members with their relation to the head (former members — closed archives — in grey),
and the keys to act on it.

Keyboard: Ctrl+J goes to the member list, Enter there opens the member's page; Ctrl+M
moves this resident into another household; Ctrl+H makes a household headed by this
resident; Ctrl+G edits the household (relations, a new head, 家庭结构, 居住情况). When
a move leaves the old household with nobody listed, the section offers to delete it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..ops import households as ops
from ..ops.base import USER_ERRORS, Run
from ..storage.workspace import Workspace
from . import messages
from .guard import may
from .household_dialogs import EditDialog, FoundDialog, MoveDialog
from .household_model import RESIDENT_ID, HouseholdMembersModel

VISIBLE_ROWS = 4  # the list scrolls beyond this: the timeline keeps its room


class HouseholdSection(QWidget):
    sig_open_member = Signal(int)  # a member's resident id, to open their page
    sig_changed = Signal(str)  # a change was saved: what to say in the status line

    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        self.child: QDialog | None = None
        self.title = QLabel()
        self.title.setObjectName("household_title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.model = HouseholdMembersModel()
        self.table = QTableView()
        self.table.setObjectName("household_members")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._open)
        self.open_btn = QPushButton("打开成员 (Enter)")
        self.move_btn = QPushButton("迁入其他家庭 (Ctrl+M)…")
        self.found_btn = QPushButton("以本人为户主新建家庭 (Ctrl+H)…")
        self.edit_btn = QPushButton("编辑家庭 (Ctrl+G)…")
        self.open_btn.clicked.connect(lambda: self._open(self.table.currentIndex()))
        self.move_btn.clicked.connect(self.move_to_other)
        self.found_btn.clicked.connect(self.found_new)
        self.edit_btn.clicked.connect(self.edit_household)
        for keys, slot in (
            ("Ctrl+M", self.move_to_other),
            ("Ctrl+H", self.found_new),
            ("Ctrl+G", self.edit_household),
            ("Ctrl+J", self.table.setFocus),
        ):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)
        self.title.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.open_btn, self.move_btn, self.found_btn, self.edit_btn):
            b.setAutoDefault(False)  # Enter stays with the list that has focus
            buttons.addWidget(b)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        """Show the resident's household as stored."""
        try:
            view = ops.of_resident(Run.plain(self.ws), self.resident_id)
        except USER_ERRORS as exc:
            view = None
            self.title.setText(f"家庭：{exc}")
        else:
            self.title.setText(self._title(view))
        self.model.set_members(view.members if view else (), self.resident_id)
        self.table.setVisible(view is not None)
        for b in (self.open_btn, self.edit_btn):
            b.setEnabled(view is not None)
        self.table.resizeColumnsToContents()
        rows = min(max(len(self.model.members), 1), VISIBLE_ROWS)
        height = (
            self.table.horizontalHeader().height()
            + rows * self.table.verticalHeader().defaultSectionSize()
        )
        self.table.setFixedHeight(height + 2 * self.table.frameWidth())

    @staticmethod
    def _title(view: ops.HouseholdView | None) -> str:
        if view is None:
            return "家庭：未加入家庭档案（Ctrl+H 以本人为户主新建，Ctrl+M 迁入已有家庭）"
        parts = [f"家庭：户编号 {view.household_no}", f"户主 {view.head}",
                 f"家庭人口数 {view.size}"]  # fmt: skip
        parts += [p for p in (view.structure, view.living) if p]
        if view.address:
            parts.append(view.address)
        return "　".join(parts)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            rid = int(self.model.data(index, RESIDENT_ID))
            if rid != self.resident_id:
                self.sig_open_member.emit(rid)

    def _dialog(self, make: Callable[[], QDialog], done: str) -> None:
        try:
            dialog = make()
        except USER_ERRORS as exc:
            self.title.setText(f"家庭：{exc}")
            return
        self.child = dialog

        def saved() -> None:
            self.refresh()
            emptied = getattr(dialog, "emptied", None)
            self.sig_changed.emit(done + (self._offer_delete(emptied) if emptied else ""))

        dialog.accepted.connect(saved)
        dialog.open()

    def _offer_delete(self, household: ops.HouseholdView) -> str:
        """The household the resident left lists nobody now (no former member either):
        ask whether to delete it — the moment a doctor knows it is empty, since an
        empty household is on no resident's page. What happened, for the status line."""
        no = household.household_no
        if not may(self.ws, "record.delete"):
            return f"原家庭 {no} 已成空户：{messages.only_for('record.delete')}"
        if not messages.ask(
            self,
            f"原家庭 {no} 已没有成员（也没有原成员）。\n删除这个空户吗？"
            "删除后不再列出，记录保留并记入审计日志。",
            "删除空户",
        ):
            return f"原家庭 {no} 已成空户，已保留。"
        try:
            ops.delete(Run.plain(self.ws), household.id)
        except USER_ERRORS as exc:
            messages.error(self, str(exc))
            return ""
        return f"原家庭 {no} 已成空户，已删除。"

    def move_to_other(self) -> None:
        self._dialog(lambda: MoveDialog(self.ws, self.resident_id, self),
                     "已迁入其他家庭；请在“编辑家庭”中核对其他成员与户主的关系。")  # fmt: skip

    def found_new(self) -> None:
        self._dialog(lambda: FoundDialog(self.ws, self.resident_id, self),
                     "已新建家庭，本人为户主。")  # fmt: skip

    def edit_household(self) -> None:
        if ops.of_resident(Run.plain(self.ws), self.resident_id) is None:
            self.title.setText("家庭：未加入家庭档案，没有可编辑的家庭（Ctrl+H 新建）")
            return
        self._dialog(lambda: EditDialog(self.ws, self.resident_id, self), "家庭档案已保存。")
