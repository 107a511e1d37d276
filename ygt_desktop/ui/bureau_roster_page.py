"""成员机构: the bureau's roster — import it from a workbook or CSV, add, rename,
deactivate and reactivate members, export it to edit in Excel and import again.

Keyboard: the search box has focus (type a code or a part of a name); ↓ to the table;
Ctrl+N adds, Enter edits the selected member, Ctrl+D deactivates or reactivates it,
Ctrl+O imports a roster file. 登记公钥… registers a member's public key from its
registration file (issue 11); the 公钥指纹 column shows each member's current key.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.org_codes import MEMBER_LEVELS
from ..ops import bureau as ops
from ..ops import keys as key_ops
from ..storage import keys, roster
from ..storage.db import StoreError
from ..storage.residents import ValidationFailed
from ..storage.roster import Member, RosterImport
from ..storage.workspace import Workspace
from . import bureau_common, messages
from .bureau_common import GREY, RowsModel, table_view
from .files import choose_path
from .jobs import JobRunner
from .widgets import dialog_buttons, error_label

COLUMNS = ("机构代码", "机构名称", "级别", "上级代码", "状态", "公钥指纹")


class MemberDialog(QDialog):
    """Add a member (``member`` None) or edit one: name, level, parent; the code is the
    key and is only typed when adding.

    Each field's error wraps under it; it clears (or follows) as soon as the field is
    changed, checked by the same rules as saving (``roster.check_member``).
    """

    def __init__(self, ws: Workspace, member: Member | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.member = member
        self.org = roster.bureau(ws.store)
        self.setWindowTitle(("修改" if member else "新增") + " · 成员机构")
        self.code = QLineEdit(member.code if member else "")
        self.code.setObjectName("member_code")
        self.code.setReadOnly(member is not None)
        self.code.setPlaceholderText("如 530102001" if self.org.level == "区" else "如 530102")
        self.name = QLineEdit(member.name if member else "")
        self.name.setObjectName("member_name")
        self.level = QComboBox()
        self.level.setObjectName("member_level")
        self.level.addItems(MEMBER_LEVELS[self.org.level])
        if member:
            self.level.setCurrentText(member.level)
        self.parent_code = QLineEdit(member.parent_code or "" if member else self.org.code)
        self.parent_code.setObjectName("member_parent")
        self.errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, widget in (
            ("code", "机构代码＊", self.code),
            ("name", "机构名称＊", self.name),
            ("level", "级别＊", self.level),
            ("parent_code", "上级代码", self.parent_code),
        ):
            self.form.addRow(label, widget)
            error = error_label()
            error.setObjectName(f"error_{key}")
            self.errors[key] = error
            self.form.addRow("", error)
            self.form.setRowVisible(error, False)
        self.error = error_label()  # what belongs to no field (a storage refusal)
        self.error.setObjectName("error_other")
        self.error.hide()
        for edit in (self.code, self.name, self.parent_code):
            edit.textChanged.connect(self._recheck)
        self.level.currentTextChanged.connect(self._recheck)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(dialog_buttons(self, "保存", "取消", self.save))
        self.setMinimumWidth(min(520, self.screen().availableGeometry().width()))
        (self.name if member else self.code).setFocus()

    def _values(self) -> tuple[str, str, str, str | None]:
        return (
            self.code.text().strip(),
            self.name.text().strip(),
            self.level.currentText(),
            self.parent_code.text().strip() or None,
        )

    def _show_errors(self, errors: dict[str, str], other: str = "") -> None:
        for key, label in self.errors.items():
            label.setText(errors.get(key, ""))
            self.form.setRowVisible(label, key in errors)
        self.error.setText(other)
        self.error.setVisible(bool(other))
        self._fit()

    def _fit(self) -> None:
        """Grow (or shrink) to the errors' wrapped height, within the screen."""
        layout = self.layout()
        assert layout is not None
        layout.activate()
        screen = self.screen().availableGeometry()
        width = max(self.width(), self.minimumWidth())
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0
        height = max(height, layout.totalMinimumSize().height())
        self.resize(min(width, screen.width()), min(height, screen.height()))

    def _recheck(self) -> None:
        """Errors already shown follow the fields: gone once a field is valid."""
        shown = {k for k, label in self.errors.items() if label.text()}
        if not shown and not self.error.text():
            return
        now = roster.check_member(self.org, *self._values())
        self._show_errors({k: v for k, v in now.items() if k in shown})

    def save(self) -> None:
        args = self._values()
        try:
            if self.member is None:
                roster.add_member(self.ws.store, *args)
            else:
                roster.update_member(self.ws.store, *args)
        except ValidationFailed as exc:
            fields = {k: v for k, v in exc.errors.items() if k in self.errors}
            rest = "\n".join(v for k, v in exc.errors.items() if k not in self.errors)
            self._show_errors(fields, rest)
            widgets = {"code": self.code, "name": self.name, "level": self.level}
            first = next((k for k in self.errors if k in fields), None)
            if first is not None:
                widgets.get(first, self.parent_code).setFocus()
            return
        except StoreError as exc:
            self._show_errors({}, str(exc))
            return
        self.accept()


