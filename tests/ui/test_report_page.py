"""The 报表 page: indicators against targets, base data by keyboard, the people behind
an indicator, submission."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from ygt_desktop.storage import locking
from ygt_desktop.ui import messages
from ygt_desktop.ui.report_page import ReportPage, recent_periods
from ygt_desktop.ui.report_table import numeral

TODAY = dt.date(2026, 11, 20)


def patients(ws, n_standard: int, n_other: int) -> list[int]:
    ids = []
    for n in range(n_standard + n_other):
        rid = ws.residents.save(
            {
                "name": f"患者{n}",
                "no_id_reason": "9",
                "sex": "1",
                "birth_date": "1960-01-01",
                "village_code": "101",
                "archive_date": "2020-01-01",
            }
        ).record_id
        ws.services.save(
            "htn_register",
            {"register_date": "2025-06-01", "diagnosis_date": "2025-05-01"},
            rid,
            today=TODAY,
        )
        days = ("2026-02-10", "2026-05-10", "2026-08-10") if n < n_standard else ("2026-02-10",)
        for day in days:
            ws.services.save(
                "htn_followup",
                {
                    "visit_date": day,
                    "visit_method": "1",
                    "sbp": "130",
                    "dbp": "80",
                    "adherence": "1",
                    "visit_class": "1",
                },
                rid,
                today=TODAY,
            )
        ids.append(rid)
    return ids


def page_for(qtbot, ws, period="2026Q3") -> ReportPage:
    page = ReportPage(ws)
    qtbot.addWidget(page)
    page.period_box.setEditText(period)
    page.refresh()
    settle(qtbot, page)
    return page


def settle(qtbot, page) -> None:
    """Wait for the page's background work (computing, exporting) to finish."""
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)


def row_of(page, code):
    return next(r for r in range(page.model.rowCount()) if page.model.indicator(r).code == code)


def test_indicators_show_with_shortfall_highlighted(qtbot, ws, qtmodeltester):
    patients(ws, 1, 2)  # 1 of 3 standard: 33.3 % < 60 %
    page = page_for(qtbot, ws)
    qtmodeltester.check(page.model)
    row = row_of(page, "htn.standard")
    cells = [page.model.index(row, c).data() for c in range(8)]
    assert cells[2:7] == ["高血压患者规范管理率(%)", "1", "3", "33.3", "≥60"]
    assert page.model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "未达目标：高血压患者规范管理率(%)" in page.status.text()
    assert "缺少2026年基础数据：常住人口数" in page.status.text()
    first = row_of(page, "ehr.coverage")
    assert page.model.index(first, 0).data() == "一"


def test_base_data_typed_by_keyboard_fills_the_denominator(qtbot, ws):
    page = page_for(qtbot, ws)
    qtbot.keyClick(page, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    page.edit_base()
    editor = page.editor
    qtbot.keyClicks(editor.form_widget.editors["population"].widget, "5000")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    editor.save()
    settle(qtbot, page)
    row = row_of(page, "ehr.coverage")
    assert page.model.index(row, 4).data() == "5000"
    assert "基础数据：常住人口数" not in page.status.text()


def test_enter_on_an_indicator_lists_the_people_to_work_on(qtbot, ws, qtmodeltester):
    ids = patients(ws, 1, 2)
    page = page_for(qtbot, ws)
    page.table.selectRow(row_of(page, "htn.standard"))
    page.table.setFocus()
    page.show_people(page.table.currentIndex().row())
    dialog = page.people
    todo, done = dialog.models
    qtmodeltester.check(todo)
    assert {todo.row_data(r)["id"] for r in range(todo.rowCount())} == set(ids[1:])
    assert [done.row_data(r)["id"] for r in range(done.rowCount())] == [ids[0]]
    opened = []
    page.sig_open_resident.connect(opened.append)
    dialog._open(todo, 0)
    assert opened and opened[0] in ids[1:]


def test_submit_locks_the_quarter(qtbot, ws, monkeypatch):
    patients(ws, 1, 0)  # the ws fixture's user is the 站长
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    shown = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": shown.append(text))
    page = page_for(qtbot, ws)
    page.submit()
    settle(qtbot, page)
    settle(qtbot, page)  # the submission, then the table computed again
    assert shown == ["2026年第3季度已上报（第 1 版），记录已锁定。"]
    assert "上报第 1 版" in page.status.text()
    assert locking.locked_by(ws.store, dt.date(2026, 5, 1)) is not None


def test_recent_periods_are_ended_quarters_newest_first():
    assert [str(p) for p in recent_periods(dt.date(2026, 11, 20))][:4] == [
        "2026Q3",
        "2026Q2",
        "2026Q1",
        "2025Q4",
    ]
    assert numeral(12) == "十二" and numeral(20) == "二十" and numeral(3) == "三"


def test_submit_is_greyed_for_a_non_head_and_still_refused_when_pressed(qtbot, ws, monkeypatch):
    from ygt_desktop.storage import audit, users
    from ygt_desktop.ui.shell import MainWindow

    patients(ws, 1, 0)
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by="演示站长")
    ws.login("小王", "enter-123")
    window = MainWindow(ws)
    qtbot.addWidget(window)
    button = window.report_page.submit_button
    assert not button.isEnabled() and "只有站长" in button.toolTip()
    assert "审计日志" not in [window.nav.item(i).text() for i in range(window.nav.count())]
    monkeypatch.setattr(messages, "ask", lambda *a, **k: True)
    errors: list[str] = []
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    page = window.report_page
    page.period_box.setEditText("2026Q3")
    page.submit()  # the greyed button's action, called directly: ops refuses it
    settle(qtbot, page)
    assert errors and "小王（录入员）无权上报并锁定季度" in errors[0]
    assert locking.submissions(ws.store) == []
    refused = audit.query(ws.store.conn, user="小王", table="permissions")
    assert refused and refused[0].action == "refused"
    window.close()


def test_exports_run_in_the_background_and_write_complete_files(qtbot, ws, tmp_path, monkeypatch):
    import openpyxl

    from ygt_desktop.ui import report_page as module

    patients(ws, 1, 1)
    shown: list[str] = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": shown.append(text))
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": shown.append(text))
    monkeypatch.setattr(messages, "ask", lambda *a, **k: False)  # masked IDs
    opened: list = []
    monkeypatch.setattr(module, "open_file", opened.append)
    page = page_for(qtbot, ws)
    for kind, name in (("workbook", "r.xlsx"), ("pdf", "r.pdf"), ("lists", "l.xlsx")):
        monkeypatch.setattr(module, "choose_path", lambda *a, n=name: tmp_path / n)
        page.export(kind)
        assert page.job is not None
        qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert all("已写出" in text for text in shown), shown
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert {r[3] for r in book["_data"].iter_rows(values_only=True)} >= {"htn.standard"}
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert opened == [tmp_path / "r.pdf"]
    assert openpyxl.load_workbook(tmp_path / "l.xlsx").sheetnames[0].startswith("高血压")


def test_a_failed_export_is_explained(qtbot, ws, tmp_path, monkeypatch):
    from ygt_desktop.ui import report_page as module

    errors: list[str] = []
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    monkeypatch.setattr(module, "choose_path", lambda *a: tmp_path / "gone" / "r.xlsx")
    page = page_for(qtbot, ws)
    page.export("workbook")
    qtbot.waitUntil(lambda: page.job is None, timeout=20000)
    assert errors and "无法保存上报工作簿" in errors[0]
    assert not (tmp_path / "gone").exists()
