"""Today's line-list writer (openpyxl write-only, as it was before issue 15), kept as
the oracle the fast writer in ``ygt_desktop.reports.line_lists`` is compared with
(tests/reports/test_line_lists_same.py). Not used by the program."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ygt_desktop.core.masking import Shown
from ygt_desktop.reports.formulas import runs_as_formula
from ygt_desktop.reports.line_lists import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    NUMBER_TYPES,
    TEXT_TYPES,
    LineList,
    LineListError,
)
from ygt_desktop.reports.workbook import cell_text, text_units

_SAMPLE_ROWS = 200
_CHECK_ROWS = 2000
_ID_FONT = Font(name="宋体", size=9, color="808080")
_LABEL_FONT = Font(name="宋体", size=11, bold=True)
_LABEL_FILL = PatternFill("solid", fgColor="D9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="center")


def reference_bytes(
    lists: Sequence[LineList],
    *,
    full_id: bool = False,
    full_phone: bool = False,
    checkpoint: Callable[[], None] | None = None,
) -> bytes:
    """The ``.xlsx`` file of :func:`write_line_lists` as bytes."""
    if not lists:
        raise LineListError("没有要导出的花名册")
    wb = Workbook(write_only=True)
    wb.properties.creator = "ygt_desktop"
    taken: set[str] = set()
    for line_list in lists:
        ws = wb.create_sheet(_sheet_title(line_list.sheet, taken))
        _write_sheet(ws, line_list, Shown(ids=full_id, phones=full_phone), checkpoint)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str, taken: set[str]) -> str:
    """A legal, unused sheet title: at most 31 characters, none of []:*?/\\."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in cell_text(name)).strip("'").strip()
    base = base[:31] or "花名册"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


class _Cells:
    """Turns stored values into what a column shows, and cells for the sheet."""

    def __init__(self, ws: WriteOnlyWorksheet, line_list: LineList, shown: Shown) -> None:
        self.ws = ws
        self.list = line_list
        self.shown_in_full = shown

    def shown(self, field_id: str, value: Any) -> Any:
        """The value as the cell holds it: str, int/float, date/datetime, or None."""
        if value is None or value == "" or value == []:
            return None
        kind = self.list.types.get(field_id)
        if self.list.is_id(field_id):
            return self.shown_in_full.id_number(cell_text(value).strip()) or None
        if self.list.is_phone(field_id) and isinstance(value, str | int):
            return self.shown_in_full.phone(cell_text(value).strip()) or None
        labels = self.list.choices.get(field_id)
        if isinstance(value, list | tuple | set | frozenset):
            return "、".join(cell_text(labels.get(str(v), v) if labels else v) for v in value)
        if labels and str(value) in labels:
            return cell_text(labels[str(value)])
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.date):  # datetime included
            return value
        if kind == "date" and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                return cell_text(value)
        if isinstance(value, int | float) and kind not in TEXT_TYPES:
            return value
        if kind in NUMBER_TYPES and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return cell_text(value)
            return int(number) if number.is_integer() and "." not in value else number
        return cell_text(value)

    def cell(self, value: Any) -> Any:
        """What to append: plain values where openpyxl's own typing is right, a styled
        cell for dates and for text that could be read as a formula."""
        if isinstance(value, str):
            if not runs_as_formula(value):
                return value
            cell = WriteOnlyCell(self.ws, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        if isinstance(value, dt.datetime):
            cell = WriteOnlyCell(self.ws, value=value)
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, dt.date):
            # openpyxl writes dates; its stubs list only datetime.
            cell = WriteOnlyCell(self.ws, value=value)  # type: ignore[arg-type]
            cell.number_format = DATE_FORMAT
            return cell
        return value

    def header(self, text: str, font: Font, fill: PatternFill | None = None) -> Cell:
        cell = WriteOnlyCell(self.ws, value=cell_text(text))
        cell.data_type = "s"
        if runs_as_formula(text):
            cell.quotePrefix = True
        cell.font = font
        cell.alignment = _WRAP
        if fill is not None:
            cell.fill = fill
        return cell


def _width(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, dt.datetime):
        return 16.0
    if isinstance(value, dt.date):
        return 10.0
    if isinstance(value, float):
        return float(len(repr(value)))
    return text_units(str(value))


def _write_sheet(
    ws: WriteOnlyWorksheet,
    line_list: LineList,
    shown: Shown,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    cells = _Cells(ws, line_list, shown)
    fields = line_list.fields
    # A write-only sheet gets Worksheet's dimensions, page setup and filter (openpyxl
    # sets them up with Worksheet._setup); the stubs do not say so.
    setup = cast(Worksheet, ws)
    # Widths must be set before the first row is written (write-only mode).
    sample = [[cells.shown(f, row.get(f)) for f in fields] for row in line_list.rows[:_SAMPLE_ROWS]]
    for col, (fid, label) in enumerate(zip(fields, line_list.labels, strict=True), start=1):
        widest = max([text_units(label) * 1.1, text_units(fid) * 0.8]
                     + [_width(r[col - 1]) for r in sample])  # fmt: skip
        setup.column_dimensions[get_column_letter(col)].width = round(
            min(max(widest + 2, 6), 40), 1
        )
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    setup.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.page_setup.orientation = "landscape"
    setup.page_setup.fitToWidth = 1
    setup.page_setup.fitToHeight = 0
    cast(PageSetupProperties, setup.sheet_properties.pageSetUpPr).fitToPage = True
    ws.append([cells.header(f, _ID_FONT) for f in fields])
    ws.append([cells.header(label, _LABEL_FONT, _LABEL_FILL) for label in line_list.labels])
    for n, row in enumerate(line_list.rows):
        if checkpoint is not None and n % _CHECK_ROWS == 0:
            checkpoint()
        values = sample[n] if n < len(sample) else [cells.shown(f, row.get(f)) for f in fields]
        ws.append([cells.cell(v) for v in values])
    if fields:
        last = get_column_letter(len(fields))
        setup.auto_filter.ref = f"A2:{last}{len(line_list.rows) + 2}"


def reference_form_rows(ws: Any, ix: Any, form_id: str) -> list[dict[str, Any]]:
    """A form list's rows as line_lists_export.form_list made them before issue 15
    (every row a dict built up front)."""
    from ygt_desktop.reports.line_lists_export import _identities

    form = ws.forms[form_id]
    fields = [f.id for f in form.stored_fields]
    records = ix.rows(form_id, ", ".join(f"d.{f}" for f in fields))
    people = _identities(ws, [r[1] for r in records if r[1] is not None])
    rows = []
    for _, rid, _, *vals in sorted(records, key=lambda r: (r[2], r[0])):
        values = {
            f.id: f.field_type.from_sql(v) for f, v in zip(form.stored_fields, vals, strict=True)
        }
        rows.append({**people.get(rid, {}), **values})
    return rows
