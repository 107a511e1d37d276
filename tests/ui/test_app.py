"""The application shell: first-start setup, navigation, settings and backups."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from tests.conftest import TEST_PASSWORD, TEST_USER, add_test_user
from tests.ui.background import wait_for_jobs
from ygt_desktop.storage import backup, users
from ygt_desktop.storage.organisation import get_organisation, villages
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui import app as app_module
from ygt_desktop.ui import messages
from ygt_desktop.ui.account_dialogs import FirstAccountDialog, RecoveryCodeDialog
from ygt_desktop.ui.login_dialog import LoginDialog
from ygt_desktop.ui.setup_dialog import SetupDialog
from ygt_desktop.ui.shell import MainWindow


def log_in_as(monkeypatch, name=TEST_USER, password=TEST_PASSWORD):
    """The login dialog, typed into and accepted (its exec would wait for a person)."""

    def fill(self):
        self.name.setText(name)
        self.password.setText(password)
        self.try_login()
        return self.result() == LoginDialog.DialogCode.Accepted

    monkeypatch.setattr(LoginDialog, "exec", fill)


def test_setup_refuses_bad_input_in_chinese(qtbot):
    dialog = SetupDialog("x.db")
    qtbot.addWidget(dialog)
    dialog.code.setText("12345")
    dialog.villages.setPlainText("101 小坝村委会\n250 错误村")
    dialog.try_accept()
    text = dialog.error.text()
    assert "机构代码应为9位" in text
    assert "请填写机构名称" in text
    assert "居委/村委第2行" in text
    assert dialog.result_org is None


def test_first_start_creates_the_database_from_setup(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "new.db"

    def fill_and_accept(self):
        self.name.setText("五华区龙泉社区卫生服务站")
        self.code.setText("530102003")
        self.villages.setPlainText("001 龙泉路社区居委会\n101 小坝村委会")
        self.try_accept()
        return self.result() == SetupDialog.DialogCode.Accepted

    codes = []

    def first_account(self):
        assert "站长" in self.windowTitle()
        self.name.setText("李医生")
        qtbot.keyClicks(self.password, "secret-1")
        qtbot.keyClicks(self.repeat, "secret-1")
        self.try_accept()
        return self.result() == FirstAccountDialog.DialogCode.Accepted

    def keep_code(self):
        codes.append(self.code_label.text())
        self.try_accept()  # not before the box is ticked
        assert self.result() != RecoveryCodeDialog.DialogCode.Accepted and self.error.text()
        self.done_box.setChecked(True)
        self.try_accept()
        return self.result() == RecoveryCodeDialog.DialogCode.Accepted

    monkeypatch.setattr(SetupDialog, "exec", fill_and_accept)
    monkeypatch.setattr(FirstAccountDialog, "exec", first_account)
    monkeypatch.setattr(RecoveryCodeDialog, "exec", keep_code)
    controller = app_module.AppController(path)
    assert controller.start()
    qtbot.addWidget(controller.window)
    ws = controller.ws
    assert get_organisation(ws.store).code == "530102003"
    assert [v.code for v in villages(ws.store)] == ["001", "101"]
    assert (ws.store.user, ws.store.role) == ("李医生", "站长")
    assert users.get_user(ws.store, "李医生").role == "站长"
    assert "用户：李医生（站长）" in controller.window.status_org.text()
    # the recovery code shown once works: it resets the password
    assert len(codes) == 1 and len(codes[0]) == 19
    assert users.recover(ws.store, "李医生", codes[0], "secret-2")
    assert "五华区龙泉社区卫生服务站" in controller.window.windowTitle()
    controller.window.close()


def test_second_window_on_the_same_file_is_refused(qtbot, ws, monkeypatch):
    shown = []
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": shown.append(text))
    controller = app_module.AppController(ws.store.path)
    assert not controller.start()
    assert "正被另一个程序窗口使用" in shown[0]


def test_shell_navigation_and_ctrl_f(qtbot, ws):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names == [
        "居民档案",
        "公卫服务",
        "待办随访",
        "家医签约",
        "转诊",
        "设备",
        "报表",
        "审计日志",
        "设置",
    ]
    window.nav.setCurrentRow(6)
    assert window.stack.currentWidget() is window.report_page
    # the page computes the quarter in the background; closing meanwhile would ask
    qtbot.waitUntil(lambda: not window.report_page.jobs.busy(), timeout=30000)
    for i in range(window.nav.count()):  # a page not built yet says so plainly
        page = window.stack.widget(i)
        if type(page).__name__ == "PlaceholderPage":
            assert any("尚未完成" in label.text() for label in page.findChildren(QLabel))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.residents_page
    assert window.residents_page.search.hasFocus()
    assert "测试社区卫生服务站" in window.status_org.text()


def test_settings_backup_now_and_restore(qtbot, tmp_path, forms, monkeypatch):
    from tests.conftest import ORG, VILLAGES
    from ygt_desktop.storage.organisation import add_village, set_organisation

    path = tmp_path / "s.db"
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, ORG)
    for code, name in VILLAGES:
        add_village(ws.store, code, name)
    ws.residents.save({"name": "张三", "id_number": "11010519491231002X", "village_code": "101"})
    add_test_user(ws)
    ws.close(backup_on_exit=False)

    log_in_as(monkeypatch)
    monkeypatch.setattr(messages, "info", lambda *a, **k: None)
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    controller = app_module.AppController(path)
    assert controller.start()
    window = controller.window
    page = window.settings_page
    page.backup_now()
    wait_for_jobs(qtbot)
    assert page.backup_table.rowCount() == 1
    assert page.backup_table.item(0, 1).text() == "手动"
    assert page.backup_table.item(0, 3).text() in ("已通过", "待检查")
    assert "最近备份" in window.status_backup.text()

    # a resident added after the backup is gone once the backup is restored
    controller.ws.residents.save(
        {
            "name": "李四",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "1980-01-01",
            "village_code": "101",
        }
    )
    assert controller.ws.residents.count() == 2
    page.backup_table.selectRow(0)
    page.restore_selected()
    wait_for_jobs(qtbot)
    assert controller.ws.residents.count() == 1
    assert controller.window is not window
    assert controller.ws.store.user == TEST_USER  # the same person goes on
    assert controller._idle_minutes() == 10  # read from the restored file, not the closed one
    controller.idle.tick()  # no error from the old, closed workspace
    qtbot.addWidget(controller.window)
    reasons = [b.reason for b in backup.list_backups(path)]
    assert "恢复前" in reasons  # the state before the restore is kept too
    assert list(tmp_path.glob("s.db.replaced-*"))
    controller.window.close()


def corrupt(path, from_page=3):
    data = bytearray(path.read_bytes())
    page = 4096
    for i in range(from_page * page, len(data)):
        data[i] = (i * 7919) % 251
    path.write_bytes(bytes(data))


def test_damaged_database_offers_the_newest_good_backup(qtbot, tmp_path, forms, monkeypatch):
    from ygt_desktop.cli import main as ygt

    path = tmp_path / "d.db"
    assert (
        ygt(
            [
                "demo",
                "--db",
                str(path),
                "--residents",
                "300",
                "--seed",
                "2",
                "--today",
                "2026-11-20",
            ]
        )
        == 0
    )
    corrupt(path)
    log_in_as(monkeypatch)
    asked = []
    monkeypatch.setattr(messages, "ask", lambda parent, text, title="": asked.append(text) or True)
    monkeypatch.setattr(messages, "ask_text", lambda parent, text, title="": "演示站长")
    monkeypatch.setattr(messages, "ask_password", lambda parent, text, title="": "demo-1234")
    monkeypatch.setattr(messages, "error", lambda *a, **k: pytest.fail(str(a)))
    controller = app_module.AppController(path)
    assert controller.start()
    qtbot.addWidget(controller.window)
    assert "恢复最近的完好备份" in asked[0]
    assert not controller.ws.store.readonly
    assert controller.ws.residents.count() == 300
    assert list(tmp_path.glob("d.db.replaced-*"))  # the damaged file is kept aside
    controller.window.close()


def test_a_damaged_database_is_restored_only_by_a_head_or_keeper(
    qtbot, tmp_path, forms, monkeypatch
):
    from ygt_desktop.cli import main as ygt

    path = tmp_path / "d.db"
    args = ["demo", "--db", str(path), "--residents", "50", "--seed", "2", "--today", "2026-11-20"]
    assert ygt(args) == 0
    corrupt(path)
    damaged = path.read_bytes()
    errors: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    monkeypatch.setattr(messages, "ask_text", lambda *a, **k: "演示录入员")
    monkeypatch.setattr(messages, "ask_password", lambda *a, **k: "demo-1234")
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    assert not app_module.AppController(path).start()
    assert errors and "无权从备份恢复数据库" in errors[0]
    assert path.read_bytes() == damaged  # nothing replaced, nothing set aside
    assert not list(tmp_path.glob("d.db.replaced-*"))


def test_pages_open_with_ctrl_and_a_number(qtbot, ws):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.settings_page
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.residents_page


def test_the_window_timers_stop_and_leave_a_closed_file_alone(qtbot, ws):
    """Closing the window stops its timers; a timer or a queued signal arriving after
    the window closed its file (the window object outlives it) does nothing: no "closed
    database" error."""
    window = MainWindow(ws, background=True)
    qtbot.addWidget(window)
    assert window._backup_timer.isActive()
    assert window.close()
    assert not window._backup_timer.isActive() and ws.store.closed
    window.backup_if_due()
    window.keep_report_up()
    window._update_status()
