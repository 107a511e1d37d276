"""The 待办随访 page's lazy list (issue 15: its big views at 265,000 residents).

Requirements held here: the page shows the lines of ``by_resident(Worklist.items())``
for its query, in that order, with the counts of that list; it builds only the lines it
shows, a block at a time (a long list is never built whole on the UI thread); the model
keeps Qt's contract across blocks (qtmodeltester); after an entry that changes the list
the selection stays on the same resident, wherever their line now is.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import add_test_user
from tests.storage.test_worklist import visit
from tests.worklist_demo import TODAY, make_demo
from ygt_desktop.core import schedules as sch
from ygt_desktop.reports.worklist_rows import items_text, view_counts_text
from ygt_desktop.storage.worklist import ALL_VIEW, Worklist, by_resident
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui import table_fit, worklist_page
from ygt_desktop.ui.worklist_page import ITEMS_COLUMN, NAME_COLUMN, WorklistPage

YEAR = ("2026-01-01", "2026-12-31")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("lazy") / "demo.db", residents=300)


@pytest.fixture
def ws(demo_file: Path, tmp_path: Path) -> Iterator[Workspace]:
    path = tmp_path / "station.db"
    shutil.copyfile(demo_file, path)
    workspace = Workspace.open(path)
    add_test_user(workspace)
    yield workspace
    workspace.close(backup_on_exit=False)


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 lines, 3 remembered: a 300-resident list spans many."""
    monkeypatch.setattr(worklist_page, "BLOCK", 7)
    monkeypatch.setattr(worklist_page, "CACHED_BLOCKS", 3)
    monkeypatch.setattr(worklist_page, "FIT_AHEAD", 10)


def page_for(qtbot, ws: Workspace, view: str = ALL_VIEW) -> WorklistPage:
    page = WorklistPage(ws, clock=lambda: TODAY)
    qtbot.addWidget(page)
    page.start.setText(YEAR[0])
    page.end.setText(YEAR[1])
    page.status.setCurrentIndex(page.status.findText("全部状态"))
    page.view.setCurrentIndex(page.view.findData(view))  # refreshes
    return page


def expected(ws: Workspace, page: WorklistPage) -> tuple[list, str]:
    q = page.shown.query
    items = Worklist(ws.store, ws.forms).items(
        q.start, q.end, q.on, packages=q.packages, village=q.village,
        statuses=q.statuses, doctor=q.doctor, view=q.view,
    )  # fmt: skip
    return by_resident(items), view_counts_text(items, q.view)


