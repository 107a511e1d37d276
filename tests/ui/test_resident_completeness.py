"""The register's 完整度 column and 档案不完整 filter (issue 13, part 2), combined with
the search; the selection follows the resident; the status line's hint after a save;
the editor with every item of the 个人基本信息表 fits the station's screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.storage.test_resident_full import BASE, FULL
from ygt_desktop.ui.resident_editor import ResidentEditor
from ygt_desktop.ui.resident_model import COLUMNS, ResidentTableModel
from ygt_desktop.ui.residents_page import ResidentsPage

PCT = COLUMNS.index("完整度")


@pytest.fixture
def three(ws):
    full = ws.residents.save(FULL).record_id
    part = ws.residents.save(
        {**FULL, "name": "王芳芳", "id_number": "110105194912310011", "toilet": None}
    ).record_id
    bare = ws.residents.save({**BASE, "name": "李四", "id_number": "110105195001010012"}).record_id
    return full, part, bare


def test_column_and_filter_pass_the_model_tester(qtmodeltester, ws, three):
    full, part, bare = three
    model = ResidentTableModel(ws.residents, {})
    model.set_query("")
    qtmodeltester.check(model)
    shown = {model.resident_id(r): model.index(r, PCT).data() for r in range(model.rowCount())}
    assert shown == {full: "100%", part: "96%", bare: f"{100 * 3 // 28}%"}
    model.set_query("", incomplete=True)
    qtmodeltester.check(model)
    assert {model.resident_id(r) for r in range(model.rowCount())} == {part, bare}
    model.set_query("王芳")  # the filter stays with a search
    assert [model.resident_id(r) for r in range(model.rowCount())] == [part]
    assert model.index(0, PCT).data(Qt.ItemDataRole.ToolTipRole) == "已填 27 / 28 项"


def test_filter_combines_with_search_and_keeps_the_selection(qtbot, ws, three):
    full, part, bare = three
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.show()
    page.table.selectRow(page.model.row_of(part))
    page.incomplete_box.setChecked(True)
    assert page.model.total == 2
    assert page.count_label.text() == "档案不完整 2 份"
    assert page.current_id() == part  # still selected, by its id
    qtbot.keyClicks(page.search, "wf")
    qtbot.waitUntil(lambda: page.model.query == "wf")
    assert [page.model.resident_id(r) for r in range(page.model.rowCount())] == [part]
    assert page.count_label.text() == "找到档案不完整的 1 人"
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.query == "")
    page.incomplete_box.setChecked(False)
    assert page.model.total == 3
    assert page.current_id() == part


def test_saving_a_disease_without_its_register_says_so(qtbot, ws, three, monkeypatch):
    full, _, _ = three
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.show()
    page.table.selectRow(page.model.row_of(full))
    page.edit_current()
    editor = page.dialog
    assert isinstance(editor, ResidentEditor)
    qtbot.waitUntil(editor.isVisible)
    editor.form_widget.set_values({**ws.residents.values(full),
                                   "past_diseases": [{"disease": "3"}]})  # fmt: skip
    editor.save()
    assert editor.form_widget.shown_errors() == {}
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert page.hint_label.text() == "既往史有糖尿病，尚无糖尿病登记"
    assert page.current_id() == full


def test_editor_fits_the_screen_and_tabs_in_paper_order(qtbot, ws):
    editor = ResidentEditor(ws)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(editor.isVisible)
    screen = editor.screen().availableGeometry()
    assert editor.frameGeometry().width() <= screen.width()
    assert editor.frameGeometry().height() <= screen.height()
    order = [f.id for f in ws.forms["resident"].fields]
    assert list(editor.form_widget.editors) == order
    assert order.index("blood_abo") < order.index("past_diseases") < order.index("fuel")
