"""The worklist as the 待办随访 page shows it, lazily (issue 15: its big views at 265,000
residents). :meth:`Worklist.view` gives a :class:`WorkLines`: one line per resident, in
the order of :func:`~ygt_desktop.storage.worklist.by_resident` over
:meth:`Worklist.items` (worst status, then window end, then archive number), with how
many items each line holds and the counts the page shows — read with one statement
that groups and sorts the kept rows in SQL (:func:`.worklist_query.lines_query`). The
items themselves (labels, windows, the resident's name and phone) are built only for the
lines asked, :meth:`WorkLines.rows`, a few hundred at a time, by the statement that
reads a list's changed residents (:meth:`Worklist._sql_list` for those residents): the
same items, in the same order, as :meth:`Worklist.items` gives them.

The lines of a range, day, view, statuses and packages are remembered per Worklist
(:class:`LineCache`) and patched after an entry (only the residents whose kept rows were
derived again are read again), as the lists of :meth:`Worklist.items` are; a village,
doctor or package filter is a pass over the remembered lines (each line's resident is
in the village or not; each line carries its worst item and count per package). A range the kept rows cannot serve falls back to :meth:`Worklist.items`
(a recomputation) and keeps those lines whole.

A long view not yet remembered can be asked for its first lines only (``first``: the
page's first screen, :func:`_first_lines`): the first items by status and window end
are read with a bounded sort, without grouping every item — at 265,000 residents the
全部 view with every status is 68,000 lines, 0.6-0.8 s to group and sort, its first 200
lines 0.15 s. The whole view is then read elsewhere (:func:`read_lines`, the page's
worker with its own connection) and handed over (:func:`adopt`) unless the kept rows or
a resident changed meanwhile.

Plain data and SQL: no Qt. A :class:`WorkLines` is a snapshot — later entries never
change it; ask :meth:`Worklist.view` again.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from ..core import schedules as sch
from .worklist_query import first_query, kept_query, lines_query

if TYPE_CHECKING:
    from .worklist import ResidentDue, WorkItem, Worklist

# A line as read: (key, resident, items, village, doctor, programmes, then per service
# package its worst rank and end and its items). ``key`` is the worst item's status
# rank (one digit) and window end, then the archive number: the line's place;
# ``programmes`` (comma-separated) only in the 本年未做 view.
Line = tuple[Any, ...]
KEY: Final = 0
RESIDENT: Final = 1
ITEMS: Final = 2
VILLAGE: Final = 3
DOCTOR: Final = 4
PROGRAMMES: Final = 5
PACKAGES: Final = 6  # the first package's (rank and end, items); the next two on …
RANK_END = 11  # characters of a key before the archive number
_key = itemgetter(KEY)
# The (range, on, view, statuses, packages) whose lines a Worklist remembers at once.
CACHED_LINES = 9
# The first screen (:func:`view` with ``first``), for a view whose index ranges hold
# FIRST_FROM_WINDOWS kept windows or more (counted in the index, 15-30 ms at 265,000
# residents; fewer are read whole as quickly: the 到期 view's 92,000 windows at 265,000
# residents, 0.15-0.3 s whole and first screen alike; the 全部 view's 175,000, 0.6-0.8 s
# whole, 0.15 s its first screen). Items read at first per line wanted, at least
# FIRST_ITEMS; up to FIRST_TRIES reads, each MORE_ITEMS times as many.
FIRST_FROM_WINDOWS = 120_000
FIRST_ITEMS = 1000
ITEMS_PER_LINE = 4
MORE_ITEMS = 8
FIRST_TRIES = 3


@dataclass(frozen=True)
class LinesQuery:
    """What a :class:`WorkLines` shows: the arguments of :meth:`Worklist.items`."""

    start: dt.date
    end: dt.date
    on: dt.date
    packages: tuple[str, ...] | None
    village: str | None
    statuses: tuple[str, ...] | None
    doctor: str | None
    view: str

    @property
    def read_as(self) -> tuple[Any, ...]:
        """What the lines are read by (range, day, view, statuses): the key of the
        remembered lines — village, doctor and package are passes over them."""
        return (self.start, self.end, self.on, self.view, self.statuses)


class WorkLines:
    """One view of the worklist as lines, in order; see the module's docstring.

    ``len()`` is the number of lines (people); :meth:`resident_at` and
    :meth:`position_of` map positions to resident ids and back; :attr:`per_status`,
    :attr:`item_count` and :attr:`not_done` are the counts the page shows; :meth:`rows`
    builds the lines of some residents. Not thread-safe: the thread that owns the
    Worklist (the UI thread for the page's) calls :meth:`rows`.

    ``complete`` False: only the first lines of the view, in their places (the first
    screen of :meth:`Worklist.view` with ``first``); its counts are of those lines only
    — the whole view comes from :meth:`Worklist.read_lines` in the background."""

    def __init__(
        self,
        worklist: Worklist,
        query: LinesQuery,
        lines: Sequence[Line],
        built: Mapping[int, ResidentDue] | None = None,
        *,
        complete: bool = True,
    ) -> None:
        self.worklist = worklist
        self.query = query
        self.lines = lines
        # the lines already built, by resident (a recomputed list keeps them all)
        self.built = built
        self.complete = complete

    def __len__(self) -> int:
        return len(self.lines)

    def resident_at(self, position: int) -> int | None:
        """The resident of the line at ``position``; None outside the list."""
        if 0 <= position < len(self.lines):
            return int(self.lines[position][RESIDENT])
        return None

    def position_of(self, resident: int) -> int | None:
        """Where ``resident``'s line is; None when they are not listed."""
        return self._positions.get(resident)

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {line[RESIDENT]: n for n, line in enumerate(self.lines)}

    def status_at(self, position: int) -> str:
        """The worst status of the line at ``position`` (逾期 before 应访 …)."""
        return _statuses_by_rank()[self.lines[position][KEY][0]]

    @cached_property
    def item_count(self) -> int:
        """How many items the lines hold (of a view not ``complete``: its lines are
        not counted, 0)."""
        return sum(line[ITEMS] or 0 for line in self.lines)

    @cached_property
    def per_status(self) -> dict[str, int]:
        """People per their worst status, worst first."""
        counts: dict[str, int] = {}
        for line in self.lines:
            rank = line[KEY][0]
            counts[rank] = counts.get(rank, 0) + 1
        return {_statuses_by_rank()[rank]: n for rank, n in sorted(counts.items())}

    @cached_property
    def not_done(self) -> dict[str, int]:
        """People with an item not yet done per service name, most first (then by name):
        the 本年未做 view's counts (empty in the other views)."""
        people: dict[str, int] = {}
        for line in self.lines:
            for programme in (line[PROGRAMMES] or "").split(","):
                if programme:
                    name = sch.programme_name(programme)
                    people[name] = people.get(name, 0) + 1
        return dict(sorted(people.items(), key=lambda pair: (-pair[1], pair[0])))

    def rows(self, residents: Sequence[int]) -> list[ResidentDue]:
        """The lines of ``residents`` (among this list's), built now, in the order
        given; a resident with nothing listed any more is left out."""
        if self.built is not None:
            return [self.built[r] for r in residents if r in self.built]
        return self.worklist.rows_for(self, residents)

    def items(self) -> list[WorkItem]:
        """Every item of the query, in :meth:`Worklist.items`' order — all built at once
        (seconds on a large station: a background job's or a test's, never the UI's)."""
        q = self.query
        return self.worklist.items(
            q.start,
            q.end,
            q.on,
            packages=q.packages,
            village=q.village,
            statuses=q.statuses,
            doctor=q.doctor,
            view=q.view,
        )


class LineCache:
    """A Worklist's remembered lines (see the module's docstring): per (start, end, on,
    view, statuses, packages) the lines of every village and doctor, in order, with the
    residents changed since they were read."""

    def __init__(self) -> None:
        self.lists: dict[tuple[Any, ...], tuple[list[Line], set[int]]] = {}
        # the lines built (:func:`rows_for`) per query, by resident: after an entry the
        # page's first lines are built again only for the residents it changed
        self.built: dict[LinesQuery, dict[int, ResidentDue | None]] = {}
        self.generation = 0  # the store's generation the residents were read at

    def forget(self, residents: Iterable[int] | None = None) -> None:
        """Read ``residents``' lines again at the next use (their kept rows were derived
        again); all lines when None (other kept rows, other residents' details)."""
        if residents is None:
            self.lists.clear()
            self.built.clear()
            return
        changed = set(residents)
        for _, marked in self.lists.values():
            marked.update(changed)
        for built in self.built.values():
            for rid in changed:
                built.pop(rid, None)


def view(wl: Worklist, query: LinesQuery, first: int | None = None) -> WorkLines:
    """:meth:`Worklist.view` (``query``: :func:`lines_query_of` its arguments)."""
    with collector_paused():
        return _view(wl, query, first)


def lines_query_of(
    start: dt.date,
    end: dt.date,
    on: dt.date | None,
    packages: Sequence[str] | None,
    village: str | None,
    statuses: Sequence[str] | None,
    doctor: str | None,
    view: str,
) -> LinesQuery:
    """The :class:`LinesQuery` of :meth:`Worklist.view`'s arguments (an unknown view is
    a ValueError; ``on`` None is today)."""
    from .worklist import check_view

    check_view(view)
    on = on or dt.date.today()
    wanted = tuple(sorted(set(statuses))) if statuses else None
    chosen = tuple(sorted(set(packages))) if packages else None
    return LinesQuery(start, end, on, chosen, village or None, wanted, doctor or None, view)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector paused while a list is built (:meth:`Worklist.items`,
    :func:`view`): tens of thousands of small tuples would otherwise trigger collections
    that cost a third of the call (measured); nothing built makes reference cycles."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _view(wl: Worklist, query: LinesQuery, first: int | None = None) -> WorkLines:
    start, end, view = query.start, query.end, query.view
    if not wl._kept_ready(wl._lookback(start, view), end):
        return _recomputed(wl, query)
    cache = wl._line_cache
    if wl.store.changed_since(cache.generation, ("resident",)):
        cache.forget()  # a village, doctor or archive number changed: lines carry them
    cache.generation = wl.store.generation
    key = query.read_as
    remembered = cache.lists.get(key)
    if remembered is None:
        if first is not None and not (query.village or query.doctor or query.packages):
            # with a filter the first lines would cost a read of all the items, and
            # the whole view (every village and package) is read anyway to be kept
            screen = _first_lines(wl, query, first)
            if screen is not None:
                return screen
        lines = _read(wl, query)
        _remember(cache, key, lines)
    else:
        lines, changed = remembered
        if changed:
            lines[:] = [line for line in lines if line[RESIDENT] not in changed]
            for line in _read(wl, query, changed):
                bisect.insort(lines, line, key=_key)
            changed.clear()
    shown: Sequence[Line] = lines
    if query.village or query.doctor:
        shown = [
            line
            for line in lines
            if (not query.village or line[VILLAGE] == query.village)
            and (not query.doctor or line[DOCTOR] == query.doctor)
        ]
    if query.packages:
        shown = _of_packages(shown, query.packages, query.view)
    elif shown is lines:
        shown = list(lines)  # a snapshot: the remembered lines are patched in place
    return WorkLines(wl, query, shown)


def _remember(cache: LineCache, key: tuple[Any, ...], lines: list[Line]) -> None:
    """Keep ``lines`` as the lines of ``key`` (start, end, on, view, statuses); when
    :data:`CACHED_LINES` are kept, only those of the same range and day stay."""
    if len(cache.lists) >= CACHED_LINES:
        cache.lists = {k: v for k, v in cache.lists.items() if k[:3] == key[:3]}
        cache.built = {q: b for q, b in cache.built.items() if (q.start, q.end, q.on) == key[:3]}
    cache.lists[key] = (lines, set())


def _first_lines(wl: Worklist, query: LinesQuery, count: int) -> WorkLines | None:
    """The first ``count`` lines of ``query`` (no village, doctor or package: with one
    the whole view is read, to be kept for every filter), each with its key, resident, village and
    doctor (items counted only in the whole view): a :class:`WorkLines` not
    ``complete``. None when the view is short enough to read whole at once (fewer than
    :data:`FIRST_FROM_WINDOWS` windows, or the first read found every item) or its
    first lines stay undecided after
    :data:`FIRST_TRIES` reads (residents with many items each).

    Each read takes the first items in the order of their rank and window end
    (:func:`.worklist_query.first_query`); a resident whose worst item comes before
    the last item read has all their earlier items among those read, so those residents
    are exactly the view's first lines, in the order of (worst item, archive number).
    When too few come before it (many items end on the same day with the same status:
    a quarter's follow-ups), the items of the last one's rank and end are read (the
    windows ending that day, a seek in the window index): with them, the residents
    with an item by then are the first lines."""
    counted = _ranked(wl, query, windows=True)
    conn = wl.store.conn
    if counted is None or conn.execute(*counted).fetchone()[0] < FIRST_FROM_WINDOWS:
        return None  # read whole as quickly
    found = _ranked(wl, query)
    if found is None:
        return None
    aged = _aged(wl, query)

    def read(items: tuple[str, dict[str, Any]], **bound: Any) -> list[tuple[int, str]]:
        sql, args = first_query(items, aged=aged, **bound)
        return conn.execute(sql, args).fetchall()

    limit = max(FIRST_ITEMS, ITEMS_PER_LINE * count)
    for _ in range(FIRST_TRIES):
        rows = read(found, limit=limit)
        if len(rows) < limit:
            return None  # every item read: the whole view is as quick
        last = rows[-1][1]
        worst: dict[int, str] = {}
        for resident, rank_end in rows:
            if rank_end < last and resident not in worst:
                worst[resident] = rank_end
        if len(worst) < count:
            tied = _ranked(wl, query, ends_on=last[1:RANK_END])
            if tied is not None:
                for resident, _ in read(tied, tied=last):
                    worst.setdefault(resident, last)
        if len(worst) >= count:
            return WorkLines(wl, query, _first_of(wl, worst, count), complete=False)
        limit *= MORE_ITEMS
    return None


def _first_of(wl: Worklist, worst: Mapping[int, str], count: int) -> list[Line]:
    """The ``count`` first lines of the residents ``worst`` (resident → worst item's
    rank and end) not deleted, in the view's order."""
    found = wl.store.conn.execute(
        "SELECT id, archive_no, village_code, responsible_doctor FROM residents "
        "WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0",
        (json.dumps(list(worst)),),
    ).fetchall()
    lines = [
        (worst[rid] + archive, rid, None, village, doctor, None)
        for rid, archive, village, doctor in found
    ]
    lines.sort(key=_key)
    return lines[:count]


def read_lines(wl: Worklist, query: LinesQuery) -> tuple[list[Line], str | None]:
    """:meth:`Worklist.read_lines`."""
    with collector_paused():
        before = wl._version()
        lines = _read(wl, query)
        after = wl._version()
    return lines, (before if before == after else None)


def adopt(
    wl: Worklist, query: LinesQuery, lines: list[Line], version: str | None, generation: int
) -> bool:
    """:meth:`Worklist.adopt_lines`."""
    if version is None or version != wl._kept_version or version != wl._version():
        return False
    cache = wl._line_cache
    if wl.store.changed_since(min(generation, cache.generation), ("resident",)):
        return False
    _remember(cache, query.read_as, lines)
    return True


def _packages() -> list[str]:
    """The service packages in the order of a line's package columns."""
    from .worklist import PROGRAMME_PACKAGE

    return list(dict.fromkeys(PROGRAMME_PACKAGE.values()))


def _of_packages(lines: Sequence[Line], packages: Sequence[str], view: str) -> list[Line]:
    """The lines of the items of ``packages`` only: each line's worst item and count
    among them (from its package columns), in their order."""
    from .worklist import PROGRAMME_PACKAGE, YEARLY_VIEW

    known = _packages()
    columns = [PACKAGES + 2 * known.index(p) for p in packages if p in known]
    members = {p for p, package in PROGRAMME_PACKAGE.items() if package in packages}
    out: list[Line]
    if len(columns) == 1 and view != YEARLY_VIEW:
        # the page's one package at a time: a pass without per-line lists (64,000
        # lines of the 全部 view at 265,000 residents: 0.1 s down to 0.03 s)
        c = columns[0]
        out = [
            (line[c] + line[KEY][RANK_END:], line[RESIDENT], n, line[VILLAGE], line[DOCTOR], None)
            for line in lines
            if (n := line[c + 1])
        ]
        out.sort(key=_key)  # mostly in order already: the worst item is often the package's
        return out
    out = []
    for line in lines:
        found = [(line[c], line[c + 1]) for c in columns if line[c + 1]]
        if not found:
            continue
        programmes = None
        if view == YEARLY_VIEW:
            programmes = ",".join(p for p in (line[PROGRAMMES] or "").split(",") if p in members)
        out.append(
            (
                min(k for k, _ in found) + line[KEY][RANK_END:],
                line[RESIDENT],
                sum(n for _, n in found),
                line[VILLAGE],
                line[DOCTOR],
                programmes,
            )
        )
    out.sort(key=_key)
    return out


def rows_for(wl: Worklist, lines: WorkLines, residents: Sequence[int]) -> list[ResidentDue]:
    """:meth:`Worklist.rows_for`."""
    from .worklist import _filtered, by_resident

    q = lines.query
    remembered = wl._line_cache.built.setdefault(
        LinesQuery(q.start, q.end, q.on, q.packages, None, q.statuses, None, q.view), {}
    )
    missing = [r for r in residents if r not in remembered]
    if missing:
        programmes = wl._programmes(q.view, None)
        with collector_paused():  # a few hundred lines' items: no cycles, many objects
            _, items, _ = wl._sql_list(
                programmes, q.start, q.end, q.on, q.view, q.statuses or (), set(missing)
            )
            lines_of = by_resident(_filtered(items, q.packages, None, None))
        found = {line.id: line for line in lines_of}
        remembered.update(found)
        remembered.update((r, None) for r in missing if r not in found)
    return [line for r in residents if (line := remembered.get(r)) is not None]


def kept_statement(
    wl: Worklist,
    programmes: Sequence[str],
    start: dt.date,
    end: dt.date,
    on: dt.date,
    view: str,
    statuses: Sequence[str],
    only: Collection[int] | None = None,
    ranked: bool = False,
    ends_on: str | None = None,
    windows: bool = False,
) -> tuple[str, dict[str, Any]] | None:
    """The statement of the kept rows of ``view`` (:func:`.worklist_query.kept_query`)
    for ``programmes``, of ``statuses`` (all when empty; the 本年未做 view only those not
    done), of the residents ``only`` when given, ``ranked`` for
    :func:`.worklist_query.lines_query` (each row's rank and end, its package's number
    in :func:`_packages`), only the windows ending on ``ends_on`` when given, or
    (``windows``) how many windows its index ranges hold; None when there is nothing
    to read."""
    from .worklist import DUE_VIEW, NOT_DONE, PROGRAMME_PACKAGE, SERIES, STATUS_ORDER, YEARLY_VIEW

    lookback = wl._lookback(start, view)
    shown = list(statuses)
    if view == YEARLY_VIEW:
        shown = [n for n in NOT_DONE if not statuses or n in statuses]
        if not shown:
            return None
    spans = wl._spans()
    return kept_query(
        [(p, (end + dt.timedelta(days=spans[p])).isoformat()) for p in programmes if p in spans],
        wl._gate_cutoffs(lookback),
        SERIES,
        start=start.isoformat(),
        end=end.isoformat(),
        on=on.isoformat(),
        lookback=lookback.isoformat(),
        due_view=view == DUE_VIEW,
        statuses=shown,
        only=None if only is None else sorted(only),
        ranked=(
            (STATUS_ORDER, {p: _packages().index(k) for p, k in PROGRAMME_PACKAGE.items()})
            if ranked
            else None
        ),
        ends_on=ends_on,
        windows=windows,
    )


def born_by(months: int, days: int, on: dt.date) -> dt.date:
    """The latest birth date for which ``months`` and ``days`` of age are reached by
    ``on`` (what :meth:`Worklist._aged_out` tests, as one date to compare with)."""

    def old(born: dt.date) -> bool:
        return sch.add_months(born, months) + dt.timedelta(days=days) <= on

    born = sch.add_months(on - dt.timedelta(days=days), -months)
    one = dt.timedelta(days=1)
    while not old(born):
        born -= one
    while old(born + one):
        born += one
    return born


def _read(wl: Worklist, query: LinesQuery, only: Collection[int] | None = None) -> list[Line]:
    """The lines of ``query`` for every village, doctor and package (of the residents
    ``only`` when given), in order."""
    from .worklist import YEARLY_VIEW

    found = _ranked(wl, query, only=only)
    if found is None:
        return []
    sql, args = lines_query(
        found,
        aged=_aged(wl, query),
        programmes=query.view == YEARLY_VIEW,
        groups=len(_packages()),
    )
    return wl.store.conn.execute(sql, args).fetchall()


def _ranked(wl: Worklist, query: LinesQuery, **how: Any) -> tuple[str, dict[str, Any]] | None:
    """:func:`kept_statement` of ``query``'s range, day, view and statuses, every
    programme the view shows, ranked (``how``: its other arguments)."""
    return kept_statement(
        wl,
        wl._programmes(query.view, None),
        query.start,
        query.end,
        query.on,
        query.view,
        query.statuses or (),
        ranked=True,
        **how,
    )


def _aged(wl: Worklist, query: LinesQuery) -> dict[str, str]:
    """The ``aged`` of :func:`.worklist_query.lines_query` for ``query`` (the 到期 view
    leaves out an overdue item of a child past the form's age)."""
    from .worklist import DUE_VIEW

    if query.view != DUE_VIEW:
        return {}
    return {p: born_by(m, d, query.on).isoformat() for p, (m, d) in wl._age_limits.items()}


def _recomputed(wl: Worklist, query: LinesQuery) -> WorkLines:
    """The lines of a range the kept rows cannot serve, from :meth:`Worklist.items`
    (a recomputation), all built."""
    from .worklist import STATUS_ORDER, YEARLY_VIEW, by_resident

    lines: list[Line] = []
    built: dict[int, ResidentDue] = {}
    yearly = query.view == YEARLY_VIEW
    for line in by_resident(WorkLines(wl, query, []).items()):
        first, r = line.items[0], line.resident
        programmes = ",".join(dict.fromkeys(i.due.programme for i in line.items))
        lines.append(
            (
                f"{STATUS_ORDER[first.status]}{first.due.end.isoformat()}{r['archive_no']}",
                line.id,
                len(line.items),
                r["village_code"],
                r["responsible_doctor"],
                programmes if yearly else None,
            )
        )
        built[line.id] = line
    return WorkLines(wl, query, lines, built)


@cache
def _statuses_by_rank() -> dict[str, str]:
    """Each status by its rank's digit (the first character of a line's key)."""
    from .worklist import STATUS_ORDER

    return {str(rank): status for status, rank in STATUS_ORDER.items()}
