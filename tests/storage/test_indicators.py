"""Indicators against stations built by hand, where the answer is known by
construction (spec indicators.md; issue 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage import indicators_reference as reference
from ygt_desktop.core.report_model import Period, load_template
from ygt_desktop.paths import resources_dir
from ygt_desktop.storage.indicators import Indicators, values

TODAY = dt.date(2026, 12, 20)
TEMPLATE = load_template(resources_dir() / "templates" / "quarterly_report.toml")
BASE = {"population": 1000, "pop_35": 400, "pop_65": 100, "children_0_6": 50, "children_0_36": 20}


def person(ws, name, birth, sex="1", archived="2020-01-01"):
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": sex,
            "birth_date": birth,
            "village_code": "101",
            "archive_date": archived,
        }
    ).record_id


def htn_visit(ws, rid, day, sbp=130, dbp=80, method="1"):
    ws.services.save(
        "htn_followup",
        {
            "visit_date": day,
            "visit_method": method,
            "sbp": str(sbp),
            "dbp": str(dbp),
            "adherence": "1",
            "visit_class": "1",
        },
        rid,
        today=TODAY,
        confirm=True,
    )


def compute(ws, period="2026Q3", base=BASE):
    """The indicators of ``period``, each field held equal to the reference computation
    (issue 15: the fast computation is the one it replaced, on every station here)."""
    got = Indicators(ws.store, ws.forms, TEMPLATE, base).compute(Period.parse(period))
    old = reference.compute(ws.store, ws.forms, TEMPLATE, base, Period.parse(period))
    assert reference.differences(got, old) == []
    return got


def test_ten_hypertension_patients_known_by_construction(ws):
    """10 patients registered before the year; 6 seen face to face in Q1, Q2 and Q3;
    at the last visit 4 are controlled (one of them 70 years old at 145/85); the
    others are seen by phone in Q2 or not at all."""
    ids = []
    for n in range(10):
        birth = "1956-03-01" if n == 0 else "1970-05-05"  # patient 0 is 70
        rid = person(ws, f"患者{n}", birth)
        ws.services.save(
            "htn_register",
            {"register_date": "2025-06-01", "diagnosis_date": "2025-05-01"},
            rid,
            today=TODAY,
        )
        ids.append(rid)
    for n, rid in enumerate(ids[:6]):
        htn_visit(ws, rid, "2026-02-10")
        htn_visit(ws, rid, "2026-05-10")
        last = (145, 85) if n == 0 else (130, 80) if n < 4 else (150, 95)
        htn_visit(ws, rid, "2026-08-10", *last)
    for rid in ids[6:8]:
        htn_visit(ws, rid, "2026-02-10", 160, 100)
        htn_visit(ws, rid, "2026-05-10", 130, 80, method="3")  # phone: not face to face
    got = values(compute(ws))
    assert (got["htn.mgmt"].numerator, got["htn.mgmt"].denominator) == (10, 101)  # 400×25.2 %
    assert (
        got["htn.standard"].numerator,
        got["htn.standard"].denominator,
        got["htn.standard"].value,
    ) == (6, 10, 60.0)
    # controlled at the latest reading: patients 0-3 of the six, and the two seen by
    # phone at 130/80 (a reading by phone still counts for control)
    assert (got["htn.control"].numerator, got["htn.control"].value) == (6, 60.0)


def test_a_patient_who_misses_one_quarter_is_not_standard(ws):
    rid = person(ws, "张三", "1960-01-01")
    ws.services.save(
        "htn_register",
        {"register_date": "2026-04-15", "diagnosis_date": "2026-04-01"},
        rid,
        today=TODAY,
    )
    htn_visit(ws, rid, "2026-05-01")
    got = values(compute(ws, "2026Q2"))
    assert got["htn.standard"].value == 100.0  # registered in Q2: Q2 is enough
    got = values(compute(ws, "2026Q3"))
    assert got["htn.standard"].value == 0.0  # no Q3 visit


def test_moved_away_before_the_year_is_not_managed_but_died_in_the_window_is(ws):
    gone = person(ws, "迁走", "1960-01-01")
    died = person(ws, "去世", "1960-01-01")
    for rid in (gone, died):
        ws.services.save(
            "htn_register",
            {"register_date": "2025-03-01", "diagnosis_date": "2025-02-01"},
            rid,
            today=TODAY,
        )
    ws.residents.close(gone, "迁出", dt.date(2025, 12, 1))
    ws.residents.close(died, "死亡", dt.date(2026, 5, 1))
    got = compute(ws)
    assert got["htn.mgmt"].numerator == {died}


def test_zero_denominators_give_empty_values_and_missing_base_is_named(ws):
    got = values(compute(ws, base={}))
    assert got["htn.standard"].value is None and got["htn.standard"].denominator == 0
    assert got["tb.managed"].value is None
    assert got["ehr.coverage"].missing == "缺少2026年基础数据：常住人口数"
    assert got["htn.mgmt"].missing == "缺少2026年基础数据：35岁及以上常住人口数"
    assert got["ehr.coverage"].value is None


def test_open_archives_and_use_across_the_year_end(ws):
    a = person(ws, "甲", "1980-01-01", archived="2026-09-30")  # created on window end
    b = person(ws, "乙", "1980-01-01", archived="2026-10-01")  # after it
    c = person(ws, "丙", "1980-01-01")
    ws.residents.close(c, "注销", dt.date(2026, 9, 30))  # closed on window end
    got = compute(ws)
    assert got["ehr.coverage"].numerator == {a}
    assert b not in got["ehr.use"].denominator


def test_elderly_and_children_by_age_on_the_window_end_leap_day(ws):
    turned_65 = person(ws, "满65", "1961-09-30")  # 65 on 2026-09-30
    not_yet = person(ws, "差一天", "1961-10-01")
    leap = person(ws, "闰日", "2020-02-29", archived="2020-03-01")  # 6 years old
    got = compute(ws)
    assert turned_65 in got["eld.managed"].pool and not_yet not in got["eld.managed"].pool
    assert leap in got["child.managed"].pool
    got_q1 = compute(ws, "2027Q1")
    assert leap not in got_q1["child.managed"].pool  # 7 on 2027-02-28/03-01


@pytest.mark.parametrize(
    ("lmp", "early"),
    [
        ({"lmp_date": "2025-12-01"}, True),
        ({"lmp_date": "2025-11-20"}, False),
        # 末次月经不详: the 孕周 typed at the first check says it (as the worklist counts)
        ({"lmp_unknown": "1", "gest_weeks": "12", "edd": "2026-09-01"}, True),
        ({"lmp_unknown": "1", "gest_weeks": "13", "edd": "2026-08-25"}, False),
    ],
)
def test_early_pregnancy_registration_before_13_weeks(ws, lmp, early):
    rid = person(ws, "孕妇", "1996-04-01", sex="2")
    ws.services.save(
        "prenatal_first",
        {
            "exam_date": "2026-02-22",
            **lmp,
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
    ws.services.save(
        "delivery",
        {
            "delivered_date": "2026-08-30",
            "discharged_date": "2026-09-02",
            "place": "1",
            "mode": "1",
            "live_births": "1",
        },
        rid,
        today=TODAY,
    )
    ws.services.save(
        "postpartum_visit",
        {
            "visit_date": "2026-09-30",
            "sbp": "110",
            "dbp": "70",
            "breast": "1",
            "lochia": "1",
            "uterus": "1",
            "wound": "1",
            "classification": "1",
        },
        rid,
        today=TODAY,
    )
    got = values(compute(ws))
    # 2025-12-01 → 2026-02-22 is 83 days (11 weeks 6 days); 2025-11-20 → 94 days
    assert got["mat.early"].numerator == (1 if early else 0)
    assert got["mat.early"].denominator == 1
    assert got["mat.postpartum"].numerator == 1  # 28 days after discharge


def test_birth_dates_are_read_once_per_range_closed_archives_in_deleted_out(ws):
    """The rules' one reader of birth dates (Indicators.born): residents born in the
    range whatever their archive's status, deleted ones left out, one query per range."""
    inside = person(ws, "二月", "2026-02-01")
    closed = person(ws, "三月", "2026-03-01")
    ws.residents.close(closed, "迁出", dt.date(2026, 4, 1))
    gone = person(ws, "四月", "2026-04-01")
    ws.residents.delete(gone, "重复建档")
    person(ws, "去年", "2025-12-31")
    ix = Indicators(ws.store, ws.forms, TEMPLATE, BASE)
    read: list[str] = []
    ws.store.conn.set_trace_callback(lambda sql: "birth_date BETWEEN" in sql and read.append(sql))
    try:
        first = ix.born(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
        again = ix.born(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    finally:
        ws.store.conn.set_trace_callback(None)
    assert first == {inside: dt.date(2026, 2, 1), closed: dt.date(2026, 3, 1)}
    assert again is first and len(read) == 1
