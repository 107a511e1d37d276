"""审计日志 page: rows read in the background, filtered by user, date, table and record,
old and new values of the selected row, the CSV export; the model keeps Qt's contract."""

from __future__ import annotations

import csv
import datetime as dt

from tests.conftest import TEST_USER
from tests.ui.background import wait_for_jobs
from ygt_desktop.storage import users
from ygt_desktop.ui import audit_page as module
from ygt_desktop.ui import messages
from ygt_desktop.ui.audit_page import ALL, AuditPage


def resident(ws, name="张三"):
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "1960-01-01",
            "village_code": "101",
        }
    ).record_id


def page_for(qtbot, ws) -> AuditPage:
    page = AuditPage(ws)
    qtbot.addWidget(page)
    page.show()  # the first show reads the log
    wait_for_jobs(qtbot)
    return page


def test_rows_filters_and_values(qtbot, ws, qtmodeltester):
    rid = resident(ws)
    resident(ws, "李四")
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    page = page_for(qtbot, ws)
    qtmodeltester.check(page.model)
    assert page.model.rowCount() >= 4
    assert [page.model.headerData(c, module.Qt.Orientation.Horizontal) for c in range(6)] == [
        "时间",
        "用户",
        "数据表",
        "记录",
        "操作",
        "原因",
    ]
    assert TEST_USER in [page.user.itemText(i) for i in range(page.user.count())]
    page.table_name.setCurrentText("用户账户")
    page.refresh()
    wait_for_jobs(qtbot)
    assert {page.model.index(r, 2).data() for r in range(page.model.rowCount())} == {"用户账户"}
    assert {e.table for e in page.model.rows} == {"users"}  # filtered by the raw name
    page.table_name.setCurrentText(ALL)
    page.record.setText(str(rid))
    page.refresh()
    wait_for_jobs(qtbot)
    rows = page.model.rows
    assert rows and all(e.record_id == rid for e in rows)
    insert = next(r for r, e in enumerate(rows) if e.action == "insert" and e.table == "residents")
    assert page.model.index(insert, 4).data() == "新增"
    page.view.selectRow(insert)
    assert "张三" in page.new.toPlainText() and page.old.toPlainText() == "—"
    page.since.setText(f"{dt.date.today() + dt.timedelta(days=1):%Y%m%d}")
    page.refresh()
    wait_for_jobs(qtbot)
    assert page.model.rowCount() == 0 and page.count.text() == "共 0 条。"
    assert page.since.text() == (dt.date.today() + dt.timedelta(days=1)).isoformat()


def test_bad_filters_are_explained_and_nothing_is_read(qtbot, ws):
    page = page_for(qtbot, ws)
    shown = page.model.rowCount()
    page.since.setText("2026-13-01")
    page.refresh()
    assert page.error.text().startswith("日期：")
    page.since.setText("2026-03-01")
    page.until.setText("2026-02-01")
    page.refresh()
    assert page.error.text() == "截止日期不能早于起始日期。"
    page.until.clear()
    page.record.setText("abc")
    page.refresh()
    assert page.error.text() == "记录编号应为数字。"
    assert page.model.rowCount() == shown


def test_export_writes_every_matching_row_as_csv(qtbot, ws, tmp_path, monkeypatch):
    resident(ws)
    out = tmp_path / "audit.csv"
    monkeypatch.setattr(module, "choose_path", lambda parent, name: out)
    infos = []
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": infos.append(text))
    page = page_for(qtbot, ws)
    page.export()
    wait_for_jobs(qtbot)
    assert infos and "已导出" in infos[0]
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:3] == ["序号", "时间", "用户"]
    assert any(r[3] == "residents" and r[5] == "新增" for r in rows[1:])


def test_only_keepers_see_the_page_and_ops_refuses_others(qtbot, ws):
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    ws.login("小王", "enter-123")
    page = AuditPage(ws)
    qtbot.addWidget(page)
    assert not page.query_button.isEnabled() and not page.export_button.isEnabled()
    page.show()  # pressed anyway (the first read): refused by ops.audit_log, in Chinese
    wait_for_jobs(qtbot)
    assert "无权查看审计日志" in page.error.text()
    assert page.model.rowCount() == 0
