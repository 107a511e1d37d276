"""A long worklist view's first screen (issue 15: the 全部 view with every status at
265,000 residents is about 68,000 lines, 0.6-0.8 s to group and sort; its first lines
0.15 s).

Requirements held here: ``Worklist.view(first=n)`` on a view whose lines are not
remembered gives either the whole view or exactly its first ``n`` lines (same
residents, keys, villages and doctors, in the same order; each built with the items of
the whole view's line), marked not ``complete``; a filtered view is always whole;
``read_lines`` (a worker's read) handed over with ``adopt_lines`` makes the next view
whole at once and equal to a fresh read; a hand-over is refused when the kept rows were
derived again or a resident edited since the read was asked for.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from tests.worklist_demo import TODAY, station_fixtures
from ygt_desktop.core import schedules as sch
from ygt_desktop.ops.base import Run
from ygt_desktop.storage import worklist_lines
from ygt_desktop.storage.worklist import VIEWS, Worklist
from ygt_desktop.storage.worklist_lines import DOCTOR, KEY, RESIDENT, VILLAGE

D = dt.date
MONTH = {"start": D(2026, 11, 1), "end": D(2026, 11, 30), "on": TODAY}


demo_file, run = station_fixtures("first", residents=300)


@pytest.fixture
def few_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """First reads of a few items: a 300-resident station's views are "long"."""
    monkeypatch.setattr(worklist_lines, "FIRST_FROM_WINDOWS", 0)
    monkeypatch.setattr(worklist_lines, "FIRST_ITEMS", 12)
    monkeypatch.setattr(worklist_lines, "ITEMS_PER_LINE", 1)
    monkeypatch.setattr(worklist_lines, "MORE_ITEMS", 4)


def shape(line: tuple[Any, ...]) -> tuple[Any, ...]:
    return (line[KEY], line[RESIDENT], line[VILLAGE], line[DOCTOR])


def assert_first(run: Run, count: int, **kw: Any) -> bool:
    """``view(first=count)`` of a fresh Worklist against the whole view; True when it
    gave only the first lines."""
    ws = run.ws
    first = Worklist(ws.store, ws.forms).view(first=count, **kw)
    whole = Worklist(ws.store, ws.forms).view(**kw)
    assert whole.complete
    if first.complete:
        assert first.lines == whole.lines, kw
        return False
    assert len(first) == count < len(whole), kw
    assert [shape(x) for x in first.lines] == [shape(x) for x in whole.lines[:count]], kw
    ids = [first.resident_at(n) for n in range(len(first))]
    assert [first.status_at(n) for n in range(len(first))] == [
        whole.status_at(n) for n in range(count)
    ]
    built, want = first.rows(ids), {x.id: x for x in whole.rows(ids)}
    assert [x.id for x in built] == ids
    for line in built:
        assert [(i.due, i.status) for i in line.items] == [
            (i.due, i.status) for i in want[line.id].items
        ]
    return True


def test_the_first_lines_are_the_views_first_lines(run: Run, few_items: None) -> None:
    rng = random.Random(24)
    partial = 0
    for view in VIEWS:
        for statuses in (None, [sch.DUE, sch.OVERDUE], [sch.OVERDUE], [sch.DONE]):
            partial += assert_first(run, rng.randint(1, 40), view=view, statuses=statuses, **MONTH)
    for _ in range(40):
        start = D(2025, 6, 1) + dt.timedelta(days=rng.randrange(540))
        kw = {
            "start": start,
            "end": start + dt.timedelta(days=rng.choice([6, 30, 91, 200])),
            "on": TODAY + dt.timedelta(days=rng.randint(-120, 40)),
            "view": rng.choice(VIEWS),
            "statuses": rng.choice([None, [sch.DUE, sch.OVERDUE], [sch.UPCOMING, sch.DUE]]),
        }
        partial += assert_first(run, rng.randint(1, 25), **kw)
    assert partial >= 10  # the first lines were read, not only whole views