def test_the_page_shows_the_lines_of_the_list_building_only_what_it_shows(
    qtbot, ws, small_blocks, monkeypatch, qtmodeltester
):
    asked: list[int] = []
    rows_for = Worklist.rows_for

    def counted(self, lines, residents):
        asked.extend(residents)
        return rows_for(self, lines, residents)

    monkeypatch.setattr(Worklist, "rows_for", counted)
    monkeypatch.setattr(table_fit, "SAMPLE_ROWS", 10)  # columns fitted to 10 lines
    page = page_for(qtbot, ws)
    model = page.model
    lines, counts = expected(ws, page)
    assert model.rowCount() == len(lines) > 50  # many blocks of 7
    assert page.counts.text() == counts
    asked.clear()
    page.refresh()
    # only the lines the page looked at were built: those fitted and measured, the
    # first few blocks
    assert 0 < len(set(asked)) <= 4 * 7 < len(lines) // 2
    assert len(model._blocks) <= 3
    for n in (0, len(lines) // 2, len(lines) - 1):
        line = lines[n]
        assert model.key_at(n) == line.id and model.position_of(line.id) == n
        assert model.index(n, NAME_COLUMN).data() == line.resident["name"]
        assert model.index(n, ITEMS_COLUMN).data() == items_text(line)
        assert model.index(n, 0).data() == line.status
    assert len(model._blocks) <= 3  # the oldest forgotten
    assert [x.id for x in model.lines] == [x.id for x in lines]  # built block by block
    qtmodeltester.check(model)

    page.package.setCurrentIndex(page.package.findData("妇幼包"))  # a filter: SQL again
    lines, counts = expected(ws, page)
    assert [model.key_at(n) for n in range(model.rowCount())] == [x.id for x in lines]
    assert page.counts.text() == counts


def test_scrolling_fits_the_lines_that_come_into_view(qtbot, ws, small_blocks):
    page = page_for(qtbot, ws)
    page.resize(1000, 600)
    page.show()
    qtbot.waitExposed(page)
    table = page.table
    last = page.model.rowCount() - 1
    table.scrollToBottom()
    qtbot.wait(10)
    assert table.rowAt(table.viewport().height() - 2) in (last, -1)
    assert last // 7 in page.model._blocks  # the block at the bottom was built to fit


def test_after_an_entry_the_selection_stays_on_the_same_resident(qtbot, ws):
    """A follow-up done for the resident's one open item (this quarter's hypertension
    visit): their line turns 已访 and moves down the list, and the same resident stays
    selected."""
    page = page_for(qtbot, ws)
    page.start.setText("2026-10-01")
    page.end.setText("2026-12-31")
    page.refresh()
    model = page.model
    chosen = None
    for n in range(1, model.rowCount()):
        line = model.row_at(n)
        open_ = [i for i in line.items if i.status in (sch.OVERDUE, sch.DUE, sch.UPCOMING)]
        if (
            line.status == sch.DUE
            and len(line.items) > 1
            and [i.due.programme for i in open_] == ["htn"]
        ):
            chosen = (n, line.id)
            break
    assert chosen is not None, "no resident whose one open item is a hypertension visit"
    position, rid = chosen
    page.table.selectRow(position)
    assert page.current_resident == rid

    visit(ws, rid, "2026-11-20")
    page.refresh()
    assert model.row_at(model.position_of(rid)).status == sch.DONE
    assert model.position_of(rid) > position  # 已访 after every 应访 line
    assert page.current_resident == rid
    assert [model.key_at(i.row()) for i in page.table.selectionModel().selectedRows()] == [rid]
    lines, counts = expected(ws, page)
    assert [model.key_at(n) for n in range(model.rowCount())] == [x.id for x in lines]
    assert page.counts.text() == counts


@pytest.fixture
def few_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """First reads of a few items and a first screen of 9 lines: the 300-resident
    station's views are "long" (at 265,000 residents the 全部 view is 68,000 lines)."""
    from ygt_desktop.storage import worklist_lines

    monkeypatch.setattr(worklist_lines, "FIRST_FROM_WINDOWS", 0)
    monkeypatch.setattr(worklist_lines, "FIRST_ITEMS", 30)
    monkeypatch.setattr(worklist_lines, "ITEMS_PER_LINE", 1)
    monkeypatch.setattr(worklist_page, "FIRST_LINES", 9)


def test_a_long_view_shows_its_first_lines_then_the_whole_with_the_same_resident(
    qtbot, ws, few_items
):
    """The first lines at once (the counts wait), the whole view from the background,
    the selection on the resident chosen meanwhile; then an entry and a month change
    the same way, and the lines are always the list's."""
    page = page_for(qtbot, ws)
    page.start.setText("2026-11-01")
    page.end.setText("2026-11-30")
    page.refresh()
    model = page.model
    # the background read's answer is an event: none is handled before the wait below
    assert not page.shown.lines.complete
    assert model.rowCount() == 9
    assert page.counts.text() == worklist_page.COUNTING_TEXT
    lines, counts = expected(ws, page)
    assert [model.key_at(n) for n in range(9)] == [x.id for x in lines[:9]]
    page.table.selectRow(6)
    rid = page.current_resident
    assert rid == lines[6].id
    qtbot.waitUntil(lambda: page.shown.lines.complete, timeout=10_000)
    assert page.counts.text() == counts
    assert [model.key_at(n) for n in range(model.rowCount())] == [x.id for x in lines]
    assert page.current_resident == rid
    # remembered now: a filter is a pass over the lines, whole at once
    page.status.setCurrentIndex(page.status.findText("逾期"))
    assert page.shown.lines.complete
    # another month: its first lines, then the whole
    page.status.setCurrentIndex(page.status.findText("全部状态"))
    page.start.setText("2026-10-01")
    page.end.setText("2026-10-31")
    page.refresh()
    qtbot.waitUntil(lambda: page.shown.lines.complete, timeout=10_000)
    lines, counts = expected(ws, page)
    assert [model.key_at(n) for n in range(model.rowCount())] == [x.id for x in lines]
    assert page.counts.text() == counts
    assert page.reader.job is None


def test_a_hand_over_refused_reads_the_view_at_once(qtbot, ws, few_items, monkeypatch):
    """The rows derived again while the background read ran: its lines are not used;
    the page reads the whole view itself and shows the list's lines."""
    monkeypatch.setattr(Worklist, "adopt_lines", lambda *a, **k: False)
    page = page_for(qtbot, ws)
    page.start.setText("2026-11-01")
    page.end.setText("2026-11-30")
    page.refresh()
    qtbot.waitUntil(lambda: page.shown.lines.complete, timeout=10_000)
    lines, counts = expected(ws, page)
    assert [page.model.key_at(n) for n in range(page.model.rowCount())] == [x.id for x in lines]
    assert page.counts.text() == counts
