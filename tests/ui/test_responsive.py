"""Issue 10: the 报表 page's long actions run off the UI thread — the event loop never
stalls for more than 100 ms while the report is computed or its files, the line lists
or a submission are written — and closing the window during an export asks, cancels,
waits and closes with no half-written file and no abort."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.ui.stall import LIMIT_MS, StallMeter, frozen_heap
from ygt_desktop import cli
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui import jobs, messages
from ygt_desktop.ui import report_page as report_module
from ygt_desktop.ui.report_page import ReportPage
from ygt_desktop.ui.shell import MainWindow

# the window's stalls are measured: no other test beside these (tests/alone.py)
pytestmark = pytest.mark.alone

PERIOD = "2026Q3"


@pytest.fixture(autouse=True)
def _frozen_heap():
    """As the window freezes its start-up heap (ui/app.py)."""
    yield from frozen_heap()


@pytest.fixture(scope="session")
def demo_station(tmp_path_factory) -> Path:
    """A 3,000-resident demo station with a year of services (made once)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert (
        cli.main(
            [
                "demo",
                "--db",
                str(path),
                "--residents",
                "3000",
                "--seed",
                "3",
                "--year",
                "2026",
                "--today",
                "2026-11-20",
            ]
        )
        == 0
    )
    return path


@pytest.fixture
def station(demo_station: Path, tmp_path: Path):
    path = tmp_path / "station.db"
    shutil.copy(demo_station, path)
    workspace = Workspace.open(path)
    workspace.login(TEST_USER, TEST_PASSWORD)  # the demo's 站长
    yield workspace
    workspace.close(backup_on_exit=False)


@pytest.fixture
def quiet(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": shown.append(text))
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": shown.append(text))
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    monkeypatch.setattr(report_module, "open_file", lambda path: None)
    return shown


def run_measured(qtbot, page, action) -> float:
    with StallMeter() as meter:
        action()
        assert page.job is not None, "the action should run in the background"
        qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    return meter.worst_ms


def test_report_page_actions_never_stall_the_window(qtbot, station, tmp_path, quiet, monkeypatch):
    page = ReportPage(station)
    qtbot.addWidget(page)
    page.show()
    page.period_box.setEditText(PERIOD)
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    worst = {"compute": run_measured(qtbot, page, page.refresh)}
    assert page.model.rowCount() > 0
    for kind, name in (("workbook", "r.xlsx"), ("pdf", "r.pdf"), ("lists", "l.xlsx")):
        monkeypatch.setattr(report_module, "choose_path", lambda *a, n=name: tmp_path / n)
        worst[kind] = run_measured(qtbot, page, lambda k=kind: page.export(k))
        assert (tmp_path / name).stat().st_size > 0, quiet
    worst["submit"] = run_measured(qtbot, page, page.submit)
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    assert "上报第 1 版" in page.status.text()
    assert max(worst.values()) < LIMIT_MS, worst


def test_closing_the_window_during_an_export_cancels_and_leaves_nothing(
    qtbot, station, tmp_path, quiet, monkeypatch
):
    window = MainWindow(station)
    qtbot.addWidget(window)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.setattr(report_module, "choose_path", lambda *a: out_dir / "lists.xlsx")
    page = window.report_page
    page.period_box.setEditText(PERIOD)
    page.export("lists")
    assert page.job is not None and jobs.active()
    asked: list[str] = []
    monkeypatch.setattr(messages, "ask", lambda parent, text, title="": asked.append(text) or True)
    assert window.close()
    assert asked and "花名册" in asked[0]
    assert not jobs.active()
    assert list(out_dir.iterdir()) == []  # no file, no temporary part


def test_closing_can_be_refused_while_a_job_runs(qtbot, station, tmp_path, quiet, monkeypatch):
    window = MainWindow(station)
    qtbot.addWidget(window)
    monkeypatch.setattr(report_module, "choose_path", lambda *a: tmp_path / "r.xlsx")
    page = window.report_page
    page.period_box.setEditText(PERIOD)
    page.export("workbook")
    monkeypatch.setattr(messages, "ask", lambda *a, **k: False)
    assert not window.close()
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    assert (tmp_path / "r.xlsx").stat().st_size > 0


def test_the_timed_backup_runs_in_the_background_without_a_dialog(qtbot, station, monkeypatch):
    from ygt_desktop.storage import backup

    window = MainWindow(station)
    qtbot.addWidget(window)
    station.store.changes_since_backup = 3
    monkeypatch.setattr(window._backups, "due", lambda *a: True)
    window.backup_if_due()
    running = jobs.active()
    assert running and running[0].dialog is None
    qtbot.waitUntil(lambda: not jobs.active(), timeout=60000)
    assert [b.reason for b in backup.list_backups(station.store.path)][0] == "定时"
    assert station.store.changes_since_backup == 0
    assert "最近备份：" in window.status_backup.text()


def test_the_kept_report_is_brought_up_to_date_in_the_background(qtbot, station, monkeypatch):
    """Every few minutes the window computes the residents changed since a quarter was
    kept (quietly), so that the report page finds the quarter ready."""
    from ygt_desktop.core.report_model import Period
    from ygt_desktop.storage.reporting import Reporting

    conn = station.store.conn
    window = MainWindow(station)
    qtbot.addWidget(window)
    window.keep_report_up()
    assert not jobs.active()  # nothing kept, nothing marked
    Reporting(station).compute(Period(2026, 3))
    record = conn.execute(
        "SELECT id FROM service_records WHERE form_id = 'htn_followup' AND deleted = 0 LIMIT 1"
    ).fetchone()[0]
    station.services.delete(record, "录错")
    assert conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0] > 0
    monkeypatch.setattr(station.store, "check_pending", True)
    window.keep_report_up()
    assert not jobs.active()  # writes wait for the opening check: so does this
    monkeypatch.setattr(station.store, "check_pending", False)
    window.keep_report_up()
    running = jobs.active()
    assert running and running[0].dialog is None and running[0].title == "整理报表数据"
    qtbot.waitUntil(lambda: not jobs.active(), timeout=60000)
    assert conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0] == 0
    upto, top = conn.execute(
        "SELECT upto, (SELECT seq FROM sqlite_sequence WHERE name = 'report_dirty') "
        "FROM report_kept WHERE period = '2026Q3'"
    ).fetchone()
    assert upto == top  # the kept quarter takes in every mark
    # closing the window while it runs: waited for, never asked about
    record = conn.execute(
        "SELECT id FROM service_records WHERE form_id = 'htn_followup' AND deleted = 0 LIMIT 1"
    ).fetchone()[0]
    station.services.delete(record, "录错")
    window.keep_report_up()
    assert jobs.active()

    def asked(*_a: object, **_k: object) -> bool:
        raise AssertionError("asked about the kept report")

    monkeypatch.setattr(messages, "ask", asked)
    assert window.close() and not jobs.active()
    after = sqlite3.connect(station.store.path)
    try:  # taken in, or cancelled before it began: left for the next time, never lost
        left = after.execute(
            "SELECT count(*) FROM report_dirty WHERE seq > (SELECT upto FROM report_kept)"
        ).fetchone()[0]
        assert left == after.execute("SELECT count(*) FROM report_dirty").fetchone()[0]
    finally:
        after.close()


