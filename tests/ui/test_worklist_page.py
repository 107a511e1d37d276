"""The worklist page: range, filters, counts, colours, and opening a resident."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor

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
    page.status.setCurrentIndex(page.status.findText("全部"))
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
