"""Organisation levels and codes: stations report upward to bureaus (spec users.md).

A station (站) or a centre (中心) keeps residents and services; a bureau — a district
(区) or a city (市) health bureau — keeps only the roster of its member organisations
and the workbooks they send. Codes are GB/T 2260-based: a station's is the county
code (6 digits) plus 3 (or 6) digits of its own; a district's is its county code
(``530102``), a city's its prefecture code ending in ``00`` (``530100``). Some bureaus
number themselves like a unit (9 or 12 digits); that is accepted too.
"""

from __future__ import annotations

import re

STATION_LEVELS = ("站", "中心")
BUREAU_LEVELS = ("区", "市")
LEVELS = STATION_LEVELS + BUREAU_LEVELS
# Who reports to whom: the levels a bureau's roster may hold.
MEMBER_LEVELS = {"区": STATION_LEVELS, "市": ("区",)}

_UNIT = re.compile(r"^\d{9}(\d{3})?$")
_AREA = re.compile(r"^\d{6}$")


def is_bureau(level: str | None) -> bool:
    return level in BUREAU_LEVELS


def levels_text(levels: tuple[str, ...]) -> str:
    """站、中心 或 区 — for messages."""
    return levels[0] if len(levels) == 1 else "、".join(levels[:-1]) + " 或 " + levels[-1]


def code_problem(code: str, level: str) -> str | None:
    """Why ``code`` cannot be the code of an organisation of ``level`` (Chinese), or None.

    The level must be valid already; ``level_problem`` says when it is not."""
    code = code or ""
    if level in BUREAU_LEVELS:
        if _AREA.match(code):
            if not _county_like(code):
                return "机构代码前6位应为 GB/T 2260 行政区划代码（如 530102）"
            if level == "市" and code[4:6] != "00":
                return "市级机构代码应为地级区划代码，以00结尾（如 530100）"
            if level == "区" and code[4:6] == "00":
                return "区级机构代码应为县级区划代码，不以00结尾（如 530102）"
            return None
        if not _UNIT.match(code):
            return f"{level}级机构代码应为6位行政区划代码（如 530102），或9位/12位机构代码"
    elif not _UNIT.match(code):
        return "机构代码应为9位（县级区划代码6位 + 乡镇3位）或12位数字"
    if not _county_like(code):
        return "机构代码前6位应为 GB/T 2260 县级行政区划代码（如 530102）"
    return None


def level_problem(level: str, allowed: tuple[str, ...] = LEVELS) -> str | None:
    if level in allowed:
        return None
    return f"机构级别应为 {levels_text(allowed)}"


def _county_like(code: str) -> bool:
    return 11 <= int(code[:2]) <= 82 and code[2:6] != "0000"
