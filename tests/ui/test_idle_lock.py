"""The idle lock with a clock the test moves: nothing locks before the minutes, every
window is covered after them, what was typed in an open record editor survives the
lock and the unlock, wrong passwords are counted, 切换用户 asks before closing the first
user's editors and rebuilds the window for the new user."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop.ops import users as ops_users
from ygt_desktop.ops.base import PermissionRefused, Run
from ygt_desktop.storage import users
from ygt_desktop.ui import app as app_module
from ygt_desktop.ui import messages
from ygt_desktop.ui.idle_lock import IdleLock
from ygt_desktop.ui.resident_editor import ResidentEditor
from ygt_desktop.ui.shell import MainWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def minutes(self, n: float) -> None:
        self.now += n * 60


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def locked_window(qtbot, ws, clock):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    lock = IdleLock(ws, lambda: ops_users.idle_minutes(ws), clock=clock)
    lock.attach(window)
    yield window, lock
    lock.unlock()
    lock.stop()


def open_editor(qtbot, window, ws) -> ResidentEditor:
    editor = ResidentEditor(ws, parent=window)
    qtbot.addWidget(editor)
    editor.open()
    qtbot.waitExposed(editor)
    return editor


def name_field(editor):
    return editor.form_widget.editors["name"].widget


def test_locks_after_the_idle_minutes_only(qtbot, ws, clock, locked_window):
    window, lock = locked_window
    assert ops_users.idle_minutes(ws) == 10  # the default
    clock.minutes(9.9)
    lock.tick()
    assert not lock.locked
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)  # activity restarts the count
    clock.minutes(9.9)
    lock.tick()
    assert not lock.locked
    clock.minutes(0.2)
    lock.tick()
    assert lock.locked and lock.dialog.isVisible()
    assert window in lock.covers and lock.covers[window].isVisible()
    assert lock.covers[window].geometry() == window.rect()
    clock.minutes(60)  # typing at the lock does not count as activity for the window
    qtbot.keyClicks(lock.dialog.password, "x")
    assert lock.locked


def test_typed_text_survives_the_lock_and_the_unlock(qtbot, ws, clock, locked_window):
    window, lock = locked_window
    editor = open_editor(qtbot, window, ws)
    field = name_field(editor)
    field.setFocus()
    qtbot.keyClicks(field, "Zhang San")
    clock.minutes(10)
    lock.tick()
    assert lock.locked and editor.isVisible()
    assert editor in lock.covers  # the editor's content is hidden too
    dialog = lock.dialog
    assert dialog.name.text() == TEST_USER and dialog.name.isReadOnly()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc does not unlock
    assert lock.locked
    qtbot.keyClicks(dialog.password, "wrong-pw")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "密码不正确" in dialog.error.text() and lock.locked
    qtbot.keyClicks(dialog.password, TEST_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert not lock.locked and not lock.covers
    assert editor.isVisible() and field.text() == "Zhang San"
    assert editor.focusWidget() is field  # back where the user was typing
    qtbot.keyClicks(field, "feng")
    assert field.text() == "Zhang Sanfeng"
    editor.form_widget.mark_clean()
    editor.done(0)


def test_five_wrong_passwords_at_the_lock_make_it_wait(qtbot, ws, clock, locked_window):
    window, lock = locked_window
    lock.lock()  # Ctrl+L
    dialog = lock.dialog
    for _ in range(5):
        dialog.password.setText("wrong-pw")
        dialog.try_unlock()
    assert "请30分钟后再试" in dialog.error.text()
    dialog.password.setText(TEST_PASSWORD)
    dialog.try_unlock()
    assert lock.locked and "分钟后再试" in dialog.error.text()
    clock.minutes(30)
    dialog.password.setText(TEST_PASSWORD)
    dialog.try_unlock()
    assert not lock.locked


def test_ctrl_l_locks_at_once(qtbot, ws, locked_window):
    window, lock = locked_window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert lock.locked


def test_idle_minutes_are_a_keepers_setting(qtbot, ws):
    ops_users.set_idle_minutes(Run.plain(ws), 3)
    assert ops_users.idle_minutes(ws) == 3
    with pytest.raises(ops_users.OpError, match="1到60分钟"):
        ops_users.set_idle_minutes(Run.plain(ws), 0)
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    ws.login("小王", "enter-123")
    with pytest.raises(PermissionRefused):
        ops_users.set_idle_minutes(Run.plain(ws), 60)
    assert ops_users.idle_minutes(ws) == 3


def test_switching_user_asks_then_closes_the_first_users_editors(qtbot, ws, tmp_path, monkeypatch):
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    path = ws.store.path
    ws.close(backup_on_exit=False)

    def fill(self):
        self.name.setText(TEST_USER)
        self.password.setText(TEST_PASSWORD)
        self.try_login()
        return True

    from ygt_desktop.ui.login_dialog import LoginDialog

    monkeypatch.setattr(LoginDialog, "exec", fill)
    controller = app_module.AppController(path)
    assert controller.start()
    clock = Clock()
    lock = controller.idle
    lock.clock = clock
    first = controller.window
    qtbot.addWidget(first)
    editor = open_editor(qtbot, first, controller.ws)
    qtbot.keyClicks(name_field(editor), "typed by the head")
    lock.lock()
    dialog = lock.dialog
    answers = [False, True]
    asked = []
    monkeypatch.setattr(
        messages, "ask", lambda parent, text, title="": asked.append(text) or answers.pop(0)
    )
    dialog.start_switch()  # 否: stays as it was
    assert "将关闭正在编辑的窗口（1个）" in asked[0] and dialog.name.isReadOnly()
    dialog.start_switch()
    assert not dialog.name.isReadOnly() and dialog.name.text() == ""
    dialog.name.setText("小王")
    dialog.password.setText("wrong-pw")
    dialog.try_unlock()
    assert "再错4次" in dialog.error.text() and editor.isVisible()  # nothing closed yet
    dialog.password.setText("enter-123")
    dialog.try_unlock()
    assert not lock.locked
    assert not editor.isVisible()
    store = controller.ws.store
    assert (store.user, store.role) == ("小王", "录入员")
    second = controller.window
    qtbot.addWidget(second)
    assert second is not first
    names = [second.nav.item(i).text() for i in range(second.nav.count())]
    assert "审计日志" not in names  # the window is the 录入员's now
    assert not second.report_page.submit_button.isEnabled()
    lock.stop()
    second.close()
