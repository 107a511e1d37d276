"""The upward workbook (上报工作簿) per spec exchange.md: one ``.xlsx`` per organisation
and period, for people (printed, signed, opened in WPS or Excel) and for machines.

Sheets, in order:

- one visible sheet per sheet of the template that has indicators (报表, 家医签约, …),
  laid out for A4: row 1 the title 「<title>（2026年第3季度）」, row 2 填报单位 · 机构代码
  · 统计时段 · 填报日期, rows 3–4 the two-level header (序号 · 项目 · 指标 · 年初至本期末
  累计 [分子 · 分母 · 数值] · 备注; repeated on every printed page), then one row per
  indicator from row 5 (:data:`FIRST_DATA_ROW`), sections numbered 一、二 … per sheet
  with 序号 and 项目 merged down their indicators; under the table the signature line
  (单位负责人 / 审核人 / 填报人 / 联系电话, （盖章）) and 修订：第 N 版;
- ``_data`` (hidden): ``report.data_rows()`` under the header of exchange.md;
- ``_meta`` (hidden): ``key, value`` rows of ``report.meta()``, then, when given, the
  station's audit chain head (``audit_head_id``, ``audit_head_hash``): a copy of the
  log's newest row kept outside the station, so cutting off its newest rows is found
  (``ygt check``); with a signer, ``signed_by_key`` (the key's fingerprint). The
  ``digest`` (format version 2) is the SHA-256 of the canonical bytes of ``_data`` and
  ``_meta`` (:mod:`.workbook_canonical`, docs/exchange.md) — not ``report.meta()``'s
  ``_data``-only digest — and ``signature``, last, the Ed25519 signature of the same
  bytes in base64.

The visible sheets show the very numbers of ``_data``. Texts are text cells (codes and
periods stay text, a name starting with ``=`` never becomes a formula); numbers are
numbers. Workbooks are small (one row per indicator), so openpyxl's normal mode is used
for merged cells and print setup; writing takes a few tens of milliseconds.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..core.report_model import COUNT, DATA_HEADER, IndicatorDef, Report, Section
from .atomic import save_export
from .errors import WorkbookError as WorkbookError
from .formulas import runs_as_formula
from .workbook_canonical import (
    DIGEST_KEY,
    SIGNATURE_KEY,
    SIGNED_BY_KEY,
    Signer,
    canonical_bytes,
    workbook_digest,
)

DATA_SHEET, META_SHEET = "_data", "_meta"
AUDIT_HEAD_ID, AUDIT_HEAD_HASH = "audit_head_id", "audit_head_hash"
COLUMNS = ("序号", "项目", "指标", "分子", "分母", "数值", "备注")
GROUP_HEADER = "年初至本期末累计"
TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = 5
PEOPLE = ("单位负责人", "审核人", "填报人", "联系电话")
PEOPLE_KEYS = {
    "head": "单位负责人",
    "reviewer": "审核人",
    "preparer": "填报人",
    "phone": "联系电话",
}
BLANK = "________"
SEAL = "（盖章）"

FONT_NAME = "宋体"  # WPS and Excel on Chinese Windows have it; LibreOffice substitutes
SIZE = 11
LINE = 15.0  # points per line of text at SIZE
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_SHORTFALL_FILL = PatternFill("solid", fgColor="FFC7CE")
_FONT = Font(name=FONT_NAME, size=SIZE)
_BOLD = Font(name=FONT_NAME, size=SIZE, bold=True)
_SHORTFALL_FONT = Font(name=FONT_NAME, size=SIZE, color="9C0006")
_TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
_LINE = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center", indent=1)

# A4 in millimetres and the margins set below (inches) for the orientation choice.
_MARGIN_IN = 0.6
_A4 = (210.0, 297.0)
Orientation = Literal["portrait", "landscape"]


# A further visible sheet: its title and the function that fills it.
ExtraSheet = tuple[str, Callable[[Worksheet], None]]


def write_workbook(
    report: Report,
    out: Path,
    *,
    filled_on: dt.date | None = None,
    people: Mapping[str, str] | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
    audit_head: tuple[int, str] | None = None,
    signer: Signer | None = None,
) -> None:
    """Write ``report`` as the upward workbook to ``out`` (complete or not at all).

    ``audit_head`` (``storage.audit.chain_head`` of the writing database) goes into
    ``_meta`` as ``audit_head_id`` / ``audit_head_hash``. ``signer`` (the organisation's
    unlocked key) signs it; without one the workbook is unsigned.

    ``filled_on`` is the 填报日期 printed under the title (default today). ``people``
    fills the signature line: keys 单位负责人 / 审核人 / 填报人 / 联系电话 (or head /
    reviewer / preparer / phone); a missing one stays a blank line to sign on.

    Raises :class:`~.atomic.ExportError` (an OSError with a Chinese message) when the
    file cannot be written, leaving nothing behind, and :class:`WorkbookError` when a
    text of the ``_data`` rows holds control characters no workbook can store.
    ``extra_sheets`` are further visible sheets for people (a bureau's ranking of its
    members), placed after the report sheets: ``(title, fill)`` where ``fill(ws)``
    writes the sheet; importers read only ``_data`` and ``_meta``.

    Pure function of its arguments; safe in a worker thread.
    """
    data = workbook_bytes(
        report,
        filled_on=filled_on,
        people=people,
        extra_sheets=extra_sheets,
        audit_head=audit_head,
        signer=signer,
    )
    save_export(data, Path(out), "上报工作簿")


def workbook_bytes(
    report: Report,
    *,
    filled_on: dt.date | None = None,
    people: Mapping[str, str] | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
    audit_head: tuple[int, str] | None = None,
    signer: Signer | None = None,
) -> bytes:
    """The ``.xlsx`` file of :func:`write_workbook` as bytes."""
    signers = signers_of(people or {})
    rows = report.data_rows()
    by_code = {row[3]: row for row in rows}
    wb = Workbook()
    wb.remove(cast(Worksheet, wb.active))
    wb.properties.creator = f"ygt_desktop {report.app_version}".strip()
    wb.properties.title = f"{report.template.title}（{report.period.label}）"
    for name in report.template.sheets:
        groups = sheet_groups(report, name)
        if groups:
            _ReportSheet(wb.create_sheet(_sheet_title(name)), report, groups, by_code).write(
                filled_on or dt.date.today(), signers
            )
    if not wb.worksheets:
        raise WorkbookError(f"报表模板 {report.template.id} 没有任何指标，无法生成工作簿")
    for title, fill in extra_sheets:
        fill(wb.create_sheet(_sheet_title(title)))
    _data_sheet(wb.create_sheet(DATA_SHEET), rows)
    _meta_sheet(wb.create_sheet(META_SHEET), signed_meta(report, rows, audit_head, signer))
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def signed_meta(
    report: Report,
    rows: Sequence[Sequence[Any]],
    audit_head: tuple[int, str] | None,
    signer: Signer | None,
) -> dict[str, str]:
    """``_meta`` as written: ``report.meta()`` with the audit head, the signing key's
    fingerprint, the digest over the canonical bytes and, last, the signature."""
    meta = dict(report.meta())
    if audit_head is not None:
        meta[AUDIT_HEAD_ID], meta[AUDIT_HEAD_HASH] = str(audit_head[0]), audit_head[1]
    if signer is not None:
        meta[SIGNED_BY_KEY] = signer.fingerprint
    for key, value in meta.items():
        _exact(value, f"_meta {key} ")
    meta[DIGEST_KEY] = workbook_digest(rows, meta)
    if signer is not None:
        signature = signer.sign(canonical_bytes(rows, meta))
        meta[SIGNATURE_KEY] = base64.b64encode(signature).decode("ascii")
    return meta


# ---- texts ------------------------------------------------------------------------------


def text_cell(cell: Cell | MergedCell, text: str) -> Cell:
    """Put ``text`` in ``cell`` as a text cell: never a formula, never a number; a leading
    ``= + - @``, tab or CR (:func:`.formulas.runs_as_formula`) is kept as typed and marked
    (quotePrefix) so it stays text when edited.

    ``cell`` is what ``Worksheet.cell`` returns; it must not be one covered by a merge
    (openpyxl refuses to write those), which is why merges are made after writing."""
    cell = cast(Cell, cell)
    cell.value = text
    cell.data_type = "s"
    cell.number_format = "@"
    if runs_as_formula(text):
        cell.quotePrefix = True
    return cell


def cell_text(text: Any) -> str:
    """``text`` without the control characters (pasted from Word) no workbook can hold."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text)))


