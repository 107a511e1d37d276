"""Print a stocktake's result (设备盘点表) on A4 portrait, for the station's files.

Title with the year, a line with organisation, stocktake date, 盘点人, 负责人 and whether
it is finished; one table row per asset (序号, 资产编号, 设备名称, 类别, 规格型号, 存放地点,
账面状态, 盘点结果, 备注 — the status found and the note), the header row repeated on every
page and missing assets in red; then the counts per result with the value of what is
missing, and signature lines for 盘点人 and 负责人. The footer (organisation, 第 x 页 共 y
页, printed date, a line to initial each page) is the one of :mod:`.record_pdf`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..storage.equipment_stocktake import MISSING, StocktakeItem, StocktakeResult
from .atomic import write_atomic
from .pdf_fonts import FONT_NAME, TextFonts
from .pdf_table import HEADER_SHADE, table_style
from .record_pdf import BODY_WIDTH, _PageDecor, _pdf_bytes, _Title

SIZE = 8.5
PADDING = 2.5
HEADER = (
    "序号",
    "资产编号",
    "设备名称",
    "类别",
    "规格型号",
    "存放地点",
    "账面状态",
    "盘点结果",
    "备注",
)
# Widths in mm; 备注 takes the rest of the 180 mm body (3.5 cm).
WIDTHS_MM = (9, 21, 29, 12, 22, 22, 15, 15)
COL_WIDTHS = [w * mm for w in WIDTHS_MM] + [BODY_WIDTH - sum(WIDTHS_MM) * mm]
MISSING_RED = colors.Color(0.78, 0.16, 0.16)

CELL = ParagraphStyle(
    "ygt-stocktake-cell", fontName=FONT_NAME, fontSize=SIZE, leading=SIZE * 1.3, alignment=TA_LEFT
)
INFO = ParagraphStyle(
    "ygt-stocktake-info", fontName=FONT_NAME, fontSize=SIZE + 1, leading=(SIZE + 1) * 1.6
)
SIGN = ParagraphStyle(
    "ygt-stocktake-sign", fontName=FONT_NAME, fontSize=SIZE + 1.5, leading=(SIZE + 1.5) * 2.2
)


def title(result: StocktakeResult) -> str:
    return f"设备盘点表（{result.values['year']}年度）"


def file_name(result: StocktakeResult) -> str:
    return f"设备盘点表_{result.values['year']}年度.pdf"


def render_stocktake(
    result: StocktakeResult, out: Path, *, org_name: str, printed_on: dt.date | None = None
) -> list[str]:
    """Write ``result`` as a PDF to ``out``; return warnings (characters no font has).

    Written atomically (:func:`.record_pdf.write_atomic`); raises OSError when ``out``
    cannot be written. Safe to call from a worker thread.
    """
    fonts = TextFonts()
    heading = title(result)
    decor = _PageDecor(
        title=fonts.runs(heading),
        org=fonts.runs(org_name),
        printed=fonts.runs(f"打印日期：{(printed_on or dt.date.today()).isoformat()}"),
        signature=fonts.runs("盘点人签字：________________"),
    )

    def story() -> list[Flowable]:
        return _story(result, fonts, org_name)

    _pdf_bytes(story, decor, heading, org_name)  # first pass counts the pages
    decor.total = decor.pages
    data = _pdf_bytes(story, decor, heading, org_name)
    write_atomic(data, out)
    return list(fonts.warnings)


def _story(result: StocktakeResult, fonts: TextFonts, org_name: str) -> list[Flowable]:
    v = result.values
    gap = "\u00a0" * 4
    finished = v.get("finished_date")
    state = f"已结束（{finished.isoformat()}）" if finished else "进行中（结果未最终确定）"
    info = [
        f"机构：{org_name}{gap}盘点日期：{v['stocktake_date'].isoformat()}{gap}状态：{state}",
        f"盘点人：{v.get('checker') or ''}{gap}负责人：{v.get('supervisor') or ''}"
        + (f"{gap}备注：{v['note']}" if v.get("note") else ""),
    ]

    def para(text: str, width: float, style: ParagraphStyle) -> Paragraph:
        return Paragraph(fonts.markup(text, width, style.fontSize), style)

    story: list[Flowable] = [_Title(fonts.runs(title(result)))]
    story += [para(line, BODY_WIDTH, INFO) for line in info]
    story += [Spacer(1, 2 * mm), _items_table(result.items, fonts), Spacer(1, 5 * mm)]
    story.append(
        KeepTogether(
            [_counts_table(result, fonts), Spacer(1, 8 * mm), para(_signatures(), BODY_WIDTH, SIGN)]
        )
    )
    return story


def _remark(item: StocktakeItem) -> str:
    parts = [f"实际：{item.observed_label}"] if item.observed_status else []
    if item.note:
        parts.append(item.note)
    return "；".join(parts)


def _items_table(items: list[StocktakeItem], fonts: TextFonts) -> Table:
    def cell(text: str, column: int) -> Paragraph | str:
        if not text:
            return ""
        width = COL_WIDTHS[column] - 2 * PADDING
        return Paragraph(fonts.markup(text, width, SIZE), CELL)

    rows: list[list[Any]] = [[cell(h, c) for c, h in enumerate(HEADER)]]
    style: list[tuple[Any, ...]] = [*_STYLE]
    for n, item in enumerate(items, start=1):
        a = item.asset
        texts = (
            str(n),
            str(a["asset_no"] or ""),
            str(a["name"] or ""),
            a.category_label,
            str(a["model"] or ""),
            str(a["location"] or ""),
            a.status_label,
            item.result_label,
            _remark(item),
        )
        rows.append([cell(t, c) for c, t in enumerate(texts)])
        if item.result == MISSING:
            style.append(("BACKGROUND", (0, n), (-1, n), colors.Color(1, 0.92, 0.92)))
            style.append(("TEXTCOLOR", (7, n), (7, n), MISSING_RED))
    if not items:
        rows.append([cell("本次盘点没有设备（盘点日期时登记在册的设备为零）", 0)] + [""] * 8)
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(rows, colWidths=COL_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _counts_table(result: StocktakeResult, fonts: TextFonts) -> Table:
    counts = result.counts
    missing_value = sum(i.asset.price for i in result.items if i.result == MISSING)
    head = ["盘点结果", *counts, "合计"]
    body = ["台数", *(str(n) for n in counts.values()), str(result.total)]
    note = f"缺失设备原值合计 {missing_value:,.2f} 元" if counts["缺失"] else "无缺失设备"
    rows = [head, body, [note] + [""] * (len(head) - 1)]
    width = BODY_WIDTH / len(head)
    table = Table(rows, colWidths=[width] * len(head))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                ("FONTSIZE", (0, 0), (-1, -1), SIZE + 1),
                ("ALIGN", (0, 0), (-1, 1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE),
                ("SPAN", (0, 2), (-1, 2)),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BOX", (0, 0), (-1, -1), 1, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _signatures() -> str:
    line = "_" * 18
    gap = "\u00a0" * 8
    return f"盘点人（签字）：{line}{gap}负责人（签字）：{line}{gap}日期：{line}"


_STYLE = table_style(padding=PADDING, size=SIZE)
