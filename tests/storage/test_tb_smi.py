"""肺结核 服药卡 and 规则服药率, 严重精神障碍 next follow-up by class and 应急处置
(issue 14, part T; spec forms-national.md §7.2–7.3, §8.2, §11 smi.mgmt)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage import indicators_reference as reference
from tests.storage.test_indicators import BASE, TEMPLATE, person
from ygt_desktop.core import schedules as sch
from ygt_desktop.core.report_model import Period
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.services import ValidationFailed

D = dt.date
TODAY = D(2026, 12, 20)


def compute(ws, period: str, code: str):
    """``code``'s Counted for ``period``, held equal to the reference computation."""
    got = Indicators(ws.store, ws.forms, TEMPLATE, BASE).compute(Period.parse(period))
    old = reference.compute(ws.store, ws.forms, TEMPLATE, BASE, Period.parse(period), [code])
    assert reference.differences({code: got[code]}, old) == []
    return got[code]


def tb_course(ws, rid, months, outcome="2", typed=None):
    """A TB case notified 2026-01-05 with a follow-up per entry of ``months``
    ((month, due, taken) card rows; None: a visit without a card, as before issue 14),
    the last one closing the course with ``outcome`` and, if given, the typed totals."""
    ws.services.save(
        "tb_notify",
        {"notified_date": "2026-01-05", "diagnosis": "1", "source": "1"},
        rid,
        today=TODAY,
    )
    ws.services.save(
        "tb_first_visit",
        {"visit_date": "2026-01-07", "visit_method": "2", "phase": "1", "supervisor": "1"},
        rid,
        today=TODAY,
    )
    for n, card in enumerate(months):
        day = sch.add_months(D(2026, 2, 1), n).isoformat()
        values = {
            "visit_date": day,
            "phase": "1" if n < 2 else "2",
            "visit_method": "2",
            "doses_prescribed": "30",
            "doses_missed": "0",
        }
        if card is not None:
            values["dose_card"] = [{"month": m, "due": d, "taken": t} for m, d, t in card]
        if n == len(months) - 1:
            values.update({"treatment_outcome": outcome, "stop_date": day})
            if typed is not None:
                values.update({"course_doses_due": typed[0], "course_doses_taken": typed[1]})
        ws.services.save("tb_followup", values, rid, today=TODAY, confirm=True)


def month_rows(first: int, takes: list[int]) -> list[list[tuple[str, int, int]]]:
    return [[(f"2026-{first + i:02d}", 30, t)] for i, t in enumerate(takes)]


def test_regular_medication_from_the_dose_card_and_typed_totals_of_old_courses(ws):
    """tb.regular (indicators.md): of the courses completed in the window, those with
    ≥ 90 % of the doses due taken — summed from the 服药卡 over the whole course; a
    course without any card rows counts by its typed totals as before."""
    regular = person(ws, "甲", "1970-01-01")
    tb_course(ws, regular, month_rows(1, [30, 27, 28, 30, 26, 29]))  # 170/180 = 94.4 %
    just = person(ws, "乙", "1971-01-01")
    tb_course(ws, just, month_rows(1, [30, 20, 28, 30, 26, 29]))  # 163/180 = 90.6 %
    irregular = person(ws, "庚", "1976-01-01")
    tb_course(ws, irregular, month_rows(1, [30, 20, 28, 30, 20, 29]))  # 157/180 = 87.2 %
    old_regular = person(ws, "丙", "1972-01-01")
    tb_course(ws, old_regular, [None] * 6, typed=("180", "170"))
    old_irregular = person(ws, "丁", "1973-01-01")
    tb_course(ws, old_irregular, [None] * 6, typed=("180", "150"))
    card_wins = person(ws, "戊", "1974-01-01")  # the card (80 %) wins over typed 100 %
    tb_course(ws, card_wins, month_rows(1, [24, 24, 24, 24, 24, 24]), typed=("180", "180"))
    died = person(ws, "己", "1975-01-01")
    tb_course(ws, died, month_rows(1, [30, 30]), outcome="4")
    got = compute(ws, "2026Q4", "tb.regular")
    assert got.denominator == {regular, just, irregular, old_regular, old_irregular, card_wins}
    assert got.numerator == {regular, just, old_regular}


def test_dose_card_row_names_its_problem(ws):
    rid = person(ws, "甲", "1970-01-01")
    tb_course(ws, rid, [])
    with pytest.raises(ValidationFailed) as failed:
        ws.services.save(
            "tb_followup",
            {
                "visit_date": "2026-02-01",
                "phase": "1",
                "visit_method": "2",
                "doses_prescribed": "30",
                "doses_missed": "0",
                "dose_card": [{"month": "2026-01", "due": 30, "taken": 31}],
            },
            rid,
            today=TODAY,
        )
    assert any("实际服药次数不应多于应服药次数" in str(e) for e in failed.value.errors.values())


def smi_patient(ws, name="庚"):
    rid = person(ws, name, "1980-05-05")
    ws.services.save(
        "smi_register",
        {
            "register_date": "2026-01-10",
            "consent": "1",
            "diagnosis": "1",
            "diagnosis_date": "2025-12-01",
        },
        rid,
        today=TODAY,
    )
    return rid


def smi_visit(ws, rid, day, risk, stability):
    return ws.services.save(
        "smi_followup",
        {
            "visit_date": day,
            "visit_method": "2",
            "risk_grade": risk,
            "adherence": "1",
            "stability": stability,
        },
        rid,
        today=TODAY,
        confirm=True,
    )


