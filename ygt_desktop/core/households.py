"""家庭档案 rules that need no database: who heads a household, which members count,
what a member list may not be, and how households are numbered.

A household's head is the member whose relation (与户主关系, GB/T 4761) is
:data:`HEAD` — kept once, in the member lines. A member whose archive is closed (迁出,
死亡, 注销) or deleted stays listed as a former member (原成员) and is not counted in
家庭人口数. Messages are Chinese and name the line (``家庭成员第2行：…``) or the person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .resident import STATUS_OPEN

HEAD = "02"  # 户主
MEMBERS = "members"  # the form's rows field: the member lines
MEMBERS_LABEL = "家庭成员"
NUMBER_DIGITS = 5


@dataclass(frozen=True)
class Person:
    """What the rules need to know of a resident named in a member line."""

    resident_id: int
    name: str
    status: str  # 在档 / 迁出 / 死亡 / 注销
    status_date: str | None = None
    deleted: bool = False

    @property
    def current(self) -> bool:
        """Counted in the household: an open archive, not deleted."""
        return self.status == STATUS_OPEN and not self.deleted

    def why_former(self) -> str:
        """Why a member is a former one, in words: ``已死亡 2025-01-05``, ``档案已删除``
        (the 家庭 lists show ``原成员（…）``, refusals name the person with it)."""
        return former_reason(self.status, self.status_date, self.deleted)


def former_reason(status: str, status_date: str | None, deleted: bool) -> str:
    """Why a member whose archive is ``status`` (closed on ``status_date``) or deleted
    is a former member, in words: ``已死亡 2025-01-05``, ``已注销``, ``档案已删除``."""
    if deleted:
        return "档案已删除"
    return f"已{status}" + (f" {status_date}" if status_date else "")


def number_prefix(village_code: str) -> str:
    return f"{village_code}-"


def next_number(village_code: str, last: str | None) -> str:
    """The number after ``last`` (the village's highest ``<village>-NNNNN``, or None)."""
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{number_prefix(village_code)}{serial:0{NUMBER_DIGITS}d}"


def number_glob(village_code: str) -> str:
    """SQL GLOB matching the automatic numbers of ``village_code``."""
    return number_prefix(village_code) + "[0-9]" * NUMBER_DIGITS


def member_problems(
    lines: Sequence[Mapping[str, object]],
    people: Mapping[int, Person],
    others: Mapping[int, str],
    kept: frozenset[int] = frozenset(),
) -> str | None:
    """What is wrong with a household's member ``lines`` (``resident_id``, ``relation``),
    as one Chinese sentence, or None.

    ``people`` holds the residents the lines name (missing: no such resident);
    ``others`` maps a resident already in another household to that household's
    number; ``kept`` are the residents already in this household as stored (a member
    whose archive was deleted since may stay listed, a new one may not join).
    """
    seen: set[int] = set()
    heads: list[Person] = []
    for n, line in enumerate(lines, start=1):
        rid = int(str(line["resident_id"]))
        where = f"{MEMBERS_LABEL}第{n}行"
        person = people.get(rid)
        if person is None or (person.deleted and rid not in kept):
            return f"{where}：居民编号 {rid} 不存在或已删除"
        if rid in seen:
            return f"{where}：{person.name}（居民编号 {rid}）重复"
        seen.add(rid)
        if rid in others:
            return (
                f"{where}：{person.name}已是户编号 {others[rid]} 的成员；"
                "一人只能在一个家庭，请用“迁入其他家庭”把他迁过来"
            )
        if line["relation"] == HEAD:
            heads.append(person)
    if not lines:
        return None
    if len(heads) > 1:
        names = "、".join(p.name for p in heads)
        return f"只能有一位户主（现有 {len(heads)} 位：{names}），请改其他人的与户主关系"
    current = [people[int(str(line["resident_id"]))].current for line in lines]
    if not heads:
        if any(current):
            return "家庭成员中没有户主：请把一位成员的与户主关系设为“户主”"
        return None
    head = heads[0]
    if not head.current and any(current):
        return (
            f"户主{head.name}{head.why_former()}，请先指定新户主"
            "（把一位在档成员的与户主关系设为“户主”，并改原户主的关系）"
        )
    return None
