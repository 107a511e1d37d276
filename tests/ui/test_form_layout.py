"""Record forms laid out by section fit a 1366×768 screen with its taskbar (issue 12,
points 3, 7 and 8): no record dialog scrolls sideways or outgrows 1366×728, the Save
button is always on screen, labels wrap instead of being cut, Tab follows reading order,
errors clear as soon as the field is put right, and station lists show names, not ids."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from tests.ui.test_every_form_round_trips import prepare
from ygt_desktop.storage.entities import EntityRepo
from ygt_desktop.storage.workspace import load_forms
from ygt_desktop.ui import screen_fit
from ygt_desktop.ui.entity_editor import EntityEditor
from ygt_desktop.ui.form_sections import columns_for
from ygt_desktop.ui.record_dialog import RecordDialog
from ygt_desktop.ui.resident_editor import ResidentEditor
from ygt_desktop.ui.service_editor import ServiceEditor

SCREEN = QRect(0, 0, 1366, 728)
FORMS = sorted(f.id for f in load_forms())


@pytest.fixture(autouse=True)
def screen(monkeypatch):
    """The station PC's available area (offscreen Qt reports an 800×800 screen)."""
    monkeypatch.setattr(screen_fit, "available_area", lambda widget=None: QRect(SCREEN))


def open_dialog(qtbot, ws, form_id: str) -> RecordDialog:
    form = ws.forms[form_id]
    if form.kind == "register":
        dialog: RecordDialog = ResidentEditor(ws)
    elif form.kind == "entity":
        dialog = EntityEditor(ws, EntityRepo(ws.store, form))
    else:
        dialog = ServiceEditor(ws, form_id, prepare(ws, form_id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle()
    return dialog


def settle() -> None:
    """Let the scroll area and the layouts take their sizes (posted layout requests)."""
    for _ in range(3):
        QApplication.processEvents()


def right_edge(widget: QWidget, viewport: QWidget) -> int:
    return widget.mapTo(viewport, QPoint(widget.width(), 0)).x()


def assert_fits_sideways(dialog: RecordDialog) -> None:
    """No sideways scrolling, nothing past the right edge, nothing squeezed."""
    assert dialog.scroll_area.horizontalScrollBar().maximum() == 0
    viewport = dialog.scroll_area.viewport()
    fw = dialog.form_widget
    assert fw.width() <= viewport.width()
    assert fw.layout().minimumSize().width() <= fw.width()
    for part in shown_parts(dialog):
        assert right_edge(part, viewport) <= viewport.width(), part.objectName()
        assert part.width() >= part.minimumSizeHint().width(), part.objectName()


def shown_parts(dialog: RecordDialog) -> list[QWidget]:
    """Every label and input the form shows (the grid and its panel included)."""
    fw = dialog.form_widget
    parts: list[QWidget] = []
    for slot in fw.slots.values():
        if slot.cell.isVisible():
            parts += [slot.label, slot.cell]
    for block in fw.blocks:
        rail = getattr(block, "rail", None)
        parts += [block.grid] if hasattr(block, "rail") else []
        parts += [rail.panel] if rail is not None else []
    return parts


@pytest.mark.parametrize("form_id", FORMS)
def test_every_form_fits_the_screen_without_sideways_scrolling(qtbot, ws, form_id):
    dialog = open_dialog(qtbot, ws, form_id)
    assert dialog.width() <= SCREEN.width() and dialog.height() <= SCREEN.height()
    assert_fits(dialog)


@pytest.mark.parametrize("form_id", FORMS)
def test_every_form_fits_at_150_percent_display_scaling(qtbot, ws, monkeypatch, form_id):
    """Windows at 150 % leaves 910×485 device-independent pixels of the same screen."""
    scaled = QRect(0, 0, 910, 485)
    monkeypatch.setattr(screen_fit, "available_area", lambda widget=None: QRect(scaled))
    dialog = open_dialog(qtbot, ws, form_id)
    assert dialog.width() <= scaled.width() and dialog.height() <= scaled.height()
    assert_fits(dialog)


def assert_fits(dialog: RecordDialog) -> None:
    assert_fits_sideways(dialog)
    for slot in dialog.form_widget.slots.values():
        label = slot.label
        if label.isVisible() and label.text():  # wrapped, not cut
            assert label.heightForWidth(label.width()) <= label.height(), label.text()
    save = dialog.save_button
    assert save.isVisible()
    assert dialog.rect().contains(QRect(save.mapTo(dialog, QPoint(0, 0)), save.size()))


def test_a_long_form_takes_the_screen_and_three_columns(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "elderly_exam")
    assert dialog.width() > 1200  # sized to its content, within the screen
    assert dialog.height() <= SCREEN.height()
    fw = dialog.form_widget
    assert columns_for(fw.width()) == 3
    # Reading order, row by row: the second field of 一般状况 is right of the first.
    first, second = fw.slots["temperature"].cell, fw.slots["heart_rate"].cell
    assert second.mapTo(fw, QPoint()).x() > first.mapTo(fw, QPoint()).x()
    assert second.mapTo(fw, QPoint()).y() == first.mapTo(fw, QPoint()).y()


def test_a_narrow_dialog_reflows_into_fewer_columns(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "htn_followup")
    for width, columns in ((900, 2), (620, 1)):
        dialog.resize(width, 600)
        settle()
        assert_fits_sideways(dialog)
        assert columns_for(dialog.form_widget.width()) == columns


def test_a_dialog_cannot_be_narrowed_below_one_column(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    dialog.resize(200, 400)
    settle()
    assert dialog.width() >= dialog.form_widget.min_width()
    assert_fits_sideways(dialog)


def test_sections_have_headings_and_hidden_fields_leave_no_gap(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    fw = dialog.form_widget
    headings = {b.group for b in fw.blocks if getattr(b, "group", None)}
    assert {"常住类型", "重点人群"} <= headings
    reason = fw.slots["no_id_reason"]
    assert reason.cell.isVisible()  # no ID number typed yet
    sex = fw.slots["sex"].cell
    before = sex.mapTo(fw, QPoint())
    qtbot.keyClicks(fw.editors["id_number"].widget, "11010519491231002X")
    settle()
    assert not reason.cell.isVisible()
    assert sex.mapTo(fw, QPoint()) != before  # the fields after it moved up into its place


def test_tab_and_enter_follow_reading_order(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "htn_followup")
    fw = dialog.form_widget
    dialog.activateWindow()
    fw.focus_first()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is fw.editors["visit_date"].widget)
    order = [f.id for f in fw.form.fields if fw.slots[f.id].cell.isVisible()]
    seen = []
    for _ in range(8):
        focused = QApplication.focusWidget()
        seen.append(next(fid for fid, e in fw.editors.items() if focused in e.focus_widgets()))
        key = Qt.Key.Key_Return if len(seen) % 2 else Qt.Key.Key_Tab
        qtbot.keyClick(focused, key)
    walked = list(dict.fromkeys(seen))  # the check boxes of a multiple choice are one field
    assert walked == order[: len(walked)]
    assert len(walked) >= 3


def test_an_error_clears_as_soon_as_its_field_is_filled(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    fw = dialog.form_widget
    dialog.activateWindow()
    dialog.save()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is fw.editors["name"].widget)
    village = fw.editors["village_code"]
    assert village.error.text() == "请填写所属居委/村委"
    assert dialog.status.text().startswith("有 ")
    combo: QComboBox = village.widget
    combo.setCurrentIndex(combo.findData("101"))
    assert village.error.text() == "" and not village.error.isVisibleTo(fw)
    assert "village_code" not in fw.shown_errors()
    # The rest still wrong: the count follows; once all are right the line clears.
    left = len(fw.shown_errors())
    assert dialog.status.text() == f"有 {left} 处需要修改，未保存。"
    name = fw.editors["name"].widget
    commit_text(name, "李秀英")
    fw.editors["no_id_reason"].set_value("9")
    fw.editors["sex"].set_value("2")
    birth = fw.editors["birth_date"].widget
    qtbot.keyClicks(birth, "19500301")
    assert fw.shown_errors() == {}
    assert dialog.status.text() == ""


def test_no_new_errors_while_typing_before_a_save(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    fw = dialog.form_widget
    qtbot.keyClicks(fw.editors["id_number"].widget, "123")  # not yet a valid number
    qtbot.keyClicks(fw.editors["birth_date"].widget, "2099")
    assert fw.shown_errors() == {}
    assert all(not e.error.text() for e in fw.editors.values())


def test_an_error_is_updated_not_left_stale(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    fw = dialog.form_widget
    birth = fw.editors["birth_date"].widget
    qtbot.keyClicks(birth, "abc")
    dialog.save()
    first = fw.editors["birth_date"].error.text()
    assert first
    birth.clear()
    qtbot.keyClicks(birth, "2099-01-01")  # now a date, but in the future
    assert fw.editors["birth_date"].error.text() not in ("", first)


def test_a_storage_error_clears_when_its_field_is_edited_not_before(qtbot, ws):
    """A duplicate found by storage cannot be re-checked while typing: it stays while
    other fields change and goes when its own field is edited."""
    repo = EntityRepo(ws.store, ws.forms["equipment"])
    dialog = EntityEditor(ws, repo)
    qtbot.addWidget(dialog)
    fw = dialog.form_widget
    fw.show_errors({"asset_no": "资产编号“A-1”已被另一条记录使用"})
    commit_text(fw.editors["name"].widget, "血压计")
    assert fw.editors["asset_no"].error.text() == "资产编号“A-1”已被另一条记录使用"
    qtbot.keyClicks(fw.editors["asset_no"].widget, "2")
    assert fw.editors["asset_no"].error.text() == ""


def test_station_lists_show_names_and_national_lists_codes(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    fw = dialog.form_widget
    village: QComboBox = fw.editors["village_code"].widget
    names = [village.itemText(i) for i in range(1, village.count())]
    assert names == ["龙泉路社区居委会", "小坝村委会", "大坝村委会"]
    assert village.itemData(2) == "101"  # the code is still what is stored
    ethnicity: QComboBox = fw.editors["ethnicity"].widget
    assert ethnicity.itemText(1) == "01 汉族"


def test_letter_codes_show_their_label_alone(qtbot, ws):
    """A code that is not a number ("phs") is no national code to type: label only."""
    from ygt_desktop.ui.field_editor import FieldEditor

    field = ws.forms["contract_payment"].field("payer")
    combo = FieldEditor(field, list(field.choices)).widget
    texts = [combo.itemText(i) for i in range(1, combo.count())]
    assert "基本公卫经费" in texts
    assert not any(t[:1].isascii() and t[:1].isalpha() for t in texts), texts


def test_team_and_equipment_lists_show_no_ids(qtbot, ws):
    teams = EntityRepo(ws.store, ws.forms["team"])
    team_id = teams.save({"name": "小坝家庭医生团队", "leader": "王医生"}).record_id
    checklist = EntityRepo(ws.store, ws.forms["equipment_checklist"])
    form = checklist.form
    checklist.save(
        {
            "code": "J-01",
            "name": "轮椅",
            "category": form.field("category").choices[0].code,
            "quantity": "1",
            "level": form.field("level").choices[0].code,
        }
    )
    member = EntityEditor(ws, EntityRepo(ws.store, ws.forms["team_member"]))
    qtbot.addWidget(member)
    team: QComboBox = member.form_widget.editors["team_id"].widget
    assert team.itemText(team.findData(str(team_id))) == "小坝家庭医生团队"
    equipment = EntityEditor(ws, EntityRepo(ws.store, ws.forms["equipment"]))
    qtbot.addWidget(equipment)
    item: QComboBox = equipment.form_widget.editors["checklist_item"].widget
    assert [item.itemText(i) for i in range(1, item.count())] == ["轮椅"]


def test_typing_in_a_list_picks_by_code_name_or_pinyin(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    fw = dialog.form_widget
    village: QComboBox = fw.editors["village_code"].widget
    village.setFocus()
    qtbot.keyClicks(village, "xb")  # 小坝 by its pinyin initials
    assert village.currentText() == "小坝村委会"
    commit_text(village, "大")  # Chinese from an input method
    assert village.currentText() == "大坝村委会"
    ethnicity: QComboBox = fw.editors["ethnicity"].widget
    ethnicity.setFocus()
    qtbot.keyClicks(ethnicity, "03")
    assert ethnicity.currentData() == "03"


def commit_text(widget: QWidget, text: str) -> None:
    """Chinese text the way an input method delivers it (keyClicks aborts on CJK)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_an_open_list_shows_whole_items_however_narrow_the_box(qtbot, ws):
    dialog = open_dialog(qtbot, ws, "resident")
    combo: QComboBox = dialog.form_widget.editors["ethnicity"].widget
    combo.setFixedWidth(60)
    combo.showPopup()
    try:
        assert combo.view().width() >= combo.view().sizeHintForColumn(0)
    finally:
        combo.hidePopup()
