"""The upward workbook (spec exchange.md, issue 5).

Requirements held here: the visible report sheets of the template and the hidden
``_data`` / ``_meta`` sheets; ``_data`` equals ``report.data_rows()`` (numbers as numbers,
empty cells where no value) and its digest, recomputed from what is read back, equals
``_meta``'s; codes and periods are text cells and nothing becomes a formula, read with
openpyxl and again from the sheet XML; the visible sheet shows title, unit, window,
merged two-level headers, sections 一、二 …, targets, shortfalls, missing base figures,
signature line and revision, the very numbers of ``_data``, and is set up for A4
printing; a failed write leaves no file and says why in Chinese.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from tests.reports.report_helpers import TEMPLATE, raw_sheets, raw_values, sample_report
from ygt_desktop.core.report_model import DATA_HEADER, Section, digest
from ygt_desktop.reports.atomic import ExportError
from ygt_desktop.reports.workbook import (
    FIRST_DATA_ROW,
    WorkbookError,
    chinese_number,
    write_workbook,
)
from ygt_desktop.reports.workbook_canonical import workbook_digest

FILLED = dt.date(2026, 10, 8)
VISIBLE = ["报表", "家医签约", "双向转诊", "设备"]


def write(tmp_path: Path, report=None, **kw) -> Path:
    out = tmp_path / "530102001_2026Q3.xlsx"
    write_workbook(report or sample_report(), out, filled_on=FILLED, **kw)
    return out


def indicator_rows(ws) -> dict[str, tuple]:
    """The visible sheet's indicator rows by label: (序号, 项目, 分子, 分母, 数值, 备注, row)."""
    rows = {}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        label = ws.cell(r, 3).value
        if label:
            rows[label] = (*(ws.cell(r, c).value for c in (1, 2, 4, 5, 6, 7)), r)
    return rows


