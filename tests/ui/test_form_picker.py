"""The timeline's header and its form picker (issue 12, points 5 and 9).

The header shows phone, address (the village by name) and 责任医生. The picker filters
as the user types — pinyin initials (``gxy``), the form id (``htn``) or Chinese — with
↑↓ moving while typing and Enter taking the current form; forms not offered are listed
greyed below with why, from the form definitions ("先做高血压登记"), and choosing one
only shows that reason.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from ygt_desktop.ui.resident_detail import FORM_ID, REFUSED_ID, FormPicker, ResidentDetail
from ygt_desktop.ui.service_editor import ServiceEditor


def add(ws, name, id_number, **extra):
    values = {"name": name, "id_number": id_number, "village_code": "101"}
    values.update(archive_date="2020-01-01", **extra)
    return ws.residents.save(values).record_id


@pytest.fixture
def elderly(ws):
    """A woman of 76 with a phone, an address and a responsible doctor."""
    return add(ws, "李秀英", "11010519491231002X", phone="13912345678",
               address="三组12号", responsible_doctor="王建国")  # fmt: skip


@pytest.fixture
def adult(ws):
    return add(ws, "张伟", "110105199001010010")


def reasons(ws, rid):
    return {c.form.id: c.reason for c in ws.services.form_choices(rid)}


def test_forms_not_offered_say_why_from_their_definitions(ws, elderly, adult):
    old = reasons(ws, elderly)
    assert old["htn_register"] is None and old["tcm_elderly"] is None
    assert old["htn_followup"] == "先做高血压登记"
    assert old["dm_followup"] == "先做糖尿病登记"
    assert old["tb_followup"] == "先做肺结核登记"
    assert old["prenatal_followup"] == "先做早孕建册"
    assert old["child_check_infant"].startswith("适用于满月（28天）至11月龄儿童")
    assert "child_check" not in old  # retired: its records stay, no new ones
    young = reasons(ws, adult)
    assert young["tcm_elderly"] == "适用于65岁及以上的居民"
    assert young["elderly_exam"] is None  # 健康体检表: any age (issue 13)
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, elderly
    )
    now = reasons(ws, elderly)
    assert now["htn_register"] == "已登记高血压" and now["htn_followup"] is None
    choices = ws.services.form_choices(elderly)
    offered = [c.offered for c in choices]
    assert offered == sorted(offered, reverse=True)  # offered first, then the others
    assert [c.form for c in choices if c.offered] == ws.services.applicable_forms(elderly)


def open_picker(qtbot, ws, rid) -> tuple[ResidentDetail, FormPicker]:
    detail = ResidentDetail(ws, rid)
    qtbot.addWidget(detail)
    detail.show()
    detail.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is detail)
    qtbot.keyClick(detail, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    picker = detail.child
    assert isinstance(picker, FormPicker)
    qtbot.waitUntil(picker.isVisible)
    picker.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is picker.search)
    return detail, picker


def shown(picker: FormPicker) -> list[str]:
    """Ids of the visible forms, top to bottom ("-" before one not offered)."""
    items = (picker.list.item(i) for i in range(picker.list.count()))
    return [
        i.data(FORM_ID) or f"-{i.data(REFUSED_ID)}"
        for i in items
        if not i.isHidden() and (i.data(FORM_ID) or i.data(REFUSED_ID))
    ]


def current(picker: FormPicker) -> str:
    item = picker.list.currentItem()
    return item.data(FORM_ID) or f"-{item.data(REFUSED_ID)}"


def type_chinese(widget, text: str) -> None:
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_typing_pinyin_initials_then_enter_opens_the_form(qtbot, ws, elderly):
    detail, picker = open_picker(qtbot, ws, elderly)
    assert current(picker) == "clinic_visit"  # 接诊记录 first: the most frequent entry
    qtbot.keyClicks(picker.search, "gxy")
    assert shown(picker) == ["htn_register", "-htn_followup"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.chosen == "htn_register" and not picker.isVisible()
    editor = detail.child
    assert isinstance(editor, ServiceEditor) and editor.form_id == "htn_register"


def test_a_clinic_visit_is_two_keys_from_the_timeline(qtbot, ws, elderly):
    """接诊记录 is the picker's first form: open it and press Enter (or type jz)."""
    detail, picker = open_picker(qtbot, ws, elderly)
    qtbot.keyClicks(picker.search, "jz")
    assert shown(picker)[0] == "clinic_visit"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    editor = detail.child
    assert isinstance(editor, ServiceEditor) and editor.form_id == "clinic_visit"


def test_the_form_id_and_chinese_text_filter_too(qtbot, ws, elderly):
    _detail, picker = open_picker(qtbot, ws, elderly)
    qtbot.keyClicks(picker.search, "HTN")
    assert shown(picker) == ["htn_register", "-htn_followup"]
    picker.search.clear()
    type_chinese(picker.search, "体质")
    assert shown(picker) == ["tcm_elderly"]
    picker.search.clear()
    qtbot.keyClicks(picker.search, "zyyjk")  # 中医药健康, in the full title
    assert "tcm_elderly" in shown(picker)
    picker.search.clear()
    qtbot.keyClicks(picker.search, "qqq")
    assert shown(picker) == [] and "qqq" in picker.note.text()
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.isVisible() and picker.chosen is None


def test_arrows_move_while_typing_and_a_greyed_form_only_says_why(qtbot, ws, elderly):
    detail, picker = open_picker(qtbot, ws, elderly)
    qtbot.keyClicks(picker.search, "sf")  # 随访
    assert shown(picker)[:2] == ["-htn_followup", "-dm_followup"]
    assert all(f.startswith("-") for f in shown(picker))  # no follow-up applies yet
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    qtbot.keyClick(picker.search, Qt.Key.Key_Up)
    assert current(picker) == "-htn_followup"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.isVisible() and picker.chosen is None and detail.child is picker
    assert picker.note.text() == "不能选：先做高血压登记"
    assert picker.search.hasFocus()  # typing goes on
    picker.search.clear()
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert current(picker) == shown(picker)[1]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.chosen == shown(picker)[1]
    assert isinstance(detail.child, ServiceEditor)


def test_the_header_shows_phone_address_and_doctor(qtbot, ws, elderly, adult):
    detail = ResidentDetail(ws, elderly)
    qtbot.addWidget(detail)
    text = detail.summary.text()
    assert "13912345678" in text and "王建国" in text
    assert "小坝村委会" in text and "三组12号" in text
    other = ResidentDetail(ws, adult)
    qtbot.addWidget(other)
    assert "责任医生" in other.summary.text() and "（未填）" in other.summary.text()
