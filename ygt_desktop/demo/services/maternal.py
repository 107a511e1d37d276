"""Births and pregnancies: who is whose baby, and each pregnancy's records — 早孕建册,
产前随访, 分娩, 产后访视 and 产后42天检查 (one ``episode_key`` per pregnancy)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ...core.dates import age_years
from .common import _HOSPITAL, ONGOING_PREGNANCY, GeneratorBase, Person, Record, Values, _bmi
from .state import _PersonState


@dataclass(slots=True)
class _Birth:
    born: int
    place: str
    mode: str
    weeks: int
    discharge: int | None


@dataclass(slots=True)
class _Pregnancy:
    lmp: int
    delivered: int | None
    birth: _Birth | None


class MaternalMixin(GeneratorBase):
    """Plans a household's births and writes the mothers' pregnancy records."""

    def plan_births(self, members: list[Person]
                    ) -> tuple[dict[int, _Birth], dict[int, list[_Pregnancy]]]:  # fmt: skip
        """Birth facts of the household's babies, and their mothers' pregnancies."""
        rnd = self.rnd
        births: dict[int, _Birth] = {}
        pregnancies: dict[int, list[_Pregnancy]] = defaultdict(list)
        women = [m for m in members if m.sex == "2"]
        for baby in sorted(members, key=lambda m: m.birth_date):
            first, last = self.window(baby)
            born = baby.birth_date.toordinal()
            if first != born or born > self.today_o:
                continue
            r = rnd()
            place = "1" if r < 0.7 else "2" if r < 0.96 else "3" if r < 0.98 else "4"
            r = rnd()
            mode = "1" if r < 0.65 else "2" if r < 0.98 else "3"
            if place == "4":
                mode = "1"
            weeks = 39 + int(round(self.gauss(0, 1.1))) if rnd() < 0.95 else 34 + int(rnd() * 3)
            weeks = max(33, min(42, weeks))
            stay = (1 + int(rnd() * 3)) if mode != "2" else 3 + int(rnd() * 3)
            discharge = born + stay if place != "4" else None
            birth = _Birth(born, place, mode, weeks, discharge)
            births[baby.id] = birth
            mothers = []
            for w in women:
                w_first, w_last = self.window(w)
                age = age_years(w.birth_date, baby.birth_date)
                if 18 <= age <= 45 and w_first <= born - 70 and w_last >= born:
                    mothers.append((abs(age - 28), w.id, w))
            if not mothers:
                continue
            _, _, mother = min(mothers)
            lmp = born - weeks * 7 - int(rnd() * 7)
            earlier = pregnancies.get(mother.id)
            if earlier and earlier[-1].delivered is not None and lmp <= earlier[-1].delivered + 60:
                continue
            pregnancies[mother.id].append(_Pregnancy(lmp, born, birth))
        for w in women:
            first, last = self.window(w)
            if last != self.today_o or w.status != "在档":
                continue
            age = age_years(w.birth_date, self.today)
            if not 20 <= age <= 40 or rnd() >= ONGOING_PREGNANCY:
                continue
            if age >= 35 and rnd() < 0.6:
                continue  # fewer pregnancies after 35 (the birth rate by age)
            lmp = self.today_o - 8 * 7 - int(rnd() * 30 * 7)
            earlier = pregnancies.get(w.id)
            if lmp < first or (earlier and (earlier[-1].delivered or 0) + 60 >= lmp):
                continue
            pregnancies[w.id].append(_Pregnancy(lmp, None, None))
        return births, pregnancies

    def risk_colour(self, age: int, bmi: float) -> tuple[str, bool, str | None]:
        """The 2017 risk colour of a first check (绿 most, 黄 ~25 %, 橙 ~8 %, 红 ~1 %, and
        紫 ~1 % beside any), never below the least the age and BMI give (橙 for ≥ 40
        years or BMI ≥ 28, 黄 for ≥ 35 or ≤ 18 years or BMI > 25 or < 18.5), with the
        高危因素 it was given for."""
        rnd = self.rnd
        r = rnd()
        # a complication drawn for anyone, then raised to what age and BMI give at least
        # (about a quarter of mothers are 35 or older): 绿 ≈ 65 %, 黄 ≈ 25 %, 橙 ≈ 9 %
        risk = "1" if r < 0.90 else "2" if r < 0.95 else "3" if r < 0.99 else "4"
        factors = {"2": "瘢痕子宫", "3": "妊娠期高血压疾病", "4": "心脏病（心功能Ⅲ级）"}
        reasons = [factors[risk]] if risk != "1" else []
        if age >= 40 or bmi >= 28:
            least, why = "3", "年龄≥40岁" if age >= 40 else "体质指数≥28"
        elif age >= 35 or age <= 18 or bmi > 25 or bmi < 18.5:
            least = "2"
            why = "年龄≥35岁" if age >= 35 else "年龄≤18岁" if age <= 18 else "体质指数异常"
        else:
            least, why = "1", ""
        if least > risk:
            risk, reasons = least, [why]
        purple = rnd() < 0.01
        if purple:
            reasons.append("乙肝表面抗原阳性")
        return risk, purple, "、".join(reasons) or None

    def pregnancies(self, s: _PersonState, plans: list[_Pregnancy], members: list[Person]
                    ) -> Iterator[Record]:  # fmt: skip
        for n, plan in enumerate(plans):
            closing = n + 1 < len(plans)  # a later pregnancy needs this one closed
            yield from self.pregnancy(s, plan, n, closing, members)

    def pregnancy(self, s: _PersonState, plan: _Pregnancy, n: int, must_close: bool,
                  members: list[Person]) -> Iterator[Record]:  # fmt: skip
        rnd = self.rnd
        p = s.p
        D = dt.date.fromordinal
        key = f"preg:{p.id}:{n}"
        lmp = plan.lmp
        week = 8 + int(rnd() * 5) if rnd() < 0.85 else 13 + int(rnd() * 8)
        first_day = max(lmp + week * 7 + int(rnd() * 7), s.first)
        end = s.last if plan.delivered is None else min(s.last, plan.delivered - 1)
        if first_day > end or first_day - lmp > 40 * 7:
            return
        age = age_years(p.birth_date, D(first_day))
        if not 12 <= age <= 55:
            return
        b = s.body
        r_abo = rnd()
        parity = n if rnd() < 0.7 else n + 1
        gravidity = parity + 1 + (1 if rnd() < 0.25 else 0)
        husband = next((m for m in members if m.sex == "1" and m.name and
                        abs(age_years(m.birth_date, D(first_day)) - age) <= 8), None)  # fmt: skip
        base_sbp, base_dbp = 108 + self.gauss(0, 8), 68 + self.gauss(0, 6)
        sbp, dbp = self.even(base_sbp), min(self.even(base_dbp), self.even(base_sbp) - 30)
        # the weight before this pregnancy: women who conceive are mostly of ordinary
        # build, half as far from BMI 21.5 as the station's adult women
        usual = _bmi(b.weight, b.height)
        weight = round((21.5 + (usual - 21.5) * 0.5) * (b.height / 100) ** 2, 1)
        bmi = _bmi(weight, b.height)
        risk, purple, factors = self.risk_colour(age, bmi)
        values: Values = {
            "exam_date": D(first_day), "lmp_date": D(lmp), "gest_weeks": (first_day - lmp) // 7,
            "edd": D(lmp + 280), "mother_age": age, "gravidity": gravidity, "parity": parity,
            "past_history": ["1"], "family_history": ["1"], "personal_history": ["1"],
            "gyn_surgery": "1", "height": b.height, "weight": weight, "bmi": bmi,
            "sbp": sbp, "dbp": dbp, "heart": "1", "lungs": "1", "vulva": "1", "vagina": "1",
            "cervix": "1", "uterus": "1", "adnexa": "1",
            "haemoglobin": int(self.gauss(124, 9)), "wbc": round(self.gauss(8.5, 1.5), 1),
            "plt": int(self.gauss(230, 40)), "urine_protein": "0", "urine_glucose": "0",
            "urine_ketone": "0", "urine_blood": "0",
            "abo": "1" if r_abo < 0.28 else "2" if r_abo < 0.56 else "3" if r_abo < 0.9 else "4",
            "rh": "1" if rnd() < 0.004 else "2", "glucose": round(self.gauss(4.5, 0.35), 1),
            "alt": int(10 + rnd() * 25), "ast": int(12 + rnd() * 20),
            "albumin": round(self.gauss(41, 2.5), 1), "tbil": round(6 + rnd() * 9, 1),
            "dbil": round(1 + rnd() * 4, 1), "creatinine": int(self.gauss(55, 8)),
            "urea": round(self.gauss(3.5, 0.7), 1), "vaginal_discharge": ["1"],
            "vaginal_cleanliness": "1" if rnd() < 0.6 else "2",
            "hbsag": "2" if purple else "1", "syphilis": "1", "hiv": "1",
            "assessment": "1", "risk_screen": "1" if risk == "1" and not purple else "2",
            "risk": risk, "risk_purple": purple, "risk_date": D(first_day),
            "guidance": ["1", "2", "3", "4", "5"], "referral": risk in "34" or purple,
            "doctor": self.doctor(p),
        }  # fmt: skip
        if factors:
            values["risk_factors"] = factors
        if parity:
            caesareans = 1 if rnd() < 0.3 else 0
            values["vaginal_births"] = parity - caesareans
            values["caesareans"] = caesareans
        if husband is not None:
            values["husband_name"] = husband.name
            values["husband_phone"] = husband.phone
        if values["referral"]:
            values["referral_reason"] = "妊娠风险评估为较高及以上风险，专案管理"
            values["referral_institution"] = "区妇幼保健院产科"
        next_visit = lmp + 16 * 7 + int(rnd() * 14)
        if next_visit > first_day:
            values["next_visit_date"] = D(next_visit)
        yield "prenatal_first", p.id, D(first_day), key, values
        windows = ((2, 16, 20, 0.98), (3, 21, 24, 0.96), (4, 28, 36, 0.95), (5, 37, 41, 0.92))
        last_day = first_day
        for visit_no, lo, hi, chance in windows:
            start = lmp + lo * 7
            if rnd() >= chance:
                continue
            # within the window and before the delivery (a 39-week birth leaves the 5th
            # visit two weeks, not five: drawn over the whole window, most fell after it)
            stop = min(lmp + (hi + 1) * 7 - 1, end)
            day = start + int(rnd() * max(stop - start + 1, 1))
            if day <= last_day or day > end:
                continue
            last_day = day
            weeks = (day - lmp) // 7
            if risk == "1" and rnd() < 0.03:  # re-graded at the visit (动态评估)
                risk, factors = "2", "妊娠期贫血"
            fu: Values = {
                "exam_date": D(day), "visit_no": str(visit_no), "gest_weeks": weeks,
                "weight": round(weight + 0.45 * max(0, weeks - 12), 1),
                "fundal_height": round(max(12.0, weeks - 2 + self.gauss(0, 1.5)), 1),
                "abdominal_circumference": round(80 + weeks * 0.5 + self.gauss(0, 3), 1),
                "fetal_heart_rate": 130 + int(rnd() * 25), "sbp": self.even(base_sbp + 2),
                "dbp": self.even(base_dbp + 1), "haemoglobin": int(self.gauss(118, 9)),
                "urine_protein": "0", "classification": "1", "risk": risk, "risk_purple": purple,
                "guidance": ["1", "2", "5"] if weeks < 28 else ["5", "6", "7"],
                "doctor": self.doctor(p),
            }  # fmt: skip
            if fu["dbp"] >= fu["sbp"] - 20:
                fu["dbp"] = fu["sbp"] - 30
            if weeks >= 28:
                fu["fetal_position"] = "1" if rnd() < 0.94 else "2"
            if factors:
                fu["risk_factors"] = factors
            if risk in "34" or purple:
                fu["referral_reason"] = "较高风险孕妇，转诊至助产机构管理"
                fu["referral_institution"] = "区妇幼保健院产科"
            yield "prenatal_followup", p.id, D(day), key, fu
        birth = plan.birth
        if plan.delivered is None or birth is None or plan.delivered > s.last:
            return
        discharge = birth.discharge
        if discharge is not None and discharge > self.today_o:
            return  # the station records the delivery once the mother is home
        delivered = plan.delivered
        dv: Values = {
            "delivered_date": D(delivered),
            "gest_weeks": (delivered - lmp) // 7,
            "place": birth.place,
            "mode": birth.mode,
            "live_births": 1,
            "stillbirths": 0,
        }
        if birth.place in "123":
            dv["institution"] = _HOSPITAL if birth.place == "1" else "乡镇卫生院"
            dv["discharged_date"] = D(discharge) if discharge is not None else None
        yield "delivery", p.id, D(delivered), key, dv
        base = discharge or delivered
        r = rnd()
        visit = (
            base + 3 + int(rnd() * 5)
            if r < 0.85
            else base + 8 + int(rnd() * 14)
            if r < 0.93
            else None
        )
        caesarean = birth.mode == "2"
        if visit is not None and visit <= s.last:
            pv: Values = {
                "visit_date": D(visit), "days_after_discharge": visit - base,
                "temperature": round(36.4 + rnd() * 0.8, 1), "sbp": self.even(base_sbp + 4),
                "dbp": self.even(base_dbp + 3), "breast": "1", "lochia": "1", "uterus": "1",
                "wound": "1" if caesarean or rnd() < 0.3 else "3", "classification": "1",
                "guidance": ["1", "2", "3", "4", "5"], "referral": False,
                "next_visit_date": D(delivered + 42), "doctor": self.doctor(p),
            }  # fmt: skip
            if pv["next_visit_date"] <= pv["visit_date"]:
                pv["next_visit_date"] = D(visit + 14)
            yield "postpartum_visit", p.id, D(visit), key, pv
        if not must_close and rnd() >= 0.82:
            return
        day = delivered + 42 + int(rnd() * 12)
        referred = rnd() < 0.03
        for outcome in ("2", "1") if referred else ("1",):
            if day > s.last:
                return
            pe: Values = {
                "exam_date": D(day), "days_after_delivery": day - delivered,
                "sbp": self.even(base_sbp + 2), "dbp": self.even(base_dbp + 1),
                "weight": round(weight + 2 + rnd() * 3, 1), "breast": "1", "lochia": "1",
                "uterus": "1", "wound": "1" if caesarean else "3", "classification": "1",
                "guidance": ["1", "2", "3", "4"], "outcome": outcome, "doctor": self.doctor(p),
            }  # fmt: skip
            if outcome == "2":
                pe["classification"] = "2"
                pe["uterus"] = "2"
                pe["other_findings"] = "子宫复旧不良"
                pe["referral_reason"] = "子宫复旧不良"
                pe["referral_institution"] = "区妇幼保健院妇科"
            yield "postpartum_42d", p.id, D(day), key, pe
            day += 14 + int(rnd() * 14)
