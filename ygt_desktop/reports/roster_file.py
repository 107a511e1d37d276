"""Read a roster file (成员机构名册) — ``.xlsx`` or ``.csv`` — into rows of text for
:func:`ygt_desktop.core.roster.parse_roster`.

The bureau makes this file itself, yet it is read with the same caution as any file
from a USB stick: a size limit, the zip's members checked before openpyxl parses it
(count, uncompressed size, compression ratio), and rows and columns capped (openpyxl
trusts the declared sheet size). CSV may be UTF-8 (with or without the BOM) or GBK,
as Excel on Chinese Windows writes "CSV (逗号分隔)". A cell that :func:`roster_csv`
made formula-safe (``'=…``) reads back as typed, so an exported roster imports again
unchanged.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import load_workbook

from ..core.roster import MemberRow, RosterFileError, decode_csv, parse_roster
from .formulas import FORMULA_START, csv_bytes

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 20
MAX_MEMBERS = 2_000  # zip members
MAX_UNPACKED = 200 * 1024 * 1024
MAX_RATIO = 200


def read_roster(
    path: Path, bureau_level: str, *, bureau_code: str | None = None
) -> list[MemberRow]:
    """The members listed in ``path``; RosterFileError naming each problem otherwise."""
    return parse_roster(roster_rows(path), bureau_level, bureau_code=bureau_code)


def roster_rows(path: Path) -> list[list[object]]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise RosterFileError(
                [f"文件 {path.name} 超过 {MAX_BYTES // 1024 // 1024} MB，不像是名册"]
            )
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise RosterFileError([f"无法读取文件 {path.name}：{exc.strerror or exc}"]) from None
    if head.startswith(b"PK"):
        return _xlsx_rows(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            [f"{path.name} 是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后导入"]
        )
    if path.suffix.lower() not in (".csv", ".txt"):
        raise RosterFileError([f"{path.name} 不是 .xlsx 工作簿，也不是 CSV 文件"])
    return _csv_rows(path.read_bytes())


def _csv_rows(data: bytes) -> list[list[object]]:
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    rows: list[list[object]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if len(rows) >= MAX_ROWS:
            raise RosterFileError([f"文件超过 {MAX_ROWS} 行，不像是名册"])
        rows.append([_unguarded(cell) for cell in row[:MAX_COLUMNS]])
    return rows


def _unguarded(cell: str) -> str:
    """A cell without the ``'`` that :func:`~.formulas.formula_safe` put before a
    formula start."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def _xlsx_rows(path: Path) -> list[list[object]]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RosterFileError([f"{path.name} 已损坏，不是有效的 .xlsx 工作簿"]) from None
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > MAX_MEMBERS or unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        raise RosterFileError([f"{path.name} 解压后过大或结构异常，为安全起见不予读取"])
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise RosterFileError([f"{path.name} 无法作为 .xlsx 工作簿打开（已损坏或加密）"]) from None
    try:
        sheets = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not sheets:
            raise RosterFileError([f"{path.name} 没有可见的工作表"])
        ws = sheets[0]
        ws.reset_dimensions()  # never trust the declared size
        rows: list[list[object]] = []
        for row in ws.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            if len(rows) >= MAX_ROWS:
                raise RosterFileError([f"工作表超过 {MAX_ROWS} 行，不像是名册"])
            rows.append(list(row))
        return rows
    finally:
        wb.close()


def roster_csv(rows: Sequence[Sequence[str | None]]) -> bytes:
    """A roster as CSV that :func:`read_roster` reads back: the Chinese header, then
    code, name, level, parent per row; UTF-8 with the BOM, so Excel shows it right."""
    return csv_bytes(("机构代码", "机构名称", "级别", "上级代码"), rows)
