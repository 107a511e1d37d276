"""Exports escape formulas (ARCHITECTURE.md example 10): one function decides which text
a spreadsheet would run (a leading ``= + - @``, tab or carriage return) and every
``.xlsx`` and ``.csv`` writer goes through it.

Each export path below is given the same hostile texts and read back: a CSV cell comes
back as the text behind a ``'``, a workbook cell as the text itself, stored as text and
marked ``quotePrefix`` — never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

import ygt_desktop
from tests.reports.test_worklist_rows import ON, item
from ygt_desktop.core.aggregate import Ranked
from ygt_desktop.core.masking import Shown
from ygt_desktop.core.printable import printable
from ygt_desktop.core.report_model import Period
from ygt_desktop.reports import bureau_report, contract_lists, roster_file, worklist_rows
from ygt_desktop.reports.bureau_status import (
    MISSING,
    PeriodStatus,
    StatusRow,
    status_csv,
    status_xlsx,
)
from ygt_desktop.reports.formulas import FORMULA_START, csv_bytes, formula_safe, runs_as_formula
from ygt_desktop.reports.line_lists import LineList, write_line_lists
from ygt_desktop.reports.workbook import text_cell

HOSTILE = [
    "=1+1",
    "+8613912345678",
    "-1 不良反应",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
    '=HYPERLINK("http://x.cn","点我")',
]
HARMLESS = ["张三", "", "1=1", "13912345678", " =1"]

FULL = Shown(phones=True)  # phones in full, to see each cell neutralised


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_neutralised(text):
    assert runs_as_formula(text)
    assert formula_safe(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_as_typed(text):
    assert not runs_as_formula(text) and formula_safe(text) == text


def test_the_starts_are_equals_plus_minus_at_tab_and_cr():
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_bytes_neutralises_every_cell_and_keeps_none_empty():
    rows = read_csv(csv_bytes(["=h", "b"], [[t, None] for t in HOSTILE]))
    assert rows[0] == ["'=h", "b"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert all(r[1] == "" for r in rows[1:])


# ---- every CSV writer -------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_worklist_csv(text):
    rows = read_csv(worklist_rows.csv_bytes([item(1, text, phone=text)], ON, {}, FULL))
    assert rows[1][2] == rows[1][6] == "'" + text


@pytest.mark.parametrize("text", HOSTILE)
def test_contract_list_csv(text):
    doc = contract_lists.ListDoc("签约居民", [], ["姓名", "备注"], [[text, text]])
    assert read_csv(contract_lists.csv_bytes(doc))[1] == ["1", "'" + text, "'" + text]


def _status(text: str) -> PeriodStatus:
    return PeriodStatus(
        Period.parse("2026Q3"),
        dt.date(2026, 10, 10),
        [StatusRow("530102001", text, "站", True, MISSING, note=text)],
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_bureau_status_csv(text):
    row = read_csv(status_csv(_status(text)))[1]
    assert row[1] == "'" + text
    # The note (file names, reasons: text from outside) has its control characters
    # escaped first; what is left is formula-safe all the same.
    assert row[-1] == formula_safe(printable(text))
    assert not runs_as_formula(row[-1])


@pytest.mark.parametrize("text", HOSTILE)
def test_roster_csv(text):
    row = read_csv(roster_file.roster_csv([("530102001", text, "站", None)]))[1]
    assert row == ["530102001", "'" + text, "站", ""]


# ---- every workbook writer --------------------------------------------------------------


def assert_text_cell(cell, text: str) -> None:
    # XML reads a stored CR back as LF; the cell is still the text as typed.
    assert cell.value == text.replace("\r", "\n") and cell.data_type == "s" and cell.quotePrefix


@pytest.mark.parametrize("text", HOSTILE)
def test_upward_workbook_text_cell(text, tmp_path):
    wb = Workbook()
    text_cell(wb.active.cell(1, 1), text)
    wb.save(tmp_path / "w.xlsx")
    assert_text_cell(openpyxl.load_workbook(tmp_path / "w.xlsx").active["A1"], text)


@pytest.mark.parametrize("text", HOSTILE)
def test_bureau_status_workbook(text, tmp_path):
    (tmp_path / "s.xlsx").write_bytes(status_xlsx(_status(text)))
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert_text_cell(ws.cell(5, 2), text)


@pytest.mark.parametrize("text", HOSTILE)
def test_line_list_cells_and_headers(text, tmp_path):
    out = tmp_path / "花名册.xlsx"
    write_line_lists([LineList("名单", ("note",), (text,), [{"note": text}])], out)
    ws = openpyxl.load_workbook(out)["名单"]
    assert_text_cell(ws["A2"], text)
    assert_text_cell(ws["A3"], text)


@pytest.mark.parametrize("text", HOSTILE)
def test_bureau_ranking_rows(text, tmp_path):
    wb = Workbook()
    bureau_report._register_styles(wb.active)
    bureau_report._ranked_row(wb.active, 1, Ranked(1, "530102001", text, 1, 2, 50.0), None)
    wb.save(tmp_path / "r.xlsx")
    assert_text_cell(openpyxl.load_workbook(tmp_path / "r.xlsx").active["C1"], text)


def test_no_writer_keeps_its_own_copy():
    """No module writes CSV or tests formula starts but :mod:`.formulas` (a copy that
    forgot tab and CR is how the bureau's status CSV let ``\\t=…`` through)."""
    package = Path(ygt_desktop.__file__).parent
    own = re.compile(r"csv\.writer\(|startswith\(\(\s*\"=\"|_FORMULA_START")
    copies = [
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if p.name != "formulas.py" and own.search(p.read_text(encoding="utf-8"))
    ]
    assert copies == []
