"""Migrations 0058–0064: the national record forms in full (issue 13), first part.

- 0058–0061: the hypertension and diabetes follow-ups as the national form has them —
  其他症状, 辅助检查 (hypertension) and the medicines as lines (药物名称, 每日次数,
  每次剂量, 剂量单位) in a child table per form. The free-text ``medication`` column
  stays: the records typed before keep their text.
- 0062–0064: 接诊记录表 (SOAP) and 会诊记录表 with its consulting doctors as lines.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import INTEGER, REAL, TEXT, Migration, add_columns, form_table, rows_table

_MEDICINES = (("name", TEXT), ("times_per_day", INTEGER), ("dose", REAL), ("dose_unit", TEXT))

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0058_dm_followup_fields", add_columns("f_dm_followup", (("symptoms_other", TEXT),))),
    Migration(
        "0059_dm_followup_medicines",
        rows_table("f_dm_followup", "record_id", "medicines", _MEDICINES),
    ),
    Migration(
        "0060_htn_followup_fields",
        add_columns("f_htn_followup", (("symptoms_other", TEXT), ("aux_exam", TEXT))),
    ),
    Migration(
        "0061_htn_followup_medicines",
        rows_table("f_htn_followup", "record_id", "medicines", _MEDICINES),
    ),
    Migration(
        "0062_clinic_visit",
        form_table(
            "f_clinic_visit",
            (
                ("visit_date", TEXT),
                ("subjective", TEXT),
                ("objective", TEXT),
                ("assessment", TEXT),
                ("plan", TEXT),
                ("doctor", TEXT),
            ),
        ),
    ),
    Migration(
        "0063_consultation",
        form_table(
            "f_consultation",
            (
                ("consult_date", TEXT),
                ("reason", TEXT),
                ("opinion", TEXT),
                ("responsible_doctor", TEXT),
            ),
        ),
    ),
    Migration(
        "0064_consultation_consultants",
        rows_table(
            "f_consultation", "record_id", "consultants", (("institution", TEXT), ("doctor", TEXT))
        ),
    ),
)
