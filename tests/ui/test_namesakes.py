"""Never on the wrong patient (issue 12, point 1): after a save the record just saved is
the one selected, whatever namesakes the list holds, and every refresh or search keeps
the selected resident by id — never by row number or name."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from tests.ui.test_residents_page import (
    activate,
    editor_field,
    open_editor,
    page,  # noqa: F401 - the fixture
    type_chinese,
    type_text,
    wait_dialog,
)
from ygt_desktop.core.idnumber import check_char
from ygt_desktop.ui.resident_detail import ResidentDetail
from ygt_desktop.ui.resident_editor import ResidentEditor

NAME = "李秀英"


def id_number(birth: str, serial: str) -> str:
    first17 = f"530102{birth}{serial}"
    return first17 + check_char(first17)


def namesakes(ws, n: int = 3) -> list[int]:
    return [
        ws.residents.save(
            {
                "name": NAME,
                "id_number": id_number(f"19{50 + i}0101", f"{i + 1:02d}2"),
                "village_code": "101",
            }
        ).record_id
        for i in range(n)
    ]


def test_a_new_namesake_is_the_one_selected_and_enter_opens_her(qtbot, page, ws):  # noqa: F811
    older = namesakes(ws)
    page.model.refresh()
    editor = open_editor(qtbot, page)
    type_chinese(editor_field(editor, "name"), NAME)
    type_text(qtbot, editor_field(editor, "id_number"), id_number("19600101", "042"))
    village: QComboBox = editor_field(editor, "village_code")
    village.setCurrentIndex(village.findData("101"))
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    (new,) = {r["id"] for r in ws.residents.search(NAME, limit=10)} - set(older)

    # all four are listed; the new one is selected, and stays so once the search that
    # typing her name would start has had time to run
    assert page.model.rowCount() == 4
    assert page.current_id() == new
    qtbot.wait(300)
    assert page.current_id() == new
    assert page.model.position_of(new) != 0  # she is not simply the first row

    activate(qtbot, page)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    detail = wait_dialog(qtbot, page, ResidentDetail)
    assert detail.resident_id == new
    detail.close()


def test_refresh_search_and_edit_keep_the_selected_resident(qtbot, page, ws):  # noqa: F811
    ids = namesakes(ws)
    page.model.refresh()
    middle = ids[1]
    page.table.selectRow(page.model.position_of(middle))
    assert page.current_id() == middle

    page.model.refresh()  # a refresh after someone else's save
    assert page.current_id() == middle

    # a search that still lists her keeps her; Enter from the search box too
    activate(qtbot, page)
    page.search.setFocus()
    type_chinese(page.search, NAME)
    qtbot.waitUntil(lambda: page.model.query == NAME)
    assert page.current_id() == middle
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.hasFocus() and page.current_id() == middle

    # editing her (a namesake listed before her changes nothing) keeps her selected
    qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    editor = wait_dialog(qtbot, page, ResidentEditor)
    type_text(qtbot, editor_field(editor, "phone"), "13900001111")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert page.current_id() == middle
    assert ws.residents.get(middle)["phone"] == "13900001111"


def test_a_search_that_no_longer_lists_her_selects_nobody_else_but_the_first_match(
    qtbot,
    page,  # noqa: F811
    ws,
):
    ids = namesakes(ws, 2)
    other = ws.residents.save(
        {"name": "王芳", "id_number": id_number("19700101", "552"), "village_code": "101"}
    ).record_id
    page.model.refresh()
    page.table.selectRow(page.model.position_of(ids[0]))
    page.search.setText("王芳")
    qtbot.waitUntil(lambda: page.model.query == "王芳")
    # the first match of a new search is offered (Enter opens the one person searched for)
    assert page.current_id() == other


def test_nothing_selected_means_no_resident(qtbot, page, ws):  # noqa: F811
    namesakes(ws, 1)
    page.model.refresh()
    page.table.clearSelection()
    assert page.current_id() is None


def test_the_timeline_selects_the_record_just_saved_not_the_newest(qtbot, ws, monkeypatch):
    from ygt_desktop.ui import messages
    from ygt_desktop.ui.service_editor import ServiceEditor

    monkeypatch.setattr(messages, "info", lambda *a, **k: None)
    (rid,) = namesakes(ws, 1)
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    follow = {"visit_method": "1", "sbp": "130", "dbp": "80", "adherence": "1", "visit_class": "1"}
    ws.services.save("htn_followup", {**follow, "visit_date": "2026-10-01"}, rid)
    detail = ResidentDetail(ws, rid)
    qtbot.addWidget(detail)
    detail.show()
    assert detail.table.currentRow() == 0  # the newest on opening

    detail._open_editor("htn_followup", None)  # a late entry: a visit of March
    editor = detail.child
    assert isinstance(editor, ServiceEditor)
    typed = ws.forms["htn_followup"].process({**follow, "visit_date": "2026-03-02"}).values
    editor.form_widget.set_values(typed)
    editor.save()
    assert not editor.isVisible()
    (saved,) = [i["id"] for i in ws.services.timeline(rid) if i["service_date"] == "2026-03-02"]
    assert detail.current_record_id() == saved
    assert detail.table.item(detail.table.currentRow(), 0).text() == "2026-03-02"

    detail.refresh()  # a refresh keeps it
    assert detail.current_record_id() == saved
