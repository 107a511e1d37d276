"""The stocktake list keeps its selection by asset, never by row (issue 12: every list
keeps its selection by record id across refreshes): marking an asset moves on to the
asset listed after it even when the list, sorted by 盘点结果, reorders as it is marked,
and a reload keeps the asset selected wherever it now sorts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from ygt_desktop.storage.equipment import Equipment
from ygt_desktop.storage.equipment_stocktake import FOUND, Stocktakes
from ygt_desktop.ui.equipment_stocktake import COLUMNS, StocktakeTab

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
