"""The worklist's views (issue 12, point 6: "this week" listed 1,286 people, mostly
year-long and quarter-long windows).

Requirements held here: the 到期 view lists the dated visits whose window ends in the
range, and the overdue ones from before it that are still open — not done, no record
of their form since — for OVERDUE_DAYS; a quarter-long chronic window shows when its end
falls in the range or once it is overdue, not for the whole quarter; a missed child
check gives way to the next one once that one's window opens, and leaves the list when
the child is past the form's age; year-long services are never in 到期 but in 本年未做
(not done only); 全部 is the old list; every label names its programme; one line per
resident with all their items, the worst status first.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage.test_worklist import TODAY, visit
from ygt_desktop.core import schedules as sch
from ygt_desktop.storage.worklist import (
    ALL_VIEW,
    DUE_VIEW,
    OVERDUE_DAYS,
    YEARLY_FORMS,
    YEARLY_VIEW,
    by_resident,
)

D = dt.date
ON = D(2026, 11, 25)  # a Wednesday
WEEK = (D(2026, 11, 23), D(2026, 11, 29))


def person(ws, name: str, birth: str) -> int:
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": birth,
            "village_code": "101",
            "archive_date": "2019-01-01",
        }
    ).record_id


def labels(ws, start, end, view=DUE_VIEW, on=ON, **kw) -> list[tuple[str, str]]:
    return [(i.due.label, i.status) for i in ws.worklist.items(start, end, on, view=view, **kw)]


@pytest.fixture
def patient(ws) -> int:
    """张三, 76, with 高血压 registered in January 2026 and no follow-up since."""
    rid = person(ws, "张三", "1950-03-01")
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        rid,
        today=TODAY,
    )
    return rid


def test_a_quarter_shows_when_it_ends_or_once_overdue_never_for_the_whole_quarter(ws, patient):
    # Q3 (ended 09-30) is overdue and open; Q4 ends 12-31, after the week; Q1 and Q2
    # ended more than OVERDUE_DAYS before the week; the yearly services are elsewhere.
    assert labels(ws, *WEEK) == [("高血压随访（2026年第3季度）", "逾期")]
    assert WEEK[0] - D(2026, 6, 30) > dt.timedelta(days=OVERDUE_DAYS)
    # the week the quarter ends
    last = (D(2026, 12, 28), D(2027, 1, 3))
    assert ("高血压随访（2026年第4季度）", "应访") in labels(ws, *last, on=D(2026, 12, 29))
    # 全部 is the old list: every window that overlaps the week
    everything = labels(ws, *WEEK, view=ALL_VIEW)
    assert ("高血压随访（2026年第4季度）", "应访") in everything
    assert ("健康体检（2026年）", "应访") in everything


def test_a_later_record_closes_an_overdue_window_in_the_record_sense(ws, patient):
    visit(ws, patient, "2026-11-10", method="3")  # by phone: Q4 is still not done
    assert labels(ws, *WEEK) == []  # but the patient was seen since Q3
    q3 = (D(2026, 7, 1), D(2026, 9, 30))
    assert ("高血压随访（2026年第3季度）", "逾期") in labels(ws, *q3, view=ALL_VIEW)


def test_an_open_recheck_from_before_the_range_names_its_programme(ws, patient):
    visit(ws, patient, "2026-10-20", sbp=170)  # uncontrolled: re-check by 11-03
    assert labels(ws, *WEEK) == [("高血压复查随访（2周内）", "逾期")]
    visit(ws, patient, "2026-11-24")
    assert labels(ws, *WEEK) == []


def test_a_missed_child_check_gives_way_to_the_next_and_to_the_childs_age(ws):
    seven_months = person(ws, "小明", "2026-04-10")  # 6 months: 10-10 … 11-09; 8: 12-10
    nine_months = person(ws, "小红", "2026-03-01")  # 6 months missed, 8 months open since 11-01
    aged_out = person(ws, "小刚", "2019-10-01")  # 6岁 check missed; 7 since 2026-10-01
    got = {
        (i.resident["name"], i.due.label, i.status)
        for i in ws.worklist.items(*WEEK, ON, view=DUE_VIEW, packages=["妇幼包"])
    }
    assert ("小明", "儿童健康检查（6月龄）", "逾期") in got
    assert {name for name, _, _ in got} == {"小明"}
    assert nine_months and aged_out
    old = ws.worklist.items(D(2026, 9, 1), D(2026, 9, 30), ON, view=ALL_VIEW)
    assert ("儿童健康检查（6岁）", "逾期") in {
        (i.due.label, i.status) for i in old if i.resident["id"] == aged_out
    }
    ws.services.save(
        "child_check_infant",
        {"exam_date": "2026-11-20", "weight": "8.5", "length": "70"},
        seven_months,
        today=TODAY,
    )
    again = ws.worklist.items(*WEEK, ON, view=DUE_VIEW, packages=["妇幼包"])
    assert "小明" not in {i.resident["name"] for i in again}


def test_year_long_services_are_their_own_view_not_done_only(ws, patient):
    assert not any(
        i.due.programme in YEARLY_FORMS for i in ws.worklist.items(*WEEK, ON, view=DUE_VIEW)
    )
    assert sorted(labels(ws, *WEEK, view=YEARLY_VIEW)) == [
        ("中医体质辨识（2026年）", "应访"),
        ("健康体检（2026年）", "应访"),
    ]
    ws.services.save(
        "tcm_elderly",
        {"exam_date": "2026-11-02", "guidance": "1", **{f"q{n}": "1" for n in range(1, 34)}},
        patient,
        today=TODAY,
    )
    assert labels(ws, *WEEK, view=YEARLY_VIEW) == [("健康体检（2026年）", "应访")]


def test_one_line_per_resident_with_every_item_worst_status_first(ws, patient):
    visit(ws, patient, "2026-11-20", sbp=170)  # a re-check due by 12-04
    other = person(ws, "李四", "1960-01-01")
    ws.services.save(
        "dm_register",
        {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"},
        other,
        today=TODAY,
    )
    items = ws.worklist.items(D(2026, 11, 23), D(2026, 12, 6), ON, view=DUE_VIEW)
    lines = by_resident(items)
    assert [line.resident["name"] for line in lines] == ["李四", "张三"]
    assert [line.status for line in lines] == [sch.OVERDUE, sch.DUE]
    assert [i.due.label for i in lines[0].items] == ["2型糖尿病随访（2026年第3季度）"]
    assert lines[1].id == patient and lines[1].first_end == D(2026, 12, 4)
    assert {i.due.label for i in items if i.resident["id"] == patient} == {
        i.due.label for i in lines[1].items
    }


def test_an_unknown_view_is_refused(ws):
    with pytest.raises(ValueError, match="视图"):
        ws.worklist.items(*WEEK, ON, view="过期")
