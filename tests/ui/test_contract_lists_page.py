"""到期提醒 and 未签约重点人群 on the 家医签约 page (issue 4): the lists as of a typed
day, by village and team, printed as PDF and exported as CSV through the worklist's
save dialog; Enter renews the chosen contract or signs the chosen resident."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.contract_helpers import make_station
from tests.ui.background import wait_for_jobs
from ygt_desktop.ui import messages, worklist_export
from ygt_desktop.ui.contract_editor import ContractEditor
from ygt_desktop.ui.contracts_page import ContractsPage

TODAY = dt.date.today()


@pytest.fixture
def page(qtbot, ws, monkeypatch):
    monkeypatch.setattr(messages, "info", lambda *a: None)
    st = make_station(ws)
    st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))
    st.sign("王大姐", "2025-12-01", sign="2025-11-20")
    st.sign("赵青年", "2025-12-15", team="龙泉", doctor="赵医生")
    page = ContractsPage(ws)
    page.st = st
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    return page


def set_day(qtbot, tab, text: str) -> None:
    tab.on.setFocus()
    tab.on.selectAll()
    qtbot.keyClicks(tab.on, text)
    qtbot.keyClick(tab.on, Qt.Key.Key_Return)


@pytest.fixture
def saved(monkeypatch, tmp_path):
    files = {"opened": []}

    def choose(_parent, _title, name, _filter, suffix):
        files["name"] = name
        return tmp_path / f"list{suffix}"

    monkeypatch.setattr(worklist_export, "choose_path", choose)
    monkeypatch.setattr(worklist_export, "open_file", lambda p: files["opened"].append(p) or True)
    return files


def test_expiring_as_of_a_day_within_30_or_60_days(qtbot, page, qtmodeltester):
    tab = page.expiring
    page.tabs.setCurrentWidget(tab)
    set_day(qtbot, tab, "20261123")
    assert [r[1] for r in tab.model.texts()] == ["王大姐", "赵青年"]
    assert tab.model.texts()[0][0] == "7"
    assert tab.counts.text() == "30 天内到期、尚未续约：2 份（年服务费合计 110 元）"
    tab.within.setCurrentIndex(tab.within.findData(60))
    assert [r[1] for r in tab.model.texts()] == ["王大姐", "赵青年", "张老汉"]
    tab.team.setCurrentIndex(tab.team.findData(str(page.st.teams["小坝"])))
    assert [r[1] for r in tab.model.texts()] == ["王大姐", "张老汉"]
    tab.village.setCurrentIndex(tab.village.findData("101"))
    assert [r[1] for r in tab.model.texts()] == ["张老汉"]
    qtmodeltester.check(tab.model)


def test_enter_on_an_expiring_contract_opens_its_renewal(qtbot, page):
    tab = page.expiring
    page.tabs.setCurrentWidget(tab)
    set_day(qtbot, tab, "20261123")
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    editor = page.contracts.dialog
    assert isinstance(editor, ContractEditor)
    assert editor.form_widget.editors["renews_id"].widget.text() == str(tab.model.rows[0].id)
    assert "王大姐" in editor.header.text()
    editor.form_widget.mark_clean()
    editor.reject()


def test_print_and_export_the_expiring_list(qtbot, page, saved):
    tab = page.expiring
    page.tabs.setCurrentWidget(tab)
    tab.within.setCurrentIndex(tab.within.findData(60))
    set_day(qtbot, tab, "2026-11-23")
    qtbot.keyClick(tab, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_for_jobs(qtbot)
    assert saved["name"] == "签约到期提醒名单_2026-11-23.pdf"
    pdf = saved["opened"][0]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    for words in (
        "签约到期提醒名单",
        "日期：2026-11-23",
        "60 天内到期",
        "王大姐",
        "张老汉",
        "基础服务包、老年人服务包",
        "第 1 页 共 1 页",
    ):
        assert words in text, words
    tab.export()
    wait_for_jobs(qtbot)
    data = (pdf.parent / "list.csv").read_bytes()
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("序号,剩余天数,姓名")
    assert lines[1].startswith("1,7,王大姐")
    assert "已导出 3 行" in tab.notice.text()


def test_uncovered_key_populations_counted_and_signed_from_the_list(qtbot, page, saved):
    tab = page.uncovered
    page.tabs.setCurrentWidget(tab)
    set_day(qtbot, tab, "20270101")
    assert [r[0] for r in tab.model.texts()] == ["张老汉", "李小妹", "王大姐"]
    assert tab.counts.text() == (
        "未签约重点人群 3 人（0–6岁儿童 1，65岁及以上老年人 1，低保 1；一人可属多类）"
    )
    assert tab.model.texts()[0][6] == "2026-12-31"
    assert tab.model.texts()[1][6] == "从未签约"
    tab.population.setCurrentIndex(tab.population.findData("child"))
    assert [r[0] for r in tab.model.texts()] == ["李小妹"]
    tab.print_list()
    wait_for_jobs(qtbot)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(saved["opened"][0]).pages)
    assert "未签约重点人群名单" in text and "0–6岁儿童" in text and "李小妹" in text
    tab.population.setCurrentIndex(0)
    tab.team.setCurrentIndex(tab.team.findData(str(page.st.teams["龙泉"])))
    assert tab.model.rowCount() == 0
    tab.team.setCurrentIndex(0)
    tab.table.setFocus()
    tab.table.selectRow(1)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    editor = page.contracts.dialog
    assert isinstance(editor, ContractEditor) and "李小妹" in editor.header.text()
    fields = editor.form_widget.editors
    fields["package_ids"].checks[str(page.st.packages["儿童服务包"])].click()
    editor.save()
    assert not editor.isVisible()
    # Signed today for a year: covered on 2027-01-01 (when today is not later than that).
    expected = (
        ["张老汉", "王大姐"] if TODAY <= dt.date(2027, 1, 1) else ["张老汉", "李小妹", "王大姐"]
    )
    assert [r[0] for r in tab.model.texts()] == expected
