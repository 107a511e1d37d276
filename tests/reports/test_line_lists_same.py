"""Issue 15: the fast line-list writer (reports/xlsx_stream.py) makes the same workbook
as the openpyxl write-only writer it replaced (kept in tests/reports/line_lists_reference.py
as the oracle): every sheet, every cell's value, type and style, the widths, the frozen
rows, the filter, the print titles and the page set-up — on hand-made lists with every
kind of value and on the line lists of generated demo stations (masked and full).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from tests.reports.line_lists_reference import reference_bytes, reference_form_rows
from tests.reports.report_helpers import raw_sheets
from tests.reports.test_line_lists import htn_list
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import demo
from ygt_desktop.ops.base import Run
from ygt_desktop.ops.station import opened
from ygt_desktop.reports import line_lists_export
from ygt_desktop.reports.line_lists import LineList, line_lists_bytes
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.workspace import Workspace

ODD = LineList(
    "杂'项",
    ("a", "b", "c", "d", "e", "f", "mother_id", "g_phone", "h"),
    ("=甲", "乙", "", "丁\t", "戊", "己", "母亲身份证号", "电话", "+h"),
    [
        {"a": " 前后空格 ", "b": 12345678901234567, "c": 1.5, "d": dt.datetime(2026, 3, 4, 5, 6),
         "e": ["1", "2", "x"], "f": True, "mother_id": 110105194912310021, "g_phone": 139,
         "h": "a&b<c>d\r\ne"},
        {"a": "@x", "b": "12", "c": "1.50", "d": "2026-13-01", "e": ("2",), "f": False,
         "h": "\t=1"},
        {"a": "", "b": "x", "c": "abc", "d": "  2026-02-03T10:00", "e": [], "f": 0.1 + 0.2,
         "h": "-"},
        {"a": "\x0b", "b": 0, "c": -0.0, "d": dt.date(1900, 1, 1), "e": "9", "h": "中" * 40},
        {},
    ],
    {"b": "int", "c": "decimal", "d": "date", "e": "multichoice", "g_phone": "text",
     "mother_id": "idnumber", "h": "longtext"},
    {"e": {"1": "一", "2": "二"}},
)  # fmt: skip


def described(data: bytes) -> dict[str, object]:
    """Everything a reader sees of a workbook, sheet by sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = [
            (
                c.coordinate,
                c.value,
                c.data_type,
                c.number_format,
                c.quotePrefix,
                (c.font.name, c.font.sz, c.font.b, c.font.color.rgb if c.font.color else None),
                (c.fill.fill_type, c.fill.fgColor.rgb),
                (c.alignment.wrap_text, c.alignment.vertical),
            )
            for row in ws.iter_rows()
            for c in row
        ]
        out[ws.title] = (
            cells,
            {k: d.width for k, d in ws.column_dimensions.items()},
            ws.freeze_panes,
            ws.auto_filter.ref,
            ws.print_title_rows,
            ws.print_title_cols,
            (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth,
             ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage),
            {n: str(d.value) for n, d in ws.defined_names.items()},
        )  # fmt: skip
    return out


def assert_same(lists: list[LineList], tmp_path: Path, **kw: bool) -> None:
    fast, slow = line_lists_bytes(lists, **kw), reference_bytes(lists, **kw)
    assert described(fast) == described(slow)
    (tmp_path / "fast.xlsx").write_bytes(fast)
    (tmp_path / "slow.xlsx").write_bytes(slow)
    assert raw_sheets(tmp_path / "fast.xlsx") == raw_sheets(tmp_path / "slow.xlsx")


@pytest.mark.parametrize("full", [False, True])
def test_hand_made_lists_are_written_the_same(tmp_path, full):
    lists = [htn_list(), ODD, htn_list([]), LineList("空", (), (), [])]
    assert_same(lists, tmp_path, full_id=full, full_phone=full)


def test_hand_made_dates_and_numbers_keep_their_text(tmp_path):
    wb = openpyxl.load_workbook(io.BytesIO(line_lists_bytes([ODD])))
    ws = wb.worksheets[0]
    # 16 significant digits, as openpyxl wrote numbers (ID numbers are text, never this)
    assert ws["B3"].value == 1.234567890123457e16 and ws["D3"].value == dt.datetime(
        2026, 3, 4, 5, 6
    )
    assert ws["D3"].number_format == "yyyy-mm-dd hh:mm" and ws["D6"].value == dt.datetime(
        1900, 1, 1
    )
    assert ws["A3"].value == " 前后空格 " and ws["I3"].value == "a&b<c>d\ne"


@pytest.mark.parametrize("seed", [3, 11])
def test_demo_station_line_lists_are_written_the_same(tmp_path, seed):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Run, "require", lambda self, perm: None)
        with opened(tmp_path / "demo.db", create=True) as run:
            demo.generate(run, residents=300, seed=seed, year=2026, today=dt.date(2026, 11, 20))
            for quarter in ("2026Q2", "2026Q3"):
                lists = line_lists_export.build(run.ws, Period.parse(quarter))
                assert len(lists) > 5 and sum(len(x.rows) for x in lists) > 100
                assert_same(lists, tmp_path)
                same_rows(run.ws, Period.parse(quarter))
            assert_same(lists, tmp_path, full_id=True, full_phone=True)


def same_rows(ws: Workspace, period: Period) -> None:
    """Each service form's rows, made as they are read, equal the dicts made up front."""
    ix = Indicators(ws.store, ws.forms, Reporting(ws).template, None)
    ix.at(period)
    checked = 0
    for form in ws.forms:
        if form.kind != "service":
            continue
        made = line_lists_export.form_list(ws, ix, form.id)
        expected = reference_form_rows(ws, ix, form.id)
        if made is None:
            assert expected == []
            continue
        rows = list(made.rows)
        assert [list(r.items()) for r in rows] == [list(r.items()) for r in expected]
        assert list(made.rows[: len(rows)]) == rows and len(made.rows) == len(rows)
        checked += len(rows)
    assert checked > 100
