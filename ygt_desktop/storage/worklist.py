"""The worklist (待办随访): every due and overdue service in a date range.

Computed from the records each time (never stored), so it is right immediately after
any entry, late entries included. Each programme gathers its facts with a few
indexed queries and hands them to :mod:`ygt_desktop.core.schedules`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import schedules as sch
from ..core.forms import FormRegistry
from .db import Store

CHRONIC = (("htn", "htn_register", "htn_followup"), ("dm", "dm_register", "dm_followup"),
           ("smi", "smi_register", "smi_followup"))
FACE_TO_FACE = ("1", "2")  # 门诊, 家庭 (电话 does not count)
CHILD_POINTS = (3, 6, 8, 12, 18, 24, 30, 36, 48, 60, 72)
TCM_CHILD_POINTS = (6, 12, 18, 24, 30, 36)
PROGRAMME_PACKAGE = {
    "htn": "疾控包", "dm": "疾控包", "smi": "疾控包", "elderly": "疾控包", "tb": "疾控包",
    "child": "妇幼包", "newborn": "妇幼包", "prenatal": "妇幼包", "postpartum": "妇幼包",
    "tcm_elderly": "中医包", "tcm_child": "中医包",
}


@dataclass(frozen=True)
class WorkItem:
    resident: dict[str, Any]
    due: sch.Due
    status: str

    @property
    def package(self) -> str:
        return PROGRAMME_PACKAGE.get(self.due.programme, "")


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class Worklist:
    def __init__(self, store: Store, forms: FormRegistry) -> None:
        self.store = store
        self.forms = forms

    def items(self, start: dt.date, end: dt.date, on: dt.date | None = None, *,
              packages: Sequence[str] | None = None, village: str | None = None,
              statuses: Sequence[str] | None = None) -> list[WorkItem]:
        """Due items whose window overlaps [start, end], with their status on ``on``
        (default today), sorted overdue first, then by window end and name."""
        on = on or dt.date.today()
        dues: list[tuple[int, sch.Due]] = []
        for rid, due in self._all(start, end, on):
            if due.overlaps(start, end):
                dues.append((rid, due))
        residents = self._residents({rid for rid, _ in dues})
        out = []
        for rid, due in dues:
            r = residents.get(rid)
            if r is None or (village and r["village_code"] != village):
                continue
            if r["status"] != "在档" and due.done is None and r["status_date"] and \
                    r["status_date"] < due.start.isoformat():
                continue  # moved away or died before the window: nothing to do
            item = WorkItem(r, due, due.status(on))
            if packages and item.package not in packages:
                continue
            if statuses and item.status not in statuses:
                continue
            out.append(item)
        order = {sch.OVERDUE: 0, sch.DUE: 1, sch.UPCOMING: 2, sch.DONE: 3, sch.LOST: 4,
                 sch.CLOSED: 5}
        out.sort(key=lambda i: (order[i.status], i.due.end, i.resident["name"]))
        return out

    # ---- gathering ---------------------------------------------------------------
    def _all(self, start: dt.date, end: dt.date, on: dt.date) -> Iterator[tuple[int, sch.Due]]:
        for programme, register, followup in CHRONIC:
            if register in self.forms and followup in self.forms:
                yield from self._chronic(programme, register, followup, start, end)
        yield from self._yearly("elderly", "elderly_exam", "老年人健康管理", start, end)
        yield from self._yearly("tcm_elderly", "tcm_elderly", "中医体质辨识", start, end)
        yield from self._by_age("child", "child_check", "健康检查", CHILD_POINTS, start, end)
        yield from self._by_age("tcm_child", "tcm_child", "中医药健康管理", TCM_CHILD_POINTS,
                                start, end)
        yield from self._newborn(start, end)
        yield from self._pregnancy(start, end)

    def _dates(self, form_id: str, since: dt.date, until: dt.date,
               residents: Iterable[int] | None = None) -> dict[int, list[dt.date]]:
        """Service dates of a form per resident in [since, until]."""
        out: dict[int, list[dt.date]] = defaultdict(list)
        if form_id not in self.forms:
            return out
        cur = self.store.conn.execute(
            "SELECT resident_id, service_date FROM service_records WHERE form_id = ? "
            "AND deleted = 0 AND service_date BETWEEN ? AND ?",
            (form_id, since.isoformat(), until.isoformat()))
        wanted = set(residents) if residents is not None else None
        for rid, day in cur:
            if wanted is None or rid in wanted:
                out[rid].append(dt.date.fromisoformat(day))
        return out

    def _chronic(self, programme: str, register: str, followup: str, start: dt.date,
                 end: dt.date) -> Iterator[tuple[int, sch.Due]]:
        reg, fu = self.forms[register], self.forms[followup]
        first_q = sch.quarter_bounds(*sch.quarter_of(start))[0]
        regs = self.store.conn.execute(
            f"SELECT h.resident_id, h.service_date, d.closed_date, d.close_reason "
            f"FROM service_records h JOIN {reg.table} d ON d.record_id = h.id "
            "WHERE h.form_id = ? AND h.deleted = 0 AND h.service_date <= ? "
            "AND (d.closed_date IS NULL OR d.closed_date >= ?)",
            (register, end.isoformat(), first_q.isoformat())).fetchall()
        if not regs:
            return
        method = "d.visit_method" if "visit_method" in fu.by_id else "'1'"
        visits: dict[int, list[dt.date]] = defaultdict(list)
        face: dict[int, list[dt.date]] = defaultdict(list)
        rechecks: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        horizon = end + dt.timedelta(days=120)
        for rid, day, how, recheck in self.store.conn.execute(
            f"SELECT h.resident_id, h.service_date, {method}, h.recheck_date "
            f"FROM service_records h JOIN {fu.table} d ON d.record_id = h.id "
            "WHERE h.form_id = ? AND h.deleted = 0 AND h.service_date BETWEEN ? AND ?",
            (followup, (first_q - dt.timedelta(days=30)).isoformat(), horizon.isoformat()),
        ):
            visit = dt.date.fromisoformat(day)
            visits[rid].append(visit)
            if how in FACE_TO_FACE:
                face[rid].append(visit)
            if recheck:
                rechecks[rid].append((visit, dt.date.fromisoformat(recheck)))
        for rid, registered, closed, reason in regs:
            reg_day = dt.date.fromisoformat(registered)
            closed_on = _d(closed)
            for due in sch.chronic_quarters(programme, followup, max(reg_day, first_q),
                                            face[rid], end, closed_on, lost=reason == "3"):
                if due.start < reg_day:
                    due = sch.Due(due.programme, due.form_id, due.label, reg_day, due.end,
                                  due.done, due.closed)
                yield rid, due
            for due in sch.rechecks(programme, followup, visits[rid], rechecks[rid]):
                yield rid, due

    def _people(self, born_from: dt.date, born_to: dt.date) -> list[tuple[int, dt.date]]:
        cur = self.store.conn.execute(
            "SELECT id, birth_date FROM residents WHERE deleted = 0 AND status = '在档' "
            "AND birth_date BETWEEN ? AND ?", (born_from.isoformat(), born_to.isoformat()))
        return [(rid, dt.date.fromisoformat(b)) for rid, b in cur]

    def _yearly(self, programme: str, form_id: str, label: str, start: dt.date,
                end: dt.date) -> Iterator[tuple[int, sch.Due]]:
        if form_id not in self.forms:
            return
        people = self._people(dt.date(1880, 1, 1), sch.add_months(end, -12 * 65))
        years = range(start.year, end.year + 1)
        done = self._dates(form_id, dt.date(start.year, 1, 1), dt.date(end.year, 12, 31))
        for rid, birth in people:
            for due in sch.yearly(programme, form_id, label, birth, 65, done.get(rid, []), years):
                yield rid, due

    def _by_age(self, programme: str, form_id: str, label: str, points: Sequence[int],
                start: dt.date, end: dt.date) -> Iterator[tuple[int, sch.Due]]:
        if form_id not in self.forms:
            return
        oldest = max(points) + 12
        people = self._people(sch.add_months(start, -oldest), end)
        done = self._dates(form_id, sch.add_months(start, -oldest), end + dt.timedelta(days=400))
        for rid, birth in people:
            for due in sch.by_age_months(programme, form_id, label, birth, points,
                                         done.get(rid, [])):
                yield rid, due

    def _newborn(self, start: dt.date, end: dt.date) -> Iterator[tuple[int, sch.Due]]:
        if "newborn_visit" not in self.forms:
            return
        people = self._people(start - dt.timedelta(days=7), end)
        done = self._dates("newborn_visit", start - dt.timedelta(days=7),
                           end + dt.timedelta(days=40))
        for rid, birth in people:
            yield rid, sch.after_event("newborn", "newborn_visit", "新生儿家庭访视（出生7天内）",
                                       birth, 0, 7, done.get(rid, []))

    def _pregnancy(self, start: dt.date, end: dt.date) -> Iterator[tuple[int, sch.Due]]:
        if "prenatal_first" not in self.forms:
            return
        first = self.forms["prenatal_first"]
        since = start - dt.timedelta(days=330)
        opened = self.store.conn.execute(
            f"SELECT h.id, h.resident_id, d.lmp_date FROM service_records h "
            f"JOIN {first.table} d ON d.record_id = h.id WHERE h.form_id = 'prenatal_first' "
            "AND h.deleted = 0 AND h.service_date >= ?", (since.isoformat(),)).fetchall()
        if not opened:
            return
        by_episode: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for episode, form_id, day in self.store.conn.execute(
            "SELECT episode_id, form_id, service_date FROM service_records WHERE deleted = 0 "
            "AND episode_id IN (SELECT id FROM service_records WHERE form_id = 'prenatal_first' "
            "AND deleted = 0 AND service_date >= ?)", (since.isoformat(),)):
            by_episode[episode][form_id].append(day)
        deliveries = self._deliveries(since)
        for episode, rid, lmp in opened:
            if not lmp:
                continue
            seen = by_episode[episode]
            delivery = deliveries.get(episode)
            delivered = delivery[0] if delivery else None
            followups = [dt.date.fromisoformat(d) for d in seen.get("prenatal_followup", [])]
            for due in sch.prenatal(dt.date.fromisoformat(lmp), followups, delivered):
                yield rid, due
            if delivery is not None:
                delivered_on, discharged = delivery
                visits = [dt.date.fromisoformat(d) for d in seen.get("postpartum_visit", [])]
                yield rid, sch.after_event("postpartum", "postpartum_visit",
                                           "产后访视（出院7天内）", discharged or delivered_on,
                                           0, 7, visits)
                checks = [dt.date.fromisoformat(d) for d in seen.get("postpartum_42d", [])]
                yield rid, sch.after_event("postpartum", "postpartum_42d", "产后42天健康检查",
                                           delivered_on, 42, 56, checks)

    def _deliveries(self, since: dt.date) -> dict[int, tuple[dt.date, dt.date | None]]:
        if "delivery" not in self.forms:
            return {}
        table = self.forms["delivery"].table
        out = {}
        for episode, delivered, discharged in self.store.conn.execute(
            f"SELECT h.episode_id, d.delivered_date, d.discharged_date FROM service_records h "
            f"JOIN {table} d ON d.record_id = h.id WHERE h.form_id = 'delivery' "
            "AND h.deleted = 0 AND h.service_date >= ?", (since.isoformat(),)):
            if delivered:
                out[episode] = (dt.date.fromisoformat(delivered), _d(discharged))
        return out

    def _residents(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        id_list = sorted(ids)
        for i in range(0, len(id_list), 900):
            chunk = id_list[i:i + 900]
            for row in self.store.query(
                "SELECT id, name, sex, birth_date, phone, village_code, archive_no, status, "
                f"status_date FROM residents WHERE deleted = 0 AND id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
                out[row["id"]] = row
        return out
