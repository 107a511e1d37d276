"""Issue 13, part A.1: closing an archive (迁出 / 死亡 / 注销) ends, on the closing day and
in the same transaction, the resident's contracts in force (with the matching reason),
their open register entries and their due items on the worklist; a refused close
changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import make_station
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage import archive_close
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def st(ws):
    return make_station(ws)


def register(ws, rid, form="htn_register", day="2025-03-01"):
    return ws.services.save(
        form, {"register_date": day, "diagnosis_date": "2025-02-01"}, rid, today=TODAY
    ).change.record_id


def contract(ws, cid):
    return ws.store.query(
        "SELECT termination_date, termination_reason, termination_note FROM e_contract "
        "WHERE id = ?",
        (cid,),
    )[0]


def register_end(ws, record_id, table="f_htn_register"):
    return ws.store.query(
        f"SELECT closed_date, close_reason FROM {table} WHERE record_id = ?", (record_id,)
    )[0]


@pytest.mark.parametrize(
    ("status", "contract_reason", "register_reason"),
    [("死亡", "5", "1"), ("迁出", "1", "2"), ("注销", "9", "9")],
)
def test_close_ends_contracts_and_registers_with_the_matching_reason(
    ws, st, status, contract_reason, register_reason
):
    old = st.people["张老汉"]
    htn = register(ws, old)
    dm = register(ws, old, "dm_register", "2025-06-01")
    lapsed = st.sign("张老汉", "2024-01-01")  # ended 2024-12-31: not touched
    current = st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))
    ws.residents.close(old, status, D(2026, 9, 15), "测试")
    assert contract(ws, current) == {
        "termination_date": "2026-09-15",
        "termination_reason": contract_reason,
        "termination_note": f"档案结案：{status}",
    }
    assert contract(ws, lapsed)["termination_date"] is None
    assert register_end(ws, htn) == {"closed_date": "2026-09-15", "close_reason": register_reason}
    assert register_end(ws, dm, "f_dm_register") == {
        "closed_date": "2026-09-15",
        "close_reason": register_reason,
    }
    # audited, each naming the close
    reasons = [
        r[0]
        for r in ws.store.conn.execute(
            "SELECT reason FROM audit_log WHERE table_name IN ('e_contract', 'f_htn_register') "
            "AND action = 'update'"
        )
    ]
    assert reasons == [f"档案结案：{status}"] * 2


def test_a_contract_starting_after_the_close_ends_on_its_first_day(ws, st):
    cid = st.sign("张老汉", "2026-10-01", sign="2026-09-01")
    ws.residents.close(st.people["张老汉"], "迁出", D(2026, 9, 15))
    assert contract(ws, cid)["termination_date"] == "2026-10-01"  # never in force


def test_the_contract_ended_counts_no_more_in_force(ws, st):
    from ygt_desktop.storage.contract_lists import list_contracts

    cid = st.sign("张老汉", "2026-01-01")
    ws.residents.close(st.people["张老汉"], "死亡", D(2026, 9, 15))
    row = next(r for r in list_contracts(ws.store, TODAY) if r.id == cid)
    assert row.status == "已解约"


def test_a_refused_close_changes_nothing(ws, st):
    old = st.people["张老汉"]
    htn = register(ws, old)
    cid = st.sign("张老汉", "2026-01-01")
    audit_rows = ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationFailed):
        ws.residents.close(old, "死亡", TODAY + dt.timedelta(days=400))  # in the future
    assert contract(ws, cid)["termination_date"] is None
    assert register_end(ws, htn)["closed_date"] is None
    assert ws.residents.get(old)["status"] == "在档"
    assert ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows


def test_a_failure_while_ending_rolls_the_whole_close_back(ws, st, monkeypatch):
    old = st.people["张老汉"]
    cid = st.sign("张老汉", "2026-01-01")

    def broken(*args, **kwargs):
        raise StoreError("写入失败")

    monkeypatch.setattr(archive_close, "end_with_archive", broken)
    with pytest.raises(StoreError):
        ws.residents.close(old, "死亡", D(2026, 9, 15))
    assert ws.residents.get(old)["status"] == "在档"
    assert contract(ws, cid)["termination_date"] is None


def test_preview_lists_what_will_end(ws, st):
    old = st.people["张老汉"]
    register(ws, old)
    st.sign("张老汉", "2026-01-01")
    st.sign("张老汉", "2026-02-01", packages=("老年人服务包",))
    found = archive_close.preview(ws.store.conn, ws.forms, ws.worklist, old, TODAY)
    assert len(found.contracts) == 2
    assert [e.kind for e in found.registers] == ["htn"]
    labels = [d.label for d in found.due]
    assert "高血压随访（2026年第4季度）" in labels
    assert "健康体检（2026年）" in labels
    assert all(d.done is None for d in found.due)
    assert found.summary() == f"将同时终止：签约 2 份、高血压患者管理、待办 {len(found.due)} 项"
    # nothing was written
    assert ws.residents.get(old)["status"] == "在档"
    nobody = st.people["赵青年"]
    assert (
        archive_close.preview(ws.store.conn, ws.forms, ws.worklist, nobody, TODAY).summary()
        == "没有在约的签约、在管的患者管理或待办需要同时终止。"
    )


def test_closed_archives_items_end_on_the_worklist(ws, st):
    """Before issue 13 a closed archive's missed follow-up stayed 逾期 on the 到期 view for
    a quarter: the kept rows now say 结案, and the kept list equals a recomputation."""
    old = st.people["张老汉"]
    register(ws, old)
    ws.residents.close(old, "死亡", D(2026, 11, 10))
    on = TODAY
    for view in ("到期", "全部", "本年未做"):
        kept = ws.worklist.items(D(2026, 11, 1), D(2026, 11, 30), on, view=view)
        again = ws.worklist.recompute_items(D(2026, 11, 1), D(2026, 11, 30), on, view=view)
        assert [(i.due, i.status) for i in kept] == [(i.due, i.status) for i in again]
        mine = [i for i in kept if i.resident["id"] == old]
        assert all(i.status == sch.CLOSED for i in mine), view
    due_now = ws.worklist.items(
        D(2026, 11, 1), D(2026, 11, 30), on, view="到期", statuses=[sch.DUE, sch.OVERDUE]
    )
    assert [i for i in due_now if i.resident["id"] == old] == []
    # the third quarter (missed before the close) is not overdue any more either
    q3 = ws.worklist.items(D(2026, 7, 1), D(2026, 9, 30), on)
    assert [(i.due.label, i.status) for i in q3 if i.due.programme == "htn"] == [
        ("高血压随访（2026年第3季度）", sch.CLOSED)
    ]


def test_reopening_a_close_made_by_mistake_restores_what_it_ended(ws, st):
    old = st.people["张老汉"]
    htn = register(ws, old)
    by_close = st.sign("张老汉", "2026-01-01")
    by_hand = st.sign("张老汉", "2025-06-01", packages=("老年人服务包",))
    st.contracts.terminate(by_hand, "2025-12-01", "4")  # 主动解约, before: stays so
    ws.residents.close(old, "死亡", D(2026, 9, 15))
    ws.residents.reopen(old, "误操作")
    assert ws.residents.get(old)["status"] == "在档"
    assert contract(ws, by_close)["termination_date"] is None
    assert contract(ws, by_hand)["termination_reason"] == "4"
    assert register_end(ws, htn) == {"closed_date": None, "close_reason": None}
    last = ws.store.query(
        "SELECT reason FROM audit_log WHERE table_name = 'e_contract' AND record_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (by_close,),
    )[0]
    assert last["reason"] == "恢复在档：撤销档案结案：死亡"
    from ygt_desktop.storage import audit_check

    assert audit_check.verify(ws.store.conn) == []
