"""Dialogs that use their room well (issue 12, as the screenshot tour found them):

- an error line takes no room until there is an error (the 盘点：状态变化 dialog had
  gaps between its fields; the account dialogs and 家医签约's lists an empty line), and
  a dialog grows to show a long one whole, within the screen;
- the 已锁定 dialog says its two sentences on two lines, never one character alone on
  a line ("锁。").
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout, QWidget

from ygt_desktop.storage.equipment import Equipment
from ygt_desktop.storage.equipment_stocktake import Stocktakes
from ygt_desktop.storage.residents import ValidationFailed
from ygt_desktop.ui.account_dialogs import AddUserDialog
from ygt_desktop.ui.contract_lists_tabs import ExpiringTab
from ygt_desktop.ui.equipment_stocktake import MarkDialog
from ygt_desktop.ui.error_text import ErrorLabel
from ygt_desktop.ui.idle_lock import IdleLock, UnlockDialog


def shown_whole(label) -> bool:
    return label.isVisible() and label.height() >= label.heightForWidth(label.width())


def within_screen(dialog: QDialog) -> bool:
    screen = dialog.screen().availableGeometry()
    return dialog.width() <= screen.width() and dialog.height() <= screen.height()


def test_an_error_line_takes_no_room_until_it_says_something(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    edit = QLineEdit()
    error = ErrorLabel()
    layout.addWidget(edit)
    layout.addWidget(error)
    dialog.resize(300, 10)
    dialog.show()
    qtbot.waitExposed(dialog)
    empty = dialog.height()
    assert not error.isVisible()
    error.setText("身份证号校验位应为 X，现为 3；请核对后重新输入。" * 4)  # several lines
    assert shown_whole(error)  # the dialog grew for it
    assert dialog.height() > empty and within_screen(dialog)
    error.setText("")
    assert not error.isVisible()
    error.setText("请填写用户名。")
    error.clear()
    assert not error.isVisible()


@pytest.fixture
def item(ws):
    eq = Equipment(ws.store, ws.forms)
    eq.assets.save(
        {
            "asset_no": "SB-001",
            "name": "诊察床",
            "category": "1",
            "purchase_date": "2024-03-01",
            "price": "100",
        }
    )
    stocktakes = Stocktakes(eq, ws.forms)
    day = dt.date.today()
    sid = stocktakes.start({"year": day.year, "stocktake_date": day, "checker": "王护士"}).record_id
    result = stocktakes.result(sid)
    assert result is not None
    return result.items[0]


def test_stocktake_status_dialog_has_no_gaps_between_its_fields(qtbot, item):
    def refuse(_status, _note):
        raise ValidationFailed({"observed_status": "请填写实际状态", "note": "备注太长"})

    dialog = MarkDialog(item, True, refuse)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    form = dialog.layout()
    gap = dialog.note.geometry().top() - dialog.status.geometry().bottom()
    assert gap <= form.verticalSpacing() + 1  # the hidden error lines take nothing
    assert not dialog.status_error.isVisible() and not dialog.note_error.isVisible()

    dialog.save()  # refused: each error right under its field, whole
    assert dialog.isVisible()
    assert dialog.status_error.text() == "请填写实际状态"
    assert shown_whole(dialog.status_error) and shown_whole(dialog.note_error)
    status_error = dialog.status_error.geometry()
    assert dialog.status.geometry().bottom() < status_error.top()
    assert status_error.bottom() < dialog.note.geometry().top()
    assert within_screen(dialog)


def test_unlock_dialog_says_one_sentence_a_line(qtbot, ws):
    lock = IdleLock(ws, lambda: 10)
    lock.stop()
    window = QWidget()
    qtbot.addWidget(window)
    lock.window = window
    dialog = UnlockDialog(lock, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    note = dialog.note
    lines = note.text().splitlines()
    assert lines == [
        "程序闲置后已锁定，正在编辑的内容都还在。",
        f"请 {ws.store.user} 输入密码解锁。",
    ]
    metrics = note.fontMetrics()
    for line in lines:  # each whole on its line: nothing wraps, nothing is left alone
        assert metrics.horizontalAdvance(line) <= note.contentsRect().width()
    assert note.heightForWidth(note.width()) < 3 * metrics.lineSpacing()
    assert not dialog.error.isVisible()
    assert within_screen(dialog)


def test_account_dialog_and_a_contract_list_keep_no_empty_error_line(qtbot, ws):
    dialog = AddUserDialog(ws)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.error.isVisible()
    dialog.try_accept()  # no password typed: told, whole
    assert dialog.error.text() and shown_whole(dialog.error)

    tab = ExpiringTab(ws)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    assert not tab.error.isVisible()  # no blank line between the filters and the counts
    tab.on.setText("2026-13-40")
    tab.refresh()
    assert tab.error.isVisible() and tab.error.text().startswith("日期")
    tab.on.setText("2026-11-25")
    tab.refresh()
    assert not tab.error.isVisible()
