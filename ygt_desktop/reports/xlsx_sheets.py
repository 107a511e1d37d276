"""The parts of an ``.xlsx`` package a reader needs, parsed by hand from the XML with
every cap enforced (see :mod:`.xlsx_package` for the container): the content types
(macros refused, a workbook required), the workbook part and its sheets (name, state,
part), the shared strings, and a sheet's cells.

A sheet is read into ``{row: {column: value}}`` from ``<sheetData>`` only; the declared
``<dimension>`` is ignored and nothing is allocated by a cell reference: a value past
``max_rows`` or ``max_columns`` stops the reading with a reason (an empty styled cell
there is skipped). Values: shared, inline and formula-result strings as ``str`` (with
Excel's ``_xHHHH_`` escapes undone and phonetic runs left out), numbers as ``int`` when
written without a point or exponent and ``float`` otherwise, booleans as ``bool``; an
empty text is an empty cell. In a *strict* sheet (``_data``, ``_meta``) a formula, an
error value or a date cell is refused naming the cell; in a visible sheet a formula's
cached value is kept and an error value is kept as its text (``#DIV/0!``).
"""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import unquote

from .xlsx_package import Package, StopParsing, is_macro_type, local_name, parse_part

_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
_REL_ID = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}id",
)
_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_INDEX = re.compile(r"[0-9]{1,9}")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_SMALL_PART = 4 * 1024 * 1024  # content types, relationships, workbook
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384
_NOT_WORKBOOK = "不是 .xlsx 工作簿（可能是其他文件改了扩展名）"


@dataclass(frozen=True)
class SheetEntry:
    name: str
    state: str  # visible / hidden / veryHidden
    part: str | None  # zip member of a worksheet; None for a chart sheet


@dataclass
class Book:
    sheets: list[SheetEntry]
    shared_strings: str | None


def unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def open_book(package: Package) -> Book:
    """Content types, the workbook part and its relationships."""
    members = {n.casefold(): n for n in package.names()}

    def member(part: str, what: str) -> str:
        name = members.get(part.casefold())
        if name is None:
            package.reject("not_workbook", f"{_NOT_WORKBOOK[:-1]}：缺少{what}）")
        return name

    types = _Collect(("Default", "Override"), package.limits.max_members * 4 + 64, package)
    parse_part(package, member("[Content_Types].xml", "内容类型清单"), types, "内容类型清单")
    by_part = {
        a.get("PartName", "").casefold(): a.get("ContentType", "")
        for tag, a in types.items
        if tag == "Override"
    }
    by_ext = {
        a.get("Extension", "").casefold(): a.get("ContentType", "")
        for tag, a in types.items
        if tag == "Default"
    }
    if any(is_macro_type(ct) for ct in [*by_part.values(), *by_ext.values()]):
        package.reject(
            "macro", "工作簿含有宏（VBA 或宏表），为安全起见不予读取。请另存为不含宏的 .xlsx 工作簿"
        )
    root = _relationships(package, member("_rels/.rels", "包关系"), "")
    main = next((t for typ, t, _ in root.values() if typ.endswith("/officeDocument")), None)
    if main is None:
        package.reject("not_workbook", f"{_NOT_WORKBOOK[:-1]}：找不到主文档）")
    book_part = member(main, "工作簿部件")
    kind = by_part.get("/" + book_part.casefold()) or by_ext.get(
        book_part.rpartition(".")[2].casefold(), ""
    )
    if kind not in _WORKBOOK_TYPES:
        package.reject("not_workbook", "不是 Excel 工作簿（可能是 Word 或其他文件改了扩展名）")
    folder, _, leaf = book_part.rpartition("/")
    rels_name = f"{folder}/_rels/{leaf}.rels" if folder else f"_rels/{leaf}.rels"
    rels = _relationships(package, member(rels_name, "工作簿关系"), folder)
    if any(typ.endswith("/vbaProject") for typ, _, _ in rels.values()):
        package.reject("macro", "工作簿含有宏（VBA），为安全起见不予读取")
    book = _Collect(
        ("sheet",),
        package.limits.max_sheets,
        package,
        f"工作表过多（上限 {package.limits.max_sheets} 张）",
        "too_many_sheets",
    )
    parse_part(package, book_part, book, "工作簿部件")
    sheets: list[SheetEntry] = []
    for _, a in book.items:
        if a.get("name", "").casefold() in {s.name.casefold() for s in sheets}:
            package.reject(
                "duplicate_sheet", f"有两张名为“{a['name']}”的工作表，Excel 不允许，文件被篡改"
            )
        rid = next((a[k] for k in _REL_ID if k in a), "")
        if rid not in rels or not a.get("name"):
            package.reject("corrupt", f"工作表“{a.get('name', '')}”找不到它的内容，文件已损坏")
        typ, target, external = rels[rid]
        part = None
        if typ.endswith("/worksheet"):
            if external:
                package.reject("corrupt", f"工作表“{a['name']}”指向外部文件，不予读取")
            part = member(target, f"工作表“{a['name']}”")
        sheets.append(SheetEntry(a["name"], a.get("state", "visible"), part))
    strings = next(
        (t for typ, t, ext in rels.values() if typ.endswith("/sharedStrings") and not ext), None
    )
    return Book(sheets, member(strings, "共享字符串") if strings else None)


