"""Migrations 0073–0077: the 健康体检表 for every age (issue 13, part 2).

- 0073: every item of the national form's four pages that the former 老年人健康体检
  lacked (symptoms' 其他, right-arm blood pressure, BMI band, lifestyle, organ function,
  physical examination, lab values, existing health problems, 异常1–4, risk-factor
  targets). The former columns stay as they are: ``labs_done`` and ``abnormal_detail``
  keep what the old records say.
- 0074–0077: the form's repeating groups, a child table each — 职业病危害因素 (毒物种类),
  住院史 and 家庭病床史 (one step: the 住院治疗情况 section), 主要用药情况,
  非免疫规划预防接种史.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

import sqlite_utils

from .builders import INTEGER, REAL, TEXT, Migration, Step, add_columns, rows_table

_EXAM = "f_elderly_exam"
_KEY = "record_id"
_STAY = (("reason", TEXT), ("institution", TEXT), ("case_no", TEXT))

_FIELDS = (
    ("symptoms_other", TEXT),
    ("sbp_right", INTEGER),
    ("dbp_right", INTEGER),
    ("bmi_band", TEXT),
    ("exercise_freq", TEXT),
    ("exercise_minutes", INTEGER),
    ("exercise_years", REAL),
    ("exercise_kind", TEXT),
    ("diet", TEXT),
    ("smoking_status", TEXT),
    ("smoke_daily", INTEGER),
    ("smoke_start_age", INTEGER),
    ("smoke_quit_age", INTEGER),
    ("drink_freq", TEXT),
    ("drink_daily", REAL),
    ("drink_quit", TEXT),
    ("drink_quit_age", INTEGER),
    ("drink_start_age", INTEGER),
    ("drunk_last_year", TEXT),
    ("drink_kinds", TEXT),
    ("occupational", TEXT),
    ("occ_job", TEXT),
    ("occ_years", REAL),
    ("lips", TEXT),
    ("dentition", TEXT),
    ("dentition_detail", TEXT),
    ("pharynx", TEXT),
    ("vision_left", REAL),
    ("vision_right", REAL),
    ("vision_corr_left", REAL),
    ("vision_corr_right", REAL),
    ("hearing", TEXT),
    ("motor", TEXT),
    ("fundus", TEXT),
    ("fundus_detail", TEXT),
    ("skin", TEXT),
    ("skin_other", TEXT),
    ("sclera", TEXT),
    ("sclera_other", TEXT),
    ("lymph", TEXT),
    ("lymph_other", TEXT),
    ("barrel_chest", TEXT),
    ("breath_sound", TEXT),
    ("breath_sound_detail", TEXT),
    ("rales", TEXT),
    ("rales_other", TEXT),
    ("cardiac_rate", INTEGER),
    ("rhythm", TEXT),
    ("murmur", TEXT),
    ("murmur_detail", TEXT),
    ("abd_tenderness", TEXT),
    ("abd_tenderness_detail", TEXT),
    ("abd_mass", TEXT),
    ("abd_mass_detail", TEXT),
    ("hepatomegaly", TEXT),
    ("hepatomegaly_detail", TEXT),
    ("splenomegaly", TEXT),
    ("splenomegaly_detail", TEXT),
    ("shifting_dullness", TEXT),
    ("shifting_dullness_detail", TEXT),
    ("leg_edema", TEXT),
    ("dorsalis_pedis", TEXT),
    ("dre", TEXT),
    ("dre_other", TEXT),
    ("breast", TEXT),
    ("breast_other", TEXT),
    ("gyn_vulva", TEXT),
    ("gyn_vulva_detail", TEXT),
    ("gyn_vagina", TEXT),
    ("gyn_vagina_detail", TEXT),
    ("gyn_cervix", TEXT),
    ("gyn_cervix_detail", TEXT),
    ("gyn_uterus", TEXT),
    ("gyn_uterus_detail", TEXT),
    ("gyn_adnexa", TEXT),
    ("gyn_adnexa_detail", TEXT),
    ("exam_other", TEXT),
    ("hb", INTEGER),
    ("wbc", REAL),
    ("plt", INTEGER),
    ("blood_other", TEXT),
    ("urine_protein", TEXT),
    ("urine_glucose", TEXT),
    ("urine_ketone", TEXT),
    ("urine_blood", TEXT),
    ("urine_other", TEXT),
    ("ecg", TEXT),
    ("ecg_detail", TEXT),
    ("urine_malb", REAL),
    ("fobt", TEXT),
    ("hba1c", REAL),
    ("hbsag", TEXT),
    ("alt", INTEGER),
    ("ast", INTEGER),
    ("albumin", REAL),
    ("tbil", REAL),
    ("dbil", REAL),
    ("creatinine", REAL),
    ("urea", REAL),
    ("potassium", REAL),
    ("sodium", REAL),
    ("tc", REAL),
    ("tg", REAL),
    ("ldl", REAL),
    ("hdl", REAL),
    ("chest_xray", TEXT),
    ("chest_xray_detail", TEXT),
    ("us_abdomen", TEXT),
    ("us_abdomen_detail", TEXT),
    ("us_other", TEXT),
    ("us_other_detail", TEXT),
    ("cervical_smear", TEXT),
    ("cervical_smear_detail", TEXT),
    ("aux_other", TEXT),
    ("cerebrovascular", TEXT),
    ("cerebrovascular_other", TEXT),
    ("renal", TEXT),
    ("renal_other", TEXT),
    ("cardiac", TEXT),
    ("cardiac_other", TEXT),
    ("vascular", TEXT),
    ("vascular_other", TEXT),
    ("eye", TEXT),
    ("eye_other", TEXT),
    ("neuro", TEXT),
    ("neuro_detail", TEXT),
    ("other_disease", TEXT),
    ("other_disease_detail", TEXT),
    ("abnormal_1", TEXT),
    ("abnormal_2", TEXT),
    ("abnormal_3", TEXT),
    ("abnormal_4", TEXT),
    ("weight_goal", REAL),
    ("vaccine_advice", TEXT),
    ("risk_other", TEXT),
)


def _both(*steps: Step) -> Step:
    """Several steps as one migration (one section of the paper form)."""

    def apply(db: sqlite_utils.Database) -> None:
        for step in steps:
            step(db)

    return apply


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0073_elderly_exam_fields", add_columns(_EXAM, _FIELDS)),
    Migration(
        "0074_elderly_exam_occ_hazards",
        rows_table(
            _EXAM,
            _KEY,
            "occ_hazards",
            (("kind", TEXT), ("name", TEXT), ("protection", TEXT), ("protection_detail", TEXT)),
        ),
    ),
    Migration(
        "0075_elderly_exam_stays",
        _both(
            rows_table(
                _EXAM, _KEY, "hospital_stays", (("admitted", TEXT), ("discharged", TEXT), *_STAY)
            ),
            rows_table(_EXAM, _KEY, "family_beds", (("opened", TEXT), ("closed", TEXT), *_STAY)),
        ),
    ),
    Migration(
        "0076_elderly_exam_medicines",
        rows_table(
            _EXAM,
            _KEY,
            "medicines",
            (
                ("name", TEXT),
                ("route", TEXT),
                ("dosage", TEXT),
                ("duration", TEXT),
                ("adherence", TEXT),
            ),
        ),
    ),
    Migration(
        "0077_elderly_exam_vaccinations",
        rows_table(
            _EXAM, _KEY, "vaccinations", (("name", TEXT), ("date", TEXT), ("institution", TEXT))
        ),
    ),
)
