"""用户: everyone changes their own password here; a 站长 or 管理员 also sees every
account (role, status, last login) and adds users, resets passwords, changes roles,
disables and enables, unlocks and issues new recovery codes.

The buttons a role may not use are greyed, but the operations layer
(:mod:`ygt_desktop.ops.users`, ``users.manage``) is what refuses — a refusal shows as
its Chinese message and is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core import roles
from ..ops import users as ops_users
from ..ops.base import USER_ERRORS, Run
from ..storage.users import User
from ..storage.workspace import Workspace
from . import messages
from .account_dialogs import AddUserDialog, RecoveryCodeDialog, SetPasswordDialog
from .guard import may
from .row_table import RowTableModel
from .selection import keep_selection

HEADERS = ("用户名", "角色", "状态", "最近登录", "建立时间")


def _when(stamp: str | None) -> str:
    return stamp[:16].replace("T", " ") if stamp else "—"


def status_text(user: User, now: dt.datetime | None = None) -> str:
    """正常 / 停用 / 锁定到 HH:MM / 须修改密码, as the list shows it."""
    if not user.active:
        return "已停用"
    now = now or dt.datetime.now().astimezone()
    if user.locked_until:
        until = dt.datetime.fromisoformat(user.locked_until)
        if until > now:
            return f"已锁定（到 {until:%H:%M}）"
    if user.must_change:
        return "正常（下次登录须改密码）"
    return "正常"


class UsersModel(RowTableModel[User]):
    def cell(self, row: User, position: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.name,
                row.role,
                status_text(row),
                _when(row.last_login),
                _when(row.created_at),
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and not row.active:
            return Qt.GlobalColor.gray
        return None


class UsersPage(QWidget):
    """The 用户 tab of 设置."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.manager = may(ws, "users.manage")
        me = QHBoxLayout()
        self.me_label = QLabel()
        self.change_mine = QPushButton("修改我的密码…")
        self.change_mine.setObjectName("change_my_password")
        self.change_mine.clicked.connect(self.change_my_password)
        me.addWidget(self.me_label)
        me.addStretch()
        me.addWidget(self.change_mine)

        self.model = UsersModel(HEADERS, self)
        self.table = QTableView()
        self.table.setObjectName("users_table")
        self.table.setModel(self.model)
        keep_selection(self.table)  # a refresh keeps the selected account, by id
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.buttons: dict[str, QPushButton] = {}
        row1 = QHBoxLayout()
        for key, text, slot in (
            ("add", "添加用户…", self.add_user),
            ("reset", "重设密码…", self.reset_password),
            ("role", "修改角色…", self.change_role),
            ("active", "停用/启用", self.toggle_active),
            ("unlock", "解除锁定", self.unlock),
            ("recovery", "新恢复码…", self.new_recovery),
        ):
            button = QPushButton(text)
            button.setObjectName(f"users_{key}")
            button.clicked.connect(slot)
            button.setEnabled(self.manager)
            if not self.manager:
                button.setToolTip(messages.only_for("users.manage"))
            self.buttons[key] = button
            row1.addWidget(button)
        row1.addStretch()
        manage = QGroupBox("用户账户（站长、管理员管理）")
        m_layout = QVBoxLayout(manage)
        if self.manager:
            m_layout.addWidget(self.table)
        else:
            self.table.hide()
            who = "、".join(roles.who_may("users.manage"))
            m_layout.addWidget(QLabel(f"添加用户、重设密码等由{who}办理。"))
        m_layout.addLayout(row1)

        idle_box = QGroupBox("自动锁定")
        idle_row = QHBoxLayout(idle_box)
        self.idle = QSpinBox()
        self.idle.setObjectName("idle_minutes")
        self.idle.setRange(ops_users.IDLE_MIN, ops_users.IDLE_MAX)
        self.idle.setSuffix(" 分钟")
        self.idle.setValue(ops_users.idle_minutes(ws))
        self.save_idle = QPushButton("保存")
        self.save_idle.setObjectName("save_idle")
        self.save_idle.clicked.connect(self.set_idle)
        editable = may(ws, "settings.edit")
        self.idle.setEnabled(editable)
        self.save_idle.setEnabled(editable)
        idle_row.addWidget(QLabel("无键盘、鼠标操作"))
        idle_row.addWidget(self.idle)
        idle_row.addWidget(QLabel("后锁定程序（Ctrl+L 立即锁定）"))
        idle_row.addWidget(self.save_idle)
        idle_row.addStretch()

        layout = QVBoxLayout(self)
        layout.addLayout(me)
        layout.addWidget(manage, 1)
        layout.addWidget(idle_box)
        self.refresh()

    # ---- reading ----------------------------------------------------------------------

    def refresh(self) -> None:
        self.me_label.setText(f"当前用户：{self.ws.store.user}（{self.ws.store.role or '—'}）")
        if not self.manager:
            return
        try:
            self.model.set_rows(ops_users.listing(Run.plain(self.ws)))
        except USER_ERRORS as exc:
            messages.error(self, str(exc))
            return
        self.table.resizeColumnsToContents()

    def selected(self) -> User | None:
        row = self.table.currentIndex().row()
        user = self.model.row_at(row)
        if user is None:
            messages.info(self, "请先在列表中选中一个用户。")
        return user

    def _select(self, name: str) -> None:
        for i, user in enumerate(self.model.rows):
            if user.name == name:
                self.table.selectRow(i)
                return

    def _run(self, action: Any, *args: Any) -> Any:
        """Call an ops.users function as the logged-in user; a refusal is shown."""
        try:
            return action(Run.plain(self.ws), *args)
        except USER_ERRORS as exc:
            messages.error(self, str(exc))
            return None
        finally:
            self.refresh()

    # ---- actions -------------------------------------------------------------------------

    def change_my_password(self) -> None:
        SetPasswordDialog(self.ws, self.ws.store.user, ask_old=True, parent=self).exec()

    def add_user(self) -> None:
        dialog = AddUserDialog(self.ws, self)
        if dialog.exec():
            self.refresh()
            self._select(dialog.name.text().strip())
            messages.info(
                self,
                f"已添加用户“{dialog.name.text().strip()}”（{dialog.role.currentText()}）。"
                "请把初始密码告诉对方，第一次登录时须修改。",
            )

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        if user.name == self.ws.store.user:
            self.change_my_password()
            return
        if SetPasswordDialog(self.ws, user.name, parent=self).exec():
            self.refresh()
            messages.info(self, f"已重设“{user.name}”的密码，对方下次登录时须修改。")

    def change_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        options = [r for r in roles.roles_for(self.ws.is_bureau) if r != user.role]
        role = messages.choose(self, f"“{user.name}”现在是{user.role}，改为：", "修改角色", options)
        if role is None:
            return
        self._run(ops_users.set_role, user.name, role)

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        verb = "停用" if user.active else "启用"
        if not messages.ask(self, f"{verb}用户“{user.name}”？", f"{verb}用户"):
            return
        self._run(ops_users.set_active, user.name, not user.active)

    def unlock(self) -> None:
        user = self.selected()
        if user is None:
            return
        self._run(ops_users.unlock, user.name)

    def new_recovery(self) -> None:
        user = self.selected()
        if user is None:
            return
        if not messages.ask(self, f"为“{user.name}”生成新的恢复码？旧的恢复码将作废。", "新恢复码"):
            return
        code = self._run(ops_users.new_recovery, user.name)
        if code:
            RecoveryCodeDialog(self.ws, user.name, user.role, code, self).exec()

    def set_idle(self) -> None:
        try:
            ops_users.set_idle_minutes(Run.plain(self.ws), self.idle.value())
        except USER_ERRORS as exc:
            messages.error(self, str(exc))
            return
        messages.info(self, f"已设置：{self.idle.value()}分钟无操作后自动锁定。")
