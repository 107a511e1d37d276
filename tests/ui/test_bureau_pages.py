"""Bureau mode in the window (issue 6): setup as a district, the bureau's pages instead
of the station's, the roster page (import with errors shown, add, edit, deactivate, by
keyboard), the status, summary-report and receipts pages with their exports in the
background; every table model checked with qtmodeltester."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import Qt

from tests.bureau_helpers import (
    PERIOD,
    STATIONS,
    bureau_workspace,
    incoming,
    station_report,
    write_station,
)
from tests.ui.background import wait_for_jobs
from ygt_desktop.storage import roster, submissions
from ygt_desktop.ui import bureau_common, messages
from ygt_desktop.ui import bureau_report_page as report_page_module
from ygt_desktop.ui.bureau_import_page import ImportPage
from ygt_desktop.ui.bureau_receipts_page import ReceiptsPage
from ygt_desktop.ui.bureau_report_page import BureauReportPage
from ygt_desktop.ui.bureau_roster_page import RosterPage
from ygt_desktop.ui.bureau_status_page import StatusPage
from ygt_desktop.ui.setup_dialog import SetupDialog
from ygt_desktop.ui.shell import MainWindow

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)


@pytest.fixture
def said(monkeypatch):
    """Message boxes answered without a screen: what was said, and yes to questions."""
    out: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "info", lambda _p, text, title="提示": out.append(("info", text)))
    monkeypatch.setattr(messages, "error", lambda _p, text, title="": out.append(("error", text)))
    monkeypatch.setattr(
        messages, "ask", lambda _p, text, title="": out.append(("ask", text)) or True
    )
    return out


def shown(qtbot, page):
    """Shown and active, so the page's shortcuts reach it as they would on screen."""
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)


def stored(ws, *reports):
    for report in reports:
        submissions.record(ws.store, incoming(report))


def test_setup_as_a_district_needs_no_villages(qtbot):
    dialog = SetupDialog("/tmp/x.db")
    qtbot.addWidget(dialog)
    dialog.level.setCurrentText("区")
    assert dialog.villages.isHidden() and not dialog.bureau_note.isHidden()
    dialog.name.setText("五华区卫生健康局")
    qtbot.keyClicks(dialog.code, "530102")
    dialog.try_accept()
    assert dialog.result_org.level == "区" and dialog.result_villages == []
    station = SetupDialog("/tmp/y.db")
    qtbot.addWidget(station)
    station.name.setText("某站")
    qtbot.keyClicks(station.code, "530102001")
    station.try_accept()
    assert "请至少填写一个辖区居委/村委" in station.error.text()


def test_bureau_window_shows_the_bureau_pages(qtbot, bureau_ws):
    window = MainWindow(bureau_ws)
    qtbot.addWidget(window)
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names == ["成员机构", "导入", "上报情况", "汇总报表", "回执", "审计日志", "设置"]
    window.find_resident()
    assert window.stack.currentWidget() is window.bureau.roster


def test_station_window_is_unchanged(qtbot, ws):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names[:2] == ["居民档案", "公卫服务"] and names[-3:] == ["报表", "审计日志", "设置"]
    assert window.bureau is None


