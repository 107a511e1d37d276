"""The bureau's reader of upward workbooks (spec exchange.md, issue 6 "Hostile and
broken files").

Requirements held here: a good workbook from the station's writer reads back exactly
(``data == report.data_rows()``, ``meta == report.meta()``), also after a re-save by
openpyxl or in Excel's manner (shared strings, phonetic runs, numbers as ``60.0``);
a corpus of more than 20 bad files — not a zip, empty, truncated, corrupt, an old
.xls, password-protected, macros, entity expansion, external entities, zip bombs
(declared huge, lying about their size, extreme ratio), a cell at XFD1048576, 300,000
rows, formulas and error values, numbers as text and text as numbers, missing or
renamed hidden sheets, a wrong digest, another organisation's code, another period,
duplicated rows, ``..`` in a member path, too many members … — is refused without a
crash, with the expected code, a Chinese reason naming the file, in bounded time and
memory (tracemalloc); a digest recomputed over edited data with the visible sheet
left as it was is accepted with a warning naming the cell.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from tests.reports import bad_workbooks as bw
from tests.reports.report_helpers import TEMPLATE, sample_report
from ygt_desktop.core.report_model import (
    DATA_HEADER,
    FORMAT_VERSION,
    IndicatorValue,
    Period,
)
from ygt_desktop.reports.workbook import signed_meta, write_workbook
from ygt_desktop.reports.workbook_canonical import workbook_digest
from ygt_desktop.reports.workbook_reader import (
    Limits,
    ParsedWorkbook,
    WorkbookRejected,
    read_upward_workbook,
)

NAME = "530102001_2026Q3.xlsx"
MB = 1024 * 1024
VISIBLE = ["报表", "家医签约", "双向转诊", "设备"]
CJK = re.compile(r"[\u4e00-\u9fff]")
# _data row of htn.standard (412 / 700 → 58.9) and its row on the visible 报表 sheet
HTN_ROW = 2 + [i.code for i in TEMPLATE.indicators].index("htn.standard")
AFTER_LAST_ROW = 2 + len(TEMPLATE.indicators)  # a row added after the data rows


def good(tmp_path: Path, report=None) -> Path:
    path = tmp_path / NAME
    path.write_bytes(bw.good_bytes(report))
    return path


def parts() -> dict[str, bytes]:
    return bw.members(bw.good_bytes())


def with_data(fn: Callable[[str], str], sheet: str = "_data") -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        p = parts()
        bw.edit_sheet(p, sheet, fn)
        return bw.pack(p, tmp_path / NAME)

    return build


def written_meta(report) -> dict[str, str]:
    """``_meta`` as the writer writes it (format 2: the digest over _data and _meta)."""
    return signed_meta(report, report.data_rows(), None, None)


def redigested(rows: list[tuple], new_xml: Callable[[str], str]) -> Callable[[Path], Path]:
    """_data edited by ``new_xml`` and _meta's digest recomputed over ``rows`` — an
    edit made by someone who knows the digest rule."""

    def build(tmp_path: Path) -> Path:
        p = parts()
        bw.edit_sheet(p, "_data", new_xml)
        report = sample_report()
        meta = written_meta(report)
        old, new = meta["digest"], workbook_digest(rows, meta)  # format 2: _data and _meta
        bw.edit_sheet(p, "_meta", lambda x: x.replace(old, new))
        return bw.pack(p, tmp_path / NAME)

    return build


def rows_with(index: int, **fields) -> list[tuple]:
    rows = [list(r) for r in sample_report().data_rows()]
    for name, value in fields.items():
        rows[index][DATA_HEADER.index(name)] = value
    return [tuple(r) for r in rows]


# ---- the good workbook ------------------------------------------------------------------


def test_a_written_workbook_reads_back_exactly(tmp_path):
    report = sample_report()
    path = good(tmp_path, report)
    parsed = read_upward_workbook(path)
    assert isinstance(parsed, ParsedWorkbook)
    assert parsed.data == report.data_rows()
    assert [type(v) for v in parsed.data[0][4:]] == [int, int, float]
    assert parsed.meta == written_meta(report)
    assert parsed.warnings == []
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert parsed.path == path
    assert list(parsed.visible) == VISIBLE
    sheet = parsed.visible["报表"]
    assert sheet[HTN_ROW + 2][2:6] == ["高血压患者规范管理率(%)", 412, 700, 58.9]  # row 5 on
    assert all(len(row) <= Limits().max_columns for rows in parsed.visible.values() for row in rows)


def test_an_aggregated_workbook_with_children_and_an_extra_sheet_reads(tmp_path):
    report = sample_report(
        org_code="530102",
        org_level="区",
        parent_code="530100",
        children=("530102001:1", "530102002:2"),
    )

    def ranking(ws):
        ws["A1"] = "排名"
        ws["C5"] = "不是指标"  # an extra sheet is not compared with _data

    path = tmp_path / NAME
    write_workbook(report, path, filled_on=bw.FILLED, extra_sheets=[("排名", ranking)])
    parsed = read_upward_workbook(path)
    assert parsed.meta["children"] == "530102001:1,530102002:2"
    assert list(parsed.visible) == [*VISIBLE, "排名"]
    assert parsed.warnings == []


def test_a_workbook_resaved_by_openpyxl_still_reads(tmp_path):
    report = sample_report()
    path = good(tmp_path, report)
    wb = openpyxl.load_workbook(path)
    wb["报表"]["G5"] = "已核对"  # someone added a remark and saved
    wb.save(tmp_path / "resaved.xlsx")
    parsed = read_upward_workbook(tmp_path / "resaved.xlsx")
    assert parsed.data == report.data_rows()
    assert parsed.meta == written_meta(report)
    assert parsed.warnings == []


def test_a_workbook_saved_the_way_excel_saves_it_still_reads(tmp_path):
    """Shared strings (with a phonetic guide and rich text), 60.0 for 60 and
    86.400000000000006 for 86.4: the digest canonicalises whole numbers."""
    report = sample_report()
    path = bw.pack(bw.excel_like(parts()), tmp_path / NAME)
    written = bw.members(path.read_bytes())
    assert b"<v>4321.0</v>" in written[bw.sheet_part(written, "_data")]
    parsed = read_upward_workbook(path)
    assert parsed.data == report.data_rows()
    assert [type(v) for v in parsed.data[0][4:]] == [int, int, float]
    assert parsed.meta == written_meta(report)
    assert parsed.visible["报表"][0][0] == "基本公共卫生服务项目进展情况统计表（2026年第3季度）"
    assert parsed.warnings == []


def test_a_declared_dimension_of_300000_rows_allocates_nothing(tmp_path):
    path = with_data(
        lambda x: x.replace('<dimension ref="A1:G40" />', '<dimension ref="A1:XFD300000" />')
    )(tmp_path)
    parsed, peak, _ = measured(path)
    assert parsed.data == sample_report().data_rows()
    assert peak < 10 * MB


def test_the_shipped_template_is_found_or_the_comparison_is_skipped_with_a_warning(tmp_path):
    template = replace(TEMPLATE, version=9)
    parsed = read_upward_workbook(good(tmp_path, sample_report(template=template)))
    assert parsed.warnings == [
        "本程序没有报表模板 ygt.basic_public_health.quarterly 第9版，"
        "未核对可见工作表与 _data 是否一致"
    ]
    parsed = read_upward_workbook(tmp_path / NAME, template=template)
    assert parsed.warnings == []


# ---- accepted with a warning ------------------------------------------------------------


def test_a_digest_recomputed_over_edited_data_is_accepted_with_a_warning(tmp_path):
    """The spec: the numbers of _data are imported; a visible sheet that disagrees with
    them is reported as a warning naming sheet, row, indicator and both numbers."""
    rows = rows_with(HTN_ROW - 2, numerator=500, value=71.4)
    ref = f"{{}}{HTN_ROW}"
    path = redigested(
        rows,
        lambda x: bw.set_cell(
            bw.set_cell(x, ref.format("E"), bw.number_cell(500)),
            ref.format("G"),
            bw.number_cell(71.4),
        ),
    )(tmp_path)
    parsed = read_upward_workbook(path)
    assert parsed.data == rows
    sheet_row = HTN_ROW + 3
    assert parsed.warnings == [
        "可见工作表与 _data 不一致（导入以 _data 为准）：可见工作表“报表”第"
        f"{sheet_row}行“高血压患者规范管理率(%)”的分子（D{sheet_row}）为 412，_data 中为 500",
        f"可见工作表“报表”第{sheet_row}行“高血压患者规范管理率(%)”的数值（F{sheet_row}）为 58.9，"
        "_data 中为 71.4",
    ]


def test_a_visible_sheet_edited_by_hand_is_a_warning(tmp_path):
    p = parts()
    bw.edit_sheet(p, "双向转诊", lambda x: bw.set_cell(x, "D5", bw.number_cell(13)))
    bw.drop_sheet(p, "家医签约")
    parsed = read_upward_workbook(bw.pack(p, tmp_path / NAME))
    assert parsed.data == sample_report().data_rows()
    assert parsed.warnings == [
        "可见工作表与 _data 不一致（导入以 _data 为准）：缺少可见工作表“家医签约”",
        "可见工作表“双向转诊”第5行“上转人次”的分子（D5）为 13，_data 中为 12",
    ]


def test_the_heading_of_the_first_report_sheet_is_checked(tmp_path):
    p = parts()
    bw.edit_sheet(
        p,
        "报表",
        lambda x: x.replace("机构代码：530102001", "机构代码：530102999").replace(
            "2026年第3季度", "2026年第2季度"
        ),
    )
    parsed = read_upward_workbook(bw.pack(p, tmp_path / NAME))
    assert parsed.warnings == [
        "可见工作表与 _data 不一致（导入以 _data 为准）：可见工作表“报表”表头的机构代码为 530102999，"
        "_meta 中为 530102001",
        "可见工作表“报表”的标题中没有统计期“2026年第3季度”",
    ]


# ---- the corpus of bad files ------------------------------------------------------------


def _bytes(data: bytes) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        path = tmp_path / NAME
        path.write_bytes(data)
        return path

    return build


def _truncated(tmp_path: Path) -> Path:
    data = bw.good_bytes()
    return _bytes(data[: len(data) * 2 // 3])(tmp_path)


def _corrupt(tmp_path: Path) -> Path:
    p = parts()
    name = bw.sheet_part(p, "_data")

    def damaged(raw: bytes) -> bytes:
        middle = len(raw) // 2
        return (
            raw[:middle] + bytes(b ^ 0x5A for b in raw[middle : middle + 40]) + raw[middle + 40 :]
        )

    entries = [
        (n, damaged(raw) if n == name else raw, size, crc) for n, raw, size, crc in bw.honest(p)
    ]
    return bw.raw_zip(entries, tmp_path / NAME)


def _zip_encrypted(tmp_path: Path) -> Path:
    data = bytearray(bw.good_bytes())
    pos = data.find(b"PK\x01\x02")
    data[pos + 8] |= 0x1  # "encrypted" in the central directory
    return _bytes(bytes(data))(tmp_path)


def _with_members(
    extra: dict[str, bytes],
    change_types: Callable[[str], str] | None = None,
    change_book: Callable[[str], str] | None = None,
):
    def build(tmp_path: Path) -> Path:
        p = parts()
        p.update(extra)
        if change_types:
            p["[Content_Types].xml"] = change_types(p["[Content_Types].xml"].decode()).encode()
        if change_book:
            p["xl/workbook.xml"] = change_book(p["xl/workbook.xml"].decode()).encode()
        return bw.pack(p, tmp_path / NAME)

    return build


def _xlsm_type(types: str) -> str:
    """The workbook declared macro-enabled (what Excel writes for an .xlsm)."""
    return types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )


def _bomb_declared(tmp_path: Path) -> Path:
    """A 1 MB file with a member of 1 GiB of zeros, declared honestly."""
    entries = bw.honest(parts())
    raw = bw.zeros_deflated(1024)
    entries.append(("xl/media/image1.png", raw, 1 << 30, 0))
    return bw.raw_zip(entries, tmp_path / NAME)


def _bomb_lying(tmp_path: Path) -> Path:
    """The _data sheet's member replaced by 1 GiB of zeros declared as 40 KB."""
    p = parts()
    name = bw.sheet_part(p, "_data")
    entries = [
        (n, bw.zeros_deflated(1024), 40_000, crc) if n == name else (n, raw, size, crc)
        for n, raw, size, crc in bw.honest(p)
    ]
    return bw.raw_zip(entries, tmp_path / NAME)


