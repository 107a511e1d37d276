"""Equipment register (contracts-equipment.md 设备; issue 4): assets, status history,
maintenance, the standard checklist and the report figures.

Requirements held here: duplicate asset numbers refused; a status change dated before
the purchase refused; negative or non-numeric price/cost refused — each with a Chinese
message at the field and nothing written; the status on any date from the history;
items of the standard list missing; counts by category and status and total value.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core.equipment_checklist import ChecklistError, parse_checklist, read_checklist
from ygt_desktop.paths import resources_dir
from ygt_desktop.storage.equipment import IN_USE, REPAIR, SCRAPPED, Equipment
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date


@pytest.fixture
def eq(ws) -> Equipment:
    return Equipment(ws.store, ws.forms)


def add(
    eq: Equipment,
    no: str,
    name: str = "听诊器",
    category: str = "1",
    purchased: str = "2023-03-01",
    price: str | None = "120",
    **more,
) -> int:
    return eq.assets.save(
        {
            "asset_no": no,
            "name": name,
            "category": category,
            "purchase_date": purchased,
            "price": price,
            **more,
        }
    ).record_id


def counts(ws) -> tuple[int, int, int]:
    q = ws.store.conn.execute
    return tuple(
        q(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("e_equipment", "e_equipment_status", "e_equipment_maintenance")
    )


def test_register_keeps_the_fields_and_lists_by_asset_number(eq):
    second = add(
        eq,
        "SB-002",
        "电子血压计",
        model="HEM-7136",
        serial_no="2023A117",
        manufacturer="欧姆龙",
        funding_source="1",
        location="诊室",
        responsible="李医生",
    )
    add(eq, "SB-001", "诊察床", price="860.50")
    assets = eq.register()
    assert [a["asset_no"] for a in assets] == ["SB-001", "SB-002"]
    bp = eq.get(second)
    assert (bp["model"], bp["manufacturer"], bp["location"], bp.category_label) == (
        "HEM-7136",
        "欧姆龙",
        "诊室",
        "诊断",
    )
    assert bp.status_label == "在用" and bp.status_date == D(2023, 3, 1)
    assert assets[0].price == 860.5
    assert eq.register(D(2023, 2, 28)) == []  # not purchased yet


def test_duplicate_asset_number_is_refused_at_the_field(eq, ws):
    add(eq, "SB-001")
    before = counts(ws)
    with pytest.raises(ValidationFailed) as err:
        add(eq, "SB-001", "血压计")
    assert err.value.errors == {"asset_no": "资产编号“SB-001”已被另一条记录使用"}
    assert counts(ws) == before


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-1", "价格（原值）应在 0–10000000元 之间"),
        ("一百", "价格（原值）应为数字"),
        ("12a", "价格（原值）应为数字"),
    ],
)
def test_negative_or_non_numeric_price_is_refused(eq, ws, price, message):
    with pytest.raises(ValidationFailed) as err:
        add(eq, "SB-001", price=price)
    assert err.value.errors == {"price": message}
    assert counts(ws) == (0, 0, 0)


def test_future_purchase_date_is_refused(eq):
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationFailed) as err:
        add(eq, "SB-001", purchased=future)
    assert "购置日期不能晚于今天" in err.value.errors["purchase_date"]


def test_status_history_gives_the_status_on_any_date(eq):
    rid = add(eq, "SB-001", purchased="2022-05-10")
    eq.change_status(rid, REPAIR, D(2024, 3, 1), "袖带漏气")
    eq.change_status(rid, IN_USE, D(2024, 3, 20))
    eq.change_status(rid, SCRAPPED, D(2025, 6, 30), "院长批准报废")
    assert eq.status_on(rid, D(2022, 5, 9)) is None
    assert eq.status_on(rid, D(2022, 5, 10)) == IN_USE
    assert eq.status_on(rid, D(2024, 3, 1)) == REPAIR
    assert eq.status_on(rid, D(2024, 3, 19)) == REPAIR
    assert eq.status_on(rid, D(2024, 12, 31)) == IN_USE
    assert eq.status_on(rid, D(2025, 7, 1)) == SCRAPPED
    assert [(h["status"], h["status_date"]) for h in eq.status_history(rid)] == [
        (REPAIR, D(2024, 3, 1)),
        (IN_USE, D(2024, 3, 20)),
        (SCRAPPED, D(2025, 6, 30)),
    ]
    latest = eq.get(rid)
    assert (latest.status_label, latest.status_date) == ("报废", D(2025, 6, 30))
    # a wrong change is undone by deleting it; the status falls back
    eq.statuses.delete(eq.status_history(rid)[-1]["id"], "录错了")
    assert eq.get(rid).status == IN_USE


def test_status_change_before_purchase_is_refused_and_nothing_written(eq, ws):
    rid = add(eq, "SB-001", purchased="2024-05-10")
    before = counts(ws)
    with pytest.raises(ValidationFailed) as err:
        eq.change_status(rid, REPAIR, D(2024, 5, 9))
    assert err.value.errors == {"status_date": "状态变更日期不能早于购置日期（2024-05-10）"}
    assert counts(ws) == before


def test_status_change_must_change_something(eq):
    rid = add(eq, "SB-001")
    with pytest.raises(ValidationFailed) as err:
        eq.change_status(rid, IN_USE, D(2024, 1, 1))
    assert err.value.errors == {"status": "该设备在 2024-01-01 之前已是“在用”状态"}
    eq.change_status(rid, REPAIR, D(2024, 1, 1))
    with pytest.raises(ValidationFailed) as err:
        eq.change_status(rid, SCRAPPED, D(2024, 1, 1))
    assert "已有一条状态变更" in err.value.errors["status_date"]


def test_purchase_date_cannot_move_after_the_history(eq):
    rid = add(eq, "SB-001", purchased="2023-01-01")
    eq.change_status(rid, REPAIR, D(2023, 6, 1))
    with pytest.raises(ValidationFailed) as err:
        eq.assets.save({"purchase_date": "2023-07-01"}, rid)
    assert "（2023-06-01）" in err.value.errors["purchase_date"]


def test_maintenance_log_with_cost_checks(eq, ws):
    rid = add(eq, "SB-001", purchased="2023-01-01")
    eq.maintenance.save(
        {
            "asset_id": str(rid),
            "maint_date": "2024-04-02",
            "kind": "2",
            "content": "更换袖带",
            "cost": "35.5",
            "result": "1",
        }
    )
    eq.maintenance.save(
        {
            "asset_id": str(rid),
            "maint_date": "2023-12-01",
            "kind": "3",
            "cost": "0",
            "result": "1",
            "done_by": "县计量所",
        }
    )
    log = eq.maintenance_log(rid)
    assert [(m["maint_date"], m["cost"]) for m in log] == [
        (D(2023, 12, 1), 0.0),
        (D(2024, 4, 2), 35.5),
    ]
    before = counts(ws)
    for cost, message in (("-5", "费用应在 0–1000000元 之间"), ("五十", "费用应为数字")):
        with pytest.raises(ValidationFailed) as err:
            eq.maintenance.save(
                {
                    "asset_id": str(rid),
                    "maint_date": "2024-05-01",
                    "kind": "1",
                    "cost": cost,
                    "result": "1",
                }
            )
        assert err.value.errors == {"cost": message}
    with pytest.raises(ValidationFailed) as err:
        eq.maintenance.save(
            {"asset_id": str(rid), "maint_date": "2022-12-31", "kind": "1", "result": "1"}
        )
    assert err.value.errors == {"maint_date": "维修保养日期不能早于购置日期（2023-01-01）"}
    assert counts(ws) == before


def test_bundled_checklist_reads_and_names_its_source():
    checklist = read_checklist(resources_dir() / "checklists" / "village_clinic_equipment.toml")
    names = {i.name for i in checklist.items}
    for expected in ("诊察床", "听诊器", "血糖仪", "简易呼吸器", "火罐", "刮痧板", "计算机"):
        assert any(n.startswith(expected) for n in names), expected
    assert "可由卫生健康局替换" in checklist.source
    assert len({i.code for i in checklist.items}) == len(checklist.items)


@pytest.mark.parametrize(
    ("items", "words"),
    [
        ([{"code": "A", "name": "x", "category": "厨房"}], "category"),
        ([{"code": "A", "name": "x", "category": "诊断", "quantity": 0}], "quantity"),
        (
            [
                {"code": "A", "name": "x", "category": "诊断"},
                {"code": "A", "name": "y", "category": "诊断"},
            ],
            "重复",
        ),
        ([], "没有任何"),
    ],
)
def test_bad_checklist_names_the_item(items, words):
    with pytest.raises(ChecklistError) as err:
        parse_checklist({"checklist": {"title": "t"}, "items": items}, "bureau.toml")
    assert "bureau.toml" in str(err.value) and words in str(err.value)


def small_list(*items: tuple[str, str, int, str]):
    return parse_checklist(
        {
            "checklist": {"title": "测试清单", "source": "测试"},
            "items": [
                {"code": c, "name": n, "category": "诊断", "quantity": q, "level": lv}
                for c, n, q, lv in items
            ],
        }
    )


def item_id(eq: Equipment, code: str) -> str:
    return str(next(r["id"] for r in eq.checklist.rows() if r["code"] == code))


def test_checklist_missing_items_match_by_the_chosen_item_not_by_name(eq):
    eq.load_checklist(
        small_list(
            ("A1", "听诊器", 1, "必配"), ("A2", "血压计", 2, "必配"), ("A3", "心电图机", 1, "选配")
        ),
        D(2024, 1, 1),
    )
    add(eq, "SB-001", "听诊器")  # same name, but no item chosen: does not count
    add(eq, "SB-002", "台式血压计", checklist_item=item_id(eq, "A2"))
    scope = add(eq, "SB-003", "双耳听诊器", checklist_item=item_id(eq, "A1"))
    rows = {r.code: r for r in eq.checklist_status(D(2024, 6, 1))}
    assert (rows["A1"].have, rows["A1"].missing) == (1, 0)
    assert (rows["A2"].have, rows["A2"].missing) == (1, 1)
    assert [r.name for r in eq.missing_items(D(2024, 6, 1))] == ["血压计"]  # 选配 not missing
    eq.change_status(scope, SCRAPPED, D(2024, 7, 1))
    assert [r.name for r in eq.missing_items(D(2024, 7, 1))] == ["听诊器", "血压计"]
    assert [r.name for r in eq.missing_items(D(2024, 6, 30))] == ["血压计"]


def test_reloading_a_checklist_keeps_assets_pointing_at_their_item(eq):
    eq.load_checklist(
        small_list(("A1", "听诊器", 1, "必配"), ("A2", "血压计", 1, "必配")), D(2024, 1, 1)
    )
    before = item_id(eq, "A1")
    add(eq, "SB-001", checklist_item=before)
    load = eq.load_checklist(
        small_list(("A1", "听诊器（双耳）", 1, "必配"), ("A3", "血糖仪", 1, "必配")), D(2024, 2, 1)
    )
    assert (load.added, load.updated, load.removed) == (1, 1, 1)
    assert item_id(eq, "A1") == before
    assert [r.code for r in eq.checklist_status(D(2024, 3, 1))] == ["A1", "A3"]
    assert eq.checklist_info()["title"] == "测试清单"
    again = eq.load_checklist(
        small_list(("A1", "听诊器（双耳）", 1, "必配"), ("A3", "血糖仪", 1, "必配")), D(2024, 2, 2)
    )
    assert (again.added, again.updated, again.removed) == (0, 0, 0)


def test_asset_pointing_at_a_removed_item_is_refused(eq):
    eq.load_checklist(small_list(("A1", "听诊器", 1, "必配")), D(2024, 1, 1))
    gone = item_id(eq, "A1")
    eq.load_checklist(small_list(("A2", "血压计", 1, "必配")), D(2024, 1, 2))
    with pytest.raises(ValidationFailed) as err:
        add(eq, "SB-001", checklist_item=gone)
    assert "已不在清单中" in err.value.errors["checklist_item"]


def test_summary_counts_by_category_and_status_and_values(eq):
    eq.load_checklist(
        small_list(("A1", "听诊器", 1, "必配"), ("A2", "血糖仪", 1, "必配")), D(2024, 1, 1)
    )
    add(eq, "SB-001", "听诊器", "1", price="120", checklist_item=item_id(eq, "A1"))
    ecg = add(eq, "SB-002", "心电图机", "1", price="8600")
    pc = add(eq, "SB-003", "计算机", "6", price="4200.5")
    old = add(eq, "SB-004", "旧血糖仪", "3", price="300", checklist_item=item_id(eq, "A2"))
    add(eq, "SB-005", "火罐", "5", price=None)
    add(eq, "SB-006", "新购设备", "7", purchased="2025-01-05", price="999")
    eq.change_status(ecg, REPAIR, D(2024, 10, 1))
    eq.change_status(pc, "3", D(2024, 11, 1))
    eq.change_status(old, SCRAPPED, D(2024, 12, 1))
    s = eq.summary(D(2024, 12, 31))
    assert s.by_status == {"在用": 2, "维修": 1, "停用": 1, "报废": 1}
    assert s.by_category == {
        "诊断": 2,
        "治疗": 0,
        "检验": 0,
        "急救": 0,
        "中医": 1,
        "信息化": 1,
        "其他": 0,
    }
    assert s.by_category_status["检验"] == {"在用": 0, "维修": 0, "停用": 0, "报废": 1}
    assert (s.total, s.total_value) == (4, 12920.5)
    assert (s.in_use, s.in_use_value) == (2, 120.0)
    assert s.value_by_category["诊断"] == 8720.0
    assert s.missing_items == ("血糖仪",)
    earlier = eq.summary(D(2024, 9, 30))
    assert (earlier.in_use, earlier.in_use_value) == (5, 13220.5)
    assert earlier.missing_items == ()
