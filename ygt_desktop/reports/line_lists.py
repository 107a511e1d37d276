"""Line lists (花名册) per spec exchange.md: the people behind a number, as ``.xlsx``.

One sheet per list (a form or register): row 1 the field ids as in the form definition,
row 2 the labels, then one row per record; both header rows stay in view (frozen) and
carry a filter. A resident ID number column (field type ``idnumber``, or a field named
``id_number``) is masked as ``110105********002X`` unless the caller asks for full IDs,
and a phone column (field type ``phone``, or a field named ``phone`` or ``…_phone``) as
``138****5678`` unless it asks for full phones — rights the caller checks, not this module. Dates are date cells shown YYYY-MM-DD,
numbers are numbers, everything else is a text cell that can never become a formula.
Line lists never go inside the upward workbook (:mod:`.workbook`).

Written by :mod:`.xlsx_stream` (rows streamed into the zip as XML text: the same file
openpyxl's write-only mode made, about ten times faster, with little memory besides
the finished file). Each column's values go through one converter chosen once per
column (masking, choice labels, dates, numbers). Sheets print on A4 landscape, fit to
width, with both header rows on every page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ..core.forms import FormDef
from ..core.masking import Shown
from .atomic import save_export
from .errors import LineListError as LineListError
from .workbook import cell_text, text_units
from .xlsx_stream import STYLE_ID_HEADER, STYLE_LABEL_HEADER, XlsxStream, cell_body

ID_TYPE = "idnumber"
ID_FIELD = "id_number"
PHONE_TYPE = "phone"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_TYPES = frozenset({"int", "decimal"})
TEXT_TYPES = frozenset({"text", "longtext", "phone", ID_TYPE, "choice", "multichoice"})
_SAMPLE_ROWS = 200  # rows looked at to size the columns
_CHECK_ROWS = 2000  # rows between two cancel checks
_REMEMBERED = 20_000  # distinct values whose cell is remembered, per column


@dataclass(frozen=True)
class LineList:
    """One sheet of a 花名册.

    ``fields`` are the column ids (the form's field ids, or ids of computed columns such
    as ``followups``), ``labels`` their headings, ``rows`` one mapping per record (a
    missing key is an empty cell). ``types`` gives a column's field type where it matters
    (``idnumber`` is masked; ``date`` turns ISO text into dates; ``int``/``decimal``
    numbers; text types keep numbers as text). ``choices`` maps a column's stored codes
    to the labels shown.
    """

    sheet: str
    fields: tuple[str, ...]
    labels: tuple[str, ...]
    rows: Sequence[Mapping[str, Any]]
    types: Mapping[str, str] = field(default_factory=dict)
    choices: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.fields) != len(self.labels):
            raise LineListError(
                f"花名册“{self.sheet}”有 {len(self.fields)} 个字段、{len(self.labels)} 个标题，应一一对应"
            )
        if len(set(self.fields)) != len(self.fields):
            raise LineListError(f"花名册“{self.sheet}”的字段有重复")

    @classmethod
    def from_form(
        cls,
        form: FormDef,
        rows: Sequence[Mapping[str, Any]],
        *,
        fields: Sequence[str] | None = None,
        extra: Iterable[tuple[str, str, str]] = (),
        sheet: str | None = None,
    ) -> LineList:
        """A list of ``form``'s records: its fields (or the ``fields`` named, in that
        order) with the form's labels, types and choice labels, then ``extra`` computed
        columns as (id, label, type)."""
        by_id = form.by_id
        chosen = [by_id[f] for f in fields] if fields is not None else list(form.fields)
        more = list(extra)
        return cls(
            sheet=sheet or form.label,
            fields=(*(f.id for f in chosen), *(e[0] for e in more)),
            labels=(*(f.label for f in chosen), *(e[1] for e in more)),
            rows=rows,
            types={**{f.id: f.type for f in chosen}, **{e[0]: e[2] for e in more}},
            choices={f.id: f.choice_labels for f in chosen if f.choices},
        )

    def is_id(self, field_id: str) -> bool:
        return self.types.get(field_id) == ID_TYPE or field_id == ID_FIELD

    def is_phone(self, field_id: str) -> bool:
        return (
            self.types.get(field_id) == PHONE_TYPE
            or field_id == "phone"
            or field_id.endswith("_phone")
        )


def write_line_lists(
    lists: Sequence[LineList],
    out: Path,
    *,
    full_id: bool = False,
    full_phone: bool = False,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    """Write ``lists`` (one sheet each, in order) to ``out``, complete or not at all.

    ID numbers are masked unless ``full_id``, phone numbers unless ``full_phone`` (the
    caller checks the user may see them).
    Raises :class:`LineListError` for no lists, :class:`~.atomic.ExportError` (an OSError
    with a Chinese message) when the file cannot be written. Safe in a worker thread.
    ``checkpoint`` is called every few thousand rows; it may raise to stop the export
    (a cancel), and then nothing is written.
    """
    data = line_lists_bytes(lists, full_id=full_id, full_phone=full_phone, checkpoint=checkpoint)
    save_export(data, Path(out), "花名册")


def line_lists_bytes(
    lists: Sequence[LineList],
    *,
    full_id: bool = False,
    full_phone: bool = False,
    checkpoint: Callable[[], None] | None = None,
) -> bytes:
    """The ``.xlsx`` file of :func:`write_line_lists` as bytes."""
    if not lists:
        raise LineListError("没有要导出的花名册")
    buffer = io.BytesIO()
    book = XlsxStream(buffer, creator="ygt_desktop")
    taken: set[str] = set()
    shown = Shown(ids=full_id, phones=full_phone)
    for line_list in lists:
        _write_sheet(book, _sheet_title(line_list.sheet, taken), line_list, shown, checkpoint)
    book.close()
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


def converter(line_list: LineList, field_id: str, full: Shown) -> Callable[[Any], Any]:
    """What a column shows of a stored value: str, int/float, date/datetime, or None.
    Chosen once per column; each branch is the one a value of that column takes."""
    kind = line_list.types.get(field_id)
    labels = line_list.choices.get(field_id)
    text_kind = kind in TEXT_TYPES
    number_kind = kind in NUMBER_TYPES
    date_kind = kind == "date"

    if line_list.is_id(field_id):

        def id_number(value: Any) -> Any:
            if value is None or value == "" or value == []:
                return None
            return full.id_number(cell_text(value).strip()) or None

        return id_number
    phone = line_list.is_phone(field_id)

    def shown(value: Any) -> Any:
        if value is None or value == "" or value == []:
            return None
        if phone and isinstance(value, str | int):
            return full.phone(cell_text(value).strip()) or None
        if isinstance(value, list | tuple | set | frozenset):
            return "、".join(cell_text(labels.get(str(v), v) if labels else v) for v in value)
        if labels and str(value) in labels:
            return cell_text(labels[str(value)])
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.date):  # datetime included
            return value
        if date_kind and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()[:10])
            except ValueError:
                return cell_text(value)
        if isinstance(value, int | float) and not text_kind:
            return value
        if number_kind and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return cell_text(value)
            return int(number) if number.is_integer() and "." not in value else number
        return cell_text(value)

    return shown


class _Column(dict[Any, str | None]):
    """A column's cells by stored value (:func:`.xlsx_stream.cell_body` of what the
    column shows), made on first sight: sexes, villages, dates and doctors repeat down
    a column. Keyed by the text itself for ``str`` and by (type, value) otherwise, so
    1, 1.0 and True stay apart; at most ``_REMEMBERED`` values are kept."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, key: Any) -> str | None:
        value = key if type(key) is str else key[1]
        body = cell_body(self.convert(value))
        if len(self) < _REMEMBERED:
            self[key] = body
        return body

    def body(self, value: Any) -> str | None:
        """The cell of any value (a list of choices is not hashable: never kept)."""
        try:
            return self[value if type(value) is str else (type(value), value)]
        except TypeError:
            return cell_body(self.convert(value))


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
    book: XlsxStream,
    title: str,
    line_list: LineList,
    full: Shown,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    fields = line_list.fields
    convert = [converter(line_list, f, full) for f in fields]

    def values(row: Mapping[str, Any]) -> list[Any]:
        get = row.get
        return [c(get(f)) for c, f in zip(convert, fields, strict=True)]

    # Widths come from the labels and the first rows, before any row is written.
    sample = [values(row) for row in islice(line_list.rows, _SAMPLE_ROWS)]
    columns = list(zip([_Column(c) for c in convert], fields, strict=True))
    widths = []
    for col, (fid, label) in enumerate(zip(fields, line_list.labels, strict=True)):
        widest = max([text_units(label) * 1.1, text_units(fid) * 0.8]
                     + [_width(r[col]) for r in sample])  # fmt: skip
        widths.append(round(min(max(widest + 2, 6), 40), 1))
    sheet = book.sheet(title, widths)
    sheet.row([cell_text(f) for f in fields], [STYLE_ID_HEADER] * len(fields))
    sheet.row([cell_text(x) for x in line_list.labels], [STYLE_LABEL_HEADER] * len(fields))
    count = 0
    for n, row in enumerate(line_list.rows):
        if checkpoint is not None and n % _CHECK_ROWS == 0:
            checkpoint()
        get = row.get
        try:  # the common case: every value hashable, looked up without a call
            bodies = [
                c[v] if (v := get(f)).__class__ is str else c[(v.__class__, v)] for c, f in columns
            ]
        except TypeError:
            bodies = [c.body(get(f)) for c, f in columns]
        sheet.cells(bodies)
        count += 1
    ref = f"A2:{get_column_letter(len(fields))}{count + 2}" if fields else None
    book.set_filter(ref)
    sheet.close(ref)