def _exact(text: Any, where: str) -> str:
    """Text for ``_data`` / ``_meta``, which must hold exactly what the digest covers."""
    s = str(text)
    if ILLEGAL_CHARACTERS_RE.search(s):
        raise WorkbookError(
            f"{where}“{ILLEGAL_CHARACTERS_RE.sub('', s)}”含有不可见的控制字符（多为从 Word "
            "复制而来），工作簿无法保存。请在设置中改正后重新导出。"
        )
    return s


def text_units(text: str) -> float:
    """Width of ``text`` in Excel column units: a Chinese character is about two."""
    return sum(2.1 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in text)


def _lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a column ``width`` units wide."""
    room = max(width - 2.0, 1.0)
    return sum(max(1, math.ceil(text_units(part) / room)) for part in text.split("\n"))


def chinese_number(n: int) -> str:
    """一 … 九十九: the section numbers."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def signers_of(people: Mapping[str, str]) -> dict[str, str]:
    """The signature labels (单位负责人 …) with the names given; WorkbookError for a key
    that is none of them (English keys head / reviewer / preparer / phone accepted)."""
    signers: dict[str, str] = {}
    for key, value in people.items():
        label = PEOPLE_KEYS.get(key, key)
        if label not in PEOPLE:
            known = "、".join(PEOPLE)
            raise WorkbookError(f"签字栏没有“{key}”，只能填写：{known}")
        if value and str(value).strip():
            signers[label] = cell_text(value).strip()
    return signers


