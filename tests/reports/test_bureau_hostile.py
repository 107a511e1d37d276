"""Issue 11: a bureau import that no single file can break. The hostile corpus — numbers
past 2^63 and 1e300 in ``_data`` and in the revision, a forged revision 2^63−1, a
station relabelled in ``_data`` and ``_meta``, edited numbers with a recomputed digest,
rates of 300 %, counts of −500, a numerator above its denominator, inconsistent base
figures, a FIFO named ``.xlsx`` and a name with a terminal escape code — each in a batch
with the genuine files of the other stations, which are all accepted. An unexpected
error while reading or storing one file refuses that file alone (内部错误, traceback in
ygt-error.log). Withdraw, then resubmit."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from tests.bureau_helpers import (
    IMPORT_DAY,
    PERIOD,
    STATIONS,
    bureau_workspace,
    import_files,
    station_report,
    with_value,
    write_station,
)
from ygt_desktop.core.report_model import IndicatorValue
from ygt_desktop.reports import bureau_import, bureau_report, bureau_status
from ygt_desktop.reports.bureau_import import SKIPPED
from ygt_desktop.reports.workbook_canonical import workbook_digest
from ygt_desktop.storage import audit_check, submissions
from ygt_desktop.storage.submissions import ACCEPTED, REJECTED, REPLACED

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)
TODAY = IMPORT_DAY


run = import_files


def genuine(folder: Path, but: int) -> list[str]:
    """The genuine workbooks of every station except ``but``; their file names."""
    return [write_station(station_report(n), folder).name for n in range(1, 6) if n != but]


def raw(report, **values):
    """``report`` with indicator figures set as given, no recomputation: code=(n, d, v)."""
    changed = {code: IndicatorValue(code, *figures) for code, figures in values.items()}
    return replace(report, values={**report.values, **changed})


def edit_data(path: Path, edit) -> Path:
    """Change ``_data`` by hand, then recompute the digest as exchange.md and
    docs/exchange.md tell anyone how to."""
    wb = openpyxl.load_workbook(path)
    data_sheet, meta_sheet = wb["_data"], wb["_meta"]
    edit(data_sheet)
    rows = [tuple(r) for r in data_sheet.iter_rows(min_row=2, values_only=True)]
    meta_rows = {r[0].row: (r[0].value, r[1].value) for r in meta_sheet.iter_rows(min_row=2)}
    meta = {k: "" if v is None else str(v) for k, v in meta_rows.values()}
    for row, (key, _) in meta_rows.items():
        if key == "digest":
            meta_sheet.cell(row, 2).value = workbook_digest(rows, meta)
    wb.save(path)
    return path


def set_cell(code: str, column: int, value):
    def edit(sheet):
        for row in sheet.iter_rows(min_row=2):
            if row[3].value == code:
                row[column].value = value

    return edit


CASES = {
    # name: (how to make it from station 1's genuine report, the refusal code)
    "整数超过2^63": (lambda r: raw(r, **{"ref.up": (2**63, None, 2**63)}), "bad_number"),
    "1e19": (lambda r: raw(r, **{"ref.up": (1e19, None, 1e19)}), "bad_number"),
    "1e300": (lambda r: raw(r, **{"eq.in_use_value": (1e300, None, 1e300)}), "bad_number"),
    "负数分母": (lambda r: raw(r, **{"htn.control": (2, -(2**70), None)}), "bad_number"),
    "版本号2^63-1": (lambda r: replace(r, revision=2**63 - 1), "bad_revision"),
    "版本号10^300": (lambda r: replace(r, revision=10**300), "bad_revision"),
    "版本号跳得太高": (lambda r: replace(r, revision=12), "revision_jump"),
    "比率300%": (lambda r: raw(r, **{"htn.standard": (2100, 700, 300.0)}), "implausible"),
    "计数-500": (lambda r: raw(r, **{"ref.up": (-500, None, -500)}), "implausible"),
    "分子大于分母": (lambda r: with_value(r, "tb.managed", 9, 3), "implausible"),
    "数值与比率不符": (lambda r: raw(r, **{"htn.standard": (412, 700, 99.9)}), "implausible"),
    "65岁以上多于常住人口": (
        lambda r: with_value(with_value(r, "eld.managed", 402, 9000), "tcm.elderly", 380, 9000),
        "implausible",
    ),
    "同一基础数据两个值": (lambda r: with_value(r, "fd.rate", 1420, 5001), "implausible"),
    "改了站名和代码": (
        lambda r: replace(r, org_code="530102099", org_name="冒名站"),
        "unknown_org",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_hostile_file_is_refused_and_the_genuine_ones_are_accepted(bureau_ws, tmp_path, name):
    make, code = CASES[name]
    folder = tmp_path / "usb"
    names = genuine(folder, but=1)
    hostile = write_station(make(station_report(1)), folder, name=f"{name}.xlsx")
    result = run(bureau_ws, folder)
    outcome = {r.path.name: r for r in result.results}
    assert (outcome[hostile.name].outcome, outcome[hostile.name].code) == (REJECTED, code), outcome[
        hostile.name
    ].reason
    assert all(outcome[n].outcome == ACCEPTED for n in names)
    assert result.rejected == 1
    assert len(submissions.current(bureau_ws.store, str(PERIOD))) == 4
    logged = submissions.log(bureau_ws.store, period=str(PERIOD))
    assert len(logged) == 5
    if code not in ("bad_revision",):  # tied to the member its _meta names
        claimed = "530102099" if code == "unknown_org" else STATIONS[0][0]
        assert [e.org_code for e in logged if e.outcome == REJECTED] == [claimed]


def test_each_refusal_says_which_indicator_and_why(bureau_ws, tmp_path):
    cases = {
        "比率300%": ("htn.standard", "分子 2100 大于分母 700"),
        "计数-500": ("ref.up", "不能为负数"),
        "数值与比率不符": ("htn.standard", "数值应为 412÷700×100 = 58.9"),
        "65岁以上多于常住人口": ("eld.managed", "65岁及以上常住居民数"),
        "整数超过2^63": ("numerator", "超出合理范围"),
        "版本号2^63-1": ("9223372036854775807", "版本号"),
    }
    for name, words in cases.items():
        write_station(CASES[name][0](station_report(1)), tmp_path / name, name=f"{name}.xlsx")
        (r,) = run(bureau_ws, tmp_path / name).results
        assert r.outcome == REJECTED
        assert all(w in r.reason for w in words), r.reason


def test_edited_numbers_with_a_recomputed_digest_are_judged_on_their_merits(bureau_ws, tmp_path):
    folder = tmp_path / "usb"
    names = genuine(folder, but=1)
    path = write_station(station_report(1), folder, name="改过的数.xlsx")
    edit_data(path, set_cell("htn.standard", 4, 700))  # 700 of 700 with the value 58.9
    result = {r.path.name: r for r in run(bureau_ws, folder).results}
    assert result["改过的数.xlsx"].code == "implausible"
    assert "htn.standard" in result["改过的数.xlsx"].reason
    assert all(result[n].outcome == ACCEPTED for n in names)


def test_a_relabelled_station_in_data_only_is_refused(bureau_ws, tmp_path):
    folder = tmp_path / "usb"
    names = genuine(folder, but=1)
    path = write_station(station_report(1), folder, name="改了代码.xlsx")
    edit_data(path, set_cell("ref.up", 0, STATIONS[1][0]))
    result = {r.path.name: r for r in run(bureau_ws, folder).results}
    assert (result["改了代码.xlsx"].outcome, result["改了代码.xlsx"].code) == (
        REJECTED,
        "org_mismatch",
    )
    assert result["改了代码.xlsx"].org_code == STATIONS[0][0]  # from its _meta
    assert all(result[n].outcome == ACCEPTED for n in names)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_and_an_escape_code_in_the_folder(bureau_ws, tmp_path):
    folder = tmp_path / "usb"
    names = genuine(folder, but=1)
    os.mkfifo(folder / "管道.xlsx")
    (folder / "断链.xlsx").symlink_to(folder / "不存在.xlsx")
    evil = "\x1b[2J\x1b[31m红色\u202eXSLX.xlsx"
    write_station(station_report(1), folder, name=evil)
    result = run(bureau_ws, folder)  # would block for ever opening the FIFO
    by = {r.path.name: r for r in result.results}
    assert by["管道.xlsx"].outcome == SKIPPED and "命名管道" in by["管道.xlsx"].reason
    assert by["断链.xlsx"].outcome == SKIPPED and "符号链接" in by["断链.xlsx"].reason
    assert by[evil].outcome == ACCEPTED
    assert by[evil].name == "\\x1b[2J\\x1b[31m红色\\u202eXSLX.xlsx"
    assert "\x1b" not in by[evil].shown_path
    assert all(by[n].outcome == ACCEPTED for n in names)
    assert result.rejected == 0 and "跳过 2 个" in result.summary()
    # Nothing skipped is in the import log.
    assert {e.file_name for e in submissions.log(bureau_ws.store)} == {*names, evil}
    status = bureau_status.period_status(bureau_ws, PERIOD, today=TODAY)
    assert all("\x1b" not in "".join(row.cells()) for row in status.rows)


def test_an_unexpected_error_refuses_that_file_alone(bureau_ws, tmp_path, monkeypatch):
    folder = tmp_path / "usb"
    names = genuine(folder, but=0)
    real_check, real_record = bureau_import.check, submissions.record

    def check(parsed, *a, **k):
        if parsed.meta["org_code"] == STATIONS[1][0]:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real_check(parsed, *a, **k)

    def record(store, incoming):
        if incoming.org_code == STATIONS[2][0]:
            raise OverflowError("int too large")
        return real_record(store, incoming)

    monkeypatch.setattr(bureau_import, "check", check)
    monkeypatch.setattr(submissions, "record", record)
    result = run(bureau_ws, folder)
    by = {r.path.name: r for r in result.results}
    broken = {names[1], names[2]}
    for n in names:
        r = by[n]
        if n in broken:
            assert (r.outcome, r.code) == (REJECTED, "internal_error")
            assert r.reason.startswith("内部错误") and "ygt-error.log" in r.reason
        else:
            assert r.outcome == ACCEPTED
    assert result.rejected == 2 and "内部错误 2 个" in result.summary()
    log_text = (tmp_path / "ygt-error.log").read_text(encoding="utf-8")
    assert log_text.count("Traceback") == 2 and "OverflowError" in log_text
    refused = [e for e in submissions.log(bureau_ws.store) if e.outcome == REJECTED]
    assert {e.org_code for e in refused} == {STATIONS[1][0], STATIONS[2][0]}


def test_withdraw_then_resubmit(bureau_ws, tmp_path):
    store = bureau_ws.store
    genuine_1 = write_station(station_report(1), tmp_path / "a")
    assert run(bureau_ws, genuine_1).results[0].outcome == ACCEPTED
    # A forged revision 2 (plausible numbers, recomputed digest) replaces the genuine one.
    forged = write_station(
        with_value(station_report(1, revision=2), "htn.standard", 700, 700), tmp_path / "b"
    )
    assert run(bureau_ws, forged).results[0].outcome == REPLACED
    assert bureau_report.build(bureau_ws, PERIOD).report.values["htn.standard"].value == 100.0

    with pytest.raises(submissions.WithdrawRefused, match="原因"):
        submissions.withdraw(store, STATIONS[0][0], str(PERIOD), 2, "  ")
    sub = submissions.withdraw(store, STATIONS[0][0], str(PERIOD), 2, "伪造的第2版，站点未导出过")
    assert sub.withdrawn and sub.withdrawn_by == store.user
    with pytest.raises(submissions.WithdrawRefused, match="撤销过"):
        submissions.withdraw(store, STATIONS[0][0], str(PERIOD), 2, "再来一次")
    with pytest.raises(submissions.WithdrawRefused, match="没有"):
        submissions.withdraw(store, STATIONS[0][0], str(PERIOD), 7, "无此版")
    # The genuine revision 1 is current again; the report and the status say so.
    (cur,) = submissions.current(store, str(PERIOD))
    assert cur.revision == 1
    assert bureau_report.build(bureau_ws, PERIOD).report.values["htn.standard"].value == 58.9
    row = bureau_status.period_status(bureau_ws, PERIOD, today=TODAY).rows[0]
    assert row.revision == 1 and "已撤销" in row.note and "伪造的第2版" in row.note

    # The forged file again: refused for good, not taken back in.
    again = run(bureau_ws, forged).results[0]
    assert (again.outcome, again.code) == (REJECTED, "withdrawn_file")
    # The station's genuine revision 2 has the withdrawn one's number: accepted.
    real_2 = write_station(station_report(1, revision=2, scale=0.9), tmp_path / "c")
    assert run(bureau_ws, real_2).results[0].outcome == REPLACED
    assert [(s.revision, s.withdrawn) for s in submissions.history(store, str(PERIOD))] == [
        (1, False),
        (2, True),
        (2, False),
    ]
    # Still no way to delete or change it; and the audit check holds every record.
    with pytest.raises(Exception, match="不可"):
        with store.write("test") as conn:
            conn.execute(
                "UPDATE bureau_submissions SET withdrawn_at = NULL WHERE id = ?", (sub.id,)
            )
    with pytest.raises(Exception, match="不可"):
        with store.write("test") as conn:
            conn.execute("UPDATE bureau_submissions SET revision = 3 WHERE id = ?", (sub.id,))
    assert not audit_check.verify(store.conn)


def test_a_withdrawn_only_submission_shows_as_withdrawn(bureau_ws, tmp_path):
    write_station(station_report(2), tmp_path)
    run(bureau_ws, tmp_path)
    submissions.withdraw(bureau_ws.store, STATIONS[1][0], str(PERIOD), 1, "错报")
    status = bureau_status.period_status(bureau_ws, PERIOD, today=TODAY)
    row = next(r for r in status.rows if r.code == STATIONS[1][0])
    assert row.state == bureau_status.WITHDRAWN and not row.submitted
    assert "其中已撤销 1 个" in status.summary()
    assert not bureau_report.build(bureau_ws, PERIOD).used
    # The station's next file (revision 1 again, other numbers) is accepted.
    shutil.rmtree(tmp_path / "x", ignore_errors=True)
    write_station(station_report(2, scale=0.8), tmp_path / "x")
    assert run(bureau_ws, tmp_path / "x").results[0].outcome == ACCEPTED


def test_the_district_outputs_name_every_member_that_has_not_reported(bureau_ws, tmp_path):
    from pypdf import PdfReader

    for n in (1, 2):
        write_station(station_report(n), tmp_path / "usb")
    run(bureau_ws, tmp_path / "usb")
    result = bureau_report.build(bureau_ws, PERIOD)
    missing = [code for code, _ in STATIONS[2:]]
    assert [m.code for m in result.missing] == missing
    xlsx, pdf = tmp_path / "d.xlsx", tmp_path / "d.pdf"
    bureau_report.write_workbook_file(bureau_ws, result, xlsx)
    bureau_report.write_pdf_file(bureau_ws, result, pdf, chart=False)
    sheet = openpyxl.load_workbook(xlsx)[bureau_report.RANKING_SHEET]
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    unreported = [row for row in cells if row[6] == "未上报"]
    rates = sum(1 for i in result.report.template.indicators if i.kind != "count")
    assert len(unreported) == 3 * rates  # in every block, never silently left out
    assert {row[1] for row in unreported} == set(missing)
    assert any(str(row[0] or "").startswith("未上报（3 个") for row in cells)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "未上报（3 个" in text
    assert all(name in text.replace("\n", "") for _, name in STATIONS[2:])
