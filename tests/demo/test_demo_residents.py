"""Synthetic populations: deterministic, valid codes and IDs, census-like shape."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from ygt_desktop.core import idnumber
from ygt_desktop.core.dates import age_years
from ygt_desktop.demo.residents import (
    RESIDENT_KEYS,
    YUNNAN_COUNTIES,
    SyntheticVillage,
    generate_residents,
    generate_villages,
)
from ygt_desktop.storage.workspace import load_forms

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2025, 11, 20)
YEAR = 2025
N = 20_000

FORM_KEYS = {f.id for f in load_forms()["resident"].fields}  # every field the form has
SYSTEM_KEYS = {"status", "status_date"}
MOBILE_PREFIXES = ("13", "14", "15", "16", "17", "18", "19")


def _codes(name: str) -> set[str]:
    data = tomllib.loads((ROOT / "resources" / "codes" / f"{name}.toml").read_text("utf-8"))
    return {c["code"] for c in data["codes"]}


def _gb2312(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@pytest.fixture(scope="module")
def villages() -> list[SyntheticVillage]:
    return generate_villages(random.Random(3), 12)


@pytest.fixture(scope="module")
def people(villages: list[SyntheticVillage]) -> list[dict]:
    return list(generate_residents(2024, N, YEAR, villages, TODAY))


def _share(rows: list[dict], pred) -> float:  # type: ignore[no-untyped-def]
    return sum(1 for r in rows if pred(r)) / len(rows)


def _age(r: dict) -> int:
    return age_years(r["birth_date"], TODAY)


# --- determinism ---------------------------------------------------------------------


def test_same_seed_gives_identical_output(villages: list[SyntheticVillage]) -> None:
    a = list(generate_residents(7, 2_000, YEAR, villages, TODAY))
    b = list(generate_residents(7, 2_000, YEAR, villages, TODAY))
    assert a == b
    assert generate_villages(random.Random(9), 15) == generate_villages(random.Random(9), 15)


def test_does_not_touch_the_global_random(villages: list[SyntheticVillage]) -> None:
    random.seed(1)
    expected = random.random()
    random.seed(1)
    list(generate_residents(7, 500, YEAR, villages, TODAY))
    generate_villages(random.Random(1), 5)
    assert random.random() == expected


def test_different_seed_gives_different_output(villages: list[SyntheticVillage]) -> None:
    a = list(generate_residents(7, 500, YEAR, villages, TODAY))
    b = list(generate_residents(8, 500, YEAR, villages, TODAY))
    assert [r["id_number"] for r in a] != [r["id_number"] for r in b]
    assert len({r["name"] for r in a} & {r["name"] for r in b}) < 250
    assert generate_villages(random.Random(1), 15) != generate_villages(random.Random(2), 15)


def test_count_is_honoured(villages: list[SyntheticVillage]) -> None:
    assert list(generate_residents(1, 0, YEAR, villages, TODAY)) == []
    for n in (1, 2, 7, 333):
        assert len(list(generate_residents(1, n, YEAR, villages, TODAY))) == n


def test_people_fixture_has_the_requested_size(people: list[dict]) -> None:
    assert len(people) == N


# --- villages ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 2, 3, 4, 12, 40, 99, 150])
def test_villages_have_distinct_plausible_codes_and_names(count: int) -> None:
    vs = generate_villages(random.Random(count), count)
    assert len(vs) == count
    assert len({v.code for v in vs}) == count
    assert len({v.name for v in vs}) == count
    juwei = [v for v in vs if v.code < "100"]
    cunwei = [v for v in vs if v.code > "100"]
    assert [v.code for v in juwei] == [f"{i:03d}" for i in range(1, len(juwei) + 1)]
    assert [v.code for v in cunwei] == [f"{i:03d}" for i in range(101, 101 + len(cunwei))]
    assert all(v.name.endswith("居委会") for v in juwei)
    assert all(v.name.endswith("村委会") for v in cunwei)
    assert all(len(v.name) >= 5 and _gb2312(v.name) for v in vs)
    if 4 <= count <= 101:
        assert len(juwei) == 2
    assert len(cunwei) == min(count - len(juwei), 99)


def test_villages_reject_impossible_counts() -> None:
    with pytest.raises(ValueError):
        generate_villages(random.Random(1), -1)
    with pytest.raises(ValueError):
        generate_villages(random.Random(1), 199)


def test_every_resident_lives_in_a_given_village(
    people: list[dict], villages: list[SyntheticVillage]
) -> None:
    by_code = {v.code: v for v in villages}
    used = Counter(r["village_code"] for r in people)
    assert set(used) == set(by_code)  # all villages used, none invented
    for r in people:
        v = by_code[r["village_code"]]
        assert r["address"].startswith(YUNNAN_COUNTIES["530102"])
        if v.code > "100":
            assert v.name in r["address"]
            assert r["address"].endswith("号")
        else:
            assert "村委会" not in r["address"]
    rural = _share(people, lambda r: r["village_code"] > "100")
    assert 0.5 < rural < 0.9


def test_households_share_village_and_stay_small(people: list[dict]) -> None:
    households: dict[str, list[dict]] = defaultdict(list)
    for r in people:
        households[r["address"]].append(r)
    sizes = Counter(len(m) for m in households.values())
    assert max(sizes) <= 6
    assert sizes[1] > 0 and sizes[2] > 0 and sizes[5] > 0
    assert 2.2 < len(people) / len(households) < 3.3
    for members in households.values():
        assert len({m["village_code"] for m in members}) == 1
        # one household phone at most is shared by several members
        shared = Counter(m["phone"] for m in members if m["phone"] is not None)
        assert sum(1 for c in shared.values() if c > 1) <= 1
    in_families = sum(len(m) for m in households.values() if len(m) > 1)
    assert in_families / len(people) > 0.6
    # children mostly live with an adult at least 18 years older
    with_parent = 0
    children = 0
    for members in households.values():
        for m in members:
            if _age(m) < 14:
                children += 1
                with_parent += any(_age(o) >= _age(m) + 18 for o in members)
    assert with_parent / children > 0.95


def test_many_villages_keep_addresses_apart() -> None:
    vs = generate_villages(random.Random(5), 150)
    rows = list(generate_residents(5, 6_000, YEAR, vs, TODAY))
    village_of: dict[str, str] = {}
    for r in rows:
        assert village_of.setdefault(r["address"], r["village_code"]) == r["village_code"]
        assert _gb2312(r["address"]) and len(r["address"]) <= 100
    streets: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["village_code"] < "100":
            street = r["address"][len("五华区") :].split("号")[0].rstrip("0123456789")
            streets[street].add(r["village_code"])
    assert all(len(codes) == 1 for codes in streets.values())


# --- identity --------------------------------------------------------------------------


def test_rows_have_exactly_the_form_and_system_fields(people: list[dict]) -> None:
    assert set(RESIDENT_KEYS) == FORM_KEYS | SYSTEM_KEYS
    for r in people:
        assert set(r) == FORM_KEYS | SYSTEM_KEYS
        assert r["note"] is None
        assert isinstance(r["birth_date"], dt.date)
        assert isinstance(r["archive_date"], dt.date)
        for key in ("resident_6m", "flag_disabled", "flag_poverty", "flag_dibao"):
            assert isinstance(r[key], bool)
        assert isinstance(r["flag_tekun"], bool) and isinstance(r["flag_family_planning"], bool)


def test_every_id_is_valid_and_agrees_with_sex_and_birth_date(people: list[dict]) -> None:
    for r in people:
        if r["id_number"] is None:
            continue
        info = idnumber.parse(r["id_number"], today=TODAY)
        assert info.number == r["id_number"]
        assert info.sex == r["sex"]
        assert info.birth_date == r["birth_date"]
        assert r["no_id_reason"] is None
        assert int(r["id_number"][14:17]) % 2 == (1 if r["sex"] == "1" else 0)


def test_ids_are_unique(people: list[dict]) -> None:
    ids = [r["id_number"] for r in people if r["id_number"] is not None]
    assert len(ids) == len(set(ids))
    assert len(ids) > 0.99 * len(people)


def test_id_address_codes_are_mostly_local_and_real(people: list[dict]) -> None:
    codes = Counter(r["id_number"][:6] for r in people if r["id_number"])
    total = sum(codes.values())
    assert 0.6 < codes["530102"] / total < 0.9
    yunnan = sum(c for code, c in codes.items() if code in YUNNAN_COUNTIES)
    assert yunnan / total > 0.9
    assert yunnan < total  # a few from other provinces
    assert all(code[:2] in {"11", "33", "42", "43", "44", "50", "51", "52", "53"} for code in codes)


def test_station_county_code_is_used(villages: list[SyntheticVillage]) -> None:
    rows = list(generate_residents(5, 2_000, YEAR, villages, TODAY, county_code="532301"))
    local = _share(rows, lambda r: r["id_number"] is not None and r["id_number"][:6] == "532301")
    assert local > 0.6
    assert all(r["address"].startswith("楚雄市") for r in rows)


def test_residents_without_id_are_infants_or_elderly(people: list[dict]) -> None:
    no_id = [r for r in people if r["id_number"] is None]
    assert no_id  # about 3 % of under-3s and 0.5 % of the elderly
    assert len(no_id) < 0.01 * len(people)
    for r in no_id:
        assert r["sex"] in ("1", "2") and r["birth_date"] is not None
        if r["no_id_reason"] == "1":
            assert _age(r) < 3
        else:
            assert r["no_id_reason"] == "2"
            assert _age(r) >= 60
    infants = [r for r in people if _age(r) < 3]
    assert 0.005 < _share(infants, lambda r: r["id_number"] is None) < 0.07


# --- shape of the population ---------------------------------------------------------------


def test_age_pyramid_matches_the_2020_census(people: list[dict]) -> None:
    ages = [_age(r) for r in people]
    n = len(ages)

    def share(lo: int, hi: int) -> float:
        return sum(1 for a in ages if lo <= a <= hi) / n

    assert share(0, 14) == pytest.approx(0.18, abs=0.012)
    assert share(15, 59) == pytest.approx(0.63, abs=0.015)
    assert share(60, 200) == pytest.approx(0.19, abs=0.012)
    assert share(65, 200) == pytest.approx(0.135, abs=0.01)
    assert share(0, 6) == pytest.approx(0.07, abs=0.008)
    assert share(80, 200) == pytest.approx(0.026, abs=0.006)
    assert min(ages) == 0
    assert 95 <= max(ages) <= 101
    # birth dates spread within the year of age, not piled on one day
    assert len({r["birth_date"] for r in people}) > 8_000


def test_sex_ratio(people: list[dict]) -> None:
    assert 0.49 < _share(people, lambda r: r["sex"] == "1") < 0.53


def test_codes_are_valid(people: list[dict]) -> None:
    ethnicities = _codes("ethnicity")
    sexes = {"1", "2"}
    assert sexes <= _codes("sex")
    counts = Counter(r["ethnicity"] for r in people)
    assert set(counts) <= ethnicities
    assert all(r["sex"] in sexes for r in people)
    assert 0.62 < counts["01"] / len(people) < 0.72
    assert counts["07"] > counts["14"] > counts["27"] > 0  # 彝 > 白 > 纳西
    assert len(counts) >= 12


def test_names_are_plausible(people: list[dict]) -> None:
    for r in people:
        name = r["name"]
        assert 2 <= len(name) <= 4, name
        assert all("\u4e00" <= ch <= "\u9fff" for ch in name), name
        assert _gb2312(name), name
    names = [r["name"] for r in people]
    assert len(set(names)) > 0.6 * len(names)
    surnames = Counter(n[0] for n in names)
    assert {"王", "李", "张", "刘", "陈", "杨"} <= {s for s, _ in surnames.most_common(8)}
    assert any(n.startswith(("欧阳", "司马", "上官")) for n in names)
    assert any(n[0] in "单仇解区查曾" for n in names)
    assert _share(people, lambda r: len(r["name"]) == 3) > 0.6
    # era flavour: stock names of the old do not go to babies and vice versa
    old = {r["name"][1:] for r in people if r["birth_date"].year < 1960}
    young = {r["name"][1:] for r in people if r["birth_date"].year >= 2010}
    assert "秀英" in old or "桂英" in old or "建国" in old
    assert not {"秀英", "桂英", "建国", "跃进"} & young


def test_phones(people: list[dict]) -> None:
    phones = [r["phone"] for r in people if r["phone"] is not None]
    for p in phones:
        assert len(p) == 11 and p.isdigit() and p.startswith(MOBILE_PREFIXES), p
    assert 0.04 < 1 - len(phones) / len(people) < 0.16
    adults = [r for r in people if 20 <= _age(r) < 60]
    assert _share(adults, lambda r: r["phone"] is not None) > 0.9


def test_key_population_flags(people: list[dict]) -> None:
    def rate(key: str) -> float:
        return _share(people, lambda r: r[key])

    assert rate("flag_disabled") == pytest.approx(0.015, abs=0.005)
    assert rate("flag_poverty") == pytest.approx(0.06, abs=0.025)
    assert rate("flag_dibao") == pytest.approx(0.03, abs=0.015)
    assert rate("flag_tekun") == pytest.approx(0.005, abs=0.003)
    assert 0.0005 < rate("flag_family_planning") < 0.008
    assert rate("resident_6m") == pytest.approx(0.95, abs=0.015)
    rural = [r for r in people if r["village_code"] > "100"]
    urban = [r for r in people if r["village_code"] < "100"]
    assert _share(rural, lambda r: r["flag_poverty"]) > _share(urban, lambda r: r["flag_poverty"])
    tekun = [r for r in people if r["flag_tekun"]]
    assert _share(tekun, lambda r: _age(r) >= 60) > 0.6
    assert all(_age(r) >= 49 for r in people if r["flag_family_planning"])


# --- dates and status ------------------------------------------------------------------


def test_dates_are_consistent(people: list[dict]) -> None:
    window_start = dt.date(YEAR - 7, 1, 1)
    for r in people:
        assert r["birth_date"] <= r["archive_date"] <= TODAY
        assert r["archive_date"] >= window_start
        if r["status"] == "在档":
            assert r["status_date"] is None
        else:
            assert r["status_date"] is not None
            assert r["archive_date"] < r["status_date"] <= TODAY
    created = [r["archive_date"] for r in people]
    assert (max(created) - min(created)).days > 6 * 365


def test_status_mix(people: list[dict]) -> None:
    counts = Counter(r["status"] for r in people)
    assert set(counts) <= {"在档", "迁出", "死亡", "注销"}
    n = len(people)
    assert counts["在档"] / n > 0.95
    assert counts["迁出"] / n == pytest.approx(0.02, abs=0.007)
    assert counts["死亡"] / n == pytest.approx(0.01, abs=0.005)
    assert 0 < counts["注销"] / n < 0.008
    dead = [_age(r) for r in people if r["status"] == "死亡"]
    assert sum(dead) / len(dead) > 60
    assert sum(1 for a in dead if a >= 60) / len(dead) > 0.75


@pytest.mark.parametrize(
    "today", [dt.date(2024, 2, 29), dt.date(2025, 1, 1), dt.date(2026, 12, 31)]
)
def test_edge_days(villages: list[SyntheticVillage], today: dt.date) -> None:
    rows = list(generate_residents(11, 3_000, today.year, villages, today))
    for r in rows:
        assert r["birth_date"] <= r["archive_date"] <= today
        assert 0 <= age_years(r["birth_date"], today) <= 100
        if r["id_number"]:
            assert idnumber.parse(r["id_number"], today=today).birth_date == r["birth_date"]
        if r["status_date"] is not None:
            assert r["status_date"] <= today


def test_arguments_are_checked(villages: list[SyntheticVillage]) -> None:
    with pytest.raises(ValueError):
        generate_residents(1, -1, YEAR, villages, TODAY)
    with pytest.raises(ValueError):
        generate_residents(1, 10, YEAR, [], TODAY)
    with pytest.raises(ValueError):
        generate_residents(1, 10, YEAR, villages, TODAY, county_code="5301")
    with pytest.raises(ValueError):
        generate_residents(1, 10, TODAY.year + 8, villages, TODAY)


# --- fits the resident form ---------------------------------------------------------------


def test_rows_pass_the_resident_form(people: list[dict]) -> None:
    from ygt_desktop.core.forms import load_form

    form = load_form(ROOT / "forms" / "resident.toml", ROOT / "resources" / "codes")
    for r in people[:3_000]:
        result = form.process({k: r[k] for k in FORM_KEYS})
        assert result.ok, (r, result.errors)
        assert result.values["id_number"] == r["id_number"]


@pytest.mark.slow
def test_hundred_thousand_residents_have_distinct_id_numbers(
    villages: list[SyntheticVillage],
) -> None:
    # at the benchmarks' scale the generator still makes every 身份证号 once (its speed is
    # measured by the benchmarks, never by a timed test)
    numbers = [
        r["id_number"]
        for r in generate_residents(99, 100_000, YEAR, villages, TODAY)
        if r["id_number"]
    ]
    assert len(numbers) > 90_000
    assert len(set(numbers)) == len(numbers)
