"""Issue 13, part A.3: the yearly 健康体检 (form elderly_exam) is due once a calendar year
to every resident from 65 (as before) and to every 高血压, 2型糖尿病 and 严重精神障碍
patient of any age, closed by the check that fulfils it; kept in the save transaction
like every item (the kept list equals a recomputation)."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core import schedules as sch
from ygt_desktop.storage.worklist import ALL_VIEW, DUE_VIEW, YEARLY_VIEW

D = dt.date
TODAY = D(2026, 11, 23)
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


def person(ws, name, id_number):
    return ws.residents.save(
        {"name": name, "id_number": id_number, "village_code": "101", "archive_date": "2020-01-01"}
    ).record_id


def register(ws, rid, form, day="2025-03-01"):
    return ws.services.save(
        form, {"register_date": day, "diagnosis_date": "2025-02-01"}, rid, today=TODAY
    ).change.record_id


def checks(ws, rid, view=ALL_VIEW, span=YEAR, on=TODAY):
    got = [
        (i.due.label, i.status, i.due.start)
        for i in ws.worklist.items(*span, on, view=view)
        if i.due.programme == "elderly" and i.resident["id"] == rid
    ]
    again = [
        (i.due.label, i.status, i.due.start)
        for i in ws.worklist.recompute_items(*span, on, view=view)
        if i.due.programme == "elderly" and i.resident["id"] == rid
    ]
    assert got == again  # the kept rows and a recomputation agree
    return got


@pytest.fixture
def young(ws):
    return person(ws, "青年", "530102198605050018")  # 40 in 2026


def test_no_check_for_a_young_resident_without_a_register(ws, young):
    assert checks(ws, young) == []


@pytest.mark.parametrize("form", ["htn_register", "dm_register"])
def test_a_young_patient_is_due_a_yearly_check(ws, young, form):
    register(ws, young, form)
    assert checks(ws, young) == [("健康体检（2026年）", sch.DUE, D(2026, 1, 1))]
    assert checks(ws, young, YEARLY_VIEW) == [("健康体检（2026年）", sch.DUE, D(2026, 1, 1))]
    assert checks(ws, young, DUE_VIEW) == []  # yearly: the 本年未做 view, not 到期


def test_registered_in_the_year_the_window_opens_on_registration(ws, young):
    register(ws, young, "htn_register", "2026-04-10")
    assert checks(ws, young) == [("健康体检（2026年）", sch.DUE, D(2026, 4, 10))]
    assert checks(ws, young, span=(D(2025, 1, 1), D(2025, 12, 31))) == []


def test_the_check_that_fulfils_it_closes_it(ws, young):
    register(ws, young, "htn_register")
    ws.services.save(
        "elderly_exam",
        {"exam_date": "2026-06-01", "sbp": "128", "dbp": "80", "abnormal": "1"},
        young,
        today=TODAY,
        confirm=True,
    )
    assert checks(ws, young) == [("健康体检（2026年）", sch.DONE, D(2026, 1, 1))]
    assert checks(ws, young, YEARLY_VIEW) == []


def test_a_register_closed_in_the_year_ends_it_not_done(ws, young):
    reg = register(ws, young, "htn_register")
    ws.services.save(
        "htn_register",
        {"closed_date": "2026-05-31", "close_reason": "4"},  # 排除诊断
        record_id=reg,
        today=TODAY,
    )
    assert checks(ws, young) == [("健康体检（2026年）", sch.CLOSED, D(2026, 1, 1))]
    assert checks(ws, young, YEARLY_VIEW) == []
    assert checks(ws, young, span=(D(2025, 1, 1), D(2025, 12, 31)))[0][1] == sch.OVERDUE


def test_severe_mental_illness_patients_too(ws):
    rid = person(ws, "患者", "530102199603030018")  # 30
    ws.services.save(
        "smi_register",
        {
            "register_date": "2025-09-01",
            "consent": "1",
            "diagnosis": "1",
            "diagnosis_date": "2025-08-01",
        },
        rid,
        today=TODAY,
        confirm=True,
    )
    assert checks(ws, rid) == [("健康体检（2026年）", sch.DUE, D(2026, 1, 1))]


def test_an_old_patient_has_one_check_a_year_not_two(ws):
    old = person(ws, "老人", "530102195001011233")
    register(ws, old, "htn_register")
    register(ws, old, "dm_register")
    assert checks(ws, old) == [("健康体检（2026年）", sch.DUE, D(2026, 1, 1))]
