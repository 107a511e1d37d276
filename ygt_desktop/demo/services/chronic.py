"""高血压, 2型糖尿病 and 严重精神障碍: registers, quarterly follow-ups and re-checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from heapq import heappop, heappush

from ...core.dates import age_years
from ...core.schedules import quarter_bounds, quarter_of
from .common import (
    _HOSPITAL,
    COMPLIANCE,
    DM_PREVALENCE,
    DM_REGISTERED,
    HTN_PREVALENCE,
    HTN_REGISTERED,
    RECHECK,
    SMI_RATE,
    STATUS_CLOSE_REASON,
    GeneratorBase,
    Record,
    Values,
    _band,
    _bmi,
)
from .state import _PersonState


class ChronicMixin(GeneratorBase):
    """The chronic-disease programmes of one resident."""

    def chronic(self, s: _PersonState) -> Iterator[Record]:
        rnd = self.rnd
        p = s.p
        age = age_years(p.birth_date, dt.date.fromordinal(s.last))
        if age < 35:
            if 18 <= age <= 75 and rnd() < SMI_RATE:
                yield from self.smi(s)
            return
        s.htn = rnd() < _band(HTN_PREVALENCE, age)
        dm_p = _band(DM_PREVALENCE, age) * (1.6 if s.htn else 0.8)
        s.dm = rnd() < dm_p
        if s.htn and rnd() < HTN_REGISTERED:
            yield from self.chronic_programme(s, "htn", age)
        if s.dm and rnd() < DM_REGISTERED:
            yield from self.chronic_programme(s, "dm", age)
        if age <= 75 and rnd() < SMI_RATE:
            yield from self.smi(s)

    def register_dates(self, s: _PersonState, age: int, spread: int = 600
                       ) -> tuple[int, int, int | None, str | None] | None:  # fmt: skip
        """(diagnosis, register, closed, close reason) as ordinals, or None."""
        rnd = self.rnd
        years = max(1, min(age - 30, 20))
        diag = s.last - int(rnd() * years * 365.25)
        reg = max(diag + int(rnd() * 45), s.first + int(rnd() ** 2.5 * spread))
        if reg > s.last or age_years(s.p.birth_date, dt.date.fromordinal(reg)) < 18:
            return None
        diag = min(diag, reg)
        closed: int | None = None
        reason: str | None = None
        p = s.p
        if p.status != "在档" and rnd() < 0.9:
            closed, reason = s.last, STATUS_CLOSE_REASON.get(p.status, "9")
        elif s.last - reg > 200 and rnd() < 0.025:
            closed, reason = reg + 100 + int(rnd() * (s.last - reg - 100)), "3"
        if closed is not None and closed <= reg:
            closed, reason = None, None
        return diag, reg, closed, reason

    def chronic_programme(self, s: _PersonState, programme: str, age: int) -> Iterator[Record]:
        dates = self.register_dates(s, age)
        if dates is None:
            return
        diag, reg, closed, reason = dates
        rnd = self.rnd
        p = s.p
        D = dt.date.fromordinal
        values: Values = {
            "register_date": D(reg), "diagnosis_date": D(diag),
            "diagnosis_institution": _HOSPITAL if rnd() < 0.7 else "本站",
            "doctor": self.doctor(p),
        }  # fmt: skip
        if programme == "htn":
            r = rnd()
            values["risk_level"] = "1" if r < 0.3 else "2" if r < 0.7 else "3" if r < 0.93 else "4"
        else:
            r = rnd()
            values["complications"] = (["1"] if r < 0.7 else [self.pick("234569")] if r < 0.95
                                       else ["2", "6"])  # fmt: skip
        if closed is not None:
            values["closed_date"] = D(closed)
            values["close_reason"] = reason
        yield f"{programme}_register", p.id, D(reg), None, values
        s.registered = True
        s.managed(reg)
        fu_last = s.last if closed is None else min(s.last, closed - 1)
        kind = s.compliance
        visit = self.htn_visit if programme == "htn" else self.dm_visit
        yield from self.followups(s, f"{programme}_followup", reg, fu_last, kind, visit)

    def followups(self, s: _PersonState, form_id: str, reg: int, fu_last: int, kind: int,
                  visit: Callable[[_PersonState, int, str, bool, bool | None],
                                  tuple[Values, bool | None]]) -> Iterator[Record]:  # fmt: skip
        """Quarterly visits from ``reg`` to ``fu_last``, with the re-checks they call for."""
        rnd = self.rnd
        _, p_face, p_phone = COMPLIANCE[kind]
        face_method = s.face_method
        other_method = "2" if face_method == "1" else "1"
        planned: list[tuple[int, str, bool]] = []
        year, quarter = quarter_of(dt.date.fromordinal(reg))
        while True:
            q_start, q_end = (d.toordinal() for d in quarter_bounds(year, quarter))
            if q_start > fu_last:
                break
            lo = max(q_start, reg)
            if rnd() < p_face:
                day = reg if lo == reg and rnd() < 0.5 else lo + int(rnd() * (q_end - lo + 1))
                if day <= fu_last:
                    method = face_method if rnd() < 0.85 else other_method
                    heappush(planned, (day, method, False))
            if rnd() < p_phone:
                day = lo + int(rnd() * (q_end - lo + 1))
                if day <= fu_last:
                    heappush(planned, (day, "3", False))
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        p_recheck = RECHECK[kind]
        last_day = 0
        prev: bool | None = None
        while planned:
            day, method, recheck = heappop(planned)
            if day <= last_day:
                continue
            last_day = day
            values, controlled = visit(s, day, method, recheck, prev)
            if controlled is not None:
                prev = controlled
            yield form_id, s.p.id, dt.date.fromordinal(day), None, values
            if controlled is False and rnd() < p_recheck:
                gap = 7 + int(rnd() * 8) if rnd() < 0.85 else 15 + int(rnd() * 15)
                if not planned or planned[0][0] > day + 14:
                    if day + gap <= fu_last:
                        heappush(planned, (day + gap, s.face_method, True))

    def lifestyle(self, s: _PersonState, values: Values) -> None:
        b = s.body
        values["weight"] = weight = round(b.weight + (self.rnd() - 0.5) * 2, 1)
        values["height"] = b.height
        values["bmi"] = _bmi(weight, b.height)
        values["weight_target"] = (round(min(weight, 23.9 * (b.height / 100) ** 2), 1)
                                   if values["bmi"] >= 24 else weight)  # fmt: skip
        values["heart_rate"] = 62 + int(self.rnd() * 24)
        values["smoking"] = b.smoking
        values["smoking_target"] = 0 if b.smoking <= 5 else b.smoking // 2
        values["drinking"] = b.drinking
        values["drinking_target"] = min(b.drinking, 1.0)
        values["exercise_times"] = b.exercise_times
        values["exercise_minutes"] = b.exercise_minutes

    def htn_visit(self, s: _PersonState, day: int, method: str, recheck: bool,
                  prev: bool | None) -> tuple[Values, bool | None]:  # fmt: skip
        rnd = self.rnd
        d = dt.date.fromordinal(day)
        values: Values = {
            "visit_date": d,
            "visit_method": method,
            "doctor": self.doctor(s.p),
            "adherence": s.adherence,
            "medicines": s.htn_lines,
        }
        values["symptoms"] = ["1"] if rnd() < 0.8 else [self.pick(("2", "4", "6", "8", "9", "10"))]
        if values["symptoms"] == ["10"]:  # 其他: what it was (no draw: the stream stays)
            values["symptoms_other"] = ("乏力", "失眠", "颈部僵硬", "夜尿增多")[s.p.id % 4]
        adverse = rnd() < 0.02
        values["adverse_reaction"] = adverse
        if adverse:
            values["adverse_detail"] = self.pick(("干咳", "踝部水肿", "头痛、面部潮红"))
        if method == "3":
            values["visit_class"] = "3" if adverse else "1"
            values["next_visit_date"] = d + dt.timedelta(days=90)
            return values, None
        sbp, dbp = s.bp(recheck)
        values["sbp"], values["dbp"] = sbp, dbp
        self.lifestyle(s, values)
        values["salt"] = s.body.salt
        values["salt_target"] = "1"
        values["psych"] = "1" if rnd() < 0.9 else "2"
        values["compliance"] = "1" if s.adherence == "1" else "2"
        older = age_years(s.p.birth_date, d) >= 65
        controlled = (sbp < 150 and dbp < 90) if older else (sbp < 140 and dbp < 90)
        values["controlled"] = controlled
        values["visit_class"] = ("3" if adverse else "1" if controlled else
                                 "4" if rnd() < 0.03 else "2")  # fmt: skip
        if sbp >= 180 or dbp >= 110:
            values["referral_reason"] = "血压≥180/110mmHg，紧急转诊"
            values["referral_institution"] = _HOSPITAL + "心血管内科"
        elif not controlled and prev is False and rnd() < 0.5:
            values["referral_reason"] = "连续两次随访血压控制不满意"
            values["referral_institution"] = _HOSPITAL + "心血管内科"
        values["next_visit_date"] = d + dt.timedelta(days=90 if controlled else 14)
        return values, controlled

    def dm_visit(self, s: _PersonState, day: int, method: str, recheck: bool,
                 prev: bool | None) -> tuple[Values, bool | None]:  # fmt: skip
        rnd = self.rnd
        d = dt.date.fromordinal(day)
        values: Values = {
            "visit_date": d,
            "visit_method": method,
            "doctor": self.doctor(s.p),
            "adherence": s.adherence,
            "medicines": s.dm_lines,
        }
        values["symptoms"] = ["1"] if rnd() < 0.75 else [self.pick(("2", "3", "4", "5", "7"))]
        adverse = rnd() < 0.015
        values["adverse_reaction"] = adverse
        if adverse:
            values["adverse_detail"] = self.pick(("胃肠道不适", "腹胀", "皮疹"))
        values["hypoglycemia"] = "1" if rnd() < 0.93 else "2"
        if s.insulin:
            values["insulin"] = s.insulin
        if method == "3":
            values["visit_class"] = "3" if adverse else "1"
            values["next_visit_date"] = d + dt.timedelta(days=90)
            return values, None
        sbp, dbp = s.bp(False)
        values["sbp"], values["dbp"] = sbp, dbp
        self.lifestyle(s, values)
        values["foot_pulse"] = "2" if rnd() < 0.93 else self.pick("34")
        values["staple_food"] = s.body.staple
        values["staple_food_target"] = min(s.body.staple, 250)
        values["psych"] = "1" if rnd() < 0.9 else "2"
        values["compliance"] = "1" if s.adherence == "1" else "2"
        if rnd() < 0.03:  # no glucose reading this time
            values["visit_class"] = "1"
            values["next_visit_date"] = d + dt.timedelta(days=90)
            return values, None
        fpg = s.fpg(recheck)
        values["fpg"] = fpg
        if rnd() < 0.2:
            values["hba1c"] = round(max(4.5, (fpg * 18 + 46.7) / 28.7 + self.gauss(0, 0.4)), 1)
            values["hba1c_date"] = d - dt.timedelta(days=int(rnd() * 10))
        controlled = fpg < 7.0
        values["controlled"] = controlled
        values["visit_class"] = ("3" if adverse else "1" if controlled else
                                 "4" if rnd() < 0.03 else "2")  # fmt: skip
        if fpg >= 16.7 or fpg <= 3.9:
            values["referral_reason"] = "空腹血糖≥16.7或≤3.9mmol/L，紧急转诊"
            values["referral_institution"] = _HOSPITAL + "内分泌科"
        elif not controlled and prev is False and rnd() < 0.5:
            values["referral_reason"] = "连续两次随访血糖控制不满意"
            values["referral_institution"] = _HOSPITAL + "内分泌科"
        values["next_visit_date"] = d + dt.timedelta(days=90 if controlled else 14)
        return values, controlled

    def smi(self, s: _PersonState) -> Iterator[Record]:
        rnd = self.rnd
        p = s.p
        D = dt.date.fromordinal
        age = age_years(p.birth_date, D(s.last))
        dates = self.register_dates(s, age, spread=900)
        if dates is None:
            return
        diag, reg, closed, reason = dates
        onset = max(diag - int(rnd() * 900), p.birth_date.toordinal() + 15 * 365)
        onset = min(onset, diag)
        r = rnd()
        diagnosis = ("1" if r < 0.6 else "4" if r < 0.7 else "3" if r < 0.75 else
                     "2" if r < 0.8 else "5" if r < 0.88 else "6")  # fmt: skip
        values: Values = {
            "register_date": D(reg), "guardian_name": self.name(),
            "guardian_relation": self.pick(("父亲", "母亲", "配偶", "子女", "兄弟姐妹")),
            "guardian_address": "同住", "guardian_phone": p.phone or self.phone(),
            "village_contact": self.name(), "village_contact_phone": self.phone(),
            "consent": "1", "first_onset_date": D(onset), "diagnosis": diagnosis,
            "diagnosis_institution": "市精神卫生中心", "diagnosis_date": D(diag),
            "outpatient_history": "3" if rnd() < 0.6 else "2",
            "inpatient_times": int(rnd() * 4), "last_treatment_effect": "2" if rnd() < 0.7 else "3",
            "lock_status": "1", "economic_status": "1" if rnd() < 0.3 else "2",
            "doctor": self.doctor(p),
        }  # fmt: skip
        if closed is not None:
            values["closed_date"] = D(closed)
            values["close_reason"] = reason
        yield "smi_register", p.id, D(reg), None, values
        s.smi = True
        s.managed(reg)
        fu_last = s.last if closed is None else min(s.last, closed - 1)
        s.smi_stable = 0.8 + rnd() * 0.18
        yield from self.smi_followups(s, reg, fu_last)

    def smi_followups(self, s: _PersonState, reg: int, fu_last: int) -> Iterator[Record]:
        """Each follow-up the next within its class's interval (稳定 3 months, otherwise
        2 weeks: smi_followup's [schedule] next_visit), on time as the patient's
        compliance goes, late otherwise; an 应急处置 on some days of risk 3 and above."""
        rnd = self.rnd
        _, p_face, p_phone = COMPLIANCE[s.compliance]
        day = reg + int(rnd() * 14)
        while day <= fu_last:
            method = "3" if rnd() < p_phone * 0.5 else s.face_method
            values, good = self.smi_visit(s, day, method, False, None)
            if values["risk_grade"] in "345" and rnd() < 0.9:
                event = self.smi_emergency(s, day, str(values["risk_grade"]))
                yield "smi_emergency", s.p.id, dt.date.fromordinal(day), None, event
            yield "smi_followup", s.p.id, dt.date.fromordinal(day), None, values
            interval = 90 if good else 14
            on_time = rnd() < p_face
            day += (interval - int(rnd() * interval * 0.3) if on_time
                    else interval + 7 + int(rnd() * 40))  # fmt: skip

    def smi_emergency(self, s: _PersonState, day: int, risk: str) -> Values:
        rnd = self.rnd
        police = risk in "45" or rnd() < 0.3
        values: Values = {
            "event_date": dt.date.fromordinal(day), "place": "家中" if rnd() < 0.7 else "村内",
            "risk_grade": risk,
            "situation": self.pick(("在家中砸毁物品，家属劝说无效", "持械威胁邻居",
                                    "拒绝服药，情绪激动，外走")),
            "measures": ["1", "4"] if rnd() < 0.6 else ["1", "3", "4"],
            "police": police, "medical": True, "medical_institution": "市精神卫生中心",
            "outcome": "3" if rnd() < 0.6 else "2", "handler": self.doctor(s.p),
        }  # fmt: skip
        return values

    def smi_visit(self, s: _PersonState, day: int, method: str, recheck: bool,
                  prev: bool | None) -> tuple[Values, bool | None]:  # fmt: skip
        rnd = self.rnd
        d = dt.date.fromordinal(day)
        r = rnd()
        stability = "1" if r < s.smi_stable else "2" if r < s.smi_stable + 0.1 else "3"
        risk = ("0" if stability == "1" else self.pick("1112") if stability == "2" else
                self.pick("12334"))  # fmt: skip
        good = stability == "1"
        values: Values = {
            "visit_date": d, "visit_method": "2" if method in "12" else "3",
            "risk_grade": risk, "insight": "1" if good and rnd() < 0.6 else "2",
            "sleep": "1" if good else "2", "diet": "1" if good else "2",
            "sf_self_care": "1" if good else "2", "sf_housework": "1" if good else "2",
            "sf_work": "1" if good and rnd() < 0.5 else "9" if rnd() < 0.5 else "2",
            "sf_learning": "2", "sf_social": "2" if good else "3",
            "risk_behaviour": ["1"] if risk in "01" else [self.pick("25")],
            "lock_status": "1", "hospitalisation": "0" if rnd() < 0.7 else "2",
            "adherence": "1" if rnd() < 0.75 else "2", "adverse_reaction": False,
            "treatment_effect": "2" if good else "3", "medication": s.smi_med,
            "rehabilitation": ["1", "4"], "stability": stability,
            "referral": risk in "345", "doctor": self.doctor(s.p),
        }  # fmt: skip
        if values["hospitalisation"] == "2":
            values["last_discharge_date"] = s.smi_discharge
        if not good:
            values["symptoms"] = [self.pick(("1", "3", "4", "11"))]
        if values["referral"]:
            values["referral_reason"] = f"危险性评估{risk}级，紧急转诊"
            values["referral_institution"] = "市精神卫生中心"
        values["next_visit_date"] = d + dt.timedelta(days=90 if good else 14)
        return values, good
