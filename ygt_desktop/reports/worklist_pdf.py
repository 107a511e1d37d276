"""Print the worklist (待办随访名单) on A4 landscape: the doctor's list for the week.

Title, a line with organisation, date range, filters and people per status, then one
table row per resident in the order given (the worst status, every due item in one
cell, the earliest window end: :data:`.worklist_rows.LINE_COLUMNS`), the header row
repeated on every page and an empty 备注 column for handwritten notes; the footer
(organisation, 第 x 页 共 y 页, printed date, a line for the doctor's signature) is the
one of :mod:`.record_pdf`. Phone numbers are masked unless asked; ID numbers never
appear.

Fast for long lists (5,000 rows in about two seconds): cells are plain strings wherever
the bundled font has every character (a Paragraph only where a rare character needs a
system font; one no font has is printed as □ and reported), row heights are worked out
here and the rows are cut into one table per page, so the document is laid out once
with its page count already known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from ..core import schedules as sch
from ..core.masking import MASKED, Shown
from ..storage.worklist import ResidentDue
from .atomic import write_atomic
from .pdf_fonts import FONT_NAME, TextFonts, break_lines, runs_width
from .pdf_table import table_style
from .record_pdf import FOOTER_HEIGHT, MARGIN, _PageDecor, _pdf_bytes, _Title
from .worklist_rows import LINE_COLUMNS, counts_text, line_rows

TITLE = "待办随访名单"
PAGE_SIZE = landscape(A4)
BODY_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
# The frame of SimpleDocTemplate (6 pt padding top and bottom), less a point to spare.
BODY_HEIGHT = PAGE_SIZE[1] - 2 * MARGIN - FOOTER_HEIGHT - 12 - 1
SIZE = 9.0
LEADING = SIZE * 1.25
PADDING = 3.0
ROW_PADDING = 2.5  # above and below: a one-line row is about 5.7 mm, enough to write in
HEADER_PADDING = 3.0
# Widths in mm of LINE_COLUMNS: 待办项目 holds two short items a line; 备注 takes the
# rest of the page (2 cm).
WIDTHS_MM = (10, 10, 18, 9, 14, 28, 25, 113, 20)  # 年龄 holds "1岁10月"
COL_WIDTHS = [w * mm for w in WIDTHS_MM] + [BODY_WIDTH - sum(WIDTHS_MM) * mm]
HEADER = (*LINE_COLUMNS, "备注")
OVERDUE_RED = colors.Color(0.78, 0.16, 0.16)

INFO = ParagraphStyle("ygt-worklist-info", fontName=FONT_NAME, fontSize=SIZE + 0.5,
                      leading=(SIZE + 0.5) * 1.5)  # fmt: skip
CELL = ParagraphStyle("ygt-worklist-cell", fontName=FONT_NAME, fontSize=SIZE, leading=LEADING)


def render_worklist(
    lines: Sequence[ResidentDue],
    out: Path,
    *,
    org_name: str,
    start: dt.date,
    end: dt.date,
    on: dt.date,
    filters_text: str,
    village_names: Mapping[str, str],
    printed_on: dt.date | None = None,
    shown: Shown = MASKED,
    counts: str | None = None,
) -> list[str]:
    """Write ``lines`` (one per resident, in the order given) as a PDF list to ``out``;
    return warnings.

    ``on`` is the day the statuses and ages refer to; ``filters_text`` says in words
    which view, package, village and statuses were chosen; ``counts`` the 合计 (by
    default :func:`.worklist_rows.counts_text` of the lines' items); ``village_names``
    maps village codes to names; phone numbers are masked unless ``shown.phones``. The
    file is written atomically (see :func:`.record_pdf.write_atomic`); raises OSError
    when it cannot be. Warnings are Chinese sentences naming each character no font
    could print. Safe to call from a worker thread.
    """
    if counts is None:
        counts = counts_text([item for line in lines for item in line.items])
    cells = _Cells(TextFonts())
    fonts = cells.fonts
    gap = "\u00a0" * 6  # a Paragraph would collapse ordinary and ideographic spaces
    info = [
        f"机构：{org_name}{gap}时间范围：{start.isoformat()} 至 {end.isoformat()}"
        f"（状态和年龄按 {on.isoformat()} 计）",
        f"筛选：{filters_text}{gap}合计：{counts}",
    ]
    head: list[Flowable] = [
        _Title(fonts.runs(TITLE)),
        *(Paragraph(fonts.markup(line, BODY_WIDTH, INFO.fontSize), INFO) for line in info),
        Spacer(1, 2 * mm),
    ]
    rows = _Rows(cells)
    for row in line_rows(lines, on, village_names, shown):
        rows.add(row)
    first_page = BODY_HEIGHT - sum(f.wrap(BODY_WIDTH, BODY_HEIGHT)[1] for f in head)
    tables = rows.page_tables(first_page, BODY_HEIGHT)
    decor = _PageDecor(
        title=fonts.runs(TITLE),
        org=fonts.runs(org_name),
        printed=fonts.runs(f"打印日期：{(printed_on or dt.date.today()).isoformat()}"),
        signature=fonts.runs("随访医生签名：________________"),
        total=len(tables),
        page_size=PAGE_SIZE,
    )

    def story() -> list[Flowable]:
        flowables = list(head)
        for number, table in enumerate(tables):
            flowables += [PageBreak(), table] if number else [table]
        return flowables

    data = _pdf_bytes(story, decor, TITLE, org_name)
    if decor.pages != decor.total:  # the layout went other than planned: count and redo
        decor.total, decor.pages = decor.pages, 0
        data = _pdf_bytes(story, decor, TITLE, org_name)
    write_atomic(data, out)
    return list(fonts.warnings)


@dataclass
class _Cells:
    """Texts as table cells that fit their column, with their height in points.

    Plain strings (lines joined by ``\\n``) are remembered per text and column: village
    names, labels and dates repeat on most rows. A text that needs a system font becomes
    a Paragraph, made afresh each time (a flowable is drawn in one place only).
    """

    fonts: TextFonts
    _plain: dict[tuple[str, int], tuple[str | None, float]] = field(default_factory=dict)

    def cell(self, text: str, column: int) -> tuple[Any, float]:
        key = (text, column)
        if key not in self._plain:
            self._plain[key] = self._make(text, COL_WIDTHS[column] - 2 * PADDING)
        plain, height = self._plain[key]
        if plain is not None:
            return plain, height
        para = Paragraph(self.fonts.markup(text, COL_WIDTHS[column] - 2 * PADDING, SIZE), CELL)
        return para, height

    def _make(self, text: str, width: float) -> tuple[str | None, float]:
        runs = self.fonts.runs(text)
        lines = break_lines(runs, width, SIZE) if runs_width(runs, SIZE) > width else [runs]
        if any(r.font != FONT_NAME for r in runs):
            return None, len(lines) * LEADING
        return "\n".join("".join(r.text for r in line) for line in lines), len(lines) * LEADING


@dataclass
class _Rows:
    """The table's rows with their heights, cut into one table per page."""

    cells: _Cells
    rows: list[list[Any]] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)
    overdue: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        pairs = [self.cells.cell(h, c) for c, h in enumerate(HEADER)]
        self.header = [value for value, _ in pairs]
        self.header_height = max(h for _, h in pairs) + 2 * HEADER_PADDING

    def add(self, row: Sequence[str]) -> None:
        pairs = [self.cells.cell(text, c) for c, text in enumerate(row)]
        self.rows.append([*(value for value, _ in pairs), ""])
        self.heights.append(max(h for _, h in pairs) + 2 * ROW_PADDING)
        self.overdue.append(row[1] == sch.OVERDUE)

    def page_tables(self, first: float, later: float) -> list[Table]:
        """Tables of as many rows as fit ``first`` points on page 1 and ``later`` points
        on the others, each with the header row (at least one row each)."""
        tables: list[Table] = []
        begin, room = 0, first - self.header_height
        for i, height in enumerate(self.heights):
            if height > room and i > begin:
                tables.append(self._table(begin, i))
                begin, room = i, later - self.header_height
            room -= height
        tables.append(self._table(begin, len(self.rows)))
        return tables

    def _table(self, begin: int, end: int) -> Table:
        style = [*_STYLE]
        for r in range(begin, end):
            if self.overdue[r]:
                style.append(("TEXTCOLOR", (1, r - begin + 1), (1, r - begin + 1), OVERDUE_RED))
        table = Table(
            [self.header, *self.rows[begin:end]],
            colWidths=COL_WIDTHS,
            rowHeights=[self.header_height, *self.heights[begin:end]],
            repeatRows=1,
        )
        table.setStyle(TableStyle(style))
        return table


_STYLE = [
    *table_style(padding=PADDING, size=SIZE, leading=LEADING, vertical_padding=0),
    ("ALIGN", (0, 0), (-1, 0), "CENTER"),
    ("ALIGN", (0, 1), (0, -1), "RIGHT"),  # 序号
    ("ALIGN", (3, 1), (4, -1), "CENTER"),  # 性别, 年龄
]
