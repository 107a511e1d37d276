"""Small account dialogs: the first account, the one-time recovery code, setting a
password (one's own, forced after a reset, or a reset by a 站长/管理员), adding a user
and the 忘记密码 path with the recovery code.

Every change goes through :mod:`ygt_desktop.ops.users` (which checks ``users.manage``)
or :mod:`ygt_desktop.storage.users` where nobody is logged in yet (the recovery code);
a refusal or a bad input shows as Chinese text in the dialog and changes nothing.
Enter submits, Esc cancels, focus starts in the first empty field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import roles
from ..ops import users as ops_users
from ..ops.base import USER_ERRORS, Run
from ..storage import users
from ..storage.workspace import Workspace
from . import files
from .error_text import ErrorLabel

BUTTON_GAP = 8  # px between a dialog's last field (or error) and its buttons


def password_edit(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def buttons(dialog: QDialog, accept: str, reject: str) -> tuple[QDialogButtonBox, QPushButton]:
    """OK/cancel in Chinese; the accept button is the default (Enter)."""
    box = QDialogButtonBox()
    box.setContentsMargins(0, BUTTON_GAP, 0, 0)
    ok = box.addButton(accept, QDialogButtonBox.ButtonRole.AcceptRole)
    box.addButton(reject, QDialogButtonBox.ButtonRole.RejectRole)
    ok.setDefault(True)
    box.rejected.connect(dialog.reject)
    return box, ok


def fit(dialog: QDialog, width: int) -> None:
    """``width`` wide and as tall as its wrapped texts need (a plain resize would cut
    the lines of a word-wrapped label off)."""
    dialog.setMinimumWidth(width)
    layout = dialog.layout()
    if layout is None:
        return
    height = layout.sizeHint().height()
    if layout.hasHeightForWidth():
        height = max(height, layout.heightForWidth(width))
    dialog.resize(width, height)


def focus_first_empty(*edits: QLineEdit) -> None:
    for edit in edits:
        if edit.isVisible() and not edit.text():
            edit.setFocus()
            return
    if edits:
        edits[-1].setFocus()


def new_password_problem(first: str, second: str) -> str | None:
    """A Chinese reason the two typed passwords cannot be used, or None."""
    try:
        users.check_password(first)
    except USER_ERRORS as exc:
        return str(exc)
    if first != second:
        return "两次输入的密码不一致，请重新输入。"
    return None


class FirstAccountDialog(QDialog):
    """The database's first account: 站长 (a bureau: 管理员). ``code`` is its recovery
    code once made (:func:`ops.users.first_account`, which also logs it in)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.role = roles.first_role(ws.is_bureau)
        self.code: str | None = None
        self.setWindowTitle(f"建立{self.role}账户")
        note = QLabel(
            f"本数据库还没有用户。请建立第一个账户（{self.role}），"
            "之后由此账户为其他人建立账户。每次打开程序都需要用户名和密码登录。"
        )
        note.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setObjectName("first_name")
        self.name.setPlaceholderText("一般用您的姓名，如 李明")
        self.password = password_edit("first_password", f"至少{users.MIN_PASSWORD}位")
        self.repeat = password_edit("first_repeat", "再输入一次")
        self.error = ErrorLabel()
        box, ok = buttons(self, "建立账户", "退出")
        ok.clicked.connect(self.try_accept)
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow("用户名＊", self.name)
        form.addRow("密码＊", self.password)
        form.addRow("再次输入密码＊", self.repeat)
        form.addRow(QLabel(f"角色：{self.role}"))
        form.addRow(self.error)
        form.addRow(box)
        fit(self, 460)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        focus_first_empty(self.name, self.password, self.repeat)

    def try_accept(self) -> None:
        problem = new_password_problem(self.password.text(), self.repeat.text())
        if problem is None:
            try:
                users.check_name(self.name.text())
            except USER_ERRORS as exc:
                problem = str(exc)
        if problem:
            self.error.setText(problem)
            return
        try:
            self.code = ops_users.first_account(
                self.ws, self.name.text().strip(), self.password.text()
            )
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def choose_pdf(parent: QWidget | None, file_name: str) -> Path | None:
    """Where to save the recovery code's PDF (tests replace this)."""
    return files.choose_path(parent, "保存恢复码（PDF）", file_name, "PDF 文件 (*.pdf)", ".pdf")


