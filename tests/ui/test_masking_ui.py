"""Masking by role on screen (issue 16): phone numbers in full for those who phone
residents (医生, 站长, 管理员) and masked for a 录入员 on the worklist, the register and the
resident's window; ID numbers always masked, shown in full only through
显示完整身份证号 — a 站长's, audited — while a 录入员 cannot (greyed out, and refused in
the operations layer with the attempt audited)."""

from __future__ import annotations

import pytest

from ygt_desktop.ops.base import PermissionRefused, Run
from ygt_desktop.ops.privacy import unmask_id
from ygt_desktop.storage import audit, users
from ygt_desktop.ui.resident_detail import ResidentDetail
from ygt_desktop.ui.residents_page import ResidentsPage
from ygt_desktop.ui.worklist_page import WorklistPage

ID_NUMBER = "11010519491231002X"
MASKED_ID = "110105********002X"
PHONE = "13912345678"
MASKED_PHONE = "139****5678"
PASSWORD = "another-pass-1"


@pytest.fixture
def resident(ws) -> int:
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": ID_NUMBER,
            "phone": PHONE,
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    return rid


def log_in_as(ws, role: str) -> str:
    name = f"测试{role}"
    users.add_user(ws.store, name, role, PASSWORD, is_bureau=False, by=ws.store.user)
    ws.login(name, PASSWORD)
    return name


def worklist_phones(qtbot, ws) -> set[str]:
    page = WorklistPage(ws)
    qtbot.addWidget(page)
    page.start.setText("2026-01-01")
    page.end.setText("2026-06-30")
    page.refresh()
    return {page.model.index(r, 5).data() for r in range(page.model.rowCount())}


def register_cells(qtbot, ws) -> tuple[str, str]:
    page = ResidentsPage(ws)
    qtbot.addWidget(page)
    page.model.set_query("")
    return page.model.index(0, 5).data(), page.model.index(0, 6).data()


@pytest.mark.parametrize("role", ["医生", "站长", "管理员"])
def test_those_who_phone_residents_see_phones_in_full(qtbot, ws, resident, role):
    log_in_as(ws, role)
    assert worklist_phones(qtbot, ws) == {PHONE}
    assert register_cells(qtbot, ws) == (MASKED_ID, PHONE)
    detail = ResidentDetail(ws, resident)
    qtbot.addWidget(detail)
    header = detail.summary.text()
    assert PHONE in header and MASKED_ID in header and ID_NUMBER not in header


def test_a_data_entry_clerk_sees_phones_masked_everywhere(qtbot, ws, resident):
    log_in_as(ws, "录入员")
    assert worklist_phones(qtbot, ws) == {MASKED_PHONE}
    assert register_cells(qtbot, ws) == (MASKED_ID, MASKED_PHONE)
    detail = ResidentDetail(ws, resident)
    qtbot.addWidget(detail)
    header = detail.summary.text()
    assert MASKED_PHONE in header and PHONE not in header and ID_NUMBER not in header
    assert not detail.unmask_btn.isEnabled()


def test_the_station_head_unmasks_an_id_number_and_it_is_audited(qtbot, ws, resident):
    detail = ResidentDetail(ws, resident)  # the ws fixture's user is a 站长
    qtbot.addWidget(detail)
    assert detail.unmask_btn.isEnabled() and ID_NUMBER not in detail.summary.text()
    detail.unmask_btn.click()
    assert ID_NUMBER in detail.summary.text()
    assert "已记入审计日志" in detail.status.text()
    assert detail.unmask_btn.isHidden()
    looks = [
        e
        for e in audit.query(ws.store.conn)
        if e.action == "unmask" and e.table == "residents" and e.record_id == resident
    ]
    assert len(looks) == 1 and looks[0].user == ws.store.user


@pytest.mark.parametrize("role", ["录入员", "医生", "管理员"])
def test_anyone_else_is_refused_in_chinese_and_the_attempt_audited(ws, resident, role):
    name = log_in_as(ws, role)
    with pytest.raises(PermissionRefused, match="无权查看或导出完整的身份证号"):
        unmask_id(Run.plain(ws), resident)
    refused = [e for e in audit.query(ws.store.conn) if e.action == "refused"]
    assert refused and refused[0].user == name
    assert not any(e.action == "unmask" for e in audit.query(ws.store.conn))
