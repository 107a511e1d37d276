"""ops.worklist: the items of a range and filters, and the PDF/CSV export that both
``ygt worklist`` and the 待办随访 page use.

Requirements held here: items and counts come back with the filters in words; progress
is reported per file; a cancel after the first step raises OpCancelled and leaves no
file, no temporary file; a folder or a missing folder as the output is a Chinese
ExportError and leaves nothing; a refused permission stops before anything is written;
an unknown village or doctor, or a reversed range, is an OpError naming the choices.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from tests.ops.ops_helpers import TODAY, leftovers, watch
from ygt_desktop.ops import worklist
from ygt_desktop.ops.base import OpCancelled, OpError, PermissionRefused
from ygt_desktop.ops.report import PartlyWritten
from ygt_desktop.ops.station import opened
from ygt_desktop.reports.atomic import ExportError

MONTH = worklist.Query(dt.date(2026, 11, 1), dt.date(2026, 11, 30), TODAY)


def test_items_of_a_month_with_counts_and_filters(open_run, seen):
    listing = worklist.items(open_run, MONTH)
    assert listing.items and listing.counts.startswith(f"共 {len(listing.items)} 项")
    assert listing.filters.startswith("视图：到期和逾期；服务包：全部")  # 到期 by default
    assert listing.org_name == "五华区示范社区卫生服务站"
    assert seen.asked == ["worklist.view"] and seen.progress

    code, name = next(iter(listing.village_names.items()))
    one = worklist.items(open_run, worklist.Query(MONTH.start, MONTH.end, TODAY, village=code))
    assert f"{code} {name}" in one.filters
    assert {i.resident["village_code"] for i in one.items} <= {code}
    assert len(one.items) < len(listing.items)


@pytest.mark.parametrize(("query", "words"), [
    (worklist.Query(MONTH.start, MONTH.end, TODAY, village="999"), "999 不存在"),
    (worklist.Query(MONTH.start, MONTH.end, TODAY, doctor="没有这人"), "没有这人"),
    (worklist.Query(MONTH.end, MONTH.start, TODAY), "不能早于"),
])  # fmt: skip
def test_unknown_choices_are_refused_in_chinese(open_run, query, words):
    with pytest.raises(OpError, match=words):
        worklist.items(open_run, query)


def test_export_writes_both_files_and_reports_each_step(open_run, seen, tmp_path):
    pdf, table = tmp_path / "名单.pdf", tmp_path / "名单.csv"
    done = worklist.export(open_run, MONTH, pdf=pdf, csv=table)
    assert done.written == [pdf, table]
    assert seen.asked == ["worklist.export"]
    assert [(d, t) for d, t, _ in seen.progress] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    n = len(done.listing.items)
    rows = list(csv.DictReader(io.StringIO(table.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == n > 0
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "待办随访名单" in text and "2026-11-01 至 2026-11-30" in text
    assert sorted(leftovers(tmp_path)) == sorted(["db", "名单.pdf", "名单.csv"])


def test_a_cancel_after_the_first_step_leaves_no_file(demo_db, seen, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with opened(demo_db) as run:
        watch(run, seen, cancel_after=1)
        with pytest.raises(OpCancelled):
            worklist.export(run, MONTH, pdf=out / "a.pdf", csv=out / "a.csv")
    assert leftovers(out) == []
    assert len(seen.progress) == 1


@pytest.mark.parametrize(("where", "words"), [
    ("folder", "是一个文件夹"),
    ("missing", "不存在"),
])  # fmt: skip
def test_unwritable_output_is_a_chinese_error_and_leaves_nothing(open_run, tmp_path, where, words):
    out = tmp_path / "out"
    out.mkdir()
    target = {"folder": out, "missing": out / "没有" / "a.csv"}[where]
    for kind in ("pdf", "csv"):
        with pytest.raises(ExportError) as info:
            worklist.export(open_run, MONTH, **{kind: target})
        assert "无法保存待办随访" in str(info.value) and words in str(info.value)
    assert leftovers(out) == []


def test_a_failure_after_the_pdf_names_the_pdf(open_run, tmp_path):
    pdf = tmp_path / "a.pdf"
    with pytest.raises(PartlyWritten) as info:
        worklist.export(open_run, MONTH, pdf=pdf, csv=tmp_path / "没有" / "a.csv")
    assert info.value.written == [pdf] and pdf.exists()


def test_a_refused_export_writes_nothing(demo_db, refuse, tmp_path):
    refuse("worklist.export")
    with opened(demo_db) as run, pytest.raises(PermissionRefused):
        worklist.export(run, MONTH, pdf=tmp_path / "a.pdf", csv=tmp_path / "a.csv")
    assert leftovers(tmp_path) == ["db"]
