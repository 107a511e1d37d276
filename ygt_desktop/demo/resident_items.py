"""The 个人基本信息表's items of a synthetic resident (blood type, education, 既往史 …).

Drawn from a random stream of their own (seeded from the station's seed), so adding
them left every other demo value as it was. Shares are rough public figures: ABO in
China ≈ O 34 %, A 30 %, B 28 %, AB 8 % (RH negative ≈ 0.3 %); allergies to medicines
≈ 10 %; education and occupation by birth year and rural or urban home; household
surroundings (kitchen, fuel, water, toilet, pens) shared by a household. About one
archive in five leaves some items unanswered, as real archives do (the register's
档案不完整 filter finds them).

Diseases managed by a register (高血压, 糖尿病, 严重精神障碍, 结核病) are not drawn here:
the service generator decides later who has them, so 既往史 holds the others only.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

Pick = tuple[tuple[str, ...], list[float]]


def _pick(*pairs: tuple[str, float]) -> Pick:
    return tuple(p[0] for p in pairs), list(accumulate(p[1] for p in pairs))


_ABO = _pick(("3", 34), ("1", 30), ("2", 28), ("4", 8))
_KITCHEN = {True: _pick(("4", 45), ("3", 20), ("2", 15), ("1", 20)),
            False: _pick(("2", 80), ("3", 15), ("1", 5))}  # fmt: skip
_FUEL = {True: _pick(("5", 40), ("1", 30), ("4", 10), ("2", 10), ("3", 5), ("6", 5)),
         False: _pick(("3", 55), ("1", 40), ("6", 5))}  # fmt: skip
_WATER = {True: _pick(("1", 75), ("3", 15), ("2", 5), ("4", 3), ("5", 2)),
          False: _pick(("1", 95), ("2", 5))}  # fmt: skip
_TOILET = {True: _pick(("1", 55), ("2", 20), ("5", 15), ("4", 5), ("3", 5)),
           False: _pick(("1", 70), ("3", 30))}  # fmt: skip
_PEN = {True: _pick(("2", 45), ("4", 30), ("1", 20), ("3", 5)), False: _pick(("1", 97), ("2", 3))}
# 文化程度 by birth era (before 1960, 1960-79, 1980+) and rural home
_EDUCATION = {
    (0, True): _pick(("9", 40), ("8", 40), ("7", 15), ("6", 4), ("10", 1)),
    (0, False): _pick(("9", 15), ("8", 35), ("7", 30), ("6", 15), ("3", 4), ("10", 1)),
    (1, True): _pick(("9", 8), ("8", 40), ("7", 40), ("6", 8), ("4", 3), ("3", 1)),
    (1, False): _pick(("8", 15), ("7", 35), ("6", 25), ("4", 10), ("3", 10), ("2", 5)),
    (2, True): _pick(("8", 10), ("7", 45), ("6", 20), ("5", 5), ("4", 8), ("3", 8), ("2", 4)),
    (2, False): _pick(("7", 20), ("6", 20), ("4", 8), ("3", 25), ("2", 22), ("1", 5)),
}
_OCCUPATION = {
    True: _pick(("4", 65), ("3", 12), ("5", 10), ("7", 8), ("2", 3), ("1", 2)),
    False: _pick(("1", 15), ("2", 15), ("3", 30), ("5", 15), ("0", 3), ("7", 12), ("8", 10)),
}
_UNITS = ("县人民医院", "镇中心学校", "县供电局", "农村信用社", "县建筑公司", "镇人民政府",
          "物流公司", "县汽车站", "农贸市场", "卷烟厂")  # fmt: skip
_ALLERGY = _pick(("2", 50), ("3", 20), ("4", 15), ("5", 15))
_ALLERGY_OTHER = ("头孢类", "阿司匹林", "庆大霉素")
# 既往史 not kept by a register: (code, from age, yearly-ish share among the old, name)
_DISEASES = (("4", 55, 0.05), ("5", 55, 0.04), ("7", 55, 0.03), ("10", 20, 0.02), ("6", 50, 0.01))
_CANCERS = ("胃癌", "肺癌", "肝癌", "乳腺癌", "食管癌")
_SURGERIES = ("阑尾切除术", "剖宫产术", "胆囊切除术", "白内障手术", "疝修补术")
_TRAUMAS = ("骨折", "外伤缝合", "烧伤")
_TRANSFUSION = ("手术失血", "产后出血", "外伤失血")
_FAMILY = _pick(("2", 45), ("3", 20), ("7", 12), ("4", 10), ("6", 8), ("5", 5))
# Items an incomplete archive may leave unanswered (as clerks do)
_SKIPPABLE = ("blood_abo", "blood_rh", "education", "occupation", "marital", "payment",
              "exposure", "family_father", "family_mother", "family_siblings", "family_children",
              "hereditary", "kitchen_exhaust", "fuel", "drinking_water", "toilet",
              "livestock_pen", "residence_type", "surgery", "trauma", "transfusion")  # fmt: skip
P_INCOMPLETE = 0.2

ITEM_KEYS = (
    "work_unit", "contact_name", "contact_phone", "residence_type", "blood_abo", "blood_rh",
    "education", "occupation", "marital", "payment", "payment_other", "allergy",
    "allergy_other", "exposure", "past_diseases", "surgery", "surgeries", "trauma", "traumas",
    "transfusion", "transfusions", "family_father", "family_father_other", "family_mother",
    "family_mother_other", "family_siblings", "family_siblings_other", "family_children",
    "family_children_other", "hereditary", "hereditary_name", "disability", "disability_other",
    "kitchen_exhaust", "fuel", "drinking_water", "toilet", "livestock_pen",
)  # fmt: skip


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class ResidentItems:
    """Draws the items; one instance per generated station (its own random stream)."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(f"个人基本信息表:{seed}")
        self.rnd = self.rng.random
        self.today = today

    def _one(self, pick: Pick) -> str:
        codes, cum = pick
        return codes[bisect(cum, self.rnd() * cum[-1])]

    def household(self, rural: bool) -> dict[str, Any]:
        """What a household's members share: its surroundings."""
        return {
            "kitchen_exhaust": self._one(_KITCHEN[rural]),
            "fuel": self._one(_FUEL[rural]),
            "drinking_water": self._one(_WATER[rural]),
            "toilet": self._one(_TOILET[rural]),
            "livestock_pen": self._one(_PEN[rural]),
        }

    def _month_between(self, first: dt.date, last: dt.date) -> str:
        span = max(0, (last - first).days)
        return _month(first + dt.timedelta(days=int(self.rnd() * (span + 1))))

    def person(
        self,
        age: int,
        birth: dt.date,
        rural: bool,
        local: bool,
        poverty: bool,
        disabled: bool,
        shared: dict[str, Any],
    ) -> dict[str, Any]:
        """One resident's items (``local``: born in the station's county); 联系人 is the
        household's to fill (:func:`set_contacts`)."""
        rnd, one = self.rnd, self._one
        out: dict[str, Any] = dict.fromkeys(ITEM_KEYS)
        out.update(shared)
        employed = 18 <= age < 60 and rnd() < (0.25 if rural else 0.6)
        out["work_unit"] = _UNITS[int(rnd() * len(_UNITS))] if employed and not rural else None
        out["residence_type"] = "1" if (local and rnd() < 0.97) or rnd() < 0.2 else "2"
        if rnd() < 0.12:  # many do not know their blood type
            out["blood_abo"], out["blood_rh"] = "5", "3"
        else:
            out["blood_abo"] = one(_ABO)
            out["blood_rh"] = "1" if rnd() < 0.003 else "2"
        era = 0 if birth.year < 1960 else 1 if birth.year < 1980 else 2
        if age < 7:
            out["education"] = "10"
        elif age < 13:
            out["education"] = "8"
        elif age < 16:
            out["education"] = "7"
        else:
            out["education"] = one(_EDUCATION[era, rural])
        if age < 16:
            out["occupation"] = "8"
        elif age >= 60:
            out["occupation"] = "4" if rural and rnd() < 0.5 else "8"
        else:
            out["occupation"] = one(_OCCUPATION[rural])
        out["marital"] = self._marital(age)
        payment = ["3"] if rural else ["1"] if employed else ["2"]
        if poverty:
            payment.append("4")
        if rnd() < 0.05:
            payment.append("5")
        out["payment"] = payment
        if rnd() < 0.1:
            code = one(_ALLERGY)
            out["allergy"] = [code]
            if code == "5":
                out["allergy_other"] = _ALLERGY_OTHER[int(rnd() * len(_ALLERGY_OTHER))]
        else:
            out["allergy"] = ["1"]
        out["exposure"] = ["1"] if rnd() < 0.97 else [("2", "3", "4")[int(rnd() * 3)]]
        out["past_diseases"] = self._diseases(age, birth)
        for key, rows, column, names, share in (
            ("surgery", "surgeries", "name", _SURGERIES, 0.004 * min(age, 60)),
            ("trauma", "traumas", "name", _TRAUMAS, 0.05),
            ("transfusion", "transfusions", "reason", _TRANSFUSION, 0.01),
        ):
            if age >= 1 and rnd() < share:
                out[key] = "2"
                when = self._month_between(birth, self.today)
                out[rows] = [{column: names[int(rnd() * len(names))], "occurred": when}]
            else:
                out[key], out[rows] = "1", []
        for relative in ("father", "mother", "siblings", "children"):
            if relative == "children" and age < 20:
                out["family_children"] = ["1"]
                continue
            if rnd() < 0.7:
                out[f"family_{relative}"] = ["1"]
            else:
                first = one(_FAMILY)
                second = one(_FAMILY) if rnd() < 0.25 else first
                out[f"family_{relative}"] = sorted({first, second}, key=int)
        if rnd() < 0.005:
            out["hereditary"] = "2"
            out["hereditary_name"] = ("色盲", "地中海贫血", "血友病")[int(rnd() * 3)]
        else:
            out["hereditary"] = "1"
        if disabled or rnd() < (0.01 if age < 60 else 0.05):
            out["disability"] = [("5", "2", "3", "6", "7")[int(rnd() * 5)]]
        else:
            out["disability"] = ["1"]
        if rnd() < P_INCOMPLETE:
            for key in self.rng.sample(_SKIPPABLE, 1 + int(rnd() * 4)):
                out[key] = None
                if key in ("surgery", "trauma", "transfusion"):
                    out[{"surgery": "surgeries", "trauma": "traumas"}.get(key, "transfusions")] = []
        return out

    def _marital(self, age: int) -> str:
        r = self.rnd()
        if age < 20:
            return "1"
        if age < 30:
            return "1" if r < 0.55 else "2"
        if age < 60:
            return "2" if r < 0.88 else "1" if r < 0.93 else "4" if r < 0.98 else "3"
        if age < 75:
            return "2" if r < 0.8 else "3" if r < 0.97 else "4"
        return "2" if r < 0.55 else "3" if r < 0.99 else "4"

    def _diseases(self, age: int, birth: dt.date) -> list[dict[str, Any]]:
        lines = []
        for code, from_age, share in _DISEASES:
            if age >= from_age and self.rnd() < share:
                first = max(birth.replace(day=1), dt.date(self.today.year - 15, 1, 1))
                lines.append({
                    "disease": code,
                    "disease_other": _CANCERS[int(self.rnd() * len(_CANCERS))] if code == "6" else None,
                    "diagnosed": self._month_between(first, self.today),
                })  # fmt: skip
        return lines or [{"disease": "1", "disease_other": None, "diagnosed": None}]


def set_contacts(household: Sequence[dict[str, Any]], ages: Sequence[int]) -> None:
    """Children and the old get the household's first working-age adult as 联系人."""
    adults = [r for r, a in zip(household, ages, strict=True) if 18 <= a < 60]
    if not adults:
        return
    contact = adults[0]
    for r, a in zip(household, ages, strict=True):
        if (a < 18 or a >= 60) and r is not contact:
            r["contact_name"] = contact["name"]
            r["contact_phone"] = contact["phone"]
