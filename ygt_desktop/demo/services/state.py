"""One resident's lasting traits (body, blood pressure, glucose, compliance, medicines,
constitution), each drawn from the run's stream the first time a record needs it."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from ...core import tcm
from .common import COMPLIANCE, GeneratorBase, Person, _bmi

_HTN_MEDS = (
    "硝苯地平缓释片 每日2次 每次10mg", "苯磺酸氨氯地平片 每日1次 每次5mg",
    "厄贝沙坦片 每日1次 每次150mg", "缬沙坦胶囊 每日1次 每次80mg",
    "吲达帕胺缓释片 每日1次 每次1.5mg", "酒石酸美托洛尔片 每日2次 每次25mg",
    "马来酸依那普利片 每日2次 每次10mg",
    "苯磺酸氨氯地平片 每日1次 每次5mg；氢氯噻嗪片 每日1次 每次12.5mg",
)  # fmt: skip
_DM_MEDS = (
    "盐酸二甲双胍片 每日3次 每次0.5g", "格列美脲片 每日1次 每次2mg",
    "阿卡波糖片 每日3次 每次50mg", "格列齐特缓释片 每日1次 每次30mg",
    "盐酸二甲双胍缓释片 每日1次 每次1g；格列齐特缓释片 每日1次 每次30mg",
)  # fmt: skip
_INSULINS = (
    "门冬胰岛素30注射液 皮下注射 早12U 晚10U",
    "甘精胰岛素注射液 睡前皮下注射 14U",
    "精蛋白生物合成人胰岛素注射液（预混30R） 早14U 晚10U",
)
_LINE = re.compile(r"(\S+) 每日(\d+)次 每次([\d.]+)(mg|g|μg|U)")


def medicine_lines(text: str) -> list[dict[str, object]]:
    """``药名 每日N次 每次Xmg；…`` as medicine lines (药物名称, 每日次数, 每次剂量, 单位)."""
    out: list[dict[str, object]] = []
    for part in text.split("；"):
        found = _LINE.fullmatch(part.strip())
        if found is None:
            raise ValueError(f"not a medicine line: {part!r}")
        name, times, dose, unit = found.groups()
        out.append(
            {"name": name, "times_per_day": int(times), "dose": float(dose), "dose_unit": unit}
        )
    return out


_SMI_MEDS = (
    "利培酮片 每日2次 每次2mg",
    "奥氮平片 每日1次 每次10mg",
    "阿立哌唑片 每日1次 每次10mg",
    "丙戊酸钠缓释片 每日2次 每次0.5g",
    "氯氮平片 每日2次 每次50mg",
    "碳酸锂缓释片 每日2次 每次0.3g",
)

# Constitution weights for residents who are not 平和 (气虚 … 特禀, tcm.BIASED order).
_BIASED_WEIGHTS = tuple(accumulate((20, 15, 10, 15, 8, 12, 10, 5)))
_BAND_ITEMS = {9, 14, 17, 28}


@dataclass(slots=True)
class _Body:
    height: float
    weight: float
    waist: float
    smoking: int
    drinking: float
    exercise_times: int
    exercise_minutes: int
    salt: str
    staple: int


class _PersonState:
    """One resident's lasting traits, drawn when first needed."""

    def __init__(self, gen: GeneratorBase, p: Person, first: int, last: int) -> None:
        self.gen = gen
        self.p = p
        self.first = first
        self.last = last
        self.htn = False
        self.dm = False
        self.registered = False  # 高血压 or 2型糖尿病 under management
        # the day (ordinal) the first of 高血压, 2型糖尿病, 严重精神障碍 was registered: the
        # yearly 健康体检 is theirs from then on, at any age
        self.managed_from: int | None = None
        self.smi = False
        self.smi_stable = 0.9
        self._body: _Body | None = None
        self._bp: tuple[float, float] | None = None
        self._fpg: float | None = None
        self._compliance: int | None = None
        self._tcm: tuple[int, ...] | None = None
        self._self_care: int | None = None
        self.last_exam_bmi: float | None = None
        self._meds: dict[str, str] = {}

    @property
    def compliance(self) -> int:
        if self._compliance is None:
            r = self.gen.rnd()
            self._compliance = (
                0 if r < COMPLIANCE[0][0] else 1 if r < (COMPLIANCE[0][0] + COMPLIANCE[1][0]) else 2
            )
        return self._compliance

    @property
    def face_method(self) -> str:
        return "2" if self.p.id % 3 == 0 else "1"  # some patients are seen at home

    @property
    def adherence(self) -> str:
        c = self.compliance
        return "1" if c == 0 else "2" if c == 1 else ("3" if self.p.id % 2 else "2")

    def _med(self, key: str, choices: Sequence[str]) -> str:
        if key not in self._meds:
            self._meds[key] = self.gen.pick(choices)
        return self._meds[key]

    @property
    def htn_med(self) -> str:
        return self._med("htn", _HTN_MEDS)

    @property
    def dm_med(self) -> str:
        return self._med("dm", _DM_MEDS)

    @property
    def htn_lines(self) -> list[dict[str, object]]:
        """The hypertension medicines as the follow-up's lines (the same draw)."""
        return medicine_lines(self.htn_med)

    @property
    def dm_lines(self) -> list[dict[str, object]]:
        """The diabetes medicines as the follow-up's lines (the same draw)."""
        return medicine_lines(self.dm_med)

    @property
    def smi_med(self) -> str:
        return self._med("smi", _SMI_MEDS)

    def managed(self, day: int) -> None:
        """A register opened on ``day`` (高血压, 2型糖尿病, 严重精神障碍)."""
        self.managed_from = day if self.managed_from is None else min(self.managed_from, day)

    @property
    def insulin(self) -> str | None:
        if "insulin" not in self._meds:
            self._meds["insulin"] = self.gen.pick(_INSULINS) if self.gen.rnd() < 0.15 else ""
        return self._meds["insulin"] or None

    @property
    def smi_discharge(self) -> dt.date:
        return dt.date.fromordinal(max(self.first - 200, self.p.birth_date.toordinal() + 5000))

    @property
    def body(self) -> _Body:
        if self._body is None:
            g = self.gen
            male = self.p.sex == "1"
            height = round(g.gauss(166 if male else 155, 6 if male else 5.5), 1)
            bmi = min(34.0, max(17.0, g.gauss(23.6, 3.0)))
            weight = round(bmi * (height / 100) ** 2, 1)
            waist = round((85 if male else 80) + (bmi - 24) * 2.5 + g.gauss(0, 4), 1)
            smoker = male and g.rnd() < 0.45
            drinker = male and g.rnd() < 0.35
            self._body = _Body(
                height, weight, waist,
                smoking=5 + 5 * int(g.rnd() * 4) if smoker else 0,
                drinking=round(0.5 + g.rnd() * 2.5, 1) if drinker else 0.0,
                exercise_times=int(g.rnd() * 8), exercise_minutes=(20, 30, 30, 45, 60)[
                    int(g.rnd() * 5)],
                salt="2" if g.rnd() < 0.7 else "3" if g.rnd() < 0.5 else "1",
                staple=200 + 50 * int(g.rnd() * 5),
            )  # fmt: skip
        return self._body

    def bp(self, recheck: bool) -> tuple[int, int]:
        g = self.gen
        if self._bp is None:
            if not self.htn:
                mean = min(138.0, g.gauss(122, 10))
            elif g.rnd() < 0.1:  # poorly controlled: most urgent readings are theirs
                mean = g.gauss(158, 10)
            else:
                mean = g.gauss(134, 10)
            self._bp = (mean, g.gauss(0, 4))
        mean, offset = self._bp
        sbp = mean - (8 if recheck else 0) + g.gauss(0, 9)
        sbp = max(92.0, min(230.0, sbp))
        dbp = 0.45 * sbp + 20 + offset + g.gauss(0, 5)
        dbp = max(52.0, min(sbp - 25, dbp))
        return g.even(sbp), g.even(dbp)

    def fpg(self, recheck: bool) -> float:
        g = self.gen
        if self._fpg is None:
            self._fpg = max(5.2, min(12.0, g.gauss(7.1, 1.2)))
        r = g.rnd()
        if r < 0.004:
            return round(3.2 + g.rnd() * 0.7, 1)
        if r < 0.008:
            return round(16.7 + g.rnd() * 4, 1)
        return round(max(4.0, min(16.6, self._fpg - (0.6 if recheck else 0) +
                                  g.gauss(0, 0.9))), 1)  # fmt: skip

    def self_care(self, age: int) -> dict[str, str]:
        g = self.gen
        if self._self_care is None:
            self._self_care = int(g.rnd() * 1000)
        risk = 0.05 if age < 75 else 0.15 if age < 85 else 0.35
        level = self._self_care / 1000
        items = {
            "sc_meal": "1",
            "sc_grooming": "1",
            "sc_dressing": "1",
            "sc_toilet": "1",
            "sc_activity": "1",
        }
        if level < risk:
            items.update(sc_grooming="2", sc_activity="2")
            if level < risk / 2:
                items.update(sc_dressing="3", sc_toilet="2")
            if level < risk / 5:
                items.update(sc_meal="3", sc_grooming="3", sc_toilet="3", sc_activity="3")
        return items

    def tcm_answers(self) -> dict[int, int]:
        """The 33 answers: a stable personal constitution with a little yearly variation."""
        g = self.gen
        rnd = g.rnd
        if self._tcm is None:
            if rnd() < 0.32:
                self._tcm = ()
            else:
                kinds = {bisect(_BIASED_WEIGHTS, rnd() * _BIASED_WEIGHTS[-1])}
                if rnd() < 0.4:
                    kinds.add(bisect(_BIASED_WEIGHTS, rnd() * _BIASED_WEIGHTS[-1]))
                self._tcm = tuple(sorted(kinds))
        items = g.scoring.items
        elevated: set[int] = set()
        for k in self._tcm:
            elevated.update(items[tcm.BIASED[k]])
        answers: dict[int, int] = {}
        for n in range(1, tcm.QUESTION_COUNT + 1):
            if n in _BAND_ITEMS:
                continue
            if n in elevated:
                r = rnd()
                answers[n] = 2 if r < 0.1 else 3 if r < 0.5 else 4 if r < 0.9 else 5
            else:
                r = rnd()
                answers[n] = 1 if r < 0.62 else 2 if r < 0.93 else 3
        answers[1] = (4 + (rnd() < 0.4)) if not self._tcm else 2 + int(rnd() * 2)
        bmi = self.last_exam_bmi or _bmi(self.body.weight, self.body.height)
        answers[9] = 1 if bmi < 24 else 2 if bmi < 25 else 3 if bmi < 26 else 4 if bmi < 28 else 5
        waist = self.body.waist
        answers[28] = (
            1 if waist < 80 else 2 if waist < 86 else 3 if waist < 91 else 4 if waist <= 105 else 5
        )
        qixu = 0 in self._tcm
        r = rnd()
        answers[14] = (2 + int(rnd() * 2)) if qixu else 1 if r < 0.6 else 2 if r < 0.95 else 3
        tebing = 7 in self._tcm
        r = rnd()
        answers[17] = (3 + int(rnd() * 3)) if tebing else 1 if r < 0.85 else 2
        return dict(sorted(answers.items()))
