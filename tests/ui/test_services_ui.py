"""Entering services from a resident's timeline with the keyboard (issue 3)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import TEST_PASSWORD
from ygt_desktop.ui import messages
from ygt_desktop.ui.resident_detail import FormPicker, ResidentDetail
from ygt_desktop.ui.residents_page import ResidentsPage
from ygt_desktop.ui.service_editor import ServiceEditor


def activate(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def type_text(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


@pytest.fixture
def resident(ws):
    return ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id


def choose(combo, code):
    combo.setCurrentIndex(combo.findData(code))


def test_register_then_follow_up_from_the_timeline(qtbot, ws, resident, monkeypatch):
    shown = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": shown.append(text))
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.show()
    activate(qtbot, page)
    qtbot.keyClicks(page.search, "zs")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens the resident's timeline
    qtbot.waitUntil(lambda: isinstance(page.dialog, ResidentDetail) and page.dialog.isVisible())
    detail = page.dialog
    activate(qtbot, detail)

    qtbot.keyClick(detail, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    picker = detail.child
    assert isinstance(picker, FormPicker)
    offered = [
        picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count())
    ]
    assert "htn_register" in offered and "htn_followup" not in offered
    picker.list.setCurrentRow(offered.index("htn_register"))
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    editor = detail.child
    assert isinstance(editor, ServiceEditor)
    fields = editor.form_widget.editors
    type_text(qtbot, fields["register_date"].widget, "2026-01-05")
    type_text(qtbot, fields["diagnosis_date"].widget, "20251201")
    editor.save()
    assert not editor.isVisible()
    assert detail.table.item(0, 1).text() == "高血压登记"
    assert "高血压" in detail.summary.text()

    detail.add_service()
    picker = detail.child
    offered = [
        picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count())
    ]
    assert "htn_followup" in offered and "htn_register" not in offered
    picker.list.setCurrentRow(offered.index("htn_followup"))
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    editor = detail.child
    fields = editor.form_widget.editors
    type_text(qtbot, fields["visit_date"].widget, "2026-11-01")
    choose(fields["visit_method"].widget, "1")
    type_text(qtbot, fields["sbp"].widget, "185")
    type_text(qtbot, fields["dbp"].widget, "95")
    # controlled is computed (76 years old: < 150/90) and locked
    assert fields["controlled"].widget.isChecked() is False
    assert not fields["controlled"].widget.isEnabled()
    choose(fields["adherence"].widget, "1")
    choose(fields["visit_class"].widget, "2")
    editor.save()
    assert not editor.isVisible()
    assert "紧急转诊" in shown[0] and "下次随访：2026-11-15 前" in shown[0]
    assert detail.table.item(0, 1).text() == "高血压随访"
    assert "紧急转诊" in detail.table.item(0, 3).text()
    assert detail.table.item(0, 4).text() == "2026-11-15"


def test_errors_show_next_to_the_fields_and_nothing_is_saved(qtbot, ws, resident):
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, resident
    )
    editor = ServiceEditor(ws, "htn_followup", resident)
    qtbot.addWidget(editor)
    fields = editor.form_widget.editors
    type_text(qtbot, fields["visit_date"].widget, "2026-11-01")
    choose(fields["visit_method"].widget, "2")
    type_text(qtbot, fields["sbp"].widget, "400")
    type_text(qtbot, fields["dbp"].widget, "90")
    editor.save()
    assert fields["sbp"].error.text() == "收缩压应在 60–300mmHg 之间"
    assert fields["adherence"].error.text() == "请填写服药依从性"
    assert len(ws.services.timeline(resident)) == 1


def test_correcting_a_submitted_quarter_asks_the_station_head(qtbot, ws, monkeypatch):
    import datetime as dt

    from ygt_desktop.core.report_model import Period
    from ygt_desktop.storage import locking
    from ygt_desktop.ui import messages
    from ygt_desktop.ui.service_editor import ServiceEditor

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
    saved = ws.services.save(
        "htn_followup",
        {
            "visit_date": "2026-08-01",
            "visit_method": "1",
            "sbp": "130",
            "dbp": "80",
            "adherence": "1",
            "visit_class": "1",
        },
        rid,
    )
    locking.submit(ws.store, Period.parse("2026Q3"), "x")
    monkeypatch.setattr(messages, "info", lambda *a, **k: None)
    errors: list[str] = []
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    pins = iter(["1111", TEST_PASSWORD])
    monkeypatch.setattr(messages, "ask_password", lambda *a, **k: next(pins))
    editor = ServiceEditor(ws, "htn_followup", record_id=saved.change.record_id)
    qtbot.addWidget(editor)
    editor.form_widget.editors["sbp"].widget.setText("150")
    editor.save()  # wrong password first: refused, nothing written
    assert errors == ["密码不正确，记录未更正。"] and editor.saved is None
    editor.save()  # the right password
    assert editor.saved is not None
    assert ws.services.get(saved.change.record_id)[1]["sbp"] == 150
    assert not ws.store.head_unlocked
    assert locking.revision(ws.store, Period.parse("2026Q3")) == 2
    assert dt.date(2026, 8, 1) <= Period.parse("2026Q3").window_end
