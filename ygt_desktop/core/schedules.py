"""When services are due: windows per programme, and their status on a given day.

Pure functions over plain facts (dates of birth, registrations, visits); the storage
layer gathers the facts, the worklist shows the result. Windows come from the
national schedule (spec/services.md); the numbers that a bureau may change are
parameters with the national value as default.

Status of a due item on day ``on``: 已访 (done in its window), 应访 (window open, not
done), 逾期 (window passed, not done), 未到 (window not yet open), 失访 / 结案 (the
patient was closed as lost to follow-up / for another reason before the window).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from .programmes import REGISTERS

DONE, DUE, OVERDUE, UPCOMING, LOST, CLOSED = "已访", "应访", "逾期", "未到", "失访", "结案"

# The name of each programme the worklist shows: every due item's label says it
# ("高血压随访（2026年第4季度）", "高血压复查随访（2周内）", "肺结核强化期随访"), the 本年未做
# counts name their service with it, and the CSV export has it in 服务. The registers'
# names are the form files' (``programmes``).
PROGRAMME_NAMES = {
    **REGISTERS,
    "elderly": "健康体检",  # 65+ and the registers' patients (core.programmes)
    "tcm_elderly": "中医体质辨识",
    "child": "儿童健康检查",
    "tcm_child": "儿童中医药健康管理",
    "newborn": "新生儿家庭访视",
    "vaccination": "预防接种建证",
    "vaccine": "预防接种",
    "prenatal": "产前随访",
    "postpartum": "产后",
    "tb": "肺结核",
    "referral": "转诊",
}


def programme_name(programme: str) -> str:
    """The Chinese name of ``programme`` (its code when it has none)."""
    return PROGRAMME_NAMES.get(programme, programme)


class Due(NamedTuple):  # a tuple: the worklist makes tens of thousands at a time
    programme: str  # htn / dm / smi / elderly / tcm_elderly / child / tcm_child / prenatal …
    form_id: str  # the form whose record fulfils it
    label: str
    start: dt.date
    end: dt.date
    done: dt.date | None = None
    closed: str | None = None  # LOST or CLOSED when the patient left before the window

    def status(self, on: dt.date) -> str:
        if self.done is not None:
            return DONE
        if self.closed:
            return self.closed
        if on > self.end:
            return OVERDUE
        if on >= self.start:
            return DUE
        return UPCOMING

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= end and self.end >= start


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]
    return dt.date(year, month, day.day if day.day <= last else last)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _first_in(visits: Iterable[dt.date], start: dt.date, end: dt.date) -> dt.date | None:
    inside = [v for v in visits if start <= v <= end]
    return min(inside) if inside else None


def _closed_status(closed_on: dt.date | None, reason_lost: bool, start: dt.date) -> str | None:
    if closed_on is not None and closed_on < start:
        return LOST if reason_lost else CLOSED
    return None


def chronic_quarters(
    programme: str,
    form_id: str,
    registered: dt.date,
    face_to_face: Sequence[dt.date],
    until: dt.date,
    closed_on: dt.date | None = None,
    lost: bool = False,
) -> list[Due]:
    """One face-to-face follow-up in every quarter from registration to ``until``,
    labelled with the programme (``高血压随访（2026年第4季度）``).

    This is the quarterly form of the national "≥ 4 face-to-face a year" that the
    report counts (spec/indicators.md, standard management).
    """
    items = []
    name = programme_name(programme)
    year, quarter = quarter_of(registered)
    while quarter_bounds(year, quarter)[0] <= until:
        start, end = quarter_bounds(year, quarter)
        items.append(
            Due(
                programme,
                form_id,
                f"{name}随访（{year}年第{quarter}季度）",
                start,
                end,
                _first_in(face_to_face, max(start, registered), end),
                _closed_status(closed_on, lost, start),
            )
        )
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return items


def rechecks(
    programme: str,
    form_id: str,
    visits: Sequence[dt.date],
    recheck_by: Sequence[tuple[dt.date, dt.date]],
) -> list[Due]:
    """Re-checks the clinical rules asked for: (visit date, re-check date) pairs; done by
    any later visit up to the re-check date (a late visit still closes it late: 逾期).
    Labelled with the programme: ``高血压复查随访（2周内）``."""
    items = []
    label = f"{programme_name(programme)}复查随访（2周内）"
    for visit, by in recheck_by:
        later = [v for v in visits if visit < v <= by]
        items.append(
            Due(
                programme,
                form_id,
                label,
                visit + dt.timedelta(days=1),
                by,
                min(later) if later else None,
            )
        )
    return items


def yearly_spans(
    programme: str,
    form_id: str,
    label: str,
    spans: Sequence[tuple[dt.date, dt.date | None]],
    records: Sequence[dt.date],
    years: Iterable[int],
) -> list[Due]:
    """Once a calendar year while the resident is in one of ``spans`` (first day, last
    day or None: still in), labelled ``{label}（2026年）``: the yearly health check of a
    65+ resident (the span from the 65th birthday) or of a register's patient (from the
    registration to the register's end). The window runs from the year's first day in a
    span to the year's end; a year whose spans all end before its last day, not done,
    is 结案 (the patient left the register)."""
    items = []
    for year in years:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        inside = [(a, b) for a, b in spans if a <= last and (b is None or b >= first)]
        if not inside:
            continue
        start = max(first, min(a for a, _ in inside))
        done = _first_in(records, start, last)
        ended = all(b is not None and b < last for _, b in inside)
        items.append(
            Due(
                programme,
                form_id,
                f"{label}（{year}年）",
                start,
                last,
                done,
                CLOSED if ended and done is None else None,
            )
        )
    return items


# The 0–6 checks, each recorded on the form of its age band (forms-national.md §4), in age
# order: their ``[schedule]`` tables hold the check points (:func:`child_points`).
CHILD_BAND_FORMS = ("child_check_infant", "child_check_toddler", "child_check_preschool")

ChildPoint = tuple[int | None, int, int, str]
"""One check of a child schedule: (first day of age or None, months of age, the window —
the last day of age for a check counted in days, else its length in months —, form)."""


def child_points(plans: Iterable[tuple[str, Mapping[str, Any]]]) -> list[ChildPoint]:
    """The checks of the ``(form id, [schedule] table)`` pairs in age order: a
    ``full_month_days = [first, last]`` check (满月) as (first, 0, last, form), each of
    ``points_months`` as (None, months, window months, form) with ``windows_months`` (one
    month each when absent)."""
    points: list[ChildPoint] = []
    for form_id, plan in plans:
        if "full_month_days" in plan:
            first, last = plan["full_month_days"]
            points.append((int(first), 0, int(last), form_id))
        months = [int(m) for m in plan.get("points_months", ())]
        windows = [int(w) for w in plan.get("windows_months", [1] * len(months))]
        points += [(None, m, w, form_id) for m, w in zip(months, windows, strict=True)]
    return sorted(points, key=lambda p: (p[1], p[0] or 0))


def check_name(point: ChildPoint) -> str:
    """How a check is named: 满月, 6月龄, 4岁."""
    days, months, _, _ = point
    if days is not None:
        return "满月"
    return f"{months}月龄" if months < 48 else f"{months // 12}岁"


def child_windows(
    birth: dt.date, points: Sequence[ChildPoint]
) -> Iterator[tuple[str, str, dt.date, dt.date]]:
    """(form, check name, first day, last day) of each check of ``points`` for a child
    born ``birth``: each window ends at the latest the day before the next one opens."""
    opens = [
        birth + dt.timedelta(days=days) if days is not None else add_months(birth, months)
        for days, months, _, _ in points
    ]
    for i, point in enumerate(points):
        days, months, length, form_id = point
        if days is not None:
            end = birth + dt.timedelta(days=length)
        else:
            end = add_months(birth, months + length) - dt.timedelta(days=1)
        if i + 1 < len(points):
            end = min(end, opens[i + 1] - dt.timedelta(days=1))
        yield form_id, check_name(point), opens[i], end


def age_limit(points: Sequence[ChildPoint]) -> tuple[int, int]:
    """(months, days) of age from which no check of ``points`` can be made any more: the
    day after the last window ends (the band forms' 7 years, the TCM guidance's 37
    months)."""
    ends = [(0, last + 1) if days is not None else (m + last, 0) for days, m, last, _ in points]
    return max(ends, key=lambda end: (end[0], end[1]))


def after_event(
    programme: str,
    form_id: str,
    label: str,
    event: dt.date,
    first_day: int,
    last_day: int,
    records: Sequence[dt.date],
) -> Due:
    """A visit within a window of days after an event (discharge, delivery, birth)."""
    start = event + dt.timedelta(days=first_day)
    end = event + dt.timedelta(days=last_day)
    return Due(programme, form_id, label, start, end, _first_in(records, start, end))


def dated_from(lmp: dt.date | None, exam: dt.date | None, weeks: int | None) -> dt.date | None:
    """The day a pregnancy's gestational weeks count from: the 末次月经 when known, else
    (末次月经不详) the first check's date less the 孕周 typed then; None without either."""
    if lmp is not None:
        return lmp
    if exam is None or weeks is None:
        return None
    return exam - dt.timedelta(weeks=weeks)


