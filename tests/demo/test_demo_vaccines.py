"""The demo's 建证 records and doses (demo/services/vaccines.py): the card's header items
filled (监护人, 母亲乙肝表面抗原 — a few positive or unknown —, 出生体重), one product per
place of a series, the 4th HepB dose only for a low-birth-weight child of an exposed
mother and given to such a child, the birth dose on the day of birth for exposed
mothers."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from tests.demo.test_demo_services import make_people
from ygt_desktop.core import vaccines as vac
from ygt_desktop.demo.services import Person, generate_services
from ygt_desktop.demo.services.generator import _Generator
from ygt_desktop.demo.services.state import _PersonState
from ygt_desktop.demo.services.vaccines import hbsag_labels, schedule

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def station():
    people = make_people(5, 4000, TODAY)
    return people, list(generate_services(people, TODAY, 5, station_logs=False))


def test_certificates_carry_the_card_header(station):
    certs = [v for f, _, _, _, v in station[1] if f == "vaccination"]
    assert len(certs) > 100
    assert all(v.get("guardian_name") and v.get("guardian_relation") for v in certs)
    hbsag = Counter(hbsag_labels().get(v.get("mother_hbsag", ""), "未填") for v in certs)
    assert hbsag["阴性"] > 0.7 * len(certs)
    assert 0 < hbsag["阳性"] + hbsag["不详"] < 0.2 * len(certs)


def test_one_product_per_place_and_the_facts_followed(station):
    people, records = station
    births = {p.id: p.birth_date for p in people}
    plan = schedule()
    doses: dict[int, dict[str, dt.date]] = defaultdict(dict)
    facts: dict[int, vac.Facts] = {}
    for form_id, rid, day, _, values in records:
        if form_id == "vaccine_dose":
            doses[rid][values["vaccine"]] = day
        elif form_id == "vaccination":
            label = hbsag_labels().get(values.get("mother_hbsag", ""))
            facts[rid] = vac.Facts(label, values.get("birth_weight"))
    exposed = on_day = 0
    for rid, given in doses.items():
        places = [plan.by_id[d].slot for d in given]
        assert len(places) == len(set(places)), (rid, given)
        if "hepb4" in given:
            assert "hepb_low_weight_exposed" in plan.for_child(facts.get(rid)).active
        mother = facts.get(rid, vac.Facts()).mother_hbsag
        if mother in ("阳性", "不详") and "hepb1" in given:
            exposed += 1
            on_day += given["hepb1"] == births[rid]
    assert exposed and on_day >= 0.9 * exposed


def test_a_low_weight_child_of_a_positive_mother_gets_four_hepb_doses():
    gen = _Generator(TODAY, 3, None, None)  # type: ignore[arg-type]
    born = dt.date(2025, 6, 1)
    child = Person(1, "1", born, born)
    state = _PersonState(gen, child, born.toordinal(), TODAY.toordinal())
    stream = [
        ("newborn_visit", 1, born + dt.timedelta(days=5), None, {"birth_weight": 1.7}),
        ("vaccination", 1, born + dt.timedelta(days=10), None, {"certificate_date": born}),
    ]
    for seed in range(60):  # a seed whose mother is drawn positive (about 6 %)
        gen.seed = seed
        out = list(gen.vaccine_doses(state, stream))
        cert = out[1][4]
        if cert.get("mother_hbsag") != "2":
            continue
        assert cert.get("birth_weight", 1.7) == 1.7  # the newborn visit's, or left to it
        hepb = [v["vaccine"] for f, _, _, _, v in out[2:] if v["vaccine"].startswith("hepb")]
        assert sorted(hepb) == ["hepb1", "hepb2", "hepb3", "hepb4"]
        return
    pytest.fail("no positive mother drawn in 60 seeds")


def test_children_who_turned_seven_this_year_had_their_dt_dose(station):
    # 白破疫苗 is due at 6 and completed by 7: the 接种率 of the last quarters count the
    # children who turned 7 since, so the demo keeps their doses (it gave them none)
    people, records = station
    turned = {
        p.id
        for p in people
        if dt.date(TODAY.year - 8, TODAY.month, TODAY.day)
        < p.birth_date
        <= dt.date(TODAY.year - 7, TODAY.month, TODAY.day)
    }
    dt_given = {rid for f, rid, _, _, v in records if f == "vaccine_dose" and v["vaccine"] == "dt"}
    assert len(turned) > 20
    assert len(turned & dt_given) > 0.7 * len(turned)
