"""The worklist (待办随访): the due and overdue services of a date range, in three views.

- 到期 (:data:`DUE_VIEW`), what a clinic must act on: the dated services (follow-ups,
  re-checks, child checks, newborn, pregnancy, TB, referral follow-ups, vaccination)
  whose window ends in the range, and those overdue from before it that are still open
  in the record sense — not done, and no record of their form made since the window
  ended — for :data:`OVERDUE_DAYS` after it ended. A quarter-long chronic window shows
  in the week it ends, or once it is overdue; not for the whole quarter.
- 本年未做 (:data:`YEARLY_VIEW`): the once-a-year services (:data:`YEARLY_FORMS`:
  老年人健康管理, 中医体质辨识) of the years the range overlaps, not yet done.
- 全部 (:data:`ALL_VIEW`): every item whose window overlaps the range.

Each programme gathers its facts with a few indexed queries, only for the residents
whose windows can fall in the range, and hands them to :mod:`ygt_desktop.core.schedules`.
The numbers a bureau may change (check ages, windows, visit intervals) come from each
form's ``[schedule]`` table.

The items are kept (``worklist_due``, migrations 0054 and 0056): derived by that same
code for last year to next year, again for a resident whenever a save marks them
(triggers, in the saving transaction), and read with one statement per view
(:mod:`.worklist_query`), the status from the day asked. So the list is right at once
after any entry, late entries included. :meth:`Worklist.recompute_items` computes it
from the records (what the kept rows are checked against, and the path for ranges
outside the kept years).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import json
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

from ..core import schedules as sch
from ..core.forms import FormRegistry
from ..core.programmes import FACE_TO_FACE
from . import worklist_children as children
from . import worklist_lines, worklist_maternal, worklist_vaccines
from .db import Store
from .referrals import FOLLOWUP_DAYS as REFERRAL_FOLLOWUP_DAYS
from .referrals import followup_due as referral_followup
from .worklist_tb_smi import smi_items

DUE_VIEW, YEARLY_VIEW, ALL_VIEW = "到期", "本年未做", "全部"
VIEWS = (DUE_VIEW, YEARLY_VIEW, ALL_VIEW)


def check_view(view: str) -> None:
    """A ValueError naming the views for one the worklist does not have."""
    if view not in VIEWS:
        raise ValueError(f"待办随访的视图应为 {'、'.join(VIEWS)} 之一（现为 {view}）")


# The services due once a calendar year (the form's ``[schedule] per_year``): the 本年未做
# view, never the 到期 one (their window is the whole year).
YEARLY_FORMS = {"elderly": "elderly_exam", "tcm_elderly": "tcm_elderly"}
# How long an overdue window that nothing has closed stays on the 到期 view: a quarter,
# so the last chronic quarter missed is always there until the patient is seen.
OVERDUE_DAYS = 92
# Programmes whose visits follow one another (ages, gestational weeks, treatment
# phases): a missed one gives way to the next once that one's window opens.
SERIES = {
    "child": "child",
    "tcm_child": "tcm_child",
    "prenatal": "pregnancy",
    "postpartum": "pregnancy",
    "tb": "tb",
}
NOT_DONE = (sch.OVERDUE, sch.DUE, sch.UPCOMING)  # still to do: what 本年未做 keeps
REFERRAL_GROUP = "双向转诊"  # shown in the 服务包 column and offered by the page's filter
PROGRAMME_PACKAGE = {
    "htn": "疾控包",
    "dm": "疾控包",
    "smi": "疾控包",
    "elderly": "疾控包",
    "tb": "疾控包",
    "vaccination": "疾控包",
    "vaccine": "疾控包",
    "child": "妇幼包",
    "newborn": "妇幼包",
    "prenatal": "妇幼包",
    "postpartum": "妇幼包",
    "tcm_elderly": "中医包",
    "tcm_child": "中医包",
    # Not a public-health package: 双向转诊 is the station's own work (family doctors).
    "referral": REFERRAL_GROUP,
}
_PREGNANCY = (
    "form:prenatal_first",
    "form:prenatal_followup",
    "form:delivery",
    "form:postpartum_visit",
    "form:postpartum_42d",
)
# What each programme reads: a cached result stays valid until one of these changes
# (a register's programme reads its register and follow-up forms, :meth:`Worklist._chronic`).
PROGRAMME_TOPICS: dict[str, tuple[str, ...]] = {
    **{
        p: ("resident", f"form:{f}")
        for p, f in (
            ("elderly", "elderly_exam"),
            ("tcm_elderly", "tcm_elderly"),
            ("newborn", "newborn_visit"),
            ("vaccination", "vaccination"),
        )
    },
    "child": ("resident", *(f"form:{f}" for f in children.CHECK_FORMS)),
    "tcm_child": ("resident", *(f"form:{f}" for f in (children.TCM_FORM, *children.BAND_FORMS))),
    "prenatal": _PREGNANCY,
    "postpartum": _PREGNANCY,
    "tb": ("form:tb_notify", "form:tb_first_visit", "form:tb_followup"),
    # the doses, and the 建证 record / newborn visit (the mother's HBsAg, the birth weight)
    "vaccine": ("resident", "form:vaccine_dose", "form:vaccination", "form:newborn_visit"),
    "referral": ("entity:referral",),
}
STATUS_ORDER = {
    sch.OVERDUE: 0,
    sch.DUE: 1,
    sch.UPCOMING: 2,
    sch.DONE: 3,
    sch.LOST: 4,
    sch.CLOSED: 5,
}
RESIDENT_COLUMNS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "phone",
    "village_code",
    "archive_no",
    "status",
    "status_date",
    "responsible_doctor",
)
# More residents changed than this since the kept rows were derived (a bulk load): all
# rows are derived again, faster than resident by resident.
FULL_REFILL = 5000
FILL_BATCH = 20_000  # kept rows per transaction of a full fill (each well under a second)
CACHED_RANGES = 3  # the ranges whose kept items a Worklist remembers (month, week, year)
# Which derivation the kept rows were made by (in their fingerprint): a change of the
# rules in code, not in a form file, derives them all again once.
KEPT_RULES = 4  # 2: a closed archive's items 结案; the yearly check of register patients;
# 3: the national schedules (child bands, newborn from discharge, 产后 3–7 days, risk colours,
# vaccine doses, 严重精神障碍 by classification); 4: the newborn visit from the child's
# 出生后出院日期, prenatal windows from the typed 孕周 when the 末次月经 is 不详; the vaccine
# catch-up rules (DT/Td for 6+, polio cohorts, HepB by the mother's HBsAg and birth weight)
_SLACK = dt.timedelta(days=3)  # margin on birth-date bounds; the overlap test is exact

# What a gatherer finds: (resident, item, gate). ``gate`` is the date below which a
# range's gathering drops the item (a register closed, a pregnancy or TB case opened
# too long before the range, :meth:`Worklist._gate_cutoffs`); None: never dropped.
Pairs = Iterator[tuple[int, sch.Due, str | None]]
# How items are ordered: status, window end, archive number, label, then the rest of
# the item so that kept and recomputed lists tie-break alike.
SortKey = str  # see sort_key: one string compares much faster than a tuple
_first = itemgetter(0)
# A kept row as inserted: resident, programme, form, label, start, end, done, closed, gate.
KeptRow = tuple[int, str, str, str, str, str, str | None, str | None, str | None]
INSERT_KEPT = (
    "INSERT INTO worklist_due (resident_id, programme, form_id, label, start, "
    '"end", done, closed, gate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
)
_WINDOW = itemgetter(5, 4)  # a kept row's (end, start)


def sort_key(
    status: str,
    end: str,
    archive_no: str | None,
    label: str,
    start: str,
    resident: int,
    form_id: str,
    programme: str,
) -> SortKey:
    """An item's place in the list as one string: status (逾期 first), window end,
    archive number, label, window start, resident, form, programme — compared as the
    tuple of them would be (ISO dates and a zero-padded id have fixed widths; a NUL ends
    each free text, so a shorter text comes first as in a tuple)."""
    return (
        f"{STATUS_ORDER[status]}{end}{archive_no or ''}\0{label}\0{start}"
        f"{resident:012d}{form_id}\0{programme}"
    )


class WorkItem(NamedTuple):
    resident: dict[str, Any]
    due: sch.Due
    status: str

    @property
    def package(self) -> str:
        return PROGRAMME_PACKAGE.get(self.due.programme, "")


class ResidentDue(NamedTuple):
    """One resident's line of the worklist: their items, worst status first (逾期 before
    应访 …), as :meth:`Worklist.items` ordered them."""

    resident: dict[str, Any]
    items: list[WorkItem]

    @property
    def id(self) -> int:
        """The resident's id (a list keeps its selection on it)."""
        return int(self.resident["id"])

    @property
    def status(self) -> str:
        """The worst status among the items (逾期 before 应访 before 未到 …)."""
        return min((i.status for i in self.items), key=STATUS_ORDER.__getitem__)

    @property
    def first_end(self) -> dt.date:
        """The earliest window end among the items still to do (all items when none)."""
        open_ = [i.due.end for i in self.items if i.status in NOT_DONE]
        return min(open_ or [i.due.end for i in self.items])


