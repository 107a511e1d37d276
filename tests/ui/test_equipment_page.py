"""The 设备 page driven through the real widgets (issue 4): register an asset by
keyboard, bad input shown at the field with nothing written, a status change, a
stocktake marked with the keys 1/2/3 and printed, the standard checklist loaded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from tests.conftest import TEST_USER
from tests.ui.background import wait_for_jobs
from ygt_desktop.storage.equipment import REPAIR, Equipment
from ygt_desktop.storage.equipment_stocktake import Stocktakes
from ygt_desktop.ui import equipment_views, messages, printing
from ygt_desktop.ui.entity_editor import EntityEditor
from ygt_desktop.ui.equipment_models import Column, RowsModel
from ygt_desktop.ui.equipment_page import EquipmentPage
from ygt_desktop.ui.equipment_stocktake import MarkDialog

CTRL = Qt.KeyboardModifier.ControlModifier
TODAY = dt.date.today()


def commit_text(widget, text: str) -> None:
    """Chinese text the way an input method delivers it (keyClicks aborts on CJK)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def wait_dialog(qtbot, owner, kind):
    qtbot.waitUntil(lambda: isinstance(owner.dialog, kind) and owner.dialog.isVisible())
    activate(qtbot, owner.dialog)
    return owner.dialog


@pytest.fixture
def told(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(messages, "info", lambda _p, text, *_a: said.append(text))
    monkeypatch.setattr(messages, "error", lambda _p, text, *_a: said.append(text))
    monkeypatch.setattr(messages, "ask", lambda *_a: True)
    return said


@pytest.fixture
def page(qtbot, ws, told):
    page = EquipmentPage(ws)
    qtbot.addWidget(page)
    page.resize(1300, 720)
    page.show()
    activate(qtbot, page)
    return page


def texts(model, column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


def save(qtbot, editor) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)


def test_rows_model_keeps_the_qt_contract(qtmodeltester):
    model: RowsModel[tuple[str, int]] = RowsModel(
        [Column("名称", lambda r: r[0]), Column("数量", lambda r: str(r[1]), lambda r: r[1], True)],
        lambda r: None,
    )
    model.set_rows([("听诊器", 2), ("血压计", 10)])
    qtmodeltester.check(model)


def test_add_an_asset_by_keyboard_with_bad_input_refused_at_the_field(qtbot, page, ws):
    tab = page.register
    qtbot.keyClick(tab.table, Qt.Key.Key_N, CTRL)
    editor = wait_dialog(qtbot, tab, EntityEditor)
    fields = editor.form_widget.editors
    assert fields["asset_no"].widget.hasFocus()
    qtbot.keyClicks(fields["asset_no"].widget, "SB-001")
    commit_text(fields["name"].widget, "双耳听诊器")
    fields["category"].widget.setFocus()
    qtbot.keyClicks(fields["category"].widget, "1")  # 1 诊断
    qtbot.keyClicks(fields["purchase_date"].widget, "20240301")
    qtbot.keyClicks(fields["price"].widget, "abc")
    save(qtbot, editor)
    assert editor.isVisible()
    assert fields["price"].error.text() == "价格（原值）应为数字"
    assert fields["price"].widget.hasFocus()
    fields["price"].widget.clear()
    qtbot.keyClicks(fields["price"].widget, "-5")
    save(qtbot, editor)
    assert fields["price"].error.text() == "价格（原值）应在 0–10000000元 之间"
    assert Equipment(ws.store, ws.forms).register() == []  # nothing written
    fields["price"].widget.clear()
    qtbot.keyClicks(fields["price"].widget, "168.5")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert texts(tab.proxy, 0) == ["SB-001"]
    assert texts(tab.proxy, 1) == ["双耳听诊器"]
    assert texts(tab.proxy, 8) == ["在用"]
    assert "共 1 台" in tab.count.text() and "168.50 元" in tab.count.text()

    # the same number again is refused at the field
    activate(qtbot, page)
    qtbot.keyClick(tab.table, Qt.Key.Key_N, CTRL)
    again = wait_dialog(qtbot, tab, EntityEditor)
    qtbot.keyClicks(again.form_widget.editors["asset_no"].widget, "SB-001")
    commit_text(again.form_widget.editors["name"].widget, "血压计")
    again.form_widget.editors["category"].widget.setCurrentIndex(1)
    qtbot.keyClicks(again.form_widget.editors["purchase_date"].widget, "20240301")
    save(qtbot, again)
    assert (
        again.form_widget.editors["asset_no"].error.text() == "资产编号“SB-001”已被另一条记录使用"
    )
    assert len(Equipment(ws.store, ws.forms).register()) == 1


def test_status_change_before_purchase_is_refused_then_recorded(qtbot, ws, told):
    eq = Equipment(ws.store, ws.forms)
    eq.assets.save(
        {
            "asset_no": "SB-009",
            "name": "心电图机",
            "category": "1",
            "purchase_date": "2024-03-01",
            "price": "8600",
        }
    )
    page = EquipmentPage(ws)
    qtbot.addWidget(page)
    page.show()
    activate(qtbot, page)
    tab = page.register
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_T, CTRL)
    editor = wait_dialog(qtbot, tab, EntityEditor)
    fields = editor.form_widget.editors
    assert fields["asset_id"].widget.currentText().endswith("心电图机")
    assert not fields["asset_id"].widget.isEnabled()  # the asset is set by the page
    fields["status"].widget.setFocus()
    qtbot.keyClicks(fields["status"].widget, "2")  # 2 维修
    fields["status_date"].widget.clear()
    qtbot.keyClicks(fields["status_date"].widget, "20240229")
    save(qtbot, editor)
    assert fields["status_date"].error.text() == "状态变更日期不能早于购置日期（2024-03-01）"
    assert eq.status_history(eq.register()[0].id) == []
    fields["status_date"].widget.clear()
    qtbot.keyClicks(fields["status_date"].widget, "20240610")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert texts(tab.proxy, 8) == ["维修"] and texts(tab.proxy, 9) == ["2024-06-10"]
    history = [tab.history.item(r, 1).text() for r in range(tab.history.rowCount())]
    assert history == ["购置", "状态变更"]


