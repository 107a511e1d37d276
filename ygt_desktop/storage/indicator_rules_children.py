"""Indicators of children 0–6 (issue 14): child.system, 3岁以下儿童系统管理率 (妇幼年报;
spec forms-national.md §11 suggests child.sys3, but report codes are letters, dots and
underscores only: core/report_model.py).

Numerator: children under 3 at the window's end, archive open then, checked at the
required frequency — in each year of life, at least as many child checks (any form of
:data:`~.worklist_children.CHECK_FORMS`, the retired one-form check included) as the
checks of that year whose window has ended by the window's end, up to the norm of the
year (template setting ``child_sys3_checks``, default 4 : 2 : 2 — 满月, 3, 6, 8 月龄;
12, 18; 24, 30 from the band forms' ``[schedule]``). A child none of whose checks has
come due yet has nothing missing and counts. Denominator: the children under 3 then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from ..core.schedules import add_months
from .indicators import Counted, Indicators, computes
from .worklist_children import (
    BAND_FORMS,
    CHECK_FORMS,
    check_points,
    check_windows,
    tcm_filled,
)

SYS3_NORM = (4, 2, 2)  # checks a year in the 1st, 2nd and 3rd year of life (4:2:2)


def _year_of_life(birth: dt.date, day: dt.date) -> int:
    """0 for the first year of life (birth to the day before the 1st birthday) …"""
    year = 0
    while add_months(birth, 12 * (year + 1)) <= day:
        year += 1
    return year


@computes("child.system")
def _system_managed(ix: Indicators) -> list[Counted]:
    pool = ix.aged(ix.we, years_below=3)
    norm = tuple(int(n) for n in ix.setting("child_sys3_checks", list(SYS3_NORM)))
    points = check_points(ix.forms)
    if not pool or not points:
        return [Counted("child.system", numerator=set(), denominator=pool)]
    births = {rid: b for rid, b in ix.born(add_months(ix.we, -36), ix.we).items() if rid in pool}
    since = add_months(ix.we, -12 * len(norm)) - dt.timedelta(days=1)
    checks: dict[int, list[int]] = defaultdict(lambda: [0] * len(norm))
    # per birth date (7,400 children under 3 at 265,000 residents, 1,100 birth dates):
    # their birthdays within the norm's years, and the checks required by the window's end
    birthdays: dict[dt.date, list[dt.date]] = {}
    required: dict[dt.date, list[int]] = {}
    for form_id in CHECK_FORMS:
        for _, rid, day in ix.rows(form_id, start=since, end=ix.we):
            if rid in births and (on := dt.date.fromisoformat(day)) >= births[rid]:
                birth = births[rid]  # a check dated before birth: none
                marks = birthdays.get(birth)
                if marks is None:
                    marks = birthdays[birth] = [
                        add_months(birth, 12 * (n + 1)) for n in range(len(norm))
                    ]
                year = sum(1 for mark in marks if mark <= on)  # as _year_of_life
                if year < len(norm):
                    checks[rid][year] += 1
    none = [0] * len(norm)
    managed = set()
    for rid, birth in births.items():
        want = required.get(birth)
        if want is None:
            want = required[birth] = required_by_year(birth, points, ix.we, norm)
        if all(got >= n for got, n in zip(checks.get(rid, none), want, strict=True)):
            managed.add(rid)
    return [Counted("child.system", numerator=managed, denominator=pool)]


def required_by_year(
    birth: dt.date,
    points: Sequence[tuple[int | None, int, int, str]],
    on: dt.date,
    norm: Sequence[int],
) -> list[int]:
    """Checks required in each year of life by ``on``: the checks of that year whose
    window has ended, at most the year's ``norm``."""
    due = [0] * len(norm)
    for _, _, first, last in check_windows(birth, points):
        year = _year_of_life(birth, first)
        if year < len(norm) and last <= on:
            due[year] += 1
    return [min(d, n) for d, n in zip(due, norm, strict=True)]


def tcm_in_checks(ix: Indicators) -> set[int]:
    """Residents with a child check in the window whose 中医药健康管理服务 row is filled
    (the 2017 forms record the children's TCM guidance there): tcm.child counts them with
    the stand-alone 儿童中医药健康管理服务记录表's."""
    out: set[int] = set()
    for form_id in BAND_FORMS:
        if form_id not in ix.forms:
            continue
        filled = tcm_filled(ix.forms[form_id], "d")
        if filled is not None:
            out |= {rid for _, rid, _, yes in ix.rows(form_id, f"({filled})") if yes}
    return out
