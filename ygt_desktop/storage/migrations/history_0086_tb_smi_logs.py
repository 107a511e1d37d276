"""Migrations from 0086: TB dose card, mental-illness risk and emergency records, 健教/监督 logs (issue 14).

- 0086: the TB follow-up's 服药卡 as monthly totals (rows ``dose_card``: month, 应服, 实服).
- 0087: 严重精神障碍患者应急处置记录 (one record per emergency).
- 0088: the TB follow-up's items of the national form it lacked (目标吸烟/饮酒量, 药品剂型,
  转诊后2周内随访结果).
- 0089: the 严重精神障碍 follow-up's 失访原因, 死亡日期/原因 (躯体疾病 which), 用药指导.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import INTEGER, REAL, TEXT, Migration, add_columns, form_table, rows_table

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0086_tb_followup_dose_card",
        rows_table(
            "f_tb_followup",
            "record_id",
            "dose_card",
            (("month", TEXT), ("due", INTEGER), ("taken", INTEGER)),
        ),
    ),
    Migration(
        "0087_smi_emergency",
        form_table(
            "f_smi_emergency",
            (
                ("event_date", TEXT),
                ("place", TEXT),
                ("risk_grade", TEXT),
                ("situation", TEXT),
                ("measures", TEXT),
                ("measures_other", TEXT),
                ("police", INTEGER),
                ("medical", INTEGER),
                ("medical_institution", TEXT),
                ("outcome", TEXT),
                ("outcome_detail", TEXT),
                ("handler", TEXT),
            ),
        ),
    ),
    Migration(
        "0088_tb_followup_fields",
        add_columns(
            "f_tb_followup",
            (
                ("smoking_target", INTEGER),
                ("drinking_target", REAL),
                ("formulation", TEXT),
                ("referral_result", TEXT),
            ),
        ),
    ),
    Migration(
        "0089_smi_followup_fields",
        add_columns(
            "f_smi_followup",
            (
                ("lost_reason", TEXT),
                ("death_date", TEXT),
                ("death_cause", TEXT),
                ("death_disease", TEXT),
                ("medication_guidance", TEXT),
            ),
        ),
    ),
)
