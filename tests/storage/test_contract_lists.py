"""Lists of the 家医签约 page on given days: contracts expiring within 30/60 days and
key-population residents without a contract in force (issue 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import TODAY, make_station
from ygt_desktop.storage.contract_lists import expiring, list_contracts, uncovered
from ygt_desktop.storage.populations import key_populations_of, population_members


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def st(ws):
    st = make_station(ws)
    st.ids = {
        "old": st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包")),
        "dibao": st.sign("王大姐", "2025-12-01", sign="2025-11-20"),
        "young": st.sign("赵青年", "2025-12-15", team="龙泉", doctor="赵医生"),
    }
    return st


def names(rows):
    return [r.name for r in rows]


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        ("2026-11-23", 30, ["王大姐", "赵青年"]),  # ends 11-30 and 12-14
        ("2026-11-23", 60, ["王大姐", "赵青年", "张老汉"]),  # soonest first; 张 ends 12-31
        ("2026-12-01", 30, ["赵青年", "张老汉"]),  # 王 expired on 11-30
        ("2026-11-30", 0, ["王大姐"]),  # the last day counts
        ("2025-06-01", 60, []),
    ],
)
def test_expiring_within_days_as_of_a_day(ws, st, day, days, expected):
    assert names(expiring(ws.store, d(day), days)) == expected


def test_renewed_and_terminated_contracts_are_not_expiring(ws, st):
    st.contracts.renew(st.ids["dibao"], d("2026-11-20"))
    st.contracts.terminate(st.ids["young"], "2026-06-01", "2")
    assert names(expiring(ws.store, d("2026-11-23"), 60)) == ["张老汉"]
    assert [
        r.status
        for r in list_contracts(ws.store, d("2026-11-23"), resident_ids=[st.people["王大姐"]])
    ] == ["有效", "已续约"]


def test_expiring_filtered_by_village_and_team(ws, st):
    assert names(expiring(ws.store, TODAY, 60, village="102")) == ["王大姐"]
    assert names(expiring(ws.store, TODAY, 60, team=st.teams["龙泉"])) == ["赵青年"]
    assert names(expiring(ws.store, TODAY, 60, village="001", team=st.teams["小坝"])) == []


def test_uncovered_key_populations_with_counts(ws, st):
    rows, counts = uncovered(ws.store, ws.forms, TODAY)
    assert [(r.name, r.populations) for r in rows] == [("李小妹", ["child"])]
    assert counts["child"] == 1 and counts["elderly"] == 0 and sum(counts.values()) == 1
    # After the ends: 王大姐 (low income) on 12-01, 张老汉 (65+) on 2027-01-01.
    rows, counts = uncovered(ws.store, ws.forms, d("2027-01-01"))
    assert [(r.name, r.populations, r.last_end) for r in rows] == [
        ("张老汉", ["elderly"], d("2026-12-31")),
        ("李小妹", ["child"], None),
        ("王大姐", ["dibao"], d("2026-11-30")),
    ]
    assert (counts["elderly"], counts["child"], counts["dibao"]) == (1, 1, 1)
    rows, counts = uncovered(ws.store, ws.forms, d("2027-01-01"), village="102")
    assert names(rows) == ["王大姐"] and sum(counts.values()) == 1
    rows, _ = uncovered(ws.store, ws.forms, d("2027-01-01"), team=st.teams["龙泉"])
    assert rows == []
    rows, counts = uncovered(ws.store, ws.forms, d("2027-01-01"), population="elderly")
    assert names(rows) == ["张老汉"] and counts["child"] == 1  # counts stay for all


def test_a_terminated_contract_leaves_the_resident_uncovered_from_that_day(ws, st):
    st.contracts.terminate(st.ids["old"], "2026-10-01", "2")
    assert "张老汉" not in names(uncovered(ws.store, ws.forms, d("2026-09-30"))[0])
    assert "张老汉" in names(uncovered(ws.store, ws.forms, d("2026-10-01"))[0])


def test_closed_archives_are_not_listed(ws, st):
    ws.residents.close(st.people["李小妹"], "迁出", d("2026-05-01"))
    assert "李小妹" in names(uncovered(ws.store, ws.forms, d("2026-04-30"))[0])
    assert "李小妹" not in names(uncovered(ws.store, ws.forms, TODAY)[0])


def test_the_register_wide_and_the_one_resident_answers_agree(ws, st):
    rid = st.people["王大姐"]
    ws.services.save(
        "dm_register",
        {"register_date": "2025-03-01", "diagnosis_date": "2025-02-01"},
        rid,
        today=TODAY,
    )
    for day in (d("2025-01-01"), d("2025-06-01"), TODAY, d("2029-03-01")):
        members = population_members(ws.store, ws.forms, day)
        for rid in st.people.values():
            expected = [c for c, ids in members.items() if rid in ids]
            assert key_populations_of(ws.store, ws.forms, ws.services, rid, day) == expected
