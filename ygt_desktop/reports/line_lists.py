"""Line lists (花名册) per spec exchange.md: the people behind a number, as ``.xlsx``.

One sheet per list (a form or register): row 1 the field ids as in the form definition,
row 2 the labels, then one row per record; both header rows stay in view (frozen) and
carry a filter. A resident ID number column (field type ``idnumber``, or a field named
``id_number``) is masked as ``110105********002X`` unless the caller asks for full IDs,
and a phone column (field type ``phone``, or a field named ``phone`` or ``…_phone``) as
``138****5678`` unless it asks for full phones — rights the caller checks, not this
module. Dates are date cells shown YYYY-MM-DD, numbers are numbers, everything else is
a text cell that can never become a formula.
Line lists never go inside the upward workbook (:mod:`.workbook`).

Written by :mod:`.xlsx_stream` (rows streamed into the zip as XML text: the same file
openpyxl's write-only mode made, many times faster) straight into the file, sheet by
sheet: memory does not grow with the rows. Rows are read in batches of stored values,
column by column: each column's values go through one converter chosen once per column
(masking, choice labels, dates, numbers), and the cell made of a value is remembered for
the next time the value comes down the column. Rows read from the database
(:class:`Stored`) come as the query's tuples, never as one mapping per row. Sheets print
on A4 landscape, fit to width, with both header rows on every page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any, Protocol, overload, runtime_checkable

from openpyxl.utils import get_column_letter

from ..core.forms import FormDef
from ..core.masking import Shown
from .atomic import atomic_file, export_error
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
_REMEMBERED = 20_000  # distinct values whose cell is remembered, per column and type
BATCH_ROWS = 500  # rows read and written at a time

Read = Callable[[Any], Any]


@runtime_checkable
class Stored(Protocol):
    """Rows that also come as they are stored: :meth:`batches` gives them in order as
    batches of tuples, one stored value per column of the list (in the order of its
    ``fields``), and ``reads[i]`` turns column i's stored value into the row's value
    (None: the value as stored). The writer reads such rows this way, without a mapping
    per row; iterating them must give the same rows as mappings."""

    @property
    def reads(self) -> Sequence[Read | None]: ...

    def batches(self) -> Iterator[Sequence[Sequence[Any]]]: ...


@dataclass(frozen=True)
class LineList:
    """One sheet of a 花名册.

    ``fields`` are the column ids (the form's field ids, or ids of computed columns such
    as ``followups``), ``labels`` their headings, ``rows`` one mapping per record (a
    missing key is an empty cell; :class:`Stored` rows are also read as tuples).
    ``types`` gives a column's field type where it matters (``idnumber`` is masked;
    ``date`` turns ISO text into dates; ``int``/``decimal`` numbers; text types keep
    numbers as text). ``choices`` maps a column's stored codes to the labels shown.
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