def test_prints_exports_and_backups_of_the_other_pages_never_stall_the_window(
    qtbot, station, tmp_path, quiet, monkeypatch
):
    from ygt_desktop.ui import printing, worklist_export
    from ygt_desktop.ui.contracts_page import ContractsPage
    from ygt_desktop.ui.equipment_page import EquipmentPage
    from ygt_desktop.ui.settings_page import SettingsPage
    from ygt_desktop.ui.worklist_page import WorklistPage

    monkeypatch.setattr(
        worklist_export, "choose_path", lambda _p, _t, name, _f, _s: tmp_path / name
    )
    monkeypatch.setattr(worklist_export, "open_file", lambda path: True)
    monkeypatch.setattr(printing, "choose_path", lambda _p, name: tmp_path / name)
    monkeypatch.setattr(printing, "open_pdf", lambda path: True)
    worst: dict[str, float] = {}

    def measured(name: str, page, action) -> None:
        before = set(tmp_path.iterdir())
        with StallMeter() as meter:
            action()
            assert jobs.active(), f"{name} should run in the background"
            qtbot.waitUntil(lambda: not jobs.active(), timeout=60000)
        worst[name] = meter.worst_ms
        made = set(tmp_path.iterdir()) - before
        assert made and all(p.stat().st_size > 0 for p in made), (name, quiet)

    worklist = WorklistPage(station)
    qtbot.addWidget(worklist)
    worklist.view.setCurrentIndex(worklist.view.findData("全部"))  # every window of the year
    worklist.status.setCurrentIndex(worklist.status.findText("全部状态"))
    worklist.start.setText("2026-01-01")
    worklist.end.setText("2026-12-31")
    worklist.refresh()
    # one line per resident, every item of the year behind them
    assert len(worklist.shown.items) > 3000 and worklist.model.rowCount() > 700
    measured("worklist pdf", worklist, worklist.print_list)
    measured("worklist csv", worklist, worklist.export_table)

    contracts = ContractsPage(station)
    qtbot.addWidget(contracts)
    contracts.contracts.refresh()
    contracts.contracts.table.selectRow(0)
    measured("agreement", contracts, contracts.contracts.print_agreement)
    contracts.uncovered.refresh()
    measured("uncovered pdf", contracts, contracts.uncovered.print_list)
    measured("uncovered csv", contracts, contracts.uncovered.export)

    equipment = EquipmentPage(station)
    qtbot.addWidget(equipment)
    equipment.stocktake.refresh()
    assert equipment.stocktake.result is not None
    measured("stocktake", equipment, equipment.stocktake.print_result)

    settings = SettingsPage(station)
    qtbot.addWidget(settings)
    with StallMeter() as meter:
        settings.backup_now()
        qtbot.waitUntil(lambda: not jobs.active(), timeout=60000)
    worst["backup"] = meter.worst_ms
    assert settings.backup_table.rowCount() >= 1
    assert max(worst.values()) < LIMIT_MS, worst


def test_a_page_deleted_while_its_job_runs_does_not_take_the_thread_with_it(
    qtbot, station, tmp_path, quiet, monkeypatch
):
    """A QThread destroyed while running aborts the process: the job outlives its page,
    stops at the next step, and reports to nobody."""
    import shiboken6

    page = ReportPage(station)
    page.period_box.setEditText(PERIOD)
    monkeypatch.setattr(report_module, "choose_path", lambda *a: tmp_path / "l.xlsx")
    qtbot.waitUntil(lambda: page.job is None, timeout=60000)
    page.export("lists")
    assert jobs.active()
    running = jobs.active()[0]
    page.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(page), timeout=5000)
    assert running.stop.is_set()  # cancelled when its page went
    qtbot.waitUntil(lambda: not jobs.active(), timeout=60000)
    assert not list(tmp_path.glob("l.xlsx*")) and not list(tmp_path.glob(".l.xlsx*"))
