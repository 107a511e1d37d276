"""Demo households (issue 13): derived from the generator's families, plausible (sizes
1–8, one head each, relations consistent with ages), deterministic by seed, audited."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.conftest import ORG, add_test_user
from ygt_desktop.core.households import HEAD, Person, member_problems
from ygt_desktop.demo.load_households import load_households
from ygt_desktop.demo.load_residents import load_residents
from ygt_desktop.demo.residents import generate_residents, generate_villages
from ygt_desktop.storage import audit_check
from ygt_desktop.storage.organisation import add_village, set_organisation
from ygt_desktop.storage.workspace import Workspace, load_forms

TODAY = dt.date(2026, 6, 30)
SPOUSE = {"11", "12"}
CHILDREN = {"20", "30", "28", "38"}
PARENTS = {"51", "52"}


def build(path: Path, seed: int = 7, n: int = 600) -> list[tuple]:
    ws = Workspace.open(path, create=True, forms=load_forms())
    try:
        set_organisation(ws.store, ORG)
        villages = generate_villages(random.Random(seed), 6)
        for v in villages:
            add_village(ws.store, v.code, v.name)
        add_test_user(ws)
        load_residents(ws.store, ws.forms["resident"],
                       generate_residents(seed, n, 2026, villages, TODAY))  # fmt: skip
        made = load_households(ws.store, after_id=0, today=TODAY, seed=seed)
        assert made == ws.store.conn.execute("SELECT count(*) FROM e_household").fetchone()[0]
        assert audit_check.verify(ws.store.conn) == []
        return ws.store.conn.execute(
            "SELECT h.household_no, h.village_code, h.address, h.structure, h.living, "
            "m.line, m.resident_id, m.relation, r.name, r.sex, r.birth_date, r.status, "
            "r.village_code, r.address FROM e_household h "
            "JOIN e_household__members m ON m.record_id = h.id "
            "JOIN residents r ON r.id = m.resident_id ORDER BY h.id, m.line"
        ).fetchall()
    finally:
        ws.close(backup_on_exit=False)


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[tuple]:
    return build(tmp_path_factory.mktemp("hh") / "demo.db")


def _age(birth: str) -> int:
    b = dt.date.fromisoformat(birth)
    return TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))


def households(rows: list[tuple]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        out[r[0]].append(r)
    return out


def test_every_resident_in_one_household_sharing_its_address(rows):
    ids = [r[6] for r in rows]
    assert len(ids) == len(set(ids)) == 600
    for members in households(rows).values():
        assert {(r[12], r[13]) for r in members} == {(members[0][1], members[0][2])}


def test_sizes_heads_and_the_storage_rules_hold(rows):
    groups = households(rows)
    sizes = Counter(len(m) for m in groups.values())
    assert set(sizes) <= set(range(1, 9)) and sizes[1] < len(groups) / 2
    assert 2.0 < len(rows) / len(groups) < 3.5
    for members in groups.values():
        assert [r[7] for r in members].count(HEAD) == 1
        assert members[0][7] == HEAD  # the head is the first line
        people = {r[6]: Person(r[6], r[8], r[11]) for r in members}
        lines = [{"resident_id": r[6], "relation": r[7]} for r in members]
        assert member_problems(lines, people, {}) is None


def test_relations_fit_ages_and_sexes(rows):
    spouses = children = parents = 0
    for members in households(rows).values():
        head = members[0]
        head_age = _age(head[10])
        ages = defaultdict(list)
        for r in members[1:]:
            age, rel = _age(r[10]), r[7]
            ages[rel].append(age)
            if rel in SPOUSE:
                spouses += 1
                assert r[9] != head[9] and abs(age - head_age) <= 10
                assert (rel == "11") == (r[9] == "1")
            elif rel in CHILDREN:
                children += 1
                assert head_age - age >= 15
            elif rel in PARENTS:
                parents += 1
                assert age - head_age >= 15
            elif rel in ("41", "42"):
                assert head_age - age >= 40
        assert sum(rel in SPOUSE for rel in (r[7] for r in members)) <= 1
        kids = [a for rel in CHILDREN for a in ages[rel]]
        elders = [a for rel in PARENTS for a in ages[rel]]
        if kids and elders:
            assert max(kids) < min(elders)  # a child is not older than the head's parent
    assert spouses > 100 and children > 100 and parents > 20


def test_structures_and_numbers(rows):
    groups = households(rows)
    structures = Counter(m[0][3] for m in groups.values())
    assert structures["3"] > structures["5"] and structures["1"] > 0
    for number, members in groups.items():
        assert number == f"{members[0][1]}-{number[-5:]}"
        if len(members) == 1:
            assert members[0][3] == "1"
    assert {m[0][4] for m in groups.values()} <= {"1", "2", "3", "4", "9"}


def test_same_seed_same_households(rows, tmp_path):
    assert build(tmp_path / "again.db") == rows
