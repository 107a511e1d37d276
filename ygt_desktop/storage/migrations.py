"""Ordered, explicit schema migrations, recorded in the ``schema_migrations`` table.

Each migration is a name and a function run inside one transaction. They are never
edited once released: a change to a form file that adds a field needs a new migration
here, and ``tests/storage/test_migrations.py`` fails until it exists (it compares the
migrated schema with what the form files say).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ..core.forms import FormDef, FormRegistry


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction.

    ``executescript`` would commit first, breaking the all-or-nothing migration.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


def _m0001_base(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE organisation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            level TEXT NOT NULL,
            parent_code TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE villages (
            code TEXT PRIMARY KEY CHECK (length(code) = 3),
            name TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id INTEGER,
            action TEXT NOT NULL CHECK (action IN ('insert','update','delete','correction')),
            old_values TEXT,
            new_values TEXT,
            reason TEXT
        );
        CREATE INDEX audit_log_record ON audit_log(table_name, record_id);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END;
        """,
    )


def _m0002_residents(conn: sqlite3.Connection) -> None:
    # Form fields of forms/resident.toml (version 1), then the system columns.
    run_script(
        conn,
        """
        CREATE TABLE residents (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            id_number TEXT,
            no_id_reason TEXT,
            sex TEXT,
            birth_date TEXT,
            ethnicity TEXT,
            phone TEXT,
            village_code TEXT REFERENCES villages(code),
            address TEXT,
            archive_date TEXT,
            resident_6m INTEGER,
            flag_disabled INTEGER,
            flag_poverty INTEGER,
            flag_dibao INTEGER,
            flag_tekun INTEGER,
            flag_family_planning INTEGER,
            note TEXT,
            archive_no TEXT NOT NULL UNIQUE CHECK (length(archive_no) = 17),
            status TEXT NOT NULL DEFAULT '在档'
                CHECK (status IN ('在档','迁出','死亡','注销')),
            status_date TEXT,
            status_reason TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            deleted_reason TEXT
        );
        CREATE UNIQUE INDEX residents_id_number ON residents(id_number)
            WHERE id_number IS NOT NULL AND deleted = 0;
        CREATE INDEX residents_village ON residents(village_code);
        CREATE INDEX residents_birth ON residents(birth_date);
        CREATE INDEX residents_archive_date ON residents(archive_date);
        CREATE TABLE resident_search (
            key TEXT NOT NULL,
            resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE
        );
        CREATE INDEX resident_search_key ON resident_search(key, resident_id);
        CREATE INDEX resident_search_resident ON resident_search(resident_id);
        """,
    )


def _m0003_service_records(conn: sqlite3.Connection) -> None:
    # One header row per service record (any form); each form's own fields live in
    # its detail table f_<form id>, keyed by the header's id.
    run_script(
        conn,
        """
        CREATE TABLE service_records (
            id INTEGER PRIMARY KEY,
            form_id TEXT NOT NULL,
            resident_id INTEGER REFERENCES residents(id),
            episode_id INTEGER REFERENCES service_records(id),
            service_date TEXT NOT NULL,
            closes_episode INTEGER NOT NULL DEFAULT 0,
            entered_at TEXT NOT NULL,
            entered_by TEXT NOT NULL,
            late_entry INTEGER NOT NULL DEFAULT 0,
            recheck_date TEXT,
            referral TEXT CHECK (referral IN ('urgent', 'suggested')),
            alerts TEXT,
            updated_at TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            deleted_reason TEXT
        );
        CREATE INDEX service_records_resident ON service_records(resident_id, service_date);
        CREATE INDEX service_records_form ON service_records(form_id, service_date);
        CREATE INDEX service_records_form_resident
            ON service_records(form_id, resident_id, service_date);
        CREATE INDEX service_records_episode ON service_records(episode_id);
    """,
    )


