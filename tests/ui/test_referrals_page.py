"""The 转诊 page driven by keyboard (issue 4): a rule's suggestion becomes a saved
referral, a new referral's resident is found by searching the register, a suggestion
is dismissed with a reason, bad dates are shown at their fields."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog

from ygt_desktop.storage.referrals import Referrals
from ygt_desktop.ui import messages
from ygt_desktop.ui.entity_editor import EntityEditor
from ygt_desktop.ui.referral_editor import ReferralEditor
from ygt_desktop.ui.referral_models import ReferralModel, SuggestionModel
from ygt_desktop.ui.referrals_page import ReferralsPage

TODAY = dt.date.today()
DAY = TODAY - dt.timedelta(days=3)


def commit_text(widget, text: str) -> None:
    """Chinese text the way an input method delivers it (keyClicks aborts on CJK)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


@pytest.fixture(autouse=True)
def no_popups(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": shown.append(text))
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": shown.append(text))
    yield shown
    for widget in QApplication.topLevelWidgets():  # no dialog outlives its test's database
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.done(0)


@pytest.fixture
def patient(ws):
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    return rid


@pytest.fixture
def urgent_record(ws, patient):
    return ws.services.save(
        "htn_followup",
        {
            "visit_date": DAY.isoformat(),
            "visit_method": "1",
            "sbp": "186",
            "dbp": "112",
            "adherence": "1",
            "visit_class": "1",
        },
        patient,
    ).change.record_id


@pytest.fixture
def page(qtbot, ws):
    page = ReferralsPage(ws)
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    activate(qtbot, page)
    return page


def test_suggestion_to_saved_referral_by_keyboard(qtbot, ws, urgent_record, page):
    assert page.suggestion_model.rowCount() == 1
    assert "紧急 1 条" in page.suggestion_count.text()
    page.suggestion_table.setFocus()
    qtbot.keyClick(page.suggestion_table, Qt.Key.Key_Return)
    editor = page.dialog
    assert isinstance(editor, ReferralEditor) and editor.isVisible()
    activate(qtbot, editor)
    raw = editor.form_widget.raw()
    assert (raw["direction"], raw["urgency"], raw["diagnosis"]) == ("1", "1", "高血压")
    assert raw["from_institution"] == "测试社区卫生服务站"
    assert raw["referral_date"] == DAY.isoformat()
    assert "张三" in editor.picker.chosen.text()
    to = editor.form_widget.editors["to_institution"].widget
    assert to.hasFocus()  # the one thing left to type
    commit_text(to, "五华区人民医院")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.change is not None and not editor.isVisible()
    assert page.suggestion_model.rowCount() == 0
    assert "没有待处理的转诊建议" in page.suggestion_count.text()
    [row] = page.referral_model.rows
    assert (row["name"], row["to_institution"], row["source_record_id"]) == (
        "张三",
        "五华区人民医院",
        urgent_record,
    )
    shown = [page.referral_model.text(row, c) for c in range(9)]
    assert shown[1:4] == ["上转", "张三", "急诊"]
    assert shown[8].startswith("待随访")
    assert "上转 1 例" in page.summary.text() and "0/1" in page.summary.text()


def test_new_referral_finds_the_resident_in_the_register(qtbot, ws, patient, page):
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = page.dialog
    assert isinstance(editor, ReferralEditor)
    activate(qtbot, editor)
    assert editor.picker.search.hasFocus()
    commit_text(editor.form_widget.editors["to_institution"].widget, "五华区人民医院")
    commit_text(editor.form_widget.editors["reason"].widget, "血压控制不满意")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.change is None  # nobody chosen yet
    assert "请先在上方查找并选择居民" in editor.picker.error.text()
    assert editor.picker.search.hasFocus()
    qtbot.keyClicks(editor.picker.search, "zs")
    qtbot.keyClick(editor.picker.search, Qt.Key.Key_Return)  # to the results
    assert editor.picker.results.hasFocus()
    qtbot.keyClick(editor.picker.results, Qt.Key.Key_Return)  # take the first
    assert editor.resident_id() == patient
    assert "张三" in editor.picker.chosen.text()
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.change is not None
    assert Referrals(ws.store, ws.forms).values(editor.change.record_id)["resident_id"] == patient
    assert page.focusWidget() is page.referral_table  # focus is back on the list
    assert (
        page.referral_model.rows[page.referral_table.currentIndex().row()]["id"]
        == editor.change.record_id
    )


def test_switching_to_down_referral_swaps_the_two_sides(qtbot, ws, patient, page):
    page.new_referral()
    editor = page.dialog
    eds = editor.form_widget.editors
    commit_text(eds["to_institution"].widget, "五华区人民医院")
    eds["direction"].set_value("2")
    raw = editor.form_widget.raw()
    assert (raw["from_institution"], raw["to_institution"]) == (
        "五华区人民医院",
        "测试社区卫生服务站",
    )
    eds["direction"].set_value("1")
    assert editor.form_widget.raw()["from_institution"] == "测试社区卫生服务站"


def test_bad_dates_are_shown_at_their_fields_and_nothing_is_saved(qtbot, ws, urgent_record, page):
    page.draft_current()
    editor = page.dialog
    eds = editor.form_widget.editors
    commit_text(eds["to_institution"].widget, "五华区人民医院")
    eds["followup_done"].widget.setChecked(True)
    before = (DAY - dt.timedelta(days=1)).strftime("%Y%m%d")
    qtbot.keyClicks(eds["followup_date"].widget, before)
    eds["receipt_confirmed"].widget.setChecked(True)
    qtbot.keyClicks(eds["receipt_date"].widget, before)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.change is None
    assert eds["followup_date"].error.text() == "随访日期不能早于转诊日期"
    assert eds["receipt_date"].error.text() == "接收确认日期不能早于转诊日期"
    assert Referrals(ws.store, ws.forms).listing(dt.date.min, dt.date.max) == []
    assert page.suggestion_model.rowCount() == 1


def test_dismiss_a_suggestion_with_delete_and_a_reason(qtbot, ws, urgent_record, page):
    page.suggestion_table.setFocus()
    qtbot.keyClick(page.suggestion_table, Qt.Key.Key_Delete)
    editor = page.dialog
    assert isinstance(editor, EntityEditor) and not isinstance(editor, ReferralEditor)
    activate(qtbot, editor)
    assert "收缩压≥180" in editor.header.text()
    reason = editor.form_widget.editors["reason"].widget
    assert reason.hasFocus()
    reason.setCurrentIndex(reason.findData("1"))  # 患者拒绝转诊
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.change is not None
    assert page.suggestion_model.rowCount() == 0


def test_models_keep_the_qt_contract(qtmodeltester, ws, urgent_record, page):
    referrals = Referrals(ws.store, ws.forms)
    suggestions = SuggestionModel()
    suggestions.set_rows(referrals.suggestions())
    qtmodeltester.check(suggestions)
    draft = referrals.draft(urgent_record, "测试社区卫生服务站")
    referrals.save({**draft, "to_institution": "五华区人民医院"})
    model = ReferralModel()
    model.set_rows(referrals.listing(dt.date.min, dt.date.max))
    qtmodeltester.check(model)


def test_timeline_ctrl_r_opens_the_draft_of_the_selected_record(qtbot, ws, urgent_record):
    from ygt_desktop.ui.resident_detail import ResidentDetail

    header, _ = ws.services.get(urgent_record)
    detail = ResidentDetail(ws, header["resident_id"])
    qtbot.addWidget(detail)
    detail.show()
    activate(qtbot, detail)
    detail.table.selectRow(detail.record_ids.index(urgent_record))
    qtbot.keyClick(detail, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    editor = detail.child
    assert isinstance(editor, ReferralEditor)
    assert editor.form_widget.raw()["source_record_id"] == str(urgent_record)
    assert "紧急转诊建议" in editor.header.text()
    activate(qtbot, editor)
    commit_text(editor.form_widget.editors["to_institution"].widget, "五华区人民医院")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.change is not None
    assert "转诊单已保存" in detail.status.text()
    activate(qtbot, detail)
    qtbot.keyClick(detail, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    again = detail.child  # the saved one opens now, not a second draft
    assert again is not editor and again.entity_id == editor.change.record_id


def test_service_editor_says_where_the_suggestion_went(ws, patient):
    from ygt_desktop.ui.service_editor import outcome_text

    result = ws.services.save(
        "htn_followup",
        {
            "visit_date": DAY.isoformat(),
            "visit_method": "1",
            "sbp": "186",
            "dbp": "112",
            "adherence": "1",
            "visit_class": "1",
        },
        patient,
    )
    assert "“转诊”页的“待处理的转诊建议”" in outcome_text(result)
