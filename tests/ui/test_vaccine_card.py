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


def row_of(grid, name):
    return next(r for r in range(grid.rowCount()) if grid.item(r, 0).text().startswith(name))


def test_card_of_a_six_year_old_shows_the_dt_dose_not_dtap(qtbot, ws):
    birth = dt.date.today().replace(day=1) - dt.timedelta(days=int(6.2 * 365))
    rid = person(ws, "六岁", birth.isoformat())
    dose(ws, rid, "dtap1", (birth + dt.timedelta(days=100)).isoformat())
    dose(ws, rid, "dtap2", (birth + dt.timedelta(days=140)).isoformat())
    card = VaccineCard(ws, rid)
    qtbot.addWidget(card)
    grid = card.grid
    dtap, dt_row = row_of(grid, "百白破疫苗"), row_of(grid, "白破疫苗（DT")
    assert grid.item(dtap, 3).text() == "不再补种"
    assert "改种白破疫苗第3剂" in grid.item(dtap, 3).toolTip()
    assert grid.item(dt_row, 3).text().startswith(("应种", "逾期"))
    assert grid.item(dt_row, 1) is None  # no DT booster after 3 doses completed with DT
    assert card.rules.isHidden() and card.rules.text() == ""


def test_card_header_says_the_mother_and_the_birth_weight(qtbot, ws):
    birth = dt.date.today() - dt.timedelta(days=20)
    rid = person(ws, "低体重", birth.isoformat())
    ws.services.save(
        "vaccination",
        {"certificate_date": dt.date.today(), "mother_hbsag": "2", "birth_weight": "1.8"},
        rid,
    )
    card = VaccineCard(ws, rid)
    qtbot.addWidget(card)
    assert "母亲乙肝表面抗原 阳性　出生体重 1.8 kg" in card.header.text()
    assert "乙肝免疫球蛋白（HBIG）100 IU" in card.rules.text()
    assert "共4剂" in card.rules.text()
    hepb = row_of(card.grid, "乙肝疫苗")
    assert card.grid.item(hepb, 4) is not None  # the 4th dose
