"""The kept worklist rows derived all again (issue 15): an upgraded database's first
worklist, a new year. ``Worklist.fill_kept`` writes in short transactions so that the
window can save meanwhile (the window's worker fills them, ``ops.worklist.prepare``).

Requirements held here: a save made between the fill's transactions — on the filling
connection or on another (the window's, while its worker fills) — is never lost: after
the fill the kept list equals a recomputation, that save included; a cancelled fill
leaves rows that are filled again at the next list, never half a table read as whole;
``needs_fill`` says when the rows must all be derived (empty, many residents changed)
and ``stale`` when some must; while writes wait for the window's opening check the kept
rows are read when up to date and the list is recomputed when they are not.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.storage.test_worklist_kept import RANGES, check_all
from tests.worklist_demo import LOGIN, TODAY, change_a_record, make_demo, opened_copy, record_forms
from ygt_desktop.ops import worklist as ops_worklist
from ygt_desktop.ops.base import OpCancelled, Run
from ygt_desktop.storage import users
from ygt_desktop.storage import worklist as worklist_module
from ygt_desktop.storage.worklist import Worklist
from ygt_desktop.storage.workspace import Workspace


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("fill") / "demo.db", residents=300)


@pytest.fixture
def run(demo_file: Path, tmp_path: Path) -> Iterator[Run]:
    """The demo station with its kept rows emptied, as migration 0054 leaves them."""
    with opened_copy(demo_file, tmp_path) as opened_run:
        empty(opened_run.ws)
        yield opened_run


def empty(ws: Workspace) -> None:
    with ws.store.write("worklist") as conn:
        conn.execute("DELETE FROM worklist_due")
        conn.execute("DELETE FROM worklist_kept")


def kept_rows(ws: Workspace) -> int:
    return int(ws.store.conn.execute("SELECT count(*) FROM worklist_due").fetchone()[0])


def marked(ws: Workspace) -> set[int]:
    return {r[0] for r in ws.store.conn.execute("SELECT resident_id FROM worklist_dirty")}


def test_an_emptied_table_needs_a_fill_and_a_fill_makes_it_current(run):
    wl = run.ws.worklist
    assert wl.needs_fill() and wl.stale()
    rows = wl.fill_kept()
    assert rows == kept_rows(run.ws) > 1000
    assert not wl.needs_fill() and not wl.stale()
    check_all(wl, TODAY)


def test_saves_between_the_fills_transactions_are_kept(run):
    """The worker fills on its connection; the window saves on its own meanwhile, and
    on the filling one too: every change is in the list afterwards."""
    ws = run.ws
    window = Workspace.open(ws.store.path, lock=False, check=False, forms=ws.forms)
    user = users.get_user(ws.store, LOGIN.name)
    assert user is not None
    window.act_as(user)
    rng = random.Random(3)
    forms = record_forms(ws)
    saved: list[str] = []
    steps: list[tuple[int, int, str]] = []

    def step(done: int, total: int, text: str) -> None:
        steps.append((done, total, text))
        if done in (2, 6) and len(saved) < 12:  # between two of the fill's transactions
            for kind in ("new", "edit", "delete"):
                for target in (window, ws):
                    if change_a_record(target, rng, forms, kind):
                        saved.append(kind)

    try:
        ws.worklist.fill_kept(step=step)
        assert len(saved) >= 6, saved
        assert marked(ws)  # what was saved after the marks were cleared
        assert not ws.worklist.needs_fill() and ws.worklist.stale()
        assert steps[0][1] == len(ws.worklist._gatherers())
        assert all(text.startswith("正在整理待办随访") for _, _, text in steps)
        check_all(ws.worklist, TODAY)
        assert not marked(ws)
        check_all(window.worklist, TODAY + dt.timedelta(days=3))
    finally:
        window.close(backup_on_exit=False)


def test_a_cancelled_fill_is_filled_again_at_the_next_list(run):
    ws = run.ws

    def cancel_at_the_fifth(done: int, _total: int, _text: str) -> None:
        if done == 5:
            raise OpCancelled()

    with pytest.raises(OpCancelled):
        ws.worklist.fill_kept(step=cancel_at_the_fifth)
    assert 0 < kept_rows(ws)  # some programmes written …
    assert ws.worklist.needs_fill()  # … but never read as the whole table
    fresh = Worklist(ws.store, ws.forms)
    month = RANGES[1]
    assert fresh.items(*month, TODAY) == fresh.recompute_items(*month, TODAY)
    assert not ws.worklist.needs_fill()


def test_a_cancel_stops_inside_a_programme_between_batches(run, monkeypatch):
    """A large programme is derived and written in batches, with a chance to stop
    between each (the window closing waits for at most a batch)."""
    ws = run.ws
    monkeypatch.setattr(worklist_module, "FILL_BATCH", 40)
    calls: list[int] = []

    def cancel_in_the_first(done: int, _total: int, _text: str) -> None:
        calls.append(done)
        if calls.count(0) == 4:
            raise OpCancelled()

    with pytest.raises(OpCancelled):
        ws.worklist.fill_kept(step=cancel_in_the_first)
    assert set(calls) == {0} and ws.worklist.needs_fill()
    monkeypatch.undo()
    month = RANGES[1]
    assert ws.worklist.items(*month, TODAY) == ws.worklist.recompute_items(*month, TODAY)


def test_the_op_fills_in_a_run_and_says_where_it_is(run):
    said: list[str] = []
    worker = Run(run.ws, run.actor, lambda _d, _t, text: said.append(text))
    assert ops_worklist.prepare(worker) == kept_rows(run.ws) > 1000
    assert "正在整理待办随访：高血压" in said
    cancelled = Run(run.ws, run.actor, cancelled=lambda: True)
    empty(run.ws)
    with pytest.raises(OpCancelled):
        ops_worklist.prepare(cancelled)


def test_many_residents_changed_ask_for_a_fill(run, monkeypatch):
    ws = run.ws
    ws.worklist.fill_kept()
    monkeypatch.setattr(worklist_module, "FULL_REFILL", 3)
    rng = random.Random(5)
    forms = record_forms(ws)
    while len(marked(ws)) <= 3:
        change_a_record(ws, rng, forms, "new")
    assert ws.worklist.needs_fill()
    check_all(ws.worklist, TODAY)  # filled at once here (no window): then current
    assert not ws.worklist.needs_fill() and not marked(ws)


def test_while_writes_wait_for_the_check_current_rows_are_read_stale_ones_not(run):
    ws = run.ws
    ws.worklist.fill_kept()
    month = RANGES[1]
    version = ws.worklist._version()
    ws.store.hold_writes()  # the window's opening check is running
    try:
        assert ws.worklist.items(*month, TODAY) == ws.worklist.recompute_items(*month, TODAY)
        assert ws.worklist._lists  # read from the kept rows
    finally:
        ws.store.check_passed()
    rng = random.Random(8)
    while not change_a_record(ws, rng, record_forms(ws), "new"):
        pass
    ws.store.hold_writes()
    try:
        fresh = Worklist(ws.store, ws.forms)
        assert fresh.items(*month, TODAY) == fresh.recompute_items(*month, TODAY)
        assert not fresh._lists and marked(ws)  # recomputed: nothing written
        empty_state = ws.store.conn.execute("SELECT count(*) FROM worklist_kept").fetchone()[0]
        assert empty_state and ws.worklist._version() == version
    finally:
        ws.store.check_passed()
    ws.worklist.items(*month, TODAY)
    assert not marked(ws)
