"""预防接种卡 (ui/vaccine_card.py): the grid vaccine × dose shows each dose's date given
or state, the 补种 doses listed, the first dose to give selected; Enter on a dose not
given opens a new record of it; the resident page offers the card (Ctrl+K) to children
only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.storage.test_indicators import person
from tests.storage.test_vaccine_doses import dose
from ygt_desktop.ui.resident_detail import ResidentDetail
from ygt_desktop.ui.service_editor import ServiceEditor
from ygt_desktop.ui.vaccine_card import VaccineCard


def test_card_grid_and_catch_up(qtbot, ws):
    birth = dt.date.today() - dt.timedelta(days=400)  # 13 months: the 12-month doses late
    rid = person(ws, "卡片宝", birth.isoformat())
    dose(ws, rid, "hepb1", birth.isoformat())
    card = VaccineCard(ws, rid)
    qtbot.addWidget(card)
    grid = card.grid
    assert grid.item(0, 0).text() == "乙肝疫苗（HepB，肌内注射）"
    assert grid.item(0, 1).text() == birth.isoformat()
    assert grid.item(0, 2).text() == "逾期（补种）"
    assert grid.item(0, 3).text() == "未到（待前一剂）"
    assert card.catch_up.text().startswith("需补种：卡介苗（")  # soonest possible first
    assert "乙肝疫苗第2剂（" in card.catch_up.text()
    assert card.selected() is not None and card.selected().state == "逾期"
    assert "乙脑减毒活疫苗" in card.header.text()
    # Enter on the selected dose not given: a new record of that dose
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    editor = card.child
    assert isinstance(editor, ServiceEditor)
    assert editor.form_widget.raw()["vaccine"] == card.selected().dose.id
    editor.reject()


def test_resident_page_offers_the_card_to_children_only(qtbot, ws):
    kid = person(ws, "孩子", (dt.date.today() - dt.timedelta(days=90)).isoformat())
    adult = person(ws, "大人", "1980-01-01")
    for rid, shown in ((kid, True), (adult, False)):
        page = ResidentDetail(ws, rid)
        qtbot.addWidget(page)
        names = [b.objectName() for b in page.findChildren(QPushButton)]
        assert ("vaccine_card" in names) is shown
