"""A small, safe expression language for form files (relevance and computed fields).

Expressions are Python syntax restricted to: names of fields, literals, comparisons,
``and``/``or``/``not``, ``in`` with literal lists, arithmetic, and calls to the
functions in :data:`FUNCTIONS`. Anything else is refused when the form file is loaded,
so a typo in a form file fails at start-up instead of on a user's save.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from . import idnumber
from .dates import age_months, age_years, month_of


class ExpressionError(ValueError):
    pass


def _id_info(number: Any) -> idnumber.IdInfo | None:
    if not number:
        return None
    try:
        return idnumber.parse(str(number))
    except idnumber.IdNumberError:
        return None


def _id_sex(number: Any) -> str | None:
    info = _id_info(number)
    return info.sex if info else None


def _id_birth(number: Any) -> dt.date | None:
    info = _id_info(number)
    return info.birth_date if info else None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _bmi(weight: Any, height_cm: Any) -> float | None:
    if not weight or not height_cm:
        return None
    return round(float(weight) / (float(height_cm) / 100) ** 2, 1)


def _age(birth: Any, on: Any) -> int | None:
    if not isinstance(birth, dt.date) or not isinstance(on, dt.date):
        return None
    return age_years(birth, on)


def _months(birth: Any, on: Any) -> int | None:
    if not isinstance(birth, dt.date) or not isinstance(on, dt.date):
        return None
    return age_months(birth, on)


def _today() -> dt.date:
    # Not dt.date.today itself: called from the sandbox (no builtins) it fails importing
    # the time module (KeyError: '__import__').
    return dt.date.today()


def _days_between(start: Any, end: Any) -> int | None:
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return None
    return (end - start).days


def _weeks_between(start: Any, end: Any) -> int | None:
    """Full weeks from ``start`` to ``end`` (gestational week from the LMP)."""
    days = _days_between(start, end)
    return None if days is None else days // 7


def _add_days(start: Any, days: Any) -> dt.date | None:
    if not isinstance(start, dt.date) or days is None:
        return None
    return start + dt.timedelta(days=int(days))


def _month_of(day: Any) -> str | None:
    """A date's ``"YYYY-MM"``, to compare with a year-month field (``month`` type)."""
    return month_of(day) if isinstance(day, dt.date) else None


def _count(*values: Any) -> int:
    """How many of ``values`` are true (or, for lists, not empty)."""
    return sum(1 for v in values if v)


def _size(value: Any) -> int:
    """How many items ``value`` holds: a list's (a multichoice's ticked codes, a
    repeating group's lines), a multichoice as stored (``"1,3"``: its codes); 0 for
    none or empty; any other single value counts 1."""
    if value is None or value == "":
        return 0
    if isinstance(value, list | tuple | set | frozenset):
        return len(value)
    if isinstance(value, str):
        return sum(1 for part in value.split(",") if part.strip())
    return 1


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "days_between": _days_between,
    "weeks_between": _weeks_between,
    "add_days": _add_days,
    "count": _count,
    "size": _size,
    "round": round,
    "id_sex": _id_sex,
    "id_birth": _id_birth,
    "empty": _empty,
    "bmi": _bmi,
    "years_between": _age,
    "months_between": _months,
    "today": _today,
    "month_of": _month_of,
}
_CALLED = "_fn_"
_CALLABLE = {_CALLED + name: fn for name, fn in FUNCTIONS.items()}

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Call,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.IfExp,
)


class Expression:
    """A parsed expression; :meth:`names` are the fields it reads."""

    def __init__(self, source: str) -> None:
        self.source = source
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as exc:
            raise ExpressionError(f"表达式语法错误：{source!r}（{exc.msg}）") from None
        # One pass (every form's expressions are parsed at start-up): a call is met
        # before the name it calls (the walk goes down level by level). A function is
        # called under a name no field can have (field ids start with a letter), so a
        # field named like a function (bmi) stays the field's value.
        called: set[int] = set()
        names: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED):
                raise ExpressionError(f"表达式中不允许 {type(node).__name__}：{source!r}")
            if isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                    raise ExpressionError(f"表达式调用了未知函数：{source!r}")
                if node.keywords:
                    raise ExpressionError(f"表达式函数不支持关键字参数：{source!r}")
                node.func.id = _CALLED + node.func.id
                called.add(id(node.func))
            elif isinstance(node, ast.Name) and id(node) not in called:
                names.add(node.id)
        self._code = compile(tree, "<form>", "eval")
        self.names = frozenset(names)

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        scope: dict[str, Any] = {name: values.get(name) for name in self.names}
        scope.update(_CALLABLE)
        try:
            return eval(self._code, {"__builtins__": {}}, scope)  # noqa: S307 - whitelisted AST
        except TypeError:
            # Comparing a missing (None) value with a number: the condition is not met.
            return None
