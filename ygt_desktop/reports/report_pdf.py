"""The quarterly report as a PDF for signing and stamping (A4 portrait).

The same report as the workbook's visible sheets (:mod:`.workbook`): the title
「<title>（2026年第3季度）」, 填报单位 · 机构代码 · 统计时段 · 填报日期, one table with the
two-level header (repeated on every page), sections numbered 一、二 … per template sheet
with 序号 and 项目 spanning their indicators (a section never split across pages),
targets and shortfalls in 备注 and shaded, then — when earlier quarters are given — a
bar chart of the main rates by quarter, the revision line and the signature block
(单位负责人 / 审核人 / 填报人 / 联系电话, room for the seal). Every page carries the footer
of :mod:`.record_pdf` (organisation, 第 x 页 共 y 页, 填报日期, 修订：第 N 版).

Text goes through :class:`~.pdf_fonts.TextFonts` (the bundled font embedded, a system
font for rare characters, □ and a warning where none has one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..core.report_model import COUNT, Report
from .atomic import save_export
from .pdf_fonts import FONT_NAME, Run, TextFonts, break_lines, runs_width
from .pdf_table import table_style
from .record_pdf import MARGIN, _PageDecor, _pdf_bytes, _Title
from .record_pdf import SIZE as _DECOR_SIZE
from .workbook import (
    COLUMNS,
    GROUP_HEADER,
    PEOPLE,
    info_parts,
    note,
    number_text,
    revision_text,
    sheet_groups,
    signers_of,
)

PAGE_SIZE = A4
BODY_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
SIZE = 9.0
LEADING = SIZE * 1.3
PADDING = 3.0
# 序号 项目 指标 分子 分母 数值 备注, in mm (180 in all: the body width).
WIDTHS_MM = (10, 32, 54, 19, 19, 16, 30)
COL_WIDTHS = [w * mm for w in WIDTHS_MM]
HEADER_SHADE = colors.Color(0.85, 0.85, 0.85)
BAND_SHADE = colors.Color(0.93, 0.93, 0.93)
SHORTFALL_SHADE = colors.Color(1.0, 0.78, 0.81)
SHORTFALL_TEXT = colors.Color(0.61, 0.0, 0.02)
# The rates charted by quarter unless the template's settings name others (chart_indicators).
CHART_CODES = ("htn.standard", "htn.control", "dm.standard", "dm.control", "eld.managed",
               "child.managed")  # fmt: skip
CHART_SHADES = (
    colors.Color(0.75, 0.82, 0.92),
    colors.Color(0.47, 0.62, 0.82),
    colors.Color(0.22, 0.40, 0.67),
    colors.Color(0.10, 0.22, 0.45),
)

CELL = ParagraphStyle("ygt-report-cell", fontName=FONT_NAME, fontSize=SIZE, leading=LEADING)
CENTRED = ParagraphStyle("ygt-report-centred", parent=CELL, alignment=TA_CENTER)
BAND = ParagraphStyle("ygt-report-band", parent=CELL, fontSize=SIZE + 1, leading=(SIZE + 1) * 1.3)
INFO = ParagraphStyle("ygt-report-info", fontName=FONT_NAME, fontSize=SIZE + 1,
                      leading=(SIZE + 1) * 1.5)  # fmt: skip
SEAL = ParagraphStyle("ygt-report-seal", parent=INFO, alignment=TA_CENTER)
HEADING = ParagraphStyle("ygt-report-heading", fontName=FONT_NAME, fontSize=SIZE + 2,
                         leading=(SIZE + 2) * 1.6)  # fmt: skip
GAP = "\u00a0" * 6  # a Paragraph collapses ordinary spaces
FOOTER_SIZE = _DECOR_SIZE - 1  # the size _PageDecor draws the unit at


def write_report_pdf(
    report: Report,
    out: Path,
    *,
    filled_on: dt.date | None = None,
    history: Sequence[Report] = (),
    people: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> list[str]:
    """Write ``report`` as a PDF to ``out`` (complete or not at all); return warnings.
    ``notes`` are printed under the table (a bureau's report names the members that
    have not reported).

    ``history`` holds earlier quarters' reports of the same organisation and year; with
    it a chart of the main rates by quarter (year to date at each quarter's end) is
    printed. Reports of another year or organisation, or not earlier than ``report``,
    are left out with a warning. ``people`` fills the signature block as in
    :func:`.workbook.write_workbook`.

    Raises :class:`~.atomic.ExportError` (an OSError with a Chinese message) when the
    file cannot be written, leaving nothing behind. Warnings are Chinese sentences
    (characters no font could print, history left out). Safe in a worker thread.
    """
    data, warnings = report_pdf_bytes(
        report, filled_on=filled_on, history=history, people=people, notes=notes
    )
    save_export(data, Path(out), "报表 PDF 文件")
    return warnings


def report_pdf_bytes(
    report: Report,
    *,
    filled_on: dt.date | None = None,
    history: Sequence[Report] = (),
    people: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> tuple[bytes, list[str]]:
    """The PDF of :func:`write_report_pdf` as bytes, with the warnings."""
    fonts = TextFonts()
    warnings: list[str] = []
    filled = filled_on or dt.date.today()
    title = f"{report.template.title}（{report.period.label}）"
    quarters = _quarters(report, history, warnings)
    signers = signers_of(people or {})
    decor = _PageDecor(
        title=fonts.runs(title),
        org=_footer_org(fonts, report),
        printed=fonts.runs(f"填报日期：{filled.isoformat()}"),
        signature=fonts.runs(f"修订：第 {report.revision} 版"),
        page_size=PAGE_SIZE,
    )

    def story() -> list[Flowable]:
        parts = info_parts(report, filled)
        flowables: list[Flowable] = [
            _Title(fonts.runs(title)),
            _para(fonts, GAP.join(parts[:2]), BODY_WIDTH, INFO),
            _para(fonts, GAP.join(parts[2:]), BODY_WIDTH, INFO),
            Spacer(1, 2 * mm),
            _table(report, fonts),
        ]
        for line in notes:
            flowables += [Spacer(1, 2 * mm), _para(fonts, line, BODY_WIDTH, INFO)]
        if len(quarters) > 1:
            flowables += [Spacer(1, 5 * mm), _chart_block(report, quarters, fonts)]
        flowables += [Spacer(1, 5 * mm), _closing(report, fonts, signers)]
        return flowables

    _pdf_bytes(story, decor, title, report.org_name)  # the first pass counts the pages
    decor.total, decor.pages = decor.pages, 0
    data = _pdf_bytes(story, decor, title, report.org_name)
    return data, warnings + [w for w in fonts.warnings if w not in warnings]


def _footer_org(fonts: TextFonts, report: Report) -> list[Run]:
    """The unit and its code for the footer's left, shortened to stay clear of the page
    number in the middle."""
    room = BODY_WIDTH / 2 - 28 * mm
    for text in (f"{report.org_name}（{report.org_code}）", report.org_name):
        runs = fonts.runs(text)
        if runs_width(runs, FOOTER_SIZE) <= room:
            return runs
    name = report.org_name
    while name and runs_width(fonts.runs(name + "…"), FOOTER_SIZE) > room:
        name = name[:-1]
    return fonts.runs(name + "…")


def _para(fonts: TextFonts, text: str, width: float, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(fonts.markup(text, width, style.fontSize), style)


def _cell(
    fonts: TextFonts, text: str, column: int, span: int = 1, style: ParagraphStyle = CELL
) -> Paragraph | str:
    """``text`` broken to fit ``span`` columns from ``column``; "" for no text."""
    width = sum(COL_WIDTHS[column : column + span]) - 2 * PADDING
    return _para(fonts, text, width, style) if text else ""


def _number(text: str, column: int, row: int) -> list[tuple[Any, ...]]:
    """A smaller font for a number wider than its column (an aggregated sum of prices)."""
    room = COL_WIDTHS[column] - 2 * PADDING
    width = pdfmetrics.stringWidth(text, FONT_NAME, SIZE)
    if width <= room:
        return []
    return [("FONTSIZE", (column, row), (column, row), SIZE * room / width)]


# ---- the table --------------------------------------------------------------------------


def _table(report: Report, fonts: TextFonts) -> Table:
    head = [_cell(fonts, c, i, style=CENTRED) for i, c in enumerate(COLUMNS)]
    head[3:6] = [_cell(fonts, GROUP_HEADER, 3, span=3, style=CENTRED), "", ""]
    rows: list[list[Any]] = [head, ["", "", "", "分子", "分母", "数值", ""]]
    style: list[tuple[Any, ...]] = [
        *(("SPAN", (c, 0), (c, 1)) for c in (0, 1, 2, 6)),
        ("SPAN", (3, 0), (5, 0)),
        ("BACKGROUND", (0, 0), (-1, 1), HEADER_SHADE),
        ("ALIGN", (0, 0), (-1, 1), "CENTER"),
    ]
    by_code = {row[3]: row for row in report.data_rows()}
    for number, sheet in enumerate(report.template.sheets):
        groups = sheet_groups(report, sheet)
        if not groups:
            continue
        if number:  # the first sheet (报表) needs no band; the others are named
            r = len(rows)
            rows.append([_cell(fonts, sheet, 0, span=7, style=BAND), "", "", "", "", "", ""])
            style += [
                ("SPAN", (0, r), (-1, r)),
                ("BACKGROUND", (0, r), (-1, r), BAND_SHADE),
                ("NOSPLIT", (0, r), (-1, r + 1)),
            ]
        for group in groups:
            first = len(rows)
            for ind in group.indicators:
                r = len(rows)
                row = by_code[ind.code]
                v = report.values.get(ind.code)
                text, short = note(ind, row, v.missing if v else None)
                numbers = [
                    "" if row[4] is None else number_text(row[4]),
                    "" if row[5] is None or ind.kind == COUNT else number_text(row[5]),
                    ""
                    if row[6] is None
                    else f"{row[6]:.1f}"
                    if ind.kind != COUNT
                    else number_text(row[6]),
                ]
                for column, shown in enumerate(numbers, start=3):
                    style += _number(shown, column, r)
                rows.append(["", "", _cell(fonts, ind.label, 2), *numbers, _cell(fonts, text, 6)])
                if short:
                    style += [
                        ("BACKGROUND", (5, r), (6, r), SHORTFALL_SHADE),
                        ("TEXTCOLOR", (5, r), (5, r), SHORTFALL_TEXT),
                    ]
            last = len(rows) - 1
            rows[first][0] = group.number
            rows[first][1] = _cell(fonts, group.section.name, 1, style=CENTRED)
            style += [
                ("SPAN", (0, first), (0, last)),
                ("SPAN", (1, first), (1, last)),
                ("NOSPLIT", (0, first), (-1, last)),
            ]
    table = Table(rows, colWidths=COL_WIDTHS, repeatRows=2)
    table.setStyle(TableStyle([*_BASE_STYLE, *style]))
    return table


_BASE_STYLE = [
    *table_style(padding=PADDING, size=SIZE, leading=LEADING, header_rows=0),
    ("ALIGN", (0, 2), (0, -1), "CENTER"),  # 序号
    ("ALIGN", (3, 2), (5, -1), "RIGHT"),  # 分子 分母 数值
]  # its two header rows are shaded in _table (HEADER_SHADE)


# ---- the chart --------------------------------------------------------------------------


def _quarters(report: Report, history: Sequence[Report], warnings: list[str]) -> list[Report]:
    """The earlier quarters of the same year and organisation, then ``report``."""
    kept: dict[int, Report] = {}
    for earlier in history:
        p = earlier.period
        if (p.year, earlier.org_code) == (report.period.year, report.org_code) and (
            p.quarter < report.period.quarter
        ):
            kept[p.quarter] = earlier
        else:
            warnings.append(
                f"{earlier.org_name} {p.label}的报表不是本机构同一年更早的季度，未画入图表"
            )
    return [kept[q] for q in sorted(kept)] + [report]


def chart_codes(report: Report) -> list[str]:
    """The rates to chart: the template's ``chart_indicators`` setting, else the main ones."""
    wanted = report.template.setting("chart_indicators", CHART_CODES)
    codes = {i.code: i for i in report.template.indicators}
    return [c for c in wanted if c in codes and codes[c].kind != COUNT]


def _chart_block(report: Report, quarters: Sequence[Report], fonts: TextFonts) -> Flowable:
    heading = _para(
        fonts,
        f"主要指标按季度（年初至各季度末累计，%）：{report.period.year}年",
        BODY_WIDTH,
        HEADING,
    )
    return KeepTogether([heading, _chart(report, quarters, fonts)])


def _chart(report: Report, quarters: Sequence[Report], fonts: TextFonts) -> Drawing:
    codes = chart_codes(report)
    inds = [report.template.indicator(c) for c in codes]
    width, height = BODY_WIDTH, 75 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    # The stubs type these int (from the defaults); reportlab takes any number of points.
    chart.x, chart.y = 12 * mm, 16 * mm  # type: ignore[assignment]
    chart.width, chart.height = width - 16 * mm, height - 28 * mm  # type: ignore[assignment]
    chart.data = [[_value(q, c) for c in codes] for q in quarters]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.Color(0.85, 0.85, 0.85)
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.textAnchor = "middle"
    group_width = chart.width / max(len(codes), 1)
    chart.categoryAxis.categoryNames = [_short_label(fonts, i.label, group_width - 4) for i in inds]
    chart.groupSpacing, chart.barSpacing = 6, 1
    for n in range(len(quarters)):
        chart.bars[n].fillColor = CHART_SHADES[
            n + len(CHART_SHADES) - len(quarters) if len(quarters) <= len(CHART_SHADES) else n % 4
        ]
        chart.bars[n].strokeColor = None
    chart.barLabelFormat = "%.1f"
    chart.barLabels.fontName = FONT_NAME
    chart.barLabels.fontSize = 5.5
    chart.barLabels.nudge = 5
    drawing.add(chart)
    has_target = False
    for i, ind in enumerate(inds):
        x0 = chart.x + group_width * i
        if all(row[i] is None for row in chart.data):
            drawing.add(String(x0 + group_width / 2, chart.y + 4, "无数值", fontName=FONT_NAME,
                               fontSize=7, fillColor=colors.grey, textAnchor="middle"))  # fmt: skip
        if ind.target is not None:  # the target as a dashed line across its group
            has_target = True
            y = chart.y + chart.height * ind.target / 100
            drawing.add(_target_line(x0 + 2, x0 + group_width - 2, y))
    legend = Legend()
    legend.fontName, legend.fontSize = FONT_NAME, 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.x, legend.y = chart.x, height - 3 * mm  # type: ignore[assignment]  # as chart.x
    legend.dx, legend.dy, legend.deltax = 8, 6, 60
    legend.colorNamePairs = [
        (chart.bars[n].fillColor, f"第{q.period.quarter}季度") for n, q in enumerate(quarters)
    ]
    drawing.add(legend)
    if has_target:
        x = legend.x + legend.deltax * len(quarters) + 4
        drawing.add(_target_line(x, x + 8, legend.y - 3))
        drawing.add(String(x + 11, legend.y - 5.5, "目标值", fontName=FONT_NAME, fontSize=7))
    return drawing


def _target_line(x0: float, x1: float, y: float) -> Line:
    return Line(x0, y, x1, y, strokeColor=colors.red, strokeDashArray=[3, 2], strokeWidth=0.8)


def _value(report: Report, code: str) -> float | None:
    v = report.values.get(code)
    return None if v is None or v.value is None else float(v.value)


def _short_label(fonts: TextFonts, label: str, width: float) -> str:
    """The label without "(%)", on at most two lines of the category's width."""
    text = label.replace("(%)", "").replace("（%）", "")
    lines = break_lines(fonts.runs(text), width, 7)
    shown = ["".join(r.text for r in line) for line in lines]
    if len(shown) > 2:
        shown = [shown[0], "".join(shown[1:])]
    return "\n".join(shown)


# ---- revision and signatures ------------------------------------------------------------


def _closing(report: Report, fonts: TextFonts, signers: Mapping[str, str]) -> Flowable:
    half = 62 * mm
    seal = BODY_WIDTH - 2 * half

    def line(label: str) -> Paragraph:
        return _para(fonts, f"{label}：{signers.get(label) or '_' * 14}", half - 2 * PADDING, INFO)

    rows: list[list[Paragraph | str]] = [
        [line(PEOPLE[0]), line(PEOPLE[1]), _para(fonts, "（盖章）", seal - 2 * PADDING, SEAL)],
        [line(PEOPLE[2]), line(PEOPLE[3]), ""],
        ["", "", ""],
    ]
    block = Table(rows, colWidths=[half, half, seal], rowHeights=[11 * mm, 11 * mm, 14 * mm])
    block.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("VALIGN", (0, 0), (1, -1), "BOTTOM"),
        ("SPAN", (2, 0), (2, 2)),
        ("VALIGN", (2, 0), (2, 0), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))  # fmt: skip
    revision = _para(fonts, revision_text(report.revision), BODY_WIDTH, INFO)
    return KeepTogether([revision, Spacer(1, 2 * mm), block])
