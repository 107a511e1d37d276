"""Issue 10, bureau side: the bureau pages' long actions run off the UI thread — while a
folder of station workbooks is imported, the district workbook and PDF are written,
the receipts are made, the status table or the roster is exported, a timer on the UI
thread never waits more than 100 ms between ticks."""

from __future__ import annotations

import pytest

from tests.bureau_helpers import PERIOD, make_bureau, station_report, write_station
from tests.ui.stall import LIMIT_MS, StallMeter, frozen_heap
from ygt_desktop.storage import submissions
from ygt_desktop.ui import bureau_common, messages
from ygt_desktop.ui import bureau_receipts_page as receipts_module
from ygt_desktop.ui import bureau_report_page as report_module
from ygt_desktop.ui import bureau_roster_page as roster_module
from ygt_desktop.ui.bureau_import_page import ImportPage
from ygt_desktop.ui.bureau_receipts_page import ReceiptsPage
from ygt_desktop.ui.bureau_report_page import BureauReportPage
from ygt_desktop.ui.bureau_roster_page import RosterPage
from ygt_desktop.ui.bureau_status_page import StatusPage

# the window's stalls are measured: no other test beside these (tests/alone.py)
pytestmark = pytest.mark.alone

MEMBERS = 12
STATIONS = [(f"530102{n:03d}", f"五华区第{n}社区卫生服务站") for n in range(1, MEMBERS + 1)]


@pytest.fixture(autouse=True)
def _frozen_heap():
    """As the window freezes its start-up heap (ui/app.py)."""
    yield from frozen_heap()


def member_report(n: int, **changes):
    code, name = STATIONS[n - 1]
    return station_report(1, org_code=code, org_name=name, scale=1 + n / 10, **changes)


@pytest.fixture
def district(tmp_path, forms):
    ws = make_bureau(tmp_path / "district.db", forms, stations=tuple(STATIONS))
    yield ws
    ws.close(backup_on_exit=False)


@pytest.fixture
def usb(tmp_path):
    """Every member's workbook, two revisions of some, and a stranger's."""
    folder = tmp_path / "usb"
    for n in range(1, MEMBERS + 1):
        write_station(member_report(n), folder / f"站{n:02d}")
    for n in (1, 2, 3):
        write_station(member_report(n, revision=2), folder / "更正")
    write_station(
        station_report(1, org_code="530103001", org_name="盘龙区某站"), folder, name="外区.xlsx"
    )
    return folder


@pytest.fixture
def said(monkeypatch):
    out: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "info", lambda _p, text, title="": out.append(("info", text)))
    monkeypatch.setattr(messages, "error", lambda _p, text, title="": out.append(("error", text)))
    monkeypatch.setattr(messages, "ask", lambda *_a, **_k: True)
    for module in (receipts_module, report_module):
        monkeypatch.setattr(module, "open_file", lambda _path: True)
    return out


def measured(qtbot, page, action) -> float:
    """The longest the event loop went without running while ``action``'s job ran."""
    with StallMeter() as meter:
        action()
        assert page.jobs.busy(), "the action should run in the background"
        qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=60_000)
    return meter.worst_ms


def imported(qtbot, ws, usb) -> None:
    page = ImportPage(ws)
    qtbot.addWidget(page)
    page.add_sources([usb])
    page.start()
    qtbot.waitUntil(lambda: not page.jobs.busy(), timeout=60_000)


def test_importing_a_folder_keeps_the_window_responsive(qtbot, district, usb, said):
    page = ImportPage(district)
    qtbot.addWidget(page)
    page.show()
    page.period.setCurrentIndex(page.period.findData(str(PERIOD)))
    page.add_sources([usb])
    worst = measured(qtbot, page, page.start)
    assert page.summary.text().startswith(f"共 {MEMBERS + 4} 个文件：接收 {MEMBERS + 3} 个")
    assert len(submissions.current(district.store, str(PERIOD))) == MEMBERS
    assert worst < LIMIT_MS, f"the window stalled {worst:.0f} ms during the import"


def test_the_district_report_keeps_the_window_responsive(
    qtbot, district, usb, said, tmp_path, monkeypatch
):
    imported(qtbot, district, usb)
    page = BureauReportPage(district)
    qtbot.addWidget(page)
    page.show()
    page.period.setEditText(str(PERIOD))
    worst = {"sum": measured(qtbot, page, page.refresh)}
    assert page.status.text().startswith(f"2026年第3季度：汇总 {MEMBERS} 个机构的当前版本")
    for kind, name in ((report_module.WORKBOOK, "d.xlsx"), (report_module.PDF, "d.pdf")):
        out = tmp_path / name
        monkeypatch.setattr(report_module, "choose_path", lambda *_a, out=out: out)
        worst[name] = measured(qtbot, page, lambda kind=kind: page.export(kind))
        assert said[-1][0] == "info" and str(out) in said[-1][1]
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    assert all(ms < LIMIT_MS for ms in worst.values()), f"stalls (ms): {worst}"


def test_receipts_keep_the_window_responsive(qtbot, district, usb, said, tmp_path, monkeypatch):
    imported(qtbot, district, usb)
    page = ReceiptsPage(district)
    qtbot.addWidget(page)
    page.show()
    page.period.setEditText(str(PERIOD))
    page.refresh()
    folder = tmp_path / "回执"
    monkeypatch.setattr(bureau_common, "choose_folder", lambda *_a: folder)
    worst = measured(qtbot, page, lambda: page.write(all_members=True))
    assert said[-1][1].startswith(f"已写出 {MEMBERS} 份回执到 {folder}")
    assert worst < LIMIT_MS, f"the window stalled {worst:.0f} ms writing the receipts"


def test_status_and_roster_exports_keep_the_window_responsive(
    qtbot, district, usb, said, tmp_path, monkeypatch
):
    imported(qtbot, district, usb)
    status = StatusPage(district)
    qtbot.addWidget(status)
    status.show()
    status.period.setEditText(str(PERIOD))
    status.refresh()
    worst = {}
    for name in ("status.xlsx", "status.csv"):
        out = tmp_path / name
        monkeypatch.setattr(bureau_common, "choose_save", lambda *_a, out=out: out)
        worst[name] = measured(qtbot, status, status.export)
        assert said[-1] == ("info", f"已导出到 {out}")
    page = RosterPage(district)
    qtbot.addWidget(page)
    page.show()
    out = tmp_path / "roster.csv"
    monkeypatch.setattr(roster_module, "choose_path", lambda *_a: out)
    worst["roster.csv"] = measured(qtbot, page, page.export)
    worst["roster import"] = measured(qtbot, page, lambda: page.import_path(out))
    assert said[-1][1].startswith("名册已导入：新增 0 个，更新 0 个，未变 12 个")
    assert all(ms < LIMIT_MS for ms in worst.values()), f"stalls (ms): {worst}"
