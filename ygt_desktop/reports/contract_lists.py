"""The lists of the 家医签约 page as printed (A4 landscape PDF) and exported (CSV).

A :class:`ListDoc` is what the page shows: a title, a line or two saying the day and
the filters, the column headers and the rows as texts. The PDF has the title, those
lines, one table with its header repeated on every page and an empty 备注 column for
handwritten notes, and the footer of :mod:`.record_pdf`; the CSV is UTF-8 with a BOM
and CRLF, cells a spreadsheet would run as a formula made text (as the worklist's).
Both mask the phone and ID number columns (:func:`masked`) unless the caller asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ..core.masking import ID_HEADERS, MASKED, PHONE_HEADERS, Shown
from .atomic import write_atomic
from .formulas import csv_bytes as _csv_bytes
from .pdf_fonts import FONT_NAME, TextFonts
from .pdf_table import table_style
from .record_pdf import MARGIN, _PageDecor, _pdf_bytes, _Title

PAGE_SIZE = landscape(A4)
BODY_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
SIZE = 9.0
PADDING = 3.0
NOTE_WIDTH = 30 * mm
INFO = ParagraphStyle(
    "ygt-contract-list-info", fontName=FONT_NAME, fontSize=SIZE + 0.5, leading=(SIZE + 0.5) * 1.5
)
CELL = ParagraphStyle(
    "ygt-contract-list-cell", fontName=FONT_NAME, fontSize=SIZE, leading=SIZE * 1.3
)


@dataclass(frozen=True)
class ListDoc:
    title: str
    info: Sequence[str]  # lines under the title: day, filters, counts
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths_mm: Sequence[float] = ()  # per column; the rest share what is left

    def file_name(self, day: dt.date, suffix: str) -> str:
        return f"{self.title}_{day.isoformat()}{suffix}"


def masked(doc: ListDoc, shown: Shown = MASKED) -> ListDoc:
    """``doc`` with its phone columns (联系电话 …) and ID number columns (身份证号) masked
    unless ``shown`` says they are shown in full (a right the caller checked)."""
    phones = [i for i, h in enumerate(doc.header) if h in PHONE_HEADERS and not shown.phones]
    ids = [i for i, h in enumerate(doc.header) if h in ID_HEADERS and not shown.ids]
    if not phones and not ids:
        return doc

    def row(cells: Sequence[str]) -> list[str]:
        out = list(cells)
        for i in phones:
            if i < len(out):
                out[i] = shown.phone(out[i])
        for i in ids:
            if i < len(out):
                out[i] = shown.id_number(out[i])
        return out

    return replace(doc, rows=[row(r) for r in doc.rows])


def csv_bytes(doc: ListDoc) -> bytes:
    """The list as CSV (:func:`.formulas.csv_bytes`), numbered in a first 序号 column."""
    return _csv_bytes(["序号", *doc.header], ([str(n), *row] for n, row in enumerate(doc.rows, 1)))


def write_csv(doc: ListDoc, out: Path) -> None:
    """Write the list as CSV atomically; raises OSError."""
    write_atomic(csv_bytes(doc), out)


def _widths(doc: ListDoc) -> list[float]:
    number = 10 * mm
    given = [w * mm for w in doc.widths_mm[: len(doc.header)]]
    free = len(doc.header) - len(given)
    rest = BODY_WIDTH - number - NOTE_WIDTH - sum(given)
    return [
        number,
        *given,
        *([rest / free] * free if free else []),
        NOTE_WIDTH + (0 if free else rest),
    ]


def render_list(
    doc: ListDoc, out: Path, *, org_name: str, printed_on: dt.date | None = None
) -> list[str]:
    """Write ``doc`` as a PDF to ``out`` atomically; return warnings about characters no
    font could print. Raises OSError when the file cannot be written."""
    fonts = TextFonts()
    widths = _widths(doc)

    def cell(text: str, width: float) -> Paragraph:
        return Paragraph(fonts.markup(text, width - 2 * PADDING, SIZE), CELL)

    header = [cell(h, w) for h, w in zip(("序号", *doc.header, "备注"), widths, strict=True)]
    body = [
        [cell(str(n), widths[0]), *(cell(v, w) for v, w in zip(row, widths[1:-1], strict=True)), ""]
        for n, row in enumerate(doc.rows, 1)
    ]

    def story() -> list[Flowable]:
        table = Table([header, *body], colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(_STYLE))
        return [
            _Title(fonts.runs(doc.title)),
            *(Paragraph(fonts.markup(line, BODY_WIDTH, INFO.fontSize), INFO) for line in doc.info),
            Spacer(1, 2 * mm),
            table,
        ]

    decor = _PageDecor(
        title=fonts.runs(doc.title),
        org=fonts.runs(org_name),
        printed=fonts.runs(f"打印日期：{(printed_on or dt.date.today()).isoformat()}"),
        signature=fonts.runs("核对人签名：________________"),
        page_size=PAGE_SIZE,
    )
    _pdf_bytes(story, decor, doc.title, org_name)  # counts the pages
    decor.total, decor.pages = decor.pages, 0
    write_atomic(_pdf_bytes(story, decor, doc.title, org_name), out)
    return list(fonts.warnings)


_STYLE = table_style(padding=PADDING)
