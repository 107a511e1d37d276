"""Issue 13, part A.1: the 档案结案 dialog lists what the close ends with the archive
(contracts in force, register entries, due items) for the type and date typed, and 确定结案
confirms exactly that list."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import make_station
from ygt_desktop.ui.close_dialog import SHOWN_DUE, CloseDialog


@pytest.fixture
def st(ws):
    return make_station(ws)


def type_date(qtbot, dialog, text: str) -> None:
    dialog.date.setFocus()
    dialog.date.selectAll()
    qtbot.keyClicks(dialog.date, text)


def test_the_dialog_lists_what_ends_and_closes_it_all(qtbot, ws, st):
    old = st.people["张老汉"]
    today = dt.date.today()
    ws.services.save(
        "htn_register",
        {"register_date": "2024-03-01", "diagnosis_date": "2024-02-01"},
        old,
        today=today,
    )
    signed = today.replace(month=1, day=1) if today.month > 1 else today
    cid = st.sign("张老汉", signed.isoformat(), sign=signed.isoformat())
    dialog = CloseDialog(ws, old)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.summary.text().startswith("将同时终止：签约 1 份、高血压患者管理、待办 ")
    assert "按“确定结案”即同时终止" in dialog.summary.text()
    lines = dialog.details.text().splitlines()
    assert lines[0].startswith(f"· 签约 {cid}（{signed.isoformat()} 至 ")
    assert lines[1].startswith("· 高血压患者管理（2024-03-01 登记），")
    assert any("高血压随访" in line for line in lines[2:])
    assert len(lines) <= 2 + SHOWN_DUE + 1
    # a date being typed: no list until it is a date
    type_date(qtbot, dialog, "2026-1")
    assert dialog.summary.text().startswith("将同时终止") or "填写日期后" in dialog.summary.text()
    dialog.date.clear()
    assert "填写日期后" in dialog.summary.text()
    assert not dialog.details.isVisible()
    type_date(qtbot, dialog, today.isoformat())
    dialog.status.setCurrentText("死亡")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    row = ws.store.query(
        "SELECT termination_date, termination_reason FROM e_contract WHERE id = ?", (cid,)
    )[0]
    assert row == {"termination_date": max(today, signed).isoformat(), "termination_reason": "5"}
    assert ws.residents.get(old)["status"] == "死亡"


def test_a_list_changed_since_it_was_shown_is_shown_again_not_saved(qtbot, ws, st):
    old = st.people["张老汉"]
    dialog = CloseDialog(ws, old)
    qtbot.addWidget(dialog)
    dialog.show()
    before = dialog.summary.text()
    assert "签约" not in before
    today = dt.date.today()
    signed = today.replace(month=1, day=1) if today.month > 1 else today
    st.sign("张老汉", signed.isoformat(), sign=signed.isoformat())  # meanwhile, elsewhere
    dialog.save()
    assert dialog.isVisible()
    assert ws.residents.get(old)["status"] == "在档"
    assert dialog.error.text() == "将同时终止的内容已更新，请核对后再按“确定结案”。"
    assert dialog.summary.text().startswith("将同时终止：签约 1 份")
    dialog.save()  # now confirmed
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert ws.residents.get(old)["status"] == "迁出"


def test_nothing_to_end_says_so(qtbot, ws, st):
    young = st.people["赵青年"]  # no contract, no register, no yearly check
    dialog = CloseDialog(ws, young)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.summary.text() == "没有在约的签约、在管的患者管理或待办需要同时终止。"
    assert not dialog.details.isVisible()