def _bomb_ratio(tmp_path: Path) -> Path:
    entries = bw.honest(parts())
    entries.append(("xl/media/image1.png", bw.zeros_deflated(20), 20 << 20, 0))
    return bw.raw_zip(entries, tmp_path / NAME)


def _rows_300000(sheet: str) -> Callable[[Path], Path]:
    def fn(xml: str) -> str:
        rows = "".join(
            f'<row r="{r}"><c r="A{r}" t="n"><v>{r}</v></c><c r="B{r}" t="n"><v>1</v></c></row>'
            for r in range(100, 300_100)
        )
        return xml.replace("</sheetData>", rows + "</sheetData>").replace(
            '<dimension ref="A1:G40" />', '<dimension ref="A1:G300100" />'
        )

    return with_data(fn, sheet)


def _too_many_members(tmp_path: Path) -> Path:
    return _with_members({f"xl/media/image{n}.png": b"x" for n in range(250)})(tmp_path)


def _dotdot(tmp_path: Path) -> Path:
    return _with_members({"../../evil.xml": b"<a/>"})(tmp_path)


def _absolute(tmp_path: Path) -> Path:
    return _with_members({"/etc/evil.xml": b"<a/>"})(tmp_path)


def _duplicate_member(tmp_path: Path) -> Path:
    p = parts()
    path = bw.pack(p, tmp_path / NAME)
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as z:
        z.writestr(bw.sheet_part(p, "_data"), b"<worksheet/>")
    return path