def next_items(ws, rid, start, end, on=TODAY):
    return sorted(
        (i.due.label, i.due.start, i.due.end, i.status)
        for i in ws.worklist.items(start, end, on)
        if i.resident["id"] == rid and "下次随访" in i.due.label
    )


def test_next_mental_illness_followup_follows_the_class(ws):
    """§8.2: 不稳定 (risk ≥ 3) → refer and see again within 2 weeks; 基本稳定 → 2
    weeks; 稳定 → 3 months (the form's [schedule] next_visit), with the notices."""
    rid = smi_patient(ws)
    saved = smi_visit(ws, rid, "2026-11-02", "4", "3")
    notices = [o.message for o in saved.outcomes]
    assert any("立即转诊" in m for m in notices)
    assert ws.store.conn.execute(
        "SELECT referral FROM service_records WHERE id = ?", (saved.change.record_id,)
    ).fetchone()[0]
    assert next_items(ws, rid, D(2026, 11, 1), D(2026, 11, 30), on=D(2026, 11, 10)) == [
        ("严重精神障碍下次随访（不稳定，2周内）", D(2026, 11, 3), D(2026, 11, 16), "应访")
    ]
    smi_visit(ws, rid, "2026-11-12", "1", "2")
    smi_visit(ws, rid, "2026-12-01", "0", "1")  # 基本稳定's 2 weeks missed: seen late
    assert next_items(ws, rid, D(2026, 11, 1), D(2027, 3, 31)) == sorted(
        [
            ("严重精神障碍下次随访（不稳定，2周内）", D(2026, 11, 3), D(2026, 11, 16), "已访"),
            ("严重精神障碍下次随访（基本稳定，2周内）", D(2026, 11, 13), D(2026, 11, 26), "逾期"),
            ("严重精神障碍下次随访（稳定，3个月内）", D(2026, 12, 2), D(2027, 3, 1), "应访"),
        ]
    )
    assert ws.worklist.items(D(2026, 11, 1), D(2027, 3, 31), TODAY) == (
        ws.worklist.recompute_items(D(2026, 11, 1), D(2027, 3, 31), TODAY)
    )


def test_closing_the_register_ends_the_next_followup(ws):
    rid = smi_patient(ws)
    smi_visit(ws, rid, "2026-12-01", "2", "2")
    reg = ws.store.conn.execute(
        "SELECT h.id FROM service_records h WHERE h.form_id = 'smi_register'"
    ).fetchone()[0]
    ws.store.conn.execute(
        "UPDATE f_smi_register SET closed_date = '2026-12-05', close_reason = '1' "
        "WHERE record_id = ?",
        (reg,),
    )
    got = next_items(ws, rid, D(2026, 12, 1), D(2026, 12, 31), on=D(2026, 12, 20))
    assert [status for *_, status in got] == [sch.CLOSED]


def test_smi_managed_rate_counts_any_followup_in_the_year(ws):
    """smi.mgmt (§11): registered patients followed up at least once in the window."""
    seen = smi_patient(ws, "甲")
    smi_visit(ws, seen, "2026-03-01", "0", "1")
    unseen = smi_patient(ws, "乙")
    got = compute(ws, "2026Q2", "smi.mgmt")
    assert (got.numerator, got.denominator) == ({seen}, {seen, unseen})
    assert str(got.value().value) == "50.0"


def test_emergency_record_saved_and_refused_when_incomplete(ws):
    rid = smi_patient(ws)
    with pytest.raises(ValidationFailed) as failed:
        ws.services.save(
            "smi_emergency",
            {"event_date": "2026-12-01", "risk_grade": "4", "situation": "持刀威胁家人"},
            rid,
            today=TODAY,
        )
    assert {"measures", "police", "medical", "outcome"} <= set(failed.value.errors)
    assert ws.store.conn.execute("SELECT count(*) FROM f_smi_emergency").fetchone()[0] == 0
    saved = ws.services.save(
        "smi_emergency",
        {
            "event_date": "2026-12-01",
            "risk_grade": "4",
            "situation": "持刀威胁家人",
            "measures": ["1", "4"],
            "police": False,
            "medical": True,
            "medical_institution": "县精神卫生中心",
            "outcome": "3",
        },
        rid,
        today=TODAY,
    )
    assert any("公安" in o.message for o in saved.outcomes)
    nobody = person(ws, "辛", "1990-01-01")
    with pytest.raises(ValidationFailed):
        ws.services.save(
            "smi_emergency",
            {"event_date": "2026-12-01", "risk_grade": "0", "situation": "无"},
            nobody,
            today=TODAY,
        )


def test_supervision_report_needs_its_category_an_inspection_does_not(ws):
    """§10: 信息报告登记表 prints 信息类别; 巡查登记表 does not."""
    with pytest.raises(ValidationFailed) as failed:
        ws.services.save(
            "supervision_log",
            {
                "record_type": "1",
                "found_date": "2026-05-01",
                "description": "学校饮用水浑浊",
                "reported": False,
            },
            None,
            today=TODAY,
        )
    assert failed.value.errors == {"kind": "信息报告请选择信息类别"}
    saved = ws.services.save(
        "supervision_log",
        {"record_type": "2", "found_date": "2026-05-02", "inspection_type": "村小学饮用水"},
        None,
        today=TODAY,
    )
    assert saved.change.record_id
