"""Printed tables share one look (issue 10: the TableStyle was kept in four copies):
:func:`~ygt_desktop.reports.pdf_table.table_style` gives the font, padding, header
shade, grid and box, and every printed list starts from it."""

from __future__ import annotations

from reportlab.lib import colors

from ygt_desktop.reports import contract_lists, report_pdf, stocktake_pdf, worklist_pdf
from ygt_desktop.reports.pdf_fonts import FONT_NAME
from ygt_desktop.reports.pdf_table import HEADER_SHADE, table_style


def test_the_house_table_style():
    style = table_style(padding=2.5, size=8.5)
    assert ("FONTNAME", (0, 0), (-1, -1), FONT_NAME) in style
    assert ("FONTSIZE", (0, 0), (-1, -1), 8.5) in style
    assert ("LEFTPADDING", (0, 0), (-1, -1), 2.5) in style
    assert ("TOPPADDING", (0, 0), (-1, -1), 3) in style
    assert ("BACKGROUND", (0, 0), (-1, 0), HEADER_SHADE) in style
    assert style[-2:] == [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
    ]
    assert not any(c[0] in ("FONTSIZE", "LEADING") for c in table_style(padding=3))
    assert not any(c[0] == "BACKGROUND" for c in table_style(padding=3, header_rows=0))


def test_every_printed_list_starts_from_it():
    assert contract_lists._STYLE == table_style(padding=contract_lists.PADDING)
    assert stocktake_pdf._STYLE == table_style(
        padding=stocktake_pdf.PADDING, size=stocktake_pdf.SIZE
    )
    base = table_style(
        padding=worklist_pdf.PADDING,
        size=worklist_pdf.SIZE,
        leading=worklist_pdf.LEADING,
        vertical_padding=0,
    )
    assert worklist_pdf._STYLE[: len(base)] == base
    base = table_style(
        padding=report_pdf.PADDING, size=report_pdf.SIZE, leading=report_pdf.LEADING, header_rows=0
    )
    assert report_pdf._BASE_STYLE[: len(base)] == base
