"""Lists keep their selection by record, never by row (issue 12: every list keeps its
selection by record id across refreshes):

- 盘点: marking an asset moves on to the asset listed after it even when the list,
  sorted by 盘点结果, reorders as it is marked; a reload keeps the asset selected
  wherever it now sorts;
- 公卫服务: a log entry just edited (and moved by its new date) stays selected;
- 设置 → 备份: after a new backup (listed first) the backup chosen stays chosen, so
  恢复所选备份 restores what the user chose, not the one now in its row.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from ygt_desktop.storage import backup
from ygt_desktop.storage.equipment import Equipment
from ygt_desktop.storage.equipment_stocktake import FOUND, Stocktakes
from ygt_desktop.ui.equipment_stocktake import COLUMNS, StocktakeTab
from ygt_desktop.ui.services_page import ServicesPage
from ygt_desktop.ui.settings_page import SettingsPage

RESULT = [c.header for c in COLUMNS].index("盘点结果")


def test_marking_moves_to_the_next_asset_and_a_reload_keeps_it(qtbot, ws, qtmodeltester):
    eq = Equipment(ws.store, ws.forms)
    for n, name in enumerate(("诊察床", "听诊器", "血压计", "体重秤"), start=1):
        eq.assets.save(
            {
                "asset_no": f"SB-00{n}",
                "name": name,
                "category": "1",
                "purchase_date": "2024-03-01",
                "price": "100",
            }
        )
    stocktakes = Stocktakes(eq, ws.forms)
    day = dt.date.today()
    stocktakes.start({"year": day.year, "stocktake_date": day, "checker": "王护士"})
    tab = StocktakeTab(ws, stocktakes)
    qtbot.addWidget(tab)
    tab.show()
    qtmodeltester.check(tab.model)
    # 未盘 first: an asset marked 找到 moves to the end of the list
    tab.table.sortByColumn(RESULT, Qt.SortOrder.AscendingOrder)
    tab.table.selectRow(0)
    first = tab.current()
    assert first is not None
    listed = [tab.proxy.index(r, 1).data() for r in range(tab.proxy.rowCount())]
    after = listed[1]
    tab.mark_key(FOUND)
    marked = [tab.proxy.index(r, 1).data() for r in range(tab.proxy.rowCount())]
    assert marked[-1] == first.asset["name"]  # it moved …
    current = tab.current()
    assert current is not None and current.asset["name"] == after  # … the next one is chosen

    tab.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by name: it moves again
    tab.load()
    current = tab.current()
    assert current is not None and current.asset["name"] == after
    assert len(tab.table.selectionModel().selectedRows()) == 1


def test_a_log_entry_edited_stays_selected_where_its_new_date_puts_it(qtbot, ws):
    services = ws.services
    ids = [
        services.save(
            "edu_activity",
            {"activity_date": day, "kind": "4", "title": title, "participants": "30"},
            None,
        ).change.record_id
        for day, title in (("2026-03-15", "高血压防治"), ("2026-05-20", "糖尿病防治"))
    ]
    page = ServicesPage(ws)
    qtbot.addWidget(page)
    page.form_box.setCurrentIndex(page.form_box.findData("edu_activity"))
    page.year.setValue(2026)
    page.show()
    first = [r["id"] for r in page.records].index(ids[0])
    page.table.selectRow(first)
    assert page.current_id == ids[0]
    page.edit_current()
    editor = page.dialog
    editor.form_widget.editors["activity_date"].widget.setText("2026-09-01")  # now listed first
    editor.save()
    assert not editor.isVisible()
    assert [r["id"] for r in page.records].index(ids[0]) != first
    assert page.current_id == ids[0]
    assert len(page.table.selectionModel().selectedRows()) == 1


def test_the_backup_chosen_stays_chosen_when_a_new_one_is_listed(qtbot, ws):
    older = backup.make_backup(ws.store.conn, ws.store.path, "手动", dt.datetime(2026, 11, 1, 9))
    page = SettingsPage(ws)
    qtbot.addWidget(page)
    page.refresh()
    page.backup_table.selectRow(0)
    chosen = page.chosen_backup()
    assert chosen is not None and chosen.path == older
    newer = backup.make_backup(ws.store.conn, ws.store.path, "手动", dt.datetime(2026, 11, 2, 9))
    page.refresh()
    assert [info.path for info in page.backups] == [newer, older]  # the new one first
    chosen = page.chosen_backup()
    assert chosen is not None and chosen.path == older
