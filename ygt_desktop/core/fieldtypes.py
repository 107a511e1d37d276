"""The field-type table: one entry per type says how it is stored, parsed and checked.

A field type turns what a user typed (text) into a value, and checks a value against a
field's limits. ``parse`` raises :class:`FieldError` with a Chinese message; ``check``
returns ``None`` or a Chinese message. The UI picks a widget per type name and the
storage layer the SQL column type, both from this table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from . import idnumber
from .dates import DateError, month_of, parse_date, parse_month

if TYPE_CHECKING:
    from .forms import FieldDef

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FieldError(ValueError):
    pass


@dataclass(frozen=True)
class FieldType:
    name: str
    sql_type: str  # SQLite column affinity used by migrations and the drift test

    def parse(self, text: str, field: FieldDef) -> Any:
        s = clean_text(text)
        return s or None

    def check(self, value: Any, field: FieldDef) -> str | None:
        return None

    def to_sql(self, value: Any) -> Any:
        return value

    def from_sql(self, value: Any) -> Any:
        return value

    def display(self, value: Any, field: FieldDef) -> str:
        if value is None:
            return ""
        return str(value)


def clean_text(text: Any) -> str:
    """Strip blanks and control characters pasted from Word (they break exports)."""
    if text is None:
        return ""
    return _CONTROL.sub("", str(text)).strip()


class TextType(FieldType):
    def check(self, value: Any, field: FieldDef) -> str | None:
        if field.max_length and len(value) > field.max_length:
            return f"{field.label}最多{field.max_length}个字，现为{len(value)}个字"
        if field.pattern and not re.fullmatch(field.pattern, value):
            return f"{field.label}格式不正确：{field.pattern_hint or field.pattern}"
        return None


class NumberType(FieldType):
    integer: bool = False

    def parse(self, text: str, field: FieldDef) -> Any:
        s = clean_text(text)
        if not s:
            return None
        try:
            if self.name == "int":
                return int(s)
            d = Decimal(s)
            if not d.is_finite():
                raise InvalidOperation
            return float(d)
        except (ValueError, InvalidOperation):
            kind = "整数" if self.name == "int" else "数字"
            raise FieldError(f"{field.label}应为{kind}") from None

    def check(self, value: Any, field: FieldDef) -> str | None:
        unit = field.unit or ""
        if (
            field.min is not None
            and field.max is not None
            and not (field.min <= value <= field.max)
        ):
            return f"{field.label}应在 {_num(field.min)}–{_num(field.max)}{unit} 之间"
        if field.min is not None and value < field.min:
            return f"{field.label}不应小于 {_num(field.min)}{unit}"
        if field.max is not None and value > field.max:
            return f"{field.label}不应大于 {_num(field.max)}{unit}"
        return None

    def display(self, value: Any, field: FieldDef) -> str:
        return "" if value is None else _num(value)


def _num(v: float | int) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


class DateType(FieldType):
    def parse(self, text: str, field: FieldDef) -> Any:
        if isinstance(text, dt.date):
            return text
        s = clean_text(text)
        if not s:
            return None
        try:
            return parse_date(s)
        except DateError as exc:
            raise FieldError(f"{field.label}：{exc}") from None

    def check(self, value: Any, field: FieldDef) -> str | None:
        if field.not_future and value > dt.date.today():
            return f"{field.label}不能晚于今天（{dt.date.today().isoformat()}）"
        if value.year < 1880:
            return f"{field.label}不合理（{value.isoformat()}）"
        return None

    def to_sql(self, value: Any) -> Any:
        return value.isoformat() if value is not None else None

    def from_sql(self, value: Any) -> Any:
        return dt.date.fromisoformat(value) if value else None

    def display(self, value: Any, field: FieldDef) -> str:
        return value.isoformat() if value else ""


class MonthType(FieldType):
    """A year and month as the paper forms print 年/月 (确诊时间, 入院时间), kept as
    ``"YYYY-MM"`` text: it sorts and compares as text (see ``month_of`` in expressions)."""

    def parse(self, text: Any, field: FieldDef) -> Any:
        if isinstance(text, dt.date):
            return month_of(text)
        s = clean_text(text)
        if not s:
            return None
        try:
            return parse_month(s)
        except DateError as exc:
            raise FieldError(f"{field.label}：{exc}") from None

    def check(self, value: Any, field: FieldDef) -> str | None:
        this_month = month_of(dt.date.today())
        if field.not_future and value > this_month:
            return f"{field.label}不能晚于本月（{this_month}）"
        if value < "1880-01":
            return f"{field.label}不合理（{value}）"
        return None


class ChoiceType(FieldType):
    def check(self, value: Any, field: FieldDef) -> str | None:
        # Dynamic lists (villages) are checked by whoever resolves them.
        if field.choices and value not in field.choice_labels:
            return f"{field.label}应为以下之一：" + "、".join(c.label for c in field.choices)
        return None

    def display(self, value: Any, field: FieldDef) -> str:
        if value is None:
            return ""
        return field.choice_labels.get(value, str(value))


class MultiChoiceType(FieldType):
    """Several codes, stored as a comma-joined string ``"1,3"``."""

    def parse(self, text: Any, field: FieldDef) -> Any:
        if isinstance(text, list | tuple):
            items = [clean_text(t) for t in text]
        else:
            items = [p.strip() for p in clean_text(text).split(",")]
        items = [i for i in items if i]
        return items or None

    def check(self, value: Any, field: FieldDef) -> str | None:
        bad = [v for v in value if field.choices and v not in field.choice_labels]
        if bad:
            return f"{field.label}含有无效选项：{'、'.join(bad)}"
        return None

    def to_sql(self, value: Any) -> Any:
        return ",".join(value) if value else None

    def from_sql(self, value: Any) -> Any:
        return value.split(",") if value else None

    def display(self, value: Any, field: FieldDef) -> str:
        return "、".join(field.choice_labels.get(v, v) for v in value or [])


class BoolType(FieldType):
    _TRUE = {"1", "true", "是", "yes", "y", "t"}
    _FALSE = {"0", "false", "否", "no", "n", "f"}

    def parse(self, text: Any, field: FieldDef) -> Any:
        if isinstance(text, bool):
            return text
        s = clean_text(text).lower()
        if not s:
            return None
        if s in self._TRUE:
            return True
        if s in self._FALSE:
            return False
        raise FieldError(f"{field.label}应为 是 或 否")

    def to_sql(self, value: Any) -> Any:
        return None if value is None else int(bool(value))

    def from_sql(self, value: Any) -> Any:
        return None if value is None else bool(value)

    def display(self, value: Any, field: FieldDef) -> str:
        return "" if value is None else ("是" if value else "否")


class IdNumberType(FieldType):
    def parse(self, text: str, field: FieldDef) -> Any:
        s = clean_text(text)
        if not s:
            return None
        try:
            return idnumber.parse(s).number
        except idnumber.IdNumberError as exc:
            raise FieldError(str(exc)) from None


class PhoneType(FieldType):
    def parse(self, text: str, field: FieldDef) -> Any:
        s = clean_text(text).replace(" ", "")
        if not s:
            return None
        if not PHONE_RE.match(s):
            raise FieldError(f"{field.label}应为11位手机号（1开头）或带区号的固定电话")
        return s


class RowsType(FieldType):
    """A repeating group (:mod:`.rows`): a list of rows, kept in a child table, so no
    column of the form's own table (``sql_type`` empty). Parsing and checking are
    :func:`.rows.process_rows`'s, cell by cell."""

    def parse(self, text: Any, field: FieldDef) -> Any:
        return text

    def display(self, value: Any, field: FieldDef) -> str:
        from .rows import display_rows

        return display_rows(value, field)


FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        TextType("text", "TEXT"),
        TextType("longtext", "TEXT"),
        NumberType("int", "INTEGER"),
        NumberType("decimal", "REAL"),
        DateType("date", "TEXT"),
        MonthType("month", "TEXT"),
        ChoiceType("choice", "TEXT"),
        MultiChoiceType("multichoice", "TEXT"),
        BoolType("bool", "INTEGER"),
        IdNumberType("idnumber", "TEXT"),
        PhoneType("phone", "TEXT"),
        RowsType("rows", ""),
    )
}
