"""What a service form's expressions may know besides its own fields.

Relevance, computed fields, checks and rules in a service form file can name these
(e.g. ``weeks_between(lmp, visit_date)`` or ``age_years >= 65``). The storage layer
fills them from the resident, the open episode and the previous record of the same
form before a record is checked; the form loader refuses any other unknown name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .dates import age_months, age_years
from .programmes import EPISODES, REGISTERS

CONTEXT_NAMES: dict[str, str] = {
    "age_years": "服务日期时的周岁年龄",
    "age_months": "服务日期时的月龄",
    "age_days": "服务日期时的日龄",
    "sex": "性别代码",
    "birth_date": "出生日期",
    "lmp": "本次妊娠的末次月经日期",
    "pregnancy_registered": "本次妊娠的建册日期（第1次产前检查的填表日期）",
    "delivery_date": "本次妊娠的分娩日期",
    "discharge_date": "本次妊娠（或新生儿）的出院日期",
    "notification_date": "本次肺结核病例的报告日期",
    "prev_controlled": "同一表单上次记录是否控制满意（无上次记录为空）",
    "prev_date": "同一表单上次记录的服务日期",
    **{f"has_{key}": f"已登记{label}" for key, label in REGISTERS.items()},
    **{f"open_{key}": f"有未结案的{label}" for key, label in EPISODES.items()},
}


def resident_context(birth: dt.date | None, sex: str | None, on: dt.date | None) -> dict[str, Any]:
    """Age and sex facts of a resident on the service date."""
    ctx: dict[str, Any] = {"sex": sex, "birth_date": birth}
    if birth and on and on >= birth:
        ctx.update(
            age_years=age_years(birth, on),
            age_months=age_months(birth, on),
            age_days=(on - birth).days,
        )
    return ctx


def complete(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Every context name present (missing ones as None), so expressions never fail."""
    return {name: ctx.get(name) for name in CONTEXT_NAMES}
