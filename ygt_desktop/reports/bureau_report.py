"""A bureau's report for a period (区/市汇总报表): its members' current submissions
summed (:mod:`ygt_desktop.core.aggregate`), as a :class:`~ygt_desktop.core.report_model.Report`
of the bureau with ``children`` = ``org_code:revision`` of every submission used, and
written by the very writers a station uses — so the city imports a district's workbook
exactly as a district imports a station's. The workbook gets one more visible sheet,
排名: the members ranked on every rate.

Revisions: each distinct aggregated report written for a period gets the next number
(:func:`~ygt_desktop.storage.submissions.export_revision`); writing the same one again
keeps its number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .. import __version__
from ..core.aggregate import MemberFigures, Ranked, aggregate, ranking
from ..core.report_model import COUNT, Period, Report, Template
from ..storage import audit, submissions
from ..storage.reporting import Reporting
from ..storage.roster import Member, bureau, members
from ..storage.submissions import Submission
from ..storage.workspace import Workspace
from .formulas import runs_as_formula
from .report_pdf import chart_codes, write_report_pdf
from .workbook import (
    FONT_NAME,
    SIZE,
    cell_text,
    chinese_number,
    number_text,
    text_cell,
    write_workbook,
)
from .workbook_canonical import Signer

RANKING_SHEET = "排名"
RANKING_COLUMNS = ("名次", "机构代码", "机构名称", "分子", "分母", "数值", "备注")
_WIDTHS = (7, 13, 34, 11, 11, 9, 12)
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = Font(name=FONT_NAME, size=SIZE)
_BOLD = Font(name=FONT_NAME, size=SIZE, bold=True)
_TITLE = Font(name=FONT_NAME, size=16, bold=True)
_SHORT = Font(name=FONT_NAME, size=SIZE, color="9C0006")
_BAND = PatternFill("solid", fgColor="D9D9D9")
_CENTRE = Alignment(horizontal="center", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")


@dataclass(frozen=True)
class BureauReport:
    report: Report
    used: list[Submission]  # the current submissions summed, by code
    figures: list[MemberFigures]
    expected: list[Member]  # active members
    missing: list[Member]  # active members without a submission for the period
    ranking: dict[str, list[Ranked]]

    @property
    def children(self) -> str:
        return ",".join(self.report.children)

    def missing_note(self) -> str:
        """Every active member without a standing workbook, by name and code (Chinese),
        for the PDF and the 排名 sheet; empty when all have reported."""
        if not self.missing:
            return ""
        names = "、".join(f"{m.name}（{m.code}）" for m in self.missing)
        return (
            f"未上报（{len(self.missing)} 个，未计入本汇总）：{names}"
            f"。应报 {len(self.expected)} 个，已汇总 {len(self.used)} 个。"
        )

    def describe(self) -> str:
        """One line for a page or the command line (Chinese)."""
        text = (
            f"{self.report.period.label}：汇总 {len(self.used)} 个机构的当前版本"
            f"（应报 {len(self.expected)} 个）"
        )
        if self.missing:
            shown = "、".join(f"{m.name}" for m in self.missing[:5])
            more = f"等 {len(self.missing)} 个" if len(self.missing) > 5 else ""
            text += f"；未报：{shown}{more}"
        return text + f"；本机构汇总表第 {self.report.revision} 版"


def build(
    ws: Workspace,
    period: Period,
    *,
    template: Template | None = None,
    generated_at: str | None = None,
) -> BureauReport:
    """Sum the current submissions of ``period``; the report's revision is the one it
    has (or would get) when written."""
    store = ws.store
    org = bureau(store)
    template = template or Reporting(ws).template
    used = submissions.current(store, str(period))
    figures = submissions.figures(store, used)
    children = tuple(f.child for f in figures)
    report = Report(
        org.code,
        org.name,
        org.level,
        org.parent_code or "",
        period,
        template,
        aggregate(template, figures),
        revision=1,
        generated_at=generated_at or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        app_version=__version__,
        children=children,
    )
    revision = submissions.export_revision(
        store, str(period), report.meta()["digest"], ",".join(children)
    )
    expected = members(store, active_only=True)
    done = {s.org_code for s in used}
    return BureauReport(
        replace(report, revision=revision),
        used,
        figures,
        expected,
        [m for m in expected if m.code not in done],
        ranking(template, figures),
    )


def earlier(ws: Workspace, period: Period, template: Template) -> list[Report]:
    """The same year's earlier quarters that have submissions, summed: the chart's
    history in the PDF."""
    out = []
    for quarter in range(1, period.quarter):
        p = Period(period.year, quarter)
        if submissions.current(ws.store, str(p)):
            out.append(build(ws, p, template=template).report)
    return out


def write_workbook_file(
    ws: Workspace,
    result: BureauReport,
    out: Path,
    *,
    people: Mapping[str, str] | None = None,
    filled_on: dt.date | None = None,
    signer: Signer | None = None,
) -> int:
    """Write the bureau's upward workbook (with the 排名 sheet) and note the revision
    written; returns it. Raises ExportError / WorkbookError like a station's export.
    ``signer`` (the bureau's unlocked key, ``ops.keys.signer_for``) signs it exactly as
    a station signs its own, so the city verifies it the same way."""
    people = Reporting(ws).signers() if people is None else people
    write_workbook(
        result.report,
        out,
        filled_on=filled_on,
        people=people,
        extra_sheets=[(RANKING_SHEET, lambda sheet: ranking_sheet(sheet, result))],
        audit_head=audit.chain_head(ws.store.conn),
        signer=signer,
    )
    return _noted(ws, result)


def write_pdf_file(
    ws: Workspace,
    result: BureauReport,
    out: Path,
    *,
    people: Mapping[str, str] | None = None,
    filled_on: dt.date | None = None,
    chart: bool = True,
) -> list[str]:
    """Write the bureau's report as PDF (the station's layout, with the chart of the
    year's earlier quarters summed alike); returns warnings."""
    people = Reporting(ws).signers() if people is None else people
    history = (
        earlier(ws, result.report.period, result.report.template)
        if chart and chart_codes(result.report)
        else []
    )
    warnings = write_report_pdf(
        result.report,
        out,
        filled_on=filled_on,
        history=history,
        people=people,
        notes=[n for n in (result.missing_note(),) if n],
    )
    _noted(ws, result)
    return warnings


def _noted(ws: Workspace, result: BureauReport) -> int:
    r = result.report
    return submissions.record_export(ws.store, str(r.period), r.meta()["digest"], result.children)


# ---- the ranking sheet ------------------------------------------------------------------


def ranking_sheet(ws: Worksheet, result: BureauReport) -> None:
    """排名: for every rate of the template, a block with the members from the best value
    down (equal values share a rank), the bureau's own value in the block's heading."""
    report = result.report
    _register_styles(ws)
    last = len(RANKING_COLUMNS)
    row = 1
    title = text_cell(ws.cell(row, 1), f"各成员机构指标排名（{report.period.label}）")
    title.font, title.alignment = _TITLE, _CENTRE
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    ws.row_dimensions[row].height = 30
    row += 1
    note = text_cell(
        ws.cell(row, 1),
        f"{report.org_name}（{report.org_code}）汇总 {len(result.used)} 个机构的当前版本；"
        "按数值从高到低排列，数值相同名次相同，无数值的机构列在最后，未上报的机构列在末尾。",
    )
    note.font, note.alignment = _FONT, _LEFT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    ws.row_dimensions[row].height = 32
    if result.missing:
        row += 1
        gone = text_cell(ws.cell(row, 1), cell_text(result.missing_note()))
        gone.font, gone.alignment = _SHORT, _LEFT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        ws.row_dimensions[row].height = max(32, 16 * (1 + len(result.missing) // 4))
    row += 2
    number = 0
    for ind in report.template.indicators:
        if ind.kind == COUNT:
            continue
        number += 1
        own = report.values.get(ind.code)
        heading = f"{chinese_number(number)}、{ind.label}"
        if ind.target is not None:
            heading += f"　目标≥{number_text(ind.target)}"
        if own is not None and own.value is not None:
            heading += f"　{report.org_level}合计 {own.value:.1f}"
        cell = text_cell(ws.cell(row, 1), heading)
        cell.font, cell.alignment, cell.fill = _BOLD, _LEFT, _BAND
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        row += 1
        for col, label in enumerate(RANKING_COLUMNS, start=1):
            c = text_cell(ws.cell(row, col), label)
            c.font, c.alignment, c.border = _BOLD, _CENTRE, _BORDER
        row += 1
        for r in result.ranking.get(ind.code, []):
            _ranked_row(ws, row, r, ind.target)
            row += 1
        for m in result.missing:  # named, never silently left out
            _missing_row(ws, row, m)
            row += 1
        row += 1
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    cast(PageSetupProperties, ws.sheet_properties.pageSetUpPr).fitToPage = True
    ws.print_options.horizontalCentered = True
    cast(HeaderFooterItem, ws.oddFooter).center.text = "第 &[Page] 页 共 &N 页"


# Named styles: one lookup per cell instead of one per font, border, alignment and number
# format (openpyxl's per-attribute style assignment dominates a 3,000-row sheet).
_STYLES = {
    "ygt-rank-centre": (_FONT, _CENTRE, "@"),
    "ygt-rank-name": (_FONT, _LEFT, "@"),
    "ygt-rank-int": (_FONT, _RIGHT, "0"),
    "ygt-rank-dec": (_FONT, _RIGHT, "0.00"),
    "ygt-rank-rate": (_FONT, _RIGHT, "0.0"),
    "ygt-rank-short": (_SHORT, _CENTRE, "@"),
}


def _register_styles(ws: Worksheet) -> None:
    book = cast(Workbook, ws.parent)  # a sheet made by Workbook.create_sheet has one
    have = set(book.named_styles)
    for name, (font, align, number_format) in _STYLES.items():
        if name not in have:
            book.add_named_style(
                NamedStyle(
                    name=name,
                    font=font,
                    alignment=align,
                    border=_BORDER,
                    number_format=number_format,
                )
            )


def _ranked_row(ws: Worksheet, row: int, r: Ranked, target: float | None) -> None:
    short = target is not None and r.value is not None and r.value < target
    texts = ("" if r.rank is None else str(r.rank), r.org_code, r.org_name)
    for col, text in enumerate(texts, start=1):
        _styled_text(ws.cell(row, col), text, "ygt-rank-name" if col == 3 else "ygt-rank-centre")
    for col, value in ((4, r.numerator), (5, r.denominator), (6, r.value)):
        c = ws.cell(row, col)
        if value is not None:
            c.value = value
        c.style = (
            "ygt-rank-rate"
            if col == 6
            else "ygt-rank-int"
            if value is None or float(value).is_integer()
            else "ygt-rank-dec"
        )
    remark = "未达标" if short else ("无数值" if r.value is None else "")
    _styled_text(ws.cell(row, 7), remark, "ygt-rank-short" if short else "ygt-rank-centre")


def _missing_row(ws: Worksheet, row: int, m: Member) -> None:
    for col, text in enumerate(("", m.code, m.name, "", "", "", "未上报"), start=1):
        style = "ygt-rank-name" if col == 3 else "ygt-rank-short" if col == 7 else "ygt-rank-centre"
        _styled_text(ws.cell(row, col), text, style)


def _styled_text(cell: Cell | MergedCell, text: str, style: str) -> None:
    """A text cell in a named style; never a formula (as :func:`~.workbook.text_cell`)."""
    cell = cast(Cell, cell)  # never one covered by a merge: the ranked rows have none
    cell.style = style
    text = cell_text(text)
    if runs_as_formula(text):
        text_cell(cell, text)  # marked with quotePrefix, so it stays text when edited
    else:
        cell.value = text
        cell.data_type = "s"
