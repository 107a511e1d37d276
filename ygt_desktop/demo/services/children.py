"""0–6 years: 新生儿访视, 预防接种建证, 儿童健康检查 on the band forms of the child's age
(1岁以内 / 1～2岁 / 3～6岁, issue 14) and 中医药健康管理 (6–36 months: mostly the TCM row of
the check, sometimes the stand-alone sheet)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from ...core.dates import age_months, age_years
from ...core.schedules import add_months, child_windows
from .common import (
    CHILD_COMPLIANCE,
    CHILD_LATE,
    NEWBORN_ON_TIME,
    NEWBORN_VISITED,
    TCM_CHILD_COMPLIANCE,
    GeneratorBase,
    Record,
    Values,
    child_plan,
)
from .maternal import _Birth
from .state import _PersonState


def _interp(table: Sequence[tuple[float, float]], x: float) -> float:
    if x <= table[0][0]:
        return table[0][1]
    for (x0, y0), (x1, y1) in zip(table, table[1:], strict=False):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return table[-1][1]


# WHO child growth medians (boys; girls scaled below): age in months → value.
_WEIGHT = (
    (0, 3.3),
    (1, 4.5),
    (3, 6.4),
    (6, 7.9),
    (8, 8.6),
    (12, 9.6),
    (18, 10.9),
    (24, 12.2),
    (30, 13.3),
    (36, 14.3),
    (48, 16.3),
    (60, 18.3),
    (72, 20.5),
    (84, 22.9),
)
_LENGTH = (
    (0, 49.9),
    (1, 54.7),
    (3, 61.4),
    (6, 67.6),
    (8, 70.6),
    (12, 75.7),
    (18, 82.3),
    (24, 87.1),
    (30, 91.9),
    (36, 96.1),
    (48, 103.3),
    (60, 110.0),
    (72, 116.0),
    (84, 121.7),
)
_HEAD = (
    (0, 34.5),
    (1, 37.3),
    (3, 40.5),
    (6, 43.3),
    (8, 44.5),
    (12, 46.1),
    (18, 47.4),
    (24, 48.3),
    (30, 49.0),
    (36, 49.5),
)
_TEETH = ((5, 0.0), (8, 2.0), (12, 6.0), (18, 12.0), (24, 16.0), (30, 20.0), (84, 20.0))


class ChildrenMixin(GeneratorBase):
    """The child-health services of one resident under 7."""

    def child(self, s: _PersonState, birth: _Birth | None) -> Iterator[Record]:
        p = s.p
        born = p.birth_date.toordinal()
        if age_years(p.birth_date, dt.date.fromordinal(s.first)) >= 7:
            return
        rnd = self.rnd
        D = dt.date.fromordinal
        if birth is None:
            birth = _Birth(born, "1", "1", 39, born + 2)
        if s.first == born:
            yield from self.newborn(s, birth)
            if rnd() < 0.95:
                day = born + 3 + int(rnd() * 27) if rnd() < 0.93 else born + 31 + int(rnd() * 60)
                if day <= s.last:
                    yield "vaccination", p.id, D(day), None, self.vaccination(s, day)
        z_w, z_l = self.gauss(0, 0.9), self.gauss(0, 0.9)
        plan = child_plan()
        attends = self._punctuality()
        # A child archived later under 3 has its earlier checks copied in from the
        # 儿童保健手册 (as its earlier vaccine doses are).
        first = s.first
        if age_years(p.birth_date, D(s.first)) < 3:
            first = max(born, self.since_o)
        windows = list(child_windows(p.birth_date, plan.checks))
        opens = [w[2].toordinal() for w in windows[1:]] + [self.today_o + 1]
        checks: list[tuple[int, int]] = []  # (day, index of the window)
        for i, (_, _, opened, closed) in enumerate(windows):
            a, b = opened.toordinal(), closed.toordinal()
            if a < first or a > s.last or rnd() >= attends:
                continue
            late = b + 1 + int(rnd() * 20)
            if rnd() < CHILD_LATE and late < opens[i]:  # never into the next check's window
                day = late
            else:
                day = a + int(rnd() * min(20, b - a + 1))
            if day <= s.last and age_years(p.birth_date, D(day)) < 7:
                checks.append((day, i))
        covered: list[int] = []  # checks whose TCM row is filled
        checks.sort()
        for day, i in checks:
            next_day = windows[i + 1][2].toordinal() if i + 1 < len(windows) else None
            tcm = plan.checks[i][1] in plan.tcm_months and rnd() < TCM_CHILD_COMPLIANCE
            form_id, values = self.child_check(s, day, z_w, z_l, next_day, tcm)
            yield form_id, p.id, D(day), None, values
            if tcm:
                covered.append(day)
        tcm_days: list[int] = []
        for point in plan.tcm_months:  # guidance on the stand-alone sheet, no check row
            start = add_months(p.birth_date, point).toordinal()
            if start < s.first or any(start <= d < start + 30 for d in covered):
                continue
            if rnd() < 0.15:
                day = start + int(rnd() * 25)
                if day <= s.last:
                    tcm_days.append(day)
        for day in sorted(set(tcm_days)):
            months = age_months(p.birth_date, D(day))
            if not 6 <= months <= 36:
                continue
            yield "tcm_child", p.id, D(day), None, self.tcm_child(s, day, months)

    def _punctuality(self) -> float:
        """P(a check is made) for one child's family (:data:`CHILD_COMPLIANCE`)."""
        roll, share = self.rnd(), 0.0
        for part, attends in CHILD_COMPLIANCE:
            share += part
            if roll < share:
                return attends
        return CHILD_COMPLIANCE[-1][1]

    def newborn(self, s: _PersonState, birth: _Birth) -> Iterator[Record]:
        rnd = self.rnd
        if rnd() >= NEWBORN_VISITED:
            return
        base = birth.discharge or birth.born
        within = child_plan().newborn_days
        on_time = rnd() < NEWBORN_ON_TIME
        day = (
            base + 1 + int(rnd() * (within - 1)) if on_time else base + within + 1 + int(rnd() * 12)
        )
        day = min(day, birth.born + 28)
        if day > s.last:
            return
        p = s.p
        d = dt.date.fromordinal(day)
        girl = p.sex == "2"
        birth_weight = round(max(1.8, self.gauss(3.25 - 0.1 * girl, 0.4) -
                                 0.3 * max(0, 37 - birth.weeks)), 2)  # fmt: skip
        days = day - birth.born
        weight = round(birth_weight + max(-0.2, (days - 7) * 0.03), 2)
        jaundice = "1" if days > 14 or rnd() < 0.6 else "2"
        values: Values = {
            "visit_date": d, "birth_gest_weeks": birth.weeks,
            "birth_mode": [{"1": "1", "2": "4", "3": "2"}[birth.mode]],
            "asphyxia": False, "malformation": False,
            "hearing_screen": "1" if rnd() < 0.95 else "3",
            "disease_screen": ["2"] if rnd() < 0.95 else ["1"],
            "birth_weight": birth_weight, "birth_length": round(self.gauss(50, 1.5), 1),
            "weight": weight, "feeding": "1" if rnd() < 0.7 else "2",
            "temperature": round(36.4 + rnd() * 0.8, 1), "heart_rate": 120 + int(rnd() * 30),
            "respiration": 40 + int(rnd() * 10), "complexion": "1" if jaundice == "1" else "2",
            "jaundice": jaundice, "skin": "1", "umbilical_cord": "1" if days < 10 else "2",
            "referral": False, "guidance": ["1", "2", "3", "4"],
            "next_visit_place": "卫生服务站", "next_visit_date": p.birth_date + dt.timedelta(29),
            "doctor": self.doctor(p),
        }  # fmt: skip
        if birth.discharge is not None:
            values["discharged_date"] = dt.date.fromordinal(birth.discharge)
        values["days_after_discharge"] = day - base
        if values["next_visit_date"] <= d:
            values["next_visit_date"] = d + dt.timedelta(days=7)
        yield "newborn_visit", p.id, d, None, values

    def vaccination(self, s: _PersonState, day: int) -> Values:
        d = dt.date.fromordinal(day)
        values: Values = {
            "certificate_date": d,
            "certificate_no": f"{d.year}{s.p.id:08d}",
            "doctor": self.doctor(s.p),
        }
        if self.rnd() < 0.6:
            values.update(
                vaccine="乙肝疫苗",
                dose=2,
                vaccination_date=d,
                site="右上臂三角肌",
                batch_no=f"{d.year}{int(self.rnd() * 1e5):05d}",
            )
        return values

    def child_check(self, s: _PersonState, day: int, z_w: float, z_l: float,
                    next_day: int | None, tcm: bool) -> tuple[str, Values]:  # fmt: skip
        """(band form, values) of a check on ``day``: the items its column prints."""
        rnd = self.rnd
        p = s.p
        d = dt.date.fromordinal(day)
        months = age_months(p.birth_date, d)
        exact = (day - p.birth_date.toordinal()) / 30.44
        girl = p.sex == "2"
        weight = _interp(_WEIGHT, exact) * (0.95 if girl else 1) * (1 + 0.1 * z_w)
        length = _interp(_LENGTH, exact) * (0.985 if girl else 1) * (1 + 0.035 * z_l)
        w_eval = "1" if z_w > 1.3 else "3" if z_w < -1.3 else "2"
        l_eval = "1" if z_l > 1.3 else "3" if z_l < -1.3 else "2"
        ok = "1"  # 未见异常
        values: Values = {
            "exam_date": d, "age_in_months": months,
            "weight": round(weight + self.gauss(0, 0.1), 1), "weight_eval": w_eval,
            "doctor": self.doctor(p), "referral": False,
        }  # fmt: skip
        teeth = max(0, min(20, int(round(_interp(_TEETH, exact) + self.gauss(0, 1.5)))))
        caries = (min(teeth, 1 + int(rnd() * 3)) if months >= 24 and teeth
                  and rnd() < (0.15 if months < 48 else 0.3) else 0)  # fmt: skip
        hb = int(self.gauss(122, 8)) if rnd() < 0.92 else 100 + int(rnd() * 10)
        signs = [self.pick("1234")] if rnd() < 0.03 else []  # a warning sign: mostly passed
        illness = ["1"] if rnd() < 0.75 else [self.pick("2335")]
        if months < 36:  # 户外活动 is printed on the forms under 3
            values["outdoor_hours"] = round(1 + rnd() * 2, 1)
        if months < 12:
            form_id = "child_check_infant"
            values.update(
                length=round(length + self.gauss(0, 0.4), 1), length_eval=l_eval,
                head_circumference=round(_interp(_HEAD, exact) - girl + z_l * 1.2, 1),
                complexion=ok, skin=ok, fontanelle="2",
                fontanelle_width=round(1.0 + rnd() * 1.5, 1),
                fontanelle_length=round(1.0 + rnd() * 1.5, 1), eyes=ok, ears=ok,
                chest=ok, abdomen=ok, limbs=ok, anus_genitals=ok,
                vitamin_d=400 if rnd() < 0.85 else 0,
                guidance=["1", "2", "3", "4"],
            )  # fmt: skip
            if months < 8:
                values["neck_mass"] = "2"
            if months < 3:
                values.update(navel_cord="2", mouth=ok)
            elif months < 6:
                values.update(navel=ok, mouth=ok, rickets_symptoms=["1"], rickets_signs_3m="1")
            else:
                values.update(teeth=teeth, rickets_symptoms=["1"], rickets_signs=["1"])
                values["haemoglobin"] = hb
            if 6 <= months < 8:
                values["hearing"] = "1" if rnd() < 0.97 else "2"
            dev = "dev_3m" if 3 <= months < 6 else "dev_6m" if 6 <= months < 8 else "dev_8m"
            if tcm:
                values["tcm_guidance"] = ["1", "2", "3"]
        elif months < 36:
            form_id = "child_check_toddler"
            values.update(
                length=round(length + self.gauss(0, 0.4), 1), length_eval=l_eval,
                complexion=ok, skin=ok, eyes=ok, ears=ok, teeth=teeth, caries=caries,
                chest=ok, abdomen=ok, limbs=ok, rickets_signs=["1"],
                vitamin_d=400 if rnd() < 0.7 else 0, guidance=["1", "2", "3", "4", "5"],
            )  # fmt: skip
            if months < 30:
                values["fontanelle"] = "2" if months < 18 and rnd() < 0.4 else "1"
            if months >= 18:
                values["gait"] = ok
            if months < 18 or 24 <= months < 30:
                values["hearing"] = "1" if rnd() < 0.97 else "2"
            if 18 <= months < 24 or months >= 30:
                values["haemoglobin"] = hb
            dev = f"dev_{(12, 18, 24, 30)[min(3, (months - 12) // 6)]}m"
            if tcm:
                key = (
                    "tcm_guidance"
                    if months < 18
                    else "tcm_guidance_acu"
                    if months < 30
                    else "tcm_guidance_head"
                )
                values[key] = ["1", "2", "3"]
        else:
            form_id = "child_check_preschool"
            values.update(
                height=round(length + self.gauss(0, 0.4), 1), height_eval=l_eval,
                weight_for_height="2", growth_eval="1" if abs(z_w) < 1.6 else "2" if z_w < 0 else "5",
                teeth=teeth, caries=caries, chest=ok, abdomen=ok,
                guidance=["1", "2", "3", "4", "5"],
            )  # fmt: skip
            if months < 48:
                values["hearing"] = "1" if rnd() < 0.97 else "2"
                if tcm:
                    values["tcm_guidance_head"] = ["1", "2", "3"]
            else:
                low = rnd() < 0.08
                values["vision_left"] = 4.7 if low else round(4.9 + 0.1 * int(rnd() * 3), 1)
                values["vision_right"] = 4.8 if low else round(4.9 + 0.1 * int(rnd() * 3), 1)
            if rnd() < 0.5:
                values["haemoglobin"] = hb
            dev = f"dev_{months // 12}y"
        if months >= 3:
            values["illness"] = illness
            if "2" in illness:
                values["pneumonia_times"] = 1
            if "3" in illness:
                values["diarrhoea_times"] = 1 + int(rnd() * 3)
            if "5" in illness:
                values["illness_other"] = "上呼吸道感染"
        if signs and months >= 3:
            values[dev] = signs
            values["referral"] = True
            values["referral_reason"] = "发育评估出现预警征象"
            values["referral_institution"] = "区妇幼保健院儿童保健科"
        if next_day is not None and next_day > day:
            values["next_visit_date"] = dt.date.fromordinal(next_day)
        return form_id, values

    def tcm_child(self, s: _PersonState, day: int, months: int) -> Values:
        method = "3" if months < 18 else "4" if months < 30 else "5"
        return {
            "service_date": dt.date.fromordinal(day),
            "age_in_months": months,
            "guidance": ["1", "2", method],
            "doctor": self.doctor(s.p),
        }
