"""Clinical rules and computed facts at entry time, beyond hypertension (issue 3):
blood glucose at exactly 16.7 / 3.9, gestational week from the LMP, postpartum days
from discharge, age in months for child checks."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 11, 23)


def person(ws, sex: str, birth: str) -> int:
    return ws.residents.save(
        {
            "name": "王芳",
            "no_id_reason": "9",
            "sex": sex,
            "birth_date": birth,
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id


@pytest.fixture
def diabetic(ws):
    rid = person(ws, "1", "1960-05-01")
    ws.services.save(
        "dm_register",
        {"register_date": "2026-01-10", "diagnosis_date": "2025-12-20"},
        rid,
        today=TODAY,
    )
    return rid


@pytest.mark.parametrize(
    ("fpg", "urgent"),
    [
        ("16.6", False),
        ("16.7", True),
        ("22.0", True),
        ("4.0", False),
        ("3.9", True),
        ("2.8", True),
    ],
)
def test_glucose_urgent_referral_exactly_at_16_7_and_3_9(ws, diabetic, fpg, urgent):
    saved = ws.services.save(
        "dm_followup",
        {
            "visit_date": "2026-11-10",
            "visit_method": "1",
            "adherence": "1",
            "visit_class": "1",
            "fpg": fpg,
            "sbp": "130",
            "dbp": "80",
        },
        diabetic,
        today=TODAY,
    )
    header, _ = ws.services.get(saved.change.record_id)
    assert (header["referral"] == "urgent") is urgent
    if urgent:
        assert header["recheck_date"] == "2026-11-24"  # two weeks
        assert any("16.7" in o.message for o in saved.outcomes)


@pytest.fixture
def pregnancy(ws):
    rid = person(ws, "2", "1996-04-01")
    ws.services.save(
        "prenatal_first",
        {
            "exam_date": "2026-03-02",
            "lmp_date": "2026-01-05",
            "gravidity": "1",
            "parity": "0",
            "sbp": "110",
            "dbp": "70",
            "risk_screen": "1",
            "risk": "1",
        },
        rid,
        today=TODAY,
    )
    return rid


def test_gestational_week_is_computed_from_the_lmp(ws, pregnancy):
    saved = ws.services.save(
        "prenatal_followup",
        {
            "exam_date": "2026-05-04",
            "visit_no": "2",
            "sbp": "112",
            "dbp": "72",
            "classification": "1",
        },
        pregnancy,
        today=TODAY,
    )
    _, values = ws.services.get(saved.change.record_id)
    assert values["gest_weeks"] == 17  # 2026-01-05 → 2026-05-04: 17 weeks + 0 days


def test_postpartum_days_count_from_discharge_not_delivery(ws, pregnancy):
    ws.services.save(
        "delivery",
        {
            "delivered_date": "2026-10-08",
            "discharged_date": "2026-10-11",
            "place": "1",
            "mode": "1",
            "live_births": "1",
        },
        pregnancy,
        today=TODAY,
    )
    saved = ws.services.save(
        "postpartum_visit",
        {
            "visit_date": "2026-10-15",
            "sbp": "110",
            "dbp": "70",
            "breast": "1",
            "lochia": "1",
            "uterus": "1",
            "wound": "1",
            "classification": "1",
        },
        pregnancy,
        today=TODAY,
    )
    _, values = ws.services.get(saved.change.record_id)
    assert values["days_after_discharge"] == 4


@pytest.mark.parametrize(
    ("exam", "months"), [("2026-11-09", 5), ("2026-11-10", 6), ("2026-11-23", 6)]
)
def test_child_check_records_age_in_months_on_the_exam_date(ws, exam, months):
    rid = person(ws, "1", "2026-05-10")
    saved = ws.services.save(
        "child_check_infant",
        {"exam_date": exam, "weight": "7.5", "length": "66"},
        rid,
        today=TODAY,
    )
    _, values = ws.services.get(saved.change.record_id)
    assert values["age_in_months"] == months
