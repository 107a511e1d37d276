"""Contract fees (issue 4; seed 002 item 21): due per payer as recorded at signing, money
received per payer with dates — the prepaid share (a setting, 80 % by default) and the
rest after the annual assessment — and totals by payer for a period."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import make_station
from ygt_desktop.core.contracts import prepaid_expected
from ygt_desktop.storage.contract_fees import (
    PaymentRepo,
    contract_fees,
    fee_totals,
    prepaid_percent,
    set_prepaid_percent,
)
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date


@pytest.fixture
def st(ws):
    st = make_station(ws)
    st.pay = PaymentRepo(ws.store, ws.forms)
    return st


def pay(st, cid, payer, kind, day, amount):
    return st.pay.save(
        {"contract_id": cid, "payer": payer, "kind": kind, "paid_date": day, "amount": amount}
    ).record_id


def test_prepaid_share_is_a_setting(ws):
    assert prepaid_percent(ws.store) == 80
    assert set_prepaid_percent(ws.store, "85") == 85
    assert prepaid_percent(ws.store) == 85
    for bad, words in (("120", "0–100"), ("八十", "应为数字"), ("", "请填写")):
        with pytest.raises(ValidationFailed) as err:
            set_prepaid_percent(ws.store, bad)
        assert words in err.value.errors["prepaid_percent"]
    assert prepaid_percent(ws.store) == 85


def test_due_prepaid_and_received_per_contract(ws, st):
    cid = st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))
    pay(st, cid, "personal", "3", "2026-01-01", "25")
    pay(st, cid, "medical", "1", "2026-01-15", "64")  # 80 % of 80
    pay(st, cid, "phs", "1", "2026-01-15", "80")  # 80 % of 100
    fees = contract_fees(ws.store, ws.forms, cid)
    medical, phs, personal = (fees.by_payer[p] for p in ("medical", "phs", "personal"))
    assert (medical.due, medical.prepaid_expected, medical.received, medical.outstanding) == (
        8000,
        6400,
        6400,
        1600,
    )
    assert (phs.due, phs.prepaid_expected, phs.outstanding) == (10000, 8000, 2000)
    assert (personal.due, personal.prepaid_expected, personal.outstanding) == (2500, 2500, 0)
    pay(st, cid, "medical", "2", "2026-11-30", "16")  # settled after the assessment
    assert contract_fees(ws.store, ws.forms, cid).by_payer["medical"].outstanding == 0
    assert [p["paid_date"] for p in contract_fees(ws.store, ws.forms, cid).payments][
        0
    ] == "2026-11-30"


@pytest.mark.parametrize(
    ("payer", "kind", "amount", "field", "words"),
    [
        ("medical", "1", "-5", "amount", "0–100000"),
        ("medical", "1", "五十", "amount", "应为数字"),
        ("medical", "1", "", "amount", "请填写金额"),
        ("medical", "1", "20.01", "amount", "将超过应收"),
        ("personal", "1", "5", "kind", "个人缴费"),
        ("medical", "3", "5", "kind", "个人缴费的支付方"),
    ],
)
def test_bad_payments_are_refused_and_nothing_written(ws, st, payer, kind, amount, field, words):
    cid = st.sign("张老汉", "2026-01-01")  # 基础服务包: 20 + 30 + 5
    with pytest.raises(ValidationFailed) as err:
        pay(st, cid, payer, kind, "2026-02-01", amount)
    assert words in err.value.errors[field]
    assert st.pay.rows() == []


def test_a_payment_can_be_corrected_up_to_what_is_due(ws, st):
    cid = st.sign("张老汉", "2026-01-01")
    pid = pay(st, cid, "medical", "1", "2026-02-01", "16")
    st.pay.save({"amount": "20"}, pid)  # its own old amount does not count twice
    with pytest.raises(ValidationFailed):
        pay(st, cid, "medical", "2", "2026-12-01", "0.01")


def test_totals_by_payer_for_a_quarter(ws, st):
    a = st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))  # 80/100/25
    b = st.sign("王大姐", "2026-03-01", sign="2026-02-20")  # 20/30/5
    c = st.sign("李小妹", "2026-04-01")  # signed in Q2
    old = st.sign("赵青年", "2025-06-01", team="龙泉", doctor="赵医生")  # signed in 2025
    pay(st, a, "personal", "3", "2026-01-01", "25")
    pay(st, a, "medical", "1", "2026-01-20", "64")
    pay(st, b, "phs", "1", "2026-03-10", "24")
    pay(st, old, "medical", "2", "2026-02-15", "4")  # last year's settlement, paid in Q1
    pay(st, c, "personal", "3", "2026-04-01", "5")  # Q2
    q1 = fee_totals(ws.store, D(2026, 1, 1), D(2026, 3, 31))
    assert q1.contracts == 2
    assert q1.due == {"medical": 10000, "phs": 13000, "personal": 3000}
    assert q1.prepaid_expected == {"medical": 8000, "phs": 10400, "personal": 3000}
    assert q1.received == {"medical": 6800, "phs": 2400, "personal": 2500}
    assert q1.received_by_kind["medical"] == {"1": 6400, "2": 400}
    assert q1.outstanding == {"medical": 3600, "phs": 10600, "personal": 500}
    assert q1.total("due") == 26000
    st.contracts.delete(b, "录错了")
    assert fee_totals(ws.store, D(2026, 1, 1), D(2026, 3, 31)).received["phs"] == 0


def test_prepaid_share_rounds_to_the_fen():
    assert prepaid_expected("medical", 3333, 80) == 2666
    assert prepaid_expected("personal", 3333, 80) == 3333