def open_pdf(path: Path) -> bool:
    return files.open_file(path)


class RecoveryCodeDialog(QDialog):
    """Shows a one-time recovery code until the user says it is written down or printed;
    Esc and 继续 do nothing before the box is ticked (the code is shown only once)."""

    def __init__(
        self, ws: Workspace, user: str, role: str, code: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.user = user
        self.role = role
        self.code = code
        self.printed: Path | None = None
        self.setWindowTitle("恢复码（只显示这一次）")
        intro = QLabel(
            f"这是账户“{user}”的恢复码。忘记密码时，凭它可以重新设置密码。"
            "它只显示这一次：请抄下或打印，放在安全的地方（不要和电脑放在一起）。"
        )
        intro.setWordWrap(True)
        self.code_label = QLabel(code)
        self.code_label.setObjectName("recovery_code")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(18)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("print_recovery")
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_code)
        self.done_box = QCheckBox("我已抄下或打印恢复码")
        self.done_box.setObjectName("recovery_kept")
        self.error = ErrorLabel()
        box = QDialogButtonBox()
        self.ok = box.addButton("继续", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.ok.setEnabled(False)
        self.ok.clicked.connect(self.try_accept)
        self.done_box.toggled.connect(self.ok.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code_label)
        layout.addLayout(row)
        layout.addWidget(self.done_box)
        layout.addWidget(self.error)
        layout.addWidget(box)
        fit(self, 480)

    def print_code(self) -> None:
        """Write the code's page as a PDF where the user says and open it to print."""
        from ..reports import recovery_pdf  # reportlab only when printing (a quick start)

        out = choose_pdf(self, recovery_pdf.file_name(self.user))
        if out is None:
            return
        org = self.ws.organisation
        try:
            recovery_pdf.write(
                out, org.name if org else "", self.user, self.role, self.code, dt.datetime.now()
            )
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        self.printed = out
        self.error.setText("")
        if not open_pdf(out):
            self.error.setText(f"已保存到 {out}，但没有找到打开 PDF 的程序：请手动打开打印。")

    def try_accept(self) -> None:
        if not self.done_box.isChecked():
            self.error.setText("请先抄下或打印恢复码，并勾选“我已抄下或打印恢复码”。")
            return
        self.accept()

    def reject(self) -> None:
        self.try_accept()


class SetPasswordDialog(QDialog):
    """A new password for ``name``.

    - one's own, old password asked (``ask_old``): 修改我的密码;
    - one's own, old password already known (``old``): forced right after a login
      with ``must_change`` (a migrated PIN or a reset), the new one must differ;
    - someone else's (a 站长/管理员's reset): that user must change it at next login.
    """

    def __init__(
        self,
        ws: Workspace,
        name: str,
        *,
        old: str | None = None,
        ask_old: bool = False,
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.name = name
        self.known_old = old
        own = name == ws.store.user
        self.setWindowTitle("修改密码" if own else f"重设“{name}”的密码")
        form = QFormLayout(self)
        if note:
            label = QLabel(note)
            label.setWordWrap(True)
            form.addRow(label)
        form.addRow("用户", QLabel(name))
        self.old = password_edit("old_password")
        if ask_old:
            form.addRow("原密码＊", self.old)
        else:
            self.old.hide()
        self.password = password_edit("new_password", f"至少{users.MIN_PASSWORD}位")
        self.repeat = password_edit("new_repeat", "再输入一次")
        form.addRow("新密码＊", self.password)
        form.addRow("再次输入新密码＊", self.repeat)
        if not own:
            hint = QLabel("对方下次登录时须改成自己的密码。")
            hint.setWordWrap(True)
            form.addRow(hint)
        self.error = ErrorLabel()
        form.addRow(self.error)
        box, ok = buttons(self, "确定", "取消")
        ok.clicked.connect(self.try_accept)
        form.addRow(box)
        self.ask_old = ask_old
        fit(self, 420)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        fields = (self.old, self.password, self.repeat) if self.ask_old else ()
        focus_first_empty(*(fields or (self.password, self.repeat)))

    def try_accept(self) -> None:
        new = self.password.text()
        problem = new_password_problem(new, self.repeat.text())
        old = self.old.text() if self.ask_old else self.known_old
        if problem is None and old is not None and new == old:
            problem = "新密码不能与原密码相同。"
        if problem:
            self.error.setText(problem)
            return
        try:
            ops_users.change_password(Run.plain(self.ws), self.name, new, old=old)
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class AddUserDialog(QDialog):
    """A new account with an initial password the user must change at first login."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle("添加用户")
        self.name = QLineEdit()
        self.name.setObjectName("user_name")
        self.name.setPlaceholderText("一般用姓名")
        self.role = QComboBox()
        self.role.setObjectName("user_role")
        self.role.addItems(list(roles.roles_for(ws.is_bureau)))
        self.password = password_edit("user_password", f"初始密码，至少{users.MIN_PASSWORD}位")
        self.repeat = password_edit("user_repeat", "再输入一次")
        self.error = ErrorLabel()
        box, ok = buttons(self, "添加", "取消")
        ok.clicked.connect(self.try_accept)
        form = QFormLayout(self)
        form.addRow("用户名＊", self.name)
        form.addRow("角色＊", self.role)
        form.addRow("初始密码＊", self.password)
        form.addRow("再次输入＊", self.repeat)
        hint = QLabel("请把初始密码当面告诉对方；对方第一次登录时须改成自己的密码。")
        hint.setWordWrap(True)
        form.addRow(hint)
        form.addRow(self.error)
        form.addRow(box)
        fit(self, 420)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        focus_first_empty(self.name, self.password, self.repeat)

    def try_accept(self) -> None:
        problem = new_password_problem(self.password.text(), self.repeat.text())
        if problem:
            self.error.setText(problem)
            return
        try:
            ops_users.add(
                Run.plain(self.ws),
                self.name.text().strip(),
                self.role.currentText(),
                self.password.text(),
                must_change=True,
            )
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class ForgotPasswordDialog(QDialog):
    """忘记密码: the user's recovery code and a new password; ``next_code`` is the
    code that replaces the spent one (shown next, to print)."""

    def __init__(self, ws: Workspace, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.next_code: str | None = None
        self.setWindowTitle("忘记密码")
        note = QLabel(
            "输入建立账户时打印或抄下的恢复码，再设置新密码。"
            "没有恢复码的，请站长或管理员为您重设密码。"
        )
        note.setWordWrap(True)
        self.name = QLineEdit(name)
        self.name.setObjectName("forgot_name")
        self.code = QLineEdit()
        self.code.setObjectName("forgot_code")
        self.code.setPlaceholderText("如 ABCD-EFGH-JKMN-PQRS")
        self.password = password_edit("forgot_password", f"至少{users.MIN_PASSWORD}位")
        self.repeat = password_edit("forgot_repeat", "再输入一次")
        self.error = ErrorLabel()
        box, ok = buttons(self, "重设密码", "取消")
        ok.clicked.connect(self.try_accept)
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow("用户名＊", self.name)
        form.addRow("恢复码＊", self.code)
        form.addRow("新密码＊", self.password)
        form.addRow("再次输入新密码＊", self.repeat)
        form.addRow(self.error)
        form.addRow(box)
        fit(self, 440)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        focus_first_empty(self.name, self.code, self.password, self.repeat)

    def try_accept(self) -> None:
        name = self.name.text().strip()
        problem = None if name else "请填写用户名。"
        if problem is None and not self.code.text().strip():
            problem = "请填写恢复码。"
        problem = problem or new_password_problem(self.password.text(), self.repeat.text())
        if problem:
            self.error.setText(problem)
            return
        try:
            self.next_code = users.recover(
                self.ws.store, name, self.code.text(), self.password.text()
            )
        except USER_ERRORS as exc:
            self.error.setText(str(exc))
            return
        self.accept()
