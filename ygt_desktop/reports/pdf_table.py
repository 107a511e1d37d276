"""The house look of a printed table (reportlab ``TableStyle`` commands): the embedded
CJK font, cells centred vertically, padded left and right, a grey header row, a thin
grid inside a heavier box. Every list printed here — the worklist, the quarterly
report, the 家医签约 lists, the stocktake, the receipts — starts from
:func:`table_style` and adds only what is its own (column alignment, highlighted rows).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors

from .pdf_fonts import FONT_NAME

HEADER_SHADE = colors.Color(0.88, 0.88, 0.88)
Style = list[tuple[Any, ...]]


def table_style(
    *,
    padding: float,
    size: float | None = None,
    leading: float | None = None,
    vertical_padding: float = 3,
    header_rows: int = 1,
) -> Style:
    """The commands for a whole table: ``padding`` (points) left and right of each cell,
    ``vertical_padding`` above and below; ``size`` and ``leading`` (points) when the
    cells are plain strings (Paragraph cells carry their own); the first ``header_rows``
    rows shaded (none for 0)."""
    everywhere = ((0, 0), (-1, -1))
    style: Style = [("FONTNAME", *everywhere, FONT_NAME)]
    if size is not None:
        style.append(("FONTSIZE", *everywhere, size))
    if leading is not None:
        style.append(("LEADING", *everywhere, leading))
    style += [
        ("VALIGN", *everywhere, "MIDDLE"),
        ("LEFTPADDING", *everywhere, padding),
        ("RIGHTPADDING", *everywhere, padding),
        ("TOPPADDING", *everywhere, vertical_padding),
        ("BOTTOMPADDING", *everywhere, vertical_padding),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_SHADE))
    style += [
        ("GRID", *everywhere, 0.5, colors.black),
        ("BOX", *everywhere, 1, colors.black),
    ]
    return style
