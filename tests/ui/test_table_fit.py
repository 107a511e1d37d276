"""Tables that show every column within the screen (issue 12: "No window, page or
dialog is ever wider or taller than the available screen … tables elide or scroll
inside themselves"), as the screenshot tour found them clipped:

- 待办随访: an age like 1岁11月 shown whole, a long 待办项目 wrapped onto more lines
  instead of cut off, no sideways scroll bar;
- 家医签约 → 团队与服务包: the members' 在岗 column on screen, the packages list no
  wider than its figures need;
- 报表 → 名单: every resident column within the dialog (重点人群 not behind a scroll
  bar);
- any cut cell shows its whole text as a tooltip.

The tests' screen is 1366×728 (tests/conftest.py); a page gets the window less the
navigation list.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QTableView, QToolTip

from tests.contract_helpers import make_station
from ygt_desktop.storage.indicators import Counted
from ygt_desktop.ui.contract_setup import SetupTab
from ygt_desktop.ui.report_people import PeopleDialog
from ygt_desktop.ui.row_table import RowTableModel
from ygt_desktop.ui.table_fit import CELL_MARGIN, fit_columns, natural_width, squeeze
from ygt_desktop.ui.worklist_page import AGE_COLUMN, ITEMS_COLUMN, WorklistPage

PAGE_W, PAGE_H = 1366 - 110, 728 - 40  # the window less its navigation and status bar
TODAY = dt.date(2026, 11, 25)


def columns_on_screen(view: QTableView) -> bool:
    """Every column ends inside the viewport (none behind a sideways scroll bar)."""
    header = view.horizontalHeader()
    right = max(
        header.sectionViewportPosition(c) + header.sectionSize(c)
        for c in range(header.count())
        if not header.isSectionHidden(c)
    )
    return right <= view.viewport().width() and view.horizontalScrollBar().maximum() == 0


def shows_whole(view: QTableView, row: int, column: int) -> bool:
    text = view.model().index(row, column).data()
    return view.fontMetrics().horizontalAdvance(text) + CELL_MARGIN <= view.columnWidth(column)


class Texts(RowTableModel[tuple[str, ...]]):
    def cell(self, row, position, column, role):
        return row[column] if role == Qt.ItemDataRole.DisplayRole else None


def test_squeeze_keeps_widths_that_fit_and_cuts_the_widest_first():
    natural = {0: 100, 1: 400, 2: 300}
    assert squeeze(natural, {}, 900) == natural
    assert squeeze(natural, {}, 700) == {0: 100, 1: 300, 2: 300}
    assert squeeze(natural, {}, 500) == {0: 100, 1: 200, 2: 200}
    # never below a column's least width, even when the total then does not fit
    assert squeeze(natural, {0: 100, 1: 150, 2: 150}, 300) == {0: 100, 1: 150, 2: 150}


def test_a_table_too_narrow_cuts_its_longest_column_and_tells_it_whole(qtbot, qtmodeltester):
    model = Texts(["编号", "说明", "状态"])
    long = "基础服务包、老年人服务包、慢病服务包、孕产妇服务包、儿童服务包" * 2
    model.set_rows([("1", long, "有效"), ("2", "基础服务包", "有效")])
    qtmodeltester.check(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    fit_columns(view, stretch=2)
    view.resize(500, 200)
    view.show()
    qtbot.waitExposed(view)
    assert columns_on_screen(view)
    assert shows_whole(view, 0, 0) and shows_whole(view, 1, 1)
    assert not shows_whole(view, 0, 1)  # cut …
    cell = view.visualRect(model.index(0, 1)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, cell, view.viewport().mapToGlobal(cell))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.isVisible() and QToolTip.text() == long  # … and told whole
    QToolTip.hideText()

    view.resize(1300, 200)  # room again: every column as wide as its text
    qtbot.waitUntil(lambda: shows_whole(view, 0, 1))
    assert columns_on_screen(view)


def test_worklist_shows_ages_whole_and_wraps_a_long_list_of_items(qtbot, ws):
    child = ws.residents.save(
        {
            "name": "欧阳晓明",
            "id_number": "530102202412200015",  # 2024-12-20: 1岁11月 on TODAY
            "village_code": "101",
            "archive_date": "2025-01-05",
        }
    ).record_id
    elder = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "102",
            "archive_date": "2020-01-01",
        }
    ).record_id
    for form in ("htn_register", "dm_register"):
        ws.services.save(
            form, {"register_date": "2025-01-05", "diagnosis_date": "2024-12-01"}, elder
        )
    page = WorklistPage(ws, clock=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(PAGE_W, PAGE_H)
    page.show()
    qtbot.waitExposed(page)
    page.view.setCurrentIndex(page.view.findText("全部项目"))
    page._range(dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    table, model = page.table, page.model
    rows = {line.id: r for r, line in enumerate(model.lines)}
    assert set(rows) == {child, elder}
    assert model.index(rows[child], AGE_COLUMN).data() == "1岁11月"
    assert columns_on_screen(table)
    for row in rows.values():
        for column in range(model.columnCount()):
            if column != ITEMS_COLUMN:
                assert shows_whole(table, row, column), (row, column)
    # eight quarters of two programmes: longer than the column, wrapped, not cut
    items = model.index(rows[elder], ITEMS_COLUMN).data()
    width = table.columnWidth(ITEMS_COLUMN)
    assert table.fontMetrics().horizontalAdvance(items) > width
    wrapped = table.fontMetrics().boundingRect(
        QRect(0, 0, width - CELL_MARGIN, 100_000), Qt.TextFlag.TextWordWrap, items
    )
    assert table.rowHeight(rows[elder]) >= wrapped.height() > table.fontMetrics().height()
    assert table.wordWrap()
    # narrower window: the items column narrows and the line grows taller
    tall = table.rowHeight(rows[elder])
    page.resize(PAGE_W - 300, PAGE_H)
    qtbot.waitUntil(lambda: table.rowHeight(rows[elder]) > tall)
    assert columns_on_screen(table)


def test_team_setup_shows_the_members_whole_and_the_packages_as_wide_as_needed(qtbot, ws):
    station = make_station(ws)
    tab = SetupTab(ws)
    qtbot.addWidget(tab)
    tab.resize(PAGE_W, PAGE_H - 30)  # less the 家医签约 page's tab bar
    tab.show()
    qtbot.waitExposed(tab)
    members, teams, packages = tab.members.table, tab.teams.table, tab.packages.table
    assert members.model().rowCount() == len(station.members)
    for view in (members, teams, packages):
        assert columns_on_screen(view)
    header = members.horizontalHeader()
    on_duty = header.count() - 1
    assert members.model().headerData(on_duty, Qt.Orientation.Horizontal) == "在岗"
    assert header.sectionViewportPosition(on_duty) + header.sectionSize(on_duty) <= (
        members.viewport().width()
    )
    for row in range(members.model().rowCount()):
        for column in range(header.count()):
            assert shows_whole(members, row, column)
    for row in range(teams.model().rowCount()):  # the villages each team covers, whole
        assert shows_whole(teams, row, teams.model().columnCount() - 1)
    # the packages (short figures) as wide as their columns (no empty band), the teams
    # and members the rest
    assert tab.packages.width() <= tab.width() // 2
    assert packages.viewport().width() <= natural_width(packages)
    for row in range(packages.model().rowCount()):
        for column in range(packages.model().columnCount()):
            assert shows_whole(packages, row, column)
    assert tab.teams.width() > tab.packages.width()


def test_report_names_show_every_column_within_the_dialog(qtbot, ws):
    ids = {
        ws.residents.save(
            {
                "name": name,
                "id_number": number,
                "village_code": "001",
                "archive_date": "2020-01-01",
                "phone": "13800001111",
                "flag_dibao": "1",
            }
        ).record_id
        for name, number in (("张三", "11010519491231002X"), ("李四", "530102195001010011"))
    }
    dialog = PeopleDialog(ws, "老年人健康管理率", Counted("x", set(), ids))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    view = dialog.views[0]
    assert view.model().rowCount() == 2
    assert columns_on_screen(view)
    last = view.model().columnCount() - 1
    assert view.model().headerData(last, Qt.Orientation.Horizontal) == "重点人群"
    for row in range(2):
        for column in range(last + 1):
            assert shows_whole(view, row, column), (
                row,
                column,
                view.model().index(row, column).data(),
            )
    assert view.viewport().rect().contains(QPoint(view.columnViewportPosition(last), 1))
