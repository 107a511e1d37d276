"""Fees and satisfaction on the 家医签约 page (issue 4): a contract's payments and
questionnaires entered through the real dialogs; the period's figures and the prepaid
share in 费用与满意度."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import TEST_USER
from tests.contract_helpers import make_station
from ygt_desktop.ui import messages
from ygt_desktop.ui.contract_money import FeeDialog, SurveyDialog
from ygt_desktop.ui.contracts_page import ContractsPage
from ygt_desktop.ui.entity_editor import EntityEditor


@pytest.fixture
def page(qtbot, ws, monkeypatch):
    monkeypatch.setattr(messages, "info", lambda *a: None)
    st = make_station(ws)
    st.cid = st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))
    page = ContractsPage(ws)
    page.st = st
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    activate(qtbot, page)
    page.contracts.refresh()
    page.contracts.table.selectRow(0)
    return page


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def opened(qtbot, owner, kind):
    qtbot.waitUntil(lambda: isinstance(owner.dialog, kind) and owner.dialog.isVisible())
    activate(qtbot, owner.dialog)
    return owner.dialog


def test_record_payments_against_what_is_due(qtbot, page):
    tab = page.contracts
    qtbot.mouseClick(tab.action_buttons["fees"], Qt.MouseButton.LeftButton)
    fees = opened(qtbot, tab, FeeDialog)
    qtmodel = fees.summary.texts()
    assert qtmodel[0] == ["医保基金", "80", "64", "0", "80"]
    assert qtmodel[2] == ["个人", "25", "25", "0", "25"]
    qtbot.keyClick(fees, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = opened(qtbot, fees, EntityEditor)
    fields = editor.form_widget.editors
    assert fields["payer"].widget.currentData() == "medical"
    assert fields["kind"].widget.currentData() == "1"  # 预拨 first
    assert fields["amount"].widget.text() == "80"  # what is outstanding
    amount = fields["amount"].widget
    amount.selectAll()
    qtbot.keyClicks(amount, "-64")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "0–100000" in fields["amount"].error.text()
    amount.selectAll()
    qtbot.keyClicks(amount, "64")
    fields["paid_date"].widget.setText("2026-01-20")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert fees.summary.texts()[0] == ["医保基金", "80", "64", "64", "16"]
    assert fees.model.texts() == [["2026-01-20", "医保基金", "预拨", "64", ""]]


def test_fill_a_satisfaction_questionnaire(qtbot, page):
    tab = page.contracts
    qtbot.mouseClick(tab.action_buttons["survey"], Qt.MouseButton.LeftButton)
    surveys = opened(qtbot, tab, SurveyDialog)
    qtbot.keyClick(surveys, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = opened(qtbot, surveys, EntityEditor)
    fields = editor.form_widget.editors
    for item, score in zip(
        ("q_info", "q_cost", "q_image", "q_skill", "q_quality", "q_convenience", "q_overall"),
        "5443545",
        strict=True,
    ):
        combo = fields[item].widget
        combo.setCurrentIndex(combo.findData(score))
    fields["survey_date"].widget.setText("2026-06-01")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert surveys.model.texts() == [
        ["2026-06-01", "5", "4", "4", "3", "5", "4", "非常满意", TEST_USER]
    ]


def test_period_figures_and_prepaid_share(qtbot, page, ws):
    from ygt_desktop.storage.contract_fees import PaymentRepo
    from ygt_desktop.storage.contract_survey import SurveyRepo

    PaymentRepo(ws.store, ws.forms).save(
        {
            "contract_id": page.st.cid,
            "payer": "personal",
            "kind": "3",
            "paid_date": "2026-01-01",
            "amount": "25",
        }
    )
    SurveyRepo(ws.store, ws.forms).save(
        {
            "contract_id": page.st.cid,
            "survey_date": "2026-03-01",
            "q_info": "5",
            "q_cost": "4",
            "q_image": "5",
            "q_skill": "4",
            "q_quality": "5",
            "q_convenience": "4",
            "q_overall": "4",
        }
    )
    tab = page.figures
    page.tabs.setCurrentWidget(tab)
    tab.start.setText("20260101")
    tab.end.setText("2026-3-31")
    qtbot.keyClick(tab.end, Qt.Key.Key_Return)
    assert tab.start.text() == "2026-01-01"
    rows = tab.fees.texts()
    assert rows[0] == ["医保基金", "80", "64", "0", "0", "0", "0", "80"]
    assert rows[3] == ["合计", "205", "169", "25", "0", "0", "25", "180"]
    assert "平均得分 4.50（满分 5）" in tab.survey.text()
    assert "满意率 100.0%" in tab.survey.text()
    tab.percent.selectAll()
    qtbot.keyClicks(tab.percent, "90")
    qtbot.keyClick(tab.percent, Qt.Key.Key_Return)
    assert tab.fees.texts()[0][2] == "72"
    tab.percent.selectAll()
    qtbot.keyClicks(tab.percent, "150")
    qtbot.keyClick(tab.percent, Qt.Key.Key_Return)
    assert "0–100" in tab.error.text()