@pytest.fixture
def station(ws):
    eq = Equipment(ws.store, ws.forms)
    ids = [
        eq.assets.save(
            {
                "asset_no": f"SB-00{n}",
                "name": name,
                "category": "1",
                "purchase_date": "2024-03-01",
                "price": "100",
                "location": "诊室",
            }
        ).record_id
        for n, name in enumerate(("诊察床", "听诊器", "血压计", "体重秤"), start=1)
    ]
    return eq, ids


def test_mark_a_stocktake_by_keys_finish_and_print(
    qtbot, ws, station, told, monkeypatch, tmp_path: Path
):
    page = EquipmentPage(ws)
    qtbot.addWidget(page)
    page.resize(1300, 720)
    page.show()
    activate(qtbot, page)
    qtbot.keyClick(page.register.table, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    tab = page.stocktake
    assert page.tabs.currentWidget() is tab
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_N, CTRL)
    editor = wait_dialog(qtbot, tab, EntityEditor)
    fields = editor.form_widget.editors
    assert fields["year"].widget.text() == str(TODAY.year)
    assert fields["checker"].widget.text() == TEST_USER
    commit_text(fields["supervisor"].widget, "李站长")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert texts(tab.proxy, 5) == ["未盘"] * 4

    activate(qtbot, page)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_1)  # SB-001 found, moves on
    qtbot.keyClick(tab.table, Qt.Key.Key_2)  # SB-002 missing
    qtbot.keyClick(tab.table, Qt.Key.Key_3)  # SB-003 status changed: asks what was found
    dialog = wait_dialog(qtbot, tab, MarkDialog)
    assert dialog.status.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # nothing chosen: refused at the field
    assert dialog.isVisible() and dialog.status_error.text() == "请填写实际状态"
    qtbot.keyClicks(dialog.status, "2")  # 2 维修
    commit_text(dialog.note, "屏幕不亮")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert texts(tab.proxy, 5) == ["找到", "缺失", "状态变化", "未盘"]
    assert texts(tab.proxy, 6)[2] == "维修" and texts(tab.proxy, 7)[2] == "屏幕不亮"
    assert tab.table.currentIndex().row() == 3
    tab.finish()
    assert any("还有 1 台设备未盘点" in t for t in told)
    activate(qtbot, page)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_1)
    assert "找到 2，缺失 1，状态变化 1，未盘 0" in tab.count.text()
    tab.finish()
    assert tab.result is not None and tab.result.finished
    qtbot.keyClick(tab.table, Qt.Key.Key_2)  # frozen now
    assert any("结果不能再修改" in t for t in told)

    out = tmp_path / "盘点.pdf"
    opened: list[Path] = []
    monkeypatch.setattr(printing, "choose_path", lambda _parent, name: out)
    monkeypatch.setattr(printing, "open_pdf", lambda path: opened.append(path) or True)
    qtbot.keyClick(tab.table, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)
    assert opened == [out]
    reader = PdfReader(out)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert f"设备盘点表（{TODAY.year}年度）" in text
    for words in (
        "测试社区卫生服务站",
        "SB-002",
        "诊察床",
        "缺失",
        "实际：维修；屏幕不亮",
        "盘点人（签字）",
        "负责人（签字）",
        "李站长",
        "缺失设备原值合计 100.00 元",
    ):
        assert words in text, words
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4 portrait


