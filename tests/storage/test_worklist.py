"""The worklist is computed from the records: right immediately after any entry."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def htn_patient(ws):
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        rid,
        today=TODAY,
    )
    return rid


def visit(ws, rid, day, sbp=130, method="1"):
    return ws.services.save(
        "htn_followup",
        {
            "visit_date": day,
            "visit_method": method,
            "sbp": str(sbp),
            "dbp": "80",
            "adherence": "1",
            "visit_class": "1",
        },
        rid,
        today=TODAY,
    )


def statuses(ws, start, end, on=TODAY, programme="htn", **kw):
    return [
        (i.due.label, i.status)
        for i in ws.worklist.items(start, end, on, **kw)
        if i.due.programme == programme
    ]


def test_quarterly_followups_show_done_and_overdue(ws, htn_patient):
    visit(ws, htn_patient, "2026-02-10")
    visit(ws, htn_patient, "2026-08-01", method="3")  # phone: not face to face
    assert statuses(ws, D(2026, 1, 1), D(2026, 12, 31)) == [
        ("高血压随访（2026年第2季度）", "逾期"),
        ("高血压随访（2026年第3季度）", "逾期"),
        ("高血压随访（2026年第4季度）", "应访"),
        ("高血压随访（2026年第1季度）", "已访"),
    ]


def test_a_late_entry_closes_its_window_at_once(ws, htn_patient):
    assert ("高血压随访（2026年第3季度）", "逾期") in statuses(ws, D(2026, 7, 1), D(2026, 9, 30))
    visit(ws, htn_patient, "2026-09-15")  # typed in November
    assert statuses(ws, D(2026, 7, 1), D(2026, 9, 30)) == [("高血压随访（2026年第3季度）", "已访")]


def test_uncontrolled_visit_adds_a_recheck_within_two_weeks(ws, htn_patient):
    visit(ws, htn_patient, "2026-11-10", sbp=165)
    items = ws.worklist.items(D(2026, 11, 16), D(2026, 11, 30), TODAY)
    recheck = [i for i in items if i.due.label.startswith("高血压复查")]
    assert [(i.due.end, i.status) for i in recheck] == [(D(2026, 11, 24), "应访")]
    visit(ws, htn_patient, "2026-11-20")
    items = ws.worklist.items(D(2026, 11, 16), D(2026, 11, 30), TODAY)
    assert [i.status for i in items if i.due.label.startswith("高血压复查")] == ["已访"]


def test_filters_by_package_village_and_status(ws, htn_patient):
    rng = (D(2026, 10, 1), D(2026, 12, 31))
    assert statuses(ws, *rng, packages=["妇幼包"]) == []
    assert statuses(ws, *rng, village="102") == []
    assert statuses(ws, *rng, village="101", statuses=["应访"]) == [
        ("高血压随访（2026年第4季度）", "应访")
    ]


def test_register_closed_as_lost_shows_lost(ws, htn_patient):
    reg = ws.services.timeline(htn_patient)[0]["id"]
    ws.services.save(
        "htn_register",
        {"closed_date": "2026-03-31", "close_reason": "3"},
        record_id=reg,
        today=TODAY,
    )
    assert statuses(ws, D(2026, 1, 1), D(2026, 3, 31)) == [("高血压随访（2026年第1季度）", "逾期")]
    assert statuses(ws, D(2026, 4, 1), D(2026, 12, 31)) == []


def test_moved_away_residents_leave_the_worklist(ws, htn_patient):
    ws.residents.close(htn_patient, "迁出", D(2026, 6, 30))
    assert ws.worklist.items(D(2026, 10, 1), D(2026, 12, 31), TODAY) == []


def test_elderly_yearly_check_and_tcm_are_due_for_65_plus(ws, htn_patient):
    assert statuses(ws, D(2026, 11, 1), D(2026, 11, 30), programme="elderly") == [
        ("健康体检（2026年）", "应访")
    ]
    assert statuses(ws, D(2026, 11, 1), D(2026, 11, 30), programme="tcm_elderly") == [
        ("中医体质辨识（2026年）", "应访")
    ]


def test_deleting_a_visit_reopens_its_window(ws, htn_patient):
    saved = visit(ws, htn_patient, "2026-11-10")
    assert statuses(ws, D(2026, 11, 1), D(2026, 11, 30)) == [
        ("高血压随访（2026年第4季度）", "已访")
    ]
    ws.services.delete(saved.change.record_id, "录错了人")
    assert statuses(ws, D(2026, 11, 1), D(2026, 11, 30)) == [
        ("高血压随访（2026年第4季度）", "应访")
    ]


def test_a_corrected_birth_date_moves_the_child_checks(ws):
    rid = ws.residents.save(
        {
            "name": "小明",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "2026-05-10",
            "village_code": "101",
            "archive_date": "2026-05-20",
        }
    ).record_id
    nov = (D(2026, 11, 1), D(2026, 11, 30))
    assert statuses(ws, *nov, programme="child") == [("儿童健康检查（6月龄）", "应访")]
    values = dict(ws.residents.get(rid))
    values["birth_date"] = "2026-08-10"
    ws.residents.save(values, rid)
    assert statuses(ws, *nov, programme="child") == [("儿童健康检查（3月龄）", "应访")]


def test_filter_by_responsible_doctor(ws, htn_patient):
    rng = (D(2026, 10, 1), D(2026, 12, 31))
    assert statuses(ws, *rng, doctor="王丽萍") == []
    values = dict(ws.residents.get(htn_patient))
    values["responsible_doctor"] = "王丽萍"
    ws.residents.save(values, htn_patient)
    assert ws.worklist.doctors() == ["王丽萍"]
    assert statuses(ws, *rng, doctor="王丽萍", statuses=["应访"]) == [
        ("高血压随访（2026年第4季度）", "应访")
    ]


def test_tb_first_visit_within_72_hours_then_every_ten_days(ws, htn_patient):
    ws.services.save(
        "tb_notify",
        {"notified_date": "2026-11-02", "diagnosis": "1", "source": "1"},
        htn_patient,
        today=TODAY,
    )
    got = statuses(ws, D(2026, 11, 1), D(2026, 11, 30), programme="tb")
    assert ("肺结核第一次入户随访（72小时内）", "逾期") in got
    ws.services.save(
        "tb_first_visit",
        {"visit_date": "2026-11-04", "visit_method": "2", "phase": "1", "supervisor": "1"},
        htn_patient,
        today=TODAY,
    )
    items = [
        i
        for i in ws.worklist.items(D(2026, 11, 1), D(2026, 11, 30), TODAY)
        if i.due.programme == "tb"
    ]
    assert [(i.due.form_id, i.due.start, i.due.end, i.status) for i in items] == [
        ("tb_followup", D(2026, 11, 3), D(2026, 11, 12), "逾期"),
        ("tb_followup", D(2026, 11, 13), D(2026, 11, 22), "逾期"),
        ("tb_followup", D(2026, 11, 23), D(2026, 12, 2), "应访"),
        ("tb_first_visit", D(2026, 11, 2), D(2026, 11, 5), "已访"),
    ]
    assert all(i.package == "疾控包" for i in items)


def test_vaccination_certificate_due_within_a_month_of_birth(ws):
    rid = ws.residents.save(
        {
            "name": "小红",
            "no_id_reason": "9",
            "sex": "2",
            "birth_date": "2026-11-01",
            "village_code": "101",
            "archive_date": "2026-11-05",
        }
    ).record_id
    assert statuses(ws, D(2026, 11, 16), D(2026, 11, 22), programme="vaccination") == [
        ("预防接种建证（出生1个月内）", "应访")
    ]
    ws.services.save(
        "vaccination",
        {"certificate_date": "2026-11-20", "dose": "1", "vaccination_date": "2026-11-20"},
        rid,
        today=TODAY,
    )
    assert statuses(ws, D(2026, 11, 16), D(2026, 11, 22), programme="vaccination") == [
        ("预防接种建证（出生1个月内）", "已访")
    ]
