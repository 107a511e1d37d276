"""A bureau's outputs (issue 6): the roster file read from .xlsx and CSV (UTF-8, BOM,
GBK); the status of a period (submitted, late after the deadline, missing, refused)
and its export; the district report — numerators and denominators summed over the
members' current revisions, rates recomputed, counts summed — written by the station's
own writers with children in _meta and a ranking sheet; the receipts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from tests.bureau_helpers import (
    PERIOD,
    STATIONS,
    bureau_workspace,
    incoming,
    station_report,
    with_value,
)
from ygt_desktop.core.report_model import Period, rate
from ygt_desktop.core.roster import RosterFileError
from ygt_desktop.reports import bureau_report, bureau_status, receipt_pdf
from ygt_desktop.reports.roster_file import read_roster, roster_csv
from ygt_desktop.reports.workbook_canonical import workbook_digest
from ygt_desktop.storage import roster, submissions

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)


def stored(ws, *reports):
    for report in reports:
        out = submissions.record(ws.store, incoming(report))
        assert out.outcome in (submissions.ACCEPTED, submissions.REPLACED), out.reason


# ---- roster files -----------------------------------------------------------------------

ROSTER = [
    ("530102001", "龙泉路社区卫生服务站", "站", "530102"),
    ("530102100", "龙泉卫生院", "中心", ""),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_roster_csv_in_each_encoding(tmp_path, encoding):
    path = tmp_path / "名册.csv"
    text = "机构代码,机构名称,级别,上级代码\r\n" + "".join(",".join(r) + "\r\n" for r in ROSTER)
    path.write_bytes(text.encode(encoding))
    rows = read_roster(path, "区")
    assert [(m.code, m.name, m.level, m.parent_code) for m in rows] == [
        ("530102001", "龙泉路社区卫生服务站", "站", "530102"),
        ("530102100", "龙泉卫生院", "中心", None),
    ]


def test_roster_workbook_with_codes_as_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code", "name", "level", "parent"])
    ws.append([530102001, "龙泉路社区卫生服务站", "站", 530102])
    ws.append([])
    ws.append(["530102100", "龙泉卫生院", "中心", None])
    wb.save(tmp_path / "roster.xlsx")
    rows = read_roster(tmp_path / "roster.xlsx", "区")
    assert [(m.code, m.parent_code, m.row) for m in rows] == [
        ("530102001", "530102", 2),
        ("530102100", None, 4),
    ]


def test_roster_files_that_are_not_rosters(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(RosterFileError, match="旧版 Excel"):
        read_roster(tmp_path / "old.xls", "区")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(RosterFileError, match="已损坏"):
        read_roster(tmp_path / "broken.xlsx", "区")
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(RosterFileError, match="不是 .xlsx 工作簿，也不是 CSV"):
        read_roster(tmp_path / "a.pdf", "区")


def test_roster_export_reads_back(tmp_path):
    path = tmp_path / "back.csv"
    path.write_bytes(roster_csv([("530102001", "龙泉路社区卫生服务站", "站", None)]))
    assert read_roster(path, "区")[0].name == "龙泉路社区卫生服务站"


# ---- status -----------------------------------------------------------------------------


def test_status_submitted_late_missing_and_refused(bureau_ws, monkeypatch):
    store = bureau_ws.store
    clock = ["2026-10-09T10:00:00+08:00"]
    monkeypatch.setattr(submissions, "now_iso", lambda: clock[0])
    stored(bureau_ws, station_report(1))  # on time (10-09)
    clock[0] = "2026-10-12T09:00:00+08:00"
    stored(bureau_ws, station_report(2))  # late (10-12)
    clock[0] = "2026-10-20T09:00:00+08:00"
    stored(bureau_ws, station_report(1, scale=0.9, revision=2))  # a correction after the deadline
    submissions.log_rejected(
        store,
        file_name="s4.xlsx",
        file_path="/usb/s4.xlsx",
        sha256=None,
        code="digest_mismatch",
        reason="工作簿在导出后被修改过",
        org_code=STATIONS[3][0],
        period="2026Q3",
    )
    roster.set_active(store, STATIONS[4][0], False)  # station 5: not expected any more
    status = bureau_status.period_status(bureau_ws, PERIOD, today=dt.date(2026, 12, 1))
    by_code = {r.code: r for r in status.rows}
    assert status.deadline == dt.date(2026, 10, 10)
    assert by_code[STATIONS[0][0]].state == "已报送"  # its first version was on time
    assert (by_code[STATIONS[0][0]].revision, by_code[STATIONS[0][0]].revisions) == (2, 2)
    assert by_code[STATIONS[0][0]].first_at.startswith("2026-10-09")
    assert by_code[STATIONS[1][0]].state == "迟报"
    assert by_code[STATIONS[2][0]].state == "逾期未报"
    assert by_code[STATIONS[3][0]].state == "被拒收"
    assert "工作簿在导出后被修改过" in by_code[STATIONS[3][0]].note
    assert STATIONS[4][0] not in by_code
    assert status.summary() == (
        "2026年第3季度（截止 2026-10-10）：应报 4 个，已报 2 个（其中迟报 1 个），"
        "未报 2 个（其中文件被拒收 1 个）"
    )
    before = bureau_status.period_status(bureau_ws, PERIOD, today=dt.date(2026, 10, 5))
    assert {r.code: r.state for r in before.rows}[STATIONS[2][0]] == "未报送"
    later = bureau_status.period_status(
        bureau_ws, PERIOD, deadline_day=15, today=dt.date(2026, 12, 1)
    )
    assert {r.code: r.state for r in later.rows}[STATIONS[1][0]] == "已报送"


def test_status_exports(bureau_ws, tmp_path):
    stored(bureau_ws, station_report(1))
    status = bureau_status.period_status(bureau_ws, PERIOD)
    bureau_status.write_status(status, tmp_path / "s.csv")
    raw = (tmp_path / "s.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(bureau_status.COLUMNS)
    assert rows[1][:5] == [STATIONS[0][0], STATIONS[0][1], "站", rows[1][3], "1"]
    assert len(rows) == 1 + len(STATIONS)
    bureau_status.write_status(status, tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["上报情况"]
    assert ws.cell(5, 1).value == STATIONS[0][0] and ws.cell(5, 1).data_type == "s"
    assert ws.cell(2, 1).value == status.summary()


# ---- the district report ----------------------------------------------------------------


def test_district_report_sums_the_current_revisions(bureau_ws, tmp_path):
    one = with_value(station_report(1), "htn.standard", 1, 2)  # 50 %
    one_v2 = with_value(station_report(1, revision=2), "htn.standard", 3, 4)  # replaces it: 75 %
    two = with_value(station_report(2), "htn.standard", 90, 100)  # 90 %
    three = with_value(station_report(3), "ref.up", 7)
    stored(bureau_ws, one, two, one_v2, three)
    result = bureau_report.build(bureau_ws, PERIOD)
    report = result.report
    assert (report.org_code, report.org_level, report.parent_code) == ("530102", "区", "530100")
    assert report.children == (f"{STATIONS[0][0]}:2", f"{STATIONS[1][0]}:1", f"{STATIONS[2][0]}:1")
    v = report.values["htn.standard"]
    # By hand, from the current revisions: station 1 revision 2 (3/4), 2 (90/100), 3 (412/700).
    assert (v.numerator, v.denominator) == (3 + 90 + 412, 4 + 100 + 700)
    assert v.value == rate(505, 804) == 62.8
    assert report.values["ref.up"].value == 12 + 12 + 7
    assert report.values["eq.in_use_value"].value == 1234567.5 * 3
    assert [m.code for m in result.missing] == [s[0] for s in STATIONS[3:]]
    assert report.revision == 1

    out = tmp_path / "district.xlsx"
    assert bureau_report.write_workbook_file(bureau_ws, result, out) == 1
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["报表", "家医签约", "双向转诊", "设备", "排名", "_data", "_meta"]
    meta = {k: v for k, v in wb["_meta"].iter_rows(min_row=2, values_only=True)}
    assert meta["children"] == ",".join(report.children)
    assert meta["org_level"] == "区" and meta["revision"] == "1"
    data = [tuple(r) for r in wb["_data"].iter_rows(min_row=2, values_only=True)]
    assert workbook_digest(data, meta) == meta["digest"]
    ranking = [r for r in wb["排名"].iter_rows(values_only=True)]
    heading = next(i for i, r in enumerate(ranking) if r[0] and "高血压患者规范管理率" in str(r[0]))
    assert ranking[heading][0].endswith("区合计 62.8")
    assert [r[:3] for r in ranking[heading + 2 : heading + 5]] == [
        ("1", STATIONS[1][0], STATIONS[1][1]),
        ("2", STATIONS[0][0], STATIONS[0][1]),
        ("3", STATIONS[2][0], STATIONS[2][1]),
    ]

    pdf = tmp_path / "district.pdf"
    assert bureau_report.write_pdf_file(bureau_ws, result, pdf) == []
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "五华区卫生健康局" in text and "62.8" in text

    # Written again unchanged: the same revision; a new submission: the next one.
    assert bureau_report.build(bureau_ws, PERIOD).report.revision == 1
    stored(bureau_ws, station_report(4))
    changed = bureau_report.build(bureau_ws, PERIOD)
    assert changed.report.revision == 2
    assert bureau_report.write_workbook_file(bureau_ws, changed, out) == 2


def test_pdf_chart_sums_earlier_quarters(bureau_ws, tmp_path):
    stored(
        bureau_ws,
        station_report(1, period=Period.parse("2026Q1"), scale=0.3),
        station_report(1),
        station_report(2),
    )
    result = bureau_report.build(bureau_ws, PERIOD)
    history = bureau_report.earlier(bureau_ws, PERIOD, result.report.template)
    assert [str(r.period) for r in history] == ["2026Q1"]
    assert history[0].children == (f"{STATIONS[0][0]}:1",)
    bureau_report.write_pdf_file(bureau_ws, result, tmp_path / "d.pdf")
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "d.pdf").pages)
    assert "主要指标按季度" in text


# ---- receipts ---------------------------------------------------------------------------


def test_receipts_say_what_arrived(bureau_ws, tmp_path):
    store = bureau_ws.store
    stored(bureau_ws, station_report(1), station_report(1, scale=0.9, revision=2))
    submissions.record(store, incoming(station_report(2)))
    submissions.log_rejected(
        store,
        file_name="第3站.xlsx",
        file_path="/usb/第3站.xlsx",
        sha256=None,
        code="digest_mismatch",
        reason="工作簿在导出后被修改过（数据摘要不符），未导入",
        org_code=STATIONS[2][0],
        period="2026Q3",
        revision=1,
    )
    written, warnings = receipt_pdf.write_receipts(
        bureau_ws, PERIOD, tmp_path, today=dt.date(2026, 10, 12)
    )
    assert [p.name for p in written] == [f"回执_{c}_2026Q3.pdf" for c, _ in STATIONS[:3]]
    assert warnings == []
    text = "".join(p.extract_text() for p in PdfReader(written[0]).pages).replace("\n", "")
    current = submissions.current(store, "2026Q3")[0]
    assert "当前有效版本为第 2 版" in text and "已被第2版替代" in text
    assert current.sha256[:16] in text
    assert all(part in text for part in (current.digest[:20], current.digest[-20:]))
    refused = "".join(p.extract_text() for p in PdfReader(written[2]).pages).replace("\n", "")
    assert "尚未接收到贵单位的有效工作簿" in refused
    assert "工作簿在导出后被修改过" in refused
    (tmp_path / "one").mkdir()
    only, _ = receipt_pdf.write_receipts(bureau_ws, PERIOD, tmp_path / "one", [STATIONS[1][0]])
    assert [p.name for p in only] == [f"回执_{STATIONS[1][0]}_2026Q3.pdf"]


def test_ranking_names_never_become_formulas(bureau_ws, tmp_path):
    stored(bureau_ws, station_report(1, org_name='=HYPERLINK("http://x","点我")'))
    out = tmp_path / "d.xlsx"
    bureau_report.write_workbook_file(bureau_ws, bureau_report.build(bureau_ws, PERIOD), out)
    from tests.reports.report_helpers import raw_sheets

    _state, cells = raw_sheets(out)["排名"]
    names = [c for (_r, col), c in cells.items() if col == 3 and c is not None]
    assert all(c.kind == "text" for c in names)
    assert any(str(c.value).startswith("=HYPERLINK") for c in names)
