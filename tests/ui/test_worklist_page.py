"""The worklist page: range, filters, counts, colours, and opening a resident."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor

from ygt_desktop.ui.worklist_page import WorklistPage


def test_worklist_shows_overdue_in_red_counts_people_and_opens_the_resident(qtbot, ws,
                                                                            qtmodeltester):
    rid = ws.residents.save({"name": "张三", "id_number": "11010519491231002X",
                             "village_code": "101", "archive_date": "2020-01-01"}).record_id
    ws.services.save("htn_register", {"register_date": "2026-01-05",
                                      "diagnosis_date": "2025-12-01"}, rid)
    page = WorklistPage(ws)
    qtbot.addWidget(page)
    page.start.setText("2026-01-01")
    page.end.setText("2026-06-30")
    page.package.setCurrentIndex(page.package.findData("疾控包"))
    page.refresh()
    model = page.model
    labels = [model.index(r, 6).data() for r in range(model.rowCount())]
    assert "2026年第1季度随访" in labels and "2026年第2季度随访" in labels
    row = labels.index("2026年第1季度随访")
    assert model.index(row, 0).data() == "逾期"
    assert model.index(row, 0).data(9) == QColor("#c62828")  # ForegroundRole
    assert "逾期 1 人" in page.counts.text()
    qtmodeltester.check(model)

    opened = []
    page.sig_open_resident.connect(opened.append)
    page.table.selectRow(row)
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