def prenatal(
    lmp: dt.date,
    records: Sequence[dt.date],
    delivered: dt.date | None,
    windows: Sequence[tuple[int, int]] = ((16, 20), (21, 24), (28, 36), (37, 40)),
    form_id: str = "prenatal_followup",
) -> list[Due]:
    """The 2nd–5th prenatal visits by gestational week; none after the delivery."""
    items = []
    for n, (first, last) in enumerate(windows, start=2):
        start = lmp + dt.timedelta(weeks=first)
        end = lmp + dt.timedelta(weeks=last + 1) - dt.timedelta(days=1)
        if delivered is not None and delivered < start:
            continue
        items.append(
            Due(
                "prenatal",
                form_id,
                f"第{n}次产前随访（孕{first}–{last}周）",
                start,
                end,
                _first_in(records, start, end),
            )
        )
    return items


def tb_visits(
    notified: dt.date,
    first_visits: Sequence[dt.date],
    followups: Sequence[dt.date],
    until: dt.date,
    intensive_days: int = 60,
    every_intensive: int = 10,
    course_months: int = 6,
    ended: dt.date | None = None,
    every_continuation: int = 30,
    within_days: int = 3,
) -> list[Due]:
    """First home visit within 72 hours; then every 10 days in the intensive phase and
    monthly in the continuation phase, until the course or the case ends."""
    first_by = notified + dt.timedelta(days=within_days)
    items = [
        Due(
            "tb",
            "tb_first_visit",
            f"肺结核第一次入户随访（{within_days * 24}小时内）",
            notified,
            first_by,
            _first_in(first_visits, notified, first_by),
        )
    ]
    last = min(add_months(notified, course_months), ended or dt.date.max, until)
    day = notified + dt.timedelta(days=every_intensive)
    while day <= last:
        in_intensive = (day - notified).days <= intensive_days
        step = every_intensive if in_intensive else every_continuation
        start, end = day - dt.timedelta(days=step - 1), day
        items.append(
            Due(
                "tb",
                "tb_followup",
                "肺结核强化期随访" if in_intensive else "肺结核继续期随访",
                start,
                end,
                _first_in(followups, start, end),
            )
        )
        day += dt.timedelta(days=step)
    return items
