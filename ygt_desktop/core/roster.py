"""A bureau's roster of member organisations as typed in a file: header, rows, checks.

The file (a workbook or a CSV) has a header row ``code,name,level,parent`` — or the
Chinese 机构代码 / 机构名称 / 级别 / 上级代码 — in any order, then one organisation per
row. Every row is checked (code format for its level, a level the bureau's members may
have, a name, no code twice); errors name the row as the user sees it in Excel (the
header is row 1 when it is the first line). Pure: the readers of the file formats
are in :mod:`ygt_desktop.reports.roster_file`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .org_codes import LEVELS, MEMBER_LEVELS, code_problem, level_problem

COLUMNS = ("code", "name", "level", "parent")
HEADER_NAMES = {
    "code": ("code", "机构代码", "代码", "org_code"),
    "name": ("name", "机构名称", "名称", "org_name"),
    "level": ("level", "级别", "机构级别", "org_level"),
    "parent": ("parent", "上级代码", "上级机构代码", "parent_code"),
}
MAX_NAME = 60
MAX_ERRORS = 50  # listed; the count says how many more


class RosterFileError(ValueError):
    """The roster cannot be imported; ``errors`` lists each problem (Chinese, with its
    row). Nothing of the file is used then."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        shown = self.errors[:MAX_ERRORS]
        more = len(self.errors) - len(shown)
        text = "\n".join(shown) + (f"\n……另有 {more} 处错误" if more > 0 else "")
        super().__init__(text)


@dataclass(frozen=True)
class MemberRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    row: int  # the file's row number


def cell_text(value: object) -> str:
    """A cell as text: a code typed as a number (530102001, 530102001.0) loses nothing;
    surrounding spaces, the BOM and full-width spaces are dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\ufeff", "").replace("\u3000", " ").strip()


def _header_map(header: Sequence[str]) -> dict[str, int] | None:
    lookup = {alias.lower(): key for key, aliases in HEADER_NAMES.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, text in enumerate(header):
        key = lookup.get(cell_text(text).lower())
        if key is not None and key not in found:
            found[key] = i
    return found if {"code", "name", "level"} <= found.keys() else None


def _field(cells: Sequence[str], columns: dict[str, int], key: str) -> str:
    i = columns.get(key)
    return cells[i] if i is not None and i < len(cells) else ""


def parse_roster(
    rows: Iterable[Sequence[object]],
    bureau_level: str,
    *,
    bureau_code: str | None = None,
) -> list[MemberRow]:
    """Check ``rows`` (the file's rows from its first, as read) and return the members.

    Blank rows are skipped. The header is the first non-blank row. ``bureau_level``
    (区 or 市) decides which levels members may have. Raises :class:`RosterFileError`
    with every problem found; a file with problems gives no members at all.
    """
    allowed = MEMBER_LEVELS.get(bureau_level, LEVELS)
    errors: list[str] = []
    members: list[MemberRow] = []
    seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    for number, raw in enumerate(rows, start=1):
        cells = [cell_text(c) for c in raw]
        if not any(cells):
            continue
        if columns is None:
            columns = _header_map(cells)
            if columns is None:
                raise RosterFileError(
                    [
                        f"第{number}行应为表头：code,name,level,parent（或 机构代码,机构名称,级别,"
                        f"上级代码），现为：{','.join(c for c in cells if c)[:80]}"
                    ]
                )
            continue
        code, name, level, parent = (_field(cells, columns, key) for key in COLUMNS)
        where = f"第{number}行"
        problems = []
        if not code:
            problems.append("缺少机构代码")
        if problem := level_problem(level, allowed):
            shown = f"“{level}”" if level else "为空"
            problems.append(f"级别{shown}不对：{bureau_level}级机构的成员" + problem[2:])
        elif code and (problem := code_problem(code, level)):
            problems.append(f"机构代码“{code}”不对：{problem}")
        if not name:
            problems.append("缺少机构名称")
        elif len(name) > MAX_NAME:
            problems.append(f"机构名称超过{MAX_NAME}个字")
        if parent and not re.fullmatch(r"\d{6,12}", parent):
            problems.append(f"上级代码“{parent}”应为6–12位数字")
        elif parent and parent == code:
            problems.append("上级代码不能是机构自己的代码")
        if code and bureau_code and code == bureau_code:
            problems.append(f"机构代码 {code} 是本机构自己的代码")
        if code in seen:
            problems.append(f"机构代码 {code} 与第{seen[code]}行重复")
        elif code:
            seen[code] = number
        if problems:
            errors.append(f"{where}：" + "；".join(problems))
        else:
            members.append(MemberRow(code, name, level, parent or None, number))
    if columns is None:
        raise RosterFileError(["文件是空的：第1行应为表头 code,name,level,parent"])
    if errors:
        raise RosterFileError(errors)
    if not members:
        raise RosterFileError(["表头下没有任何机构"])
    return members


def decode_csv(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without the BOM Excel writes for "CSV UTF-8")
    or GBK/GB18030 (what Excel on Chinese Windows writes for plain "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterFileError(["无法识别文件的文字编码（应为 UTF-8 或 GBK）"])
