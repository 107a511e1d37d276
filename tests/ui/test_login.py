"""Logging in at start: the login dialog's Chinese errors and lockout, the remembered
name, 忘记密码 with the recovery code, the forced change of a reset password, the first
account and its recovery code (printable)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop.ops import users as ops_users
from ygt_desktop.ops.base import Run
from ygt_desktop.storage import users
from ygt_desktop.storage.organisation import Organisation, set_organisation
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui import account_dialogs, login_dialog
from ygt_desktop.ui import app as app_module
from ygt_desktop.ui.account_dialogs import (
    FirstAccountDialog,
    ForgotPasswordDialog,
    RecoveryCodeDialog,
    SetPasswordDialog,
)
from ygt_desktop.ui.login_dialog import LoginDialog


@pytest.fixture
def remembered(monkeypatch):
    """The last user name on this PC, kept in the test instead of QSettings."""
    saved = {"name": ""}
    monkeypatch.setattr(login_dialog, "remembered_name", lambda: saved["name"])
    monkeypatch.setattr(login_dialog, "remember_name", lambda n: saved.update(name=n))
    return saved


def login_dialog_for(qtbot, ws) -> LoginDialog:
    ws.store.user, ws.store.role = "", None  # nobody logged in yet
    dialog = LoginDialog(ws)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_enter_logs_in_and_the_name_is_remembered(qtbot, ws, remembered):
    dialog = login_dialog_for(qtbot, ws)
    assert dialog.focusWidget() is dialog.name  # the first empty field
    dialog.name.setText(TEST_USER)
    qtbot.keyClicks(dialog.password, TEST_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    assert (ws.store.user, ws.store.role) == (TEST_USER, "站长")
    assert remembered["name"] == TEST_USER
    again = login_dialog_for(qtbot, ws)
    assert again.name.text() == TEST_USER and again.focusWidget() is again.password


def test_wrong_passwords_count_down_then_lock_in_chinese(qtbot, ws, remembered):
    remembered["name"] = TEST_USER
    dialog = login_dialog_for(qtbot, ws)
    for left in (4, 3, 2, 1):
        qtbot.keyClicks(dialog.password, "wrong-pw")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        assert f"再错{left}次将锁定账户" in dialog.error.text()
        assert dialog.password.text() == "" and dialog.result() != LoginDialog.DialogCode.Accepted
    qtbot.keyClicks(dialog.password, "wrong-pw")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "已锁定到" in dialog.error.text()
    qtbot.keyClicks(dialog.password, TEST_PASSWORD)  # even the right one, for 30 minutes
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "已锁定到" in dialog.error.text() and dialog.user is None
    assert ws.store.user == ""


def test_empty_fields_and_a_disabled_account_are_explained(qtbot, ws, remembered):
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    users.set_active(ws.store, "小王", False, by=TEST_USER)
    dialog = login_dialog_for(qtbot, ws)
    dialog.try_login()
    assert dialog.error.text() == "请填写用户名。"
    dialog.name.setText("小王")
    dialog.try_login()
    assert dialog.error.text() == "请输入密码。" and dialog.focusWidget() is dialog.password
    qtbot.keyClicks(dialog.password, "enter-123")
    dialog.try_login()
    assert "已停用" in dialog.error.text() and dialog.user is None


def test_forgot_password_with_the_recovery_code_shows_the_next_code(
    qtbot, ws, remembered, monkeypatch
):
    code = users.new_recovery(ws.store, TEST_USER, by=TEST_USER)
    shown = []

    def forgot(self):
        assert self.name.text() == TEST_USER  # carried over from the login dialog
        self.code.setText("AAAA-BBBB-CCCC-DDDD")
        qtbot.keyClicks(self.password, "new-pass-1")
        qtbot.keyClicks(self.repeat, "new-pass-1")
        self.try_accept()
        assert self.error.text() == "恢复码不正确。"
        self.code.setText(code.lower())  # typed in small letters is fine
        self.try_accept()
        return self.result() == ForgotPasswordDialog.DialogCode.Accepted

    def keep(self):
        shown.append(self.code_label.text())
        self.done_box.setChecked(True)
        self.try_accept()
        return True

    monkeypatch.setattr(ForgotPasswordDialog, "exec", forgot)
    monkeypatch.setattr(RecoveryCodeDialog, "exec", keep)
    remembered["name"] = TEST_USER
    dialog = login_dialog_for(qtbot, ws)
    dialog.forgot_password()
    assert shown and shown[0] != code
    assert "请用新密码登录" in dialog.error.text()
    qtbot.keyClicks(dialog.password, "new-pass-1")
    dialog.try_login()
    assert dialog.user is not None
    with pytest.raises(users.LoginError):  # the spent code is spent
        users.recover(ws.store, TEST_USER, code, "other-pass-2")


def test_a_reset_password_must_be_replaced_right_after_login(qtbot, ws, remembered, monkeypatch):
    ops_users.add(Run.plain(ws), "小王", "录入员", "first-123", must_change=True)
    ws.close(backup_on_exit=False)

    def fill(self):
        self.name.setText("小王")
        self.password.setText("first-123")
        self.try_login()
        return self.result() == LoginDialog.DialogCode.Accepted

    def change(self):
        assert self.windowTitle() == "修改密码" and not self.old.isVisible()
        qtbot.keyClicks(self.password, "first-123")
        qtbot.keyClicks(self.repeat, "first-123")
        self.try_accept()
        assert self.error.text() == "新密码不能与原密码相同。"
        self.password.setText("mine-4567")
        self.repeat.setText("mine-4568")
        self.try_accept()
        assert "两次输入的密码不一致" in self.error.text()
        self.repeat.setText("mine-4567")
        self.try_accept()
        return self.result() == SetPasswordDialog.DialogCode.Accepted

    monkeypatch.setattr(LoginDialog, "exec", fill)
    monkeypatch.setattr(SetPasswordDialog, "exec", change)
    controller = app_module.AppController(ws.store.path)
    assert controller.start()
    qtbot.addWidget(controller.window)
    store = controller.ws.store
    assert (store.user, store.role) == ("小王", "录入员")
    assert not users.get_user(store, "小王").must_change
    assert users.check_password_of(store, "小王", "mine-4567")
    controller.window.close()


def test_refusing_the_forced_change_does_not_open_the_window(qtbot, ws, remembered, monkeypatch):
    ops_users.add(Run.plain(ws), "小王", "录入员", "first-123", must_change=True)
    ws.close(backup_on_exit=False)

    def fill(self):
        self.name.setText("小王")
        self.password.setText("first-123")
        self.try_login()
        return True

    monkeypatch.setattr(LoginDialog, "exec", fill)
    monkeypatch.setattr(SetPasswordDialog, "exec", lambda self: False)
    controller = app_module.AppController(ws.store.path)
    assert not controller.start()
    assert controller.window is None and controller.ws is None


def test_first_account_checks_what_was_typed(qtbot, ws):
    fresh = Workspace.open(ws.store.path.with_name("fresh.db"), create=True, forms=ws.forms)
    set_organisation(fresh.store, Organisation("530102", "五华区卫生健康局", "区", None))
    dialog = FirstAccountDialog(fresh)
    qtbot.addWidget(dialog)
    assert dialog.role == "管理员"  # a bureau's first account
    dialog.show()
    assert dialog.focusWidget() is dialog.name
    dialog.name.setText("赵主任")
    qtbot.keyClicks(dialog.password, "abc")
    qtbot.keyClicks(dialog.repeat, "abc")
    dialog.try_accept()
    assert "密码至少6位" in dialog.error.text() and dialog.code is None
    dialog.password.setText("bureau-1")
    dialog.repeat.setText("bureau-2")
    dialog.try_accept()
    assert "不一致" in dialog.error.text() and not users.has_users(fresh.store)
    dialog.repeat.setText("bureau-1")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert dialog.code and users.get_user(fresh.store, "赵主任").role == "管理员"
    assert fresh.store.user == "赵主任"
    fresh.close(backup_on_exit=False)


def test_recovery_code_prints_as_a_pdf_and_esc_waits_for_the_tick(qtbot, ws, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(account_dialogs, "choose_pdf", lambda parent, name: tmp_path / name)
    monkeypatch.setattr(account_dialogs, "open_pdf", lambda path: opened.append(path) or True)
    dialog = RecoveryCodeDialog(ws, TEST_USER, "站长", "ABCD-EFGH-JKMN-PQRS")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()
    dialog.print_button.click()
    out = tmp_path / f"恢复码_{TEST_USER}.pdf"
    assert opened == [out] and out.read_bytes().startswith(b"%PDF")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and "请先抄下或打印恢复码" in dialog.error.text()
    dialog.done_box.setChecked(True)
    assert dialog.ok.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == RecoveryCodeDialog.DialogCode.Accepted


def test_recovery_pdf_embeds_the_font_and_holds_the_code():
    from ygt_desktop.reports import recovery_pdf

    data = recovery_pdf.pdf_bytes(
        "测试站", TEST_USER, "站长", "ABCD-EFGH-JKMN-PQRS", dt.datetime(2026, 1, 2, 3, 4)
    )
    assert data.startswith(b"%PDF") and b"FontFile2" in data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "ABCD-EFGH-JKMN-PQRS" in text and TEST_USER in text and "账户恢复码" in text


def test_the_first_start_without_accounts_asks_for_the_first_account(
    qtbot, tmp_path, forms, monkeypatch
):
    """A database with an organisation but no accounts (first start cut short)."""
    from tests.conftest import ORG

    path = tmp_path / "half.db"
    half = Workspace.open(path, create=True, forms=forms)
    set_organisation(half.store, ORG)
    half.close(backup_on_exit=False)
    monkeypatch.setattr(FirstAccountDialog, "exec", lambda self: False)  # 退出
    controller = app_module.AppController(path)
    assert not controller.start()
    assert controller.ws is None  # closed again; a later start asks again
