"""Synthetic service histories for a generated station: what the staff recorded.

For demos, load tests and the quarterly report's test data. Pure standard library plus
``core``, deterministic: every draw comes from ``random.Random(seed + SEED_OFFSET)`` and
"today" is a parameter (never the clock), so the same people and seed give the same
records on any machine.

:func:`generate_services` takes the station's residents (:class:`Person`, with their
database ids) and yields records ``(form_id, resident_id, service_date, episode_key,
values)``: ``values`` are the form's field values as :meth:`FormDef.to_sql` takes them
(dates as ``date``, booleans, codes as strings, multiple choices as lists), computed and
derived fields included and equal to what :meth:`FormDef.process` computes. Station logs
have no resident. ``episode_key`` ties the records of one pregnancy or TB case together;
the episode's opening record (第1次产前检查 / 肺结核报告登记) comes first.

Order contract (what :mod:`ygt_desktop.storage.bulk_services` relies on): records of one
resident and form come in date order, never two on the same day, and a register comes
before its follow-ups.

What is generated, from the resident's archive date (babies archived soon after birth:
from birth) to ``today`` or the day the archive closed (迁出/死亡/注销):

- 高血压 ~25 % of the 35+ (rising with age), ~60 % of them registered; 2型糖尿病 ~9.7 %,
  ~55 % registered; 严重精神障碍 ~0.4 % of the population. Follow-ups quarterly: ~70 %
  of patients see the doctor face to face every quarter, ~20 % in about 2–3 quarters a
  year, ~10 % rarely; ~10 % of follow-ups are phone calls. Blood pressure and fasting
  glucose vary around a personal mean; an uncontrolled or urgent reading is usually
  re-checked within 2 weeks (sometimes late, sometimes never). Registers of residents
  who died or moved away are closed; a few patients are lost to follow-up.
- 65+: a yearly 健康体检 for ~65 % and a 中医体质辨识 for ~55 % (33 answers from a
  stable personal constitution, BMI and waist items from the same day's exam).
- Children: 新生儿访视 for ~90 % of babies, 预防接种建证, 儿童健康检查 at the scheduled
  months (~85 %, some late), 中医药健康管理 at 6–36 months (~70 %).
- Pregnancies: a baby born into a household with a woman of child-bearing age gets its
  mother's pregnancy (≈ 8 births per 1000 a year): 早孕建册 (mostly before 13 weeks),
  产前随访 in the week windows, 分娩 with discharge, 产后访视 and 产后42天检查 (结案
  closes the episode), each with realistic compliance; plus pregnancies under way.
- 肺结核 ~0.5 per 1000 a year (first home visit mostly within 72 h, intensive and
  continuation follow-ups, outcome at the end of the course); 传染病报告 a few per 1000;
  the station's 健康教育 and 卫生监督协管 logs.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
from itertools import accumulate
from typing import Any, TypeVar

from . import tcm
from .dates import age_months, age_years
from .schedules import add_months, quarter_bounds, quarter_of

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
CHILD_POINTS = (3, 6, 8, 12, 18, 24, 30, 36, 48, 60, 72)
TCM_CHILD_POINTS = (6, 12, 18, 24, 30, 36)
CHILD_COMPLIANCE, TCM_CHILD_COMPLIANCE, NEWBORN_VISITED = 0.85, 0.70, 0.90
TB_RATE = ((15, 0.0001), (65, 0.0005), (200, 0.0009))  # notified per person-year
INFECTIOUS_RATE = ((10, 0.015), (200, 0.002))  # cases per person-year
ONGOING_PREGNANCY = 0.035  # of women 20–40 on ``today`` (≈ 8 births per 1000 a year)

STATUS_CLOSE_REASON = {"死亡": "1", "迁出": "2", "注销": "9"}

_DOCTORS = ("李建华", "王丽萍", "张志强", "杨秀英", "赵海燕", "陈文斌", "刘春梅", "段红艳")
_GIVEN = "建国秀英志强丽华海燕文斌春梅红艳国华桂兰明德玉梅家富晓东"
_SURNAMES = "李王张杨刘陈赵黄周吴马罗段普"

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
_SMI_MEDS = (
    "利培酮片 每日2次 每次2mg",
    "奥氮平片 每日1次 每次10mg",
    "阿立哌唑片 每日1次 每次10mg",
    "丙戊酸钠缓释片 每日2次 每次0.5g",
    "氯氮平片 每日2次 每次50mg",
    "碳酸锂缓释片 每日2次 每次0.3g",
)
_HOSPITAL = "区人民医院"


def _band(table: Sequence[tuple[int, float]], age: int) -> float:
    for upper, p in table:
        if age < upper:
            return p
    return table[-1][1]


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

# Constitution weights for residents who are not 平和 (气虚 … 特禀, tcm.BIASED order).
_BIASED_WEIGHTS = tuple(accumulate((20, 15, 10, 15, 8, 12, 10, 5)))
_BAND_ITEMS = {9, 14, 17, 28}

_EDU_PRINT = (
    "高血压防治知识", "糖尿病防治知识", "合理膳食 健康生活", "控烟限酒知识",
    "老年人健康管理服务告知", "0～6岁儿童健康管理服务告知", "孕产妇健康管理服务告知",
    "肺结核防治知识", "艾滋病防治知识", "预防接种知识", "中医药健康管理知识",
    "食品安全知识", "手足口病防治知识", "心理健康知识", "家庭医生签约服务",
    "碘缺乏病防治知识", "老年人防跌倒知识", "狂犬病防治知识",
)  # fmt: skip
_EDU_AV = (
    "高血压的自我管理",
    "糖尿病饮食指导",
    "科学育儿",
    "结核病防治宣传片",
    "八段锦教学",
    "流感预防",
    "控烟宣传片",
    "心肺复苏急救知识",
)
_EDU_DAYS = (  # (month, day, theme) of national health days: consultations
    (3, 24, "世界防治结核病日"), (4, 7, "世界卫生日"), (4, 25, "全国预防接种日"),
    (5, 15, "防治碘缺乏病日"), (5, 31, "世界无烟日"), (7, 28, "世界肝炎日"),
    (9, 20, "全国爱牙日"), (10, 8, "全国高血压日"), (11, 14, "联合国糖尿病日"),
    (12, 1, "世界艾滋病日"), (6, 9, "全民健康生活方式日"),
)  # fmt: skip
_LECTURES = (
    "高血压防治",
    "糖尿病防治",
    "老年人健康与防跌倒",
    "孕期保健",
    "科学育儿",
    "中医养生保健",
    "慢阻肺防治",
    "合理用药",
    "心理健康",
    "传染病防治",
)
_SUPERVISION = {
    "1": "辖区一农家乐聚餐后多人出现腹泻呕吐",
    "2": "村民反映自来水浑浊、有异味",
    "3": "辖区小学晨检发现多名学生发热",
    "4": "发现无证人员在村内开展诊疗活动",
    "5": "发现非法开展胎儿性别鉴定线索",
}
_INSPECTIONS = (
    ("学校卫生巡查", "3"),
    ("生活饮用水卫生巡查", "2"),
    ("非法行医巡查", "4"),
    ("农村集体聚餐食品安全巡查", "1"),
)
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


def generate_services(
    people: Iterable[Person],
    today: dt.date,
    seed: int,
    *,
    scoring: tcm.ScoringConfig = tcm.DEFAULT,
    since: dt.date | None = None,
    station_logs: bool = True,
) -> Iterator[Record]:
    """Yield the service records of ``people`` (a station's residents) up to ``today``.

    Residents sharing a ``household`` must come together (mothers and their babies are
    paired within it). ``scoring`` is the tcm_elderly form's ``[scoring]`` (so derived
    constitution results match the form); ``since`` drops records before that day;
    ``station_logs`` False leaves out the station's 健康教育 and 卫生监督协管 logs (when
    the station already has them).
    """
    gen = _Generator(today, seed, scoring, since)
    return gen.run(people, station_logs)


class _Generator:
    def __init__(self, today: dt.date, seed: int, scoring: tcm.ScoringConfig,
                 since: dt.date | None) -> None:  # fmt: skip
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

    # ---- the run ----------------------------------------------------------------------
    def run(self, people: Iterable[Person], station_logs: bool) -> Iterator[Record]:
        household: list[Person] = []
        key: str | None = None
        for p in people:
            self.first_year = min(self.first_year, p.archive_date.year)
            if household and (p.household is None or p.household != key):
                yield from self.household(household)
                household = []
            household.append(p)
            key = p.household
        if household:
            yield from self.household(household)
        if station_logs:
            yield from self.station_logs()

    def window(self, p: Person) -> tuple[int, int]:
        """First and last day (ordinals) a record of ``p`` may carry."""
        birth = p.birth_date.toordinal()
        archive = p.archive_date.toordinal()
        first = birth if archive - birth <= 120 else archive
        last = self.today_o
        if p.status != "在档" and p.status_date is not None:
            last = min(last, p.status_date.toordinal())
        return max(first, self.since_o, birth), last

    def household(self, members: list[Person]) -> Iterator[Record]:
        births, pregnancies = self.plan_births(members)
        for p in members:
            first, last = self.window(p)
            if first > last:
                continue
            state = _PersonState(self, p, first, last)
            yield from self.chronic(state)
            yield from self.elderly(state)
            yield from self.child(state, births.get(p.id))
            yield from self.pregnancies(state, pregnancies.get(p.id, []), members)
            yield from self.tb(state)
            yield from self.infectious(state)

    # ---- chronic diseases ---------------------------------------------------------------
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
            "medication": s.htn_med,
        }
        values["symptoms"] = ["1"] if rnd() < 0.8 else [self.pick(("2", "4", "6", "8", "9", "10"))]
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
            "medication": s.dm_med,
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
        fu_last = s.last if closed is None else min(s.last, closed - 1)
        s.smi_stable = 0.8 + rnd() * 0.18
        yield from self.followups(s, "smi_followup", reg, fu_last, s.compliance, self.smi_visit)

    def smi_visit(self, s: _PersonState, day: int, method: str, recheck: bool,
                  prev: bool | None) -> tuple[Values, bool | None]:  # fmt: skip
        rnd = self.rnd
        d = dt.date.fromordinal(day)
        r = rnd()
        stability = "1" if r < s.smi_stable else "2" if r < s.smi_stable + 0.13 else "3"
        risk = ("0" if stability == "1" else self.pick("0112") if stability == "2" else
                self.pick("1122345"))  # fmt: skip
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

    # ---- 65+ -----------------------------------------------------------------------------
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

    # ---- children ------------------------------------------------------------------------
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
            lmp = self.today_o - 8 * 7 - int(rnd() * 30 * 7)
            earlier = pregnancies.get(w.id)
            if lmp < first or (earlier and (earlier[-1].delivered or 0) + 60 >= lmp):
                continue
            pregnancies[w.id].append(_Pregnancy(lmp, None, None))
        return births, pregnancies

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
        checks: list[tuple[int, int]] = []  # (day, point)
        if s.first == born and rnd() < CHILD_COMPLIANCE:
            day = born + 28 + int(rnd() * 3)
            if day <= s.last:
                checks.append((day, 0))
        for point in CHILD_POINTS:
            start = add_months(p.birth_date, point).toordinal()
            if start < s.first or start > s.last or rnd() >= CHILD_COMPLIANCE:
                continue
            length = 30 if point <= 36 else 300
            late = rnd() < 0.08
            day = start + (int(rnd() * 20) if not late else length + int(rnd() * 25))
            if day <= s.last and age_years(p.birth_date, D(day)) < 7:
                checks.append((day, point))
        tcm_days: list[int] = []
        checks.sort()
        for day, point in checks:
            later = [m for m in CHILD_POINTS if m > point]
            next_day = add_months(p.birth_date, later[0]).toordinal() if later else None
            yield "child_check", p.id, D(day), None, self.child_check(s, day, z_w, z_l, next_day)
            if point in TCM_CHILD_POINTS and rnd() < TCM_CHILD_COMPLIANCE:
                tcm_days.append(day)
        for point in TCM_CHILD_POINTS:  # guidance without a check the same day
            start = add_months(p.birth_date, point).toordinal()
            if start < s.first or any(start <= d < start + 30 for d in tcm_days):
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

    def newborn(self, s: _PersonState, birth: _Birth) -> Iterator[Record]:
        rnd = self.rnd
        if rnd() >= NEWBORN_VISITED:
            return
        base = birth.discharge or birth.born
        day = base + 1 + int(rnd() * 6) if rnd() < 0.88 else base + 8 + int(rnd() * 12)
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
                    next_day: int | None) -> Values:  # fmt: skip
        rnd = self.rnd
        p = s.p
        d = dt.date.fromordinal(day)
        months = age_months(p.birth_date, d)
        exact = (day - p.birth_date.toordinal()) / 30.44
        girl = p.sex == "2"
        weight = _interp(_WEIGHT, exact) * (0.95 if girl else 1) * (1 + 0.1 * z_w)
        length = _interp(_LENGTH, exact) * (0.985 if girl else 1) * (1 + 0.035 * z_l)
        values: Values = {
            "exam_date": d, "age_in_months": months,
            "weight": round(weight + self.gauss(0, 0.1), 1),
            "weight_eval": "1" if z_w > 1.3 else "3" if z_w < -1.3 else "2",
            "length_height": round(length + self.gauss(0, 0.4), 1),
            "height_eval": "1" if z_l > 1.3 else "3" if z_l < -1.3 else "2",
            "outdoor_hours": round(1 + rnd() * 2, 1), "doctor": self.doctor(p),
        }  # fmt: skip
        if months <= 36:
            values["head_circumference"] = round(_interp(_HEAD, exact) - girl + z_l * 1.2, 1)
            values["vitamin_d"] = "2" if rnd() < 0.85 else "1"
        teeth = max(0, min(20, int(round(_interp(_TEETH, exact) + self.gauss(0, 1.5)))))
        values["teeth"] = teeth
        values["caries"] = (min(teeth, 1 + int(rnd() * 3)) if months >= 24 and teeth
                            and rnd() < (0.15 if months < 48 else 0.3) else 0)  # fmt: skip
        if 6 <= months <= 8 or months in (18, 30) or (months >= 36 and rnd() < 0.5):
            values["haemoglobin"] = (
                int(self.gauss(122, 8)) if rnd() < 0.92 else 100 + int(rnd() * 10)
            )
        failed = rnd() < 0.02
        values["development"] = "2" if failed else "1"
        if failed:
            values["referral"] = True
            values["referral_reason"] = "发育评估未通过"
            values["referral_institution"] = "区妇幼保健院儿童保健科"
        else:
            values["referral"] = False
        values["illness"] = ["1"] if rnd() < 0.75 else [self.pick("2335")]
        values["guidance"] = ["1", "3", "4", "5"] if months < 36 else ["2", "3", "4", "5", "6"]
        if next_day is not None and next_day > day:
            values["next_visit_date"] = dt.date.fromordinal(next_day)
        return values

    def tcm_child(self, s: _PersonState, day: int, months: int) -> Values:
        method = "3" if months < 18 else "4" if months < 30 else "5"
        return {
            "service_date": dt.date.fromordinal(day),
            "age_in_months": months,
            "guidance": ["1", "2", method],
            "doctor": self.doctor(s.p),
        }

    # ---- pregnancies ---------------------------------------------------------------------
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
        parity = n if rnd() < 0.7 else n + 1
        gravidity = parity + 1 + (1 if rnd() < 0.25 else 0)
        husband = next((m for m in members if m.sex == "1" and m.name and
                        abs(age_years(m.birth_date, D(first_day)) - age) <= 8), None)  # fmt: skip
        base_sbp, base_dbp = 108 + self.gauss(0, 8), 68 + self.gauss(0, 6)
        sbp, dbp = self.even(base_sbp), min(self.even(base_dbp), self.even(base_sbp) - 30)
        weight = round(b.weight * 0.97, 1)
        r = rnd()
        risk = "1" if r < 0.6 else "2" if r < 0.9 else "3" if r < 0.97 else "4" if r < 0.99 else "5"
        values: Values = {
            "exam_date": D(first_day), "lmp_date": D(lmp), "gest_weeks": (first_day - lmp) // 7,
            "edd": D(lmp + 280), "gravidity": gravidity, "parity": parity,
            "past_history": ["1"], "height": b.height, "weight": weight,
            "bmi": _bmi(weight, b.height), "sbp": sbp, "dbp": dbp,
            "haemoglobin": int(self.gauss(124, 9)), "urine_protein": "0",
            "assessment": "1", "risk": risk, "guidance": ["1", "2", "3", "4", "5"],
            "doctor": self.doctor(p),
        }  # fmt: skip
        if parity:
            caesareans = 1 if rnd() < 0.3 else 0
            values["vaginal_births"] = parity - caesareans
            values["caesareans"] = caesareans
        if husband is not None:
            values["husband_name"] = husband.name
            values["husband_phone"] = husband.phone
        if risk in "345":
            values["referral_reason"] = "妊娠风险评估为较高及以上风险"
            values["referral_institution"] = "区妇幼保健院产科"
        next_visit = lmp + 16 * 7 + int(rnd() * 14)
        if next_visit > first_day:
            values["next_visit_date"] = D(next_visit)
        yield "prenatal_first", p.id, D(first_day), key, values
        windows = ((2, 16, 20, 0.9), (3, 21, 24, 0.85), (4, 28, 36, 0.85), (5, 37, 40, 0.8))
        last_day = first_day
        for visit_no, lo, hi, chance in windows:
            start = lmp + lo * 7
            if rnd() >= chance:
                continue
            day = start + int(rnd() * (hi - lo + 1) * 7)
            if day <= last_day or day > end:
                continue
            last_day = day
            weeks = (day - lmp) // 7
            fu: Values = {
                "exam_date": D(day), "visit_no": str(visit_no), "gest_weeks": weeks,
                "weight": round(weight + 0.45 * max(0, weeks - 12), 1),
                "fundal_height": round(max(12.0, weeks - 2 + self.gauss(0, 1.5)), 1),
                "abdominal_circumference": round(80 + weeks * 0.5 + self.gauss(0, 3), 1),
                "fetal_heart_rate": 130 + int(rnd() * 25), "sbp": self.even(base_sbp + 2),
                "dbp": self.even(base_dbp + 1), "haemoglobin": int(self.gauss(118, 9)),
                "urine_protein": "0", "classification": "1", "risk": risk,
                "guidance": ["1", "2", "5"] if weeks < 28 else ["5", "6", "7"],
                "doctor": self.doctor(p),
            }  # fmt: skip
            if fu["dbp"] >= fu["sbp"] - 20:
                fu["dbp"] = fu["sbp"] - 30
            if weeks >= 28:
                fu["fetal_position"] = "1" if rnd() < 0.94 else "2"
            if risk in "345":
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
            base + 1 + int(rnd() * 7)
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

    # ---- tuberculosis and infectious diseases --------------------------------------------
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
        last_visit = max(notified, first or notified)
        previous = started
        for i, day in enumerate(plan):
            closing = i == len(plan) - 1
            if day <= last_visit:
                previous = day
                continue
            if day > s.last:
                return
            if not closing and rnd() >= 0.9:
                continue
            prescribed = day - previous
            missed = (int(rnd() * prescribed * 0.4) if poor else
                      0 if rnd() < 0.85 else 1 + int(rnd() * 3))  # fmt: skip
            missed_total += missed
            previous = last_visit = day
            done += 1
            fu: Values = {
                "visit_date": D(day), "treatment_month": (day - started) // 30 + 1,
                "phase": "1" if day - started <= 60 else "2", "supervisor": "2",
                "visit_method": "2" if rnd() < 0.6 else "1" if rnd() < 0.6 else "3",
                "symptoms": ["0"] if day - started > 30 or rnd() < 0.5 else ["1"],
                "regimen": regimen, "dosing": "1", "doses_prescribed": prescribed,
                "doses_missed": missed, "adverse_reaction": False, "complication": False,
                "advice": "按时服药，定期复查痰", "doctor": self.doctor(p),
            }  # fmt: skip
            if closing:
                due = 180
                taken = max(0, due - missed_total - (0 if not poor else 10))
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

    # ---- station logs --------------------------------------------------------------------
    def station_logs(self) -> Iterator[Record]:
        rnd = self.rnd
        D = dt.date.fromordinal
        records: list[tuple[int, str, Values]] = []
        first_year = max(self.first_year, dt.date.fromordinal(max(self.since_o, 1)).year)
        for year in range(first_year, self.today.year + 1):
            jan1 = dt.date(year, 1, 1).toordinal()
            # This year's activities so far are spread over the days up to today.
            span = min(365, self.today_o - jan1 + 1)

            def on(day_of_year: int, jan1: int = jan1, span: int = span) -> int:
                return jan1 + max(0, min(day_of_year, 364)) * span // 365

            for title in self.rng.sample(_EDU_PRINT, 12 + int(rnd() * 5)):
                for _ in range(1 + (rnd() < 0.3)):
                    records.append(
                        (
                            on(int(rnd() * 360)),
                            "edu_activity",
                            {
                                "kind": "1",
                                "title": title,
                                "copies": 100 + int(rnd() * 400),
                                "location": "卫生服务站",
                                "archived": ["3"],
                            },
                        )
                    )
            for title in self.rng.sample(_EDU_AV, 6 + int(rnd() * 3)):
                records.append(
                    (
                        on(int(rnd() * 360)),
                        "edu_activity",
                        {
                            "kind": "2",
                            "title": title,
                            "times": 5 + int(rnd() * 25),
                            "audience": "候诊居民",
                            "location": "卫生服务站候诊区",
                            "archived": ["4"],
                        },
                    )
                )
            for k in range(6):
                day = dt.date(year, 2 * k + 1, 1).toordinal() + int(rnd() * 20)
                records.append(
                    (
                        day,
                        "edu_activity",
                        {
                            "kind": "3",
                            "title": f"宣传栏：{self.pick(_LECTURES)}",
                            "location": "卫生服务站宣传栏",
                            "archived": ["2"],
                        },
                    )
                )
            for k in range(6 + int(rnd() * 3)):
                day = on(k * 45 + int(rnd() * 40))
                records.append(
                    (
                        day,
                        "edu_activity",
                        {
                            "kind": "4",
                            "title": f"健康知识讲座：{self.pick(_LECTURES)}",
                            "participants": 20 + int(rnd() * 40),
                            "audience": "辖区居民",
                            "location": "村委会活动室",
                            "content": "讲解疾病防治知识并答疑",
                            "evaluation": "居民参与积极",
                            "archived": ["1", "2", "5"],
                        },
                    )
                )
            for month, day_of_month, theme in _EDU_DAYS[: 9 + int(rnd() * 3)]:
                records.append(
                    (
                        dt.date(year, month, day_of_month).toordinal(),
                        "edu_activity",
                        {
                            "kind": "5",
                            "title": f"{theme}健康咨询",
                            "participants": 50 + int(rnd() * 150),
                            "audience": "辖区居民",
                            "location": "社区广场",
                            "archived": ["1", "2", "5"],
                        },
                    )
                )
            for _ in range(1 + int(rnd() * 3)):
                kind = self.pick("12344")
                found = on(int(rnd() * 360))
                log: Values = {
                    "record_type": "1",
                    "kind": kind,
                    "description": _SUPERVISION[kind],
                    "reporter": self.pick(self.doctors),
                }
                log["reported"] = rnd() < 0.9
                if log["reported"]:
                    log["report_date"] = D(min(found + int(rnd() * 2), self.today_o))
                    log["reported_to"] = "区卫生监督所"
                records.append((found, "supervision_log", log))
            for _ in range(4 + int(rnd() * 3)):
                what, kind = self.pick(_INSPECTIONS)
                records.append(
                    (
                        on(int(rnd() * 360)),
                        "supervision_log",
                        {
                            "record_type": "2",
                            "kind": kind,
                            "inspection_type": what,
                            "reporter": self.pick(self.doctors),
                        },
                    )
                )
        records.sort(key=lambda r: r[0])
        for day, form_id, values in records:
            if day > self.today_o:
                continue
            date_field = "activity_date" if form_id == "edu_activity" else "found_date"
            values[date_field] = D(day)
            if form_id == "edu_activity":
                values["organiser"] = self.pick(self.doctors)
            yield form_id, None, D(day), None, values


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


def _pick_weighted(table: Sequence[tuple[str, str, int]], r: float) -> tuple[str, str]:
    r *= sum(w for _, _, w in table)
    for name, klass, weight in table:
        r -= weight
        if r < 0:
            return name, klass
    return table[-1][0], table[-1][1]


def _cumulative(table: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out, total = [], 0.0
    for share, value in table:
        total += share
        out.append((total, value))
    out[-1] = (2.0, out[-1][1])
    return out


_ELDERLY_CUMULATIVE = _cumulative(ELDERLY_PROPENSITY)


def _bmi(weight: float, height_cm: float) -> float:
    """As the forms' ``bmi()`` computes it."""
    return round(float(weight) / (float(height_cm) / 100) ** 2, 1)


_SELF_CARE_POINTS = {
    "sc_meal": {"1": 0, "3": 3, "4": 5}, "sc_grooming": {"1": 0, "2": 1, "3": 3, "4": 7},
    "sc_dressing": {"1": 0, "3": 3, "4": 5}, "sc_toilet": {"1": 0, "2": 1, "3": 5, "4": 10},
    "sc_activity": {"1": 0, "2": 1, "3": 5, "4": 10},
}  # fmt: skip


def _self_care_score(items: dict[str, str]) -> int:
    return sum(_SELF_CARE_POINTS[k][v] for k, v in items.items())


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

    def __init__(self, gen: _Generator, p: Person, first: int, last: int) -> None:
        self.gen = gen
        self.p = p
        self.first = first
        self.last = last
        self.htn = False
        self.dm = False
        self.registered = False  # 高血压 or 2型糖尿病 under management
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
    def smi_med(self) -> str:
        return self._med("smi", _SMI_MEDS)

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
