"""Yearly equipment stocktake (盘点: found / missing / status changed; issue 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.storage.equipment import REPAIR, SCRAPPED, Equipment
from ygt_desktop.storage.equipment_stocktake import CHANGED, FOUND, MISSING, Stocktakes
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date


@pytest.fixture
def eq(ws) -> Equipment:
    return Equipment(ws.store, ws.forms)


@pytest.fixture
def st(ws, eq) -> Stocktakes:
    return Stocktakes(eq, ws.forms)


def add(eq: Equipment, no: str, purchased: str = "2023-03-01") -> int:
    return eq.assets.save(
        {
            "asset_no": no,
            "name": f"设备{no}",
            "category": "1",
            "purchase_date": purchased,
            "price": "100",
        }
    ).record_id


def start(st: Stocktakes, year: int = 2024, day: str = "2024-12-20") -> int:
    return st.start(
        {"year": year, "stocktake_date": day, "checker": "王护士", "supervisor": "李站长"}
    ).record_id


def test_stocktake_covers_the_register_on_its_date(eq, st):
    a = add(eq, "A1")
    add(eq, "A2", purchased="2025-01-10")  # bought after the stocktake date
    scrapped = add(eq, "A3")
    eq.change_status(scrapped, SCRAPPED, D(2024, 6, 1))
    repaired = add(eq, "A4")
    eq.change_status(repaired, REPAIR, D(2024, 11, 1))
    sid = start(st)
    result = st.result(sid)
    assert [i.asset["asset_no"] for i in result.items] == ["A1", "A4"]
    assert [i.asset.status_label for i in result.items] == ["在用", "维修"]  # book status
    assert result.counts == {"找到": 0, "缺失": 0, "状态变化": 0, "未盘": 2}
    assert not result.finished and a


def test_marking_counting_and_finishing(eq, st, ws):
    ids = [add(eq, f"A{n}") for n in range(1, 5)]
    sid = start(st)
    st.mark(sid, ids[0], FOUND)
    st.mark(sid, ids[1], MISSING, note="可能借给邻村")
    with pytest.raises(ValidationFailed) as err:  # 状态变化 needs the status found
        st.mark(sid, ids[2], CHANGED)
    assert err.value.errors == {"observed_status": "请填写实际状态"}
    st.mark(sid, ids[2], CHANGED, REPAIR, "屏幕不亮")
    with pytest.raises(ValidationFailed) as err:
        st.finish(sid, D(2024, 12, 21))
    assert err.value.errors == {"finished_date": "还有 1 台设备未盘点，请先逐台标记结果"}
    st.mark(sid, ids[3], MISSING)
    st.mark(sid, ids[3], FOUND, note="在库房找到")  # changed mind: one line per asset
    assert (
        ws.store.conn.execute("SELECT count(*) FROM e_equipment_stocktake_line").fetchone()[0] == 4
    )
    st.finish(sid, D(2024, 12, 21))
    result = st.result(sid)
    assert result.finished
    assert result.counts == {"找到": 2, "缺失": 1, "状态变化": 1, "未盘": 0}
    changed = result.items[2]
    assert (changed.result_label, changed.observed_label, changed.note) == (
        "状态变化",
        "维修",
        "屏幕不亮",
    )


def test_finished_stocktake_is_frozen(eq, st):
    a = add(eq, "A1")
    sid = start(st)
    st.mark(sid, a, FOUND)
    st.finish(sid, D(2024, 12, 22))
    with pytest.raises(ValidationFailed) as err:
        st.mark(sid, a, MISSING)
    assert err.value.errors == {"result": "本次盘点已于 2024-12-22 结束，结果不能再修改"}
    late = add(eq, "A0", purchased="2024-01-01")  # entered afterwards, dated before
    eq.assets.delete(a, "已调拨")
    result = st.result(sid)
    assert [i.asset["asset_no"] for i in result.items] == ["A1"]  # the lines, as finished
    assert late


def test_one_stocktake_a_year_and_sensible_dates(eq, st):
    start(st)
    with pytest.raises(ValidationFailed) as err:
        start(st, 2024, "2024-12-28")
    assert "盘点年度" in err.value.errors["year"]
    with pytest.raises(ValidationFailed) as err:
        start(st, 2023, "2025-01-05")
    assert err.value.errors == {"stocktake_date": "盘点日期应在 2023 年内或次年年初"}
    start(st, 2023, "2024-01-05")  # a year-end stocktake early the next year
    sid = start(st, 2022, "2022-12-30")
    with pytest.raises(ValidationFailed) as err:
        st.finish(sid, D(2022, 12, 1))
    assert err.value.errors == {"finished_date": "结束日期不能早于盘点日期"}
    assert [s["year"] for s in st.rows()] == [2024, 2023, 2022]


def test_assets_outside_the_stocktake_cannot_be_marked(eq, st):
    later = add(eq, "A9", purchased="2025-02-01")
    sid = start(st)
    with pytest.raises(ValidationFailed) as err:
        st.mark(sid, later, FOUND)
    assert "不在本次盘点范围内" in err.value.errors["asset_id"]
