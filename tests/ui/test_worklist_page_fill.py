"""The 待办随访 page on a station whose kept worklist rows must all be derived again (an
upgraded database's first worklist; issue 15): on a large station a worker derives
them while the page says so and the window stays usable, then the list fills.

Requirements held here: the page shows "正在整理待办随访…" and no list while the worker
runs, starts one worker however often it is refreshed, and accepts a save meanwhile that
the list then shows (kept rows equal to a recomputation); a fill that fails is said in
Chinese on the page, never a traceback or a box; while writes wait for the window's
opening check the page waits and fills once the check has passed; a small station
fills at once, with no worker.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import add_test_user
from tests.storage.test_worklist import visit
from tests.ui.background import wait_for_jobs
from tests.worklist_demo import TODAY, WEEK, make_demo
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.worklist import DUE_VIEW, Worklist
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui import jobs, worklist_page
from ygt_desktop.ui.worklist_page import CHECK_WAIT_TEXT, FILLING_TEXT, WorklistPage


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("fill") / "demo.db", residents=300)


@pytest.fixture
def ws(demo_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A copy of the demo station with its kept rows emptied, as an upgrade leaves them."""
    path = tmp_path / "station.db"
    shutil.copyfile(demo_file, path)
    workspace = Workspace.open(path)
    add_test_user(workspace)
    with workspace.store.write("worklist") as conn:
        conn.execute("DELETE FROM worklist_due")
        conn.execute("DELETE FROM worklist_kept")
    yield workspace
    workspace.close(backup_on_exit=False)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's 300 residents count as a large station (a worker fills)."""
    monkeypatch.setattr(worklist_page, "BACKGROUND_FILL", 100)


def page_for(qtbot, ws: Workspace) -> WorklistPage:
    page = WorklistPage(ws, clock=lambda: TODAY)
    qtbot.addWidget(page)
    page.start.setText(WEEK[0].isoformat())
    page.end.setText(WEEK[1].isoformat())
    return page


def shown(items) -> list[tuple[object, ...]]:
    return [(i.resident["id"], i.due, i.status) for i in items]


def recomputed(ws: Workspace) -> list[tuple[object, ...]]:
    check = Worklist(ws.store, ws.forms)
    return shown(
        check.recompute_items(*WEEK, TODAY, statuses=[sch.DUE, sch.OVERDUE], view=DUE_VIEW)
    )


def overdue_htn_patient(ws: Workspace) -> int:
    """A hypertension patient with an overdue follow-up on the week's 到期 list."""
    check = Worklist(ws.store, ws.forms)
    for item in check.recompute_items(*WEEK, TODAY, view=DUE_VIEW):
        if item.due.programme == "htn" and item.status == sch.OVERDUE:
            return int(item.resident["id"])
    raise AssertionError("no overdue hypertension follow-up on the demo station")


def test_the_worker_fills_while_the_page_says_so_and_a_save_meanwhile_shows(
    qtbot, ws, large, monkeypatch
):
    reached, go = threading.Event(), threading.Event()
    fill = Worklist.fill_kept

    def paused(self, today=None, step=None):
        """The worker's fill, held between two of its transactions until ``go``."""

        def held(done: int, total: int, text: str) -> None:
            if step is not None:
                step(done, total, text)
            if done == 3 and not reached.is_set():
                reached.set()
                assert go.wait(30)

        return fill(self, today, held)

    monkeypatch.setattr(Worklist, "fill_kept", paused)
    page = page_for(qtbot, ws)
    try:
        page.show()  # showEvent: refresh
        assert page.waiting.isVisible() and page.waiting.text() == FILLING_TEXT
        assert "正在整理待办随访" in FILLING_TEXT
        assert page.model.rowCount() == 0 and page.shown is None
        assert not page.print_button.isEnabled()
        assert len(jobs.active()) == 1
        qtbot.waitUntil(reached.is_set, timeout=30000)
        # the window goes on: another refresh starts no second worker, a save is taken
        page.view.setCurrentIndex(page.view.findData(DUE_VIEW))
        page.refresh()
        assert len(jobs.active()) == 1 and page.waiting.isVisible()
        rid = overdue_htn_patient(ws)
        before = recomputed(ws)
        visit(ws, rid, WEEK[0].isoformat())  # seen: the overdue follow-up is closed
        assert recomputed(ws) != before
    finally:
        go.set()
    wait_for_jobs(qtbot)
    assert not page.waiting.isVisible() and page.print_button.isEnabled()
    assert page.shown is not None and page.model.rowCount() > 0
    assert shown(page.shown.items) == recomputed(ws)
    assert ws.store.conn.execute("SELECT count(*) FROM worklist_dirty").fetchone()[0] == 0
    assert not ws.worklist.needs_fill()


def test_a_failed_fill_is_said_on_the_page_in_chinese(qtbot, ws, large, monkeypatch):
    def full_disk(self, today=None, step=None):
        raise StoreError("磁盘空间不足，无法保存")

    monkeypatch.setattr(Worklist, "fill_kept", full_disk)
    page = page_for(qtbot, ws)
    page.show()
    wait_for_jobs(qtbot)
    assert page.error.isVisible()
    assert page.error.text() == "待办随访未能整理（再次打开本页时重试）：磁盘空间不足，无法保存"
    assert not page.waiting.isVisible() and page.model.rowCount() == 0


def test_while_the_opening_check_runs_the_page_waits_then_fills(qtbot, ws, large, monkeypatch):
    monkeypatch.setattr(worklist_page, "WAIT_RETRY_MS", 50)
    ws.store.hold_writes()
    page = page_for(qtbot, ws)
    page.show()
    assert page.waiting.text() == CHECK_WAIT_TEXT and not jobs.active()
    qtbot.wait(200)  # looked again: still waiting, nothing written
    assert page.waiting.text() == CHECK_WAIT_TEXT and ws.worklist.needs_fill()
    ws.store.check_passed()
    qtbot.waitUntil(lambda: page.waiting.text() != CHECK_WAIT_TEXT, timeout=5000)
    wait_for_jobs(qtbot)
    assert not page.waiting.isVisible()
    assert page.shown is not None and shown(page.shown.items) == recomputed(ws)


def test_a_small_station_fills_at_once(qtbot, ws):
    page = page_for(qtbot, ws)
    page.show()
    assert not jobs.active() and not page.waiting.isVisible()
    assert page.shown is not None and page.model.rowCount() > 0
    assert shown(page.shown.items) == recomputed(ws)
    assert not ws.worklist.needs_fill()
