"""The demo's 肺结核 服药卡 and 严重精神障碍 follow-ups (issue 14, part T): doses by month
with some missed, risk mostly 0–1 and few ≥ 3, each follow-up the next within the
interval its class asks (or late), a few 应急处置 records. Every record is checked
against its form in tests/demo/test_demo_services.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import pytest

from tests.demo.test_demo_services import TODAY, make_people
from ygt_desktop.core.tcm import ScoringConfig
from ygt_desktop.demo.services import Record, generate_services
from ygt_desktop.storage.worklist_tb_smi import next_visit_plan


@pytest.fixture(scope="module")
def records(forms: Any) -> list[Record]:
    scoring = ScoringConfig.from_settings(forms["tcm_elderly"].settings)
    return list(generate_services(make_people(4, 3_000), TODAY, 5, scoring=scoring))


def test_dose_card_adds_up_to_the_visit_and_the_course(records):
    courses: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for form_id, _, _, key, values in records:
        if form_id == "tb_followup":
            courses[key].append(values)
    assert courses
    missed_any = False
    for visits in courses.values():
        for v in visits:
            card = v["dose_card"]
            assert 1 <= len(card) <= 6
            assert sum(row["due"] for row in card) == v["doses_prescribed"]
            assert sum(row["due"] - row["taken"] for row in card) == v["doses_missed"]
            assert all(0 <= row["taken"] <= row["due"] <= 31 for row in card)
            missed_any |= v["doses_missed"] > 0
        closing = [v for v in visits if v.get("treatment_outcome")]
        for v in closing:  # the typed totals say what the card says
            assert v["course_doses_due"] == sum(r["due"] for x in visits for r in x["dose_card"])
            assert v["course_doses_taken"] == sum(
                r["taken"] for x in visits for r in x["dose_card"]
            )
    assert missed_any


def test_mental_illness_followups_at_their_class_interval(records, forms):
    plan = next_visit_plan(forms["smi_followup"].settings["schedule"])
    visits: dict[int, list[tuple[dt.date, dict[str, Any]]]] = defaultdict(list)
    for form_id, rid, day, _, values in records:
        if form_id == "smi_followup":
            visits[rid].append((day, values))
    risks = Counter(v["risk_grade"] for vs in visits.values() for _, v in vs)
    total = sum(risks.values())
    assert (risks["0"] + risks["1"]) / total > 0.85
    assert 0 < sum(risks[g] for g in "345") / total < 0.05
    on_time = late = 0
    for vs in visits.values():
        vs.sort(key=lambda x: x[0])
        for (day, v), (after, _) in zip(vs, vs[1:], strict=False):
            days, _label = plan[v["stability"]]
            if (after - day).days <= days:
                on_time += 1
            else:
                late += 1
    assert on_time > 2 * late > 0
    emergencies = [(rid, day) for f, rid, day, _, _ in records if f == "smi_emergency"]
    assert emergencies and all(rid in visits for rid, _ in emergencies)
