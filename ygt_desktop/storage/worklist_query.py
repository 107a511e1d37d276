"""The statement that reads a worklist view from the kept rows (``worklist_due``,
migration 0054), for :meth:`ygt_desktop.storage.worklist.Worklist._sql_list`.

One indexed read per programme (its windows that can touch the range), the status on the
day asked as a CASE on the dates (the kept rows store none: a new day needs no rewrite),
and for the 到期 view the tests :meth:`~ygt_desktop.storage.worklist.Worklist._due_now`
makes on a recomputation, in SQL:

- a window ending in the range shows whatever its status;
- an overdue one (from the look-back on) shows while it is still open in the record
  sense — no record of its form made after the window ended, up to the day asked
  (one probe of ``service_records_form_resident`` per overdue row) —
- and, in a series (child checks, pregnancy, TB …), until the next visit's window of the
  series has opened (one probe of ``worklist_due_series``, migration 0056).

:func:`lines_query` wraps that statement for the page's lazy list
(:mod:`ygt_desktop.storage.worklist_lines`): one row per resident — the place of their
line, how many items, village and doctor — in the order :meth:`Worklist.items` gives
their first items, sorted in SQL; the items themselves are read only for the lines shown.

:func:`first_query` reads the first items of the same lines in their order (a bounded
sort, no grouping): a long view's first screen.

Pure text and parameters: nothing here runs a query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..core import schedules as sch

# The kept rows by resident, programme and window start (migration 0056).
BY_RESIDENT = "worklist_due_series"
KEPT_COLUMNS = 'resident_id, programme, form_id, label, start, "end", done, closed'
# The status of a kept row on :on (what :meth:`ygt_desktop.core.schedules.Due.status` says).
STATUS_SQL = (
    f"CASE WHEN done IS NOT NULL THEN '{sch.DONE}' "
    "WHEN coalesce(closed, '') != '' THEN closed "
    f"WHEN :on > \"end\" THEN '{sch.OVERDUE}' WHEN :on >= start THEN '{sch.DUE}' "
    f"ELSE '{sch.UPCOMING}' END"
)


def kept_query(
    reaches: Sequence[tuple[str, str]],
    cutoffs: Mapping[str, str],
    series: Mapping[str, str],
    *,
    start: str,
    end: str,
    on: str,
    lookback: str,
    due_view: bool,
    statuses: Sequence[str],
    only: Sequence[int] | None = None,
    ranked: tuple[Mapping[str, int], Mapping[str, int]] | None = None,
    ends_on: str | None = None,
    windows: bool = False,
) -> tuple[str, dict[str, Any]] | None:
    """The statement and its parameters for the kept rows of a view, each row
    ``(resident, programme, form, label, start, end, done, closed, status)``.

    ``reaches``: (programme, the latest window end its items starting by ``end`` can
    have) for the programmes the view shows; ``cutoffs``: per programme, the earliest
    ``gate`` a gathering from ``lookback`` keeps; ``series``: programme → its series
    (:data:`~ygt_desktop.storage.worklist.SERIES`). Dates are ISO text. ``due_view``:
    the 到期 view (windows from ``lookback``, ending by ``end``, with its tests); else
    every window overlapping [lookback, end] (全部, 本年未做: ``lookback`` is the range's
    start). ``statuses``: only those (all when empty). ``only``: only these residents
    (read by resident). ``ranked``: (each status's rank, each programme's group) adds two
    columns to each row, ``rank_end`` (the rank's digit and the window end: the start of
    the row's sort key) and ``grp`` (for :func:`lines_query`); one part reads one
    programme, so the group is a constant and the rank computed once per row.
    ``ends_on``: only the windows ending that day (a seek in the window index).
    ``windows``: instead, one row, how many kept windows the view's index ranges hold
    before any test (statuses, the 到期 view's, a count in the index alone: what the
    view's statement will go through). None when there is nothing to read."""
    args: dict[str, Any] = {"start": start, "end": end, "on": on, "lookback": lookback}
    # the index named: the plan stays the same whatever indexes other tables gain
    table = "worklist_due INDEXED BY worklist_due_window"
    scope = ""
    if only is not None:
        table = f"worklist_due INDEXED BY {BY_RESIDENT}"
        scope = " AND resident_id IN (SELECT value FROM json_each(:only))"
        args["only"] = json.dumps(list(only))
    if ends_on is not None:
        scope += ' AND "end" = :ends_on'
        args["ends_on"] = ends_on
    shown = [p for p, _ in reaches]
    tests = []
    if statuses:
        for n, status in enumerate(statuses):
            args[f"s{n}"] = status
        tests.append(f"status IN ({', '.join(f':s{n}' for n in range(len(statuses)))})")
    parts = []
    extra = ""
    if ranked is not None:
        extra = f', {_ranked_sql(ranked[0])} || "end" AS rank_end'
    for n, (programme, reach) in enumerate(reaches):
        args[f"p{n}"] = programme
        args[f"top{n}"] = end if due_view else reach
        gate = ""
        if programme in cutoffs:
            args[f"cut{n}"] = cutoffs[programme]
            gate = f" AND (gate IS NULL OR gate >= :cut{n})"
        scan = (
            f'{table} WHERE programme = :p{n} AND "end" BETWEEN :lookback AND :top{n} '
            f"AND start <= :end{gate}{scope}"
        )
        if windows:
            parts.append(f"(SELECT count(*) FROM {scan})")
            continue
        part = (
            f"SELECT {KEPT_COLUMNS}, {STATUS_SQL} AS status"
            + (f"{extra}, {int(ranked[1][programme])} AS grp" if ranked is not None else "")
            + f" FROM {scan}"
        )
        due_test = []
        if due_view:
            overdue = _still_open()
            if programme in series:
                overdue += _not_superseded(programme, shown, cutoffs, series, args)
            due_test = [
                f"CASE WHEN status = '{sch.OVERDUE}' THEN {overdue} ELSE \"end\" >= :start END"
            ]
        if tests or due_test:
            part = f"SELECT * FROM ({part}) x WHERE {' AND '.join(tests + due_test)}"
        parts.append(part)
    if not parts:
        return None
    if windows:
        return f"SELECT {' + '.join(parts)}", args
    return " UNION ALL ".join(parts), args


def _still_open() -> str:
    """No record of the window's form since it ended, up to the day asked (a late
    visit closes an overdue window: the patient was seen since). The probe names its
    index: by date alone (``service_records_live``, migration 0055) SQLite would read
    every record of the form in those days, for each overdue row."""
    return (
        "NOT EXISTS (SELECT 1 FROM service_records s INDEXED BY "
        "service_records_form_resident WHERE s.form_id = x.form_id "
        'AND s.resident_id = x.resident_id AND s.service_date > x."end" '
        "AND s.service_date <= :on AND s.deleted = 0)"
    )


def _not_superseded(
    programme: str,
    shown: Sequence[str],
    cutoffs: Mapping[str, str],
    series: Mapping[str, str],
    args: dict[str, Any],
) -> str:
    """An overdue window of ``programme``'s series gives way once a later window of the
    same series (among the rows the view reads, of the programmes ``shown``: ending from
    the look-back, starting by the range's end) has opened by the day asked: one probe
    by resident, programme and start."""
    members = [p for p in shown if series.get(p) == series[programme]]
    probes = []
    for member in members:
        mark = f"series_{member}"
        args[mark] = member
        gate = ""
        if member in cutoffs:
            args[f"{mark}_cut"] = cutoffs[member]
            gate = f" AND (o.gate IS NULL OR o.gate >= :{mark}_cut)"
        probes.append(
            f"EXISTS (SELECT 1 FROM worklist_due o INDEXED BY {BY_RESIDENT} "
            f"WHERE o.resident_id = x.resident_id AND o.programme = :{mark} "
            f"AND o.start > x.start AND o.start <= :on AND o.start <= :end "
            f'AND o."end" >= :lookback{gate})'
        )
    return f" AND NOT ({' OR '.join(probes)})" if probes else ""


def _ranked_sql(order: Mapping[str, int]) -> str:
    """:data:`STATUS_SQL` as each status's place in the list (``order``:
    :data:`~ygt_desktop.storage.worklist.STATUS_ORDER`, 逾期 first), one digit: the
    character that starts an item's sort key."""
    closed = " ".join(f"WHEN '{status}' THEN '{rank}'" for status, rank in order.items())
    return (
        f"CASE WHEN done IS NOT NULL THEN '{order[sch.DONE]}' "
        f"WHEN coalesce(closed, '') != '' THEN CASE closed {closed} END "
        f"WHEN :on > \"end\" THEN '{order[sch.OVERDUE]}' "
        f"WHEN :on >= start THEN '{order[sch.DUE]}' ELSE '{order[sch.UPCOMING]}' END"
    )


def lines_query(
    items: tuple[str, dict[str, Any]],
    *,
    aged: Mapping[str, str],
    programmes: bool,
    groups: int = 0,
) -> tuple[str, dict[str, Any]]:
    """The lines of the items ``items`` selects (:func:`kept_query` with ``ranked``), one
    row per resident ``(key, resident, items, village, doctor, programmes, …)`` sorted by
    ``key``: the worst item's status rank (one digit) and window end, then the
    archive number — the place of the resident's first item in
    :meth:`~ygt_desktop.storage.worklist.Worklist.items` (archive numbers are unique,
    so nothing after them decides between two residents). ``items``: how many of the
    resident's items; ``programmes``: their programmes, comma-separated, when asked
    (the 本年未做 view counts people per service), else NULL. Then for each of the
    ``groups`` programme groups (the service packages: ``grp`` 0, 1 …) two more columns:
    the worst rank and end among the resident's items of the group (NULL for none) and
    how many: a package filter is then a pass over the lines, not another statement.

    Left out as ``Worklist.items`` leaves them out: deleted residents; an item not done
    whose resident moved away or died before its window started; an overdue item of a
    programme in ``aged`` (programme → the latest birth date past the form's age on
    the day asked) for a resident born by then. Both look the resident up only for the
    rows concerned (the moved away through the partial index ``residents_gone``)."""
    sql, args = items
    args = dict(args)
    tests = _line_tests(aged, args)
    listed = "group_concat(DISTINCT x.programme)" if programmes else "NULL"
    per_group = [
        f"min(CASE x.grp WHEN {g} THEN x.rank_end END) AS k{g}, sum(x.grp = {g}) AS n{g}"
        for g in range(groups)
    ]
    grouped = (
        f"SELECT x.resident_id, min(x.rank_end) AS k, count(*) AS n, {listed} AS programmes"
        f"{''.join(', ' + column for column in per_group)} FROM ({sql}) x "
        f"WHERE {' AND '.join(tests)} GROUP BY x.resident_id"
    )
    more = "".join(f", l.k{g}, l.n{g}" for g in range(groups))
    return (
        "SELECT l.k || r.archive_no AS key, l.resident_id, l.n, r.village_code, "
        f"r.responsible_doctor, l.programmes{more} FROM ({grouped}) l "
        "JOIN residents r ON r.id = l.resident_id WHERE r.deleted = 0 ORDER BY key",
        args,
    )


def _line_tests(aged: Mapping[str, str], args: dict[str, Any]) -> list[str]:
    """The tests on an item (``x``) that :func:`lines_query` and :func:`first_query`
    make (see :func:`lines_query`), their parameters added to ``args``."""
    # Each test an OR of simple terms: in a WHERE clause SQLite stops at the first true
    # one, so the resident is looked up only for the rows concerned (inside a value,
    # coalesce(a AND b …), every term ran: a lookup per item, half the statement's time).
    tests = [
        "(x.done IS NOT NULL OR x.resident_id NOT IN (SELECT id FROM residents "
        "WHERE (deleted != 0 OR status != '在档') AND deleted = 0 AND status_date != '') "
        "OR x.start <= (SELECT g.status_date FROM residents g WHERE g.id = x.resident_id))"
    ]
    if aged:
        cuts = []
        for n, (programme, born_by) in enumerate(sorted(aged.items())):
            args[f"aged{n}"], args[f"born{n}"] = programme, born_by
            cuts.append(f"WHEN :aged{n} THEN :born{n}")
        born = "(SELECT b.birth_date FROM residents b WHERE b.id = x.resident_id)"
        tests.append(
            f"(x.status != '{sch.OVERDUE}' OR x.programme NOT IN "
            f"({', '.join(f':aged{n}' for n in range(len(cuts)))}) "
            f"OR coalesce({born}, '') = '' "
            f"OR {born} > CASE x.programme {' '.join(cuts)} END)"
        )
    return tests


def first_query(
    items: tuple[str, dict[str, Any]],
    *,
    aged: Mapping[str, str],
    limit: int | None = None,
    tied: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The first items (by rank and window end) that :func:`lines_query` would group,
    each row ``(resident, rank_end)``: the ``limit`` first in that order, or (``tied``) every item whose rank
    and end are ``tied``, in no order (``items`` then reads only the windows ending that
    day: :func:`kept_query`'s ``ends_on``). The residents whose worst item comes before
    the last of the ``limit`` rows, and with the tied ones those of the last row's rank
    and end, are the first lines of the view — the page's first screen without grouping
    every item (:func:`.worklist_lines._first_lines`). One pass over the items with a
    bounded sort, no GROUP BY."""
    sql, args = items
    args = dict(args)
    tests = _line_tests(aged, args)
    order = ""
    if tied is not None:
        args["first_tied"] = tied
        tests.append("x.rank_end = :first_tied")
    else:
        args["first_limit"] = limit
        order = " ORDER BY x.rank_end LIMIT :first_limit"
    return (
        f"SELECT x.resident_id, x.rank_end FROM ({sql}) x WHERE {' AND '.join(tests)}{order}",
        args,
    )
