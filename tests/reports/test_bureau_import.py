"""Importing members' workbooks (issue 6), from files written by the station's own
writer: a USB stick's folders walked (lock files skipped), each file accepted, refused,
a duplicate or a replacement with the reason in Chinese; each file whole or not at all;
the outcome independent of the files' order; re-importing changes nothing; and the
round trip one level up — a district's workbook read by the reader and imported by a
city exactly as a station's is by a district."""

from __future__ import annotations

from dataclasses import replace

import openpyxl
import pytest

from tests.bureau_helpers import (
    BUREAU,
    CITY,
    IMPORT_DAY,
    PERIOD,
    STATIONS,
    bureau_workspace,
    import_files,
    make_bureau,
    station_report,
    with_value,
    write_station,
)
from ygt_desktop.core.report_model import Period, rate
from ygt_desktop.reports import bureau_report
from ygt_desktop.reports.bureau_import import find_workbooks
from ygt_desktop.reports.workbook_reader import read_upward_workbook
from ygt_desktop.storage import submissions
from ygt_desktop.storage.submissions import ACCEPTED, DUPLICATE, REJECTED, REPLACED

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)
TODAY = IMPORT_DAY


run = import_files


def by_name(result):
    return {r.path.name: r for r in result.results}


def counts(ws):
    conn = ws.store.conn
    return (
        conn.execute("SELECT count(*) FROM bureau_submissions").fetchone()[0],
        conn.execute("SELECT count(*) FROM bureau_rows").fetchone()[0],
    )


def test_a_usb_stick_of_workbooks(bureau_ws, tmp_path):
    usb = tmp_path / "usb"
    write_station(station_report(1), usb / "一站")
    write_station(station_report(2), usb / "二站" / "季报")
    write_station(station_report(3), usb, name="三站.XLSX")
    (usb / "~$三站.xlsx").write_bytes(b"lock")
    (usb / "._三站.xlsx").write_bytes(b"mac")
    (usb / "说明.txt").write_text("x")
    found, missing = find_workbooks([usb, usb / "一站", tmp_path / "gone"])
    assert sorted(p.name for p in found) == sorted(
        ["三站.XLSX", f"{STATIONS[0][0]}_2026Q3_第1版.xlsx", f"{STATIONS[1][0]}_2026Q3_第1版.xlsx"]
    )
    assert missing == [tmp_path / "gone"]

    result = run(bureau_ws, usb)
    assert [r.outcome for r in result.results] == [ACCEPTED] * 3
    assert result.summary().startswith(
        "共 3 个文件：接收 3 个（其中替代旧版 0 个），重复 0 个，拒收 0 个"
    )
    assert counts(bureau_ws) == (3, 3 * len(station_report(1).data_rows()))

    again = run(bureau_ws, usb)
    assert [r.outcome for r in again.results] == [DUPLICATE] * 3
    assert all(r.reason.startswith("已导入过，未作更改") for r in again.results)
    assert counts(bureau_ws) == (3, 3 * len(station_report(1).data_rows()))
    assert again.rejected == 0


def test_revisions_in_any_order_keep_the_history(bureau_ws, tmp_path):
    # Revision 2 lies in a folder walked before the one holding revision 1.
    write_station(station_report(1, scale=0.9, revision=2), tmp_path / "a")
    write_station(station_report(1), tmp_path / "b")
    result = run(bureau_ws, tmp_path / "a", tmp_path / "b")
    assert [(r.revision, r.outcome) for r in result.results] == [(2, REPLACED), (1, ACCEPTED)]
    assert (
        by_name(result)[f"{STATIONS[0][0]}_2026Q3_第2版.xlsx"].reason
        == "替代第1版（旧版保留在历史中）"
    )
    assert [s.revision for s in submissions.history(bureau_ws.store, "2026Q3")] == [1, 2]
    assert submissions.current(bureau_ws.store, "2026Q3")[0].revision == 2

    write_station(station_report(1, scale=0.5, revision=1), tmp_path / "c", name="旧版改过.xlsx")
    late = run(bureau_ws, tmp_path / "c").results[0]
    assert (late.outcome, late.code) == (REJECTED, "revision_conflict")
    assert "第1版已导入过，但本文件的数据与之不同" in late.reason


def test_each_refusal_has_its_reason_and_imports_nothing(bureau_ws, tmp_path):
    usb = tmp_path / "usb"
    write_station(
        station_report(1, org_code="530103001", org_name="盘龙区某站"), usb, name="外区.xlsx"
    )
    write_station(station_report(2, period=Period.parse("2026Q2")), usb, name="上季度.xlsx")
    write_station(station_report(3, period=Period.parse("2026Q4")), usb, name="未结束.xlsx")
    other = replace(station_report(4).template, version=station_report(4).template.version + 1)
    write_station(replace(station_report(4), template=other), usb, name="新模板.xlsx")
    edited = write_station(station_report(5), usb)  # the station's own file name
    wb = openpyxl.load_workbook(edited)
    wb["_data"]["E2"] = 9999  # a numerator changed by hand after export
    wb.save(edited)
    (usb / "不是工作簿.xlsx").write_bytes(b"Hello, this is a text file renamed")

    result = by_name(run(bureau_ws, usb, periods=[PERIOD]))
    expected = {
        "外区.xlsx": ("unknown_org", "不在本机构的成员名册中"),
        "上季度.xlsx": ("period_not_asked", "不是本次接收的统计期（2026Q3）"),
        "未结束.xlsx": ("future_period", "尚未结束"),
        "新模板.xlsx": ("unknown_template", "不是本机构使用的模板"),
        edited.name: ("digest", "工作簿在导出后被修改过"),
    }
    for name, (code, words) in expected.items():
        r = result[name]
        assert (r.outcome, r.code) == (REJECTED, code), (name, r.reason)
        assert words in r.reason
    assert result["不是工作簿.xlsx"].outcome == REJECTED
    assert counts(bureau_ws) == (0, 0)
    logged = submissions.log(bureau_ws.store)
    assert len(logged) == 6 and {e.outcome for e in logged} == {REJECTED}
    # Refused by the reader, the file tells nothing; its name as the station writes it does.
    assert {e.org_code for e in logged if e.period == "2026Q3"} == {
        "530103001",
        STATIONS[3][0],
        STATIONS[4][0],
    }

    # Without a period asked for, last quarter's workbook is welcome.
    assert by_name(run(bureau_ws, usb / "上季度.xlsx"))["上季度.xlsx"].outcome == ACCEPTED