def test_roster_page_import_add_edit_deactivate(
    qtbot, bureau_ws, tmp_path, said, qtmodeltester, monkeypatch
):
    page = RosterPage(bureau_ws)
    qtbot.addWidget(page)
    shown(qtbot, page)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() == 5 and page.count.text() == "在册 5 个，停用 0 个"

    bad = tmp_path / "bad.csv"
    bad.write_bytes("机构代码,机构名称,级别\r\n530102009,新站,所\r\n".encode("gbk"))
    page.import_path(bad)
    wait_for_jobs(qtbot)
    assert said[-1][0] == "error" and "第2行：级别“所”不对" in said[-1][1]
    assert page.model.rowCount() == 5  # nothing of the wrong file was used
    good = tmp_path / "good.csv"
    good.write_bytes("机构代码,机构名称,级别\r\n530102009,新站,站\r\n".encode("gbk"))
    monkeypatch.setattr(bureau_common, "choose_open_file", lambda *_a: good)
    qtbot.keyClick(page, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    wait_for_jobs(qtbot)
    assert said[-1] == (
        "info",
        "名册已导入：新增 1 个，更新 0 个，未变 0 个；名册中另有 5 个机构不在文件中（未改动）。",
    )
    assert page.model.rowCount() == 6

    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = page.dialog
    qtbot.keyClicks(dialog.code, "530102100")
    dialog.name.setText("龙泉卫生院")
    dialog.level.setCurrentText("中心")
    dialog.save()
    assert roster.member(bureau_ws.store, "530102100").level == "中心"

    qtbot.keyClicks(page.search, "530102100")
    assert page.model.rowCount() == 1
    page.table.selectRow(0)
    page.edit()
    page.dialog.name.setText("")
    page.dialog.save()
    assert page.dialog.errors["name"].text() == "请填写机构名称"
    page.dialog.name.setText("龙泉街道社区卫生服务中心")
    page.dialog.save()
    assert page.model.index(0, 1).data() == "龙泉街道社区卫生服务中心"
    shown(qtbot, page)
    qtbot.keyClick(page, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert page.model.index(0, 4).data() == "已停用"
    assert page.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    qtmodeltester.check(page.model)


def test_status_page_and_its_export(qtbot, bureau_ws, tmp_path, said, qtmodeltester, monkeypatch):
    stored(bureau_ws, station_report(1), station_report(2))
    page = StatusPage(bureau_ws)
    qtbot.addWidget(page)
    shown(qtbot, page)
    page.period.setEditText(str(PERIOD))
    page.refresh()
    qtmodeltester.check(page.model)
    states = [page.model.index(r, 3).data() for r in range(page.model.rowCount())]
    assert states[:2] == ["迟报", "迟报"]  # imported today, after 2026-10-10
    assert states[2:] == ["逾期未报"] * 3
    assert page.model.index(2, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert page.summary.text().startswith("2026年第3季度（截止 2026-10-10）：应报 5 个，已报 2 个")
    page.deadline.setValue(31)  # saved, and the table follows
    assert submissions.deadline_day(bureau_ws.store) == 31
    assert "截止 2026-10-31" in page.summary.text()
    out = tmp_path / "status.csv"
    monkeypatch.setattr(bureau_common, "choose_save", lambda *_a: out)
    qtbot.keyClick(page, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    wait_for_jobs(qtbot)
    assert said[-1] == ("info", f"已导出到 {out}")
    assert out.read_text("utf-8-sig").splitlines()[1].startswith(STATIONS[0][0])


def test_report_page_sums_and_exports_in_the_background(
    qtbot, bureau_ws, tmp_path, said, monkeypatch
):
    stored(bureau_ws, station_report(1), station_report(2, scale=0.5))
    page = BureauReportPage(bureau_ws)
    qtbot.addWidget(page)
    page.period.setEditText(str(PERIOD))
    page.refresh()
    wait_for_jobs(qtbot)
    assert "汇总 2 个机构的当前版本（应报 5 个）" in page.status.text()
    row = next(
        r for r in range(page.model.rowCount()) if page.model.indicator(r).code == "ehr.coverage"
    )
    assert page.model.index(row, 3).data() == str(4321 + round(4321 * 0.5))
    out = tmp_path / "district.xlsx"
    monkeypatch.setattr(report_page_module, "choose_path", lambda *_a: out)
    page.export(report_page_module.WORKBOOK)
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=20_000)
    assert said[-1][0] == "info" and str(out) in said[-1][1]
    wb = openpyxl.load_workbook(out)
    assert "排名" in wb.sheetnames
    meta = dict(wb["_meta"].iter_rows(min_row=2, values_only=True))
    assert meta["children"] == f"{STATIONS[0][0]}:1,{STATIONS[1][0]}:1"


def test_report_page_without_submissions_says_so(qtbot, bureau_ws, said):
    page = BureauReportPage(bureau_ws)
    qtbot.addWidget(page)
    page.period.setEditText(str(PERIOD))
    page.export(report_page_module.PDF)
    wait_for_jobs(qtbot)
    assert said[-1] == ("info", "2026年第3季度还没有接收到任何成员机构的工作簿，无法汇总。")


def test_receipts_page_writes_the_selected_receipts(
    qtbot, bureau_ws, tmp_path, said, qtmodeltester, monkeypatch
):
    stored(bureau_ws, station_report(1), station_report(3))
    page = ReceiptsPage(bureau_ws)
    qtbot.addWidget(page)
    shown(qtbot, page)
    page.period.setEditText(str(PERIOD))
    page.refresh()
    qtmodeltester.check(page.model)
    assert [page.model.index(r, 0).data() for r in range(2)] == [STATIONS[0][0], STATIONS[2][0]]
    page.table.selectRow(1)
    monkeypatch.setattr(bureau_common, "choose_folder", lambda *_a: tmp_path)
    monkeypatch.setattr("ygt_desktop.ui.bureau_receipts_page.open_file", lambda _p: True)
    qtbot.keyClick(page, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=20_000)
    assert said[-1][1].startswith(f"已写出 1 份回执到 {tmp_path}")
    assert [p.name for p in tmp_path.glob("*.pdf")] == [f"回执_{STATIONS[2][0]}_2026Q3.pdf"]


def test_import_page_takes_a_folder_in_the_background(
    qtbot, bureau_ws, tmp_path, said, qtmodeltester, monkeypatch
):
    usb = tmp_path / "usb"
    write_station(station_report(1), usb / "a")
    write_station(station_report(2), usb / "b")
    write_station(
        station_report(1, org_code="530103001", org_name="盘龙区某站"), usb, name="外区.xlsx"
    )
    page = ImportPage(bureau_ws)
    qtbot.addWidget(page)
    shown(qtbot, page)
    page.period.setCurrentIndex(page.period.findData(str(PERIOD)))
    qtbot.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert said[-1] == ("info", "请先添加要导入的工作簿文件或文件夹。")
    monkeypatch.setattr(bureau_common, "choose_folder", lambda *_a: usb)
    qtbot.keyClick(
        page, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert page.sources == [usb]
    imported = []
    page.sig_imported.connect(lambda: imported.append(True))
    qtbot.keyClick(page, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not page.jobs.busy() and bool(imported), timeout=20_000)
    qtmodeltester.check(page.model)
    rows = {
        page.model.index(r, 0).data(): page.model.index(r, 1).data()
        for r in range(page.model.rowCount())
    }
    assert list(rows.values()).count("已接收") == 2 and rows["外区.xlsx"] == "拒收"
    refused = next(
        r for r in range(page.model.rowCount()) if page.model.index(r, 0).data() == "外区.xlsx"
    )
    assert "不在本机构的成员名册中" in page.model.index(refused, 5).data()
    assert page.model.index(refused, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert page.summary.text().startswith("共 3 个文件：接收 2 个")
    assert len(submissions.current(bureau_ws.store, "2026Q3")) == 2


def test_withdraw_from_the_status_page(qtbot, bureau_ws, said, monkeypatch):
    """撤销… asks for the reason (a cancel or an empty reason changes nothing) and
    withdraws the selected member's current version; the row then says 已撤销."""
    stored(bureau_ws, station_report(1), station_report(2))
    page = StatusPage(bureau_ws)
    qtbot.addWidget(page)
    shown(qtbot, page)
    page.period.setEditText(str(PERIOD))
    page.refresh()
    assert page.withdraw_button.isEnabled()
    answers = iter([None, "   ", "站点报错"])
    asked: list[str] = []

    def ask_text(_parent, text, _title):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(messages, "ask_text", ask_text)
    page.table.selectRow(3)  # a member that has not reported: nothing to withdraw
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    assert said[-1][0] == "info" and "已报送" in said[-1][1] and not asked
    page.table.selectRow(0)
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)  # cancelled
    assert len(submissions.current(bureau_ws.store, str(PERIOD))) == 2
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)  # no reason
    assert said[-1][0] == "error" and "原因" in said[-1][1]
    qtbot.mouseClick(page.withdraw_button, Qt.MouseButton.LeftButton)
    assert "第1版" in asked[-1] and STATIONS[0][1] in asked[-1]
    assert [s.org_code for s in submissions.current(bureau_ws.store, str(PERIOD))] == [
        STATIONS[1][0]
    ]
    assert page.model.index(0, 3).data() == "已撤销"
    assert "站点报错" in page.model.index(0, 11).data()


def test_the_withdraw_button_is_greyed_for_whoever_may_not(qtbot, bureau_ws, monkeypatch):
    from ygt_desktop.ui import guard

    monkeypatch.setattr(guard, "may", lambda _ws, permission: permission != "bureau.withdraw")
    page = StatusPage(bureau_ws)
    qtbot.addWidget(page)
    assert not page.withdraw_button.isEnabled()
    assert "审核员" in page.withdraw_button.toolTip()
