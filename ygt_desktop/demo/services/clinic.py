"""接诊记录 (clinic visits written as SOAP) and a few 会诊记录: what keeps an archive in
use between the programme services (健康档案使用率, issue 13).

Drawn from a stream of their own (the run's seed plus :data:`CLINIC_SEED_OFFSET`), so
adding them leaves every other record of a demo station as it was. Only the last
:data:`CLINIC_DAYS` days get visits — enough for the indicator's 365-day window at any
quarter of the current year without growing the station's history by a third.

Rates (visits a year, by age; with a chronic register more): chosen so that the share
of archives with any record in the last year lands near 70 %, within the 60–90 % seen
in the bureaus' assessments.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from ...core.dates import age_years
from .common import Record
from .state import _PersonState

CLINIC_SEED_OFFSET = 7919
CLINIC_DAYS = 430
_RATES = ((7, 1.4), (18, 0.7), (45, 0.85), (65, 1.1), (200, 1.5))  # (age below, per year)
_CHRONIC_EXTRA = 0.6  # a registered hypertension or diabetes patient also comes for drugs
CONSULT_SHARE = 0.004  # of visits, a case discussed with the hospital

# (who, subjective, objective, assessment, plan); {t} a temperature, {d} days, {bp} a
# blood pressure: filled per visit.
_COMPLAINTS = (
    ("all", "咳嗽、咽痛{d}天，无发热，无胸闷", "体温{t}℃，咽部充血，双肺呼吸音清",
     "急性上呼吸道感染", "多饮水、注意休息，对症治疗；3天不缓解或发热随诊"),
    ("all", "流涕、鼻塞{d}天，伴轻度乏力", "体温{t}℃，鼻黏膜充血，咽部无明显充血",
     "急性鼻炎", "注意保暖，多饮水；症状加重随诊"),
    ("adult", "上腹部隐痛{d}天，餐后明显，无呕血黑便", "腹软，上腹部轻压痛，无反跳痛",
     "慢性胃炎", "规律饮食，忌辛辣；对症治疗，1周后复诊"),
    ("adult", "腰背部酸痛{d}天，劳累后加重", "腰椎旁肌肉压痛，直腿抬高试验阴性",
     "腰肌劳损", "避免久坐和负重，局部热敷；2周不缓解转上级医院骨科"),
    ("adult", "入睡困难、易醒约{d}天", "神志清，精神稍差，心肺未见异常",
     "失眠", "规律作息，睡前避免饮茶和咖啡；必要时心理门诊就诊"),
    ("adult", "皮肤瘙痒伴红色皮疹{d}天", "双前臂散在红色丘疹，部分抓痕",
     "湿疹", "避免搔抓和热水烫洗，外用药物；1周后复诊"),
    ("old", "双膝关节疼痛{d}天，上下楼加重", "双膝关节无红肿，活动时有摩擦感",
     "膝骨关节炎", "减少爬楼和下蹲，控制体重，适度活动；疼痛加重随诊"),
    ("old", "头晕{d}天，无视物旋转，无肢体无力", "血压{bp}mmHg，神经系统检查未见异常",
     "头晕待查", "监测血压，避免突然体位改变；症状加重或出现肢体无力立即就医"),
    ("child", "发热{d}天，伴咳嗽，精神可", "体温{t}℃，咽部充血，双肺呼吸音粗",
     "急性上呼吸道感染", "物理降温，多饮水；体温超过38.5℃用退热药，3天不退热复诊"),
    ("child", "腹泻{d}天，每日3～4次稀便，无脓血", "腹软，肠鸣音稍活跃，无脱水征",
     "小儿腹泻", "口服补液，继续喂养；出现脱水表现或便中带血立即就医"),
)  # fmt: skip
_CHRONIC = (
    "htn", "高血压复诊取药，近期无不适", "血压{bp}mmHg，心率{hr}次/分",
    "原发性高血压", "继续原方案用药，低盐饮食，定期监测血压",
)  # fmt: skip
_CONSULT_REASONS = (
    ("血压控制不满意，调整用药方案", "建议调整降压药物，2周后复查血压"),
    ("反复上腹痛，需排除器质性病变", "建议胃镜检查，检查前对症治疗"),
    ("膝关节疼痛加重，活动受限", "建议影像学检查，必要时骨科门诊就诊"),
)
_HOSPITALS = ("县人民医院", "县中医医院")
_CONSULTANTS = ("张建华", "王立新", "刘芳", "陈明")


class ClinicMixin:
    """The clinic visits of one resident (see the module docstring)."""

    today_o: int
    seed: int

    def clinic(self, s: _PersonState, chronic: bool) -> Iterator[Record]:
        rng = random.Random(self.seed * 1_000_003 + CLINIC_SEED_OFFSET + s.p.id)
        p = s.p
        first = max(s.first, self.today_o - CLINIC_DAYS)
        last = s.last
        if first > last:
            return
        age = age_years(p.birth_date, dt.date.fromordinal(last))
        rate = next(r for bound, r in _RATES if age < bound)
        if chronic:
            rate += _CHRONIC_EXTRA
        day = first + int(rng.expovariate(rate / 365.25))
        doctor = self.doctor(p)  # type: ignore[attr-defined]
        while day <= last:
            when = dt.date.fromordinal(day)
            yield "clinic_visit", p.id, when, None, _visit(rng, age, chronic, doctor, when)
            if rng.random() < CONSULT_SHARE:
                yield "consultation", p.id, when, None, _consultation(rng, doctor, when)
            day += 1 + int(rng.expovariate(rate / 365.25))


def _visit(
    rng: random.Random, age: int, chronic: bool, doctor: str, when: dt.date
) -> dict[str, object]:
    who = "child" if age < 7 else "old" if age >= 60 else "adult"
    fill = {
        "t": f"{36.4 + rng.random() * 1.8:.1f}",
        "d": 1 + int(rng.random() * 6),
        "bp": f"{118 + int(rng.random() * 40)}/{70 + int(rng.random() * 20)}",
        "hr": 62 + int(rng.random() * 24),
    }
    if chronic and rng.random() < 0.5:
        _, s, o, a, plan = _CHRONIC
    else:
        fitting = [
            c for c in _COMPLAINTS if c[0] in ("all", who) or (who == "old" and c[0] == "adult")
        ]
        _, s, o, a, plan = fitting[int(rng.random() * len(fitting))]
    return {
        "visit_date": when,
        "subjective": s.format(**fill),
        "objective": o.format(**fill),
        "assessment": a,
        "plan": plan,
        "doctor": doctor,
    }


def _consultation(rng: random.Random, doctor: str, when: dt.date) -> dict[str, object]:
    reason, opinion = _CONSULT_REASONS[int(rng.random() * len(_CONSULT_REASONS))]
    return {
        "consult_date": when,
        "reason": reason,
        "opinion": opinion,
        "consultants": [
            {
                "institution": _HOSPITALS[int(rng.random() * len(_HOSPITALS))],
                "doctor": _CONSULTANTS[int(rng.random() * len(_CONSULTANTS))],
            }
        ],
        "responsible_doctor": doctor,
    }