def form_table(form_id: str, field_ids: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    """A migration creating ``f_<form_id>`` with exactly ``field_ids``.

    The ids are written out here (the migration history); each column's type comes from
    the field's type in the form file. A field added to a form later needs an
    :func:`add_fields` migration, or the drift test fails.
    """

    def apply(conn: sqlite3.Connection) -> None:
        form = _forms()[form_id]
        cols = ",\n".join(f"{fid} {form.field(fid).field_type.sql_type}" for fid in field_ids)
        conn.execute(
            f"CREATE TABLE {form.table} (\n"
            "record_id INTEGER PRIMARY KEY REFERENCES service_records(id) ON DELETE CASCADE,\n"
            f"{cols})"
        )

    return apply


ENTITY_SYSTEM_COLUMNS = (
    "created_at TEXT NOT NULL", "created_by TEXT NOT NULL", "updated_at TEXT NOT NULL",
    "deleted INTEGER NOT NULL DEFAULT 0", "deleted_reason TEXT",
)


def entity_table(form_id: str, field_ids: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    """A migration creating an entity form's table: its own ``id``, exactly
    ``field_ids`` (typed from the form file) and the system columns kept by
    :class:`~ygt_desktop.storage.entities.EntityRepo`."""

    def apply(conn: sqlite3.Connection) -> None:
        create_entity_table(conn, _forms()[form_id], field_ids)

    return apply


def create_entity_table(conn: sqlite3.Connection, form: FormDef,
                        field_ids: tuple[str, ...]) -> None:
    cols = [f"{fid} {form.field(fid).field_type.sql_type}" for fid in field_ids]
    conn.execute(f"CREATE TABLE {form.table} (\nid INTEGER PRIMARY KEY,\n"
                 + ",\n".join([*cols, *ENTITY_SYSTEM_COLUMNS]) + ")")


def add_fields(form_id: str, field_ids: tuple[str, ...]) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        form = _forms()[form_id]
        for fid in field_ids:
            conn.execute(
                f"ALTER TABLE {form.table} ADD COLUMN {fid} {form.field(fid).field_type.sql_type}"
            )

    return apply


def _m0028_recheck_index(conn: sqlite3.Connection) -> None:
    # The worklist's re-checks due: few records ask for one.
    conn.execute("CREATE INDEX service_records_recheck ON service_records(form_id, recheck_date) "
                 "WHERE recheck_date IS NOT NULL")


def _m0047_report_submissions(conn: sqlite3.Connection) -> None:
    run_script(conn, """
        CREATE TABLE report_submissions (
            period TEXT NOT NULL,
            revision INTEGER NOT NULL,
            submitted_at TEXT NOT NULL,
            submitted_by TEXT NOT NULL,
            digest TEXT NOT NULL,
            PRIMARY KEY (period, revision)
        );
        CREATE TABLE report_corrections (
            id INTEGER PRIMARY KEY,
            period TEXT NOT NULL,
            at TEXT NOT NULL,
            table_name TEXT NOT NULL,
            record_id INTEGER
        );
        CREATE INDEX report_corrections_period ON report_corrections(period, at);
    """)


def _m0048_bureau(conn: sqlite3.Connection) -> None:
    # A bureau's roster, the workbooks it accepted (every revision, never deleted), every
    # import attempt with its outcome, and the revisions of its own aggregated report.
    run_script(conn, """
        CREATE TABLE bureau_members (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            level TEXT NOT NULL,
            parent_code TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE bureau_submissions (
            id INTEGER PRIMARY KEY,
            org_code TEXT NOT NULL REFERENCES bureau_members(code),
            org_name TEXT NOT NULL,
            period TEXT NOT NULL,
            revision INTEGER NOT NULL CHECK (revision >= 1),
            sha256 TEXT NOT NULL UNIQUE,
            digest TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_path TEXT NOT NULL,
            file_mtime TEXT,
            generated_at TEXT,
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            meta TEXT NOT NULL,
            warnings TEXT NOT NULL DEFAULT '[]',
            UNIQUE (org_code, period, revision)
        );
        CREATE INDEX bureau_submissions_period ON bureau_submissions(period, org_code, revision);
        CREATE TABLE bureau_rows (
            submission_id INTEGER NOT NULL REFERENCES bureau_submissions(id),
            indicator TEXT NOT NULL,
            org_name TEXT,
            numerator,
            denominator,
            value,
            PRIMARY KEY (submission_id, indicator)
        ) WITHOUT ROWID;
        CREATE TRIGGER bureau_submissions_kept BEFORE DELETE ON bureau_submissions
        BEGIN SELECT RAISE(ABORT, '已接收的上报工作簿不可删除'); END;
        CREATE TRIGGER bureau_rows_kept BEFORE DELETE ON bureau_rows
        BEGIN SELECT RAISE(ABORT, '已接收的上报数据不可删除'); END;
        CREATE TRIGGER bureau_rows_fixed BEFORE UPDATE ON bureau_rows
        BEGIN SELECT RAISE(ABORT, '已接收的上报数据不可修改'); END;
        CREATE TABLE bureau_import_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            file_name TEXT NOT NULL,
            file_path TEXT NOT NULL,
            sha256 TEXT,
            outcome TEXT NOT NULL
                CHECK (outcome IN ('accepted', 'replaced', 'duplicate', 'rejected')),
            code TEXT NOT NULL,
            reason TEXT NOT NULL,
            org_code TEXT,
            period TEXT,
            revision INTEGER,
            submission_id INTEGER REFERENCES bureau_submissions(id),
            warnings TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX bureau_import_log_period ON bureau_import_log(period, org_code);
        CREATE TABLE bureau_exports (
            period TEXT NOT NULL,
            revision INTEGER NOT NULL,
            digest TEXT NOT NULL,
            children TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            exported_by TEXT NOT NULL,
            PRIMARY KEY (period, revision)
        );
    """)


def _forms() -> FormRegistry:
    from .workspace import load_forms

    return load_forms()


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_base", _m0001_base),
    Migration("0002_residents", _m0002_residents),
    Migration("0003_service_records", _m0003_service_records),
    Migration(
        "0004_htn_register",
        form_table(
            "htn_register",
            (
                "register_date",
                "diagnosis_date",
                "diagnosis_institution",
                "risk_level",
                "doctor",
                "closed_date",
                "close_reason",
            ),
        ),
    ),
    Migration(
        "0005_htn_followup",
        form_table(
            "htn_followup",
            (
                "visit_date",
                "visit_method",
                "symptoms",
                "sbp",
                "dbp",
                "weight",
                "weight_target",
                "height",
                "bmi",
                "heart_rate",
                "smoking",
                "smoking_target",
                "drinking",
                "drinking_target",
                "exercise_times",
                "exercise_minutes",
                "salt",
                "salt_target",
                "psych",
                "compliance",
                "adherence",
                "adverse_reaction",
                "adverse_detail",
                "medication",
                "visit_class",
                "controlled",
                "referral_reason",
                "referral_institution",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0006_child_check",
        form_table(
            "child_check",
            (
                "exam_date",
                "age_in_months",
                "weight",
                "weight_eval",
                "length_height",
                "height_eval",
                "head_circumference",
                "teeth",
                "caries",
                "haemoglobin",
                "outdoor_hours",
                "vitamin_d",
                "development",
                "illness",
                "referral",
                "referral_reason",
                "referral_institution",
                "guidance",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0007_delivery",
        form_table(
            "delivery",
            (
                "delivered_date",
                "gest_weeks",
                "place",
                "institution",
                "mode",
                "live_births",
                "stillbirths",
                "complications",
                "discharged_date",
            ),
        ),
    ),
    Migration(
        "0008_dm_followup",
        form_table(
            "dm_followup",
            (
                "visit_date",
                "visit_method",
                "symptoms",
                "sbp",
                "dbp",
                "weight",
                "weight_target",
                "height",
                "bmi",
                "heart_rate",
                "foot_pulse",
                "smoking",
                "smoking_target",
                "drinking",
                "drinking_target",
                "exercise_times",
                "exercise_minutes",
                "staple_food",
                "staple_food_target",
                "psych",
                "compliance",
                "fpg",
                "hba1c",
                "hba1c_date",
                "adherence",
                "adverse_reaction",
                "adverse_detail",
                "hypoglycemia",
                "medication",
                "insulin",
                "visit_class",
                "controlled",
                "referral_reason",
                "referral_institution",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0009_dm_register",
        form_table(
            "dm_register",
            (
                "register_date",
                "diagnosis_date",
                "diagnosis_institution",
                "complications",
                "doctor",
                "closed_date",
                "close_reason",
            ),
        ),
    ),
    Migration(
        "0010_edu_activity",
        form_table(
            "edu_activity",
            (
                "activity_date",
                "kind",
                "title",
                "copies",
                "times",
                "participants",
                "audience",
                "location",
                "organiser",
                "content",
                "evaluation",
                "archived",
            ),
        ),
    ),
    Migration(
        "0011_elderly_exam",
        form_table(
            "elderly_exam",
            (
                "exam_date",
                "symptoms",
                "temperature",
                "heart_rate",
                "respiration",
                "sbp",
                "dbp",
                "height",
                "weight",
                "waist",
                "bmi",
                "health_self_rating",
                "sc_meal",
                "sc_grooming",
                "sc_dressing",
                "sc_toilet",
                "sc_activity",
                "self_care_score",
                "self_care_level",
                "cognition",
                "mmse_score",
                "emotion",
                "gds_score",
                "labs_done",
                "fpg",
                "abnormal",
                "abnormal_detail",
                "guidance",
                "risk_control",
                "elderly_guidance",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0012_infectious_report",
        form_table(
            "infectious_report",
            (
                "register_date",
                "disease",
                "disease_class",
                "case_class",
                "onset_date",
                "diagnosis_date",
                "diagnosis_hour",
                "reported",
                "report_date",
                "report_hour",
                "report_delay_hours",
                "timely",
                "reported_to",
                "reporter",
            ),
        ),
    ),
    Migration(
        "0013_newborn_visit",
        form_table(
            "newborn_visit",
            (
                "visit_date",
                "discharged_date",
                "days_after_discharge",
                "birth_gest_weeks",
                "birth_mode",
                "asphyxia",
                "malformation",
                "hearing_screen",
                "disease_screen",
                "birth_weight",
                "birth_length",
                "weight",
                "feeding",
                "temperature",
                "heart_rate",
                "respiration",
                "complexion",
                "jaundice",
                "skin",
                "umbilical_cord",
                "other_findings",
                "referral",
                "referral_reason",
                "referral_institution",
                "guidance",
                "next_visit_place",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0014_postpartum_42d",
        form_table(
            "postpartum_42d",
            (
                "exam_date",
                "days_after_delivery",
                "general_health",
                "general_mental",
                "sbp",
                "dbp",
                "weight",
                "breast",
                "lochia",
                "uterus",
                "wound",
                "other_findings",
                "classification",
                "guidance",
                "outcome",
                "referral_reason",
                "referral_institution",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0015_postpartum_visit",
        form_table(
            "postpartum_visit",
            (
                "visit_date",
                "days_after_discharge",
                "temperature",
                "general_health",
                "general_mental",
                "sbp",
                "dbp",
                "breast",
                "lochia",
                "uterus",
                "wound",
                "other_findings",
                "classification",
                "abnormal_detail",
                "guidance",
                "referral",
                "referral_reason",
                "referral_institution",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0016_prenatal_first",
        form_table(
            "prenatal_first",
            (
                "exam_date",
                "lmp_date",
                "gest_weeks",
                "edd",
                "husband_name",
                "husband_phone",
                "gravidity",
                "parity",
                "vaginal_births",
                "caesareans",
                "past_history",
                "height",
                "weight",
                "bmi",
                "sbp",
                "dbp",
                "haemoglobin",
                "urine_protein",
                "assessment",
                "risk",
                "guidance",
                "referral_reason",
                "referral_institution",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0017_prenatal_followup",
        form_table(
            "prenatal_followup",
            (
                "exam_date",
                "visit_no",
                "gest_weeks",
                "complaint",
                "weight",
                "fundal_height",
                "abdominal_circumference",
                "fetal_position",
                "fetal_heart_rate",
                "sbp",
                "dbp",
                "haemoglobin",
                "urine_protein",
                "other_tests",
                "classification",
                "risk",
                "guidance",
                "referral_reason",
                "referral_institution",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0018_smi_followup",
        form_table(
            "smi_followup",
            (
                "visit_date",
                "visit_method",
                "risk_grade",
                "symptoms",
                "insight",
                "sleep",
                "diet",
                "sf_self_care",
                "sf_housework",
                "sf_work",
                "sf_learning",
                "sf_social",
                "risk_behaviour",
                "lock_status",
                "hospitalisation",
                "last_discharge_date",
                "lab",
                "adherence",
                "adverse_reaction",
                "adverse_detail",
                "treatment_effect",
                "medication",
                "rehabilitation",
                "stability",
                "referral",
                "referral_reason",
                "referral_institution",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0019_smi_register",
        form_table(
            "smi_register",
            (
                "register_date",
                "guardian_name",
                "guardian_relation",
                "guardian_address",
                "guardian_phone",
                "village_contact",
                "village_contact_phone",
                "consent",
                "first_onset_date",
                "diagnosis",
                "diagnosis_institution",
                "diagnosis_date",
                "outpatient_history",
                "inpatient_times",
                "last_treatment_effect",
                "lock_status",
                "economic_status",
                "specialist_opinion",
                "doctor",
                "closed_date",
                "close_reason",
            ),
        ),
    ),
    Migration(
        "0020_supervision_log",
        form_table(
            "supervision_log",
            (
                "record_type",
                "found_date",
                "kind",
                "inspection_type",
                "description",
                "reported",
                "report_date",
                "reported_to",
                "reporter",
                "remark",
            ),
        ),
    ),
    Migration(
        "0021_tb_first_visit",
        form_table(
            "tb_first_visit",
            (
                "visit_date",
                "days_after_notification",
                "visit_method",
                "patient_type",
                "sputum",
                "drug_resistance",
                "symptoms",
                "phase",
                "regimen",
                "dosing",
                "formulation",
                "supervisor",
                "own_room",
                "ventilation",
                "smoking",
                "smoking_target",
                "drinking",
                "drinking_target",
                "drug_pickup",
                "guidance",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0022_tb_followup",
        form_table(
            "tb_followup",
            (
                "visit_date",
                "treatment_month",
                "phase",
                "supervisor",
                "visit_method",
                "symptoms",
                "smoking",
                "drinking",
                "regimen",
                "dosing",
                "doses_prescribed",
                "doses_missed",
                "adverse_reaction",
                "adverse_detail",
                "complication",
                "complication_detail",
                "referral_department",
                "referral_reason",
                "advice",
                "next_visit_date",
                "doctor",
                "treatment_outcome",
                "stop_date",
                "visits_due",
                "visits_done",
                "course_doses_due",
                "course_doses_taken",
                "dose_rate",
            ),
        ),
    ),
    Migration(
        "0023_tb_notify",
        form_table(
            "tb_notify",
            (
                "notified_date",
                "diagnosis",
                "bacteriology",
                "patient_type",
                "drug_resistance",
                "diagnosis_date",
                "treatment_start_date",
                "treating_institution",
                "source",
                "notifier",
            ),
        ),
    ),
    Migration(
        "0024_tcm_child",
        form_table(
            "tcm_child",
            (
                "service_date",
                "age_in_months",
                "guidance",
                "guidance_other",
                "next_visit_date",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0025_tcm_elderly",
        form_table(
            "tcm_elderly",
            (
                "exam_date",
                "q1",
                "q2",
                "q3",
                "q4",
                "q5",
                "q6",
                "q7",
                "q8",
                "q9",
                "q10",
                "q11",
                "q12",
                "q13",
                "q14",
                "q15",
                "q16",
                "q17",
                "q18",
                "q19",
                "q20",
                "q21",
                "q22",
                "q23",
                "q24",
                "q25",
                "q26",
                "q27",
                "q28",
                "q29",
                "q30",
                "q31",
                "q32",
                "q33",
                "constitution",
                "score_pinghe",
                "score_qixu",
                "score_yangxu",
                "score_yinxu",
                "score_tanshi",
                "score_shire",
                "score_xueyu",
                "score_qiyu",
                "score_tebing",
                "guidance",
                "guidance_other",
                "doctor",
            ),
        ),
    ),
    Migration(
        "0026_vaccination",
        form_table(
            "vaccination",
            (
                "certificate_date",
                "certificate_no",
                "vaccine",
                "dose",
                "vaccination_date",
                "site",
                "batch_no",
                "doctor",
            ),
        ),
    ),
    Migration("0027_resident_fields", add_fields("resident", ("responsible_doctor",))),
    Migration("0028_recheck_index", _m0028_recheck_index),
    Migration("0029_referral", entity_table("referral", (
        "direction", "referral_date", "resident_id", "urgency", "from_institution",
        "from_department", "to_institution", "to_department", "diagnosis", "reason", "doctor",
        "receipt_confirmed", "receipt_date", "followup_done", "followup_date",
        "followup_result", "source_record_id"))),
    Migration("0030_referral_dismissal", entity_table("referral_dismissal", (
        "source_record_id", "dismissed_date", "reason", "note"))),
    Migration("0031_team", entity_table("team", ("name", "leader", "phone", "villages", "note"))),
    Migration("0032_team_member", entity_table("team_member", (
        "team_id", "name", "role", "phone", "institution", "active"))),
    Migration("0033_service_package", entity_table("service_package", (
        "name", "kind", "target", "fee_medical", "fee_phs", "fee_personal", "fee_total",
        "services", "active"))),
    Migration("0034_contract", entity_table("contract", (
        "resident_id", "sign_mode", "representative_name", "representative_relation",
        "representative_phone", "team_id", "doctor_id", "package_ids", "sign_date",
        "start_date", "end_date", "renews_id", "key_populations", "fee_medical", "fee_phs",
        "fee_personal", "termination_date", "termination_reason", "termination_note",
        "note"))),
    Migration("0035_contract_payment", entity_table("contract_payment", (
        "contract_id", "payer", "kind", "paid_date", "amount", "note"))),
    Migration("0036_satisfaction", entity_table("satisfaction", (
        "contract_id", "survey_date", "method", "q_info", "q_cost", "q_image", "q_skill",
        "q_quality", "q_convenience", "q_overall", "suggestion", "surveyor"))),
    # A resident's contracts (overlap check, lists) and a contract's payments and surveys.
    Migration("0037_contract_indexes", lambda conn: run_script(conn, """
        CREATE INDEX e_contract_resident ON e_contract(resident_id, start_date);
        CREATE INDEX e_contract_end ON e_contract(end_date);
        CREATE INDEX e_contract_payment_contract ON e_contract_payment(contract_id);
        CREATE INDEX e_satisfaction_contract ON e_satisfaction(contract_id);
        """)),
    Migration("0038_base_data", entity_table("base_data", (
        "year", "population", "pop_35", "pop_65", "children_0_6", "children_0_36",
        "live_births", "htn_prevalence", "dm_prevalence", "source"))),
    Migration("0039_equipment", entity_table("equipment", (
        "asset_no", "name", "category", "checklist_item", "model", "serial_no",
        "manufacturer", "purchase_date", "price", "funding_source", "location", "responsible",
        "note"))),
    Migration("0040_equipment_checklist", entity_table("equipment_checklist", (
        "code", "name", "category", "quantity", "level", "note"))),
    Migration("0041_equipment_maintenance", entity_table("equipment_maintenance", (
        "asset_id", "maint_date", "kind", "content", "cost", "result", "done_by"))),
    Migration("0042_equipment_status", entity_table("equipment_status", (
        "asset_id", "status", "status_date", "reason"))),
    Migration("0043_equipment_stocktake", entity_table("equipment_stocktake", (
        "year", "stocktake_date", "checker", "supervisor", "finished_date", "note"))),
    Migration("0044_equipment_stocktake_line", entity_table("equipment_stocktake_line", (
        "stocktake_id", "asset_id", "result", "observed_status", "note"))),
    # An asset's status on a date, its maintenance log and a stocktake's lines.
    Migration("0045_equipment_indexes", lambda conn: run_script(conn, """
        CREATE INDEX e_equipment_status_asset ON e_equipment_status(asset_id, status_date);
        CREATE INDEX e_equipment_maintenance_asset ON e_equipment_maintenance(asset_id);
        CREATE INDEX e_equipment_stocktake_line_stocktake
            ON e_equipment_stocktake_line(stocktake_id, asset_id);
        """)),
    # A record's referral or dismissal (open suggestions), and the referrals of a period
    # (lists, the worklist's follow-ups, the report).
    Migration("0046_referral_indexes", lambda conn: run_script(conn, """
        CREATE INDEX e_referral_source ON e_referral(source_record_id);
        CREATE INDEX e_referral_date ON e_referral(referral_date, direction);
        CREATE INDEX e_referral_dismissal_source ON e_referral_dismissal(source_record_id);
        """)),
    Migration("0047_report_submissions", _m0047_report_submissions),
    Migration("0048_bureau", _m0048_bureau),
)


def applied(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
    )
    return [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def pending(conn: sqlite3.Connection) -> list[Migration]:
    done = set(applied(conn))
    return [m for m in MIGRATIONS if m.name not in done]


def apply_pending(conn: sqlite3.Connection) -> list[str]:
    """Apply every pending migration, each in its own IMMEDIATE transaction."""
    names = []
    for migration in pending(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(conn)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, dt.datetime.now().astimezone().isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        names.append(migration.name)
    return names


def suggest(conn: sqlite3.Connection, forms: FormRegistry) -> list[str]:
    """Migration entries a developer should add after changing form files: for each
    form without a table, a :func:`form_table`; for each new field, an :func:`add_fields`.
    ``conn`` is a fresh database with every migration applied."""
    lines = []
    n = len(MIGRATIONS)
    for form in forms:
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info({form.table})")}
        ids = tuple(f.id for f in form.fields)
        if not cols:
            n += 1
            maker = "entity_table" if form.kind == "entity" else "form_table"
            lines.append(f'Migration("{n:04d}_{form.id}", {maker}("{form.id}", {ids!r})),')
        elif missing := tuple(i for i in ids if i not in cols):
            n += 1
            lines.append(
                f'Migration("{n:04d}_{form.id}_fields", add_fields("{form.id}", {missing!r})),'
            )
    return lines


if __name__ == "__main__":  # python -m ygt_desktop.storage.migrations
    memory = sqlite3.connect(":memory:", isolation_level=None)
    apply_pending(memory)
    print("\n".join(suggest(memory, _forms())) or "表单与迁移一致。")
