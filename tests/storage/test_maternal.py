"""Mothers (issue 14, part M): the whole 第1次产前检查 with the 2017 risk colour, the
prenatal visits refused outside the pregnancy (before its registration, after its
delivery) naming the dates, the visit windows on the worklist (2nd–5th by gestational
week, 产后访视 3–7 days after discharge, 42 days), the colour rules read from the form
files, and 孕产妇系统管理率 (mat.sys) on a station built by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ygt_desktop.core.report_model import Period, load_template
from ygt_desktop.paths import resources_dir
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.residents import ValidationFailed

TODAY = dt.date(2026, 11, 23)
TEMPLATE = load_template(resources_dir() / "templates" / "quarterly_report.toml")
FIRST: dict[str, Any] = {
    "exam_date": "2026-03-02",
    "lmp_date": "2026-01-05",
    "gravidity": "1",
    "parity": "0",
    "sbp": "110",
    "dbp": "70",
    "risk_screen": "1",
    "risk": "1",
}
FOLLOWUP: dict[str, Any] = {"visit_no": "2", "sbp": "112", "dbp": "72", "classification": "1"}
POSTPARTUM: dict[str, Any] = {
    "sbp": "110",
    "dbp": "70",
    "breast": "1",
    "lochia": "1",
    "uterus": "1",
    "wound": "3",
    "classification": "1",
}


def woman(ws, birth: str = "1996-04-01", name: str = "李娟") -> int:
    return ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": "2",
            "birth_date": birth,
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id


def save(ws, form: str, rid: int, **values: Any):
    return ws.services.save(form, values, rid, today=TODAY)


def deliver(ws, rid: int, day: str, discharged: str | None = None, live: str = "1") -> None:
    values = {"delivered_date": day, "place": "1", "mode": "1", "live_births": live}
    if discharged:
        values["discharged_date"] = discharged
    save(ws, "delivery", rid, **values)


def records(ws) -> int:
    return ws.store.conn.execute("SELECT count(*) FROM service_records").fetchone()[0]


@pytest.fixture
def pregnant(ws) -> int:
    rid = woman(ws)
    save(ws, "prenatal_first", rid, **FIRST)
    return rid


# ---- refused outside the pregnancy ------------------------------------------------------


def test_a_prenatal_visit_before_the_registration_is_refused_naming_both_dates(ws, pregnant):
    before = records(ws)
    with pytest.raises(ValidationFailed) as err:
        save(ws, "prenatal_followup", pregnant, exam_date="2026-02-20", **FOLLOWUP)
    message = err.value.errors["exam_date"]
    assert "2026-02-20" in message and "2026-03-02" in message and "建册" in message
    assert records(ws) == before  # nothing written
    save(ws, "prenatal_followup", pregnant, exam_date="2026-03-02", **FOLLOWUP)  # same day: ok


def test_a_prenatal_visit_after_the_delivery_is_refused_naming_both_dates(ws, pregnant):
    deliver(ws, pregnant, "2026-09-20", "2026-09-23")
    before = records(ws)
    with pytest.raises(ValidationFailed) as err:
        save(ws, "prenatal_followup", pregnant, exam_date="2026-09-25", **FOLLOWUP)
    message = err.value.errors["exam_date"]
    assert "2026-09-25" in message and "2026-09-20" in message and "分娩" in message
    assert records(ws) == before
    save(ws, "prenatal_followup", pregnant, exam_date="2026-09-20", **FOLLOWUP)


# ---- the risk colour --------------------------------------------------------------------


def test_each_colour_saves_with_a_notice_saying_what_to_do(ws):
    notices = {}
    for n, (risk, purple) in enumerate([("2", False), ("3", False), ("4", False), ("1", True)]):
        rid = woman(ws, name=f"孕妇{n}")
        values = {**FIRST, "risk_screen": "2", "risk": risk, "risk_factors": "瘢痕子宫"}
        if purple:
            values.update(risk_purple="1", hbsag="2")
        saved = save(ws, "prenatal_first", rid, **values)
        notices[(risk, purple)] = {o.id: o for o in saved.outcomes}
        # the colour is on the pregnancy's line of the timeline
        line = ws.services.timeline(rid)[0]
        assert any("妊娠风险" in a["message"] for a in line["alerts"])
    assert "二级以上" in notices[("2", False)]["risk_yellow"].message
    for key, rule in ((("3", False), "risk_orange"), (("4", False), "risk_red")):
        told = notices[key][rule]
        assert "专案管理" in told.message and "3日内" in told.message and "产后42天" in told.message
        assert told.referral is not None
    purple = notices[("1", True)]
    assert "母婴传播" in purple["risk_purple"].message and "infection_not_purple" not in purple


def test_colour_rules_come_from_the_form_files_and_agree(ws):
    first, followup = ws.forms["prenatal_first"], ws.forms["prenatal_followup"]
    ids = ("risk_yellow", "risk_orange", "risk_red", "risk_purple")
    of_first = {r.id: r for r in first.rules if r.id in ids}
    of_followup = {r.id: r for r in followup.rules if r.id in ids}
    assert set(of_first) == set(ids) == set(of_followup)
    for rule in ids:
        a, b = of_first[rule], of_followup[rule]
        assert (a.message, a.recheck_days, a.referral) == (b.message, b.recheck_days, b.referral)
    assert first.field("risk").choice_labels == followup.field("risk").choice_labels


@pytest.mark.parametrize(
    ("birth", "values", "refused"),
    [
        ("1984-01-01", {"risk_screen": "2", "risk": "2", "risk_factors": "高龄"}, "至少为橙色"),
        ("1984-01-01", {"risk_screen": "2", "risk": "3", "risk_factors": "高龄"}, None),
        ("1989-06-01", {"risk_screen": "2", "risk": "1"}, "至少为黄色"),
        ("1996-04-01", {"risk_screen": "1", "risk": "2", "risk_factors": "x"}, "筛查阴性"),
        ("1996-04-01", {"risk_screen": "1", "risk": "1", "risk_purple": "1"}, "筛查阴性"),
    ],
)
def test_the_colour_is_never_below_what_age_gives(ws, birth, values, refused):
    rid = woman(ws, birth)
    if refused is None:
        save(ws, "prenatal_first", rid, **{**FIRST, **values})
        return
    with pytest.raises(ValidationFailed) as err:
        save(ws, "prenatal_first", rid, **{**FIRST, **values})
    assert refused in err.value.errors["risk"]


def test_high_risk_factors_are_required_from_yellow_on(ws):
    rid = woman(ws)
    with pytest.raises(ValidationFailed) as err:
        save(ws, "prenatal_first", rid, **{**FIRST, "risk_screen": "2", "risk": "2"})
    assert "risk_factors" in err.value.errors


def test_lab_limits_block_and_normal_ranges_notify(ws):
    rid = woman(ws)
    with pytest.raises(ValidationFailed) as err:
        save(ws, "prenatal_first", rid, **{**FIRST, "glucose": "80", "tbil": "5", "dbil": "9"})
    assert set(err.value.errors) >= {"glucose", "dbil"}
    saved = save(
        ws,
        "prenatal_first",
        rid,
        **{**FIRST, "haemoglobin": "98", "glucose": "5.6", "rh": "1", "heart": "1"},
    )
    assert {"hb_range", "glucose_range", "rh_negative"} <= {o.id for o in saved.outcomes}


# ---- windows on the worklist ------------------------------------------------------------


def test_prenatal_windows_by_gestational_week_and_none_after_delivery(ws, pregnant):
    lmp = dt.date(2026, 1, 5)
    due = [
        d for d in ws.worklist.pending(pregnant, dt.date(2026, 3, 3)) if d.programme == "prenatal"
    ]
    assert [(d.start, d.end) for d in due] == [
        (lmp + dt.timedelta(weeks=a), lmp + dt.timedelta(weeks=b + 1, days=-1))
        for a, b in ((16, 20), (21, 24), (28, 36), (37, 41))
    ]
    save(ws, "prenatal_followup", pregnant, exam_date="2026-05-04", **FOLLOWUP)  # week 17
    deliver(ws, pregnant, "2026-07-20", "2026-07-23")  # week 28: visits 5 gone
    left = [
        d for d in ws.worklist.pending(pregnant, dt.date(2026, 7, 24)) if d.programme == "prenatal"
    ]
    assert all(d.start <= dt.date(2026, 7, 20) for d in left)


def test_postpartum_visit_three_to_seven_days_after_discharge_and_the_42_day_check(ws, pregnant):
    deliver(ws, pregnant, "2026-09-20", "2026-09-23")
    due = {d.form_id: d for d in ws.worklist.pending(pregnant, dt.date(2026, 9, 24))}
    visit = due["postpartum_visit"]
    assert (visit.start, visit.end) == (dt.date(2026, 9, 26), dt.date(2026, 9, 30))
    assert "3～7" in visit.label
    assert due["postpartum_42d"].start == dt.date(2026, 11, 1)
    save(ws, "postpartum_visit", pregnant, visit_date="2026-09-27", **POSTPARTUM)
    left = {d.form_id for d in ws.worklist.pending(pregnant, dt.date(2026, 9, 28))}
    assert "postpartum_visit" not in left and "postpartum_42d" in left


def test_the_42_day_check_with_closing_ends_the_pregnancy(ws, pregnant):
    deliver(ws, pregnant, "2026-09-20", "2026-09-23")
    save(
        ws,
        "postpartum_42d",
        pregnant,
        exam_date="2026-11-02",
        outcome="1",
        **{k: v for k, v in POSTPARTUM.items()},
    )
    assert ws.services.open_episode(pregnant, "pregnancy") is None
    on = dt.date(2026, 11, 3)
    pending = ws.worklist.pending(pregnant, on)
    assert not [d for d in pending if d.form_id == "postpartum_42d"]  # done
    assert not [d for d in pending if d.start > on]  # nothing more for a closed pregnancy
    with pytest.raises(ValidationFailed):
        save(ws, "prenatal_followup", pregnant, exam_date="2026-11-03", **FOLLOWUP)


# ---- 孕产妇系统管理率 ---------------------------------------------------------------------


def managed_pregnancy(ws, rid: int, followups: int, postpartum: bool, live: str = "1") -> None:
    save(ws, "prenatal_first", rid, **FIRST)  # week 8
    for n, day in enumerate(["2026-05-04", "2026-06-08", "2026-07-27", "2026-09-21"][:followups]):
        save(ws, "prenatal_followup", rid, **{**FOLLOWUP, "visit_no": str(n + 2), "exam_date": day})
    deliver(ws, rid, "2026-09-28", "2026-10-01", live)
    if postpartum:
        save(ws, "postpartum_visit", rid, visit_date="2026-10-05", **POSTPARTUM)


def test_mat_sys_counts_managed_women_over_live_births(ws):
    full = woman(ws, name="甲")
    managed_pregnancy(ws, full, 4, True, live="2")  # twins: 1 woman, 2 live births
    short = woman(ws, name="乙")
    managed_pregnancy(ws, short, 3, True)  # 4 prenatal checks
    unvisited = woman(ws, name="丙")
    managed_pregnancy(ws, unvisited, 4, False)
    got = Indicators(ws.store, ws.forms, TEMPLATE, None).compute(Period.parse("2026Q4"))["mat.sys"]
    value = got.value()
    assert (got.records, got.record_denominator) == (1, 4)
    assert got.numerator == {full} and got.denominator == {full, short, unvisited}
    assert got.gap() == {short, unvisited}  # the 名单 of those not managed
    assert value.numerator == 1 and value.denominator == 4


def test_the_current_colour_follows_the_pregnancy_on_the_worklist(ws, pregnant):
    on = dt.date(2026, 3, 3)
    labels = [d.label for d in ws.worklist.pending(pregnant, on) if d.programme == "prenatal"]
    assert labels and all(label.endswith("·绿色") for label in labels)
    save(
        ws,
        "prenatal_followup",
        pregnant,
        exam_date="2026-05-04",
        risk="3",
        risk_purple="1",
        risk_factors="妊娠期高血压疾病、梅毒",
        **FOLLOWUP,
    )
    labels = [d.label for d in ws.worklist.pending(pregnant, dt.date(2026, 5, 5))]
    assert labels and all(label.endswith("·橙色+紫色") for label in labels)
    kept = {
        i.due.label for i in ws.worklist.items(dt.date(2026, 5, 1), dt.date(2026, 12, 31), TODAY)
    }
    assert any(label.endswith("·橙色+紫色") for label in kept)


def test_a_worklist_gather_reads_the_colours_once(ws, pregnant):
    """产前 and 产后 ask for the pregnancies' colours with the same ``since``: read once
    per gather (memoised per worklist, scope and ``since`` until the next write)."""
    read: list[str] = []
    ws.store.conn.set_trace_callback(lambda sql: "risk_purple" in sql and read.append(sql))
    try:
        due = ws.worklist.pending(pregnant, dt.date(2026, 3, 3))
    finally:
        ws.store.conn.set_trace_callback(None)
    assert any(d.programme == "prenatal" for d in due) and len(read) == 1
