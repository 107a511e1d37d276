"""双向转诊 (issue 4): suggestions from the clinical rules become draft referrals; saving
links them; bad input is refused in Chinese with nothing written; report figures."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.referrals import ReferralFigures, Referrals, figures, followup_due
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date
TODAY = D(2026, 11, 23)
STATION = "测试社区卫生服务站"


@pytest.fixture
def referrals(ws):
    return Referrals(ws.store, ws.forms)


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


def followup(ws, rid, day, sbp, dbp, **extra):
    return ws.services.save(
        "htn_followup",
        {
            "visit_date": day,
            "visit_method": "1",
            "sbp": str(sbp),
            "dbp": str(dbp),
            "adherence": "1",
            "visit_class": "1",
            **extra,
        },
        rid,
        today=TODAY,
    ).change.record_id


def count(ws, table):
    return ws.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_urgent_reading_becomes_an_open_suggestion_and_a_prefilled_draft(ws, referrals, patient):
    followup(ws, patient, "2026-11-01", 130, 80)  # nothing to refer
    record = followup(ws, patient, "2026-11-10", 186, 112, doctor="李医生")
    [s] = referrals.suggestions()
    assert (s.record_id, s.resident_id, s.name, s.service_date, s.level_label) == (
        record,
        patient,
        "张三",
        D(2026, 11, 10),
        "紧急转诊",
    )
    assert s.form_label == "高血压随访"
    assert "请紧急转诊" in s.messages[0]
    draft = referrals.draft(record, STATION)
    assert draft["direction"] == "1"  # 上转
    assert draft["urgency"] == "1"  # 急诊
    assert draft["referral_date"] == D(2026, 11, 10)
    assert draft["resident_id"] == patient
    assert draft["from_institution"] == STATION
    assert draft["diagnosis"] == "高血压"
    assert draft["to_department"] == "心血管内科"
    assert draft["doctor"] == "李医生"
    assert draft["reason"] == (
        "收缩压≥180mmHg和/或舒张压≥110mmHg（收缩压 186mmHg、舒张压 112mmHg）"
    )
    assert draft["source_record_id"] == record


def test_saved_draft_links_the_record_and_the_suggestion_leaves(ws, referrals, patient):
    record = followup(ws, patient, "2026-11-10", 186, 112)
    draft = referrals.draft(record, STATION)
    assert draft["to_institution"] is None  # nothing referred to before
    change = referrals.save({**draft, "to_institution": "五华区人民医院"})
    assert referrals.suggestions() == []
    assert referrals.for_record(record) == change.record_id
    assert referrals.values(change.record_id)["source_record_id"] == record
    # the next draft for that department proposes the hospital used last time
    other = followup(ws, patient, "2026-11-20", 190, 100)
    assert referrals.draft(other, STATION)["to_institution"] == "五华区人民医院"
    # a second referral from the same record is refused
    with pytest.raises(ValidationFailed) as err:
        referrals.save({**draft, "to_institution": "别的医院"})
    assert "已生成转诊单" in err.value.errors["source_record_id"]
    # deleting the referral (with a reason) brings the suggestion back
    referrals.delete(change.record_id, "录错了居民")
    assert [s.record_id for s in referrals.suggestions()] == [other, record]


def test_record_reason_and_institution_typed_on_the_service_form_are_used(ws, referrals, patient):
    record = followup(
        ws,
        patient,
        "2026-11-10",
        186,
        112,
        referral_reason="头痛加重",
        referral_institution="昆明医科大学第一附属医院 心内科",
    )
    draft = referrals.draft(record, STATION)
    assert draft["reason"].startswith("头痛加重；收缩压≥180mmHg")
    assert draft["to_institution"] == "昆明医科大学第一附属医院 心内科"


def test_twice_uncontrolled_is_an_ordinary_suggestion(ws, referrals, patient):
    followup(ws, patient, "2026-10-01", 165, 95)
    record = followup(ws, patient, "2026-11-01", 162, 92)
    [s] = referrals.suggestions()
    assert (s.record_id, s.level) == (record, "suggested")
    draft = referrals.draft(record, STATION)
    assert draft["urgency"] == "2"  # 普通
    assert draft["reason"] == "连续两次随访血压控制不满意"


def test_dismissed_suggestion_leaves_the_list_with_its_reason(ws, referrals, patient):
    record = followup(ws, patient, "2026-11-10", 186, 112)
    with pytest.raises(ValidationFailed) as err:
        referrals.dismiss(record, {"dismissed_date": "2026-11-11", "reason": "9"})
    assert err.value.errors == {"note": "选择“其他”时请写明原因"}
    with pytest.raises(ValidationFailed) as err:
        referrals.dismiss(record, {"dismissed_date": "2026-11-09", "reason": "1"})
    assert err.value.errors == {"dismissed_date": "处理日期不能早于服务日期（2026-11-10）"}
    assert referrals.suggestions() != []
    referrals.dismiss(record, {"dismissed_date": "2026-11-11", "reason": "1"})
    assert referrals.suggestions() == []
    with pytest.raises(ValidationFailed):
        referrals.dismiss(record, {"dismissed_date": "2026-11-12", "reason": "3"})
    plain = followup(ws, patient, "2026-11-20", 130, 80)
    with pytest.raises(ValidationFailed) as err:
        referrals.dismiss(plain, {"dismissed_date": "2026-11-21", "reason": "1"})
    assert "没有转诊建议" in err.value.errors["source_record_id"]
    with pytest.raises(StoreError):
        referrals.draft(plain, STATION)


def test_deleted_service_record_is_no_longer_suggested(ws, referrals, patient):
    record = followup(ws, patient, "2026-11-10", 186, 112)
    ws.services.delete(record, "重复录入")
    assert referrals.suggestions() == []
    assert referrals.suggestions(since=D(2026, 11, 11)) == []


def test_suggestions_since_a_date(ws, referrals, patient):
    old = followup(ws, patient, "2026-03-10", 186, 112)
    new = followup(ws, patient, "2026-11-10", 186, 112)
    assert [s.record_id for s in referrals.suggestions()] == [new, old]
    assert [s.record_id for s in referrals.suggestions(since=D(2026, 6, 1))] == [new]


# ---- bad input --------------------------------------------------------------------------
def up(rid, **extra):
    return {
        "direction": "1",
        "referral_date": "2026-11-10",
        "resident_id": rid,
        "urgency": "2",
        "from_institution": STATION,
        "to_institution": "五华区人民医院",
        "reason": "血压控制不满意",
        **extra,
    }


def test_follow_up_or_receipt_before_the_referral_is_refused(ws, referrals, patient):
    with pytest.raises(ValidationFailed) as err:
        referrals.save(
            up(
                patient,
                followup_done=True,
                followup_date="2026-11-09",
                receipt_confirmed=True,
                receipt_date="2026-11-08",
            )
        )
    assert err.value.errors == {
        "receipt_date": "接收确认日期不能早于转诊日期",
        "followup_date": "随访日期不能早于转诊日期",
    }
    assert count(ws, "e_referral") == 0
    change = referrals.save(
        up(
            patient,
            followup_done=True,
            followup_date="2026-11-10",
            receipt_confirmed=True,
            receipt_date="2026-11-10",
        )
    )
    assert referrals.values(change.record_id)["followup_date"] == D(2026, 11, 10)


def test_referral_for_someone_not_in_the_register_is_refused(ws, referrals, patient):
    with pytest.raises(ValidationFailed) as err:
        referrals.save(up(patient + 99))
    assert "不在居民档案中" in err.value.errors["resident_id"]
    ws.residents.delete(patient, "重复建档")
    with pytest.raises(ValidationFailed) as err:
        referrals.save(up(patient))
    assert "不在居民档案中" in err.value.errors["resident_id"]
    with pytest.raises(ValidationFailed) as err:
        referrals.save({**up(None), "resident_id": None})
    assert err.value.errors == {"resident_id": "请填写居民"}
    assert count(ws, "e_referral") == 0
    assert count(ws, "audit_log WHERE table_name = 'e_referral'") == 0


def test_referral_after_the_resident_died_is_refused(ws, referrals, patient):
    ws.residents.close(patient, "死亡", D(2026, 10, 1), "")
    with pytest.raises(ValidationFailed) as err:
        referrals.save(up(patient))
    assert err.value.errors == {
        "referral_date": "该居民已于 2026-10-01 死亡，转诊日期不能晚于该日期"
    }
    referrals.save(up(patient, referral_date="2026-09-20"))


def test_source_record_of_another_resident_is_refused(ws, referrals, patient):
    record = followup(ws, patient, "2026-11-10", 186, 112)
    other = ws.residents.save(
        {
            "name": "李四",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "1960-01-01",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    with pytest.raises(ValidationFailed) as err:
        referrals.save(up(other, source_record_id=record))
    assert err.value.errors == {"resident_id": "转诊的居民与来源服务记录的居民不一致"}


def test_down_referral_has_no_follow_up_of_its_own(ws, referrals, patient):
    change = referrals.save(
        up(
            patient,
            direction="2",
            from_institution="五华区人民医院",
            to_institution=STATION,
            followup_done=True,
            followup_date="2026-11-12",
        )
    )
    values = referrals.values(change.record_id)
    assert values["followup_done"] is None and values["followup_date"] is None


# ---- the report's figures (built by hand) -------------------------------------------------
def test_figures_count_up_down_and_follow_up_within_two_weeks(ws, referrals, patient):
    rows = [  # (direction, referral date, follow-up date)
        ("1", "2026-07-01", "2026-07-15"),  # 14 days: within
        ("1", "2026-08-01", "2026-08-16"),  # 15 days: late
        ("1", "2026-09-10", None),  # never
        ("1", "2026-09-30", "2026-09-30"),  # same day: within
        ("2", "2026-07-20", None),
        ("2", "2026-09-29", None),
        ("1", "2026-06-30", "2026-07-02"),  # before the quarter
        ("2", "2026-10-01", None),  # after it
    ]
    for direction, day, done in rows:
        extra = {"followup_done": True, "followup_date": done} if done else {}
        referrals.save(up(patient, direction=direction, referral_date=day, **extra))
    deleted = referrals.save(up(patient, referral_date="2026-08-20")).record_id
    referrals.delete(deleted, "录重了")
    q3 = referrals.figures(D(2026, 7, 1), D(2026, 9, 30))
    assert q3 == ReferralFigures(up=4, down=2, followed_within=2)
    assert (q3.followed_within, q3.followup_denominator, q3.followup_share) == (2, 4, 0.5)
    assert figures(ws.store, ws.forms, D(2026, 7, 1), D(2026, 9, 30)) == q3  # the report's
    assert referrals.figures(D(2026, 1, 1), D(2026, 3, 31)).followup_share is None


def test_follow_up_window_is_the_two_weeks_after_the_referral():
    due = followup_due(D(2026, 11, 10), None)
    assert (due.start, due.end, due.label) == (D(2026, 11, 11), D(2026, 11, 24), "转诊后2周内随访")
    assert [
        due.status(d) for d in (D(2026, 11, 10), D(2026, 11, 11), D(2026, 11, 24), D(2026, 11, 25))
    ] == ["未到", "应访", "应访", "逾期"]
    assert followup_due(D(2026, 11, 10), D(2026, 11, 30)).status(D(2026, 12, 1)) == "已访"


def test_listing_shows_names_and_follow_up_status(ws, referrals, patient):
    referrals.save(up(patient, referral_date="2026-11-01"))
    referrals.save(
        up(
            patient,
            referral_date="2026-11-05",
            direction="2",
            from_institution="五华区人民医院",
            to_institution=STATION,
        )
    )
    rows = referrals.listing(D(2026, 11, 1), D(2026, 11, 30), on=TODAY)
    assert [(r["referral_date"], r["name"], r["followup"]) for r in rows] == [
        ("2026-11-05", "张三", None),
        ("2026-11-01", "张三", "逾期"),
    ]
    assert [
        r["direction"] for r in referrals.listing(D(2026, 11, 1), D(2026, 11, 30), direction="1")
    ] == ["1"]