class RosterPage(QWidget):
    sig_changed = Signal()

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.members: list[Member] = []
        self.jobs = JobRunner(ws, self)
        self.search = QLineEdit()
        self.search.setObjectName("roster_search")
        self.search.setPlaceholderText("查找：机构代码或名称的一部分")
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.active_only = QCheckBox("只看在册")
        self.active_only.toggled.connect(lambda _c: self.refresh())
        buttons = []
        for text, slot in (
            ("导入名册 (Ctrl+O)…", self.import_file),
            ("导出名册…", self.export),
            ("新增 (Ctrl+N)", self.add),
            ("修改 (Enter)", self.edit),
            ("停用/启用 (Ctrl+D)", self.toggle_active),
            ("登记公钥…", self.register_key),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.append(button)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.active_only)
        for button in buttons:
            top.addWidget(button)
        self.model = RowsModel(COLUMNS, self)
        self.table = table_view(self.model, "roster_table", (10, 24, 5, 10))
        self.table.doubleClicked.connect(lambda _i: self.edit())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), self.table, activated=self.edit)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add)
        QShortcut(QKeySequence("Ctrl+D"), self, activated=self.toggle_active)
        QShortcut(QKeySequence("Ctrl+O"), self, activated=self.import_file)
        self.search.returnPressed.connect(self.table.setFocus)
        self.count = QLabel()
        hint = QLabel(
            "名册文件：第一行为表头 code,name,level,parent（或 机构代码,机构名称,级别,上级代码），"
            "之后每行一个机构；.xlsx 或 CSV（UTF-8 或 GBK）均可。已在名册中的机构按文件更新，"
            "文件中没有的机构保持不变。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        self.dialog: MemberDialog | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(hint)
        self.refresh()

    def refresh(self) -> None:
        """Reload; the member selected before stays selected when it is still listed."""
        keep = self.selected()
        self.members = roster.members(
            self.ws.store, active_only=self.active_only.isChecked(), search=self.search.text()
        )
        prints = {k.org_code: k.fingerprint for k in keys.member_keys(self.ws.store) if k.current}
        self.model.set_rows(
            [
                (
                    m.code,
                    m.name,
                    m.level,
                    m.parent_code or "",
                    m.status,
                    prints.get(m.code, "未登记"),
                )
                for m in self.members
            ],
            foregrounds=[None if m.active else GREY for m in self.members],
        )
        codes = [m.code for m in self.members]
        if keep is not None and keep.code in codes:
            self.table.selectRow(codes.index(keep.code))
        elif codes:
            self.table.selectRow(0)
        every = roster.members(self.ws.store)
        active = sum(1 for m in every if m.active)
        self.count.setText(
            f"在册 {active} 个，停用 {len(every) - active} 个"
            + (f"；显示 {len(self.members)} 个" if len(self.members) != len(every) else "")
        )

    def selected(self) -> Member | None:
        row = self.table.currentIndex().row()
        return self.members[row] if 0 <= row < len(self.members) else None

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ---- actions -------------------------------------------------------------------
    def add(self) -> None:
        self._open_dialog(None)

    def edit(self) -> None:
        member = self.selected()
        if member is None:
            messages.info(self, "请先在列表中选中一个机构。")
            return
        self._open_dialog(member)

    def _open_dialog(self, member: Member | None) -> None:
        self.dialog = MemberDialog(self.ws, member, self)
        self.dialog.accepted.connect(self._changed)
        self.dialog.open()

    def _changed(self) -> None:
        self.refresh()
        self.sig_changed.emit()

    def toggle_active(self) -> None:
        member = self.selected()
        if member is None:
            messages.info(self, "请先在列表中选中一个机构。")
            return
        if member.active and not messages.ask(
            self,
            f"停用“{member.name}”（{member.code}）？\n停用后不再要求它报送，它的工作簿会被拒收；"
            "已接收的数据保留。可随时重新启用。",
            "停用成员机构",
        ):
            return
        try:
            roster.set_active(self.ws.store, member.code, not member.active)
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self._changed()

    def import_file(self) -> None:
        if self.jobs.busy():
            return
        path = bureau_common.choose_open_file(
            self, "导入成员机构名册", "名册 (*.xlsx *.csv *.txt);;所有文件 (*)"
        )
        if path is None:
            return
        self.import_path(path)

    def import_path(self, path: Path) -> None:
        """Read and store the roster file in the background; the table follows, or the
        problems are shown (nothing of a wrong file is used)."""
        self.jobs.start(
            "导入名册",
            functools.partial(ops.import_roster, path=path),
            self._imported,
            on_failed=self._import_failed,
        )

    def _imported(self, done: RosterImport) -> None:
        self._changed()
        messages.info(self, f"名册已导入：{done.summary()}。", "导入名册")

    def _import_failed(self, message: str, cancelled: bool) -> None:
        if not cancelled:
            messages.error(self, message, "名册有误")

    def export(self) -> None:
        if self.jobs.busy():
            return
        out = choose_path(self, "导出成员机构名册", "成员机构名册.csv", "CSV 文件 (*.csv)", ".csv")
        if out is None:
            return
        self.jobs.start(
            "导出名册",
            functools.partial(ops.export_members, out=out),
            lambda count: messages.info(self, f"已导出 {count} 个机构到 {out}", "导出名册"),
        )

    # ---- public keys (issue 11) ------------------------------------------------------
    def register_key(self, path: Path | None = None, reason: str | None = None) -> None:
        """Register the key in a member's registration file; replacing a member's key
        asks for the reason (audited)."""
        if self.jobs.busy():
            return
        if path is None:
            path = bureau_common.choose_open_file(
                self, "登记成员机构公钥", "公钥登记文件 (*.json);;所有文件 (*)"
            )
            if path is None:
                return
        chosen = path
        self.jobs.start(
            "登记公钥",
            functools.partial(key_ops.register_member_key, path=chosen, reason=reason),
            self._key_registered,
            on_failed=lambda message, cancelled: self._key_refused(chosen, message, cancelled),
        )

    def _key_registered(self, done: key_ops.Registered) -> None:
        self._changed()
        text = done.summary() + "。\n请与该机构电话核对指纹。"
        if done.warnings:
            text += "\n注意：" + "；".join(done.warnings)
        messages.info(self, text, "登记公钥")

    def _key_refused(self, path: Path, message: str, cancelled: bool) -> None:
        if cancelled:
            return
        if keys.NEEDS_REASON in message:
            reason = messages.ask_text(self, message + "\n\n更换原因：", "更换成员机构公钥")
            if reason:
                self.register_key(path, reason)
            return
        messages.error(self, message, "公钥未登记")
