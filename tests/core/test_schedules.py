"""Schedules across year ends, leap days and late entries (issue 3, tests section)."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core import schedules as s

D = dt.date


def test_add_months_clamps_to_month_end_and_leap_day():
    assert s.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert s.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert s.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert s.add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


def test_chronic_quarters_from_registration_across_the_year_end():
    items = s.chronic_quarters(
        "htn",
        "htn_followup",
        D(2025, 11, 20),
        [D(2025, 12, 1), D(2026, 2, 10), D(2026, 5, 3)],
        D(2026, 8, 1),
    )
    assert [(i.label, i.done) for i in items] == [
        ("高血压随访（2025年第4季度）", D(2025, 12, 1)),
        ("高血压随访（2026年第1季度）", D(2026, 2, 10)),
        ("高血压随访（2026年第2季度）", D(2026, 5, 3)),
        ("高血压随访（2026年第3季度）", None),
    ]
    q3 = items[-1]
    assert q3.status(D(2026, 8, 1)) == s.DUE
    assert q3.status(D(2026, 10, 1)) == s.OVERDUE


def test_a_late_entry_still_closes_its_window():
    # the visit of 2026-03-30 was typed in April: the Q1 window is still done
    items = s.chronic_quarters(
        "htn", "htn_followup", D(2026, 1, 5), [D(2026, 3, 30)], D(2026, 4, 10)
    )
    assert items[0].status(D(2026, 4, 10)) == s.DONE


def test_closed_as_lost_marks_later_windows_lost():
    items = s.chronic_quarters(
        "htn",
        "htn_followup",
        D(2026, 1, 5),
        [D(2026, 2, 1)],
        D(2026, 12, 31),
        closed_on=D(2026, 5, 20),
        lost=True,
    )
    assert [i.status(D(2026, 12, 31)) for i in items] == [s.DONE, s.OVERDUE, s.LOST, s.LOST]


def test_recheck_within_two_weeks_done_late_is_still_overdue():
    items = s.rechecks(
        "htn", "htn_followup", [D(2026, 6, 1), D(2026, 6, 20)], [(D(2026, 6, 1), D(2026, 6, 15))]
    )
    assert items[0].done is None
    assert items[0].status(D(2026, 6, 16)) == s.OVERDUE
    assert items[0].label == "高血压复查随访（2周内）"


def test_yearly_from_the_65th_birthday_on_a_leap_day():
    birth = D(1960, 2, 29)  # 65 on 2025-02-28 (no 29 February in 2025)
    from_65 = [(s.add_months(birth, 12 * 65), None)]
    items = s.yearly_spans(
        "elderly", "elderly_exam", "老年人健康体检", from_65, [D(2026, 3, 1)], [2024, 2025, 2026]
    )
    assert [(i.start, i.done) for i in items] == [
        (D(2025, 2, 28), None),
        (D(2026, 1, 1), D(2026, 3, 1)),
    ]
    assert items[-1].label == "老年人健康体检（2026年）"


BANDS = [
    ("infant", {"full_month_days": [28, 30], "points_months": [3, 6, 8]}),
    ("toddler", {"points_months": [12, 18, 24, 30], "windows_months": [1, 1, 1, 1]}),
    ("preschool", {"points_months": [36, 48, 60, 72], "windows_months": [1, 12, 12, 12]}),
]


def test_child_check_windows_from_the_band_forms_schedules():
    points = s.child_points(reversed(BANDS))  # any order of forms: by age
    assert [s.check_name(p) for p in points][:5] == ["满月", "3月龄", "6月龄", "8月龄", "12月龄"]
    windows = list(s.child_windows(D(2025, 12, 31), points))
    assert windows[0] == ("infant", "满月", D(2026, 1, 28), D(2026, 1, 30))
    assert windows[1] == ("infant", "3月龄", D(2026, 3, 31), D(2026, 4, 29))
    # 6 and 8 months: the 6-month window never runs into the 8-month one
    assert windows[2][3] < windows[3][2]
    four = next(w for w in windows if w[1] == "4岁")
    assert four == ("preschool", "4岁", D(2029, 12, 31), D(2030, 12, 30))


def test_the_age_limit_is_the_end_of_the_last_window():
    assert s.age_limit(s.child_points(BANDS)) == (84, 0)  # 72 months + 12: 7 years
    tcm = s.child_points([("tcm_child", {"points_months": [6, 12, 18, 24, 30, 36]})])
    assert s.age_limit(tcm) == (37, 0)
    assert s.age_limit(s.child_points([("x", {"full_month_days": [28, 30]})])) == (0, 31)


def test_the_weeks_count_from_the_lmp_or_the_typed_weeks_when_it_is_unknown():
    assert s.dated_from(D(2026, 1, 1), D(2026, 3, 1), 8) == D(2026, 1, 1)
    assert s.dated_from(None, D(2026, 3, 1), 8) == D(2026, 1, 4)  # 8 weeks before
    assert s.dated_from(None, D(2026, 3, 1), None) is None


@pytest.mark.parametrize(
    ("lmp", "second"),
    [
        (D(2026, 1, 1), (D(2026, 4, 23), D(2026, 5, 27))),
        (D(2023, 11, 20), (D(2024, 3, 11), D(2024, 4, 14))),  # across 29 Feb 2024
    ],
)
def test_prenatal_windows_by_gestational_week(lmp, second):
    items = s.prenatal(lmp, [], None)
    assert (items[0].start, items[0].end) == second
    assert [i.label[:5] for i in items] == ["第2次产前", "第3次产前", "第4次产前", "第5次产前"]


def test_no_prenatal_visits_due_after_delivery():
    items = s.prenatal(D(2026, 1, 1), [], delivered=D(2026, 7, 1))
    assert [i.label[:3] for i in items] == ["第2次", "第3次"]  # 26 weeks: 28–36 not due


def test_postpartum_visit_within_seven_days_of_discharge_across_new_year():
    due = s.after_event(
        "postpartum", "postpartum_visit", "产后访视", D(2025, 12, 28), 0, 7, [D(2026, 1, 3)]
    )
    assert (due.start, due.end, due.done) == (D(2025, 12, 28), D(2026, 1, 4), D(2026, 1, 3))


def test_tb_first_visit_in_72_hours_then_every_10_days_then_monthly():
    items = s.tb_visits(D(2026, 3, 1), [D(2026, 3, 3)], [D(2026, 3, 9)], until=D(2026, 6, 30))
    assert items[0].done == D(2026, 3, 3)
    assert items[0].label == "肺结核第一次入户随访（72小时内）"
    assert items[1].label == "肺结核强化期随访" and items[1].done == D(2026, 3, 9)
    assert items[-1].label == "肺结核继续期随访"
    assert (items[-1].end - items[-1].start).days == 29


def test_every_label_names_its_programme():
    """Issue 12: "复查随访（2周内）" did not say hypertension or diabetes. The names come
    from one table (the registers' from the form files' programmes)."""
    assert s.programme_name("htn") == "高血压" and s.programme_name("dm") == "2型糖尿病"
    quarter = s.chronic_quarters("dm", "dm_followup", D(2026, 1, 5), [], D(2026, 3, 1))[0]
    recheck = s.rechecks("smi", "smi_followup", [], [(D(2026, 6, 1), D(2026, 6, 15))])[0]
    assert quarter.label == "2型糖尿病随访（2026年第1季度）"
    assert recheck.label == "严重精神障碍复查随访（2周内）"