def test_sheets_and_visibility(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    assert wb.sheetnames == [*VISIBLE, "_data", "_meta"]
    assert [wb[n].sheet_state for n in wb.sheetnames] == ["visible"] * 4 + ["hidden"] * 2
    assert wb.active.title == "报表"
    raw = raw_sheets(tmp_path / "530102001_2026Q3.xlsx")
    assert {n: state for n, (state, _) in raw.items()} == {
        **dict.fromkeys(VISIBLE, "visible"),
        "_data": "hidden",
        "_meta": "hidden",
    }


def test_a_template_sheet_without_indicators_is_left_out(tmp_path):
    template = replace(
        TEMPLATE,
        sheets=(*TEMPLATE.sheets, "备用"),
        sections=(*TEMPLATE.sections, Section("spare", "备用项目", "备用")),
    )
    wb = openpyxl.load_workbook(write(tmp_path, sample_report(template=template)))
    assert "备用" not in wb.sheetnames


def test_data_sheet_equals_data_rows_and_the_digest_matches(tmp_path):
    report = sample_report()
    out = write(tmp_path, report)
    ws = openpyxl.load_workbook(out)["_data"]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == DATA_HEADER
    assert rows[1:] == report.data_rows()
    by_code = {r[3]: r for r in rows[1:]}
    assert by_code["ref.up"][4:] == (12, None, 12)  # a count: no denominator
    assert by_code["tb.regular"][4:] == (0, 0, None)  # zero denominator: no value
    assert by_code["child.managed"][4:] == (412, None, None)  # missing base figure
    assert by_code["eq.in_use_value"][4:] == (1234567.5, None, 1234567.5)
    assert isinstance(by_code["htn.standard"][4], int) and by_code["htn.standard"][6] == 58.9
    meta = {k: v for k, v in openpyxl.load_workbook(out)["_meta"].iter_rows(values_only=True)}
    text = {k: v or "" for k, v in meta.items() if k != "key"}
    assert meta["digest"] == workbook_digest(rows[1:], text)  # format 2: _data and _meta
    assert report.meta()["digest"] == digest(rows[1:])  # the _data-only submission digest


def test_second_reader_sees_the_same_data_and_digest(tmp_path):
    report = sample_report()
    raw = raw_sheets(write(tmp_path, report))
    state, cells = raw["_data"]
    rows = [tuple(r) for r in raw_values(cells, 7)]
    assert rows[0] == DATA_HEADER and rows[1:] == report.data_rows()
    for r in range(2, len(rows) + 1):
        for c in (1, 2, 3, 4):
            assert cells[(r, c)].kind == "text"  # never a number: 530102001, not 530102001.0
        for c in (5, 6, 7):
            assert (r, c) not in cells or cells[(r, c)].kind == "number"
    meta = dict(raw_values(raw["_meta"][1], 2)[1:])
    assert meta["digest"] == workbook_digest(rows[1:], {k: v or "" for k, v in meta.items()})
    assert all(
        cell.kind != "formula"
        for _, sheet in raw.values()
        for cell in sheet.values()
        if cell is not None
    )


def test_meta_sheet_has_every_key_as_text(tmp_path):
    report = sample_report(revision=2, children=("530102001:1", "530102002:3"))
    out = write(tmp_path, report)
    ws = openpyxl.load_workbook(out)["_meta"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("key", "value")
    meta = {k: v for k, v in rows[1:]}
    assert list(meta) == list(report.meta())
    expected = {**report.meta(), "digest": meta["digest"]}  # format 2's digest covers _meta
    assert {k: v or "" for k, v in meta.items()} == expected
    assert meta["format"] == "ygt-report" and meta["format_version"] == "2"
    assert meta["revision"] == "2" and meta["children"] == "530102001:1,530102002:3"
    assert meta["org_code"] == "530102001" and meta["parent_code"] == "530102"
    for row in ws.iter_rows(min_row=2):
        assert all(c.value is None or c.data_type == "s" for c in row)


def test_empty_meta_value_is_an_empty_cell(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path, sample_report(children=())))["_meta"]
    meta = {k: v for k, v in ws.iter_rows(min_row=2, values_only=True)}
    assert meta["children"] is None


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x.cn","点我")', "=1+1", "+86 站", "-1", "@SUM(A1)"]
)
def test_formula_looking_name_stays_text(tmp_path, name):
    report = sample_report(org_name=name)
    out = write(tmp_path, report)
    wb = openpyxl.load_workbook(out)
    data = wb["_data"]
    assert data["B2"].value == name and data["B2"].data_type == "s"
    assert {k: v for k, v in wb["_meta"].iter_rows(values_only=True)}["org_name"] == name
    assert name in wb["报表"]["A2"].value
    raw = raw_sheets(out)
    assert raw["_data"][1][(2, 2)].kind == "text" and raw["_data"][1][(2, 2)].value == name
    assert all(
        cell.kind != "formula"
        for _, sheet in raw.values()
        for cell in sheet.values()
        if cell is not None
    )
    if name[0] in "=+-@":
        assert data["B2"].quotePrefix  # stays text when someone edits the cell


def test_codes_are_text_even_with_leading_zeros(tmp_path):
    report = sample_report(org_code="0530102001", parent_code="053010")
    out = write(tmp_path, report)
    ws = openpyxl.load_workbook(out)["_data"]
    assert ws["A2"].value == "0530102001" and ws["A2"].data_type == "s"
    assert ws["C2"].value == "2026Q3" and ws["D2"].value == "ehr.coverage"
    assert raw_sheets(out)["_data"][1][(2, 1)].value == "0530102001"


def test_control_characters_in_data_are_refused_with_a_reason(tmp_path):
    out = tmp_path / "r.xlsx"
    with pytest.raises(WorkbookError, match="控制字符"):
        write_workbook(sample_report(org_name="五华区\x0b社区站"), out, filled_on=FILLED)
    assert not list(tmp_path.iterdir())