def signature_parts(signers: Mapping[str, str]) -> list[str]:
    """单位负责人：… 审核人：… 填报人：… 联系电话：… （盖章）; blanks where nobody is named."""
    return [*(f"{label}：{signers.get(label) or BLANK}" for label in PEOPLE), SEAL]


def revision_text(revision: int) -> str:
    """修订：第 N 版, saying from version 2 on that it replaces the earlier ones."""
    text = f"修订：第 {revision} 版"
    if revision > 1:
        earlier = "第 1 版" if revision == 2 else f"第 1–{revision - 1} 版"
        text += f"（本版替代此前报送的{earlier}，以本版为准）"
    return text


def info_parts(report: Report, filled_on: dt.date) -> list[str]:
    """填报单位 · 机构代码 · 统计时段 (the window) · 填报日期."""
    p = report.period
    return [
        f"填报单位：{report.org_name}",
        f"机构代码：{report.org_code}",
        f"统计时段：{p.window_start.isoformat()} 至 {p.window_end.isoformat()}",
        f"填报日期：{filled_on.isoformat()}",
    ]


def fill_lines(parts: Sequence[str], width: float, gap: str = "    ") -> str:
    """``parts`` joined by ``gap``, starting a new line (``\\n``) rather than breaking a
    part where the line would be wider than ``width`` units."""
    lines: list[str] = []
    for part in parts:
        if lines and text_units(lines[-1] + gap + part) <= width - 2:
            lines[-1] += gap + part
        else:
            lines.append(part)
    return "\n".join(lines)


def note(ind: IndicatorDef, row: Sequence[Any], missing: str | None) -> tuple[str, bool]:
    """The 备注 text of an indicator row and whether the value falls short of its target."""
    parts = []
    value, denominator = row[6], row[5]
    short = ind.target is not None and value is not None and value < ind.target
    if ind.target is not None:
        parts.append(f"目标≥{number_text(ind.target)}" + ("，未达标" if short else ""))
    if missing:
        parts.append(missing)
    elif ind.kind != COUNT and denominator == 0:
        parts.append("分母为0，不计算")
    return "；".join(parts), short


# ---- the visible sheets -----------------------------------------------------------------


@dataclass(frozen=True)
class SectionGroup:
    number: str
    section: Section
    indicators: tuple[IndicatorDef, ...]


def sheet_groups(report: Report, sheet: str) -> list[SectionGroup]:
    """The sections of ``sheet`` that have indicators, numbered 一、二 … in template order."""
    groups: list[SectionGroup] = []
    for section in report.template.sections:
        if section.sheet != sheet:
            continue
        inds = tuple(i for i in report.template.indicators if i.section == section.id)
        if inds:
            groups.append(SectionGroup(chinese_number(len(groups) + 1), section, inds))
    return groups


