"""登录: who is using the program. The workspace acts as the user logged in here
(:meth:`Workspace.login`): every write is audited under that name and every operation
checks that user's role. The last user name is remembered on this PC (not the
password). 忘记密码 resets the password with the account's recovery code.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ..ops.base import USER_ERRORS
from ..storage import users
from ..storage.workspace import Workspace
from .account_dialogs import (
    BUTTON_GAP,
    ForgotPasswordDialog,
    RecoveryCodeDialog,
    fit,
    focus_first_empty,
)
from .error_text import ErrorLabel

_LAST_USER_KEY = "login/last_user"


def remembered_name() -> str:
    """The user name last logged in on this PC ('' the first time). Tests replace it."""
    value = QSettings("ygt_desktop", "ygt_desktop").value(_LAST_USER_KEY)
    return value if isinstance(value, str) else ""


def remember_name(name: str) -> None:
    QSettings("ygt_desktop", "ygt_desktop").setValue(_LAST_USER_KEY, name)


class LoginDialog(QDialog):
    """User name and password; ``user`` is the account once logged in."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.user: users.User | None = None
        self.password_used = ""
        org = ws.organisation
        self.setWindowTitle("登录 — 基层公共卫生服务系统")
        title = QLabel(f"<b>{org.name if org else ''}</b>")
        self.name = QLineEdit(remembered_name())
        self.name.setObjectName("login_name")
        self.name.setPlaceholderText("用户名")
        self.password = QLineEdit()
        self.password.setObjectName("login_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("密码")
        self.error = ErrorLabel()
        self.error.setObjectName("login_error")
        box = QDialogButtonBox()
        box.setContentsMargins(0, BUTTON_GAP, 0, 0)
        self.ok = box.addButton("登录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.try_login)
        self.forgot = box.addButton("忘记密码…", QDialogButtonBox.ButtonRole.ResetRole)
        self.forgot.setAutoDefault(False)
        self.forgot.clicked.connect(self.forgot_password)
        box.addButton("退出", QDialogButtonBox.ButtonRole.RejectRole)
        box.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(title)
        form.addRow("用户名", self.name)
        form.addRow("密码", self.password)
        form.addRow(self.error)
        form.addRow(box)
        fit(self, 420)

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)  # type: ignore[arg-type]
        focus_first_empty(self.name, self.password)

    def try_login(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.error.setText("请填写用户名。")
            self.name.setFocus()
            return
        if not self.password.text():
            self.error.setText("请输入密码。")
            self.password.setFocus()
            return
        try:
            self.user = self.ws.login(name, self.password.text())
        except USER_ERRORS as exc:  # LoginError: wrong, locked until HH:MM, disabled
            self.error.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.password_used = self.password.text()
        self.password.clear()
        remember_name(self.user.name)
        self.accept()

    def forgot_password(self) -> None:
        """The recovery code path; then the next code is shown once, to print."""
        dialog = ForgotPasswordDialog(self.ws, self.name.text().strip(), self)
        if not dialog.exec() or dialog.next_code is None:
            return
        name = dialog.name.text().strip()
        user = users.get_user(self.ws.store, name)
        RecoveryCodeDialog(self.ws, name, user.role if user else "", dialog.next_code, self).exec()
        self.name.setText(name)
        self.password.clear()
        self.error.setText("密码已重设，请用新密码登录。")
        self.password.setFocus()