def test_register_change_found_in_a_stocktake(qtbot, ws, station, told):
    eq, ids = station
    stocktakes = Stocktakes(eq, ws.forms)
    day = TODAY - dt.timedelta(days=2)
    sid = stocktakes.start({"year": day.year, "stocktake_date": day, "checker": "王护士"}).record_id
    stocktakes.mark(sid, ids[2], "3", REPAIR, "屏幕不亮")
    page = EquipmentPage(ws)
    qtbot.addWidget(page)
    page.show()
    activate(qtbot, page)
    page.tabs.setCurrentIndex(1)
    tab = page.stocktake
    tab.table.selectRow(2)
    tab.register_change()
    editor = wait_dialog(qtbot, tab, EntityEditor)
    save(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.isVisible())
    assert eq.status_on(ids[2], day) == REPAIR
    assert eq.status_history(ids[2])[0]["reason"] == "盘点发现：屏幕不亮"


def test_checklist_loaded_shows_what_is_missing(qtbot, ws, station, told, monkeypatch, tmp_path):
    eq, ids = station
    page = EquipmentPage(ws)
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentIndex(2)
    tab = page.checklist
    assert "尚未载入" in tab.info.text()
    bureau = tmp_path / "bureau.toml"
    bureau.write_text(
        '[checklist]\ntitle = "某县村卫生室设备清单"\nsource = "某县卫生健康局"\n'
        '[[items]]\ncode = "A1"\nname = "诊察床"\ncategory = "诊断"\n'
        '[[items]]\ncode = "A2"\nname = "血糖仪"\ncategory = "检验"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(equipment_views, "choose_checklist_file", lambda _p: bureau)
    tab.load_from_file()
    assert any("新增 2 项" in t for t in told)
    assert "某县卫生健康局" in tab.info.text()
    assert "缺 2 项：诊察床、血糖仪" in tab.count.text()  # by item, not by the asset's name
    item = next(r["id"] for r in eq.checklist.rows() if r["code"] == "A1")
    eq.assets.save({"checklist_item": str(item)}, ids[0])
    page.tabs.setCurrentIndex(3)
    page.tabs.setCurrentIndex(2)
    assert "缺 1 项：血糖仪" in tab.count.text()
    assert texts(tab.model, 6) == ["已配齐", "缺 1"]
    tab.load(equipment_views.standard_checklist_path())
    assert "村卫生室基本设备配置清单" in tab.info.text()
    assert len(eq.checklist.rows()) > 25


def test_summary_tab_shows_counts_and_values(qtbot, ws, station):
    eq, ids = station
    eq.change_status(ids[1], "4", TODAY - dt.timedelta(days=1))
    page = EquipmentPage(ws)
    qtbot.addWidget(page)
    page.tabs.setCurrentIndex(3)
    table = page.summary.table
    last = table.rowCount() - 1
    assert table.verticalHeaderItem(last).text() == "合计"
    assert [table.item(last, c).text() for c in range(table.columnCount())] == [
        "3",
        "0",
        "0",
        "1",
        "3",
        "300.00",
    ]
    assert "在用设备 3 台，原值 300.00 元" in page.summary.totals.text()
