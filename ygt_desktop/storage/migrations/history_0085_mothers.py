"""Migrations 0085–0086: mothers — the whole 第1次产前检查 and the risk colour (issue 14).

- 0085: every item of the national 第1次产前检查服务记录表 the former form lacked
  (家族史, 个人史, 妇产科手术史, 孕产史 counts, 听诊 and 妇科检查, the full 辅助检查) and the
  2017 risk assessment as the 规范 stores it: 筛查 阴性/阳性, colour 绿/黄/橙/红 with 紫
  as a flag beside it, 评估日期, 评估机构, 高危因素; 转诊 as a yes/no with its reason.
  The former ``risk = '5'`` (紫色 as a fifth colour) becomes the flag, its colour left
  empty (never assessed apart from 紫); a record with a colour is 筛查阳性 unless green,
  assessed on its exam date; one with a 转诊原因 was a referral.
- 0086: the same colour, 紫 flag and 高危因素 on 第2～5次产前随访, former ``'5'`` likewise.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

import sqlite_utils

from .builders import INTEGER, REAL, TEXT, Migration, Step, add_columns, sql

_FIRST = "f_prenatal_first"
_FOLLOWUP = "f_prenatal_followup"

_FIRST_FIELDS = (
    ("husband_age", INTEGER),
    ("mother_age", INTEGER),
    ("family_history", TEXT),
    ("personal_history", TEXT),
    ("history_other", TEXT),
    ("gyn_surgery", TEXT),
    ("gyn_surgery_detail", TEXT),
    ("miscarriages", INTEGER),
    ("abortions", INTEGER),
    ("fetal_deaths", INTEGER),
    ("stillbirths", INTEGER),
    ("neonatal_deaths", INTEGER),
    ("birth_defects", INTEGER),
    ("heart", TEXT),
    ("heart_detail", TEXT),
    ("lungs", TEXT),
    ("lungs_detail", TEXT),
    ("vulva", TEXT),
    ("vulva_detail", TEXT),
    ("vagina", TEXT),
    ("vagina_detail", TEXT),
    ("cervix", TEXT),
    ("cervix_detail", TEXT),
    ("uterus", TEXT),
    ("uterus_detail", TEXT),
    ("adnexa", TEXT),
    ("adnexa_detail", TEXT),
    ("wbc", REAL),
    ("plt", INTEGER),
    ("blood_other", TEXT),
    ("urine_glucose", TEXT),
    ("urine_ketone", TEXT),
    ("urine_blood", TEXT),
    ("urine_other", TEXT),
    ("abo", TEXT),
    ("rh", TEXT),
    ("glucose", REAL),
    ("alt", INTEGER),
    ("ast", INTEGER),
    ("albumin", REAL),
    ("tbil", REAL),
    ("dbil", REAL),
    ("creatinine", INTEGER),
    ("urea", REAL),
    ("vaginal_discharge", TEXT),
    ("vaginal_discharge_other", TEXT),
    ("vaginal_cleanliness", TEXT),
    ("hbsag", TEXT),
    ("hbsab", TEXT),
    ("hbeag", TEXT),
    ("hbeab", TEXT),
    ("hbcab", TEXT),
    ("syphilis", TEXT),
    ("hiv", TEXT),
    ("ultrasound", TEXT),
    ("other_tests", TEXT),
    ("assessment_detail", TEXT),
    ("risk_screen", TEXT),
    ("risk_purple", INTEGER),
    ("risk_date", TEXT),
    ("risk_institution", TEXT),
    ("risk_factors", TEXT),
    ("referral", INTEGER),
)


def _both(*steps: Step) -> Step:
    """Several steps as one migration (the columns, then the former values moved)."""

    def apply(db: sqlite_utils.Database) -> None:
        for step in steps:
            step(db)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0085_prenatal_first_fields",
        _both(
            add_columns(_FIRST, _FIRST_FIELDS),
            sql(
                f"""
                UPDATE {_FIRST} SET risk_purple = 1, risk = NULL WHERE risk = '5';
                UPDATE {_FIRST} SET risk_screen = CASE WHEN risk = '1' THEN '1' ELSE '2' END,
                    risk_date = exam_date
                  WHERE risk IS NOT NULL OR risk_purple = 1;
                UPDATE {_FIRST} SET referral = 1
                  WHERE referral_reason IS NOT NULL AND referral_reason != '';
                """
            ),
        ),
    ),
    Migration(
        "0086_prenatal_followup_risk",
        _both(
            add_columns(_FOLLOWUP, (("risk_purple", INTEGER), ("risk_factors", TEXT))),
            sql(f"UPDATE {_FOLLOWUP} SET risk_purple = 1, risk = NULL WHERE risk = '5';"),
        ),
    ),
)
