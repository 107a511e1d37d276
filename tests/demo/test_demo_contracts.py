"""The contract generator is a pure function of its arguments (issue 4, demo)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from ygt_desktop.demo.contracts import generate_contracts, plan_teams
from ygt_desktop.demo.residents import SyntheticVillage
from ygt_desktop.demo.services.common import Person

TODAY = dt.date(2026, 11, 30)
VILLAGES = [
    SyntheticVillage("001", "龙泉路社区居委会"),
    SyntheticVillage("101", "小坝村委会"),
    SyntheticVillage("102", "大坝村委会"),
]
FEES = {"基础服务包": (20.0, 30.0, 5.0), "老年人服务包": (60.0, 70.0, 20.0)}


def people(n: int) -> list[Person]:
    rng = random.Random(1)
    return [
        Person(
            i,
            rng.choice("12"),
            dt.date(1940 + rng.randrange(80), 3, 1),
            dt.date(2018, 1, 1),
            household=f"{rng.choice(['001', '101', '102'])}|{i // 3}",
            name=f"居民{i}",
        )
        for i in range(1, n + 1)
    ]


def test_same_arguments_same_plan():
    a = generate_contracts(7, TODAY, VILLAGES, people(200), {}, FEES)
    b = generate_contracts(7, TODAY, VILLAGES, people(200), {}, FEES)
    c = generate_contracts(8, TODAY, VILLAGES, people(200), {}, FEES)
    assert a == b and a != c
    assert a.contracts and a.payments
    assert all(c.sign_date < TODAY and c.start_date <= c.end_date for c in a.contracts)
    assert {n for c in a.contracts for n in c.packages} <= set(FEES)
    renewed = {c.renews_key for c in a.contracts if c.renews_key}
    by_key = {c.key: c for c in a.contracts}
    for c in a.contracts:
        if c.renews_key:
            assert by_key[c.renews_key].termination is None
            assert c.start_date == by_key[c.renews_key].end_date + dt.timedelta(days=1)
    assert renewed


@pytest.mark.parametrize("count", [2, 3, 4, 5, 6, 7, 9])
def test_one_team_per_two_or_three_villages(count):
    villages = [SyntheticVillage(f"{100 + i}", f"村{i}村委会") for i in range(1, count + 1)]
    teams = plan_teams(random.Random(0), villages)
    assert sorted(v for t in teams for v in t.villages) == [v.code for v in villages]
    assert all(2 <= len(t.villages) <= 3 for t in teams)
    assert all(t.leader in [m[0] for m in t.members] for t in teams)
