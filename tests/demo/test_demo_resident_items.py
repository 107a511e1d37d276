"""The demo's 个人基本信息表 items are plausible (issue 13, part 2): blood types near
China's shares, allergies ~10 %, education and marriage by age, 既往史 months within
life, a household's surroundings shared, ~15–30 % of archives incomplete, and the
same seed gives the same items."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import islice

from ygt_desktop.core.resident import completeness
from ygt_desktop.demo.residents import SyntheticVillage, generate_residents

TODAY = dt.date(2026, 6, 30)
VILLAGES = [SyntheticVillage("001", "龙泉社区"), SyntheticVillage("101", "小坝村")]


def people(seed: int = 3, n: int = 4000):
    return list(generate_residents(seed, n, 2026, VILLAGES, TODAY))


def test_shares_are_plausible(forms):
    ps = people()
    known = [p["blood_abo"] for p in ps if p["blood_abo"] not in (None, "5")]
    abo = Counter(known)
    for code, share in (("3", 0.34), ("1", 0.30), ("2", 0.28), ("4", 0.08)):
        assert abs(abo[code] / len(known) - share) < 0.03
    allergic = [p for p in ps if p["allergy"] and p["allergy"] != ["1"]]
    assert 0.07 < len(allergic) / len(ps) < 0.13
    for p in ps:
        age = (TODAY - p["birth_date"]).days // 365
        if age < 16:
            assert p["marital"] in (None, "1") and p["occupation"] in (None, "8")
        for line in p["past_diseases"]:
            if line["diagnosed"]:
                assert p["birth_date"].strftime("%Y-%m") <= line["diagnosed"] <= "2026-06"
        for key in ("surgeries", "traumas", "transfusions"):
            for line in p[key]:
                assert p["birth_date"].strftime("%Y-%m") <= line["occurred"] <= "2026-06"
    form = forms["resident"]
    incomplete = sum(1 for p in ps if completeness(form, p)[0] < completeness(form, p)[1])
    assert 0.15 <= incomplete / len(ps) <= 0.30
    # every value is one the form accepts
    for p in islice(ps, 300):
        result = form.process({k: v for k, v in p.items() if k in form.by_id})
        assert result.ok, (p["name"], result.errors)


def test_same_seed_same_items():
    a, b = people(5, 500), people(5, 500)
    assert a == b
    assert people(6, 500) != a
