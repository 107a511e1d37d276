"""The register's 完整度 column and 档案不完整 filter (issue 13, part 2), combined with
the search; the selection follows the resident; the status line's hint after a save;
the editor with every item of the 个人基本信息表 fits the station's screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.storage.test_resident_full import BASE, FULL
from ygt_desktop.storage.residents import Change
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
    qtbot.waitUntil(lambda: page.model.incomplete)  # found on the job runner
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


def _whole_table(statements: list[str]) -> list[str]:
    """The statements that judged every archive's completeness (the filter's full pass)."""
    return [s for s in statements if "NOT (" in s and "ORDER BY archive_no" in s]


def test_with_the_filter_on_a_save_follows_the_resident_without_a_full_pass(qtbot, ws, three):
    """只看档案不完整 keeps the archives it found while it stays ticked: a save rechecks
    that one resident (a full pass took 0.11-0.13 s at 100,000 on every save), and a
    resident completed by the save stays listed and selected, counted apart."""
    full, part, bare = three
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.show()
    page.incomplete_box.setChecked(True)
    qtbot.waitUntil(lambda: page.model.incomplete)
    page.table.selectRow(page.model.row_of(part))
    statements: list[str] = []
    ws.store.conn.set_trace_callback(statements.append)
    try:
        page.edit_current()
        editor = page.dialog
        assert isinstance(editor, ResidentEditor)
        qtbot.waitUntil(editor.isVisible)
        editor.form_widget.set_values({**ws.residents.values(part), "toilet": "2"})
        editor.save()
        qtbot.waitUntil(lambda: not editor.isVisible())
    finally:
        ws.store.conn.set_trace_callback(None)
    assert _whole_table(statements) == []
    assert page.current_id() == part  # still listed, still selected
    assert page.model.index(page.model.row_of(part), PCT).data() == "100%"
    assert page.count_label.text() == "档案不完整 1 份，另有刚补全的 1 份仍列出"
    qtbot.keyClicks(page.search, "wf")  # a search with the filter on finds it too
    qtbot.waitUntil(lambda: page.model.query == "wf")
    assert page.current_id() == part
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.query == "")
    page.incomplete_box.setChecked(False)
    page.incomplete_box.setChecked(True)  # ticked again: a fresh pass, without it
    qtbot.waitUntil(lambda: page.model.incomplete)
    assert [page.model.resident_id(r) for r in range(page.model.rowCount())] == [bare]
    assert page.count_label.text() == "档案不完整 1 份"


def test_with_the_filter_on_new_and_deleted_archives_join_and_leave(qtbot, ws, three):
    full, part, bare = three
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.incomplete_box.setChecked(True)
    qtbot.waitUntil(lambda: page.model.incomplete)
    ws.residents.delete(bare, "重复建档")
    page._after_change(Change("residents", bare, "delete"))
    assert page.model.total == 1 and page.model.row_of(bare) is None
    new = ws.residents.save({**BASE, "name": "赵六", "id_number": "110105195001010020"})
    page._after_change(new)
    assert page.current_id() == new.record_id
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.query == "")
    assert {page.model.resident_id(r) for r in range(page.model.total)} == {part, new.record_id}
    assert page.count_label.text() == "档案不完整 2 份"


def test_the_filter_is_found_off_the_window_thread_and_a_clear_meanwhile_wins(qtbot, ws, three):
    """Ticking 只看档案不完整 reads every archive on the job runner (the list stays
    usable); cleared before the answer comes, the list stays unfiltered."""
    full, part, bare = three
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    calls: list[object] = []
    real = ws.residents.incomplete_keys
    ws.residents.incomplete_keys = lambda: calls.append(1) or real()  # type: ignore[method-assign]
    page.incomplete_box.setChecked(True)
    assert page.count_label.text() == "正在查找档案不完整的居民…"
    page.incomplete_box.setChecked(False)
    qtbot.waitUntil(lambda: not page.jobs.busy())
    assert calls == []  # the window's connection did not do it
    assert not page.model.incomplete and page.model.total == 3
    page.incomplete_box.setChecked(True)
    qtbot.waitUntil(lambda: page.model.incomplete)
    assert {page.model.resident_id(r) for r in range(page.model.total)} == {part, bare}
