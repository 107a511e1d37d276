"""The demo's pregnancies (issue 14, mothers): risk colours in plausible shares and never
below what age and BMI give, visits in their windows with some missed, postpartum
visits 3–7 days after discharge; the same seed gives the same records."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.demo.test_demo_services import TODAY, make_people
from ygt_desktop.demo.services import generate_services


@pytest.fixture(scope="module")
def records():
    return list(generate_services(make_people(11, 12_000), TODAY, 3))


def of(records, form_id):
    return [(key, values) for f, _, _, key, values in records if f == form_id]


def test_risk_colours_in_plausible_shares(records):
    firsts = [v for _, v in of(records, "prenatal_first")]
    assert len(firsts) > 300
    share = {c: n / len(firsts) for c, n in Counter(v["risk"] for v in firsts).items()}
    assert share["1"] > 0.5  # 绿 most
    assert 0.18 < share["2"] < 0.32  # 黄 about a quarter
    assert 0.04 < share["3"] < 0.13  # 橙 about 8 %
    assert 0 < share.get("4", 0) < 0.03  # 红 about 1 %
    purple = sum(bool(v["risk_purple"]) for v in firsts) / len(firsts)
    assert 0 < purple < 0.03
    for v in firsts:
        if v["mother_age"] >= 40 or v["bmi"] >= 28:
            assert v["risk"] in ("3", "4")
        if v["risk"] != "1" or v["risk_purple"]:
            assert v["risk_factors"] and v["risk_screen"] == "2"


def test_visits_in_their_windows_with_some_missed(records):
    lmp = {k: v["lmp_date"] for k, v in of(records, "prenatal_first")}
    windows = {"2": (16, 20), "3": (21, 24), "4": (28, 36), "5": (37, 41)}
    per_pregnancy = Counter(k for k, _ in of(records, "prenatal_followup"))
    for key, v in of(records, "prenatal_followup"):
        low, high = windows[v["visit_no"]]
        assert low <= (v["exam_date"] - lmp[key]).days // 7 <= high
    delivered = {k for k, _ in of(records, "delivery")}
    assert any(per_pregnancy[k] < 4 for k in delivered)  # some visits missed
    assert any(per_pregnancy[k] == 4 for k in delivered)
    days = Counter(v["days_after_discharge"] for _, v in of(records, "postpartum_visit"))
    in_window = sum(n for d, n in days.items() if 3 <= d <= 7)
    assert 0.8 < in_window / sum(days.values()) < 1  # mostly on time, a few late


def test_the_same_seed_gives_the_same_pregnancies(records):
    again = list(generate_services(make_people(11, 12_000), TODAY, 3))
    assert of(again, "prenatal_first") == of(records, "prenatal_first")
