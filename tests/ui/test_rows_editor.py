"""The grid of a repeating group (issue 13) in an entry form: typing in cells, Tab
through them and on, Ctrl+Enter adds a line, Ctrl+Delete removes one, the bound on
lines, values in and out, and a wrong cell outlined with its message until put right."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.core.test_rows import HEAD, MEDICINES
from ygt_desktop.core.forms import load_form
from ygt_desktop.ui.form_widget import FormWidget
from ygt_desktop.ui.rows_editor import WRONG, RowsEditor


def type_chinese(widget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def form_widget(qtbot, tmp_path: Path) -> FormWidget:
    path = tmp_path / "visit.toml"
    path.write_text(HEAD + MEDICINES + '\n[[fields]]\nid = "note"\nlabel = "备注"\ntype = "text"\n')
    widget = FormWidget(load_form(path), lambda _name: [])
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    return widget


def grid(form_widget: FormWidget) -> RowsEditor:
    editor = form_widget.editors["medicines"]
    assert isinstance(editor, RowsEditor)
    return editor


def test_cells_are_typed_and_tab_runs_through_them_to_the_next_field(qtbot, form_widget):
    g = grid(form_widget)
    name, times, dose, unit = g.lines[0]
    type_chinese(name, "硝苯地平缓释片")
    qtbot.keyClick(name, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is times
    qtbot.keyClicks(times, "2")
    qtbot.keyClick(times, Qt.Key.Key_Tab)
    qtbot.keyClicks(dose, "10")
    qtbot.keyClick(dose, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is unit
    unit.setCurrentIndex(unit.findData("mg"))
    qtbot.keyClick(unit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form_widget.editors["note"].widget
    result = form_widget.form.process({**form_widget.raw(), "visit_date": "2026-11-20"})
    assert result.values["medicines"] == [
        {"name": "硝苯地平缓释片", "times": 2, "dose": 10.0, "unit": "mg"}
    ]


def test_ctrl_enter_adds_a_line_up_to_the_bound_and_tab_reaches_it(qtbot, form_widget):
    g = grid(form_widget)
    first = g.lines[0][0]
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(g.lines) == 2 and QApplication.focusWidget() is g.lines[1][0]
    g.lines[0][3].setFocus()
    qtbot.keyClick(g.lines[0][3], Qt.Key.Key_Tab)  # the last cell of line 1 → line 2
    assert QApplication.focusWidget() is g.lines[1][0]
    qtbot.keyClick(g.lines[1][0], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(g.lines) == 3 and not g.add_button.isEnabled()  # max_rows = 3
    qtbot.keyClick(g.lines[2][0], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(g.lines) == 3
    g.lines[2][3].setFocus()
    qtbot.keyClick(g.lines[2][3], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form_widget.editors["note"].widget


def test_ctrl_delete_removes_the_line_the_cursor_is_in(qtbot, form_widget):
    form_widget.set_values(
        {"medicines": [{"name": "甲药", "times": 1}, {"name": "乙药"}, {"name": "丙药"}]}
    )
    g = grid(form_widget)
    assert [line[0].text() for line in g.lines] == ["甲药", "乙药", "丙药"]
    g.lines[1][1].setFocus()
    qtbot.keyClick(g.lines[1][1], Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert [line[0].text() for line in g.lines] == ["甲药", "丙药"]
    assert form_widget.is_dirty()
    assert QApplication.focusWidget() is g.lines[1][0]


def test_a_wrong_cell_is_outlined_until_put_right(qtbot, form_widget):
    g = grid(form_widget)
    form_widget.set_values({"medicines": [{"name": "硝苯地平"}, {"dose": 5, "unit": "片"}]})
    errors = form_widget.form.process({**form_widget.raw(), "visit_date": "2026-11-20"}).errors
    assert errors == {"medicines": "用药情况第2行：请填写药物名称"}
    form_widget.show_errors(errors)
    name2 = g.lines[1][0]
    assert isinstance(name2, QLineEdit)
    assert name2.styleSheet() == WRONG and name2.toolTip() == "请填写药物名称"
    assert QApplication.focusWidget() is name2
    assert g.error.isVisible() and "第2行" in g.error.text()
    type_chinese(name2, "阿司匹林")
    assert name2.styleSheet() == "" and not g.error.isVisible()


def test_values_in_and_out_as_typed(qtbot, form_widget):
    form_widget.set_values(
        {"medicines": [{"name": "二甲双胍", "times": 3, "dose": 0.5, "unit": None}]}
    )
    assert form_widget.raw()["medicines"] == [
        {"name": "二甲双胍", "times": "3", "dose": "0.5", "unit": None}
    ]
    assert not form_widget.is_dirty()
    form_widget.set_values({})
    assert len(grid(form_widget).lines) == 1  # an empty group still offers its first line


def test_a_new_record_starts_with_the_previous_records_lines(qtbot, ws, tmp_path):
    """carry = true: a new follow-up offers the medicines of the last one."""
    from tests.storage.test_form_rows import TWO, _resident
    from ygt_desktop.storage.migrations import builders
    from ygt_desktop.storage.services import ServiceRepo
    from ygt_desktop.ui.service_editor import ServiceEditor

    path = tmp_path / "visit.toml"
    path.write_text(HEAD + MEDICINES, encoding="utf-8")
    with ws.store.write() as conn:
        db = builders.database(conn)
        builders.form_table("f_visit", [("visit_date", "TEXT")])(db)
        builders.rows_table(
            "f_visit",
            "record_id",
            "medicines",
            [("name", "TEXT"), ("times", "INTEGER"), ("dose", "REAL"), ("unit", "TEXT")],
        )(db)
    from ygt_desktop.core.forms import FormRegistry

    ws.forms = FormRegistry({**{f.id: f for f in ws.forms}, "visit": load_form(path)})
    ws.services = ServiceRepo(ws.store, ws.forms)
    rid = _resident(ws)
    first = ServiceEditor(ws, "visit", rid)
    qtbot.addWidget(first)
    assert first.form_widget.raw()["medicines"] == [
        {"name": "", "times": "", "dose": "", "unit": None}
    ]
    ws.services.save("visit", {"visit_date": "2026-08-20", "medicines": TWO}, rid)
    second = ServiceEditor(ws, "visit", rid)
    qtbot.addWidget(second)
    lines = second.form_widget.raw()["medicines"]
    assert [line["name"] for line in lines] == ["硝苯地平缓释片", "阿司匹林肠溶片"]
    assert "用药情况已按上次的记录填入" in second.status.text()
    assert not second.form_widget.is_dirty()  # nothing typed yet: closes without asking
