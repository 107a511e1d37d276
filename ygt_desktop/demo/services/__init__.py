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

Order contract (what :mod:`ygt_desktop.demo.load_services` relies on): records of one
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
- Children: 新生儿访视 for ~96 % of babies (~95 % of them within 7 days after
  discharge), 预防接种建证, 儿童健康检查 in the windows of the band forms' schedules (most
  families every check, some miss a few, a few rarely come; a few checks late; a child
  archived later has its earlier checks copied in from the 儿童保健手册), 中医药健康管理
  at 6–36 months (~70 %).
- Pregnancies: a baby born into a household with a woman of child-bearing age gets its
  mother's pregnancy (≈ 8 births per 1000 a year): 早孕建册 (mostly before 13 weeks),
  产前随访 in the week windows, 分娩 with discharge, 产后访视 and 产后42天检查 (结案
  closes the episode), each with realistic compliance; plus pregnancies under way.
- 肺结核 ~0.5 per 1000 a year (first home visit mostly within 72 h, intensive and
  continuation follow-ups, outcome at the end of the course); 传染病报告 a few per 1000;
  the station's 健康教育 and 卫生监督协管 logs.
"""

from .common import (
    CHILD_COMPLIANCE,
    CHILD_LATE,
    COMPLIANCE,
    DM_PREVALENCE,
    DM_REGISTERED,
    ELDERLY_PROPENSITY,
    HTN_PREVALENCE,
    HTN_REGISTERED,
    INFECTIOUS_RATE,
    NEWBORN_ON_TIME,
    NEWBORN_VISITED,
    ONGOING_PREGNANCY,
    RECHECK,
    SEED_OFFSET,
    SMI_RATE,
    STATUS_CLOSE_REASON,
    TB_RATE,
    TCM_CHILD_COMPLIANCE,
    TCM_WITH_EXAM,
    TCM_WITHOUT_EXAM,
    ChildPlan,
    Person,
    Record,
    Values,
    child_plan,
)
from .generator import generate_services

__all__ = [
    "CHILD_COMPLIANCE",
    "CHILD_LATE",
    "COMPLIANCE",
    "DM_PREVALENCE",
    "DM_REGISTERED",
    "ELDERLY_PROPENSITY",
    "HTN_PREVALENCE",
    "HTN_REGISTERED",
    "INFECTIOUS_RATE",
    "NEWBORN_ON_TIME",
    "NEWBORN_VISITED",
    "ONGOING_PREGNANCY",
    "RECHECK",
    "SEED_OFFSET",
    "SMI_RATE",
    "STATUS_CLOSE_REASON",
    "TB_RATE",
    "TCM_CHILD_COMPLIANCE",
    "TCM_WITH_EXAM",
    "TCM_WITHOUT_EXAM",
    "ChildPlan",
    "Person",
    "Record",
    "Values",
    "child_plan",
    "generate_services",
]
