"""The resident register driven through the real widgets (issue 2, tests section).

Chinese text is committed with a QInputMethodEvent, the way an input method delivers
it (qtbot.keyClicks only handles ASCII: STACK-NOTES).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from ygt_desktop.ui import messages
from ygt_desktop.ui.close_dialog import CloseDialog
from ygt_desktop.ui.resident_editor import ResidentEditor
from ygt_desktop.ui.resident_model import ResidentTableModel
from ygt_desktop.ui.residents_page import ResidentsPage


def type_chinese(widget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_text(qtbot, widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


@pytest.fixture
def page(qtbot, ws):
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.show()
    return page


def wait_dialog(qtbot, page, kind):
    """The dialog the page opened, once it is shown and is the active window."""
    qtbot.waitUntil(lambda: isinstance(page.dialog, kind) and page.dialog.isVisible())
    page.dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.dialog)
    return page.dialog


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def open_editor(qtbot, page) -> ResidentEditor:
    activate(qtbot, page)
    qtbot.keyClick(page.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    return wait_dialog(qtbot, page, ResidentEditor)


def editor_field(editor: ResidentEditor, field_id: str):
    return editor.form_widget.editors[field_id].widget


def test_type_a_resident_save_find_by_initials_edit_and_close(qtbot, page, ws):
    editor = open_editor(qtbot, page)
    type_chinese(editor_field(editor, "name"), "张三")
    type_text(qtbot, editor_field(editor, "id_number"), "11010519491231002x")
    # sex and birth date are filled from the number and locked
    assert editor_field(editor, "sex").currentData() == "2"
    assert editor_field(editor, "birth_date").text() == "1949-12-31"
    assert editor_field(editor, "birth_date").isReadOnly()
    village: QComboBox = editor_field(editor, "village_code")
    village.setCurrentIndex(village.findData("101"))
    type_text(qtbot, editor_field(editor, "phone"), "13812345678")
    type_text(qtbot, editor_field(editor, "archive_date"), "20200301")  # paper archive date
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert ws.residents.count() == 1

    page.search.clear()
    qtbot.keyClicks(page.search, "zs")
    qtbot.waitUntil(lambda: page.model.query == "zs" and page.model.rowCount() == 1)
    assert page.model.index(0, 1).data() == "张三"
    assert page.model.index(0, 5).data() == "110105********002X"  # masked in the list
    assert page.count_label.text() == "找到 1 人"

    # Enter on the search moves to the table; Ctrl+E edits the resident
    activate(qtbot, page)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.hasFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    editor = wait_dialog(qtbot, page, ResidentEditor)
    assert editor_field(editor, "id_number").text() == "11010519491231002X"
    type_text(qtbot, editor_field(editor, "phone"), "13900001111")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert page.model.index(0, 6).data() == "13900001111"  # a 站长 phones residents

    page.table.selectRow(0)
    page.close_current()
    dialog = page.dialog
    assert isinstance(dialog, CloseDialog)
    dialog.status.setCurrentText("迁出")
    type_text(qtbot, dialog.date, "2019-5-1")
    dialog.save()
    assert dialog.error.text() == "日期不能早于建档日期（2020-03-01）"
    type_text(qtbot, dialog.date, "2026-5-1")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert page.model.index(0, 8).data() == "迁出"
    row = ws.residents.get(page.model.resident_id(0))
    assert (row["status"], row["status_date"]) == ("迁出", "2026-05-01")


def test_wrong_check_character_is_shown_next_to_the_field(qtbot, page, ws):
    editor = open_editor(qtbot, page)
    type_chinese(editor_field(editor, "name"), "李四")
    type_text(qtbot, editor_field(editor, "id_number"), "110105194912310021")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = editor.form_widget.editors["id_number"].error
    assert error.isVisible()
    assert error.text() == "身份证号校验位应为 X，现为 1"
    assert editor_field(editor, "id_number").hasFocus()  # first invalid field gets focus
    assert editor.isVisible()
    assert ws.residents.count() == 0


def test_without_id_the_reason_appears_and_is_required(qtbot, page, ws):
    editor = open_editor(qtbot, page)
    reason = editor_field(editor, "no_id_reason")
    assert reason.isVisibleTo(editor)
    type_text(qtbot, editor_field(editor, "id_number"), "1101")
    assert not reason.isVisibleTo(editor)
    editor_field(editor, "id_number").clear()
    assert reason.isVisibleTo(editor)
    type_chinese(editor_field(editor, "name"), "王小宝")
    editor.save()
    assert editor.form_widget.editors["no_id_reason"].error.text() == "请填写无身份证号原因"


def test_enter_moves_to_the_next_field(qtbot, page):
    editor = open_editor(qtbot, page)
    name = editor_field(editor, "name")
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert editor_field(editor, "id_number").hasFocus()


def test_escape_with_changes_asks_before_discarding(qtbot, page, monkeypatch, ws):
    editor = open_editor(qtbot, page)
    type_chinese(editor_field(editor, "name"), "赵六")
    asked = []
    monkeypatch.setattr(messages, "ask", lambda *a, **k: asked.append(a) or False)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked and editor.isVisible()  # said no: still open, text kept
    assert editor_field(editor, "name").text() == "赵六"
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert ws.residents.count() == 0


def test_escape_without_changes_closes_at_once(qtbot, page, monkeypatch):
    editor = open_editor(qtbot, page)
    monkeypatch.setattr(messages, "ask", lambda *a, **k: pytest.fail("should not ask"))
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not editor.isVisible())


def test_list_fetches_rows_by_block_and_passes_the_model_tester(qtmodeltester, ws, forms):
    import datetime as dt

    from ygt_desktop.demo import residents as synthetic
    from ygt_desktop.demo.load_residents import load_residents

    villages = [synthetic.SyntheticVillage("101", "小坝村委会")]
    load_residents(
        ws.store,
        forms["resident"],
        synthetic.generate_residents(3, 450, 2026, villages, dt.date(2026, 11, 1)),
    )
    model = ResidentTableModel(ws.residents, {"101": "小坝村委会"})
    model.set_query("")
    assert model.rowCount() == 450
    assert model.cached_rows() == 0  # nothing fetched until shown
    last = model.index(449, 1).data()
    assert model.cached_rows() == 50  # only the block holding row 449
    assert last == ws.residents.page(449, 1)[0]["name"]
    qtmodeltester.check(model)
    assert model.cached_rows() <= 8 * 200
    model.set_query("w")
    qtmodeltester.check(model)


def test_delete_needs_a_reason_and_keeps_the_record(qtbot, page, ws, monkeypatch):
    rid = ws.residents.save(
        {"name": "张三", "id_number": "11010519491231002X", "village_code": "101"}
    ).record_id
    page.model.refresh()
    page.table.selectRow(0)
    errors = []
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    monkeypatch.setattr(messages, "ask_text", lambda *a, **k: "")
    page.delete_current()
    assert errors == ["请填写删除原因"]
    assert ws.residents.count() == 1
    monkeypatch.setattr(messages, "ask_text", lambda *a, **k: "重复建档")
    page.delete_current()
    assert page.model.rowCount() == 0
    assert ws.residents.get(rid)["deleted_reason"] == "重复建档"
