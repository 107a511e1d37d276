"""What every part of the service generator shares: the record shape, the resident,
the rates, the staff, small helpers, and :class:`GeneratorBase` — the run's state (the
one random stream, ``today``, the doctors) that every concern's mixin draws from.

All draws go through ``GeneratorBase.rng`` in a fixed order; moving a draw changes every
record after it, so the output is the same for the same inputs only while that order is
kept.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from ...core import schedules, tcm
from ...paths import forms_dir

SEED_OFFSET = 7_919  # services draw from their own stream, apart from the residents'

Record = tuple[str, int | None, dt.date, str | None, dict[str, Any]]
"""(form_id, resident_id or None, service_date, episode_key or None, values)."""

Values = dict[str, Any]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Person:
    """A resident as the generator needs it (``id`` is the database id)."""

    id: int
    sex: str  # GB/T 2261.1: "1" male, "2" female
    birth_date: dt.date
    archive_date: dt.date
    status: str = "在档"
    status_date: dt.date | None = None
    household: str | None = None  # residents sharing it live together (e.g. the address)
    name: str | None = None
    phone: str | None = None


# --- rates -------------------------------------------------------------------------------
# (upper age bound exclusive, probability) by age on the last day of the history.
HTN_PREVALENCE = ((35, 0.0), (45, 0.08), (55, 0.18), (65, 0.30), (75, 0.42), (200, 0.50))
DM_PREVALENCE = ((35, 0.0), (45, 0.04), (55, 0.08), (65, 0.13), (200, 0.16))
HTN_REGISTERED = 0.60
DM_REGISTERED = 0.55
SMI_RATE = 0.0057  # of residents 18–75: ≈ 0.4 % of the whole population
# Follow-up compliance types: (share, P(face-to-face in a quarter), P(phone call in it)).
COMPLIANCE = ((0.70, 0.97, 0.06), (0.20, 0.62, 0.25), (0.10, 0.25, 0.20))
RECHECK = (0.70, 0.35, 0.15)  # P(re-check after an uncontrolled visit) by compliance type
ELDERLY_PROPENSITY = ((0.45, 0.95), (0.30, 0.60), (0.25, 0.10))  # → ~65 % a year
TCM_WITH_EXAM, TCM_WITHOUT_EXAM = 0.80, 0.08  # → ~55 % a year
# Child-check punctuality types: (share, P(a check of the schedule is made)) — most
# families come to every check, some miss a few, a few rarely come (3岁以下儿童系统管理率
# ≈ 85–95 % as stations report); a made check is late (after its window) now and then.
CHILD_COMPLIANCE = ((0.88, 0.995), (0.09, 0.80), (0.03, 0.35))
CHILD_LATE = 0.04
TCM_CHILD_COMPLIANCE = 0.70  # the check's 中医药健康管理服务 row filled at a TCM age
# P(a newborn is visited at home), P(within the 7 days after discharge when visited).
NEWBORN_VISITED, NEWBORN_ON_TIME = 0.96, 0.95
TB_RATE = ((15, 0.0001), (65, 0.0005), (200, 0.0009))  # notified per person-year
INFECTIOUS_RATE = ((10, 0.015), (200, 0.002))  # cases per person-year
ONGOING_PREGNANCY = 0.035  # of women 20–40 on ``today`` (≈ 8 births per 1000 a year)

STATUS_CLOSE_REASON = {"死亡": "1", "迁出": "2", "注销": "9"}

_DOCTORS = ("李建华", "王丽萍", "张志强", "杨秀英", "赵海燕", "陈文斌", "刘春梅", "段红艳")
_GIVEN = "建国秀英志强丽华海燕文斌春梅红艳国华桂兰明德玉梅家富晓东"
_SURNAMES = "李王张杨刘陈赵黄周吴马罗段普"
_HOSPITAL = "区人民医院"


@dataclass(frozen=True, slots=True)
class ChildPlan:
    """The children's schedule as the form files define it (the worklist reads the
    same): the checks of the band forms, the TCM guidance months, the newborn visit's
    days after discharge."""

    checks: tuple[schedules.ChildPoint, ...]
    tcm_months: tuple[int, ...]
    newborn_days: int


@cache
def child_plan() -> ChildPlan:
    """The bundled forms' children's schedules (read once; generators stay off storage)."""

    def plan(form_id: str) -> dict[str, Any]:
        text = (forms_dir() / f"{form_id}.toml").read_text(encoding="utf-8")
        table: dict[str, Any] = tomllib.loads(text).get("schedule", {})
        return table

    return ChildPlan(
        tuple(schedules.child_points((f, plan(f)) for f in schedules.CHILD_BAND_FORMS)),
        tuple(int(m) for m in plan("tcm_child").get("points_months", ())),
        int(plan("newborn_visit").get("within_days_after_discharge", 7)),
    )


def _band(table: Sequence[tuple[int, float]], age: int) -> float:
    for upper, p in table:
        if age < upper:
            return p
    return table[-1][1]


def _bmi(weight: float, height_cm: float) -> float:
    """As the forms' ``bmi()`` computes it."""
    return round(float(weight) / (float(height_cm) / 100) ** 2, 1)


class GeneratorBase:
    """The run's state and the helpers every concern uses.

    ``first_year`` is the earliest archive year seen so far (the station logs start
    there); ``_Generator.run`` (:mod:`.generator`) lowers it.
    """

    def __init__(self, today: dt.date, seed: int, scoring: tcm.ScoringConfig,
                 since: dt.date | None) -> None:  # fmt: skip
        self.seed = seed
        self.rng = random.Random(seed + SEED_OFFSET)
        self.rnd = self.rng.random
        self.gauss = self.rng.gauss
        self.today = today
        self.today_o = today.toordinal()
        self.since_o = since.toordinal() if since else 0
        self.scoring = scoring
        self.doctors = self.rng.sample(_DOCTORS, 4)
        self.first_year = today.year

    # ---- helpers --------------------------------------------------------------------
    def pick(self, seq: Sequence[_T]) -> _T:
        return seq[int(self.rnd() * len(seq))]

    def doctor(self, p: Person) -> str:
        return self.doctors[p.id % len(self.doctors)]

    def name(self) -> str:
        return self.pick(_SURNAMES) + self.pick(_GIVEN) + self.pick(_GIVEN)

    def phone(self) -> str:
        return f"1{self.pick('3589')}{int(self.rnd() * 1e9):09d}"

    def even(self, x: float) -> int:
        """A reading as written down: most end in an even digit (terminal digit preference)."""
        return int(round(x / 2)) * 2 if self.rnd() < 0.7 else int(round(x))

    def window(self, p: Person) -> tuple[int, int]:
        """First and last day (ordinals) a record of ``p`` may carry."""
        birth = p.birth_date.toordinal()
        archive = p.archive_date.toordinal()
        first = birth if archive - birth <= 120 else archive
        last = self.today_o
        if p.status != "在档" and p.status_date is not None:
            last = min(last, p.status_date.toordinal())
        return max(first, self.since_o, birth), last
