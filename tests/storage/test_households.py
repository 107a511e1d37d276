"""家庭档案 storage (issue 13, households): add, move, a head who leaves, one household
per resident, refused writes change nothing, every write audited."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from tests.household_helpers import family, person, repo
from ygt_desktop.storage import audit_check
from ygt_desktop.storage.residents import ValidationFailed


def snapshot(conn: sqlite3.Connection) -> tuple[object, ...]:
    return tuple(
        conn.execute(
            f"SELECT count(*), group_concat(x) FROM (SELECT {cols} AS x FROM {t})"
        ).fetchone()
        for t, cols in (
            ("e_household", "id || household_no || coalesce(address, '')"),
            ("e_household__members", "record_id || '-' || line || '-' || resident_id || relation"),
            ("audit_log", "id"),
        )
    )


def test_add_numbers_defaults_address_and_audits(ws):
    households, hid, ids = family(ws)
    h = households.get(hid)
    assert h.household_no == "101-00001"
    assert h.address == "小坝村王建国家"  # the head's 现住址
    assert h.head is not None and h.head.name == "王建国"
    assert h.size == 3
    assert [m.name for m in h.ordered()] == ["王建国", "李秀英", "王海"]
    assert households.household_of(ids["王海"]) == hid
    rows = households.history(hid)
    assert rows[-1]["action"] == "insert" and len(rows[-1]["new"]["members"]) == 3
    second = person(ws, "赵六", "1970-01-01")
    other = households.save(
        {"village_code": "101", "members": [{"resident_id": second, "relation": "02"}]}
    )
    assert households.get(other.record_id).household_no == "101-00002"


def test_a_resident_is_in_one_household_only(ws):
    households, hid, ids = family(ws)
    before = snapshot(ws.store.conn)
    with pytest.raises(ValidationFailed) as exc:
        households.save(
            {"village_code": "101", "members": [{"resident_id": ids["王海"], "relation": "02"}]}
        )
    assert "已是户编号 101-00001 的成员" in exc.value.errors["members"]
    assert "第1行" in exc.value.errors["members"]
    assert snapshot(ws.store.conn) == before
    # the database refuses it too, whatever the code above does
    with pytest.raises(sqlite3.IntegrityError):
        ws.store.conn.execute(
            "INSERT INTO e_household__members (record_id, line, resident_id, relation) "
            "VALUES (?, 9, ?, '20')",
            (hid, ids["王海"]),
        )


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([("王建国", "12"), ("李秀英", "20")], "没有户主"),
        ([("王建国", "02"), ("李秀英", "02")], "只能有一位户主"),
        ([("王建国", "02"), ("王建国", "20")], "重复"),
        ([("王建国", "02"), ("李秀英", "xx")], "与户主关系"),
    ],
)
def test_bad_member_lists_are_refused_naming_the_line(ws, members, expected):
    ids = {
        "王建国": person(ws, "王建国", "1960-03-01"),
        "李秀英": person(ws, "李秀英", "1962-05-02", sex="2"),
    }
    before = snapshot(ws.store.conn)
    with pytest.raises(ValidationFailed) as exc:
        repo(ws).save(
            {
                "village_code": "101",
                "members": [{"resident_id": ids[n], "relation": r} for n, r in members],
            }
        )
    assert expected in exc.value.errors["members"]
    assert snapshot(ws.store.conn) == before


def test_move_is_one_transaction_with_an_audit_row_per_household(ws):
    households, hid, ids = family(ws)
    bride = person(ws, "张丽", "1990-01-01", sex="2")
    new = households.found(bride, {})
    new_id = new[0].record_id
    audit_rows = ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    changes = households.move(ids["王海"], new_id, "11")
    assert {c.record_id for c in changes} == {hid, new_id}
    assert households.household_of(ids["王海"]) == new_id
    assert [m.name for m in households.get(hid).members] == ["王建国", "李秀英"]
    assert [(m.name, m.relation) for m in households.get(new_id).members] == [
        ("张丽", "02"),
        ("王海", "11"),
    ]
    assert ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_rows + 2
    assert households.history(hid)[-1]["reason"] == "迁出"
    assert households.history(new_id)[-1]["reason"] == "迁入"
    assert audit_check.verify(ws.store.conn) == []  # the digests cover the member lines


def test_a_head_who_leaves_needs_a_new_head_first(ws):
    households, hid, ids = family(ws)
    alone = households.found(person(ws, "孙七", "1950-01-01"), {})[0].record_id
    before = snapshot(ws.store.conn)
    with pytest.raises(ValidationFailed) as exc:
        households.move(ids["王建国"], alone, "70")
    assert "户主" in exc.value.errors["new_head"] and "李秀英" in exc.value.errors["new_head"]
    assert snapshot(ws.store.conn) == before
    households.move(ids["王建国"], alone, "70", new_head=ids["李秀英"])
    assert households.get(hid).head is not None
    assert households.get(hid).head.name == "李秀英"  # type: ignore[union-attr]


def test_founding_a_household_takes_the_head_out_of_the_old_one(ws):
    households, hid, ids = family(ws)
    changes = households.found(ids["王海"], {"structure": "1", "note": "分户"})
    assert len(changes) == 2
    h = households.get(changes[0].record_id)
    assert h.head is not None and h.head.resident_id == ids["王海"]
    assert h.village_code == "101" and h.structure == "1"
    assert households.get(hid).size == 2


def test_closed_archives_stay_as_former_members_and_a_dead_head_must_be_replaced(ws):
    households, hid, ids = family(ws)
    ws.residents.close(ids["王建国"], "死亡", dt.date.today())
    h = households.get(hid)
    assert h.size == 2
    former = [m for m in h.members if not m.current]
    assert [m.name for m in former] == ["王建国"] and former[0].status == "死亡"
    lines = [{"resident_id": m.resident_id, "relation": m.relation} for m in h.members]
    with pytest.raises(ValidationFailed) as exc:
        households.save({"note": "改备注", "members": lines}, hid)
    assert f"户主王建国已死亡 {dt.date.today()}，请先指定新户主" in exc.value.errors["members"]
    lines[0]["relation"] = "11"  # the late husband of the new head
    lines[1]["relation"] = "02"
    lines[2]["relation"] = "20"
    households.save({"members": lines}, hid)
    assert households.get(hid).head.name == "李秀英"  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed) as moved:
        households.move(ids["王建国"], hid, "20")
    assert "已死亡" in moved.value.errors["resident"]


def test_delete_only_an_empty_household_and_find_by_number_or_member(ws):
    households, hid, ids = family(ws)
    with pytest.raises(ValidationFailed):
        households.delete(hid, "重复建户")
    found = households.find("wh")  # 王海 by pinyin initials
    assert [s.id for s in found] == [hid] and found[0].head_name == "王建国" and found[0].size == 3
    assert [s.id for s in households.find("101-0000")] == [hid]
    assert households.find("不存在的人") == []
    assert households.by_number("101-00001") == hid
    other = households.found(person(ws, "周八", "1980-01-01"), {})[0].record_id
    households.move(ids["王海"], other, "73")
    households.move(ids["李秀英"], other, "75")
    households.move(ids["王建国"], other, "51")
    households.delete(hid, "并入他户")
    assert households.by_number("101-00001") is None


def test_closing_a_heads_archive_says_the_household_needs_a_new_head(ws):
    from ygt_desktop.storage import archive_close

    households, hid, ids = family(ws)
    day = dt.date(2026, 11, 23)

    def notes(rid: int) -> list[str]:
        return archive_close.preview(ws.store.conn, ws.forms, ws.worklist, rid, day).notes

    (note,) = notes(ids["王建国"])
    assert "户编号 101-00001 的户主" in note and "2 名在档成员" in note
    assert notes(ids["王海"]) == []  # a member's close leaves the household as it is
    alone = person(ws, "赵六", "1970-01-01")
    households.save({"village_code": "101", "members": [{"resident_id": alone, "relation": "02"}]})
    assert notes(alone) == []  # nobody left to head


def test_delete_checks_the_members_in_its_own_transaction(ws):
    """A member added after the household was read (another window, ygt) still stops the
    delete: the check is inside the deleting transaction."""
    households, hid, ids = family(ws)
    empty = households.found(person(ws, "周八", "1980-01-01"), {})[0].record_id
    households.move(households.get(empty).members[0].resident_id, hid, "70")
    seen = households.get(empty)  # read while empty …
    assert not seen.members
    ws.store.conn.execute(  # … someone joins before the delete runs
        "INSERT INTO e_household__members (record_id, line, resident_id, relation) "
        "VALUES (?, 1, ?, '02')",
        (empty, person(ws, "吴九", "1970-01-01")),
    )
    real_get = households.get
    households.get = lambda _id: seen  # type: ignore[method-assign]
    try:
        with pytest.raises(ValidationFailed, match="还有 1 位成员"):
            households.delete(empty, "空户")
    finally:
        households.get = real_get  # type: ignore[method-assign]
    assert households.get(empty).members and ids
    with pytest.raises(ValidationFailed, match="请填写删除原因"):
        households.delete(hid, " ")


def _steps(ws, run) -> int:
    """SQLite virtual-machine steps (in hundreds) that ``run()`` takes."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    ws.store.conn.set_progress_handler(tick, 100)
    try:
        run()
    finally:
        ws.store.conn.set_progress_handler(None, 0)
    return steps[0]


def test_find_by_number_prefix_reads_only_the_households_it_lists(ws):
    """Typing 迁入其他家庭's first digit costs the same with 20 or 80 households of that
    prefix (the number side stops at ``limit``; only listed households get their head
    and size), and the first ``limit`` by number come back, members' matches among them."""
    households = repo(ws)
    for n in range(20):
        households.found(person(ws, f"孙{n}", "1950-01-01"), {})
    few = _steps(ws, lambda: households.find("1", limit=5))
    for n in range(60):
        households.found(person(ws, f"钱{n}", "1950-01-01"), {})
    many = _steps(ws, lambda: households.find("1", limit=5))
    assert many <= few * 1.2 + 2, (few, many)
    assert [s.household_no for s in households.find("1", limit=3)] == [
        "101-00001", "101-00002", "101-00003"]  # fmt: skip
    in_102 = households.found(person(ws, "李四", "1950-01-01", village="102"), {})[0].record_id
    assert [s.id for s in households.find("1", limit=5, village="102")] == [in_102]
    found = households.find("ls", limit=200)  # 李四 by initials, whatever the numbers
    assert [s.id for s in found] == [in_102]
