"""报表: the 健康教育 yearly minimums (forms-national.md §10, edu_activity [minimums])
as required / done / shortfall for the chosen quarter's year (issue 14, part T)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor

from tests.ui.test_report_page import page_for
from ygt_desktop.core.report_model import IndicatorValue
from ygt_desktop.ui.report_minimums import SHORT, minimums

TODAY = dt.date(2026, 11, 20)


def log(ws, day, kind, title, **more):
    ws.services.save(
        "edu_activity", {"activity_date": day, "kind": kind, "title": title, **more}, None
    )


def test_minimums_table_shows_the_shortfall(qtbot, ws):
    for n, title in enumerate(("高血压防治", "糖尿病防治", "结核病防治")):
        log(ws, f"2026-0{n + 2}-10", "1", title, copies="100")
    log(ws, "2026-04-01", "1", "高血压防治", copies="50")  # the same kind again
    for day in ("2026-01-20", "2026-03-20", "2026-05-20", "2026-07-20", "2026-09-20"):
        log(ws, day, "4", "健康知识讲座", participants="30")
    log(ws, "2026-10-05", "4", "第四季度讲座", participants="20")  # after Q3: not counted
    for day in ("2026-02-01", "2026-04-01", "2026-06-01", "2026-08-01", "2026-09-30"):
        log(ws, day, "3", "宣传栏")
    page = page_for(qtbot, ws, "2026Q3")
    box = page.minimums
    assert page.computed is not None, page.status.text()
    table = box.table
    got = {
        table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)]
        for r in range(table.rowCount())
    }
    assert got == {
        "发放印刷资料种类": ["12", "3", "9"],
        "播放音像资料种类": ["6", "0", "6"],
        "宣传栏更新次数": ["6", "5", "1"],
        "健康知识讲座次数": ["6", "5", "1"],
        "公众健康咨询活动次数": ["9", "0", "9"],
    }
    row = [table.item(r, 0).text() for r in range(table.rowCount())].index("宣传栏更新次数")
    assert table.item(row, 3).foreground().color() == QColor(SHORT)
    assert "2026-09-30" in box.note.text() and "5项尚未达到" in box.note.text()


def test_a_centre_has_the_centre_figures_and_no_note():
    values = {"edu.lecture_times": IndicatorValue.of_count("edu.lecture_times", 12)}
    settings = {"lectures_centre": 12, "lectures_station": 6, "consults_centre": 9}
    rows = minimums(settings, True, values)
    assert [(m.label, m.required, m.done, m.short, m.note) for m in rows] == [
        ("健康知识讲座次数", 12, 12, 0, ""),
        ("公众健康咨询活动次数", 9, None, None, ""),
    ]
    assert minimums(settings, False, values)[0].short == 0  # a station: 6
    assert minimums(settings, False, values)[0].required == 6
    assert minimums(settings, True, values)[0].required == 12
