"""The 2-week follow-up of each up-referral is on the worklist (待办随访), issue 4:
window = referral date + 1 … + 14 days, done on the follow-up date once recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.storage.referrals import Referrals
from ygt_desktop.storage.worklist import PROGRAMME_PACKAGE

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def referrals(ws):
    return Referrals(ws.store, ws.forms)


@pytest.fixture
def rid(ws):
    return ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id


def refer(referrals, rid, day, direction="1", **extra):
    return referrals.save(
        {
            "direction": direction,
            "referral_date": day,
            "resident_id": rid,
            "urgency": "1",
            "from_institution": "测试社区卫生服务站",
            "to_institution": "五华区人民医院",
            "reason": "血压≥180/110mmHg",
            **extra,
        }
    ).record_id


def items(ws, start, end, on=TODAY, **kw):
    return [
        (i.due.label, i.due.start, i.due.end, i.status, i.due.done)
        for i in ws.worklist.items(start, end, on, **kw)
        if i.due.programme == "referral"
    ]


def test_up_referral_is_due_for_two_weeks_then_done_after_recording(ws, referrals, rid):
    ref = refer(referrals, rid, "2026-11-15")
    refer(
        referrals,
        rid,
        "2026-11-16",
        direction="2",
        from_institution="五华区人民医院",
        to_institution="测试社区卫生服务站",
    )  # down: nothing to follow up here
    assert items(ws, D(2026, 11, 16), D(2026, 11, 30)) == [
        ("转诊后2周内随访", D(2026, 11, 16), D(2026, 11, 29), "应访", None)
    ]
    referrals.save(
        {
            "followup_done": True,
            "followup_date": "2026-11-22",
            "followup_result": "已住院，血压平稳",
        },
        ref,
    )
    assert items(ws, D(2026, 11, 16), D(2026, 11, 30)) == [
        ("转诊后2周内随访", D(2026, 11, 16), D(2026, 11, 29), "已访", D(2026, 11, 22))
    ]
    [item] = ws.worklist.items(
        D(2026, 11, 16), D(2026, 11, 30), TODAY, statuses=["已访"], packages=["双向转诊"]
    )
    assert (item.resident["name"], item.package) == ("张三", "双向转诊")


def test_window_overlap_with_the_range(ws, referrals, rid):
    refer(referrals, rid, "2026-11-01")  # window 11-02 … 11-15
    assert items(ws, D(2026, 11, 15), D(2026, 11, 30))[0][3] == "逾期"
    assert items(ws, D(2026, 11, 16), D(2026, 11, 30)) == []
    assert items(ws, D(2026, 10, 1), D(2026, 11, 1)) == []  # starts the day after
    assert items(ws, D(2026, 10, 1), D(2026, 11, 2))[0][1:3] == (D(2026, 11, 2), D(2026, 11, 15))
    assert items(ws, D(2026, 11, 1), D(2026, 11, 30), on=D(2026, 11, 1))[0][3] == "未到"


def test_late_follow_up_still_closes_the_item(ws, referrals, rid):
    refer(referrals, rid, "2026-10-01", followup_done=True, followup_date="2026-10-20")
    assert items(ws, D(2026, 10, 1), D(2026, 10, 31))[0][3:] == ("已访", D(2026, 10, 20))
    assert referrals.figures(D(2026, 10, 1), D(2026, 10, 31)).followed_within == 0


def test_cache_refreshes_after_a_referral_is_saved_or_deleted(ws, referrals, rid):
    assert items(ws, D(2026, 11, 1), D(2026, 11, 30)) == []
    ref = refer(referrals, rid, "2026-11-10")
    assert len(items(ws, D(2026, 11, 1), D(2026, 11, 30))) == 1
    referrals.delete(ref, "录错了")
    assert items(ws, D(2026, 11, 1), D(2026, 11, 30)) == []


def test_package_filter_keeps_or_drops_the_follow_ups(ws, referrals, rid):
    refer(referrals, rid, "2026-11-10")
    assert PROGRAMME_PACKAGE["referral"] == "双向转诊"
    assert items(ws, D(2026, 11, 1), D(2026, 11, 30), packages=["疾控包"]) == []
    assert len(items(ws, D(2026, 11, 1), D(2026, 11, 30), packages=["双向转诊"])) == 1


def test_resident_who_moved_away_before_the_window_is_left_out(ws, referrals, rid):
    refer(referrals, rid, "2026-11-10")
    ws.residents.close(rid, "迁出", D(2026, 11, 10), "")
    assert items(ws, D(2026, 11, 1), D(2026, 11, 30)) == []
