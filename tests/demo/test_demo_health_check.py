"""The demo's 健康体检表 (issue 13): every age's yearly exam, values by condition.

Patients of 高血压, 2型糖尿病 and 严重精神障碍 under 65 have the yearly exam too (most
years, some missed); lab values follow age, sex and condition; medicines are the
follow-ups' own; 妇科 only for women. Records are checked against the form in
tests/demo/test_demo_services.py (every record, computed values included).
"""

from __future__ import annotations

import datetime as dt
from statistics import mean
from typing import Any

import pytest

from tests.demo.test_demo_services import TODAY, make_people
from ygt_desktop.core.dates import age_years
from ygt_desktop.core.tcm import ScoringConfig
from ygt_desktop.demo.services import Person, Record, generate_services

REGISTERS = ("htn_register", "dm_register", "smi_register")


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return make_people(7, 3_000)


@pytest.fixture(scope="module")
def records(people: list[Person], forms: Any) -> list[Record]:
    scoring = ScoringConfig.from_settings(forms["tcm_elderly"].settings)
    return list(generate_services(people, TODAY, 5, scoring=scoring))


def exams(records: list[Record]) -> list[Record]:
    return [r for r in records if r[0] == "elderly_exam"]


def test_patients_under_65_have_the_yearly_exam_most_years(people, records):
    by_id = {p.id: p for p in people}
    registered = {rid: day for f, rid, day, _, _ in records if f in REGISTERS}
    year = TODAY.year - 1
    young = {
        rid
        for rid, day in registered.items()
        if day < dt.date(year, 1, 1)
        and age_years(by_id[rid].birth_date, dt.date(year, 12, 31)) < 65
        and by_id[rid].status == "在档"
    }
    examined = {rid for _, rid, d, _, _ in exams(records) if d.year == year}
    assert len(young) > 20
    share = len(young & examined) / len(young)
    assert 0.65 < share < 0.95  # most of them, some missed
    never = {p.id for p in people if age_years(p.birth_date, TODAY) < 64 and p.id not in registered}
    assert not never & {rid for _, rid, _, _, _ in exams(records)}


def test_no_exam_before_the_register_opened_under_65(people, records):
    by_id = {p.id: p for p in people}
    first_register: dict[int, dt.date] = {}
    for f, rid, day, _, _ in records:
        if f in REGISTERS:
            first_register[rid] = min(day, first_register.get(rid, day))
    for _, rid, day, _, _ in exams(records):
        if age_years(by_id[rid].birth_date, day) < 65:
            assert rid in first_register and first_register[rid] <= day


def test_labs_follow_condition_and_sex(people, records):
    by_id = {p.id: p for p in people}
    dm = {rid for f, rid, _, _, _ in records if f == "dm_register"}
    fpg_dm = [v["fpg"] for _, rid, _, _, v in exams(records) if rid in dm]
    fpg_other = [v["fpg"] for _, rid, _, _, v in exams(records) if rid not in dm]
    assert mean(fpg_dm) > mean(fpg_other) + 1.0
    assert all("hba1c" in v for _, rid, _, _, v in exams(records) if rid in dm)
    cr = {"1": [], "2": []}
    hb = {"1": [], "2": []}
    for _, rid, _, _, v in exams(records):
        sex = by_id[rid].sex
        if "creatinine" in v:
            cr[sex].append(v["creatinine"])
        if "hb" in v:
            hb[sex].append(v["hb"])
    assert mean(cr["1"]) > mean(cr["2"]) + 10
    assert mean(hb["1"]) > mean(hb["2"]) + 8


def test_medicines_are_the_followups_own_and_gyn_only_for_women(people, records):
    by_id = {p.id: p for p in people}
    htn_names: dict[int, set[str]] = {}
    for f, rid, _, _, v in records:
        if f == "htn_followup":
            htn_names.setdefault(rid, set()).update(m["name"] for m in v["medicines"])
    checked = 0
    for _, rid, _, _, v in exams(records):
        names = {m["name"] for m in v.get("medicines", [])}
        if rid in htn_names:
            assert htn_names[rid] <= names
            checked += 1
        if by_id[rid].sex != "2":
            assert not any(k.startswith("gyn_") or k == "cervical_smear" for k in v)
    assert checked > 50
    assert any(len(v.get("vaccinations", [])) for *_, v in exams(records))
    assert any(len(v.get("hospital_stays", [])) for *_, v in exams(records))
    women = [v for _, rid, _, _, v in exams(records) if by_id[rid].sex == "2"]
    assert any("gyn_cervix" in v for v in women)
