"""Text that a spreadsheet must never run as a formula, and the CSV files made of it.

Excel and WPS run a cell typed as ``=…``, ``+…``, ``-…`` or ``@…`` as a formula, and
they drop a leading tab or carriage return and look again (tablib neutralises the same
characters). A name, a note or a phone number a user typed can start that way, so every
``.xlsx`` and ``.csv`` this program writes passes its texts through here: in a workbook
such a text is kept as typed and marked text (``quotePrefix``, see
:func:`~.workbook.text_cell`); in a CSV file it is prefixed with ``'``, which Excel shows
as the text itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text``, typed into a cell, as a formula."""
    return text.startswith(FORMULA_START)


def formula_safe(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows as text: ``'`` in front of a
    leading ``= + - @``, tab or carriage return; any other text unchanged."""
    return "'" + text if runs_as_formula(text) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str | None]]) -> bytes:
    """A CSV file as Excel on Chinese Windows reads it right: UTF-8 with the byte-order
    mark, CRLF line ends, ``None`` as an empty cell and every cell :func:`formula_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([formula_safe(h) for h in header])
    writer.writerows([formula_safe("" if v is None else v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