def _sheet_title(name: str) -> str:
    """A legal sheet title: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in cell_text(name)).strip("'")
    return cleaned[:31] or "报表"


class _ReportSheet:
    def __init__(
        self,
        ws: Worksheet,
        report: Report,
        groups: list[SectionGroup],
        by_code: Mapping[str, Sequence[Any]],
    ) -> None:
        self.ws = ws
        self.report = report
        self.groups = groups
        self.by_code = by_code
        self.notes: dict[str, tuple[str, bool]] = {}
        for g in groups:
            for ind in g.indicators:
                v = report.values.get(ind.code)
                self.notes[ind.code] = note(ind, by_code[ind.code], v.missing if v else None)
        self.widths = self._widths()

    def write(self, filled_on: dt.date, signers: Mapping[str, str]) -> None:
        ws = self.ws
        last_col = len(COLUMNS)
        title = f"{self.report.template.title}（{self.report.period.label}）"
        self._merged(TITLE_ROW, 1, TITLE_ROW, last_col, cell_text(title), _TITLE_FONT, _CENTRE)
        ws.row_dimensions[TITLE_ROW].height = 30
        self._line(INFO_ROW, info_parts(self.report, filled_on))
        self._header()
        row = FIRST_DATA_ROW
        for group in self.groups:
            row = self._group(row, group)
        last_table_row = row - 1
        for cells in ws.iter_rows(min_row=HEADER_ROW, max_row=last_table_row, max_col=last_col):
            for cell in cells:
                cell.border = _BORDER
        self._line(row + 1, signature_parts(signers), height=30)
        self._line(row + 2, [revision_text(self.report.revision)])
        last_row = row + 2
        for col, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.freeze_panes = cast(Cell, ws.cell(FIRST_DATA_ROW, 1))
        self._print_setup(last_row)

    # -- rows --

    def _merged(
        self, r1: int, c1: int, r2: int, c2: int, text: str, font: Font, align: Alignment
    ) -> Cell:
        cell = text_cell(self.ws.cell(r1, c1), text)
        cell.font = font
        cell.alignment = align
        if (r1, c1) != (r2, c2):
            self.ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        return cell

    def _line(self, row: int, parts: Sequence[str], height: float | None = None) -> None:
        """Texts in a line across the table's width, on more lines if they do not fit."""
        text = fill_lines([cell_text(p) for p in parts], sum(self.widths))
        self._merged(row, 1, row, len(COLUMNS), text, _FONT, _LINE)
        lines = _lines(text, sum(self.widths))
        self.ws.row_dimensions[row].height = max(height or 0, lines * LINE + 6)

    def _header(self) -> None:
        top, low = HEADER_ROW, HEADER_ROW + 1
        for col, label in enumerate(COLUMNS, start=1):
            if label in ("分子", "分母", "数值"):
                cell = text_cell(self.ws.cell(low, col), label)
                cell.font, cell.alignment = _BOLD, _CENTRE
            else:
                self._merged(top, col, low, col, label, _BOLD, _CENTRE)
        self._merged(top, 4, top, 6, GROUP_HEADER, _BOLD, _CENTRE)
        for cells in self.ws.iter_rows(min_row=top, max_row=low, max_col=len(COLUMNS)):
            for each in cells:
                each.fill = _HEADER_FILL
        self.ws.row_dimensions[top].height = 22
        self.ws.row_dimensions[low].height = 22

    def _group(self, first: int, group: SectionGroup) -> int:
        ws = self.ws
        heights = []
        for offset, ind in enumerate(group.indicators):
            r = first + offset
            row = self.by_code[ind.code]
            label = text_cell(ws.cell(r, 3), cell_text(ind.label))
            label.font, label.alignment = _FONT, _LEFT
            for col, value in ((4, row[4]), (5, row[5]), (6, row[6])):
                cell = ws.cell(r, col)
                cell.font, cell.alignment = _FONT, _RIGHT
                if value is None or (col == 5 and ind.kind == COUNT):
                    continue
                cell.value = value
                if col == 6 and ind.kind != COUNT:
                    cell.number_format = "0.0"
                else:
                    cell.number_format = "0" if float(value).is_integer() else "0.00"
            text, short = self.notes[ind.code]
            remark = text_cell(ws.cell(r, 7), cell_text(text))
            remark.font, remark.alignment = _FONT, _LEFT
            if short:
                for col in (6, 7):
                    ws.cell(r, col).fill = _SHORTFALL_FILL
                    ws.cell(r, col).font = _SHORTFALL_FONT
            lines = max(
                _lines(ind.label, self.widths[2]), _lines(text, self.widths[6]) if text else 1
            )
            heights.append(lines * LINE + 6)
        last = first + len(group.indicators) - 1
        self._merged(first, 1, last, 1, group.number, _FONT, _CENTRE)
        self._merged(first, 2, last, 2, cell_text(group.section.name), _FONT, _CENTRE)
        need = _lines(group.section.name, self.widths[1]) * LINE + 6
        if sum(heights) < need:
            heights[-1] += need - sum(heights)
        for offset, height in enumerate(heights):
            ws.row_dimensions[first + offset].height = max(height, 21)
        return last + 1

    # -- widths and printing --

    def _widths(self) -> list[float]:
        inds = [i for g in self.groups for i in g.indicators]

        def widest(texts: Sequence[str], low: float, high: float) -> float:
            return min(high, max([low, *(text_units(t) + 2 for t in texts)]))

        def numbers(col: int) -> list[str]:
            return [number_text(self.by_code[i.code][col]) for i in inds
                    if self.by_code[i.code][col] is not None]  # fmt: skip

        widths = [
            6.0,
            widest([g.section.name for g in self.groups], 12, 20),
            widest([i.label for i in inds], 16, 40),
            widest(numbers(4), 9, 16),
            widest(numbers(5), 9, 16),
            widest(numbers(6), 8, 12),
            widest([t for t, _ in self.notes.values()], 14, 30),
        ]
        # A merged cell clips what does not fit: the table is at least as wide as the title.
        title = f"{self.report.template.title}（{self.report.period.label}）"
        short = text_units(title) * cast(float, _TITLE_FONT.sz) / SIZE + 4 - sum(widths)
        if short > 0:
            widths[2] += short * 0.6
            widths[6] += short * 0.4
        return widths

    def _print_setup(self, last_row: int) -> None:
        ws = self.ws
        ws.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = self._orientation(last_row)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages as the rows need
        cast(PageSetupProperties, ws.sheet_properties.pageSetUpPr).fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(
            left=_MARGIN_IN, right=_MARGIN_IN, top=0.7, bottom=0.8, header=0.3, footer=0.4
        )
        footer = cast(HeaderFooterItem, ws.oddFooter).center  # openpyxl makes one per sheet
        footer.text = "第 &[Page] 页 共 &N 页"
        footer.size = 9

    def _orientation(self, last_row: int) -> Orientation:
        """Portrait or landscape, whichever prints the sheet on fewer pages at fit-to-width
        (portrait on a tie: it is how the bureau's paper forms are filed), but never
        shrunk below 70 %."""
        width_mm = sum(w * 7 + 5 for w in self.widths) * 25.4 / 96
        height_mm = (
            sum((self.ws.row_dimensions[r].height or LINE) for r in range(1, last_row + 1))
            * 25.4
            / 72
        )
        best: tuple[int, float, Orientation] | None = None
        choices: tuple[tuple[Orientation, tuple[float, ...]], ...] = (
            ("portrait", _A4),
            ("landscape", _A4[::-1]),
        )
        for name, (page_w, page_h) in choices:
            room_w = page_w - 2 * _MARGIN_IN * 25.4
            room_h = page_h - (0.7 + 0.8) * 25.4
            scale = min(1.0, room_w / width_mm)
            pages = math.ceil(height_mm * scale / room_h)
            if scale < 0.7:
                pages += 100
            key = (pages, -scale, name)
            if best is None or key[:2] < best[:2]:
                best = key
        assert best is not None
        return best[2]


# ---- the hidden sheets ------------------------------------------------------------------


def _data_sheet(ws: Worksheet, rows: Sequence[Sequence[Any]]) -> None:
    ws.sheet_state = "hidden"
    for col, name in enumerate(DATA_HEADER, start=1):
        text_cell(ws.cell(1, col), name)
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            if value is None:
                continue
            if col <= 4:  # org_code, org_name, period, indicator: always text
                text_cell(ws.cell(r, col), _exact(value, f"_data 第{r}行 {DATA_HEADER[col - 1]} "))
            else:
                ws.cell(r, col).value = value
    for col, width in enumerate((12, 30, 10, 18, 12, 12, 10), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _meta_sheet(ws: Worksheet, meta: Mapping[str, str]) -> None:
    ws.sheet_state = "hidden"
    text_cell(ws.cell(1, 1), "key")
    text_cell(ws.cell(1, 2), "value")
    for r, (key, value) in enumerate(meta.items(), start=2):
        text_cell(ws.cell(r, 1), key)
        if value != "":  # an empty cell, as in _data
            text_cell(ws.cell(r, 2), _exact(value, f"_meta {key} "))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 70
