"""Buttons a role may not use are greyed, saying who may; pressing one anyway (through
its slot, as a keyboard shortcut or a bug would) is still refused below the window, in
Chinese, with the attempt in the audit log and nothing deleted."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from ygt_desktop.storage import users
from ygt_desktop.ui import messages
from ygt_desktop.ui.residents_page import ResidentsPage


def add_resident(ws) -> int:
    return ws.residents.save(
        {"name": "张三", "id_number": "11010519491231002X", "village_code": "101",
         "archive_date": "2020-01-01"}
    ).record_id  # fmt: skip


def delete_button(page) -> QPushButton:
    return next(b for b in page.findChildren(QPushButton) if b.text().startswith("删除"))


def test_an_entry_clerk_cannot_delete_a_resident(qtbot, ws, monkeypatch):
    rid = add_resident(ws)
    users.add_user(ws.store, "王小丽", "录入员", "xiaoli-2026", is_bureau=False, by=ws.store.user)
    ws.login("王小丽", "xiaoli-2026")
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    button = delete_button(page)
    assert not button.isEnabled() and "医生" in button.toolTip()
    errors: list[str] = []
    monkeypatch.setattr(messages, "ask_text", lambda *a, **k: "重复建档")
    monkeypatch.setattr(messages, "error", lambda parent, text, title="": errors.append(text))
    monkeypatch.setattr(page, "selected_or_tell", lambda: rid)
    page.delete_current()
    assert errors and "王小丽（录入员）无权删除记录" in errors[0]
    assert ws.residents.get(rid)["deleted"] == 0
    refused = ws.store.conn.execute(
        "SELECT user FROM audit_log WHERE action = 'refused'"
    ).fetchall()
    assert refused == [("王小丽",)]


def test_a_doctor_can(qtbot, ws, monkeypatch):
    rid = add_resident(ws)
    users.add_user(ws.store, "李医生", "医生", "doctor-2026", is_bureau=False, by=ws.store.user)
    ws.login("李医生", "doctor-2026")
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    assert delete_button(page).isEnabled()
    monkeypatch.setattr(messages, "ask_text", lambda *a, **k: "重复建档")
    monkeypatch.setattr(page, "selected_or_tell", lambda: rid)
    page.delete_current()
    assert ws.residents.get(rid)["deleted"] == 1
