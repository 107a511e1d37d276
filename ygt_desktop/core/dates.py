"""Dates as users type them (``20260305``, ``2026-3-5``, ``2026/3/5``, ``2026.3.5``)."""

from __future__ import annotations

import datetime as dt
import re

_SEPARATED = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class DateError(ValueError):
    pass


def parse_date(text: str) -> dt.date:
    """Parse a typed date; raise :class:`DateError` with a Chinese reason."""
    s = text.strip()
    m = _SEPARATED.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif len(s) == 8 and s.isdigit():
        y, mo, d = int(s[:4]), int(s[4:6]), int(s[6:])
    else:
        raise DateError("日期格式应为 YYYY-MM-DD（也可输入 20260305 或 2026/3/5）")
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise DateError(f"日期 {s} 不存在") from None


_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")


def parse_month(text: str) -> str:
    """Parse a typed year-month (2019-03, 2019.3, 2019/3, 201903, 2019年3月) into
    ``"YYYY-MM"``; raise :class:`DateError` with a Chinese reason."""
    s = text.strip()
    m = _MONTH.match(s)
    if not m:
        raise DateError("年月格式应为 YYYY-MM（也可输入 201903、2019.3 或 2019年3月）")
    year, month = int(m.group(1)), int(m.group(2) or m.group(3))
    if not 1 <= month <= 12:
        raise DateError(f"年月 {s} 不存在（月份应为 1–12）")
    return f"{year:04d}-{month:02d}"


def month_of(day: dt.date) -> str:
    """The ``"YYYY-MM"`` of a date (to compare with a year-month value)."""
    return f"{day.year:04d}-{day.month:02d}"


def age_years(birth: dt.date, on: dt.date) -> int:
    """Age in full years on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_months(birth: dt.date, on: dt.date) -> int:
    """Age in full months on ``on``."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day:
        months -= 1
    return months


def age_text(birth: dt.date, on: dt.date) -> str:
    """Age as a list shows it: months under one (``7月``), years and months under three
    (``2岁3月``), whole years after (``45``)."""
    months = age_months(birth, on)
    if months < 12:
        return f"{max(months, 0)}月"
    if months < 36:
        return f"{months // 12}岁{months % 12}月" if months % 12 else f"{months // 12}岁"
    return str(age_years(birth, on))
