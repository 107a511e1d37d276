"""设置 › 用户: a 站长 adds, resets, re-roles, disables and unlocks accounts through
ops.users; everyone changes their own password; a 录入员 sees the buttons greyed and is
refused by ops when one is pressed anyway."""

from __future__ import annotations

from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop.storage import audit, users
from ygt_desktop.ui import messages
from ygt_desktop.ui.account_dialogs import AddUserDialog, RecoveryCodeDialog, SetPasswordDialog
from ygt_desktop.ui.settings_page import SettingsPage
from ygt_desktop.ui.users_page import UsersPage


def page_for(qtbot, ws) -> UsersPage:
    page = UsersPage(ws)
    qtbot.addWidget(page)
    page.show()
    return page


def select(page, name):
    page._select(name)
    assert page.model.row_at(page.table.currentIndex().row()).name == name


def test_the_settings_page_has_a_users_tab_and_no_pin(qtbot, ws):
    page = SettingsPage(ws)
    qtbot.addWidget(page)
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert tabs == ["本机构与备份", "用户"]
    assert not hasattr(page, "head_pin") and not hasattr(page, "operator")
    assert page.restore_button.isEnabled()


def test_list_add_reset_role_disable_unlock(qtbot, ws, qtmodeltester, monkeypatch):
    page = page_for(qtbot, ws)
    qtmodeltester.check(page.model)
    assert [u.name for u in page.model.rows] == [TEST_USER]
    infos = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": infos.append(text))
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)

    def add(self):
        assert self.role.count() == 4  # 录入员 医生 站长 管理员
        self.name.setText("小王")
        self.role.setCurrentText("医生")
        self.password.setText("start-123")
        self.repeat.setText("start-123")
        self.try_accept()
        return self.result() == AddUserDialog.DialogCode.Accepted

    monkeypatch.setattr(AddUserDialog, "exec", add)
    page.buttons["add"].click()
    wang = users.get_user(ws.store, "小王")
    assert wang.role == "医生" and wang.must_change  # changed at the first login
    assert "已添加用户“小王”（医生）" in infos[-1]
    assert page.model.index(1, 2).data() == "正常（下次登录须改密码）"

    select(page, "小王")
    monkeypatch.setattr(messages, "choose", lambda parent, text, title, options: "录入员")
    page.buttons["role"].click()
    assert users.get_user(ws.store, "小王").role == "录入员"

    for _ in range(5):
        try:
            users.login(ws.store, "小王", "wrong-pw")
        except users.LoginError:
            pass
    page.refresh()
    assert page.model.index(1, 2).data().startswith("已锁定（到")
    select(page, "小王")
    page.buttons["unlock"].click()
    assert users.get_user(ws.store, "小王").locked_until is None

    def reset(self):
        self.password.setText("reset-456")
        self.repeat.setText("reset-456")
        self.try_accept()
        return self.result() == SetPasswordDialog.DialogCode.Accepted

    monkeypatch.setattr(SetPasswordDialog, "exec", reset)
    select(page, "小王")
    page.buttons["reset"].click()
    assert users.check_password_of(ws.store, "小王", "reset-456")
    assert users.get_user(ws.store, "小王").must_change

    select(page, "小王")
    page.buttons["active"].click()
    assert not users.get_user(ws.store, "小王").active
    assert page.model.index(1, 2).data() == "已停用"

    codes = []
    monkeypatch.setattr(RecoveryCodeDialog, "exec", lambda self: codes.append(self.code) or True)
    select(page, "小王")
    page.buttons["recovery"].click()
    assert codes and users.recover(ws.store, "小王", codes[0], "by-code-789")
    reasons = {e.reason for e in audit.query(ws.store.conn, table="users")}
    assert {"新建用户", "修改角色", "解除锁定", "重设密码", "停用用户", "重新生成恢复码"} <= reasons


def test_the_last_keeper_cannot_disable_themself(qtbot, ws, monkeypatch):
    page = page_for(qtbot, ws)
    errors = []
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    select(page, TEST_USER)
    page.buttons["active"].click()
    assert errors == ["不能停用自己正在使用的账户。"]
    assert users.get_user(ws.store, TEST_USER).active


def test_change_my_password_needs_the_old_one(qtbot, ws, monkeypatch):
    page = page_for(qtbot, ws)

    def change(self):
        assert self.old.isVisibleTo(self)
        self.old.setText("not-mine")
        self.password.setText("better-1")
        self.repeat.setText("better-1")
        self.try_accept()
        assert self.error.text() == "原密码不正确，密码未修改。"
        self.old.setText(TEST_PASSWORD)
        self.try_accept()
        return self.result() == SetPasswordDialog.DialogCode.Accepted

    monkeypatch.setattr(SetPasswordDialog, "exec", change)
    page.change_mine.click()
    assert users.check_password_of(ws.store, TEST_USER, "better-1")
    assert not users.get_user(ws.store, TEST_USER).must_change


def test_an_entry_clerk_sees_greyed_buttons_and_is_refused_anyway(qtbot, ws, monkeypatch):
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    ws.login("小王", "enter-123")
    page = page_for(qtbot, ws)
    assert not page.table.isVisible() and page.model.rowCount() == 0
    assert all(not b.isEnabled() for b in page.buttons.values())
    assert "只有站长、管理员可以管理用户账户" in page.buttons["add"].toolTip()
    assert not page.idle.isEnabled() and not page.save_idle.isEnabled()
    assert page.change_mine.isEnabled()  # one's own password, everyone
    errors = []
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    page.idle.setValue(60)
    page.set_idle()  # the greyed 保存, pressed through its method: ops refuses
    assert errors and "小王（录入员）无权修改机构设置" in errors[0]
    dialog = AddUserDialog(ws)
    qtbot.addWidget(dialog)
    dialog.name.setText("小李")
    dialog.password.setText("start-123")
    dialog.repeat.setText("start-123")
    dialog.try_accept()
    assert "无权管理用户账户" in dialog.error.text()
    assert users.get_user(ws.store, "小李") is None
    settings = SettingsPage(ws)
    qtbot.addWidget(settings)
    assert not settings.restore_button.isEnabled()
    refused = audit.query(ws.store.conn, user="小王", table="permissions")
    assert len(refused) == 2
