"""The worklist's lazy lines (issue 15: the 待办随访 page at 265,000 residents) are the
list :meth:`Worklist.items` gives.

Requirements held here: on a generated demo station, for random ranges, days, views,
statuses, packages, villages and doctors, :meth:`Worklist.view` has one line per
resident in the order of ``by_resident(items())`` (worst status, window end, archive
number), each line's item count and worst status, the people per status and the 本年未做
counts of the list; :meth:`Worklist.rows_for` builds each line with exactly the items of
``items()`` in their order, for any block of lines; the lines are patched after entries
like the remembered item lists; a range outside the kept years is recomputed and still
equal; an unknown view is refused.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from typing import Any

import pytest

from tests.worklist_demo import TODAY, station_fixtures
from ygt_desktop.core import schedules as sch
from ygt_desktop.ops.base import Run
from ygt_desktop.reports.worklist_rows import lines_counts_text, view_counts_text
from ygt_desktop.storage.worklist import (
    PROGRAMME_PACKAGE,
    VIEWS,
    WorkItem,
    Worklist,
    by_resident,
)
from ygt_desktop.storage.worklist_lines import born_by

D = dt.date
STATUS_CHOICES: list[list[str] | None] = [
    None,
    [sch.DUE, sch.OVERDUE],
    [sch.OVERDUE],
    [sch.DONE],
    [sch.UPCOMING, sch.DUE],
    [sch.LOST, sch.DONE],
]


demo_file, run = station_fixtures("lines", residents=300)


def item(i: WorkItem) -> tuple[object, ...]:
    return (i.resident["id"], i.due, i.status, i.resident["name"], i.resident["phone"])


def assert_same(wl: Worklist, **kw: Any) -> int:
    """``wl.view(**kw)`` against ``wl.items(**kw)``; returns the number of lines."""
    items = wl.items(**kw)
    expected = by_resident(items)
    lines = wl.view(**kw)
    assert [lines.resident_at(n) for n in range(len(lines))] == [x.id for x in expected], kw
    assert [lines.status_at(n) for n in range(len(lines))] == [x.status for x in expected]
    assert lines.item_count == len(items)
    assert lines_counts_text(lines) == view_counts_text(items, kw["view"]), kw
    for n, x in enumerate(expected):
        assert lines.position_of(x.id) == n
    assert lines.position_of(-1) is None and lines.resident_at(len(lines)) is None
    # built a block at a time, any block (the lines built before remembered, those of
    # changed residents built again): the very items, in their order
    rng = random.Random(len(expected))
    at = rng.randrange(len(expected)) if expected else 0
    block = [x.id for x in expected[at : at + 40]]
    assert [x.id for x in lines.rows(block)] == block
    built = lines.rows([x.id for x in expected])
    want = {x.id: x for x in expected}
    for line in built:
        assert [item(i) for i in line.items] == [item(i) for i in want[line.id].items], kw
        assert line.status == want[line.id].status
        assert line.first_end == want[line.id].first_end
    return len(expected)


def random_query(rng: random.Random, wl: Worklist, villages: list[str]) -> dict[str, Any]:
    start = D(2025, 6, 1) + dt.timedelta(days=rng.randrange(580))
    end = start + dt.timedelta(days=rng.choice([6, 13, 30, 91, 200]))
    on = TODAY + dt.timedelta(days=rng.randint(-120, 40))
    doctors = wl.doctors()
    kw: dict[str, Any] = {
        "start": start,
        "end": end,
        "on": on,
        "view": rng.choice(VIEWS),
        "statuses": rng.choice(STATUS_CHOICES),
    }
    if rng.random() < 0.3:
        kw["packages"] = rng.sample(sorted(set(PROGRAMME_PACKAGE.values())), rng.randint(1, 2))
    if rng.random() < 0.2:
        kw["village"] = rng.choice(villages)
    if rng.random() < 0.15 and doctors:
        kw["doctor"] = rng.choice(doctors)
    return kw


def test_the_lines_are_by_resident_of_items_on_random_queries(run: Run) -> None:
    wl = run.ws.worklist
    conn = run.ws.store.conn
    villages = sorted({r[0] for r in conn.execute("SELECT village_code FROM residents")})
    rng = random.Random(15)
    listed = 0
    for view in VIEWS:  # the page's usual lists first
        for statuses in (None, [sch.DUE, sch.OVERDUE]):
            listed += assert_same(
                wl,
                start=D(2026, 11, 1),
                end=D(2026, 11, 30),
                on=TODAY,
                view=view,
                statuses=statuses,
            )
    # a register patient who moved away in 2025-09: the quarters after it are not listed
    listed += assert_same(wl, start=D(2025, 9, 1), end=D(2025, 12, 31), on=TODAY, view=VIEWS[2])
    for _ in range(60):
        listed += assert_same(wl, **random_query(rng, wl, villages))
    assert listed > 1000


def test_a_broken_tie_breaker_fails_the_comparison(run: Run, monkeypatch) -> None:
    """The comparison sees the order: lines sorted by archive number only (no window
    end) are not the list's order."""
    from ygt_desktop.storage import worklist_query

    wl = run.ws.worklist
    kw = {"start": D(2026, 11, 1), "end": D(2026, 11, 30), "on": TODAY, "view": VIEWS[2]}
    assert_same(wl, **kw)
    real = worklist_query.lines_query

    def by_archive(*args: Any, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        sql, params = real(*args, **kwargs)
        return sql.replace("ORDER BY key", "ORDER BY substr(key, 12), key"), params

    monkeypatch.setattr("ygt_desktop.storage.worklist_lines.lines_query", by_archive)
    other = Worklist(run.ws.store, run.ws.forms)
    with pytest.raises(AssertionError):
        assert_same(other, **kw)


def test_entries_patch_the_lines(run: Run) -> None:
    """Entries on an open page: the remembered lines are patched for the changed
    residents and stay the list's."""
    from tests.worklist_demo import change_a_record, record_forms

    ws = run.ws
    rng = random.Random(3)
    forms = record_forms(ws)
    month = {"start": D(2026, 11, 1), "end": D(2026, 11, 30), "on": TODAY}
    changes = 0
    for step in range(25):
        for view in VIEWS:
            assert_same(ws.worklist, view=view, **month)
            assert_same(ws.worklist, view=view, statuses=[sch.DUE, sch.OVERDUE], **month)
        changes += change_a_record(ws, rng, forms, rng.choice(["new", "edit", "delete"]))
        if step % 8 == 7:  # a resident moves away: their items not done go
            rid = rng.choice([r[0] for r in ws.store.conn.execute("SELECT id FROM residents")])
            if ws.residents.get(rid)["status"] == "在档":
                ws.residents.close(rid, "迁出", TODAY - dt.timedelta(days=rng.randint(0, 200)))
    assert changes > 10
    assert any(lines for lines, changed in ws.worklist._line_cache.lists.values() if not changed)


def test_a_range_outside_the_kept_years_is_recomputed(run: Run) -> None:
    wl = run.ws.worklist
    kw = {"start": D(2024, 1, 1), "end": D(2024, 12, 31), "on": D(2024, 12, 31)}
    for view in VIEWS:
        assert_same(wl, view=view, **kw)
    assert wl.view(view=VIEWS[0], **kw).built is not None


def test_an_unknown_view_is_refused_and_the_collector_stays_on(run: Run) -> None:
    wl = run.ws.worklist
    for call in (wl.view, wl.items, wl.recompute_items):
        with pytest.raises(ValueError, match="视图"):
            call(D(2026, 11, 1), D(2026, 11, 30), TODAY, view="过期")
        assert gc.isenabled()
    wl.view(D(2026, 11, 1), D(2026, 11, 30), TODAY)
    wl.items(D(2026, 11, 1), D(2026, 11, 30), TODAY)
    assert gc.isenabled()  # paused while the lists were built, on again after


@pytest.mark.parametrize(
    ("months", "days", "on"),
    [
        (0, 43, D(2026, 3, 1)),
        (72, 0, D(2026, 2, 28)),
        (36, 0, D(2028, 2, 29)),
        (1, 0, D(2026, 3, 31)),
    ],
)
def test_born_by_is_the_last_birth_date_past_the_age(months: int, days: int, on: dt.date) -> None:
    cut = born_by(months, days, on)

    def old(born: dt.date) -> bool:
        return sch.add_months(born, months) + dt.timedelta(days=days) <= on

    assert old(cut) and not old(cut + dt.timedelta(days=1))
    assert all(old(cut - dt.timedelta(days=n)) for n in range(1, 400))


def test_a_patient_who_moved_away_and_a_child_past_the_age_are_left_out(ws) -> None:
    """The residents looked up in SQL: after 迁出 a hypertension patient's later quarters
    are not listed (the one before is, 结案); a newborn visit missed by a baby now past
    the form's age is no longer on the 到期 view."""
    patient = ws.residents.save(
        {
            "name": "张三",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "1950-03-01",
            "village_code": "101",
            "archive_date": "2019-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2025-01-05", "diagnosis_date": "2024-12-01"}, patient
    )
    ws.residents.close(patient, "迁出", D(2025, 9, 23))
    older = ws.residents.save(
        {
            "name": "李宝宝",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "2026-09-20",  # past 新生儿访视's 42 days from 2026-11-02
            "village_code": "101",
            "archive_date": "2026-09-25",
        }
    ).record_id
    wl = ws.worklist
    autumn = {"start": D(2025, 9, 1), "end": D(2025, 12, 31), "on": TODAY}
    assert_same(wl, view=VIEWS[2], **autumn)
    listed = wl.items(view=VIEWS[2], **autumn)
    quarters = [i.due.label for i in listed if i.resident["id"] == patient]
    assert quarters == ["高血压随访（2025年第3季度）"]
    week = {"start": D(2026, 11, 16), "end": D(2026, 11, 22), "on": TODAY}
    for statuses in (None, [sch.OVERDUE]):
        assert_same(wl, view=VIEWS[0], statuses=statuses, **week)

    def checks(when: dict[str, dt.date]) -> list[WorkItem]:
        return [
            i
            for i in wl.items(view=VIEWS[0], **when)
            if i.resident["id"] == older and i.due.programme == "newborn"
        ]

    assert checks(week) == []
    younger = {"start": D(2026, 10, 12), "end": D(2026, 10, 18), "on": D(2026, 10, 20)}
    assert_same(wl, view=VIEWS[0], **younger)
    assert checks(younger)
