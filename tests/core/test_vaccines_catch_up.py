"""The 2021 说明's catch-up rules by vaccine (core/vaccines.py, resources/schedules/
nip2021.toml): DTaP → DT (6–11 years) / Td (12–17) for a child with < 3 doses, the
booster after 3 DTaP doses; polio's IPV first and cohorts (2 IPV from 2019-10-01); the
older cohorts' 麻风 dose in the MMR series; HepB and the mother's HBsAg / the birth
weight (12-hour birth dose, HBIG note, 4 doses under 2000 g with an exposed mother, the
first dose from 1 month with a 阴性 one). Each test fails without its rule."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core import vaccines as vac
from ygt_desktop.paths import resources_dir

D = dt.date


@pytest.fixture(scope="module")
def nip() -> vac.Schedule:
    return vac.load(resources_dir() / "schedules" / "nip2021.toml")


def states(nip, birth, given, on, facts=None):
    return {s.dose.id: s for s in vac.plan(nip, birth, given, on, facts=facts)}


def window_ids(nip, birth, given, facts=None, series=None):
    return [
        (w.dose.id, w.start, w.end, w.done)
        for w in vac.windows(nip, birth, given, facts=facts)
        if series is None or w.dose.vaccine.series == series
    ]


# ---- 百白破 → 白破 / Td -------------------------------------------------------------------
TWO_DTAP = {"dtap1": D(2020, 6, 1), "dtap2": D(2020, 7, 10)}


def test_six_year_old_with_two_dtap_doses_completes_with_dt(nip):
    got = states(nip, D(2020, 3, 1), TWO_DTAP, D(2026, 5, 1))
    assert got["dtap3"].state == vac.SKIPPED
    assert got["dtap3"].note == "满6周岁不再接种百白破疫苗，改种白破疫苗第3剂（满6周岁补种）"
    assert got["dt3"].state == vac.DUE and got["dt3"].earliest == D(2026, 3, 1)
    assert got["dtap4"].state == vac.SKIPPED
    assert "dt" not in got  # no booster after 3 doses completed with DT
    # before 6 the missing DTaP dose is given as DTaP
    young = states(nip, D(2020, 3, 1), TWO_DTAP, D(2025, 5, 1))
    assert young["dtap3"].state == vac.OVERDUE and "dt3" not in young


def test_twelve_year_old_with_none_gets_three_td(nip):
    got = states(nip, D(2013, 1, 1), {}, D(2026, 5, 1))
    assert [k for k in got if k.startswith("td")] == ["td1", "td2", "td3"]
    assert got["td1"].state == vac.OVERDUE and got["td2"].state == vac.UPCOMING
    assert got["dtap1"].note == (
        "满6周岁不再接种百白破疫苗，改种成人及青少年用白破疫苗第1剂（满12周岁补种）"
    )
    after = states(nip, D(2013, 1, 1), {"td1": D(2026, 5, 1)}, D(2026, 5, 10))
    assert after["td2"].earliest == D(2026, 5, 29)  # 28 days after the first


def test_three_dtap_doses_and_no_fourth_dt_six_months_after_the_third(nip):
    three = {**TWO_DTAP, "dtap3": D(2026, 3, 10)}
    got = states(nip, D(2020, 3, 1), three, D(2026, 5, 1))
    assert got["dtap4"].state == vac.SKIPPED
    assert got["dt"].earliest == D(2026, 9, 10) and got["dt"].state == vac.UPCOMING


def test_catch_up_dt_windows_and_completion(nip):
    birth = D(2020, 3, 1)
    ws = window_ids(nip, birth, TWO_DTAP, series="dtp")
    assert ("dtap3", D(2020, 8, 7), D(2021, 2, 28), None) in ws  # DTaP until 6 years
    assert ("dt3", D(2026, 3, 1), D(2027, 2, 28), None) in ws  # then DT
    assert not any(w[0] in ("dt", "dtap4") for w in ws)
    done = {**TWO_DTAP, "dt3": D(2026, 5, 1)}
    assert [w[0] for w in window_ids(nip, birth, done, series="dtp")] == ["dtap1", "dtap2", "dt3"]
    assert vac.refusal(nip, done, "dt", birth, D(2026, 7, 1)) == (
        "百白破疫苗和白破疫苗3剂已全部完成（2020-06-01、2020-07-10、2026-05-01），不能再登记"
    )
    assert vac.refusal(nip, done, "dtap3") == (
        "百白破疫苗第3剂与已于 2026-05-01 接种的白破疫苗第3剂（满6周岁补种）为同一剂次，不能重复登记"
    )
    assert vac.warnings(nip, birth, TWO_DTAP, "dtap3", D(2026, 4, 1)) == [
        "百白破疫苗第3剂接种时已满6周岁：此年龄起不再接种百白破疫苗"
    ]


# ---- 脊灰 ---------------------------------------------------------------------------------
def polio(got):
    return [(k, s.state) for k, s in got.items() if s.dose.vaccine.series == "polio"]


def test_polio_starts_with_ipv_and_the_2019_cohort_gets_two(nip):
    older = states(nip, D(2018, 1, 1), {}, D(2023, 1, 5))
    assert [k for k, _ in polio(older)] == ["ipv1", "bopv2", "bopv3", "bopv4"]
    newer = states(nip, D(2020, 1, 1), {}, D(2022, 1, 5))
    assert [k for k, _ in polio(newer)] == ["ipv1", "ipv2", "bopv3", "bopv4"]
    # a 2019 cohort child given bOPV first: the two IPV doses follow
    moved = states(nip, D(2020, 1, 1), {"bopv1": D(2020, 3, 1)}, D(2020, 6, 5))
    assert [k for k, _ in polio(moved)] == ["bopv1", "ipv2", "ipv3", "bopv4"]
    assert moved["ipv2"].state == vac.DUE and moved["ipv2"].earliest == D(2020, 4, 1)
    # a child of the 2016-09 – 2019-09 cohort given bOPV first: one IPV
    mid = states(nip, D(2017, 1, 1), {"bopv1": D(2017, 3, 1)}, D(2017, 6, 5))
    assert [k for k, _ in polio(mid)] == ["bopv1", "ipv2", "bopv3", "bopv4"]


def test_polio_three_doses_under_four_four_from_four(nip):
    three = {"ipv1": D(2021, 3, 1), "ipv2": D(2021, 4, 1), "bopv3": D(2021, 5, 1)}
    young = states(nip, D(2021, 1, 1), three, D(2024, 12, 1))
    assert young["bopv4"].state == vac.UPCOMING and young["bopv4"].earliest == D(2025, 1, 1)
    assert states(nip, D(2021, 1, 1), three, D(2025, 2, 1))["bopv4"].state == vac.DUE
    # the places are filled by whichever product: a 4th dose after 4 doses is refused
    four = {**three, "ipv4": D(2025, 2, 1)}
    assert vac.refusal(nip, four, "bopv4").startswith("脊灰疫苗4剂已全部完成")


# ---- 麻腮风 -------------------------------------------------------------------------------
def test_older_cohort_mr_dose_counts_in_the_mmr_series(nip):
    birth = D(2015, 1, 1)
    got = states(nip, birth, {"mr1": D(2015, 9, 1)}, D(2026, 5, 1))
    assert "mmr1" not in got and got["mr1"].state == vac.DONE
    assert got["mmr2"].state == vac.OVERDUE and got["mmr2"].earliest == D(2016, 7, 1)
    # never planned, only recorded
    assert "mr1" not in states(nip, birth, {}, D(2026, 5, 1))
    assert not any(w.dose.vaccine.id == "mr" for w in vac.windows(nip, birth, {}))
    assert vac.refusal(nip, {"mr1": D(2015, 9, 1), "mmr2": D(2016, 7, 1)}, "mmr1") == (
        "麻腮风疫苗2剂已全部完成（2015-09-01、2016-07-01），不能再登记"
    )


# ---- 乙肝: the mother's HBsAg and the birth weight ------------------------------------------
EXPOSED_LOW = vac.Facts("阳性", 1.8)


def test_low_birth_weight_exposed_mother_four_doses(nip):
    birth = D(2026, 1, 1)
    got = states(nip, birth, {"hepb1": birth}, D(2026, 2, 5), EXPOSED_LOW)
    assert [k for k in got if k.startswith("hepb")] == ["hepb1", "hepb2", "hepb3", "hepb4"]
    assert got["hepb2"].state == vac.DUE
    later = {"hepb1": birth, "hepb2": D(2026, 2, 1)}
    got = states(nip, birth, later, D(2026, 3, 5), EXPOSED_LOW)
    assert got["hepb3"].earliest == D(2026, 3, 1) and got["hepb3"].state == vac.DUE  # 2 months
    assert got["hepb4"].note == "需先接种乙肝疫苗第3剂"
    got = states(nip, birth, {**later, "hepb3": D(2026, 3, 1)}, D(2026, 8, 5), EXPOSED_LOW)
    assert got["hepb4"].earliest == D(2026, 8, 1) and got["hepb4"].state == vac.DUE  # 7 months
    # the 4th dose only for these children; the 3rd completes nobody's series here
    three = {**later, "hepb3": D(2026, 3, 1)}
    assert vac.refusal(nip, three, "hepb4", facts=EXPOSED_LOW) is None
    assert vac.refusal(nip, three, "hepb4") == (
        "乙肝疫苗第4剂仅用于出生体重<2000g且母亲HBsAg阳性或不详的儿童（见预防接种建证记录）"
    )
    assert vac.refusal(nip, three, "hepb1") == (
        "乙肝疫苗3剂已全部完成（2026-01-01、2026-02-01、2026-03-01），不能再登记"
    )
    # 不详 counts as exposed; a normal weight keeps 3 doses
    unknown = states(nip, birth, {"hepb1": birth}, D(2026, 2, 5), vac.Facts("不详", 1.9))
    assert "hepb4" in unknown
    heavy = states(nip, birth, later, D(2026, 3, 5), vac.Facts("阳性", 3.2))
    assert "hepb4" not in heavy and heavy["hepb3"].earliest == D(2026, 7, 1)


def test_low_birth_weight_negative_mother_first_dose_from_one_month(nip):
    birth = D(2026, 1, 1)
    got = states(nip, birth, {}, D(2026, 1, 5), vac.Facts("阴性", 1.8))
    assert got["hepb1"].state == vac.UPCOMING and got["hepb1"].earliest == D(2026, 2, 1)
    assert got["hepb1"].note == "体重达到2000g后接种（按满1月龄起计）"
    assert "hepb4" not in got
    assert states(nip, birth, {}, D(2026, 1, 5))["hepb1"].state == vac.OVERDUE  # 24 hours


def test_exposed_mother_birth_dose_within_12_hours_and_notes(nip):
    birth = D(2026, 1, 1)
    facts = vac.Facts("阳性", 3.1)
    assert vac.warnings(nip, birth, {}, "hepb1", birth, facts) == []
    assert vac.warnings(nip, birth, {}, "hepb1", D(2026, 1, 3), facts) == [
        "母亲HBsAg阳性：乙肝疫苗第1剂应在出生后12小时内接种，本剂接种于 2026-01-03（出生后第2天）"
    ]
    assert vac.warnings(nip, birth, {}, "hepb1", D(2026, 1, 3), vac.Facts("阴性", 3.1)) == []
    notes = vac.notes(nip, facts)
    assert len(notes) == 1 and "乙肝免疫球蛋白（HBIG）100 IU" in notes[0]
    both = vac.notes(nip, EXPOSED_LOW)
    assert len(both) == 2 and "共4剂" in both[1]
    assert vac.notes(nip, vac.Facts()) == [] and vac.notes(nip, None) == []


def test_one_earliest_rule_for_plan_and_windows(nip):
    birth = D(2024, 1, 10)
    given = {"hepb1": birth, "mmr1": D(2024, 9, 20), "dtap1": D(2024, 5, 1)}
    on = D(2024, 10, 1)
    planned = {s.dose.id: s.earliest for s in vac.plan(nip, birth, given, on)}
    for w in vac.windows(nip, birth, given):
        if w.done is None and planned.get(w.dose.id) is not None:
            assert planned[w.dose.id] == w.start, w.dose.id
