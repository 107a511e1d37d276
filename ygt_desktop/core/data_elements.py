"""National data-element identifiers (WS 363 卫生信息数据元目录) carried by form fields.

A form field may say which national data element it records with ``de_code`` (e.g.
``DE04.10.174.00`` 收缩压): ``DE`` + class (2 digits) + subclass (2) + serial (3) + version
(2), dotted. Exports and exchange can name a value by it; the form file stays the one
place that says so (the sources of the codes used: ``resources/codes/de_codes_sources.md``).

One form records a data element once. A field whose meaning differs from the element (a
target weight next to the weight) carries no code. Where a form really records the same
element twice (the blood pressure of the left and of the right arm), each such field says
which one with ``de_qualifier`` (e.g. "左侧", "右侧"), and code and qualifier together are
unique in the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

DE_CODE = re.compile(r"^DE\d{2}\.\d{2}\.\d{3}\.\d{2}$")
DE_CODE_EXAMPLE = "DE04.10.174.00"


class _Coded(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def de_code(self) -> str | None: ...
    @property
    def de_qualifier(self) -> str | None: ...
    @property
    def columns(self) -> tuple[Any, ...]: ...


def de_code_problem(raw: Mapping[str, Any]) -> str | None:
    """What is wrong with a field's ``de_code`` and ``de_qualifier`` as written in the
    form file (None: nothing, or no code at all)."""
    code = raw.get("de_code")
    qualifier = raw.get("de_qualifier")
    if code is None:
        if qualifier is not None:
            return "有 de_qualifier 却没有 de_code"
        return None
    if not isinstance(code, str) or not DE_CODE.match(code):
        return (
            f"de_code {code!r} 格式不对：应为 WS 363 数据元标识符，"
            f"DE 加“两位.两位.三位.两位”数字（如 {DE_CODE_EXAMPLE}）"
        )
    if qualifier is not None and (not isinstance(qualifier, str) or not qualifier.strip()):
        return "de_qualifier 应为非空文字（如 左侧、右侧）"
    return None


def coded_fields(fields: Iterable[_Coded]) -> list[tuple[str, _Coded]]:
    """Every field and repeating-group column with a code, as (where, field): the
    column's place is ``group.column``."""
    found: list[tuple[str, _Coded]] = []
    for f in fields:
        if f.de_code:
            found.append((f.id, f))
        for column in f.columns:
            if column.de_code:
                found.append((f"{f.id}.{column.id}", column))
    return found


def duplicate_de_code(fields: Iterable[_Coded]) -> tuple[str, str] | None:
    """The first field (its place) that repeats an earlier field's code and qualifier in
    one form, with the message; None when every (code, qualifier) is unique."""
    first: dict[tuple[str, str], str] = {}
    for where, f in coded_fields(fields):
        assert f.de_code is not None
        key = (f.de_code, f.de_qualifier or "")
        if key in first:
            return where, (
                f"de_code {f.de_code} 与字段 {first[key]} 相同：一个表单中一个数据元只记一次；"
                "确需记两处（如左、右两侧）时，各写不同的 de_qualifier"
            )
        first[key] = where
    return None
