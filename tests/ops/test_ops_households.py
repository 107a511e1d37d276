"""家庭档案 operations (issue 13, households): the view the window and ``ygt`` show,
a bureau refused, deleting a household needs ``record.delete`` and a refusal is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.bureau_helpers import make_bureau
from tests.household_helpers import family, person
from ygt_desktop.core import roles
from ygt_desktop.ops import households as ops
from ygt_desktop.ops.base import Actor, OpError, PermissionRefused, Run
from ygt_desktop.storage.residents import ValidationFailed


def test_view_orders_head_current_former_with_words(ws):
    _households, hid, ids = family(ws)
    ws.residents.close(ids["李秀英"], "迁出", dt.date.today())
    v = ops.view(Run.plain(ws), hid, today=dt.date(2026, 6, 1))
    assert (v.household_no, v.village, v.head, v.size) == ("101-00001", "小坝村委会", "王建国", 2)
    assert [(m.name, m.relation, m.age) for m in v.members] == [
        ("王建国", "户主", "66岁"),
        ("王海", "子", "37岁"),
        ("李秀英", "妻", "64岁"),
    ]
    assert v.members[2].status == f"原成员（已迁出 {dt.date.today()}）" and not v.members[2].current
    found = ops.of_resident(Run.plain(ws), ids["李秀英"])  # former members find it too
    assert found is not None and found.id == hid and found.members[2].name == "李秀英"
    assert ops.of_resident(Run.plain(ws), person(ws, "周八", "1980-01-01")) is None


def test_relation_choices_leave_the_head_out_unless_asked(ws):
    run = Run.plain(ws)
    codes = [c for c, _ in ops.relation_choices(run)]
    assert "02" not in codes and "12" in codes and "99" in codes
    assert ops.relation_choices(run, head=True)[0] == ("02", "户主")


def test_a_bureau_has_no_households(tmp_path, forms):
    bureau = make_bureau(tmp_path / "bureau.db", forms)
    try:
        with pytest.raises(OpError, match="区县卫生健康局的数据库没有家庭档案"):
            ops.find(Run.plain(bureau))
    finally:
        bureau.close(backup_on_exit=False)


def test_deleting_needs_record_delete_and_a_refusal_is_audited(ws):
    households, hid, ids = family(ws)
    empty = households.found(person(ws, "周八", "1980-01-01"), {})[0].record_id
    households.move(households.get(empty).members[0].resident_id, hid, "70")
    head = Actor.of(ws)
    clerk = Run.plain(ws, Actor("王小丽", roles.ENTRY))
    with pytest.raises(PermissionRefused):
        ops.delete(clerk, empty, "重复")
    last = ws.store.conn.execute(
        "SELECT user, action FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert tuple(last) == ("王小丽", "refused")
    ops.delete(Run.plain(ws, head), empty, "重复建户")
    with pytest.raises(OpError, match="没有户编号"):
        ops.by_number(Run.plain(ws), households.get(hid).household_no[:3] + "-09999")
    assert ids  # the family stays


def test_a_former_member_is_worded_alike_in_the_list_and_in_a_refusal(ws):
    """One wording (core.households.former_reason): the 家庭 list's 状态 and the
    refusal to move a closed archive say the same ``已迁出 <date>``."""
    households, hid, ids = family(ws)
    ws.residents.close(ids["王海"], "迁出", dt.date.today())
    shown = next(m for m in ops.view(Run.plain(ws), hid).members if m.name == "王海").status
    assert shown == f"原成员（已迁出 {dt.date.today()}）"
    other = households.found(person(ws, "周八", "1980-01-01"), {})[0].record_id
    with pytest.raises(ValidationFailed) as refused:
        ops.move(Run.plain(ws), ids["王海"], other, "20")
    assert f"王海已迁出 {dt.date.today()}，" in refused.value.errors["resident"]


def test_a_household_left_empty_is_found_empty_and_deleted_with_the_default_reason(ws):
    households, hid, ids = family(ws)
    run = Run.plain(ws, Actor.of(ws))
    empty = households.found(person(ws, "周八", "1980-01-01"), {})[0].record_id
    assert not ops.is_empty(run, empty) and not ops.is_empty(run, hid)
    ops.move(run, households.get(empty).members[0].resident_id, hid, "70")
    assert ops.is_empty(run, empty)
    ops.delete(run, empty)
    reason = ws.store.conn.execute(
        "SELECT reason FROM audit_log WHERE table_name = 'e_household' AND action = 'delete'"
    ).fetchone()[0]
    assert reason == ops.EMPTY_REASON and ids
