"""The worklist's children 0–6 (issue 14): 新生儿家庭访视, the child checks of the national
schedule and the children's TCM guidance, gathered for :class:`~.worklist.Worklist`.

- 新生儿家庭访视: from birth to 7 days after discharge (``within_days_after_discharge`` of
  the form's ``[schedule]``), the discharge read from the child's record (出生后出院日期,
  known from registration), else from the child's own visit records (出院日期); none
  known: 7 days after birth. Never past ``max_age_days`` (42).
- 儿童健康检查: every check of the band forms' ``[schedule]`` (满月 at ``full_month_days``,
  then ``points_months`` with ``windows_months``), each window ending at the latest the
  day before the next check's opens. The item names the band form for that age; a record
  of any child-check form (:data:`CHECK_FORMS`, the retired ``child_check`` too) dated in
  the window fulfils it.
- 儿童中医药健康管理: at the ``points_months`` of ``tcm_child``'s ``[schedule]``, fulfilled by a
  儿童中医药健康管理服务记录表 or by a child check whose 中医药健康管理服务 row is filled.

Every window exists from the day the child is registered (the birth date is all it needs).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from ..core import schedules as sch
from ..core.forms import FormDef, FormRegistry

if TYPE_CHECKING:
    from .worklist import Worklist

# The band forms in age order, then the retired one-form check whose records still count.
BAND_FORMS = sch.CHILD_BAND_FORMS
CHECK_FORMS = (*BAND_FORMS, "child_check")
TCM_FORM = "tcm_child"
NEWBORN_FORM = "newborn_visit"
TCM_FIELD_PREFIX = "tcm_guidance"  # the band forms' 中医药健康管理服务 rows
RESIDENT_DISCHARGE = "birth_discharged_date"  # the child's record: 出生后出院日期
_SLACK = dt.timedelta(days=3)
_DAY = dt.timedelta(days=1)

Pairs = Iterator[tuple[int, sch.Due, str | None]]
Point = sch.ChildPoint


def check_points(forms: FormRegistry) -> list[Point]:
    """The checks of the band forms' ``[schedule]`` in age order (:func:`~..core.schedules.
    child_points`)."""
    return sch.child_points(
        (f, forms[f].settings.get("schedule", {})) for f in BAND_FORMS if f in forms
    )


def tcm_points(forms: FormRegistry) -> list[Point]:
    """The children's TCM guidance of ``tcm_child``'s ``[schedule]``: a month's window at
    each of its ``points_months``."""
    if TCM_FORM not in forms:
        return []
    plan = forms[TCM_FORM].settings.get("schedule", {})
    return sch.child_points([(TCM_FORM, {"points_months": plan.get("points_months", ())})])


def age_limits(forms: FormRegistry) -> dict[str, tuple[int, int]]:
    """(months, days) of age from which each children's programme's item can no longer be
    made up: the end of the last window of the band forms' checks and of the TCM guidance,
    and the newborn visit's ``max_age_days``."""
    limits = {}
    if NEWBORN_FORM in forms:
        plan = forms[NEWBORN_FORM].settings.get("schedule", {})
        limits["newborn"] = (0, int(plan.get("max_age_days", 42)) + 1)
    for programme, points in (("child", check_points(forms)), ("tcm_child", tcm_points(forms))):
        if points:
            limits[programme] = sch.age_limit(points)
    return limits


def check_windows(
    birth: dt.date, points: Sequence[Point]
) -> Iterator[tuple[str, str, dt.date, dt.date]]:
    """(form, age label, first day, last day) of each check for a child born ``birth``."""
    return sch.child_windows(birth, points)


def tcm_filled(form: FormDef, alias: str) -> str | None:
    """SQL true when the band form's record (its table as ``alias``) has a 中医药健康管理服务
    row filled (None: the form has no such row)."""
    columns = [f.id for f in form.fields if f.id.startswith(TCM_FIELD_PREFIX)]
    if not columns:
        return None
    return " OR ".join(f"coalesce({alias}.{c}, '') NOT IN ('', '[]')" for c in columns)


def _first_in(days: Sequence[dt.date], start: dt.date, end: dt.date) -> dt.date | None:
    return next((d for d in days if start <= d <= end), None)


def _merged(found: Sequence[dict[int, list[dt.date]]]) -> dict[int, list[dt.date]]:
    out: dict[int, list[dt.date]] = defaultdict(list)
    for dates in found:
        for rid, days in dates.items():
            out[rid] += days
    for days in out.values():
        days.sort()
    return out


def gather_checks(wl: Worklist, start: dt.date, end: dt.date) -> Pairs:
    """The child checks whose window can overlap [start, end]."""
    points = check_points(wl.forms)
    if not points:
        return
    label = sch.programme_name("child")
    months, days = sch.age_limit(points)
    people = wl._people(sch.add_months(start, -months) - dt.timedelta(days=days) - _SLACK, end)
    if not people:
        return
    since = sch.add_months(start, -12) - _SLACK
    until = sch.add_months(end, 12) + _SLACK
    done = _merged([wl._dates(f, since, until) for f in CHECK_FORMS])
    none: list[dt.date] = []
    for birth, rid in people:
        records = done.get(rid, none)
        for form_id, name, first, last in check_windows(birth, points):
            if first <= end and last >= start:
                due = sch.Due("child", form_id, f"{label}（{name}）", first, last)
                yield rid, due._replace(done=_first_in(records, first, last)), None


def _tcm_in_checks(wl: Worklist, since: dt.date, until: dt.date) -> dict[int, list[dt.date]]:
    """Dates of child checks in [since, until] whose 中医药健康管理服务 row is filled."""
    out: dict[int, list[dt.date]] = defaultdict(list)
    for form_id in BAND_FORMS:
        if form_id not in wl.forms:
            continue
        form = wl.forms[form_id]
        filled = tcm_filled(form, "d")
        if filled is None:
            continue
        for rid, day in wl.store.conn.execute(
            f"SELECT h.resident_id, h.service_date FROM {wl._records('h')} "
            f"JOIN {form.table} d ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            f"AND h.service_date BETWEEN ? AND ? AND ({filled}){wl._scope('h.resident_id')}",
            wl._scoped(form_id, since.isoformat(), until.isoformat()),
        ):
            out[rid].append(dt.date.fromisoformat(day))
    return out


def gather_tcm(wl: Worklist, start: dt.date, end: dt.date) -> Pairs:
    """The children's TCM guidance whose window can overlap [start, end]."""
    if TCM_FORM not in wl.forms:
        return
    points = tcm_points(wl.forms)
    if not points:
        return
    label = sch.programme_name("tcm_child")
    people = wl._people(sch.add_months(start, -sch.age_limit(points)[0]) - _SLACK, end)
    if not people:
        return
    since = sch.add_months(start, -2) - _SLACK
    until = sch.add_months(end, 2) + _SLACK
    done = _merged([wl._dates(TCM_FORM, since, until), _tcm_in_checks(wl, since, until)])
    none: list[dt.date] = []
    for birth, rid in people:
        records = done.get(rid, none)
        for form_id, name, first, last in check_windows(birth, points):
            if first <= end and last >= start:
                due = sch.Due("tcm_child", form_id, f"{label}（{name}）", first, last)
                yield rid, due._replace(done=_first_in(records, first, last)), None


def newborn_window(
    birth: dt.date, discharged: dt.date | None, within_days: int, max_age_days: int
) -> tuple[dt.date, dt.date]:
    """The newborn visit's window: from birth to ``within_days`` after discharge (after
    birth when no discharge is known), never past ``max_age_days`` of age."""
    last = (discharged if discharged and discharged >= birth else birth) + dt.timedelta(
        days=within_days
    )
    return birth, min(last, birth + dt.timedelta(days=max_age_days))


def _discharges(wl: Worklist, born_from: dt.date, born_to: dt.date) -> dict[int, dt.date]:
    """The discharge after birth of the children born in the range: the 出生后出院日期 of
    the child's record, else the latest 出院日期 typed on their newborn visits."""
    out: dict[int, dt.date] = {}
    form = wl.forms[NEWBORN_FORM]
    if "discharged_date" in form.by_id:
        for rid, day in wl.store.conn.execute(
            f"SELECT h.resident_id, max(d.discharged_date) FROM {wl._records('h')} "
            f"JOIN {form.table} d ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            "AND d.discharged_date IS NOT NULL AND h.service_date BETWEEN ? AND ?"
            f"{wl._scope('h.resident_id')} GROUP BY h.resident_id",
            wl._scoped(NEWBORN_FORM, born_from.isoformat(), born_to.isoformat()),
        ):
            out[rid] = dt.date.fromisoformat(day)
    if "resident" in wl.forms and RESIDENT_DISCHARGE in wl.forms["resident"].by_id:
        for rid, day in wl.store.conn.execute(
            f"SELECT id, {RESIDENT_DISCHARGE} FROM residents WHERE deleted = 0 "
            f"AND birth_date BETWEEN ? AND ? AND {RESIDENT_DISCHARGE} IS NOT NULL"
            f"{wl._scope('id')}",
            wl._scoped(born_from.isoformat(), born_to.isoformat()),
        ):
            out[rid] = dt.date.fromisoformat(day)
    return out


def gather_newborn(wl: Worklist, start: dt.date, end: dt.date) -> Pairs:
    """The newborn visits whose window can overlap [start, end]."""
    if NEWBORN_FORM not in wl.forms:
        return
    plan = wl._schedule(NEWBORN_FORM)
    within = int(plan.get("within_days_after_discharge", 7))
    oldest = int(plan.get("max_age_days", 42))
    people = wl._people(start - dt.timedelta(days=oldest) - _SLACK, end)
    if not people:
        return
    since, until = people[0][0], end + dt.timedelta(days=oldest) + _SLACK
    done = wl._dates(NEWBORN_FORM, since, until)
    discharged = _discharges(wl, since, until)
    label = f"{sch.programme_name('newborn')}（出院{within}天内）"
    none: list[dt.date] = []
    for birth, rid in people:
        first, last = newborn_window(birth, discharged.get(rid), within, oldest)
        if first <= end and last >= start:
            found = _first_in(sorted(done.get(rid, none)), first, last)
            yield rid, sch.Due("newborn", NEWBORN_FORM, label, first, last, found), None
