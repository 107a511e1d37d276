"""The 家庭 section's dialogs: move a resident into another household, make a household
headed by the resident, edit a household (its items and each member's relation).

Each saves through :mod:`ygt_desktop.ops.households` in one transaction; a refusal is
shown in red inside the dialog (which stays open, nothing saved) and focus goes back to
what must change. When the resident heads a household that keeps other members, the
dialog asks for that household's new head first (户主迁出前须指定新户主). When the
resident was the last one listed there, :attr:`_Shared.emptied` names that household (the
section offers to delete it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.households import HEAD, MEMBERS
from ..ops import households as ops
from ..ops.base import USER_ERRORS, Run
from ..storage.residents import Change
from ..storage.workspace import Workspace
from .choice_combo import ChoiceCombo
from .resident_model import SEARCH_DELAY_MS

HOUSEHOLD_ID = Qt.ItemDataRole.UserRole
SPOUSES = ("配偶", "夫", "妻")


def _years(age: str) -> int:
    digits = age.rstrip("岁")
    return int(digits) if digits.isdigit() else 0


def _combo(choices: list[tuple[str, str]], blank: str | None = None) -> ChoiceCombo:
    combo = ChoiceCombo()
    if blank is not None:
        combo.addItem(blank, None)
    for code, label in choices:
        combo.addItem(f"{code} {label}", code)
    return combo


def _field_choices(ws: Workspace, field: str) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in ws.forms["household"].field(field).choices]


class _Shared:
    """What the three dialogs share (a mixin, not a dialog of its own): OK/cancel in
    Chinese, a red line for refusals, the resident's current household and, when the
    resident heads it and leaves, the choice of its new head."""

    takes_out = True  # the resident leaves their household: a head names the next one

    def setup(self, dialog: QDialog, ws: Workspace, resident_id: int, title: str) -> None:
        self.dialog = dialog
        dialog.setWindowTitle(title)
        self.ws = ws
        self.resident_id = resident_id
        self.run = Run.plain(ws)
        self.current = ops.of_resident(self.run, resident_id)
        self.changes: list[Change] = []
        self.emptied: ops.HouseholdView | None = None  # the household left with nobody
        self.error = QLabel()
        self.error.setObjectName("household_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#c62828")
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("确定", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(dialog.accept)
        self.buttons.rejected.connect(dialog.reject)
        self.form = QFormLayout()
        self.new_head: ChoiceCombo | None = None
        others = self._others_if_head() if self.takes_out else []
        if others:
            assert self.current is not None
            self.new_head = _combo([(str(m.resident_id), m.name) for m in others])
            self.new_head.setObjectName("new_head")
            self.form.addRow(f"原家庭 {self.current.household_no} 的新户主：", self.new_head)

    def _others_if_head(self) -> list[ops.MemberView]:
        """The current members who would stay behind, when this resident is the head."""
        if self.current is None:
            return []
        me = next((m for m in self.current.members if m.resident_id == self.resident_id), None)
        if me is None or not me.is_head:
            return []
        others = [
            m for m in self.current.members if m.current and m.resident_id != self.resident_id
        ]
        # the spouse first, then the eldest: the usual next head
        return sorted(others, key=lambda m: (m.relation not in SPOUSES, -_years(m.age)))

    def chosen_new_head(self) -> int | None:
        if self.new_head is None:
            return None
        data = self.new_head.currentData()
        return int(data) if data else None

    def layout_with(self, *widgets: QWidget) -> None:
        layout = QVBoxLayout(self.dialog)
        for w in widgets:
            layout.addWidget(w)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def attempt(self, save: Callable[[], list[Change]], focus: dict[str, QWidget]) -> None:
        """Run ``save``; on a refusal show why and focus the widget of its first field."""
        try:
            self.changes = save()
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            errors: dict[str, str] = getattr(exc, "errors", {})
            widget = next((focus[k] for k in errors if k in focus), None)
            if widget is not None:
                widget.setFocus()
            return
        if self.takes_out and self.current is not None:
            try:
                if ops.is_empty(self.run, self.current.id):
                    self.emptied = self.current
            except USER_ERRORS:
                pass  # gone meanwhile: nothing to offer
        QDialog.accept(self.dialog)


class MoveDialog(QDialog, _Shared):
    """迁入其他家庭: type a household number or a member's name (pinyin initials work),
    ↑↓ choose, pick the relation to its head, Enter moves."""

    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup(self, ws, resident_id, "迁入其他家庭")
        self.search = QLineEdit()
        self.search.setObjectName("household_search")
        self.search.setPlaceholderText("输入户编号，或该户任一成员的姓名、拼音首字母查找")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("household_results")
        self.relation = _combo(ops.relation_choices(self.run), blank="（请选择）")
        self.relation.setObjectName("relation")
        self.form.insertRow(0, "与新户主的关系：", self.relation)
        # as the resident list: search once typing pauses, not at every key
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._find_now)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self._to_relation)
        self.village_names = ops.village_names(self.run)
        # only while typing in the search box: in the list Down moves the selection
        QShortcut(
            QKeySequence(Qt.Key.Key_Down), self.search, context=Qt.ShortcutContext.WidgetShortcut
        ).activated.connect(self._next)
        self.ok.setText("迁入")
        self.layout_with(QLabel("迁入哪一户："), self.search, self.results)
        self._find("")
        self.resize(560, 460)
        self.search.setFocus()

    def _find_now(self) -> None:
        """The search typed so far, at once (a key that leaves the box does not wait)."""
        self.search_timer.stop()
        self._find(self.search.text())

    def _to_relation(self) -> None:
        if self.search_timer.isActive():
            self._find_now()
        self.relation.setFocus()

    def _next(self) -> None:
        if self.search_timer.isActive():
            self._find_now()
        self.results.setFocus()
        if self.results.currentRow() < 0 and self.results.count():
            self.results.setCurrentRow(0)

    def _find(self, text: str) -> None:
        own = self.current.id if self.current else None
        try:
            found = ops.find(self.run, text, limit=50)
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        names = self.village_names
        self.results.clear()
        for s in found:
            if s.id == own:
                continue
            village = names.get(s.village_code or "", "")
            item = QListWidgetItem(
                f"{s.household_no}　户主 {s.head_name or '（无）'}　{s.size}人　{village}"
                f"　{s.address or ''}"
            )
            item.setData(HOUSEHOLD_ID, s.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.error.setText(
            "" if self.results.count() or not text else f"没有与“{text}”相符的家庭。"
        )

    def accept(self) -> None:
        if self.search_timer.isActive():  # 迁入 pressed before the list caught up with the typing
            self._find_now()
            return
        item = self.results.currentItem()
        if item is None:
            self.error.setText("请先选择要迁入的家庭。")
            self.search.setFocus()
            return
        target = int(item.data(HOUSEHOLD_ID))
        self.attempt(
            lambda: ops.move(
                self.run,
                self.resident_id,
                target,
                str(self.relation.currentData() or ""),
                new_head=self.chosen_new_head(),
            ),
            {"relation": self.relation, "new_head": self.new_head or self.relation},
        )


class FoundDialog(QDialog, _Shared):
    """以本人为户主新建家庭: village and address are the resident's; 家庭结构, 居住情况
    and a note may be given now or later."""

    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup(self, ws, resident_id, "以本人为户主新建家庭")
        self.structure = _combo(_field_choices(ws, "structure"), blank="（暂不填）")
        self.living = _combo(_field_choices(ws, "living"), blank="（暂不填）")
        self.note = QLineEdit()
        self.note.setMaxLength(200)
        self.form.addRow("家庭结构：", self.structure)
        self.form.addRow("居住情况：", self.living)
        self.form.addRow("备注：", self.note)
        self.ok.setText("新建")
        text = "新建一户，本人为户主；户编号自动生成，住址取本人的现住址。"
        if self.current is not None:
            text += f"\n本人将从原家庭 {self.current.household_no} 迁出。"
        self.layout_with(QLabel(text))
        self.resize(480, 260)
        (self.new_head or self.structure).setFocus()

    def accept(self) -> None:
        fields: dict[str, Any] = {
            "structure": self.structure.currentData(),
            "living": self.living.currentData(),
            "note": self.note.text().strip() or None,
        }
        self.attempt(
            lambda: ops.found(self.run, self.resident_id, fields, new_head=self.chosen_new_head()),
            {"new_head": self.new_head or self.structure, "structure": self.structure},
        )


class EditDialog(QDialog, _Shared):
    """编辑家庭: 家庭结构, 居住情况, 住址, 备注 and each member's 与户主关系 (to hand the
    household to a new head when the head has died or moved away)."""

    takes_out = False

    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup(self, ws, resident_id, "编辑家庭档案")
        assert self.current is not None
        self.household_id = self.current.id
        stored = ws.forms["household"]
        values = ops.repo(self.run).entities.values(self.household_id)
        self.address = QLineEdit(values.get("address") or "")
        self.address.setMaxLength(stored.field("address").max_length or 100)
        self.structure = _combo(_field_choices(ws, "structure"), blank="（未填）")
        self.living = _combo(_field_choices(ws, "living"), blank="（未填）")
        for combo, code in ((self.structure, values.get("structure")),
                            (self.living, values.get("living"))):  # fmt: skip
            combo.setCurrentIndex(max(0, combo.findData(code)))
        self.note = QLineEdit(values.get("note") or "")
        self.note.setMaxLength(200)
        self.form.addRow("家庭住址：", self.address)
        self.form.addRow("家庭结构：", self.structure)
        self.form.addRow("居住情况：", self.living)
        self.form.addRow("备注：", self.note)
        lines = values.get(MEMBERS) or []
        by_id = {m.resident_id: m for m in self.current.members}
        self.members = QTableWidget(len(lines), 3)
        self.members.setObjectName("household_members_edit")
        self.members.setHorizontalHeaderLabels(("成员", "状态", "与户主关系"))
        self.members.verticalHeader().hide()
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.relations: list[tuple[int, ChoiceCombo]] = []
        choices = ops.relation_choices(self.run, head=True)
        for row, line in enumerate(lines):
            rid = int(line["resident_id"])
            member = by_id.get(rid)
            for col, text in enumerate((member.name if member else str(rid),
                                        member.status if member else "")):  # fmt: skip
                cell = QTableWidgetItem(text)
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.members.setItem(row, col, cell)
            combo = _combo(choices)
            combo.setCurrentIndex(max(0, combo.findData(line["relation"])))
            self.members.setCellWidget(row, 2, combo)
            self.relations.append((rid, combo))
        self.members.setColumnWidth(0, 110)
        self.members.setColumnWidth(1, 170)
        self.members.horizontalHeader().setStretchLastSection(True)
        self.ok.setText("保存")
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.accept)
        self.layout_with(QLabel(f"户编号 {self.current.household_no}"), self.members)
        self.resize(560, 520)
        (self.relations[0][1] if self.relations else self.address).setFocus()

    def accept(self) -> None:
        fields: dict[str, Any] = {
            "address": self.address.text().strip() or None,
            "structure": self.structure.currentData(),
            "living": self.living.currentData(),
            "note": self.note.text().strip() or None,
            MEMBERS: [
                {"resident_id": rid, "relation": combo.currentData()}
                for rid, combo in self.relations
            ],
        }
        first = self.relations[0][1] if self.relations else self.address
        head = next((c for _rid, c in self.relations if c.currentData() == HEAD), first)
        self.attempt(
            lambda: [ops.save(self.run, fields, self.household_id)],
            {MEMBERS: head, "address": self.address, "household_no": self.address},
        )
