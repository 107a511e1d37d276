"""The worklist's 严重精神障碍 items (spec forms-national.md §8.2): the register's
quarterly windows (≥ 4 follow-ups a year, :meth:`Worklist._chronic`) and, after every
follow-up, the next one within the interval its 本次随访分类 asks for — the follow-up
form's ``[schedule] next_visit`` (不稳定 / 基本稳定 2 weeks, 稳定 3 months).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..core import schedules as sch

if TYPE_CHECKING:  # the worklist imports this module
    from .worklist import Pairs, Worklist

PROGRAMME = "smi"
LOST_REASON = "3"  # the register's close_reason 失访 (as Worklist._chronic)


def next_visit_plan(schedule: Mapping[str, Any]) -> dict[str, tuple[int, str]]:
    """本次随访分类 code → (days within which the next follow-up is due, label)."""
    return {
        str(step["stability"]): (int(step["days"]), str(step["label"]))
        for step in schedule.get("next_visit", ())
    }


def next_visits(
    visits: list[tuple[dt.date, str | None, bool]],
    plan: Mapping[str, tuple[int, str]],
    form_id: str,
) -> list[sch.Due]:
    """The next-follow-up items of one patient's follow-ups (date, 分类, whether the
    record carries a re-check date of its own: a record saved before the plan, whose
    2-week re-check the worklist already shows). Each is due from the day after the
    visit to ``days`` after it, done by the first later follow-up in that window; a
    later follow-up after the window leaves it 逾期 (what a re-check does)."""
    days_seen = sorted({day for day, _, _ in visits})
    items = []
    for day, stability, has_recheck in visits:
        step = plan.get(stability or "")
        if has_recheck or step is None:
            continue
        days, label = step
        by = day + dt.timedelta(days=days)
        later = [v for v in days_seen if day < v <= by]
        items.append(
            sch.Due(
                PROGRAMME,
                form_id,
                f"{sch.programme_name(PROGRAMME)}下次随访（{label}）",
                day + dt.timedelta(days=1),
                by,
                later[0] if later else None,
            )
        )
    return items


def smi_items(wl: Worklist, register: str, followup: str, start: dt.date, end: dt.date) -> Pairs:
    """The register's items (quarters, former re-checks) and the next-follow-up items
    overlapping [start, end] of the patients whose entry is open at some day from the
    range's first quarter (the gate: the entry's closing day, as the quarters')."""
    yield from wl._chronic(PROGRAMME, register, followup, start, end)
    plan = next_visit_plan(wl._schedule(followup))
    if not plan:
        return
    yield from _next_items(wl, register, followup, plan, start, end)


def _next_items(
    wl: Worklist,
    register: str,
    followup: str,
    plan: Mapping[str, tuple[int, str]],
    start: dt.date,
    end: dt.date,
) -> Iterator[tuple[int, sch.Due, str | None]]:
    reg, fu = wl.forms[register], wl.forms[followup]
    first_q = sch.quarter_bounds(*sch.quarter_of(start))[0]
    entries: dict[int, tuple[str, str | None, str | None]] = {}
    for rid, registered, closed, reason in wl.store.conn.execute(
        f"SELECT h.resident_id, h.service_date, d.closed_date, d.close_reason "
        f"FROM {wl._records('h')} JOIN {reg.table} d ON d.record_id = h.id "
        "WHERE h.form_id = ? AND h.deleted = 0 AND h.service_date <= ? "
        f"AND (d.closed_date IS NULL OR d.closed_date >= ?){wl._scope('h.resident_id')}",
        wl._scoped(register, end.isoformat(), first_q.isoformat()),
    ):
        if rid not in entries or registered >= entries[rid][0]:
            entries[rid] = (registered, closed, reason)
    if not entries:
        return
    longest = max(days for days, _ in plan.values())
    since = start - dt.timedelta(days=longest)
    visits: dict[int, list[tuple[dt.date, str | None, bool]]] = defaultdict(list)
    for rid, day, stability, recheck in wl.store.conn.execute(
        f"SELECT h.resident_id, h.service_date, d.stability, h.recheck_date "
        f"FROM {wl._records('h')} JOIN {fu.table} d ON d.record_id = h.id "
        "WHERE h.form_id = ? AND h.deleted = 0 AND h.service_date BETWEEN ? AND ?"
        + wl._scope("h.resident_id"),
        wl._scoped(followup, since.isoformat(), (end + dt.timedelta(days=longest)).isoformat()),
    ):
        visits[rid].append((dt.date.fromisoformat(day), stability, recheck is not None))
    for rid, (registered, closed, reason) in entries.items():
        reg_day = dt.date.fromisoformat(registered)
        closed_on = dt.date.fromisoformat(closed) if closed else None
        own = [v for v in visits.get(rid, ()) if v[0] >= reg_day]
        for due in next_visits(own, plan, followup):
            if due.start > end or due.end < start:
                continue
            if due.done is None and closed_on is not None and closed_on < due.end:
                due = due._replace(closed=sch.LOST if reason == LOST_REASON else sch.CLOSED)
            yield rid, due, closed
