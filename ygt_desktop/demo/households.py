"""家庭档案 for a generated demo station, derived from the families the resident
generator already made (:mod:`.residents`).

The generator yields a household's members one after another, sharing village and
address, and loads them with consecutive ids; it does not say who is whose. Here each
run of residents sharing an address becomes a household, and relations are read from
what the generator produced: the head is the first adult with an open archive (the
generator puts the household's anchor adult first: a parent before grandparents, a
person before their spouse and children). The adult of the other sex within ten years
right after the head (or right before: when the first adult's archive is closed, the
spouse heads) is the spouse; someone 15+ years older is a parent (40+: a
grandparent), 15+ years younger a child (40+: a grandchild) — a child's partner (儿媳 /
女婿) when the surname is neither the head's nor the spouse's and a child of the other
sex is there; near the head's age, a sibling. The family type (家庭结构) follows from
the relations. Deterministic: the same residents and seed give the same households.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..core.households import HEAD

MAX_SIZE = 8  # a run longer than this (never made by the generator) is cut into households


@dataclass(frozen=True)
class Resident:
    id: int
    name: str
    sex: str
    age: int
    village_code: str
    address: str
    current: bool


@dataclass(frozen=True)
class DemoHousehold:
    village_code: str
    address: str
    structure: str
    members: tuple[tuple[int, str], ...]  # (resident id, relation), head first


def _surname(name: str) -> str:
    return name[:2] if name[:2] in ("欧阳", "司马", "上官") else name[:1]


def relations(people: Sequence[Resident]) -> list[tuple[Resident, str]]:
    """``people`` (one household, in generator order) with their relation to the head,
    the head first."""
    adults = [p for p in people if p.age >= 18]
    head = next(
        (p for p in adults if p.current),
        next((p for p in people if p.current), adults[0] if adults else people[0]),
    )
    rest = [p for p in people if p is not head]
    at = people.index(head)
    beside = [people[i] for i in (at + 1, at - 1) if 0 <= i < len(people)]
    spouse = next(
        (p for p in beside if p.age >= 18 and p.sex != head.sex and abs(p.age - head.age) <= 10),
        None,
    )
    names = {_surname(head.name)} | ({_surname(spouse.name)} if spouse else set())
    children = [p for p in rest if -40 < p.age - head.age <= -15]
    out: list[tuple[Resident, str]] = [(head, HEAD)]
    for p in rest:
        d = p.age - head.age
        is_male = p.sex == "1"
        if p is spouse:
            code = "11" if is_male else "12"
        elif d >= 40:
            code = "61" if is_male else "62"
        elif d >= 15:
            code = "51" if is_male else "52"
        elif d <= -40:
            code = "41" if is_male else "42"
        elif d <= -15:
            partner_there = any(c.sex != p.sex and _surname(c.name) in names for c in children)
            in_law = p.age >= 18 and _surname(p.name) not in names and partner_there
            code = ("28" if is_male else "38") if in_law else ("20" if is_male else "30")
        elif is_male:
            code = "71" if d > 0 else "73"
        else:
            code = "75" if d > 0 else "77"
        out.append((p, code))
    return out


def structure(rels: Sequence[tuple[Resident, str]]) -> str:
    """家庭结构 from the relations: 单身, 夫妻, 核心, 主干, 联合, 单亲 or 其他."""
    codes = [c for _, c in rels[1:]]
    spouse = any(c in ("11", "12") for c in codes)
    kids = [c for c in codes if c[0] in "23"]
    in_laws = sum(c in ("28", "38") for c in codes)
    elders = any(c[0] in "56" for c in codes)
    grand = any(c[0] == "4" for c in codes)
    siblings = any(c[0] == "7" for c in codes)
    if not codes:
        return "1"
    if siblings:
        return "9"
    if in_laws >= 2:
        return "5"
    if elders or grand or in_laws:
        return "4"
    if spouse:
        return "3" if kids else "2"
    return "6" if kids else "9"


def derive(residents: Iterable[Resident]) -> list[DemoHousehold]:
    """The households of ``residents`` (as loaded: in id order, a family's members
    one after another)."""
    out: list[DemoHousehold] = []
    run: list[Resident] = []

    def close() -> None:
        if run:
            rels = relations(run)
            out.append(
                DemoHousehold(
                    run[0].village_code,
                    run[0].address,
                    structure(rels),
                    tuple((p.id, code) for p, code in rels),
                )
            )
            run.clear()

    for r in residents:
        if run and (
            (r.village_code, r.address) != (run[0].village_code, run[0].address)
            or len(run) >= MAX_SIZE
            or not r.address
        ):
            close()
        run.append(r)
    close()
    return out


_LIVING = (("1", 0.84), ("2", 0.10), ("3", 0.04), ("9", 0.02))
_LIVING_URBAN = (("1", 0.68), ("2", 0.26), ("3", 0.04), ("4", 0.01), ("9", 0.01))


def living_of(rng: random.Random, village_code: str) -> str:
    """居住情况 drawn for a household: more renting in a 居委会 (codes below 100)."""
    shares = _LIVING_URBAN if village_code < "100" else _LIVING
    return rng.choices([c for c, _ in shares], [w for _, w in shares])[0]
