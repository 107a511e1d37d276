"""The demo equipment register (``ygt demo``): deterministic per seed and valid by the
register's own rules, so a demo station shows what a real one would."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core.equipment_checklist import read_checklist
from ygt_desktop.demo.equipment import (
    CHANGED,
    IN_USE,
    REPAIR,
    SCRAPPED,
    generate_equipment,
)
from ygt_desktop.paths import resources_dir

TODAY = dt.date(2026, 6, 30)
ITEMS = read_checklist(resources_dir() / "checklists" / "village_clinic_equipment.toml").items


def test_same_seed_same_register_other_seed_other_register():
    a, b = generate_equipment(5, TODAY, ITEMS), generate_equipment(5, TODAY, ITEMS)
    assert a == b
    assert generate_equipment(6, TODAY, ITEMS) != a


@pytest.mark.parametrize("seed", range(12))
def test_register_is_plausible_and_keeps_the_rules(seed, forms):
    demo = generate_equipment(seed, TODAY, ITEMS)
    assert 30 <= len(demo.assets) <= 80
    numbers = [a.values["asset_no"] for a in demo.assets]
    assert len(set(numbers)) == len(numbers)
    now = [a.status_on(TODAY) for a in demo.assets]
    assert now.count(REPAIR) >= 1 and now.count(SCRAPPED) >= 1
    assert any(a.maintenance for a in demo.assets)
    for asset in demo.assets:
        assert forms["equipment"].process(asset.values).ok, asset.values
        bought = asset.values["purchase_date"]
        days = [d for d, _s, _r in asset.statuses]
        assert days == sorted(days) and len(set(days)) == len(days)
        assert all(bought < d <= TODAY for d in days)
        previous = IN_USE
        for _d, status, _r in asset.statuses:
            assert status != previous
            previous = status
        for m in asset.maintenance:
            assert bought <= m["maint_date"] <= TODAY
            assert forms["equipment_maintenance"].process({**m, "asset_id": "1"}).ok
    stocktake = demo.stocktake
    assert stocktake.values["year"] == TODAY.year - 1
    assert stocktake.values["finished_date"] < TODAY
    assert forms["equipment_stocktake"].process(stocktake.values).ok
    in_scope = {
        i
        for i, a in enumerate(demo.assets)
        if a.status_on(stocktake.values["stocktake_date"]) not in (None, SCRAPPED)
    }
    assert {line[0] for line in stocktake.lines} == in_scope  # every asset marked once
    assert all(line[2] is not None for line in stocktake.lines if line[1] == CHANGED)


def test_first_days_of_january_still_have_last_years_stocktake_finished():
    demo = generate_equipment(1, dt.date(2027, 1, 2), ITEMS)
    assert demo.stocktake.values["year"] == 2026
    assert demo.stocktake.values["finished_date"] < dt.date(2027, 1, 2)