def _relationships(package: Package, part: str, folder: str) -> dict[str, tuple[str, str, bool]]:
    """Id → (type, target member resolved against ``folder``, external?)."""
    rels = _Collect(("Relationship",), package.limits.max_members * 4 + 64, package)
    parse_part(package, part, rels, "关系部件")
    out = {}
    for _, a in rels.items:
        target = unquote(a.get("Target", ""))
        external = a.get("TargetMode") == "External"
        if not external:
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            target = posixpath.normpath(path)
            if target.startswith(("../", "/")) or target == "..":
                package.reject(
                    "bad_path", f"关系部件 {part} 指向包外的文件“{target[:80]}”，文件被篡改"
                )
        out[a.get("Id", "")] = (a.get("Type", ""), target, external)
    return out


class _Collect:
    """Attributes of the elements named ``wanted`` (at most ``cap`` of them)."""

    def __init__(
        self,
        wanted: tuple[str, ...],
        cap: int,
        package: Package,
        too_many: str = "部件中的条目过多",
        code: str = "zip_structure",
    ) -> None:
        self.wanted = wanted
        self.cap = cap
        self.package = package
        self.too_many = too_many
        self.code = code
        self.items: list[tuple[str, dict[str, str]]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = local_name(tag)
        if name in self.wanted:
            if len(self.items) >= self.cap:
                self.package.reject(self.code, self.too_many)
            self.items.append((name, attrib))

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def shared_strings(package: Package, part: str) -> list[str]:
    reader = _Strings(package)
    parse_part(package, part, reader, "共享字符串")
    return reader.strings


class _Strings:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.cap = package.limits.max_shared_strings
        self.max_text = package.limits.max_text_chars
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.size = 0
        self.collect = False
        self.in_rph = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = local_name(tag)
        if name == "t":
            self.collect = not self.in_rph
        elif name == "si":
            self.parts, self.size = [], 0
        elif name == "rPh":
            self.in_rph = True

    def data(self, text: str) -> None:
        if self.collect:
            self.size += len(text)
            if self.size > self.max_text:
                self.package.reject(
                    "bad_cell",
                    f"共享字符串第 {len(self.strings) + 1} 条超过 {self.max_text} 个字符",
                )
            self.parts.append(text)

    def end(self, tag: str) -> None:
        name = local_name(tag)
        if name == "t":
            self.collect = False
        elif name == "rPh":
            self.in_rph = False
        elif name == "si":
            if len(self.strings) >= self.cap:
                self.package.reject(
                    "too_many_strings", f"共享字符串超过 {self.cap} 条，不是上报工作簿的大小"
                )
            self.strings.append(unescape("".join(self.parts)))

    def close(self) -> None:
        pass


@dataclass
class Sheet:
    name: str
    cells: dict[int, dict[int, Any]] = field(default_factory=dict)

    def rows(self) -> list[list[Any]]:
        """Rows from row 1 to the last with a value, each as wide as the widest."""
        if not self.cells:
            return []
        width = max(max(row) for row in self.cells.values())
        out = [[None] * width for _ in range(max(self.cells))]
        for r, row in self.cells.items():
            for c, value in row.items():
                out[r - 1][c - 1] = value
        return out


def cell_ref(row: int, column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def read_sheet(
    package: Package, entry: SheetEntry, strings: list[str], *, strict: bool, max_rows: int
) -> Sheet:
    assert entry.part is not None
    reader = _SheetReader(package, Sheet(entry.name), strings, strict, max_rows)
    parse_part(package, entry.part, reader, reader.where)
    return reader.sheet


class _SheetReader:
    def __init__(
        self, package: Package, sheet: Sheet, strings: list[str], strict: bool, max_rows: int
    ) -> None:
        self.package = package
        self.sheet = sheet
        self.where = f"工作表“{sheet.name}”"
        self.strings = strings
        self.strict = strict
        self.max_rows = max_rows
        self.max_columns = package.limits.max_columns
        self.max_text = package.limits.max_text_chars
        self.row = 0
        self.column = 0
        self.ref: str | None = None
        self.kind = "n"
        self.formula = False
        self.parts: list[str] = []
        self.size = 0
        self.collect = False
        self.in_is = False
        self.in_rph = False

    def reject(self, code: str, detail: str) -> NoReturn:
        self.package.reject(code, f"{self.where}{detail}")

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]
        if name == "c":
            self.ref = attrib.get("r")
            self.kind = attrib.get("t", "n")
            self.formula = False
            self.parts = []
            self.size = 0
        elif name == "v":
            self.collect = True
        elif name == "t":
            self.collect = self.in_is and not self.in_rph
        elif name == "row":
            r = attrib.get("r")
            if r is None:
                self.row += 1
            elif _INDEX.fullmatch(r) and 0 < int(r) <= _MAX_ROW:
                self.row = int(r)
            else:
                self.reject("bad_cell", f"的行号“{r[:20]}”不正确，文件已损坏")
            self.column = 0
        elif name == "f":
            self.formula = True
        elif name == "is":
            self.in_is = True
        elif name == "rPh":
            self.in_rph = True

    def data(self, text: str) -> None:
        if self.collect:
            self.size += len(text)
            if self.size > self.max_text:
                self.reject(
                    "bad_cell", f"的单元格 {self.ref or ''} 内容超过 {self.max_text} 个字符"
                )
            self.parts.append(text)

    def end(self, tag: str) -> None:
        name = tag.rpartition("}")[2]
        if name == "c":
            self._cell()
        elif name == "v" or name == "t":
            self.collect = False
        elif name == "is":
            self.in_is = False
        elif name == "rPh":
            self.in_rph = False
        elif name == "sheetData":
            raise StopParsing

    def close(self) -> None:
        pass

    def _cell(self) -> None:
        if self.ref is None:
            row, column = self.row, self.column + 1
        else:
            m = _REF.fullmatch(self.ref)
            if m is None:
                self.reject("bad_cell", f"的单元格地址“{self.ref[:20]}”不正确，文件已损坏")
            row, column = int(m.group(2)), column_number(m.group(1))
        self.row, self.column = row, column
        if row > _MAX_ROW or column > _MAX_COLUMN:
            self.reject("bad_cell", f"的单元格地址“{self.ref}”超出 Excel 的范围，文件已损坏")
        value = self._value(row, column)
        if value is None:
            return
        if column > self.max_columns:
            self.reject(
                "too_many_columns",
                f"的单元格 {cell_ref(row, column)} 超出读取范围"
                f"（最多 {self.max_columns} 列），不予读取",
            )
        if row > self.max_rows:
            self.reject(
                "too_many_rows",
                f"超过 {self.max_rows} 行（第 {row} 行仍有内容），不是上报工作簿的大小，不予读取",
            )
        cells = self.sheet.cells.get(row)
        if cells is None:
            cells = self.sheet.cells[row] = {}
        cells[column] = value

    def _value(self, row: int, column: int) -> Any:
        text = "".join(self.parts) if self.parts else None
        kind = self.kind
        if kind == "n" and not self.formula:  # the common case first
            return None if not text else self._number(text, row, column)
        ref = cell_ref(row, column)
        if self.formula and self.strict:
            self.reject("formula", f"的单元格 {ref} 是公式，这里只能填写数值或文本")
        value: Any
        if kind == "n":
            value = None if not text else self._number(text, row, column)
        elif kind == "s":
            if text is None or not _INDEX.fullmatch(text) or int(text) >= len(self.strings):
                self.reject("bad_cell", f"的单元格 {ref} 引用了不存在的共享字符串，文件已损坏")
            value = self.strings[int(text)]
        elif kind in ("inlineStr", "str"):
            value = unescape(text) if text else None
        elif kind == "b":
            if text not in ("0", "1", None):
                self.reject("bad_cell", f"的单元格 {ref} 的逻辑值“{text[:20]}”不正确")
            value = None if text is None else text == "1"
        elif kind == "e":
            if self.strict:
                self.reject(
                    "error_value",
                    f"的单元格 {ref} 是错误值 {(text or '')[:20]}，这里只能填写数值或文本",
                )
            value = text
        elif kind == "d":
            if self.strict:
                self.reject("bad_cell", f"的单元格 {ref} 是日期，这里只能填写数值或文本")
            value = text
        else:
            self.reject("bad_cell", f"的单元格 {ref} 的类型“{kind[:20]}”无法识别")
        return None if value == "" else value

    def _number(self, text: str, row: int, column: int) -> int | float:
        text = text.strip()
        if len(text) > 40 or not _NUMBER.fullmatch(text):
            self.reject(
                "bad_cell", f"的单元格 {cell_ref(row, column)} 的数字“{text[:20]}”格式不正确"
            )
        if text.lstrip("+-").isdigit():
            return int(text)
        number = float(text)
        if not math.isfinite(number):
            self.reject("bad_cell", f"的单元格 {cell_ref(row, column)} 的数字超出范围")
        return number