def _drop(sheet: str) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        p = parts()
        bw.drop_sheet(p, sheet)
        return bw.pack(p, tmp_path / NAME)

    return build


def _renamed(old: str, new: str) -> Callable[[Path], Path]:
    def build(tmp_path: Path) -> Path:
        p = parts()
        bw.rename_sheet(p, old, new)
        return bw.pack(p, tmp_path / NAME)

    return build


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
XXE = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
_CODE_A = f"A{HTN_ROW}"

# (id, builder, code, words the reason contains)
CORPUS: list[tuple[str, Callable[[Path], Path], str, str]] = [
    (
        "not_a_zip",
        _bytes(b"org_code,period\n530102001,2026Q3\n" * 20),
        "not_zip",
        "不是 .xlsx 工作簿",
    ),
    (
        "html_renamed",
        _bytes(b"<html><table><tr><td>1</td></tr></table></html>"),
        "not_zip",
        "网页或文本文件",
    ),
    ("empty", _bytes(b""), "empty", "文件是空的"),
    ("truncated", _truncated, "truncated", "文件不完整"),
    ("corrupt_member", _corrupt, "corrupt", "文件已损坏"),
    (
        "old_xls_renamed",
        lambda t: bw.compound_file(["Workbook", "\x05SummaryInformation"], t / NAME),
        "old_xls",
        "不是 .xlsx 工作簿（可能是旧版 .xls，请用“另存为 .xlsx”）",
    ),
    (
        "password_protected",
        lambda t: bw.compound_file(
            ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"], t / NAME
        ),
        "encrypted",
        "工作簿有密码保护",
    ),
    ("zip_encrypted_flag", _zip_encrypted, "encrypted", "密码保护"),
    ("vba_project", _with_members({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}), "macro", "宏"),
    ("xlsm_content_type", _with_members({}, _xlsm_type), "macro", "宏"),
    (
        "excel4_macro_sheet",
        _with_members({"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}),
        "macro",
        "宏",
    ),
    (
        "billion_laughs",
        with_data(lambda x: LAUGHS + x.replace(f"<t>{'htn.standard'}</t>", "<t>&lol9;</t>")),
        "xml_attack",
        "XML 攻击",
    ),
    (
        "external_entity",
        with_data(lambda x: XXE + x.replace("<t>ygt-report</t>", "<t>&xxe;</t>"), "_meta"),
        "xml_attack",
        "XML 攻击",
    ),
    (
        "laughs_in_content_types",
        _with_members({}, lambda t: LAUGHS + t.replace("<Types ", "<Types a='&lol9;' ")),
        "xml_attack",
        "内容类型清单",
    ),
    ("zip_bomb_declared_1GiB", _bomb_declared, "zip_bomb", "压缩炸弹"),
    ("zip_bomb_lying_about_size", _bomb_lying, "zip_bomb", "超过它声明的大小"),
    ("zip_bomb_ratio", _bomb_ratio, "zip_bomb", "压缩比"),
    (
        "cell_at_XFD1048576",
        with_data(
            lambda x: bw.add_row(
                x, '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
            ).replace('<dimension ref="A1:G40" />', '<dimension ref="A1:XFD1048576" />')
        ),
        "too_many_columns",
        "XFD1048576",
    ),
    ("rows_300000_in_data", _rows_300000("_data"), "too_many_rows", "超过 2000 行"),
    ("rows_300000_in_visible", _rows_300000("报表"), "too_many_rows", "工作表“报表”超过 5000 行"),
    (
        "formula_in_data",
        with_data(
            lambda x: bw.set_cell(
                x,
                f"G{HTN_ROW}",
                '<c r="{ref}"><f>E{0}/F{0}*100</f><v>58.9</v></c>'.replace("{0}", str(HTN_ROW)),
            )
        ),
        "formula",
        f"G{HTN_ROW} 是公式",
    ),
    (
        "error_value_in_data",
        with_data(lambda x: bw.set_cell(x, f"G{HTN_ROW}", '<c r="{ref}" t="e"><v>#DIV/0!</v></c>')),
        "error_value",
        f"G{HTN_ROW} 是错误值 #DIV/0!",
    ),
    (
        "formula_in_meta",
        with_data(
            lambda x: bw.set_cell(x, "B13", '<c r="{ref}" t="str"><f>1+1</f><v>2</v></c>'), "_meta"
        ),
        "formula",
        "B13",
    ),
    (
        "number_stored_as_text",
        with_data(lambda x: bw.set_cell(x, f"E{HTN_ROW}", bw.text_cell("412"))),
        "bad_cell",
        "以文本形式存储的数字",
    ),
    (
        "code_stored_as_number",
        with_data(lambda x: bw.set_cell(x, _CODE_A, bw.number_cell(530102001))),
        "bad_cell",
        f"org_code（{_CODE_A}）应为文本",
    ),
    (
        "date_in_data",
        with_data(
            lambda x: bw.set_cell(x, f"F{HTN_ROW}", '<c r="{ref}" t="d"><v>2026-09-30</v></c>')
        ),
        "bad_cell",
        "日期",
    ),
    ("missing_meta_sheet", _drop("_meta"), "missing_sheet", "缺少隐藏工作表“_meta”"),
    ("renamed_data_sheet", _renamed("_data", "数据"), "missing_sheet", "“数据”"),
    (
        "two_data_sheets",
        _with_members(
            {}, None, lambda book: book.replace('<sheet name="设备"', '<sheet name="_DATA"')
        ),
        "duplicate_sheet",
        "两张名为“_data”",
    ),
    (
        "bad_data_header",
        with_data(lambda x: bw.set_cell(x, "D1", bw.text_cell("指标"))),
        "bad_header",
        "表头应为 org_code",
    ),
    (
        "extra_column",
        with_data(
            lambda x: x.replace(
                f'</row><row r="{HTN_ROW + 1}">',
                f'<c r="H{HTN_ROW}" t="inlineStr"><is><t>备注</t></is></c></row><row r="{HTN_ROW + 1}">',
            )
        ),
        "bad_row",
        f"H{HTN_ROW}",
    ),
    (
        "wrong_digest",
        with_data(lambda x: bw.set_cell(x, f"E{HTN_ROW}", bw.number_cell(500))),
        "digest",
        "工作簿在导出后被修改过（校验值不符）",
    ),
    (
        "another_org_in_a_row",
        redigested(
            rows_with(HTN_ROW - 2, org_code="530102999"),
            lambda x: bw.set_cell(x, _CODE_A, bw.text_cell("530102999")),
        ),
        "org_mismatch",
        "530102999",
    ),
    (
        "another_period_in_a_row",
        redigested(
            rows_with(HTN_ROW - 2, period="2026Q2"),
            lambda x: bw.set_cell(x, f"C{HTN_ROW}", bw.text_cell("2026Q2")),
        ),
        "period_mismatch",
        "2026Q2",
    ),
    (
        "duplicated_row",
        with_data(
            lambda x: bw.add_row(
                x, bw.data_row_xml(AFTER_LAST_ROW, sample_report().data_rows()[HTN_ROW - 2])
            )
        ),
        "duplicate_row",
        f"第{HTN_ROW}行和第{AFTER_LAST_ROW}行都是指标 htn.standard",
    ),
    (
        "unknown_format",
        with_data(lambda x: x.replace("<t>ygt-report</t>", "<t>other</t>"), "_meta"),
        "format",
        "other",
    ),
    (
        "future_format_version",
        with_data(lambda x: bw.set_cell(x, "B3", bw.text_cell(str(FORMAT_VERSION + 1))), "_meta"),
        "format_version",
        "升级本程序",
    ),
    (
        "meta_without_digest",
        with_data(lambda x: re.sub(r'<row r="17">.*?</row>', "", x), "_meta"),
        "meta",
        "缺少 digest",
    ),
    ("dotdot_member_path", _dotdot, "bad_path", "../../evil.xml"),
    ("absolute_member_path", _absolute, "bad_path", "/etc/evil.xml"),
    ("duplicate_member_name", _duplicate_member, "zip_structure", "重名"),
    ("too_many_members", _too_many_members, "too_many_members", "文件过多"),
    ("malformed_xml", with_data(lambda x: x[: len(x) // 2], "_meta"), "bad_xml", "XML 格式错误"),
    (
        "two_megabyte_tag",
        with_data(
            lambda x: x.replace("<sheetData>", f'<sheetData x="{os.urandom(MB).hex()}">'), "_meta"
        ),
        "bad_xml",
        "过长",
    ),
    (
        "deep_nesting",
        with_data(lambda x: x.replace("<sheetData>", "<sheetData>" + "<x>" * 100 + "</x>" * 100)),
        "bad_xml",
        "嵌套过深",
    ),
    (
        "shared_string_out_of_range",
        with_data(lambda x: bw.set_cell(x, f"B{HTN_ROW}", '<c r="{ref}" t="s"><v>99999</v></c>')),
        "bad_cell",
        "共享字符串",
    ),
    (
        "not_a_workbook_docx",
        lambda t: bw.pack(
            {
                "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.'
                b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
                "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                b"</Relationships>",
                "word/document.xml": b"<w:document/>",
            },
            t / NAME,
        ),
        "not_workbook",
        "不是 Excel 工作簿",
    ),
]


def measured(path: Path):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result: ParsedWorkbook | WorkbookRejected = read_upward_workbook(path)
    except WorkbookRejected as exc:
        result = exc
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, peak, elapsed


def test_the_corpus_is_large_and_names_distinct():
    assert len(CORPUS) >= 20
    assert len({case[0] for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(
    ("build", "code", "words"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_a_bad_file_is_refused_with_its_reason_in_bounded_memory_and_time(
    tmp_path, build, code, words
):
    path = build(tmp_path)
    result, peak, elapsed = measured(path)
    assert isinstance(result, WorkbookRejected), result
    assert (result.code, words in result.reason) == (code, True), result.reason
    assert result.reason.startswith(f"{NAME}：") and CJK.search(result.detail)
    assert peak < 50 * MB
    assert elapsed < 5  # under tracemalloc; a few ms to a few hundred without


def test_an_oversized_file_is_refused_before_it_is_read_whole(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(bytes(21 * MB))
    result, peak, _ = measured(path)
    assert isinstance(result, WorkbookRejected) and result.code == "too_big"
    assert "超过 20 MB" in result.reason
    assert peak < 25 * MB


def test_limits_are_the_callers(tmp_path):
    path = good(tmp_path)
    with pytest.raises(WorkbookRejected) as info:
        read_upward_workbook(path, limits=Limits(max_data_rows=10))
    assert info.value.code == "too_many_rows"
    assert "工作表“_data”超过 10 行（第 11 行仍有内容）" in info.value.reason
    with pytest.raises(WorkbookRejected) as info:
        read_upward_workbook(path, limits=Limits(max_columns=5))
    assert info.value.code == "too_many_columns"


def test_a_missing_file_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        read_upward_workbook(tmp_path / "gone.xlsx")


@pytest.mark.alone  # timed (tests/alone.py)
def test_one_station_workbook_reads_in_a_few_milliseconds(tmp_path):
    path = good(tmp_path)
    read_upward_workbook(path)
    start = time.perf_counter()
    for _ in range(10):
        read_upward_workbook(path)
    assert (time.perf_counter() - start) / 10 < 0.05


def test_a_count_without_denominator_and_a_missing_base_figure_round_trip(tmp_path):
    values = dict(sample_report().values)
    values["eq.in_use_value"] = IndicatorValue.of_count("eq.in_use_value", 98765432.1)
    report = sample_report(values=values, period=Period.parse("2026Q4"), revision=3)
    parsed = read_upward_workbook(good(tmp_path, report))
    assert parsed.data == report.data_rows()
    by_code = {r[3]: r for r in parsed.data}
    assert by_code["eq.in_use_value"][4:] == (98765432.1, None, 98765432.1)
    assert by_code["child.managed"][4:] == (412, None, None)
    assert parsed.meta["revision"] == "3"


def test_a_number_typed_into_meta_is_read_as_its_text(tmp_path):
    path = with_data(lambda x: bw.set_cell(x, "B13", bw.number_cell("1.0")), "_meta")(tmp_path)
    assert read_upward_workbook(path).meta["revision"] == "1"  # its text: the digest holds


def test_random_damage_never_crashes_and_never_changes_the_numbers(tmp_path):
    """Seeded fuzzing: bytes of the file flipped, or a member's XML cut, spliced and
    garbled. Every outcome is a refusal with a code or a workbook whose _data is the
    original (the digest sees to it); nothing else is raised."""
    rng = random.Random(20261008)
    original = bw.good_bytes()
    rows = sample_report().data_rows()
    members = bw.members(original)
    path = tmp_path / NAME
    outcomes = set()
    for _ in range(300):
        if rng.random() < 0.3:
            data = bytearray(original)
            for _ in range(rng.randint(1, 5)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            path.write_bytes(bytes(data))
        else:
            p = dict(members)
            name = rng.choice(list(p))
            body = bytearray(p[name])
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(body))
                op = rng.random()
                if op < 0.4:
                    body[at : at + 1] = bytes([rng.choice(b'<>/"=&;x0123456789.-eE tsnrvcf\x00')])
                elif op < 0.7:
                    del body[at : at + rng.randint(1, 30)]
                else:
                    start = rng.randrange(len(body))
                    body[at:at] = body[start : start + rng.randint(1, 40)]
            p[name] = bytes(body)
            bw.pack(p, path)
        try:
            parsed = read_upward_workbook(path)
        except WorkbookRejected as exc:
            assert exc.code and CJK.search(exc.detail)
            outcomes.add(exc.code)
        else:
            assert parsed.data == rows
            outcomes.add("accepted")
    assert {"accepted", "corrupt", "bad_xml"} <= outcomes