def test_a_visible_sheet_edited_by_hand_is_a_warning(bureau_ws, tmp_path):
    path = write_station(station_report(1), tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["报表"]
    row = next(
        r
        for r in range(5, sheet.max_row + 1)
        if sheet.cell(r, 3).value and "建档率" in str(sheet.cell(r, 3).value)
    )
    sheet.cell(row, 4).value = 1
    wb.save(path)
    (r,) = run(bureau_ws, path).results
    assert r.outcome == ACCEPTED and r.warnings
    assert "可见工作表与 _data 不一致" in r.warnings[0]
    assert submissions.current(bureau_ws.store, "2026Q3")[0].warnings == r.warnings


def test_cancel_between_files_stores_nothing(bureau_ws, tmp_path):
    for n in (1, 2, 3):
        write_station(station_report(n), tmp_path)
    asked = iter([False, True])
    result = run(bureau_ws, tmp_path, cancelled=lambda: next(asked, True))
    assert result.cancelled and result.not_done == 2
    assert counts(bureau_ws) == (0, 0)
    assert "已取消，2 个文件未处理" in result.summary()


def test_progress_is_reported(bureau_ws, tmp_path):
    write_station(station_report(1), tmp_path)
    steps = []
    run(bureau_ws, tmp_path, progress=lambda done, total, text: steps.append((done, total)))
    assert steps[0] == (0, 2) and steps[-1] == (2, 2)


def test_a_city_imports_the_district_workbook(bureau_ws, tmp_path, forms):
    """One level up: the district's workbook, written by the station's writer, is read by
    the same reader and imported by a city exactly as a station's by a district."""
    stations = [
        with_value(station_report(1), "htn.control", 2, 3),
        with_value(station_report(2), "htn.control", 5, 7),
    ]
    for report in stations:
        write_station(report, tmp_path / "stations")
    assert run(bureau_ws, tmp_path / "stations").rejected == 0
    result = bureau_report.build(bureau_ws, PERIOD)
    district_file = tmp_path / "up" / "530102_2026Q3.xlsx"
    district_file.parent.mkdir()
    bureau_report.write_workbook_file(bureau_ws, result, district_file)

    parsed = read_upward_workbook(district_file)
    assert parsed.warnings == []
    assert parsed.meta["org_level"] == "区"
    assert parsed.meta["children"] == f"{STATIONS[0][0]}:1,{STATIONS[1][0]}:1"
    assert parsed.data == result.report.data_rows()

    city = make_bureau(tmp_path / "city.db", forms, CITY, stations=[(BUREAU.code, BUREAU.name)])
    try:
        (r,) = run(city, district_file).results
        assert (r.outcome, r.org_code) == (ACCEPTED, BUREAU.code)
        city_report = bureau_report.build(city, PERIOD).report
        v = city_report.values["htn.control"]
        assert (v.numerator, v.denominator, v.value) == (7, 10, rate(7, 10))
        assert city_report.children == (f"{BUREAU.code}:1",)
        assert city_report.data_rows() == [
            (CITY.code, CITY.name, *row[2:]) for row in result.report.data_rows()
        ]
        # A correction at the district reaches the city as a higher revision.
        write_station(with_value(station_report(3), "htn.control", 1, 1), tmp_path / "late")
        run(bureau_ws, tmp_path / "late")
        corrected = bureau_report.build(bureau_ws, PERIOD)
        assert corrected.report.revision == 2
        second = tmp_path / "up" / "530102_2026Q3_第2版.xlsx"
        bureau_report.write_workbook_file(bureau_ws, corrected, second)
        (r2,) = run(city, second).results
        assert (r2.outcome, r2.revision, r2.reason) == (
            REPLACED,
            2,
            "替代第1版（旧版保留在历史中）",
        )
        assert bureau_report.build(city, PERIOD).report.values["htn.control"].numerator == 8
    finally:
        city.close(backup_on_exit=False)


def test_files_on_a_stick_that_is_pulled_out(bureau_ws, tmp_path, monkeypatch):
    path = write_station(station_report(1), tmp_path / "usb")
    import ygt_desktop.reports.bureau_import as module

    def gone(*_a, **_k):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(module, "read_upward_workbook", gone)
    (r,) = run(bureau_ws, path).results
    assert (r.outcome, r.code) == (REJECTED, "unreadable")
    assert "U盘可能已拔出" in r.reason
