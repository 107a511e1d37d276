"""Dose records (forms/vaccine_dose.toml) saved against the 2021 schedule: a dose given
before the minimum age or interval is SAVED with an after-save notice naming the rule;
the same dose twice and any dose of a completed series are REFUSED at the 疫苗 field,
nothing written; an edit of a record does not refuse itself; the station's JE choice."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage.test_indicators import person
from ygt_desktop.storage import vaccines
from ygt_desktop.storage.residents import ValidationFailed

TODAY = dt.date(2026, 6, 30)


def dose(ws, rid, vaccine, day, **more):
    raw = {
        "vaccine": vaccine, "vaccination_date": day, "site": "1", "batch_no": "202601A",
        "expiry_date": "2027-12-31", "manufacturer": "北京生物制品研究所", "doctor": "李医生",
        **more,
    }  # fmt: skip
    return ws.services.save("vaccine_dose", raw, rid, today=TODAY, confirm=True)


def count(ws):
    return ws.store.conn.execute(
        "SELECT count(*) FROM service_records WHERE form_id = 'vaccine_dose' AND deleted = 0"
    ).fetchone()[0]


def test_early_dose_saved_with_a_notice(ws):
    rid = person(ws, "王小宝", "2026-01-10")
    assert dose(ws, rid, "hepb1", "2026-01-10").outcomes == []
    saved = dose(ws, rid, "hepb2", "2026-02-01")
    assert [o.message for o in saved.outcomes] == [
        "乙肝疫苗第2剂接种时未到最小接种月龄（1月龄，即 2026-02-10 起）",
        "乙肝疫苗第2剂与乙肝疫苗第1剂（2026-01-10）间隔不足28天（最早 2026-02-07）",
    ]
    assert count(ws) == 2
    alerts = ws.services.timeline(rid)[0]["alerts"]
    assert alerts[0]["id"] == vaccines.NOTICE_ID


def test_same_dose_twice_and_completed_series_refused(ws):
    rid = person(ws, "李小花", "2025-01-10")
    first = dose(ws, rid, "hepb1", "2025-01-10").change.record_id
    with pytest.raises(ValidationFailed) as twice:
        dose(ws, rid, "hepb1", "2025-01-20")
    assert twice.value.errors == {"vaccine": "乙肝疫苗第1剂已于 2025-01-10 接种，不能重复登记"}
    dose(ws, rid, "hepb2", "2025-02-10")
    dose(ws, rid, "hepb3", "2025-07-10")
    before = count(ws)
    with pytest.raises(ValidationFailed) as done:
        dose(ws, rid, "hepb2", "2026-01-05")
    assert done.value.errors == {
        "vaccine": "乙肝疫苗3剂已全部完成（2025-01-10、2025-02-10、2025-07-10），不能再登记"
    }
    assert count(ws) == before
    # correcting a record of the completed series is not a second dose
    ws.services.save("vaccine_dose", {"batch_no": "202501B"}, record_id=first, today=TODAY)
    assert vaccines.given(ws.store, rid)["hepb1"] == dt.date(2025, 1, 10)


def test_expired_vaccine_and_adults_refused(ws):
    rid = person(ws, "赵小明", "2026-01-10")
    with pytest.raises(ValidationFailed) as expired:
        dose(ws, rid, "hepb1", "2026-01-10", expiry_date="2025-12-31")
    assert "有效日期早于接种日期" in expired.value.errors["expiry_date"]
    adult = person(ws, "成人", "1990-01-01")
    with pytest.raises(ValidationFailed) as old:
        dose(ws, adult, "hepb1", "2026-01-10")
    assert old.value.errors == {"vaccination_date": "国家免疫规划疫苗接种及补种适用于18岁以下儿童"}
    assert count(ws) == 0


def test_station_choice_of_je(ws):
    rid = person(ws, "钱小多", "2025-06-01")
    plan = {s.dose.id for s in vaccines.card(ws.store, rid, dt.date(2025, 6, 1), TODAY)}
    assert "jel1" in plan and "jei1" not in plan
    vaccines.set_series_choice(ws.store, "je", "jei")
    plan = {s.dose.id for s in vaccines.card(ws.store, rid, dt.date(2025, 6, 1), TODAY)}
    assert "jei1" in plan and "jel1" not in plan
    with pytest.raises(ValueError, match="乙脑疫苗应为 乙脑减毒活疫苗、乙脑灭活疫苗 之一"):
        vaccines.set_series_choice(ws.store, "je", "mmr")