def test_visible_sheet_title_info_and_headers(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["报表"]
    assert ws["A1"].value == "基本公共卫生服务项目进展情况统计表（2026年第3季度）"
    info = ws["A2"].value
    for part in (
        "填报单位：五华区龙泉路社区卫生服务站",
        "机构代码：530102001",
        "统计时段：2026-01-01 至 2026-09-30",
        "填报日期：2026-10-08",
    ):
        assert part in info
    assert [ws.cell(3, c).value for c in range(1, 8)] == [
        "序号",
        "项目",
        "指标",
        "年初至本期末累计",
        None,
        None,
        "备注",
    ]
    assert [ws.cell(4, c).value for c in (4, 5, 6)] == ["分子", "分母", "数值"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:G1", "A2:G2", "A3:A4", "B3:B4", "C3:C4", "D3:F3", "G3:G4"} <= merged
    assert ws["A3"].border.left.style == "thin" and ws["F5"].border.bottom.style == "thin"


def test_sections_are_numbered_per_sheet_and_merged_down_their_indicators(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    ws = wb["报表"]
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert ws["A5"].value == "一" and ws["B5"].value == "居民健康档案"
    assert {"A5:A6", "B5:B6"} <= merged  # 居民健康档案: two indicators
    assert ws["A7"].value == "二" and "A7:A15" in merged  # 健康教育: nine
    numbers = [
        ws.cell(r, 1).value
        for r in range(FIRST_DATA_ROW, ws.max_row + 1)
        if ws.cell(r, 1).value and ws.cell(r, 3).value
    ]
    assert numbers == [chinese_number(n) for n in range(1, 14)]
    assert numbers[2] == "三"  # 预防接种 (issue 14), third as in the 规范
    assert numbers[-3:] == ["十一", "十二", "十三"]
    assert wb["家医签约"]["A5"].value == "一" and wb["家医签约"]["B5"].value == "家庭医生签约服务"


def test_visible_numbers_are_those_of_data(tmp_path):
    report = sample_report()
    wb = openpyxl.load_workbook(write(tmp_path, report))
    shown = {}
    for name in VISIBLE:
        shown.update(indicator_rows(wb[name]))
    for row in report.data_rows():
        ind = report.template.indicator(row[3])
        _, _, numerator, denominator, value, _, _ = shown[ind.label]
        assert (numerator, value) == (row[4], row[6]), ind.code
        assert denominator == (None if ind.kind == "count" else row[5]), ind.code


def test_targets_shortfalls_and_missing_figures_in_remarks(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["报表"]
    rows = indicator_rows(ws)
    *_, value, remark, r = rows["高血压患者规范管理率(%)"]
    assert value == 58.9 and remark == "目标≥60，未达标"
    assert ws.cell(r, 6).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(r, 6).number_format == "0.0"
    *_, value, remark, r = rows["2型糖尿病患者规范管理率(%)"]
    assert value == 65.4 and remark == "目标≥60"
    assert ws.cell(r, 6).fill.fill_type is None
    assert rows["0～6岁儿童健康管理率(%)"][5] == "缺少基础数据：0～6岁儿童数"
    assert rows["肺结核患者规则服药率(%)"][5] == "分母为0，不计算"
    assert rows["电子健康档案建档率(%)"][5] is None
    fd = indicator_rows(openpyxl.load_workbook(tmp_path / "530102001_2026Q3.xlsx")["家医签约"])
    assert fd["家庭医生签约率(%)"][5] == "目标≥30，未达标"


def test_count_leaves_the_denominator_empty(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["双向转诊"]
    rows = indicator_rows(ws)
    assert rows["上转人次"][2:5] == (12, None, 12)
    assert rows["转诊后两周内随访率(%)"][2:5] == (9, 10, 90.0)


def footer_lines(ws) -> list[str]:
    return [
        ws.cell(r, 1).value
        for r in range(FIRST_DATA_ROW, ws.max_row + 1)
        if ws.cell(r, 1).value and not ws.cell(r, 3).value and "：" in ws.cell(r, 1).value
    ]


def test_signature_line_and_first_revision(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["报表"]
    signature, revision = footer_lines(ws)
    for label in (
        "单位负责人：________",
        "审核人：________",
        "填报人：________",
        "联系电话：________",
        "（盖章）",
    ):
        assert label in signature
    assert revision == "修订：第 1 版"


def test_names_fill_the_signature_line_and_a_correction_says_it_replaces(tmp_path):
    report = sample_report(revision=3)
    out = write(tmp_path, report, people={"填报人": "王芳", "phone": "0871-65123456"})
    for name in VISIBLE:
        signature, revision = footer_lines(openpyxl.load_workbook(out)[name])
        assert "填报人：王芳" in signature and "联系电话：0871-65123456" in signature
        assert "单位负责人：________" in signature
        assert revision.startswith("修订：第 3 版") and "替代此前报送的第 1–2 版" in revision


def test_unknown_signature_key_is_refused(tmp_path):
    with pytest.raises(WorkbookError, match="单位负责人"):
        write(tmp_path, people={"会计": "李四"})


def test_print_setup(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    for name in VISIBLE:
        ws = wb[name]
        assert ws.page_setup.paperSize in (9, "9")
        assert ws.page_setup.orientation in ("portrait", "landscape")
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$3:$4"
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.freeze_panes == "A5"
        widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
        assert all(w and w >= 6 for w in widths)
    assert wb["报表"].page_setup.orientation == "portrait"  # one page at fit-to-width


def test_indicator_label_column_fits_the_longest_label(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))["报表"]
    longest = max((i.label for i in TEMPLATE.indicators if TEMPLATE.section(i.section).sheet
                   == "报表"), key=len)  # fmt: skip
    r = indicator_rows(ws)[longest][-1]
    width = ws.column_dimensions["C"].width
    # Either the column holds the label on one line or the row has room for two.
    assert width >= 2 * len(longest) or ws.row_dimensions[r].height >= 2 * 15


def test_missing_folder_raises_chinese_error_and_leaves_nothing(tmp_path):
    out = tmp_path / "拔出的U盘" / "r.xlsx"
    with pytest.raises(ExportError, match="不存在") as info:
        write_workbook(sample_report(), out, filled_on=FILLED)
    assert isinstance(info.value, OSError) and "上报工作簿" in str(info.value)
    assert not out.parent.exists() and not list(tmp_path.iterdir())


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="root and Windows ignore the folder's write bit",
)
def test_read_only_folder_raises_chinese_error_and_leaves_nothing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="只读"):
            write_workbook(sample_report(), folder / "r.xlsx", filled_on=FILLED)
        assert not list(folder.iterdir())
    finally:
        folder.chmod(0o755)


def test_folder_refusing_new_files_raises_chinese_error(tmp_path, monkeypatch):
    """What a read-only folder or stick does when run as root or on Windows: the
    temporary file cannot be created."""

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("ygt_desktop.reports.atomic.tempfile.mkstemp", refuse)
    with pytest.raises(ExportError, match="没有写入权限") as info:
        write_workbook(sample_report(), tmp_path / "r.xlsx", filled_on=FILLED)
    assert "上报工作簿" in str(info.value) and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("code", "words"), [(errno.ENOSPC, "空间已满"), (errno.EROFS, "只读"), (errno.EIO, "拔出")]
)
def test_failed_write_keeps_the_old_file_and_no_part_file(tmp_path, monkeypatch, code, words):
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"previous revision")

    def fail(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr("ygt_desktop.reports.atomic.os.fsync", fail)
    with pytest.raises(ExportError, match=words) as info:
        write_workbook(sample_report(), out, filled_on=FILLED)
    assert info.value.errno == code and str(out) in str(info.value)
    assert out.read_bytes() == b"previous revision"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 19, 20, 21, 39)] == [
        "一",
        "九",
        "十",
        "十一",
        "十九",
        "二十",
        "二十一",
        "三十九",
    ]
