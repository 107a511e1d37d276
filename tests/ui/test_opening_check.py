"""Issue 15, opening at once: a large file opens without its check, which then runs in
the background (here held pending by an injected checker). The window is usable for
looking meanwhile (the search answers), says so in the status bar, refuses to save
with a Chinese message that keeps the dialog and its text, lets writes in when the
check passes and, when it fails, turns read-only, tells the user and goes to 设置."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_residents_page import (
    activate,
    editor_field,
    type_chinese,
    type_text,
    wait_dialog,
)
from ygt_desktop.ops import backup as ops_backup
from ygt_desktop.ops.base import OpCancelled, Run
from ygt_desktop.storage.db import CHECK_PENDING_MESSAGE
from ygt_desktop.storage.organisation import get_setting, set_setting
from ygt_desktop.ui import messages
from ygt_desktop.ui.integrity_watch import PENDING_TEXT
from ygt_desktop.ui.jobs import JobRunner
from ygt_desktop.ui.resident_editor import ResidentEditor
from ygt_desktop.ui.shell import MainWindow

RESIDENTS = (("王小明", "11010519491231002X"), ("李红", "110105198001010016"))


class HeldCheck:
    """A checker that waits until the test releases it with a verdict."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.problems: list[str] = []
        self.started = threading.Event()

    def __call__(self, run: Run) -> list[str]:
        self.started.set()
        while not self.release.wait(0.01):
            if run.cancelled():
                raise OpCancelled()
        return self.problems

    def finish(self, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        self.release.set()


@pytest.fixture
def held(ws) -> Iterator[HeldCheck]:
    for name, number in RESIDENTS:
        ws.residents.save({"name": name, "id_number": number, "village_code": "001"})
    ws.store.hold_writes()  # as Workspace.open(defer_check=True) leaves a large file
    check = HeldCheck()
    yield check
    check.release.set()


@pytest.fixture
def window(qtbot, ws, held) -> MainWindow:
    window = MainWindow(ws, background=False, opening_checker=held)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(held.started.is_set)
    return window


def test_the_window_is_usable_for_looking_while_the_check_runs(qtbot, ws, held, window):
    assert ws.store.check_pending
    assert window.statusBar().currentMessage() == PENDING_TEXT
    page = window.residents_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.search.clear()
    type_chinese(page.search, "李红")
    qtbot.waitUntil(lambda: page.model.query == "李红" and page.model.rowCount() == 1)
    assert page.model.index(0, 1).data() == "李红"
    held.finish()
    qtbot.waitUntil(lambda: not ws.store.check_pending)
    assert not ws.store.readonly
    assert window.statusBar().currentMessage() == "数据库检查完成，可以保存"
    set_setting(ws.store, "opening.test", "1")  # writes are accepted now


def test_saving_while_pending_keeps_the_dialog_and_its_text(qtbot, ws, held, window, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(messages, "error", lambda _p, text, *a, **k: shown.append(text))
    page = window.residents_page
    activate(qtbot, window)
    qtbot.keyClick(page.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = wait_dialog(qtbot, page, ResidentEditor)
    type_chinese(editor_field(editor, "name"), "张三")
    type_text(qtbot, editor_field(editor, "id_number"), "110105194912310038")
    village = editor_field(editor, "village_code")
    village.setCurrentIndex(village.findData("101"))
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert shown == [CHECK_PENDING_MESSAGE]
    assert editor.isVisible()
    assert editor_field(editor, "name").text() == "张三"
    assert editor_field(editor, "id_number").text() == "110105194912310038"
    assert ws.residents.count() == 2
    held.finish()
    qtbot.waitUntil(lambda: not ws.store.check_pending)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.status.text() == "" and shown == [CHECK_PENDING_MESSAGE]
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=2000)
    assert ws.residents.count() == 3 and shown == [CHECK_PENDING_MESSAGE]


def test_a_failed_check_turns_the_window_read_only_and_offers_the_restore(
    qtbot, ws, held, window, monkeypatch
):
    shown: list[str] = []
    monkeypatch.setattr(messages, "error", lambda _p, text, *a, **k: shown.append(text))
    held.finish(["*** in database main ***\nPage 7: btreeInitPage() returns error code 11"])
    qtbot.waitUntil(lambda: bool(shown))
    assert ws.store.readonly and not ws.store.check_pending
    assert "检查未通过" in shown[0] and "只读" in shown[0] and "恢复" in shown[0]
    assert window.stack.currentWidget() is window.settings_page
    assert "只读" in window.statusBar().currentMessage()
    with pytest.raises(Exception, match="只读"):
        set_setting(ws.store, "opening.test", "1")


def test_a_background_job_may_not_write_while_the_check_runs(qtbot, ws, held, window):
    failed: list[str] = []
    runner = JobRunner(ws, window)

    def write(run: Run) -> None:
        set_setting(run.ws.store, "opening.job", "1")

    job = runner.start("写入", write, on_failed=lambda m, _c: failed.append(m), quiet=True)
    assert job is not None
    qtbot.waitUntil(lambda: bool(failed))
    assert failed == [CHECK_PENDING_MESSAGE]
    assert get_setting(ws.store, "opening.job") is None


def test_the_real_check_passes_a_sound_file(qtbot, ws):
    ws.store.hold_writes()
    window = MainWindow(ws, background=False)
    qtbot.addWidget(window)
    assert window.integrity.opening_checker is ops_backup.opening_check
    qtbot.waitUntil(lambda: not ws.store.check_pending)
    assert not ws.store.readonly


def test_the_login_waits_for_the_check_instead_of_failing(qtbot, ws, held, monkeypatch):
    from PySide6.QtCore import QTimer

    from tests.conftest import TEST_PASSWORD, TEST_USER
    from ygt_desktop.ui.app import OpeningCheck, login_after_check
    from ygt_desktop.ui.login_dialog import LoginDialog

    monkeypatch.setattr(ops_backup, "opening_check", held)
    check = OpeningCheck(ws)
    login = LoginDialog(ws)
    qtbot.addWidget(login)
    login_after_check(login, check)
    login.name.setText(TEST_USER)
    login.password.setText(TEST_PASSWORD)
    qtbot.waitUntil(held.started.is_set)
    waited: list[str] = []
    QTimer.singleShot(100, lambda: waited.append(login.error.text()) or held.finish())
    login.ok.click()
    assert waited == ["正在检查数据库，请稍候…"]
    assert login.user is not None and login.user.name == TEST_USER
    assert not ws.store.check_pending


def test_pages_after_the_first_are_built_when_first_shown(qtbot, ws):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    assert "worklist_page" in window.__dict__["_to_build"]  # not built for the first screen
    assert "worklist_page" not in window.__dict__
    window.nav.setCurrentRow(2)
    assert type(window.stack.currentWidget()).__name__ == "WorklistPage"
    assert window.stack.currentWidget() is window.worklist_page
    assert window.nav.count() == window.stack.count()
    report = window.report_page  # asked for by name: built, in its place
    assert window.stack.indexOf(report) == 6 and window.stack.currentIndex() == 2
    window.integrity.stop()
