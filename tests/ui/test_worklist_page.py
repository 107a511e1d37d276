"""The worklist page: one line per resident, range, views, filters, counts, colours,
the selection kept on the resident, and opening a resident.

Requirements held here (issue 12, point 6): the default view on a generated demo
station lists only what is due or overdue now — no year-long item — one line per
resident with all their items named by programme, 逾期 first; 本年未做 counts people per
service; the selected resident stays selected across refreshes and filter changes
(wherever their line moves, never another resident's line), and Enter opens them.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from tests.worklist_demo import TODAY, WEEK, make_demo
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage.worklist import YEARLY_FORMS
from ygt_desktop.storage.workspace import Workspace
from ygt_desktop.ui.worklist_page import WorklistPage


def test_worklist_shows_overdue_in_red_counts_people_and_opens_the_resident(
    qtbot, ws, qtmodeltester
):
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    page = WorklistPage(ws)
    qtbot.addWidget(page)
    page.start.setText("2026-01-01")
    page.end.setText("2026-06-30")
    page.package.setCurrentIndex(page.package.findData("疾控包"))
    page.refresh()
    model = page.model
    assert model.rowCount() == 1  # one line for 张三, both quarters in it
    assert model.index(0, 6).data() == (
        "高血压随访（2026年第1季度） 逾期 03-31；高血压随访（2026年第2季度） 逾期 06-30"
    )
    assert model.index(0, 7).data() == "2026-03-31"
    assert model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole).count("\n") == 1
    assert model.index(0, 0).data() == "逾期"
    assert model.index(0, 0).data(9) == QColor("#c62828")  # ForegroundRole
    assert "逾期 1 人" in page.counts.text()
    qtmodeltester.check(model)

    opened = []
    page.sig_open_resident.connect(opened.append)
    page.table.selectRow(0)
    page.open_current()
    assert opened == [rid]


def test_bad_range_is_explained(qtbot, ws):
    page = WorklistPage(ws)
    qtbot.addWidget(page)
    page.start.setText("2026-12-01")
    page.end.setText("2026-11-01")
    page.refresh()
    assert page.error.text() == "结束日期不能早于开始日期"
    page.start.setText("2026-13-01")
    page.refresh()
    assert "日期" in page.error.text()
    assert dt.date.today()  # page still usable


def test_doctor_filter_keeps_that_doctors_residents(qtbot, ws):
    for name, doctor in (("张三", "王丽萍"), ("李四", "李建华")):
        rid = ws.residents.save(
            {
                "name": name,
                "no_id_reason": "9",
                "sex": "1",
                "birth_date": "1950-03-01",
                "village_code": "101",
                "archive_date": "2020-01-01",
                "responsible_doctor": doctor,
            }
        ).record_id
        ws.services.save(
            "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
        )
    page = WorklistPage(ws)
    qtbot.addWidget(page)
    page.start.setText("2026-04-01")
    page.end.setText("2026-06-30")
    page.status.setCurrentIndex(page.status.findText("全部状态"))
    names = {page.model.index(r, 1).data() for r in range(page.model.rowCount())}
    assert names == {"张三", "李四"}
    page.doctor.setCurrentIndex(page.doctor.findData("王丽萍"))  # refreshes at once
    names = {page.model.index(r, 1).data() for r in range(page.model.rowCount())}
    assert names == {"张三"}
    assert "责任医生：王丽萍" in page.shown.filters


def test_week_button_means_monday_to_sunday(qtbot, ws):
    page = WorklistPage(ws)
    qtbot.addWidget(page)
    start, end = dt.date.fromisoformat(page.start.text()), dt.date.fromisoformat(page.end.text())
    assert start.weekday() == 0 and (end - start).days == 6
    assert start <= dt.date.today() <= end


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("worklist") / "demo.db")


@pytest.fixture
def demo_page(qtbot, demo_file, tmp_path):
    """The page on a copy of the demo station, its day the demo's, the range its
    :data:`~tests.worklist_demo.WEEK`."""
    path = tmp_path / "station.db"
    shutil.copyfile(demo_file, path)
    workspace = Workspace.open(path)
    from tests.conftest import add_test_user

    add_test_user(workspace)
    page = WorklistPage(workspace, clock=lambda: TODAY)
    qtbot.addWidget(page)
    page.start.setText(WEEK[0].isoformat())
    page.end.setText(WEEK[1].isoformat())
    page.refresh()
    yield page
    workspace.close(backup_on_exit=False)


def names(page) -> list[str]:
    return [page.model.index(r, 1).data() for r in range(page.model.rowCount())]


def test_the_default_view_on_a_demo_station_is_what_to_act_on(demo_page, qtmodeltester):
    page = demo_page
    assert page.view.currentText() == "到期和逾期"
    lines = page.model.lines
    assert lines and len({line.id for line in lines}) == len(lines)  # one line per resident
    items = [i for line in lines for i in line.items]
    assert len(items) == len(page.shown.items) > len(lines)
    assert not any(i.due.programme in YEARLY_FORMS for i in items)
    # each item names its service; a vaccine dose its vaccine (白破疫苗第1剂…)
    assert all(
        ("疫苗" if i.due.programme == "vaccine" else sch.programme_name(i.due.programme))
        in i.due.label
        for i in items
    )
    statuses = [page.model.index(r, 0).data() for r in range(len(lines))]
    assert set(statuses) == {"逾期", "应访"}
    assert statuses == sorted(statuses, key=["逾期", "应访"].index)
    for r, line in enumerate(lines):
        cell = page.model.index(r, 6).data()
        assert all(i.due.label in cell for i in line.items)
    overdue, due = statuses.count("逾期"), statuses.count("应访")
    assert page.counts.text().endswith(f"人：逾期 {overdue} 人，应访 {due} 人")
    qtmodeltester.check(page.model)

    page.view.setCurrentIndex(page.view.findText("本年未做"))  # refreshes at once
    yearly = {i.due.programme for line in page.model.lines for i in line.items}
    assert yearly == set(YEARLY_FORMS)
    assert "中医体质辨识" in page.counts.text() and "人未做" in page.counts.text()
    assert "视图：本年未做" in page.shown.filters


def test_the_selection_stays_on_the_resident_across_refreshes_and_filters(qtbot, demo_page):
    page = demo_page
    lines = page.model.lines
    row = len(lines) - 1  # due this week: listed in the 全部 view too
    chosen = lines[row]
    assert chosen.status == "应访"
    page.table.selectRow(row)
    assert page.current_resident == chosen.id

    page.refresh()
    assert page.current_resident == chosen.id
    # the line moves (another village's residents leave the list): the selection follows
    page.village.setCurrentIndex(page.village.findData(chosen.resident["village_code"]))
    assert [x.id for x in page.model.lines].index(chosen.id) != row
    assert page.current_resident == chosen.id
    page.view.setCurrentIndex(page.view.findText("全部项目"))
    assert page.current_resident == chosen.id
    selected = page.table.selectionModel().selectedRows()
    assert [page.model.lines[i.row()].id for i in selected] == [chosen.id]

    opened = []
    page.sig_open_resident.connect(opened.append)
    page.show()  # queries again (showEvent): still the same resident
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    page.table.setFocus()
    assert page.current_resident == chosen.id
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened == [chosen.id]

    # a filter that drops the resident selects nobody, never the line now in that row
    page.status.setCurrentIndex(page.status.findText("已访"))
    if chosen.id not in {line.id for line in page.model.lines}:
        assert page.table.selectionModel().selectedRows() == []
