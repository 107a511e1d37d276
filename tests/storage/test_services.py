"""Service records: rules at their thresholds, applicability, dates, duplicates (issue 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.storage.residents import ValidationFailed
from ygt_desktop.storage.services import NeedsConfirmation

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def patient(ws):
    """A 76-year-old woman registered with 高血压 on 2026-01-05."""
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


def person(ws, name: str, birth: str) -> int:
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": birth,
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id


def followup(ws, rid, day, sbp, dbp, method="1", **extra):
    return ws.services.save(
        "htn_followup",
        {
            "visit_date": day,
            "visit_method": method,
            "sbp": str(sbp),
            "dbp": str(dbp),
            "adherence": "1",
            "visit_class": "1",
            **extra,
        },
        rid,
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("sbp", "dbp", "urgent"),
    [
        (179, 109, False),
        (180, 80, True),
        (150, 110, True),
        (179, 110, True),
        (180, 109, True),
    ],
)
def test_urgent_referral_fires_exactly_at_180_or_110(ws, patient, sbp, dbp, urgent):
    result = followup(ws, patient, "2026-11-01", sbp, dbp)
    assert ("urgent" in [o.id for o in result.outcomes]) is urgent
    if urgent:
        assert result.recheck_date == dt.date(2026, 11, 15)  # re-check within 2 weeks
        header, _ = ws.services.get(result.change.record_id)
        assert header["referral"] == "urgent"


@pytest.mark.parametrize(
    ("birth", "sbp", "controlled"),
    [
        ("1961-11-01", 149, True),  # 65 on the visit date: < 150 is controlled
        ("1961-11-01", 150, False),
        ("1961-11-02", 145, False),  # 65th birthday is the day after the visit: < 140 applies
        ("1961-11-02", 139, True),
    ],
)
def test_controlled_threshold_depends_on_age_on_the_visit_date(ws, birth, sbp, controlled):
    rid = person(ws, "李四", birth)
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-01-01"},
        rid,
        today=TODAY,
    )
    result = followup(ws, rid, "2026-11-01", sbp, 85)
    _, values = ws.services.get(result.change.record_id)
    assert values["controlled"] is controlled


def test_two_uncontrolled_in_a_row_suggest_referral(ws, patient):
    first = followup(ws, patient, "2026-10-01", 160, 85)
    assert [o.id for o in first.outcomes] == ["uncontrolled"]
    second = followup(ws, patient, "2026-10-15", 158, 85)
    assert [o.id for o in second.outcomes] == ["uncontrolled_twice"]
    assert ws.services.get(second.change.record_id)[0]["referral"] == "suggested"
    third = followup(ws, patient, "2026-10-29", 130, 80)
    assert third.outcomes == []


def test_late_entry_still_uses_the_record_before_it(ws, patient):
    followup(ws, patient, "2026-10-15", 160, 85)
    late = followup(ws, patient, "2026-10-01", 162, 85)  # typed later, dated earlier
    assert [o.id for o in late.outcomes] == ["uncontrolled"]
    assert late.late_entry


def test_followup_without_registration_is_refused(ws):
    rid = person(ws, "王五", "1960-01-01")
    with pytest.raises(ValidationFailed) as err:
        followup(ws, rid, "2026-11-01", 130, 80)
    assert "未登记高血压" in str(err.value)
    assert ws.services.timeline(rid) == []


def test_registration_not_applicable_to_a_child(ws):
    rid = person(ws, "小宝", "2020-01-01")
    with pytest.raises(ValidationFailed, match="18岁及以上"):
        ws.services.save(
            "htn_register",
            {"register_date": "2026-01-05", "diagnosis_date": "2026-01-01"},
            rid,
            today=TODAY,
        )
    assert "htn_register" not in [f.id for f in ws.services.applicable_forms(rid)]


def test_resident_not_in_register_is_refused(ws):
    with pytest.raises(ValidationFailed, match="不存在"):
        followup(ws, 999, "2026-11-01", 130, 80)


@pytest.mark.parametrize(
    ("sbp", "dbp", "field", "words"),
    [
        (400, 80, "sbp", "60–300"),
        (120, 130, "dbp", "舒张压应低于收缩压"),
        ("", "", "sbp", "请填写收缩压"),
    ],
)
def test_implausible_vitals_are_refused_with_the_range(ws, patient, sbp, dbp, field, words):
    with pytest.raises(ValidationFailed) as err:
        followup(ws, patient, "2026-11-01", sbp, dbp)
    assert words in err.value.errors[field]


def test_phone_followup_needs_no_blood_pressure(ws, patient):
    result = ws.services.save(
        "htn_followup",
        {"visit_date": "2026-11-01", "visit_method": "3", "adherence": "1", "visit_class": "1"},
        patient,
        today=TODAY,
    )
    assert result.outcomes == []


def test_dates_before_birth_or_in_the_future_are_refused(ws, patient):
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        followup(ws, patient, "2099-01-01", 130, 80)
    rid = person(ws, "赵六", "1990-06-01")
    with pytest.raises(ValidationFailed, match="不能早于出生日期"):
        ws.services.save(
            "htn_register",
            {"register_date": "1990-01-01", "diagnosis_date": "1990-01-01"},
            rid,
            today=TODAY,
        )


def test_visit_after_death_is_refused(ws, patient):
    ws.residents.close(patient, "死亡", dt.date(2026, 6, 1))
    with pytest.raises(ValidationFailed, match="已于 2026-06-01 死亡"):
        followup(ws, patient, "2026-07-01", 130, 80)


def test_duplicate_same_day_asks_for_confirmation(ws, patient):
    followup(ws, patient, "2026-11-01", 130, 80)
    with pytest.raises(NeedsConfirmation, match="已有一条“高血压随访”记录"):
        followup(ws, patient, "2026-11-01", 132, 80)
    assert len(ws.services.timeline(patient)) == 2  # register + first follow-up
    ws.services.save(
        "htn_followup",
        {
            "visit_date": "2026-11-01",
            "visit_method": "1",
            "sbp": "132",
            "dbp": "80",
            "adherence": "1",
            "visit_class": "1",
        },
        patient,
        confirm=True,
        today=TODAY,
    )
    assert len(ws.services.timeline(patient)) == 3


def test_timeline_is_newest_first_across_forms_with_audit(ws, patient):
    followup(ws, patient, "2026-04-01", 130, 80)
    followup(ws, patient, "2026-08-01", 128, 80)
    items = ws.services.timeline(patient)
    assert [(i["service_date"], i["title"]) for i in items] == [
        ("2026-08-01", "高血压随访"),
        ("2026-04-01", "高血压随访"),
        ("2026-01-05", "高血压登记"),
    ]
    n = ws.store.conn.execute("SELECT count(*) FROM audit_log WHERE table_name LIKE 'f_htn%'")
    assert n.fetchone()[0] == 3


def test_closing_the_register_ends_the_followups(ws, patient):
    reg = ws.services.timeline(patient)[0]["id"]
    ws.services.save(
        "htn_register",
        {"closed_date": "2026-06-30", "close_reason": "3"},
        record_id=reg,
        today=TODAY,
    )
    with pytest.raises(ValidationFailed, match="未登记高血压"):
        followup(ws, patient, "2026-07-15", 130, 80)
    followup(ws, patient, "2026-06-15", 130, 80)  # before the close: still allowed


def test_edit_keeps_other_fields_and_reruns_rules(ws, patient):
    rec = followup(ws, patient, "2026-11-01", 130, 80, medication="氨氯地平 1次/日 5mg")
    edited = ws.services.save(
        "htn_followup", {"sbp": "185"}, record_id=rec.change.record_id, today=TODAY
    )
    header, values = ws.services.get(rec.change.record_id)
    assert values["medication"] == "氨氯地平 1次/日 5mg"
    assert header["referral"] == "urgent"
    assert edited.change.action == "update"


def test_soft_delete_hides_from_timeline_and_keeps_the_row(ws, patient):
    rec = followup(ws, patient, "2026-11-01", 130, 80)
    ws.services.delete(rec.change.record_id, "录入错误")
    assert rec.change.record_id not in [i["id"] for i in ws.services.timeline(patient)]
    header, _ = ws.services.get(rec.change.record_id)
    assert header["deleted_reason"] == "录入错误"
