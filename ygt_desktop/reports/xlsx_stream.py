"""A streaming ``.xlsx`` writer for long plain sheets (the line lists): rows go straight
into the zip member as XML text, so memory stays small whatever the number of rows.

It writes what openpyxl's write-only mode wrote for the same sheets (the workbook part,
styles, theme and properties; inline strings; dates as serial numbers with a
``yyyy-mm-dd`` format), about ten times faster: openpyxl builds a cell object and an
XML element per value, this joins strings. The cell styles are a fixed set
(:data:`STYLE_*`); a sheet has frozen header rows, column widths, a filter, print titles
and an A4 landscape page set up to fit the width.

Values given to :meth:`SheetStream.row` must already be what the cell shows: ``None``
(no cell), ``str`` (already free of control characters), ``int``/``float``,
``datetime.date``/``datetime.datetime``.

Long sheets go faster as *marked* cells (:meth:`SheetStream.marker`): a cell's whole
XML in UTF-8 with :data:`ROW_MARK` where its row number goes, made once and remembered
by a caller for a value that repeats down a column; :meth:`SheetStream.marked_rows`
takes a row's cells joined and puts the row number in (one replace per row, no call
per cell).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.writer.theme import theme_xml

from .formulas import FORMULA_START

STYLE_PLAIN, STYLE_ID_HEADER, STYLE_LABEL_HEADER, STYLE_DATE, STYLE_TEXT = 0, 1, 2, 3, 4
STYLE_DATETIME, STYLE_ID_HEADER_TEXT, STYLE_LABEL_HEADER_TEXT = 5, 6, 7
MAX_TEXT = 32_767  # characters Excel keeps in a cell (openpyxl cuts there too)
_FLUSH_ROWS = 500
_QUEUED = 4  # chunks of rows waiting to be deflated
# Stands for the row number in a marked cell: a control character, which no cell text
# can hold (cell texts are stripped of them), numbers and dates never contain.
ROW_MARK = b"\x00"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_ALIGN = '<alignment vertical="center" wrapText="1"/>'
_XF = '<xf numFmtId="{n}" fontId="{font}" fillId="{fill}" borderId="0"{apply} pivotButton="0" quotePrefix="{q}" xfId="0"{rest}'
_STYLES = (
    (0, 0, 0, 0),  # plain
    (0, 1, 0, 0),  # field-id header row: 宋体 9 grey, wrapped
    (0, 2, 2, 0),  # label header row: 宋体 11 bold on grey, wrapped
    (164, 0, 0, 0),  # date
    (0, 0, 0, 1),  # text that would run as a formula: kept text (quotePrefix)
    (165, 0, 0, 0),  # date and time
    (0, 1, 0, 1),
    (0, 2, 2, 1),
)


def _xf(num: int, font: int, fill: int, quote: int) -> str:
    aligned = font != 0
    return _XF.format(
        n=num,
        font=font,
        fill=fill,
        apply=' applyAlignment="1"' if aligned else "",
        q=quote,
        rest=f">{_ALIGN}</xf>" if aligned else "/>",
    )


STYLES_XML = (
    f'<styleSheet xmlns="{_MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="3"><font><name val="Calibri"/><family val="2"/><color theme="1"/>'
    '<sz val="11"/><scheme val="minor"/></font>'
    '<font><name val="宋体"/><color rgb="00808080"/><sz val="9"/></font>'
    '<font><name val="宋体"/><b val="1"/><sz val="11"/></font></fonts>'
    '<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/>'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="00D9D9D9"/></patternFill>'
    "</fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    f'</cellStyleXfs><cellXfs count="{len(_STYLES)}">'
    + "".join(_xf(*s) for s in _STYLES)
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" '
    'hidden="0"/></cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
)


def escape(text: str) -> str:
    """``text`` as XML character data, escaped as openpyxl escapes it (a carriage return
    stays raw, so a reader sees a line feed, as in every workbook openpyxl writes)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def number_text(value: float) -> str:
    """A number as openpyxl writes it (16 significant digits)."""
    return "%.16g" % value  # noqa: UP031 - the exact format openpyxl uses


