"""65+: the yearly 健康体检 and 中医体质辨识 (老年人中医药健康管理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from ...core import tcm
from ...core.dates import age_years
from ...core.schedules import add_months
from .common import (
    ELDERLY_PROPENSITY,
    TCM_WITH_EXAM,
    TCM_WITHOUT_EXAM,
    GeneratorBase,
    Record,
    Values,
    _bmi,
)
from .state import _PersonState

_SCORE_FIELDS = {
    "平和": "score_pinghe",
    "气虚": "score_qixu",
    "阳虚": "score_yangxu",
    "阴虚": "score_yinxu",
    "痰湿": "score_tanshi",
    "湿热": "score_shire",
    "血瘀": "score_xueyu",
    "气郁": "score_qiyu",
    "特禀": "score_tebing",
}


def _cumulative(table: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out, total = [], 0.0
    for share, value in table:
        total += share
        out.append((total, value))
    out[-1] = (2.0, out[-1][1])
    return out


_ELDERLY_CUMULATIVE = _cumulative(ELDERLY_PROPENSITY)

_SELF_CARE_POINTS = {
    "sc_meal": {"1": 0, "3": 3, "4": 5}, "sc_grooming": {"1": 0, "2": 1, "3": 3, "4": 7},
    "sc_dressing": {"1": 0, "3": 3, "4": 5}, "sc_toilet": {"1": 0, "2": 1, "3": 5, "4": 10},
    "sc_activity": {"1": 0, "2": 1, "3": 5, "4": 10},
}  # fmt: skip


def _self_care_score(items: dict[str, str]) -> int:
    return sum(_SELF_CARE_POINTS[k][v] for k, v in items.items())


class ElderlyMixin(GeneratorBase):
    """The 65+ services of one resident."""

    def elderly(self, s: _PersonState) -> Iterator[Record]:
        p = s.p
        if s.last - p.birth_date.toordinal() < 23_700:  # under 65 throughout
            return
        eligible = add_months(p.birth_date, 65 * 12).toordinal()
        start = max(s.first, eligible)
        if start > s.last:
            return
        rnd = self.rnd
        r = rnd()
        propensity = next(q for share, q in _ELDERLY_CUMULATIVE if r < share)
        D = dt.date.fromordinal
        for year in range(D(start).year, D(s.last).year + 1):
            lo = max(start, dt.date(year, 1, 1).toordinal())
            hi = dt.date(year, 12, 31).toordinal()
            exam_day = None
            if rnd() < propensity:
                # Exams run as campaigns, mostly March to June.
                month = (3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11)[int(rnd() * 12)]
                day = dt.date(year, month, 1).toordinal() + int(rnd() * 28)
                if day < lo:
                    day = lo + int(rnd() * (hi - lo + 1))
                if day <= s.last:
                    exam_day = day
                    yield "elderly_exam", p.id, D(day), None, self.elderly_exam(s, day)
            tcm_p = TCM_WITH_EXAM if exam_day else TCM_WITHOUT_EXAM
            if rnd() < tcm_p:
                day = exam_day if exam_day and rnd() < 0.85 else lo + int(rnd() * (hi - lo + 1))
                if day <= s.last:
                    yield "tcm_elderly", p.id, D(day), None, self.tcm_elderly(s, day)

    def elderly_exam(self, s: _PersonState, day: int) -> Values:
        rnd = self.rnd
        p = s.p
        d = dt.date.fromordinal(day)
        b = s.body
        sbp, dbp = s.bp(False)
        weight = round(b.weight + (rnd() - 0.5) * 2, 1)
        bmi = _bmi(weight, b.height)
        s.last_exam_bmi = bmi
        values: Values = {
            "exam_date": d, "temperature": round(36.2 + rnd() * 0.8, 1),
            "heart_rate": 60 + int(rnd() * 28), "respiration": 16 + int(rnd() * 5),
            "sbp": sbp, "dbp": dbp, "height": b.height, "weight": weight, "waist": b.waist,
            "bmi": bmi, "doctor": self.doctor(p),
        }  # fmt: skip
        values["symptoms"] = (
            ["1"]
            if rnd() < 0.45
            else sorted(
                {
                    self.pick(("3", "13", "14", "19", "22", "23", "7", "2"))
                    for _ in range(1 + int(rnd() * 3))
                },
                key=int,
            )
        )
        r = rnd()
        values["health_self_rating"] = ("1" if r < 0.25 else "2" if r < 0.7 else "3" if r < 0.85
                                        else "4" if r < 0.95 else "5")  # fmt: skip
        items = s.self_care(age_years(p.birth_date, d))
        values.update(items)
        score = _self_care_score(items)
        values["self_care_score"] = score
        values["self_care_level"] = ("1" if score <= 3 else "2" if score <= 8 else
                                     "3" if score <= 18 else "4")  # fmt: skip
        values["cognition"] = "2" if rnd() < 0.05 else "1"
        if values["cognition"] == "2":
            values["mmse_score"] = 15 + int(rnd() * 12)
        values["emotion"] = "2" if rnd() < 0.04 else "1"
        if values["emotion"] == "2":
            values["gds_score"] = 10 + int(rnd() * 11)
        labs = (
            ["1", "2", "3", "4", "5", "6", "7", "8"]
            if rnd() < 0.8
            else sorted({"1", "6", *(self.pick("234578") for _ in range(3))}, key=int)
        )
        values["labs_done"] = labs
        fpg = s.fpg(False) if s.dm else round(min(6.9, max(3.9, self.gauss(5.3, 0.5))), 1)
        values["fpg"] = fpg
        findings = []
        if sbp >= 140 or dbp >= 90:
            findings.append(f"血压偏高（{sbp}/{dbp}mmHg）")
        if fpg >= 7.0:
            findings.append(f"空腹血糖偏高（{fpg}mmol/L）")
        if rnd() < 0.2:
            findings.append(
                self.pick(
                    (
                        "B超：脂肪肝",
                        "血脂偏高",
                        "心电图：窦性心动过缓",
                        "B超：胆囊结石",
                        "尿常规：尿蛋白±",
                        "心电图：ST-T改变",
                    )
                )
            )
        values["abnormal"] = "2" if findings else "1"
        if findings:
            values["abnormal_detail"] = "；".join(findings)
        guidance = []
        if s.registered:
            guidance.append("1")
        if findings:
            guidance.append("2")
            if sbp >= 180 or fpg >= 16.7:
                guidance.append("3")
        if guidance:
            values["guidance"] = guidance
        control = ["3", "4"]
        if b.smoking:
            control.insert(0, "1")
        if bmi >= 24:
            control.append("5")
        values["risk_control"] = control
        values["elderly_guidance"] = ["1", "2", "3", "4"] if rnd() < 0.7 else ["3", "4"]
        return values

    def tcm_elderly(self, s: _PersonState, day: int) -> Values:
        answers = s.tcm_answers()
        result = tcm.score(answers, self.scoring)
        values: Values = {"exam_date": dt.date.fromordinal(day)}
        values.update((f"q{n}", str(a)) for n, a in answers.items())
        values["constitution"] = result.summary or "无偏颇体质判定"
        for name, field_id in _SCORE_FIELDS.items():
            values[field_id] = result.sums[name]
        values["guidance"] = (["1", "2", "3", "4", "5"] if self.rnd() < 0.7
                              else ["1", "2", "4"])  # fmt: skip
        values["doctor"] = self.doctor(s.p)
        return values
