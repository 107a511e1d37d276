"""Line lists (花名册) per spec exchange.md.

Requirements held here: one sheet per list, row 1 field ids, row 2 labels, then one row
per record; ID numbers masked (110105********002X) unless a full export is asked for;
dates are dates shown YYYY-MM-DD; numbers are numbers, text stays text (phone numbers,
codes) and never becomes a formula; header rows frozen; readable widths; built from a
form definition; a failed write leaves nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from tests.reports.report_helpers import raw_sheets
from ygt_desktop.reports.atomic import ExportError
from ygt_desktop.reports.line_lists import LineList, LineListError, write_line_lists

ID = "11010519491231002X"
MASKED = "110105********002X"
FIELDS = ("name", "id_number", "sex", "birth_date", "last_visit", "sbp", "phone", "followups",
          "note")  # fmt: skip
LABELS = (
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "最近随访",
    "收缩压",
    "联系电话",
    "随访次数",
    "备注",
)
TYPES = {"sex": "choice", "birth_date": "date", "last_visit": "date", "sbp": "int",
         "phone": "phone", "followups": "int"}  # fmt: skip
ROWS = [
    {"name": "张三", "id_number": ID, "sex": "1", "birth_date": "1949-12-31",
     "last_visit": dt.date(2026, 9, 12), "sbp": 145, "phone": "13800000000", "followups": 3,
     "note": '=HYPERLINK("http://x.cn","点我")'},
    {"name": "李四", "id_number": "530102195803121084", "sex": "2", "birth_date": None,
     "last_visit": "2026-08-01", "sbp": None, "phone": 13912345678, "followups": "2",
     "note": "-1 不良反应"},
    {"name": "王\x0b五", "sex": "9"},
]  # fmt: skip


def htn_list(rows=ROWS) -> LineList:
    return LineList("高血压患者", FIELDS, LABELS, rows, TYPES, {"sex": {"1": "男", "2": "女"}})


def write(tmp_path: Path, lists=None, **kw) -> Path:
    out = tmp_path / "花名册.xlsx"
    write_line_lists(lists or [htn_list()], out, **kw)
    return out


def test_ids_row_labels_row_then_records(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["高血压患者"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == FIELDS and rows[1] == LABELS
    assert len(rows) == 2 + len(ROWS)
    assert rows[2][0] == "张三" and rows[2][2] == "男" and rows[3][2] == "女"
    assert rows[4][0] == "王五"  # a control character pasted from Word is dropped
    assert rows[4][2] == "9"  # a code without a label is shown as stored
    assert rows[4][1:2] == (None,)


def test_id_numbers_masked_by_default(tmp_path):
    out = write(tmp_path)
    ws = openpyxl.load_workbook(out)["高血压患者"]
    assert ws["B3"].value == MASKED and ws["B4"].value == "530102********1084"
    assert ID not in str(raw_sheets(out))


def test_full_id_export(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path, full_id=True))["高血压患者"]
    assert ws["B3"].value == ID and ws["B3"].data_type == "s"
    assert ws["B4"].value == "530102195803121084"  # text: no digits lost


def test_a_column_named_id_number_is_masked_without_a_type(tmp_path):
    lst = LineList(
        "名单", ("name", "id_number"), ("姓名", "身份证号"), [{"name": "甲", "id_number": ID}]
    )
    ws = openpyxl.load_workbook(write(tmp_path, [lst]))["名单"]
    assert ws["B3"].value == MASKED
    typed = LineList("名单", ("name", "mother_id"), ("姓名", "母亲身份证号"),
                     [{"mother_id": ID}], {"mother_id": "idnumber"})  # fmt: skip
    ws = openpyxl.load_workbook(write(tmp_path, [typed]))["名单"]
    assert ws["B3"].value == MASKED


def test_dates_are_dates_formatted_yyyy_mm_dd(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["高血压患者"]
    assert ws["D3"].value == dt.datetime(1949, 12, 31) and ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["E3"].value == dt.datetime(2026, 9, 12) and ws["E3"].is_date
    assert ws["E4"].value == dt.datetime(2026, 8, 1)  # ISO text from the database
    assert ws["D4"].value is None


def test_numbers_are_numbers_and_text_stays_text(tmp_path):
    out = write(tmp_path, full_phone=True)
    ws = openpyxl.load_workbook(out)["高血压患者"]
    assert ws["F3"].value == 145 and ws["H3"].value == 3 and ws["H4"].value == 2
    assert ws["G3"].value == "13800000000" and ws["G4"].value == "13912345678"
    cells = raw_sheets(out)["高血压患者"][1]
    assert cells[(3, 7)].kind == cells[(4, 7)].kind == "text"
    assert cells[(3, 6)].kind == "number"


def test_phone_numbers_are_masked_unless_asked(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["高血压患者"]
    assert ws["G3"].value == "138****0000" and ws["G4"].value == "139****5678"


def test_text_never_becomes_a_formula(tmp_path):
    out = write(tmp_path)
    ws = openpyxl.load_workbook(out)["高血压患者"]
    assert ws["I3"].value == '=HYPERLINK("http://x.cn","点我")' and ws["I3"].data_type == "s"
    assert ws["I3"].quotePrefix and ws["I4"].value == "-1 不良反应" and ws["I4"].quotePrefix
    raw = raw_sheets(out)
    assert all(c.kind != "formula" for _, cells in raw.values() for c in cells.values() if c)


def test_header_rows_frozen_filtered_and_columns_sized(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["高血压患者"]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:I{2 + len(ROWS)}"
    assert ws.column_dimensions["B"].width >= 18  # an ID number shows whole
    assert ws.column_dimensions["D"].width >= 10  # a date shows whole
    assert ws.column_dimensions["A"].width >= 6
    assert ws.print_title_rows == "$1:$2"


def test_one_sheet_per_list_with_legal_unique_names(tmp_path):
    lists = [htn_list(), htn_list(ROWS[:1]), LineList("随访/转诊[2026]?", ("a",), ("甲",), []),
             LineList("x" * 40, ("a",), ("甲",), [])]  # fmt: skip
    wb = openpyxl.load_workbook(write(tmp_path, lists))
    assert wb.sheetnames == ["高血压患者", "高血压患者(2)", "随访_转诊_2026__", "x" * 31]
    assert list(wb["随访_转诊_2026__"].iter_rows(values_only=True)) == [("a",), ("甲",)]


def test_from_form_uses_the_form_ids_labels_types_and_choices(tmp_path, forms):
    form = forms["resident"]
    rows = [{"name": "张三", "id_number": ID, "sex": "2", "birth_date": "1949-12-31",
             "visits": 4}]  # fmt: skip
    lst = LineList.from_form(form, rows, fields=["name", "id_number", "sex", "birth_date"],
                             extra=[("visits", "年内随访次数", "int")])  # fmt: skip
    assert lst.sheet == form.label and lst.labels[:2] == ("姓名", "身份证号")
    ws = openpyxl.load_workbook(write(tmp_path, [lst]))[lst.sheet[:31]]
    assert [c.value for c in ws[1]] == ["name", "id_number", "sex", "birth_date", "visits"]
    assert ws["B3"].value == MASKED and ws["C3"].value == "女"
    assert ws["D3"].value == dt.datetime(1949, 12, 31) and ws["E3"].value == 4


def test_mismatched_fields_and_labels_or_no_list_are_refused(tmp_path):
    with pytest.raises(LineListError, match="一一对应"):
        LineList("名单", ("a", "b"), ("甲",), [])
    with pytest.raises(LineListError, match="没有"):
        write_line_lists([], tmp_path / "x.xlsx")
    assert not list(tmp_path.iterdir())


def test_missing_folder_raises_chinese_error_and_leaves_nothing(tmp_path):
    with pytest.raises(ExportError, match="花名册") as info:
        write_line_lists([htn_list()], tmp_path / "gone" / "x.xlsx")
    assert "不存在" in str(info.value)
    assert not list(tmp_path.iterdir())
