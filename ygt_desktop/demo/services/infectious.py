"""肺结核 (notification, first home visit, follow-ups, outcome) and 传染病报告."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from ...core.dates import age_years
from .common import INFECTIOUS_RATE, TB_RATE, GeneratorBase, Record, Values, _band
from .state import _PersonState

_INFECTIOUS_CHILD = (
    ("手足口病", "4", 45),
    ("流行性感冒", "4", 25),
    ("其他感染性腹泻病", "4", 15),
    ("流行性腮腺炎", "4", 8),
    ("猩红热", "2", 7),
)
_INFECTIOUS_ADULT = (
    ("流行性感冒", "4", 35),
    ("病毒性肝炎（乙型）", "2", 20),
    ("梅毒", "2", 15),
    ("其他感染性腹泻病", "4", 15),
    ("细菌性痢疾", "2", 5),
    ("布鲁氏菌病", "2", 3),
    ("新型冠状病毒感染", "2", 7),
)


def dose_card(previous: int, day: int, missed: int) -> list[Values]:
    """The 服药卡's monthly totals of the daily doses from the day after ``previous`` to
    ``day`` (ordinals), ``missed`` of them not taken (the latest months first)."""
    months: dict[str, int] = {}
    for o in range(previous + 1, day + 1):
        key = dt.date.fromordinal(o).strftime("%Y-%m")
        months[key] = months.get(key, 0) + 1
    rows: list[Values] = []
    for month, due in reversed(months.items()):
        lost = min(due, missed)
        missed -= lost
        rows.append({"month": month, "due": due, "taken": due - lost})
    return rows[::-1]


def _pick_weighted(table: Sequence[tuple[str, str, int]], r: float) -> tuple[str, str]:
    r *= sum(w for _, _, w in table)
    for name, klass, weight in table:
        r -= weight
        if r < 0:
            return name, klass
    return table[-1][0], table[-1][1]


class InfectiousMixin(GeneratorBase):
    """Tuberculosis and notifiable infectious disease cases of one resident."""

    def tb(self, s: _PersonState) -> Iterator[Record]:
        rnd = self.rnd
        p = s.p
        years = (s.last - s.first) / 365.25
        age = age_years(p.birth_date, dt.date.fromordinal(s.last))
        rate = _band(TB_RATE, age) * (1.5 if p.sex == "1" else 0.6)
        if rnd() >= rate * years:
            return
        D = dt.date.fromordinal
        notified = s.first + int(rnd() * (s.last - s.first + 1))
        if age_years(p.birth_date, D(notified)) < 15:
            return
        key = f"tb:{p.id}"
        diagnosed = notified - int(rnd() * 5)
        started = diagnosed + int(rnd() * 4)
        positive = rnd() < 0.4
        patient_type = "1" if rnd() < 0.9 else "2"
        resistance = "2" if rnd() < 0.6 else "3"
        r = rnd()
        yield "tb_notify", p.id, D(notified), key, {
            "notified_date": D(notified),
            "diagnosis": "3" if r < 0.85 else "5" if r < 0.93 else "1" if r < 0.97 else "4",
            "bacteriology": "1" if positive else "2", "patient_type": patient_type,
            "drug_resistance": resistance, "diagnosis_date": D(diagnosed),
            "treatment_start_date": D(started), "treating_institution": "区结核病定点医院",
            "source": self.pick("1111112346"), "notifier": "区疾病预防控制中心",
        }  # fmt: skip
        regimen = "2HRZE/4HR"
        r = rnd()
        first = (
            notified + int(rnd() * 4)
            if r < 0.85
            else notified + 4 + int(rnd() * 6)
            if r < 0.95
            else None
        )
        if first is not None and first <= s.last:
            yield "tb_first_visit", p.id, D(first), key, {
                "visit_date": D(first), "days_after_notification": first - notified,
                "visit_method": "2" if rnd() < 0.9 else "1", "patient_type": patient_type,
                "sputum": "1" if positive else "2", "drug_resistance": resistance,
                "symptoms": ["1"] if rnd() < 0.7 else ["1", "2"], "phase": "1",
                "regimen": regimen, "dosing": "1", "formulation": ["1"],
                "supervisor": "2" if rnd() < 0.6 else "1", "own_room": rnd() < 0.7,
                "ventilation": "1" if rnd() < 0.7 else "2", "smoking": s.body.smoking,
                "smoking_target": 0, "drinking": s.body.drinking, "drinking_target": 0.0,
                "drug_pickup": "每月到区结核病定点医院取药",
                "guidance": ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
                "next_visit_date": D(first + 10), "doctor": self.doctor(p),
            }  # fmt: skip
        poor = rnd() < 0.06
        plan = [started + d for d in (10, 20, 30, 40, 50, 60, 90, 120, 150, 180)]
        done = 0
        missed_total = 0
        card_due = 0
        last_visit = max(notified, first or notified)
        previous = started
        for i, day in enumerate(plan):
            closing = i == len(plan) - 1
            if day <= last_visit:
                continue
            if day > s.last:
                return
            if not closing and rnd() >= 0.9:
                continue
            prescribed = day - previous
            missed = (int(rnd() * prescribed * 0.4) if poor else
                      0 if rnd() < 0.85 else 1 + int(rnd() * 3))  # fmt: skip
            missed_total += missed
            card = dose_card(previous, day, missed)
            card_due += sum(row["due"] for row in card)
            previous = last_visit = day
            done += 1
            fu: Values = {
                "visit_date": D(day), "treatment_month": (day - started) // 30 + 1,
                "phase": "1" if day - started <= 60 else "2", "supervisor": "2",
                "visit_method": "2" if rnd() < 0.6 else "1" if rnd() < 0.6 else "3",
                "symptoms": ["0"] if day - started > 30 or rnd() < 0.5 else ["1"],
                "regimen": regimen, "dosing": "1", "formulation": ["1"],
                "doses_prescribed": prescribed,
                "doses_missed": missed, "dose_card": card,
                "adverse_reaction": False, "complication": False,
                "advice": "按时服药，定期复查痰", "doctor": self.doctor(p),
            }  # fmt: skip
            if closing:
                due = card_due  # the 服药卡's totals over the course
                taken = due - missed_total
                r = rnd()
                outcome = ("5" if poor and r < 0.4 else "3" if r < 0.02 else
                           "1" if positive else "2")  # fmt: skip
                fu.update(
                    treatment_outcome=outcome,
                    stop_date=D(started + 180),
                    visits_due=len(plan),
                    visits_done=done,
                    course_doses_due=due,
                    course_doses_taken=taken,
                    dose_rate=round(taken * 100 / due, 1),
                )
            else:
                fu["next_visit_date"] = D(plan[i + 1])
            yield "tb_followup", p.id, D(day), key, fu

    def infectious(self, s: _PersonState) -> Iterator[Record]:
        rnd = self.rnd
        p = s.p
        years = (s.last - s.first) / 365.25
        age = age_years(p.birth_date, dt.date.fromordinal(s.last))
        if rnd() >= _band(INFECTIOUS_RATE, age) * years:
            return
        D = dt.date.fromordinal
        diagnosed = s.first + int(rnd() * (s.last - s.first + 1))
        age_then = age_years(p.birth_date, D(diagnosed))
        table = _INFECTIOUS_CHILD if age_then < 10 else _INFECTIOUS_ADULT
        disease, klass = _pick_weighted(table, rnd())
        if disease == "新型冠状病毒感染" and D(diagnosed).year < 2023:
            disease = "流行性感冒"
            klass = "4"
        registered = min(s.last, diagnosed + int(rnd() * 2))
        hour = 8 + int(rnd() * 10)
        values: Values = {
            "register_date": D(registered), "disease": disease, "disease_class": klass,
            "case_class": "3" if rnd() < 0.6 else "2",
            "onset_date": D(max(p.birth_date.toordinal(), diagnosed - int(rnd() * 4))),
            "diagnosis_date": D(diagnosed), "diagnosis_hour": hour, "reporter": self.doctor(p),
        }  # fmt: skip
        r = rnd()
        reported = r < 0.98
        values["reported"] = reported
        if reported:
            delay = (
                1 + int(rnd() * 8)
                if r < 0.85
                else 9 + int(rnd() * 15)
                if r < 0.95
                else 25 + int(rnd() * 48)
            )
            when = diagnosed * 24 + hour + delay
            report_day = min(when // 24, self.today_o)
            report_hour = when % 24 if report_day == when // 24 else 23
            if report_day == diagnosed and report_hour < hour:
                report_hour = hour
            values["report_date"] = D(report_day)
            values["report_hour"] = report_hour
            values["report_delay_hours"] = (report_day - diagnosed) * 24 + report_hour - hour
            values["timely"] = values["report_delay_hours"] <= (2 if klass in ("1", "3") else 24)
            values["reported_to"] = "网络直报"
        yield "infectious_report", p.id, D(registered), None, values
