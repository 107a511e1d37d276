"""No internal id on screen (issue 12, point 8): the audit log names each row's record
— a resident by name and archive number, a service record by resident, form and date,
a contract by its resident, a team member by name — and its values by field label; the
number is only a tooltip (for the 记录 filter) or, for a record that cannot be named,
said as 编号 N."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import TEST_USER
from tests.contract_helpers import make_station
from tests.ui.background import wait_for_jobs
from ygt_desktop.storage import users
from ygt_desktop.storage.record_names import record_names
from ygt_desktop.ui.audit_page import AuditPage


def test_records_are_named_from_their_tables(ws):
    st = make_station(ws)
    old = st.people["张老汉"]
    saved = ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, old
    )
    contract = st.sign("张老汉", "2026-01-01")
    archive = ws.residents.get(old)["archive_no"]
    names = record_names(
        ws.store.conn,
        ws.forms,
        [
            ("residents", old),
            ("f_htn_register", saved.change.record_id),
            ("service_records", saved.change.record_id),
            ("e_contract", contract),
            ("e_team_member", st.members["王医生"]),
            ("e_team", st.teams["小坝"]),
            ("villages", 101),
            ("users", 1),
            ("residents", 999999),  # gone: left out
            ("settings", 1),  # not a record
        ],
    )
    assert names == {
        ("residents", old): f"张老汉（档案号 {archive}）",
        ("f_htn_register", saved.change.record_id): "张老汉 · 高血压登记 2026-01-05",
        ("service_records", saved.change.record_id): "张老汉 · 高血压登记 2026-01-05",
        ("e_contract", contract): "张老汉 · 2026-01-01",
        ("e_team_member", st.members["王医生"]): "王医生",
        ("e_team", st.teams["小坝"]): "小坝家庭医生团队",
        ("villages", 101): "小坝村委会",
        ("users", 1): TEST_USER,
    }


def test_the_audit_log_shows_names_not_ids(qtbot, ws):
    rid = ws.residents.save(
        {"name": "张三", "no_id_reason": "9", "sex": "1", "birth_date": "1960-01-01",
         "village_code": "101"}
    ).record_id  # fmt: skip
    users.add_user(ws.store, "小王", "录入员", "enter-123", is_bureau=False, by=TEST_USER)
    page = AuditPage(ws)
    qtbot.addWidget(page)
    page.show()
    wait_for_jobs(qtbot)
    rows = page.model.rows
    at = next(r for r, e in enumerate(rows) if e.table == "residents" and e.record_id == rid)
    shown = page.model.index(at, 3).data()
    assert shown.startswith("张三（档案号 ") and str(rid) not in shown.split("档案号")[0]
    assert page.model.index(at, 3).data(Qt.ItemDataRole.ToolTipRole).startswith(f"记录编号 {rid}")
    user_row = next(r for r, e in enumerate(rows) if e.table == "users" and e.action == "insert")
    assert page.model.index(user_row, 3).data() == "小王"
    page.view.selectRow(at)
    assert "姓名：张三" in page.new.toPlainText()  # the field's label, not "name"
    assert "name：" not in page.new.toPlainText()