def test_a_short_view_a_filtered_one_and_a_remembered_one_are_whole(
    run: Run, few_items: None
) -> None:
    wl = run.ws.worklist
    assert not wl.view(first=5, **MONTH).complete
    # a filter: the whole view (it is kept for every village and package)
    village = run.ws.store.conn.execute("SELECT village_code FROM residents").fetchone()[0]
    assert wl.view(first=5, village=village, **MONTH).complete
    assert wl.view(first=5, packages=["疾控包"], **MONTH).complete
    # remembered now (the filtered views read it whole): the first view is whole too
    assert wl.view(first=5, **MONTH).complete
    # a view shorter than the first read: whole at once
    assert Worklist(run.ws.store, run.ws.forms).view(first=5000, **MONTH).complete


def test_a_view_of_fewer_windows_than_the_first_screen_needs_is_read_whole(
    run: Run, few_items: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = run.ws
    windows = worklist_lines.kept_statement(
        ws.worklist, ws.worklist._programmes(VIEWS[2], None), view=VIEWS[2], statuses=(),
        windows=True, **MONTH,
    )  # fmt: skip
    assert windows is not None
    held = ws.store.conn.execute(*windows).fetchone()[0]
    assert held > 100
    monkeypatch.setattr(worklist_lines, "FIRST_FROM_WINDOWS", held)
    assert not Worklist(ws.store, ws.forms).view(first=5, view=VIEWS[2], **MONTH).complete
    monkeypatch.setattr(worklist_lines, "FIRST_FROM_WINDOWS", held + 1)
    assert Worklist(ws.store, ws.forms).view(first=5, view=VIEWS[2], **MONTH).complete


def test_a_background_read_handed_over_makes_the_view_whole(run: Run, few_items: None) -> None:
    ws = run.ws
    wl = ws.worklist
    first = wl.view(first=10, view=VIEWS[2], **MONTH)
    assert not first.complete
    generation = ws.store.generation
    lines, version = Worklist(ws.store, ws.forms).read_lines(first.query)
    assert version is not None
    assert wl.adopt_lines(first.query, lines, version, generation)
    handed = wl.view(first=10, view=VIEWS[2], **MONTH)
    assert handed.complete
    assert handed.lines == Worklist(ws.store, ws.forms).view(view=VIEWS[2], **MONTH).lines
    # the filters are passes over the handed lines: whole at once, and right
    assert wl.view(first=10, view=VIEWS[2], statuses=None, packages=["中医包"], **MONTH).complete


def test_a_hand_over_is_refused_when_the_lines_may_be_out_of_date(
    run: Run, few_items: None
) -> None:
    from tests.worklist_demo import change_a_record, record_forms

    ws = run.ws
    wl = ws.worklist
    first = wl.view(first=10, view=VIEWS[2], **MONTH)
    generation = ws.store.generation
    lines, version = Worklist(ws.store, ws.forms).read_lines(first.query)
    # no version (the rows were derived again during the read)
    assert not wl.adopt_lines(first.query, lines, None, generation)
    # a record entered and the page's view brought the rows up to date since
    rng, forms = random.Random(5), record_forms(ws)
    while not change_a_record(ws, rng, forms, "new"):
        pass
    assert not wl.view(first=10, view=VIEWS[2], **MONTH).complete  # derives the entry
    assert not wl.adopt_lines(first.query, lines, version, generation)
    # read again: accepted
    generation = ws.store.generation
    lines, version = Worklist(ws.store, ws.forms).read_lines(first.query)
    # a resident's village changed after the read was asked for: refused
    rid = first.resident_at(0)
    row = ws.residents.get(rid)
    other = ws.store.conn.execute(
        "SELECT village_code FROM residents WHERE village_code != ? LIMIT 1",
        (row["village_code"],),
    ).fetchone()[0]
    ws.residents.save({"village_code": other}, rid)
    assert not wl.adopt_lines(first.query, lines, version, generation)
    # as the page does: the view first (the rows brought up to date), then the read
    assert not wl.view(first=10, view=VIEWS[2], **MONTH).complete
    generation = ws.store.generation
    assert wl.adopt_lines(
        first.query, *Worklist(ws.store, ws.forms).read_lines(first.query), generation
    )