class _Deflating:
    """A zip member written from a second thread: deflating and writing to the disk
    release the GIL, so they run beside the Python making the next rows (when the
    machine has a core free), at most ``_QUEUED`` chunks behind. A failure there (a full
    disk) is raised by the next :meth:`write` or by :meth:`close`."""

    def __init__(self, member: IO[bytes]) -> None:
        self._member = member
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self._error is None:  # after a failure, the rest is only taken off
                try:
                    self._member.write(chunk)
                except BaseException as exc:  # raised again in the writing thread
                    self._error = exc

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def _finish(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        """Wait for the chunks queued, then close the member (raises what failed)."""
        self._finish()
        if self._error is not None:
            raise self._error
        self._member.close()

    def abort(self) -> None:
        """Stop without raising: the thread ends, the member is closed as it is."""
        self._finish()
        with contextlib.suppress(Exception):
            self._member.close()


class SheetStream:
    """One worksheet being written: call :meth:`row` for each row, then :meth:`close`."""

    def __init__(self, member: IO[bytes], widths: Sequence[float]) -> None:
        self._out = _Deflating(member)
        self._letters = [get_column_letter(n) for n in range(1, len(widths) + 1)]
        self._row = 0
        self._pending: list[bytes] = []
        cols = "".join(
            f'<col width="{_width_text(w)}" customWidth="1" min="{n}" max="{n}"/>'
            for n, w in enumerate(widths, start=1)
        )
        self._write(
            f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" '
            'summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
            'activeCell="A1" sqref="A1"/></sheetView></sheetViews><sheetFormatPr '
            'baseColWidth="8" defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )

    def _write(self, text: str) -> None:
        self._out.write(text.encode("utf-8"))

    def row(self, values: Sequence[Any], styles: Sequence[int] | None = None) -> None:
        """Append a row of values; ``styles`` (one per value) are used for the header
        rows, data rows get theirs from the value (dates, formula-like text)."""
        self.cells(
            [
                cell_body(v, styles[n] if styles is not None else STYLE_PLAIN)
                for n, v in enumerate(values)
            ]
        )

    def cells(self, bodies: Sequence[str | None]) -> None:
        """Append a row of cells made by :func:`cell_body` (``None``: no cell)."""
        self._row += 1
        r = str(self._row)
        letters = self._letters
        row = "".join(
            [f'<c r="{letters[n]}{r}"{body}' for n, body in enumerate(bodies) if body is not None]
        )
        self._pending.append(
            (f'<row r="{r}">{row}</row>' if row else f'<row r="{r}"/>').encode("utf-8")
        )
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    def marker(self, column: int) -> bytes:
        """The start of a marked cell of column ``column`` (0 = A): the cell is this
        followed by its :func:`cell_body` in UTF-8 (no cell: ``b""`` instead)."""
        return f'<c r="{self._letters[column]}'.encode() + ROW_MARK + b'"'

    def marked_rows(self, rows: Iterable[bytes]) -> None:
        """Append rows of marked cells (:meth:`marker`), each row's cells joined."""
        n = self._row
        pending = self._pending
        mark = ROW_MARK
        for text in rows:
            n += 1
            r = b"%d" % n
            pending.append(
                b'<row r="%b">%b</row>' % (r, text.replace(mark, r))
                if text
                else b'<row r="%b"/>' % r
            )
        self._row = n
        if len(pending) >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._out.write(b"".join(self._pending))
            self._pending = []

    def close(self, auto_filter: str | None) -> None:
        self._flush()
        self._write(
            "</sheetData>"
            + (f'<autoFilter ref="{auto_filter}"/>' if auto_filter else "")
            + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
            'footer="0.5"/><pageSetup orientation="landscape" paperSize="9" '
            'fitToHeight="0" fitToWidth="1"/></worksheet>'
        )
        self._out.close()

    def abort(self) -> None:
        self._out.abort()


_TEXT_STYLE = {
    STYLE_PLAIN: STYLE_TEXT,
    STYLE_ID_HEADER: STYLE_ID_HEADER_TEXT,
    STYLE_LABEL_HEADER: STYLE_LABEL_HEADER_TEXT,
}


def cell_body(value: Any, style: int = STYLE_PLAIN) -> str | None:
    """A cell's XML after its reference (`` t="n"><v>3</v></c>``) as openpyxl wrote
    it, or ``None`` for no cell. Depends on the value and ``style`` only, so callers may
    remember it for repeated values. Text that would run as a formula gets the
    quote-prefixed variant of ``style``; a date or datetime its number format."""
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        text: str = value
        if text.startswith(FORMULA_START):
            style = _TEXT_STYLE[style]
        s = f' s="{style}"' if style else ""
        if not text:
            return f'{s} t="inlineStr"/>'
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
    if kind is int or kind is float:
        return f' t="n"><v>{number_text(value)}</v></c>'
    if isinstance(value, dt.date):
        style = STYLE_DATETIME if isinstance(value, dt.datetime) else STYLE_DATE
        serial = to_excel(value)  # type: ignore[no-untyped-call]
        return f' s="{style}" t="n"><v>{number_text(serial)}</v></c>'
    if kind is bool:
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):  # number subclasses
        return f' t="n"><v>{number_text(value)}</v></c>'
    raise TypeError(f"cannot write {kind.__name__} to a cell")


def _width_text(width: float) -> str:
    return number_text(width)


class XlsxStream:
    """An ``.xlsx`` package written into ``target`` (a binary file or buffer), one sheet
    at a time. Sheet titles must already be legal and unique."""

    def __init__(self, target: IO[bytes], creator: str = "ygt_desktop") -> None:
        # Level 2: on the line lists' XML (300 MB at 265,000 residents) 1.3 s of CPU
        # against 1.8 s at level 3 and 3.7 s at zlib's default 6; the file 5 % larger
        # than at level 3 (37.6 MB against 35.8 MB).
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=2)
        self._creator = creator
        self._sheets: list[tuple[str, str | None]] = []
        self._current: SheetStream | None = None

    def sheet(self, title: str, widths: Sequence[float]) -> SheetStream:
        """Start the next sheet (the previous one must be closed)."""
        n = len(self._sheets) + 1
        self._sheets.append((title, None))
        member = self._zip.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True)
        self._current = SheetStream(member, widths)
        return self._current

    def abort(self) -> None:
        """Stop writing after a failure or a cancel, raising nothing: the sheet being
        written and the package are closed as they are (the target is to be discarded)."""
        if self._current is not None:
            self._current.abort()
        with contextlib.suppress(Exception):
            self._zip.close()

    def set_filter(self, auto_filter: str | None) -> None:
        """The filter range (``A2:I5``) of the sheet last started, for the workbook's
        hidden filter name."""
        title, _ = self._sheets[-1]
        self._sheets[-1] = (title, auto_filter)

    def close(self) -> None:
        z = self._zip
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        count = len(self._sheets)
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1)
        )
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_CT}.theme+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
            'openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
            + sheet_types
            + '<Override PartName="/xl/workbook.xml" ContentType="'
            f'{_CT}.spreadsheetml.sheet.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml" Id="rId1"/><Relationship Type="http://schemas.'
            'openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            f'Target="docProps/core.xml" Id="rId2"/><Relationship Type="{_REL}/'
            'extended-properties" Target="docProps/app.xml" Id="rId3"/></Relationships>',
        )
        z.writestr(
            "docProps/app.xml",
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>Microsoft Excel Compatible / Openpyxl 3.1.5'
            "</Application><AppVersion>3.1</AppVersion></Properties>",
        )
        stamp = (
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="dcterms:W3CDTF">{now}'
        )
        z.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties"><dc:creator xmlns:dc="http://purl.org/dc/elements/'
            f'1.1/">{escape(self._creator)}</dc:creator><dcterms:created xmlns:dcterms='
            f'"http://purl.org/dc/terms/" {stamp}</dcterms:created><dcterms:modified '
            f'xmlns:dcterms="http://purl.org/dc/terms/" {stamp}</dcterms:modified>'
            "</cp:coreProperties>",
        )
        sheets = "".join(
            f'<sheet xmlns:r="{_REL}" name={quoteattr(title)} sheetId="{n}" '
            f'state="visible" r:id="rId{n}"/>'
            for n, (title, _) in enumerate(self._sheets, start=1)
        )
        names = []
        for n, (title, ref) in enumerate(self._sheets):
            quoted = escape(quote_sheetname(title))
            if ref:
                first, last = ref.split(":")
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" '
                    f'hidden="1">{quoted}!{_absolute(first)}:{_absolute(last)}</definedName>'
                )
            names.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
                f"{quoted}!$1:$2</definedName>"
            )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}"><workbookPr/><workbookProtection/><bookViews>'
            '<workbookView visibility="visible" minimized="0" showHorizontalScroll="1" '
            'showVerticalScroll="1" showSheetTabs="1" tabRatio="600" firstSheet="0" '
            'activeTab="0" autoFilterDateGrouping="1"/></bookViews>'
            f"<sheets>{sheets}</sheets><definedNames>{''.join(names)}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>',
        )
        rels = "".join(
            f'<Relationship Type="{_REL}/worksheet" Target="/xl/worksheets/sheet{n}.xml" '
            f'Id="rId{n}"/>'
            for n in range(1, count + 1)
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PKG_REL}">{rels}<Relationship Type="{_REL}/styles" '
            f'Target="styles.xml" Id="rId{count + 1}"/><Relationship Type="{_REL}/theme" '
            f'Target="theme/theme1.xml" Id="rId{count + 2}"/></Relationships>',
        )
        z.writestr("xl/styles.xml", STYLES_XML)
        z.writestr("xl/theme/theme1.xml", theme_xml)
        z.close()


def _absolute(ref: str) -> str:
    letters = ref.rstrip("0123456789")
    return f"${letters}${ref[len(letters) :]}"
