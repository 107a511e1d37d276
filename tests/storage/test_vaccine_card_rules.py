"""The catch-up rules on a station (storage/vaccines.py, worklist_vaccines.py,
indicator_rules_vaccines.py): a card of a child of each kind — a 6-year-old with 2 DTaP
doses (DT, not DTaP), a 2019-cohort child (2 IPV), a low-birth-weight child of an HBsAg
positive mother (4 HepB doses, the HBIG note) and of a negative one whose weight comes
from the newborn visit (first dose from 1 month); the 12-hour warning after saving a
later birth dose; the 4th HepB dose refused for other children; the worklist's DT doses
and its kept rows re-derived when the 建证 record changes the plan; 乙肝3's rate asking
for the 4th dose of such a child."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.storage.test_indicators import person
from tests.storage.test_vaccine_doses import TODAY, dose
from tests.storage.test_vaccine_indicators import counted
from tests.storage.test_worklist_vaccines import ON, WEEK, vaccine_items
from ygt_desktop.core import schedules as sch
from ygt_desktop.core import vaccines as vac
from ygt_desktop.storage import vaccines
from ygt_desktop.storage.residents import ValidationFailed

D = dt.date


def certificate(ws, rid, day, **more):
    values = {"certificate_date": day, "certificate_no": "X1", **more}
    return ws.services.save("vaccination", values, rid, today=TODAY)


def newborn_visit(ws, rid, day, birth_weight):
    values = {
        "visit_date": day, "birth_weight": birth_weight, "weight": "2.1", "feeding": "1",
        "temperature": "36.8", "jaundice": "1", "umbilical_cord": "2",
    }  # fmt: skip
    ws.services.save("newborn_visit", values, rid, today=TODAY, confirm=True)


def card(ws, rid, birth, on):
    facts = vaccines.facts(ws.store, ws.forms, rid)
    return {s.dose.id: s for s in vaccines.card(ws.store, rid, birth, on, facts)}, facts


def test_card_of_a_six_year_old_with_two_dtap_doses(ws):
    rid = person(ws, "六岁", "2020-03-01")
    dose(ws, rid, "dtap1", "2020-06-01")
    dose(ws, rid, "dtap2", "2020-07-10")
    got, _ = card(ws, rid, D(2020, 3, 1), D(2026, 5, 1))
    assert got["dtap3"].state == vac.SKIPPED and "改种白破疫苗第3剂" in got["dtap3"].note
    assert got["dt3"].state == vac.DUE
    dose(ws, rid, "dt3", "2026-05-01")
    with pytest.raises(ValidationFailed) as done:
        dose(ws, rid, "dt", "2026-06-01")
    assert done.value.errors["vaccine"].startswith("百白破疫苗和白破疫苗3剂已全部完成")


def test_card_of_a_2019_cohort_child_two_ipv(ws):
    rid = person(ws, "脊灰", "2020-01-01")
    dose(ws, rid, "bopv1", "2020-03-01")
    got, _ = card(ws, rid, D(2020, 1, 1), D(2020, 6, 5))
    polio = [k for k, s in got.items() if s.dose.vaccine.series == "polio"]
    assert polio == ["bopv1", "ipv2", "ipv3", "bopv4"]


def test_low_birth_weight_positive_mother_four_doses_and_the_12_hour_warning(ws):
    birth = D(2026, 1, 1)
    rid = person(ws, "早产", birth.isoformat())
    certificate(ws, rid, "2026-01-10", mother_hbsag="2", birth_weight="1.8", guardian_name="王母")
    assert vaccines.facts(ws.store, ws.forms, rid) == vac.Facts("阳性", 1.8)
    saved = dose(ws, rid, "hepb1", "2026-01-02")
    assert [o.message for o in saved.outcomes] == [
        "母亲HBsAg阳性：乙肝疫苗第1剂应在出生后12小时内接种，本剂接种于 2026-01-02（出生后第1天）"
    ]
    got, facts = card(ws, rid, birth, D(2026, 2, 5))
    assert [k for k in got if k.startswith("hepb")] == ["hepb1", "hepb2", "hepb3", "hepb4"]
    notes = vac.notes(vaccines.schedule(), facts)
    assert "乙肝免疫球蛋白（HBIG）100 IU" in notes[0] and "共4剂" in notes[1]
    dose(ws, rid, "hepb2", "2026-02-01")
    dose(ws, rid, "hepb3", "2026-03-01")
    assert dose(ws, rid, "hepb4", "2026-08-01").change.record_id


def test_fourth_hepb_dose_refused_for_a_normal_child(ws):
    rid = person(ws, "足月", "2026-01-01")
    certificate(ws, rid, "2026-01-10", mother_hbsag="1", birth_weight="3.2")
    for dose_id, day in (("hepb1", "2026-01-01"), ("hepb2", "2026-02-01"), ("hepb3", "2026-06-01")):
        dose(ws, rid, dose_id, day)
    with pytest.raises(ValidationFailed) as refused:
        dose(ws, rid, "hepb4", "2026-06-20")
    assert refused.value.errors["vaccine"] == (
        "乙肝疫苗第4剂仅用于出生体重<2000g且母亲HBsAg阳性或不详的儿童（见预防接种建证记录）"
    )


def test_low_birth_weight_negative_mother_weight_from_the_newborn_visit(ws):
    birth = D(2026, 3, 1)
    rid = person(ws, "低体重", birth.isoformat())
    certificate(ws, rid, "2026-03-10", mother_hbsag="1")
    newborn_visit(ws, rid, "2026-03-08", "1.7")
    got, facts = card(ws, rid, birth, D(2026, 3, 15))
    assert facts == vac.Facts("阴性", 1.7)
    assert got["hepb1"].state == vac.UPCOMING and got["hepb1"].earliest == D(2026, 4, 1)
    # the 建证 record's own weight wins over the visit's
    certificate(ws, rid, "2026-03-20", birth_weight="2.3")
    got, facts = card(ws, rid, birth, D(2026, 3, 25))
    assert facts == vac.Facts("阴性", 2.3) and got["hepb1"].state == vac.OVERDUE


def test_worklist_lists_the_dt_dose_of_a_six_year_old(ws):
    rid = person(ws, "六岁半", "2020-09-01")
    dose(ws, rid, "dtap1", "2020-12-01")
    dose(ws, rid, "dtap2", "2021-01-10")
    items = vaccine_items(ws, WEEK)
    assert items["白破疫苗第3剂（满6周岁补种）"] == (D(2026, 9, 1), D(2027, 8, 31), sch.DUE)
    assert not any(label.startswith("百白破疫苗") for label in items)
    assert "白破疫苗" not in items  # no booster after 3 doses completed with DT


def test_worklist_follows_the_certificate_facts(ws):
    birth = D(2026, 11, 10)
    rid = person(ws, "新生低体重", birth.isoformat())
    rng = (D(2026, 11, 1), D(2027, 6, 30))
    assert vaccine_items(ws, rng)["乙肝疫苗第1剂"][:2] == (birth, D(2026, 11, 11))
    ws.services.save(
        "vaccination",
        {"certificate_date": "2026-11-20", "mother_hbsag": "1", "birth_weight": "1.6"},
        rid,
        today=ON,
    )
    # kept rows derived again (vaccine_items also holds them equal to a recomputation)
    assert vaccine_items(ws, rng)["乙肝疫苗第1剂"][:2] == (D(2026, 12, 10), D(2027, 11, 9))


def test_hepb3_rate_asks_for_the_fourth_dose_of_a_low_weight_exposed_child(ws):
    # 2026Q3: the HepB 3 cohort is born 2025-07-01 … 2025-09-30 (12 months closes in Q3)
    low = person(ws, "四剂", "2025-08-01")
    certificate(ws, low, "2025-08-10", mother_hbsag="2", birth_weight="1.9")
    normal = person(ws, "三剂", "2025-08-02")
    for rid in (low, normal):
        dose(ws, rid, "hepb1", "2025-08-02")
        dose(ws, rid, "hepb2", "2025-09-05")
        dose(ws, rid, "hepb3", "2026-02-05")
    got = counted(ws, "vac.rate.hepb3")["vac.rate.hepb3"]
    assert got.denominator == {low, normal} and got.numerator == {normal}
    dose(ws, low, "hepb4", "2026-04-10")
    assert counted(ws, "vac.rate.hepb3")["vac.rate.hepb3"].numerator == {low, normal}


def test_notice_follows_the_certificate_facts(ws):
    # a low-weight child of a negative mother: the first HepB dose from 1 month, so the
    # 接种通知单 of the first two weeks must not call the child in for it (it did: the
    # notice planned without the 建证 facts the card and the worklist use)
    birth = D(2026, 11, 10)
    rid = person(ws, "低体重通知", birth.isoformat())
    certificate(ws, rid, "2026-11-12", mother_hbsag="1", birth_weight="1.7")
    children = vaccines.notice(ws.store, "101", birth, birth + dt.timedelta(days=13), ws.forms)
    labels = {d.label for c in children if c.resident_id == rid for d in c.doses}
    assert "乙肝疫苗第1剂" not in labels
    assert "卡介苗" in labels