def by_resident(items: Iterable[WorkItem]) -> list[ResidentDue]:
    """``items`` as one line per resident, residents in the order they first appear
    (with :meth:`Worklist.items`' order: worst status, then earliest window end, then
    archive number), each with all their items in the order given."""
    lines: dict[int, ResidentDue] = {}
    for item in items:
        rid = int(item.resident["id"])
        if rid not in lines:
            lines[rid] = ResidentDue(item.resident, [])
        lines[rid].items.append(item)
    return list(lines.values())


def _filtered(
    items: list[WorkItem],
    packages: Sequence[str] | None,
    village: str | None,
    doctor: str | None,
) -> list[WorkItem]:
    """A new list of the ``items`` of ``packages``, in ``village``, of ``doctor`` (each
    when given), in their order: one tight pass per filter given (a filter change on a
    list of 100,000 items)."""
    if packages:
        shown = {p for p, package in PROGRAMME_PACKAGE.items() if package in packages}
        items = [i for i in items if i.due.programme in shown]
    if village:
        items = [i for i in items if i.resident["village_code"] == village]
    if doctor:
        items = [i for i in items if i.resident["responsible_doctor"] == doctor]
    return items if packages or village or doctor else list(items)


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class Worklist:
    """Due items computed from the records. What each programme found for a range is
    kept until the store reports a change to what it read (``Store.changed_since``),
    so changing filters is quick and an entry shows at the next call."""

    def __init__(self, store: Store, forms: FormRegistry) -> None:
        self.store = store
        self.forms = forms
        self._memo: dict[tuple[dt.date, dt.date], list[tuple[dt.date, int]]] = {}
        # What each programme found, per programme and whether gathered for the 到期 view
        # (from OVERDUE_DAYS before the range): switching views reuses both.
        self._found: dict[
            tuple[str, bool], tuple[int, dt.date, dt.date, list[tuple[int, sch.Due]]]
        ] = {}
        self._people_rows: dict[int, dict[str, Any]] = {}
        # (months, days) of age from which a programme's form no longer applies.
        self._age_limits = children.age_limits(forms)
        self._people_generation = 0
        # The closed archives as last read, with the store generation and scope read at.
        self._closed: tuple[tuple[int, str | None], set[int]] | None = None
        # The registers whose opening and follow-up forms are loaded (htn, dm, smi).
        self._chronic_forms = {
            key: (form.id, followup.id)
            for key, form in forms.register_forms().items()
            if (followup := forms.followup_form(key)) is not None
        }
        # The residents the gatherers are limited to (a JSON list; None: everyone) while
        # the kept rows of some residents are derived again (:meth:`refresh_kept`).
        self._only: str | None = None
        self.use_kept = True  # False: always recompute (what the kept rows are checked by)
        # The kept rows' version the remembered lists were made from.
        self._kept_version: str | None = None
        # The sorted unfiltered lists per (start, end, on, view), each with the residents
        # whose items changed since it was made (patched in at the next read).
        self._lists: dict[
            tuple[dt.date, dt.date, dt.date, str, tuple[str, ...]],
            tuple[list[SortKey], list[WorkItem], set[int], list[int]],
        ] = {}
        self._lists_generation = 0
        self._line_cache = worklist_lines.LineCache()  # the lines of :meth:`view`
        # every programme reads the residents too: a closed archive's items are 结案
        self._topics = {
            programme: (*topics, "resident")
            for programme, topics in {
                **PROGRAMME_TOPICS,
                **{
                    key: (f"form:{register}", f"form:{followup}")
                    for key, (register, followup) in self._chronic_forms.items()
                },
            }.items()
        }
        # the yearly health check reads the registers too (their patients of any age)
        self._topics["elderly"] += tuple(f"form:{r}" for r, _ in self._chronic_forms.values())

    def items(
        self,
        start: dt.date,
        end: dt.date,
        on: dt.date | None = None,
        *,
        packages: Sequence[str] | None = None,
        village: str | None = None,
        statuses: Sequence[str] | None = None,
        doctor: str | None = None,
        view: str = ALL_VIEW,
    ) -> list[WorkItem]:
        """The items of ``view`` for [start, end] (see the module's docstring; by
        default 全部: every item whose window overlaps the range), with their status on
        ``on`` (default today), sorted overdue first, then by window end and archive
        number (village, then household: the order a doctor walks).

        ``doctor`` keeps the residents whose 责任医生 it is. An unknown ``view`` is a
        ValueError.

        The garbage collector is paused while the items are built: tens of thousands of
        small tuples would otherwise trigger collections that cost a third of the call
        (measured); nothing here makes reference cycles."""
        check_view(view)  # before pausing the collector: a refusal leaves it on
        with worklist_lines.collector_paused():
            return self._items(
                start, end, on, packages, village, statuses, doctor, view, self.use_kept
            )

    def pending(self, resident_id: int, day: dt.date) -> list[sch.Due]:
        """The items of ``resident_id`` still to do on ``day`` — overdue (for up to
        :data:`OVERDUE_DAYS`, not made up since), due or upcoming to the end of the year
        — in window order: what closing the archive that day ends. Computed from the
        records for this resident alone (as the kept rows are)."""
        since = day - dt.timedelta(days=OVERDUE_DAYS)
        until = dt.date(day.year, 12, 31)
        self._only = json.dumps([resident_id])
        self._memo = {}
        try:
            found = [
                (resident_id, due, due.status(day))
                for gather in self._gatherers().values()
                for _, due, _ in gather(since, until)
                if due.overlaps(since, until)
            ]
        finally:
            self._only = None
            self._memo = {}
        return sorted(
            (due for _, due, status in self._still_open(found, day) if status in NOT_DONE),
            key=lambda due: (due.end, due.start, due.label),
        )

    def recompute_items(
        self,
        start: dt.date,
        end: dt.date,
        on: dt.date | None = None,
        *,
        packages: Sequence[str] | None = None,
        village: str | None = None,
        statuses: Sequence[str] | None = None,
        doctor: str | None = None,
        view: str = ALL_VIEW,
    ) -> list[WorkItem]:
        """:meth:`items` computed from the records, not read from the kept rows (what
        the kept rows are checked against; also the path for ranges outside the kept
        years)."""
        check_view(view)
        return self._items(start, end, on, packages, village, statuses, doctor, view, False)

    def view(
        self,
        start: dt.date,
        end: dt.date,
        on: dt.date | None = None,
        *,
        packages: Sequence[str] | None = None,
        village: str | None = None,
        statuses: Sequence[str] | None = None,
        doctor: str | None = None,
        view: str = ALL_VIEW,
        first: int | None = None,
    ) -> worklist_lines.WorkLines:
        """What :meth:`items` lists, as one line per resident in :func:`by_resident`'s
        order, each line's items built only when asked (:meth:`rows_for`): the order,
        the count of lines and items and the people per status read in SQL, at a
        fraction of the cost of building every item (the 待办随访 page; see
        :mod:`.worklist_lines`). An unknown ``view`` is a ValueError.

        ``first``: when the view's lines are not remembered, and the view is long, only
        its first ``first`` lines (a :class:`~.worklist_lines.WorkLines` not
        ``complete``, read at a fraction of the whole view's cost): the page's first
        screen, while :meth:`read_lines` reads the whole view in the background and
        :meth:`adopt_lines` hands it over."""
        query = worklist_lines.lines_query_of(
            start, end, on, packages, village, statuses, doctor, view
        )
        return worklist_lines.view(self, query, first)

    def read_lines(
        self, query: worklist_lines.LinesQuery
    ) -> tuple[list[worklist_lines.Line], str | None]:
        """Every line of ``query``'s range, day, view and statuses (all villages, doctors
        and packages), as the kept rows say now, and the kept rows' version they were read
        at (None when the rows were derived again meanwhile). Reads only: for a worker
        with its own connection, after the page's :meth:`view` brought the rows up to
        date."""
        return worklist_lines.read_lines(self, query)

    def adopt_lines(
        self,
        query: worklist_lines.LinesQuery,
        lines: list[worklist_lines.Line],
        version: str | None,
        generation: int,
    ) -> bool:
        """Remember ``lines`` (:meth:`read_lines` of ``query``, elsewhere) as this
        Worklist's lines for the query's range, day, view and statuses: the next
        :meth:`view` of them is then complete at once. Refused (False) when they may be
        out of date: the kept rows derived again since their ``version``, or a
        resident's details changed since the store's ``generation`` when they were
        asked for."""
        return worklist_lines.adopt(self, query, lines, version, generation)

    def rows_for(
        self, lines: worklist_lines.WorkLines, residents: Sequence[int]
    ) -> list[ResidentDue]:
        """The lines of ``residents`` in ``lines`` (a :meth:`view`), each with its items
        as :meth:`items` gives them, in the order given; a resident no longer listed is
        left out."""
        return worklist_lines.rows_for(self, lines, residents)

    def _items(
        self,
        start: dt.date,
        end: dt.date,
        on: dt.date | None,
        packages: Sequence[str] | None,
        village: str | None,
        statuses: Sequence[str] | None,
        doctor: str | None,
        view: str,
        kept: bool,
    ) -> list[WorkItem]:
        on = on or dt.date.today()
        if kept:
            wanted = tuple(sorted(set(statuses))) if statuses else ()
            listed = self._kept_list(start, end, on, view, wanted)
            if listed is not None:
                return _filtered(listed[1], packages, village, doctor)
        gathered = []
        self._memo = {}
        gatherers = self._gatherers()
        lookback = self._lookback(start, view)
        for programme in self._programmes(view, packages):
            gathered += self._gathered(programme, gatherers[programme], lookback, end, start)
        self._memo = {}
        return self._ordered(gathered, start, end, on, view, statuses, village, doctor)[1]

    def _lookback(self, start: dt.date, view: str) -> dt.date:
        """Where gathering starts: the 到期 view looks OVERDUE_DAYS back (overdue windows)."""
        return start - dt.timedelta(days=OVERDUE_DAYS) if view == DUE_VIEW else start

    def _programmes(self, view: str, packages: Sequence[str] | None) -> list[str]:
        """The programmes ``view`` shows (of ``packages`` when given)."""
        wanted = []
        for programme in self._gatherers():
            if packages and PROGRAMME_PACKAGE[programme] not in packages:
                continue
            yearly = programme in YEARLY_FORMS
            if (view == DUE_VIEW and yearly) or (view == YEARLY_VIEW and not yearly):
                continue
            wanted.append(programme)
        return wanted

    def _kept_list(
        self, start: dt.date, end: dt.date, on: dt.date, view: str, statuses: tuple[str, ...]
    ) -> tuple[list[SortKey], list[WorkItem]] | None:
        """The sorted list of ``view`` for the range on ``on`` from the kept rows, of
        ``statuses`` (all when empty) but not filtered otherwise (the other filters are
        a pass over it: each item is kept or not on its own); None when the kept rows
        cannot serve the range. Remembered: after an entry only the changed residents'
        items are read again (the same statement, for them) and put in their places."""
        if not self._kept_ready(self._lookback(start, view), end):
            return None
        programmes = self._programmes(view, None)
        if self.store.changed_since(self._lists_generation, ("resident",)):
            self._lists.clear()  # a village, doctor or name changed: the rows carry them
        self._lists_generation = self.store.generation
        key = (start, end, on, view, statuses)
        listed = self._lists.get(key)
        if listed is None:
            if len(self._lists) >= CACHED_RANGES * len(VIEWS):  # keep this range's
                self._lists = {k: v for k, v in self._lists.items() if k[:3] == key[:3]}
            # the items' residents, in step with the items (found by a scan in C)
            keys, items, rids = self._sql_list(programmes, start, end, on, view, statuses)
            self._lists[key] = (keys, items, set(), rids)
            return keys, items
        keys, items, changed, rids = listed
        if changed:
            for rid in changed:
                at = 0
                while True:
                    try:
                        at = rids.index(rid, at)
                    except ValueError:
                        break
                    del keys[at], items[at], rids[at]
            fresh = self._sql_list(programmes, start, end, on, view, statuses, changed)
            for k, item, rid in zip(*fresh, strict=True):
                at = bisect.bisect_right(keys, k)
                keys.insert(at, k)
                items.insert(at, item)
                rids.insert(at, rid)
            changed.clear()
        return keys, items

    def _sql_list(
        self,
        programmes: Sequence[str],
        start: dt.date,
        end: dt.date,
        on: dt.date,
        view: str,
        statuses: Sequence[str],
        only: Collection[int] | None = None,
    ) -> tuple[list[SortKey], list[WorkItem], list[int]]:
        """The list of ``view`` (its sort keys, items and their residents' ids, in
        order) from the kept rows, of ``statuses``
        (all when empty), of the residents ``only`` when given: one statement
        (:func:`.worklist_query.kept_query`: an indexed read per programme, the status a CASE on
        ``on`` so that a new day needs no rewrite, the 到期 view's tests in SQL), then
        the residents and the order of :meth:`_ordered`. The same list :meth:`_ordered`
        makes from a recomputation (the kept-rows test holds them equal). Joining the
        residents in SQL was slower (a lookup per item)."""
        found = worklist_lines.kept_statement(
            self, programmes, start, end, on, view, statuses, only
        )
        if found is None:
            return [], [], []
        rows = self.store.conn.execute(*found).fetchall()
        people = self._residents({row[0] for row in rows}, None, None)
        aged = view == DUE_VIEW and bool(self._age_limits)
        day = dt.date.fromisoformat
        # one Due per distinct window (a quarter's undone follow-up is the same item for
        # thousands of patients): fewer objects to make, and an immutable tuple to share
        dues: dict[tuple[Any, ...], sch.Due] = {}
        keys: list[SortKey] = []
        items: list[WorkItem] = []
        rids: list[int] = []
        for row in rows:
            rid, programme, form_id, label, a, b, done, closed, state = row
            r = people.get(rid)
            if r is None or (
                r["status"] != "在档" and done is None and r["status_date"] and r["status_date"] < a
            ):
                continue  # moved away or died before the window: nothing to do
            window = row[1:8]
            due = dues.get(window)
            if due is None:
                due = dues[window] = sch.Due(
                    programme, form_id, label, day(a), day(b), day(done) if done else None, closed
                )
            if aged and state == sch.OVERDUE and self._aged_out(due, r, on):
                continue  # past the form's age: a missed check can no longer be made up
            keys.append(sort_key(state, b, r["archive_no"], label, a, rid, form_id, programme))
            items.append(WorkItem(r, due, state))
            rids.append(rid)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        return [keys[i] for i in order], [items[i] for i in order], [rids[i] for i in order]

    def _ordered(
        self,
        gathered: list[tuple[int, sch.Due]],
        start: dt.date,
        end: dt.date,
        on: dt.date,
        view: str,
        statuses: Sequence[str] | None,
        village: str | None,
        doctor: str | None,
    ) -> tuple[list[SortKey], list[WorkItem]]:
        """The items of ``view`` among ``gathered`` with their status on ``on``, sorted
        (and their sort keys): overdue first, then by window end and archive number."""
        if view == DUE_VIEW:
            found = self._due_now(gathered, start, end, on)
        else:
            found = [
                (rid, due, due.status(on)) for rid, due in gathered if due.overlaps(start, end)
            ]
            if view == YEARLY_VIEW:
                found = [f for f in found if f[2] in NOT_DONE]
        if statuses:
            found = [f for f in found if f[2] in statuses]
        residents = self._residents({rid for rid, _, _ in found}, village, doctor)
        keyed: list[tuple[SortKey, WorkItem]] = []
        for rid, due, status in found:
            r = residents.get(rid)
            if r is None:
                continue
            if (
                r["status"] != "在档"
                and due.done is None
                and r["status_date"]
                and r["status_date"] < due.start.isoformat()
            ):
                continue  # moved away or died before the window: nothing to do
            if view == DUE_VIEW and status == sch.OVERDUE and self._aged_out(due, r, on):
                continue
            # by archive number within a day: villages, then households, as walked; the
            # rest only so that kept and recomputed lists come in one order
            keyed.append(
                (
                    sort_key(
                        status,
                        due.end.isoformat(),
                        r["archive_no"],
                        due.label,
                        due.start.isoformat(),
                        rid,
                        due.form_id,
                        due.programme,
                    ),
                    WorkItem(r, due, status),
                )
            )
        keyed.sort(key=_first)
        return [k for k, _ in keyed], [i for _, i in keyed]

    def _due_now(
        self, gathered: list[tuple[int, sch.Due]], start: dt.date, end: dt.date, on: dt.date
    ) -> list[tuple[int, sch.Due, str]]:
        """The 到期 view of ``gathered``: windows that end in [start, end], and those
        overdue from before that are still open (:meth:`_still_open`) and not
        superseded — in a series (:data:`SERIES`: child checks, pregnancy, TB) an
        overdue visit gives way to the next one once that one's window has opened."""
        opened: dict[tuple[int, str], dt.date] = {}
        for rid, due in gathered:
            series = SERIES.get(due.programme)
            if series and due.start <= on and due.start > opened.get((rid, series), dt.date.min):
                opened[rid, series] = due.start
        found = []
        for rid, due in gathered:
            if due.end > end:
                continue
            status = due.status(on)
            if status == sch.OVERDUE:
                series = SERIES.get(due.programme)
                if series and opened.get((rid, series), due.start) > due.start:
                    continue
            elif due.end < start:
                continue
            found.append((rid, due, status))
        return self._still_open(found, on)

    def _aged_out(self, due: sch.Due, resident: Mapping[str, Any], on: dt.date) -> bool:
        """Whether the resident is past the age the form of ``due`` applies to (儿童健康检查
        under 7, 儿童中医药 to 36 months, 新生儿访视 42 days: the forms' schedules,
        :func:`.worklist_children.age_limits`): a missed check can no longer be made up."""
        birth = resident.get("birth_date")
        if not birth or due.programme not in self._age_limits:
            return False
        months, days = self._age_limits[due.programme]
        born = dt.date.fromisoformat(birth)
        return sch.add_months(born, months) + dt.timedelta(days=days) <= on

    def _still_open(
        self, found: list[tuple[int, sch.Due, str]], on: dt.date
    ) -> list[tuple[int, sch.Due, str]]:
        """``found`` without the overdue items a later record of their form has closed
        in the record sense (a late visit: the patient was seen since)."""
        overdue = [due for _, due, status in found if status == sch.OVERDUE]
        if not overdue:
            return found
        since = min(due.end for due in overdue)
        later = {
            (rid, form_id): day
            for rid, form_id, day in self.store.conn.execute(
                "SELECT resident_id, form_id, max(service_date) FROM service_records "
                "WHERE deleted = 0 AND form_id IN (SELECT value FROM json_each(?)) "
                "AND service_date > ? AND service_date <= ? GROUP BY resident_id, form_id",
                (
                    json.dumps(sorted({due.form_id for due in overdue})),
                    since.isoformat(),
                    on.isoformat(),
                ),
            )
        }
        return [
            (rid, due, status)
            for rid, due, status in found
            if status != sch.OVERDUE or later.get((rid, due.form_id), "") <= due.end.isoformat()
        ]

    def _gathered(
        self,
        programme: str,
        gather: Callable[[dt.date, dt.date], Pairs],
        start: dt.date,
        end: dt.date,
        since: dt.date,
    ) -> list[tuple[int, sch.Due]]:
        """What ``programme`` found for [start, end] (remembered until what it reads
        changes). ``since`` is the range's own start: ``start`` is earlier for the 到期
        view."""
        cached = self._found.get((programme, start != since))
        topics = self._topics.get(programme, ())
        if (
            cached
            and cached[1:3] == (start, end)
            and not self.store.changed_since(cached[0], topics)
        ):
            return cached[3]
        generation = self.store.generation
        pairs = [
            (rid, due)
            for rid, due, _ in gather(start, end)
            if due.start <= end and due.end >= start
        ]
        self._found[programme, start != since] = (generation, start, end, pairs)
        return pairs

    # ---- the kept rows (worklist_due, migration 0054) ----------------------------------
    def kept_window(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The years the kept rows cover: last year to next year. A range (with the 到期
        view's look-back) outside them is recomputed; a new year moves them (one refill)."""
        year = (today or dt.date.today()).year
        return dt.date(year - 1, 1, 1), dt.date(year + 1, 12, 31)

    def _fingerprint(self, floor: dt.date, horizon: dt.date) -> str:
        """What the kept rows were derived with: the years and every form's schedule."""
        plans = {f.id: f.settings.get("schedule", {}) for f in self.forms}
        return json.dumps(
            [
                floor.isoformat(),
                horizon.isoformat(),
                sorted(self._chronic_forms.items()),
                plans,
                worklist_vaccines.fingerprint(self.store),
                KEPT_RULES,
            ],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )

    def _kept_state(self) -> dict[str, str] | None:
        """The kept rows' state (None: a database without them, before migration 0054)."""
        try:
            return dict(self.store.conn.execute("SELECT key, value FROM worklist_kept"))
        except sqlite3.OperationalError:
            return None

    def refresh_kept(self, today: dt.date | None = None, *, full: bool = False) -> bool:
        """Bring the kept rows up to date: derive again those of the residents changed
        since (``worklist_dirty``, marked by triggers in the saving transaction), or all
        of them (:meth:`fill_kept`, here and now) when the years, the schedules, the
        number of residents changed or ``full`` ask for it. False when they cannot be
        used now (a read-only file, an open transaction, no table; rows to derive while
        writes wait for the opening check): the list is recomputed then."""
        state = self._kept_state()
        if state is None or self.store.readonly or self.store.conn.in_transaction:
            return False
        floor, horizon = self.kept_window(today)
        if full or self._all_stale(state, floor, horizon):
            if self.store.check_pending:
                return False
            self.fill_kept(today)
            return True
        if not self._marked():
            return True  # up to date: read, even while writes wait for the opening check
        if self.store.check_pending:
            return False
        before = state.get("version")
        with self._derived_write() as conn:
            # read inside the transaction: a mark made after it is derived next time
            dirty = [r[0] for r in conn.execute("SELECT DISTINCT resident_id FROM worklist_dirty")]
            conn.execute(
                "DELETE FROM worklist_due WHERE resident_id IN "
                "(SELECT resident_id FROM worklist_dirty)"
            )
            conn.execute("DELETE FROM worklist_dirty")
            self._only = json.dumps(dirty)
            spans: dict[str, int] = {}
            self._memo = {}
            try:
                for programme, gather in self._gatherers().items():
                    rows, spans[programme] = self._derived(gather, floor, horizon)
                    conn.executemany(INSERT_KEPT, rows)
            finally:
                self._only = None
                self._memo = {}
            version = self._mark_derived(conn, spans)
        if self._kept_version == before:
            for _, _, changed, _ in self._lists.values():
                changed.update(dirty)
            self._line_cache.forget(dirty)
        else:
            self._lists.clear()
            self._line_cache.forget()
        self._kept_version = version
        return True

    def needs_fill(self, today: dt.date | None = None) -> bool:
        """Whether bringing the kept rows up to date means deriving them all
        (:meth:`fill_kept`: an upgraded database's first worklist, a new year, other
        schedules, more than :data:`FULL_REFILL` residents changed) — seconds to half a
        minute on a large station, work for a background job. False when they are up
        to date or need a few residents again, and when they cannot be written (a
        read-only file, no table: the list is recomputed then)."""
        state = self._kept_state()
        if state is None or self.store.readonly:
            return False
        return self._all_stale(state, *self.kept_window(today))

    def stale(self, today: dt.date | None = None) -> bool:
        """Whether the kept rows must be written before they can be read (some
        residents' rows or all of them); False also when they cannot be used at all."""
        state = self._kept_state()
        if state is None or self.store.readonly:
            return False
        return self._all_stale(state, *self.kept_window(today)) or self._marked()

    def _marked(self) -> bool:
        """Whether some resident is marked changed since their rows were derived."""
        return (
            self.store.conn.execute("SELECT 1 FROM worklist_dirty LIMIT 1").fetchone() is not None
        )

    def _all_stale(self, state: Mapping[str, str], floor: dt.date, horizon: dt.date) -> bool:
        """Whether every kept row must be derived again (see :meth:`needs_fill`)."""
        if state.get("fingerprint") != self._fingerprint(floor, horizon):
            return True
        marked = self.store.conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT resident_id FROM worklist_dirty LIMIT ?)",
            (FULL_REFILL + 1,),
        ).fetchone()[0]
        return int(marked) > FULL_REFILL

    def fill_kept(
        self,
        today: dt.date | None = None,
        step: Callable[[int, int, str], None] | None = None,
    ) -> int:
        """Derive every resident's kept rows again; returns how many there are.

        Written in short transactions (the marks cleared first, then the rows of each
        programme :data:`FILL_BATCH` at a time, then the state), so that a save made
        meanwhile — on this connection between them, or on another (the window while
        its worker fills) — waits a moment at most. Such a save is never lost: its
        trigger marks the resident after the marks were cleared, and the next
        :meth:`refresh_kept` derives that resident again. Until the last transaction the
        rows have no fingerprint: a reader sees "all stale", never half a table.

        ``step(done, total, text)`` is called between transactions (per programme and
        batch of rows, derived or written); it may raise (a cancel, :class:`~ygt_desktop.ops.base.OpCancelled`) to
        stop there, leaving the rows to be filled again next time."""
        floor, horizon = self.kept_window(today)
        with self._derived_write() as conn:
            conn.execute("DELETE FROM worklist_due")
            conn.execute("DELETE FROM worklist_kept")
            conn.execute("DELETE FROM worklist_dirty")
        self._lists.clear()
        self._line_cache.forget()
        spans: dict[str, int] = {}
        gatherers = self._gatherers()
        count = 0
        self._memo = {}
        try:
            for n, (programme, gather) in enumerate(gatherers.items()):
                text = f"正在整理待办随访：{sch.programme_name(programme)}"
                tick = None if step is None else partial(step, n, len(gatherers), text)
                if tick is not None:
                    tick()
                rows, spans[programme] = self._derived(gather, floor, horizon, tick)
                rows.sort(key=_WINDOW)  # stored in the window index's order: reads in runs
                for at in range(0, len(rows), FILL_BATCH):
                    if tick is not None and at:
                        tick()
                    with self._derived_write() as conn:
                        conn.executemany(INSERT_KEPT, rows[at : at + FILL_BATCH])
                count += len(rows)
        finally:
            self._memo = {}
        with self._derived_write() as conn:
            conn.execute(
                "INSERT INTO worklist_kept (key, value) VALUES ('fingerprint', ?)",
                (self._fingerprint(floor, horizon),),
            )
            self._kept_version = self._mark_derived(conn, spans)
        return count

    @contextlib.contextmanager
    def _derived_write(self) -> Iterator[sqlite3.Connection]:
        """A write of derived rows: not a change to back up (the save that marked a
        resident counted)."""
        with self.store.write("worklist") as conn:
            yield conn
        self.store.changes_since_backup -= 1

    def _mark_derived(self, conn: sqlite3.Connection, spans: Mapping[str, int]) -> str:
        """Record each programme's longest window (never shorter than before) and a new
        version of the kept rows; returns the version."""
        for programme, days in spans.items():
            conn.execute(
                "INSERT INTO worklist_kept (key, value) VALUES (?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS "
                "INTEGER))",
                (f"span:{programme}", str(days)),
            )
        version = str(uuid.uuid4())
        conn.execute(
            "INSERT OR REPLACE INTO worklist_kept (key, value) VALUES ('version', ?)", (version,)
        )
        return version

    def _derived(
        self,
        gather: Callable[[dt.date, dt.date], Pairs],
        floor: dt.date,
        horizon: dt.date,
        tick: Callable[[], None] | None = None,
    ) -> tuple[list[KeptRow], int]:
        """The rows one gatherer finds for [floor, horizon] (for the residents of
        ``self._only`` when set): the very code of a recomputation; and the longest
        window among them, in days (what a range's read reaches forward by). ``tick``
        is called every :data:`FILL_BATCH` rows (a cancel may raise there)."""
        rows: list[KeptRow] = []
        longest = 0
        for n, (rid, due, gate) in enumerate(gather(floor, horizon), start=1):
            if tick is not None and not n % FILL_BATCH:
                tick()
            if due.start <= horizon and due.end >= floor:
                longest = max(longest, (due.end - due.start).days)
                rows.append(
                    (
                        rid,
                        due.programme,
                        due.form_id,
                        due.label,
                        due.start.isoformat(),
                        due.end.isoformat(),
                        due.done.isoformat() if due.done else None,
                        due.closed,
                        gate,
                    )
                )
        return rows, longest

    def _gate_cutoffs(self, start: dt.date) -> dict[str, str]:
        """Per programme, the earliest ``gate`` a gathering from ``start`` keeps (what
        its queries' date bounds drop: see the gatherers)."""
        first_q = sch.quarter_bounds(*sch.quarter_of(start))[0].isoformat()
        course = int(self._schedule("tb_followup").get("course_months", 6))
        pregnancy = (start - dt.timedelta(days=330)).isoformat()
        return {
            **{p: first_q for p in self._chronic_forms},
            "prenatal": pregnancy,
            "postpartum": pregnancy,
            "tb": sch.add_months(start, -course - 1).isoformat(),
        }

    def _kept_ready(self, start: dt.date, end: dt.date) -> bool:
        """Whether the kept rows can serve [start, end] (with the 到期 view's look-back):
        inside the kept years, and brought up to date now (:meth:`refresh_kept`).
        Lists made from rows derived again elsewhere (another Worklist) are forgotten."""
        floor, horizon = self.kept_window()
        if start < floor or end > horizon or not self.refresh_kept():
            return False
        version = self._version()
        if version != self._kept_version:
            self._lists.clear()
            self._line_cache.forget()
            self._kept_version = version
        return True

    def _version(self) -> str | None:
        row = self.store.conn.execute(
            "SELECT value FROM worklist_kept WHERE key = 'version'"
        ).fetchone()
        return row[0] if row else None

    def _spans(self) -> dict[str, int]:
        """Per programme with kept rows, its longest window in days: an item starting
        by a range's end ends at most this long after it."""
        return {
            key.removeprefix("span:"): int(value)
            for key, value in self.store.conn.execute(
                "SELECT key, value FROM worklist_kept WHERE key LIKE 'span:%'"
            )
        }

    def doctors(self) -> list[str]:
        """The residents' responsible doctors, for the filter."""
        return [
            r[0]
            for r in self.store.conn.execute(
                "SELECT DISTINCT responsible_doctor FROM residents WHERE deleted = 0 "
                "AND responsible_doctor IS NOT NULL AND responsible_doctor != '' ORDER BY 1"
            )
        ]

    # ---- gathering ---------------------------------------------------------------
    def _gatherers(self) -> dict[str, Callable[[dt.date, dt.date], Pairs]]:
        out: dict[str, Callable[[dt.date, dt.date], Pairs]] = {}
        for programme, (register, followup) in self._chronic_forms.items():
            out[programme] = partial(self._chronic, programme, register, followup)
        if "smi" in self._chronic_forms:  # the quarters and each visit's next one
            out["smi"] = partial(smi_items, self, *self._chronic_forms["smi"])
        for programme, form_id in YEARLY_FORMS.items():
            out[programme] = partial(self._yearly, programme, form_id)
        out["child"] = partial(children.gather_checks, self)
        out["tcm_child"] = partial(children.gather_tcm, self)
        out["newborn"] = partial(children.gather_newborn, self)
        out["vaccination"] = self._vaccination
        out["vaccine"] = partial(worklist_vaccines.gather, self)
        out["prenatal"] = self._prenatal
        out["postpartum"] = self._postpartum
        out["tb"] = self._tb
        out["referral"] = self._referral
        return {programme: partial(self._ended, gather) for programme, gather in out.items()}

    def _ended(
        self, gather: Callable[[dt.date, dt.date], Pairs], start: dt.date, end: dt.date
    ) -> Pairs:
        """What ``gather`` finds, a closed archive's items not done marked 结案: closing
        an archive (迁出 / 死亡 / 注销) ends its due items (the list drops those whose
        window opens after the closing day; the rest show as 结案, not 逾期)."""
        closed = self._closed_archives()
        for rid, due, gate in gather(start, end):
            if rid in closed and due.done is None and not due.closed:
                due = due._replace(closed=sch.CLOSED)
            yield rid, due, gate

    def _closed_archives(self) -> set[int]:
        """The residents whose archive is closed (of ``self._only`` when set), read once
        per store generation (the condition repeated: the partial index
        ``residents_gone``, migration 0055, serves it)."""
        key = (self.store.generation, self._only)
        if self._closed is None or self._closed[0] != key:
            found = {
                rid
                for (rid,) in self.store.conn.execute(
                    "SELECT id FROM residents WHERE (deleted != 0 OR status != '在档') "
                    "AND deleted = 0 AND status != '在档'" + self._scope("id"),
                    self._scoped(),
                )
            }
            self._closed = (key, found)
        return self._closed[1]

    def _schedule(self, form_id: str) -> Mapping[str, Any]:
        if form_id not in self.forms:
            return {}
        plan: Mapping[str, Any] = self.forms[form_id].settings.get("schedule", {})
        return plan

    def _scope(self, column: str) -> str:
        """The SQL that limits a gatherer's query to ``self._only`` (nothing when unset)."""
        return f" AND {column} IN (SELECT value FROM json_each(?))" if self._only else ""

    def _records(self, alias: str = "") -> str:
        """``service_records`` (as ``alias``) for a gatherer's FROM: while the gatherers
        are limited to a few residents (:meth:`_scope`), read by form and resident, the
        index named — by a form's days (``service_records_live``, migration 0055) SQLite
        would read every record of the form in the range for one resident."""
        name = f"service_records {alias}".rstrip()
        return f"{name} INDEXED BY service_records_form_resident" if self._only else name

    def _scoped(self, *params: Any) -> tuple[Any, ...]:
        """``params`` and, when :meth:`_scope` adds its clause, the residents' ids."""
        return (*params, self._only) if self._only else params

    def _dates(self, form_id: str, since: dt.date, until: dt.date) -> dict[int, list[dt.date]]:
        """Service dates of a form per resident in [since, until]."""
        out: dict[int, list[dt.date]] = defaultdict(list)
        if form_id not in self.forms:
            return out
        for rid, day in self.store.conn.execute(
            f"SELECT resident_id, service_date FROM {self._records()} WHERE form_id = ? "
            "AND deleted = 0 AND service_date BETWEEN ? AND ?" + self._scope("resident_id"),
            self._scoped(form_id, since.isoformat(), until.isoformat()),
        ):
            out[rid].append(dt.date.fromisoformat(day))
        return out

    def _people(self, born_from: dt.date, born_to: dt.date) -> list[tuple[dt.date, int]]:
        """Residents on file born in [born_from, born_to], as (birth, id) by birth
        (remembered for the rest of one :meth:`items` call)."""
        key = (born_from, born_to)
        if key not in self._memo:
            self._memo[key] = self._query_people(born_from, born_to)
        return self._memo[key]

    def _query_people(self, born_from: dt.date, born_to: dt.date) -> list[tuple[dt.date, int]]:
        cur = self.store.conn.execute(
            "SELECT birth_date, id FROM residents WHERE deleted = 0 AND status = '在档' "
            f"AND birth_date BETWEEN ? AND ?{self._scope('id')} ORDER BY birth_date",
            self._scoped(born_from.isoformat(), born_to.isoformat()),
        )
        return [(dt.date.fromisoformat(b), rid) for b, rid in cur]

    def _chronic(
        self, programme: str, register: str, followup: str, start: dt.date, end: dt.date
    ) -> Pairs:
        reg, fu = self.forms[register], self.forms[followup]
        first_q = sch.quarter_bounds(*sch.quarter_of(start))[0]
        regs = self.store.conn.execute(
            f"SELECT h.resident_id, h.service_date, d.closed_date, d.close_reason "
            f"FROM {self._records('h')} JOIN {reg.table} d ON d.record_id = h.id "
            "WHERE h.form_id = ? AND h.deleted = 0 AND h.service_date <= ? "
            f"AND (d.closed_date IS NULL OR d.closed_date >= ?){self._scope('h.resident_id')}",
            self._scoped(register, end.isoformat(), first_q.isoformat()),
        ).fetchall()
        if not regs:
            return
        # to the end of the last quarter: a quarter's visit counts whatever the range
        last_q = sch.quarter_bounds(*sch.quarter_of(end))[1]
        face = self._face_to_face(fu.table, followup, first_q, last_q, "visit_method" in fu.by_id)
        rechecks = self._rechecks(followup, start, end)
        none: list[dt.date] = []
        for rid, registered, closed, reason in regs:
            reg_day = dt.date.fromisoformat(registered)
            for due in sch.chronic_quarters(
                programme,
                followup,
                max(reg_day, first_q),
                face.get(rid, none),
                end,
                _d(closed),
                lost=reason == "3",
            ):
                if due.start < reg_day:
                    due = due._replace(start=reg_day)
                yield rid, due, closed
            if rid in rechecks:
                visits, asked = rechecks[rid]
                for due in sch.rechecks(programme, followup, visits, asked):
                    yield rid, due, closed

    def _face_to_face(
        self, table: str, form_id: str, since: dt.date, until: dt.date, has_method: bool
    ) -> dict[int, list[dt.date]]:
        """Face-to-face follow-up dates per patient in [since, until]."""
        method = f"AND d.visit_method IN {FACE_TO_FACE!r}" if has_method else ""
        out: dict[int, list[dt.date]] = {}
        for rid, days in self.store.conn.execute(
            f"SELECT h.resident_id, group_concat(h.service_date) FROM {self._records('h')} "
            f"JOIN {table} d ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            f"AND h.service_date BETWEEN ? AND ? {method}{self._scope('h.resident_id')} "
            "GROUP BY h.resident_id",
            self._scoped(form_id, since.isoformat(), until.isoformat()),
        ):
            out[rid] = [dt.date.fromisoformat(d) for d in days.split(",")]
        return out

    def _rechecks(
        self, form_id: str, start: dt.date, end: dt.date
    ) -> dict[int, tuple[list[dt.date], list[tuple[dt.date, dt.date]]]]:
        """Per patient with a re-check window overlapping the range: their visits from
        the first such re-check on, and the (visit, re-check by) pairs."""
        asked: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for rid, day, by in self.store.conn.execute(
            f"SELECT resident_id, service_date, recheck_date FROM {self._records()} "
            "WHERE form_id = ? AND deleted = 0 AND recheck_date >= ? "
            "AND service_date < ?" + self._scope("resident_id"),
            self._scoped(form_id, start.isoformat(), end.isoformat()),
        ):
            asked[rid].append((dt.date.fromisoformat(day), dt.date.fromisoformat(by)))
        if not asked:
            return {}
        since = min(v for pairs in asked.values() for v, _ in pairs)
        until = max(b for pairs in asked.values() for _, b in pairs)
        visits: dict[int, list[dt.date]] = defaultdict(list)
        for rid, day in self.store.conn.execute(
            f"SELECT resident_id, service_date FROM {self._records()} WHERE form_id = ? "
            "AND deleted = 0 AND service_date BETWEEN ? AND ? "
            "AND resident_id IN (SELECT value FROM json_each(?))",
            (form_id, since.isoformat(), until.isoformat(), json.dumps(sorted(asked))),
        ):
            visits[rid].append(dt.date.fromisoformat(day))
        return {rid: (visits[rid], pairs) for rid, pairs in asked.items()}

    def _yearly(self, programme: str, form_id: str, start: dt.date, end: dt.date) -> Pairs:
        """Once a calendar year from the resident's ``min_age`` and, at any age, while a
        patient of one of its ``registers`` (both from the form's ``[schedule]``; without
        ``min_age`` nobody by age alone): :func:`~ygt_desktop.core.schedules.yearly_spans`."""
        if form_id not in self.forms:
            return
        plan = self._schedule(form_id)
        min_age = plan.get("min_age")
        wanted = plan.get("registers", ())
        years = range(start.year, end.year + 1)
        first, last = dt.date(start.year, 1, 1), dt.date(end.year, 12, 31)
        label = sch.programme_name(programme)
        spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        if min_age is not None:
            months = 12 * int(min_age)
            for birth, rid in self._people(dt.date(1880, 1, 1), sch.add_months(end, -months)):
                spans[rid].append((sch.add_months(birth, months), None))
        for rid, registered, closed in self._register_spans(wanted, first, last):
            spans[rid].append((registered, closed))
        done = self._dates(form_id, first, last)
        for rid, found in spans.items():
            for due in sch.yearly_spans(programme, form_id, label, found, done.get(rid, ()), years):
                yield rid, due, None

    def _register_spans(
        self, registers: Iterable[str], first: dt.date, last: dt.date
    ) -> Iterator[tuple[int, dt.date, dt.date | None]]:
        """(resident, registered, closed or None) of the entries of ``registers`` open at
        some day of [first, last], residents on file only (as :meth:`_people`)."""
        forms = self.forms.register_forms()
        for key in registers:
            if key not in forms:
                continue
            form = forms[key]
            for rid, registered, closed in self.store.conn.execute(
                f"SELECT h.resident_id, h.service_date, d.closed_date FROM {self._records('h')} "
                f"JOIN {form.table} d ON d.record_id = h.id JOIN residents r "
                "ON r.id = h.resident_id WHERE h.form_id = ? AND h.deleted = 0 "
                "AND h.service_date <= ? AND (d.closed_date IS NULL OR d.closed_date >= ?) "
                f"AND r.deleted = 0 AND r.status = '在档'{self._scope('h.resident_id')}",
                self._scoped(form.id, last.isoformat(), first.isoformat()),
            ):
                yield rid, dt.date.fromisoformat(registered), _d(closed)

    def _vaccination(self, start: dt.date, end: dt.date) -> Pairs:
        if "vaccination" not in self.forms:
            return
        months = int(self._schedule("vaccination").get("certificate_within_months", 1))
        since = sch.add_months(start, -months) - _SLACK
        people = self._people(since, end)
        done = self._dates("vaccination", since, sch.add_months(end, months + 12))
        for birth, rid in people:
            last = sch.add_months(birth, months)
            records = done.get(rid, ())
            first = min(records) if records else None
            yield (
                rid,
                sch.Due(
                    "vaccination",
                    "vaccination",
                    f"预防接种建证（出生{months}个月内）",
                    birth,
                    last,
                    first if first is not None and first <= last else None,
                ),
                None,
            )

    def _episodes(
        self, opener: str, since: dt.date, members: Iterable[str]
    ) -> tuple[list[tuple[int, int, str]], dict[int, dict[str, list[str]]], dict[int, str]]:
        """Episodes opened by ``opener`` on or after ``since``: (episode, resident, date),
        the dates of the ``members`` forms in each, and each closed one's closing date."""
        opened: list[tuple[int, int, str]] = [
            (r[0], r[1], r[2])
            for r in self.store.conn.execute(
                f"SELECT id, resident_id, service_date FROM {self._records()} WHERE form_id = ? "
                "AND deleted = 0 AND service_date >= ?" + self._scope("resident_id"),
                self._scoped(opener, since.isoformat()),
            )
        ]
        seen: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        closed: dict[int, str] = {}
        if not opened:
            return [], seen, closed
        wanted = set(members)
        for episode, form_id, day, closes in self.store.conn.execute(
            "SELECT episode_id, form_id, service_date, closes_episode FROM service_records "
            f"WHERE deleted = 0 AND episode_id IN (SELECT id FROM {self._records()} "
            f"WHERE form_id = ? AND deleted = 0 AND service_date >= ?{self._scope('resident_id')})",
            self._scoped(opener, since.isoformat()),
        ):
            if form_id in wanted:
                seen[episode][form_id].append(day)
            if closes:
                closed[episode] = min(day, closed.get(episode, day))
        return opened, seen, closed

    def _pregnancies(
        self, start: dt.date
    ) -> Iterator[tuple[int, int, dt.date, dict[str, list[str]], str]]:
        """(episode, resident, LMP, the member forms' dates, the opening date) of the
        pregnancies opened from 330 days before ``start``. The LMP is the day the weeks
        count from (:func:`~..core.schedules.dated_from`): 末次月经, or when 不详 the first
        check's date less the 孕周 typed then."""
        since = start - dt.timedelta(days=330)
        opened, seen, _ = self._episodes(
            "prenatal_first", since, ("prenatal_followup", "postpartum_visit", "postpartum_42d")
        )
        if not opened:
            return
        first = self.forms["prenatal_first"]
        lmps = {
            episode: sch.dated_from(_d(lmp), _d(exam), weeks)
            for episode, lmp, exam, weeks in self.store.conn.execute(
                f"SELECT h.id, d.lmp_date, h.service_date, d.gest_weeks "
                f"FROM {self._records('h')} JOIN {first.table} d ON d.record_id = h.id "
                "WHERE h.form_id = 'prenatal_first' AND h.deleted = 0 "
                "AND h.service_date >= ?" + self._scope("h.resident_id"),
                self._scoped(since.isoformat()),
            )
        }
        for episode, rid, day in opened:
            if lmp := lmps.get(episode):
                yield episode, rid, lmp, seen[episode], day

    def _prenatal(self, start: dt.date, end: dt.date) -> Pairs:
        if "prenatal_first" not in self.forms:
            return
        windows = [
            (int(w[0]), int(w[1]))
            for w in self._schedule("prenatal_followup").get(
                "windows_weeks", ((16, 20), (21, 24), (28, 36), (37, 40))
            )
        ]
        deliveries = self._deliveries(start - dt.timedelta(days=330))
        colours = worklist_maternal.colours(self, start - dt.timedelta(days=330))
        for episode, rid, lmp, seen, opened in self._pregnancies(start):
            delivery = deliveries.get(episode)
            followups = [dt.date.fromisoformat(d) for d in seen.get("prenatal_followup", [])]
            gate = min(opened, delivery[2]) if delivery else opened
            for due in sch.prenatal(lmp, followups, delivery[0] if delivery else None, windows):
                yield rid, worklist_maternal.with_colour(due, colours.get(episode)), gate

    def _postpartum(self, start: dt.date, end: dt.date) -> Pairs:
        if "prenatal_first" not in self.forms:
            return
        days = int(self._schedule("postpartum_visit").get("within_days_after_discharge", 7))
        from_day = int(self._schedule("postpartum_visit").get("from_day_after_discharge", 0))
        day42 = int(self._schedule("postpartum_42d").get("day_after_delivery", 42))
        deliveries = self._deliveries(start - dt.timedelta(days=330))
        colours = worklist_maternal.colours(self, start - dt.timedelta(days=330))
        for episode, rid, _, seen, opened in self._pregnancies(start):
            if episode not in deliveries:
                continue
            colour = colours.get(episode)
            delivered_on, discharged, recorded = deliveries[episode]
            gate = min(opened, recorded)
            visits = [dt.date.fromisoformat(d) for d in seen.get("postpartum_visit", [])]
            yield (
                rid,
                worklist_maternal.with_colour(
                    sch.after_event(
                        "postpartum",
                        "postpartum_visit",
                        f"产后访视（出院{from_day}～{days}天）"
                        if from_day
                        else f"产后访视（出院{days}天内）",
                        discharged or delivered_on,
                        from_day,
                        days,
                        visits,
                    ),
                    colour,
                ),
                gate,
            )
            checks = [dt.date.fromisoformat(d) for d in seen.get("postpartum_42d", [])]
            yield (
                rid,
                worklist_maternal.with_colour(
                    sch.after_event(
                        "postpartum",
                        "postpartum_42d",
                        f"产后{day42}天健康检查",
                        delivered_on,
                        day42,
                        day42 + 14,
                        checks,
                    ),
                    colour,
                ),
                gate,
            )

    def _deliveries(self, since: dt.date) -> dict[int, tuple[dt.date, dt.date | None, str]]:
        """Per pregnancy: (delivered, discharged, the delivery record's date)."""
        if "delivery" not in self.forms:
            return {}
        table = self.forms["delivery"].table
        out = {}
        for episode, delivered, discharged, recorded in self.store.conn.execute(
            f"SELECT h.episode_id, d.delivered_date, d.discharged_date, h.service_date "
            f"FROM {self._records('h')} JOIN {table} d ON d.record_id = h.id "
            "WHERE h.form_id = 'delivery' AND h.deleted = 0 AND h.service_date >= ?"
            + self._scope("h.resident_id"),
            self._scoped(since.isoformat()),
        ):
            if delivered:
                out[episode] = (dt.date.fromisoformat(delivered), _d(discharged), recorded)
        return out

    def _tb(self, start: dt.date, end: dt.date) -> Pairs:
        if not all(f in self.forms for f in ("tb_notify", "tb_first_visit", "tb_followup")):
            return
        plan = self._schedule("tb_followup")
        first_within = int(self._schedule("tb_first_visit").get("within_days", 3))
        course = int(plan.get("course_months", 6))
        step = max(int(plan.get("every_intensive", 10)), int(plan.get("every_continuation", 30)))
        since = sch.add_months(start, -course - 1)
        opened, seen, closed = self._episodes("tb_notify", since, ("tb_first_visit", "tb_followup"))
        for episode, rid, notified in opened:
            got = seen[episode]
            for due in sch.tb_visits(
                dt.date.fromisoformat(notified),
                [dt.date.fromisoformat(d) for d in got.get("tb_first_visit", [])],
                [dt.date.fromisoformat(d) for d in got.get("tb_followup", [])],
                until=end + dt.timedelta(days=step),  # a window that ends after the range
                intensive_days=int(plan.get("intensive_days", 60)),
                every_intensive=int(plan.get("every_intensive", 10)),
                course_months=course,
                ended=_d(closed.get(episode)),
                every_continuation=int(plan.get("every_continuation", 30)),
                within_days=first_within,
            ):
                yield rid, due, notified

    def _referral(self, start: dt.date, end: dt.date) -> Pairs:
        """The 2-week follow-up of each up-referral (window: referral date + 1 … + 14)."""
        if "referral" not in self.forms:
            return
        table = self.forms["referral"].table
        for rid, day, done in self.store.conn.execute(
            f"SELECT resident_id, referral_date, followup_date FROM {table} WHERE deleted = 0 "
            "AND direction = '1' AND referral_date BETWEEN ? AND ?" + self._scope("resident_id"),
            self._scoped(
                (start - dt.timedelta(days=REFERRAL_FOLLOWUP_DAYS)).isoformat(),
                (end - dt.timedelta(days=1)).isoformat(),
            ),
        ):
            yield rid, referral_followup(dt.date.fromisoformat(day), _d(done)), None

    def _residents(
        self, ids: set[int], village: str | None, doctor: str | None
    ) -> Mapping[int, dict[str, Any]]:
        """The residents among ``ids`` (in ``village`` / of ``doctor`` when given), by
        id. Without ``village`` and ``doctor`` the mapping may hold others too (the
        residents remembered from before): look up only ``ids``."""
        if self.store.changed_since(self._people_generation, ("resident",)):
            self._people_rows = {}
        self._people_generation = self.store.generation
        rows = self._people_rows
        if missing := [i for i in ids if i not in rows]:
            for row in self.store.conn.execute(
                f"SELECT {', '.join(RESIDENT_COLUMNS)} FROM residents WHERE deleted = 0 "
                "AND id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(missing)),),
            ):
                # the statement selects RESIDENT_COLUMNS: no length to check (half the cost)
                rows[row[0]] = dict(zip(RESIDENT_COLUMNS, row, strict=False))
        if not (village or doctor):
            return rows
        return {
            i: r
            for i in ids
            if (r := rows.get(i)) is not None
            and (not village or r["village_code"] == village)
            and (not doctor or r["responsible_doctor"] == doctor)
        }