class TupleRows(Sequence[Mapping[str, Any]]):
    """Rows kept as tuples of values in the order of ``fields`` (None: an empty cell),
    each read as a mapping only when asked: a list of many rows holds a tuple per row,
    not a dict."""

    def __init__(self, fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        self._fields = tuple(fields)
        self._rows = rows

    @property
    def reads(self) -> Sequence[Read | None]:
        return [None] * len(self._fields)

    def batches(self) -> Iterator[Sequence[Sequence[Any]]]:
        for start in range(0, len(self._rows), BATCH_ROWS):
            yield self._rows[start : start + BATCH_ROWS]

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [self._mapping(r) for r in self._rows[index]]
        return self._mapping(self._rows[index])

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return map(self._mapping, self._rows)

    def _mapping(self, row: tuple[Any, ...]) -> Mapping[str, Any]:
        return dict(zip(self._fields, row, strict=True))


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
    (a cancel), and then nothing is written. The file is written as the rows come, into
    a temporary file beside ``out`` renamed over it at the end: memory does not grow
    with the rows.
    """
    if not lists:
        raise LineListError("没有要导出的花名册")
    out = Path(out)
    try:
        with atomic_file(out) as fh:
            _write_book(lists, fh, Shown(ids=full_id, phones=full_phone), checkpoint)
    except OSError as exc:
        raise export_error(exc, out, "花名册") from exc


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
    _write_book(lists, buffer, Shown(ids=full_id, phones=full_phone), checkpoint)
    return buffer.getvalue()


def _write_book(
    lists: Sequence[LineList],
    target: IO[bytes],
    shown: Shown,
    checkpoint: Callable[[], None] | None,
) -> None:
    book = XlsxStream(target, creator="ygt_desktop")
    taken: set[str] = set()
    try:
        for line_list in lists:
            _write_sheet(book, _sheet_title(line_list.sheet, taken), line_list, shown, checkpoint)
    except BaseException:
        book.abort()
        raise
    book.close()


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


def stored_batches(
    line_list: LineList,
) -> tuple[list[Read | None], Iterator[Sequence[Sequence[Any]]]]:
    """A list's rows as the writer reads them: how each column's stored value is read
    (None: as it is) and the rows in batches of tuples of stored values, one per column
    in the order of ``fields``. :class:`Stored` rows give theirs (straight from the
    database); any other rows are taken apart with ``row.get`` (a missing key: None)."""
    rows = line_list.rows
    if isinstance(rows, Stored):
        return list(rows.reads), rows.batches()
    fields = line_list.fields

    def taken_apart() -> Iterator[Sequence[Sequence[Any]]]:
        it = iter(rows)
        while batch := [tuple(map(row.get, fields)) for row in islice(it, BATCH_ROWS)]:
            yield batch

    return [None] * len(fields), taken_apart()


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


def _read_then(read: Read | None, show: Callable[[Any], Any]) -> Callable[[Any], Any]:
    if read is None:
        return show
    return lambda value: show(read(value))


class _Cells(dict[Any, bytes]):
    """Marked cells (:meth:`.xlsx_stream.SheetStream.marker`) by stored value, made on
    first sight: sexes, villages, dates and doctors repeat down a column. Holds ``str``
    and ``None`` keys and those of at most one other type, so that equal values of two
    types (1, 1.0 and True) never share a cell; at most ``_REMEMBERED`` values are kept.
    """

    def __init__(self, marker: bytes, show: Callable[[Any], Any]) -> None:
        super().__init__()
        self.marker = marker
        self.show = show

    def make(self, value: Any) -> bytes:
        body = cell_body(self.show(value))
        return b"" if body is None else self.marker + body.encode()

    def __missing__(self, key: Any) -> bytes:
        cell = self.make(key)
        if len(self) < _REMEMBERED:
            self[key] = cell
        return cell


class _Column:
    """One column of a sheet being written: its stored values in, its marked cells out
    (``show`` turns a stored value into what the cell shows)."""

    def __init__(self, marker: bytes, show: Callable[[Any], Any]) -> None:
        self.marker = marker
        self.show = show
        self._by_type: dict[type, _Cells] = {}

    def _cells(self, kind: type) -> _Cells:
        cells = self._by_type.get(kind)
        if cells is None:
            cells = self._by_type[kind] = _Cells(self.marker, self.show)
        return cells

    def cells(self, values: Sequence[Any]) -> list[bytes]:
        """The cells of a batch of stored values: looked up without a call per value
        when the batch holds one type besides text and None (the usual case)."""
        kinds = set(map(type, values))
        kinds.discard(str)
        kinds.discard(_NONE)
        if len(kinds) <= 1:
            cells = self._cells(kinds.pop() if kinds else str)
            try:
                return list(map(cells.__getitem__, values))
            except TypeError:  # a list of choices is not hashable
                pass
        return [self.cell(v) for v in values]

    def cell(self, value: Any) -> bytes:
        cells = self._cells(type(value))
        try:
            return cells[value]
        except TypeError:
            return cells.make(value)


_NONE = type(None)


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


def _rows(columns: Sequence[_Column], batch: Sequence[Sequence[Any]]) -> list[bytes]:
    """A batch of rows of stored values as rows of marked cells, each row joined; made
    column by column (measured faster than row by row)."""
    made = [c.cells(v) for c, v in zip(columns, zip(*batch, strict=True), strict=True)]
    if not made:
        return [b""] * len(batch)
    return [b"".join(row) for row in zip(*made, strict=True)]


def _write_sheet(
    book: XlsxStream,
    title: str,
    line_list: LineList,
    full: Shown,
    checkpoint: Callable[[], None] | None = None,
) -> None:
    fields = line_list.fields
    reads, batches = stored_batches(line_list)
    shows = [
        _read_then(read, converter(line_list, f, full))
        for read, f in zip(reads, fields, strict=True)
    ]
    # Widths come from the labels and the first rows, before any row is written.
    head: list[Sequence[Any]] = []
    for batch in batches:
        head.extend(batch)
        if len(head) >= _SAMPLE_ROWS:
            break
    sample = [[show(v) for show, v in zip(shows, row, strict=True)] for row in head[:_SAMPLE_ROWS]]
    widths = []
    for col, (fid, label) in enumerate(zip(fields, line_list.labels, strict=True)):
        widest = max([text_units(label) * 1.1, text_units(fid) * 0.8]
                     + [_width(r[col]) for r in sample])  # fmt: skip
        widths.append(round(min(max(widest + 2, 6), 40), 1))
    sheet = book.sheet(title, widths)
    sheet.row([cell_text(f) for f in fields], [STYLE_ID_HEADER] * len(fields))
    sheet.row([cell_text(x) for x in line_list.labels], [STYLE_LABEL_HEADER] * len(fields))

    columns = [_Column(sheet.marker(n), show) for n, show in enumerate(shows)]
    count = 0
    next_check = 0
    for batch in chain((head,), batches):
        if not batch:
            continue
        if checkpoint is not None and count >= next_check:
            checkpoint()
            next_check = count + _CHECK_ROWS
        sheet.marked_rows(_rows(columns, batch))
        count += len(batch)
    ref = f"A2:{get_column_letter(len(fields))}{count + 2}" if fields else None
    book.set_filter(ref)
    sheet.close(ref)
