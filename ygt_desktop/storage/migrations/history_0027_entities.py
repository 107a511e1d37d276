"""Migrations 0027-0046: the resident's responsible doctor, the re-check index, and the
entity tables ``e_<form id>`` (referrals, contracts, base data, equipment) with their
indexes.

Columns are literal, as the form files declared them on the day. Frozen: never edit a
released migration, add a new one.
"""

from __future__ import annotations

from .builders import INTEGER, REAL, TEXT, Migration, add_columns, entity_table, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0027_resident_fields", add_columns("residents", (
        ("responsible_doctor", TEXT),
    ))),
    # The worklist's re-checks due: few records ask for one.
    Migration("0028_recheck_index", sql(
        "CREATE INDEX service_records_recheck ON service_records(form_id, recheck_date) "
        "WHERE recheck_date IS NOT NULL")),
    Migration("0029_referral", entity_table("e_referral", (
        ("direction", TEXT), ("referral_date", TEXT), ("resident_id", INTEGER), ("urgency", TEXT),
        ("from_institution", TEXT), ("from_department", TEXT), ("to_institution", TEXT),
        ("to_department", TEXT), ("diagnosis", TEXT), ("reason", TEXT), ("doctor", TEXT),
        ("receipt_confirmed", INTEGER), ("receipt_date", TEXT), ("followup_done", INTEGER),
        ("followup_date", TEXT), ("followup_result", TEXT), ("source_record_id", INTEGER),
    ))),
    Migration("0030_referral_dismissal", entity_table("e_referral_dismissal", (
        ("source_record_id", INTEGER), ("dismissed_date", TEXT), ("reason", TEXT), ("note", TEXT),
    ))),
    Migration("0031_team", entity_table("e_team", (
        ("name", TEXT), ("leader", TEXT), ("phone", TEXT), ("villages", TEXT), ("note", TEXT),
    ))),
    Migration("0032_team_member", entity_table("e_team_member", (
        ("team_id", TEXT), ("name", TEXT), ("role", TEXT), ("phone", TEXT), ("institution", TEXT),
        ("active", INTEGER),
    ))),
    Migration("0033_service_package", entity_table("e_service_package", (
        ("name", TEXT), ("kind", TEXT), ("target", TEXT), ("fee_medical", REAL), ("fee_phs", REAL),
        ("fee_personal", REAL), ("fee_total", REAL), ("services", TEXT), ("active", INTEGER),
    ))),
    Migration("0034_contract", entity_table("e_contract", (
        ("resident_id", INTEGER), ("sign_mode", TEXT), ("representative_name", TEXT),
        ("representative_relation", TEXT), ("representative_phone", TEXT), ("team_id", TEXT),
        ("doctor_id", TEXT), ("package_ids", TEXT), ("sign_date", TEXT), ("start_date", TEXT),
        ("end_date", TEXT), ("renews_id", INTEGER), ("key_populations", TEXT),
        ("fee_medical", REAL), ("fee_phs", REAL), ("fee_personal", REAL),
        ("termination_date", TEXT), ("termination_reason", TEXT), ("termination_note", TEXT),
        ("note", TEXT),
    ))),
    Migration("0035_contract_payment", entity_table("e_contract_payment", (
        ("contract_id", INTEGER), ("payer", TEXT), ("kind", TEXT), ("paid_date", TEXT),
        ("amount", REAL), ("note", TEXT),
    ))),
    Migration("0036_satisfaction", entity_table("e_satisfaction", (
        ("contract_id", INTEGER), ("survey_date", TEXT), ("method", TEXT), ("q_info", TEXT),
        ("q_cost", TEXT), ("q_image", TEXT), ("q_skill", TEXT), ("q_quality", TEXT),
        ("q_convenience", TEXT), ("q_overall", TEXT), ("suggestion", TEXT), ("surveyor", TEXT),
    ))),
    # A resident's contracts (overlap check, lists) and a contract's payments and surveys.
    Migration("0037_contract_indexes", sql("""
        CREATE INDEX e_contract_resident ON e_contract(resident_id, start_date);
        CREATE INDEX e_contract_end ON e_contract(end_date);
        CREATE INDEX e_contract_payment_contract ON e_contract_payment(contract_id);
        CREATE INDEX e_satisfaction_contract ON e_satisfaction(contract_id);
        """)),
    Migration("0038_base_data", entity_table("e_base_data", (
        ("year", INTEGER), ("population", INTEGER), ("pop_35", INTEGER), ("pop_65", INTEGER),
        ("children_0_6", INTEGER), ("children_0_36", INTEGER), ("live_births", INTEGER),
        ("htn_prevalence", REAL), ("dm_prevalence", REAL), ("source", TEXT),
    ))),
    Migration("0039_equipment", entity_table("e_equipment", (
        ("asset_no", TEXT), ("name", TEXT), ("category", TEXT), ("checklist_item", TEXT),
        ("model", TEXT), ("serial_no", TEXT), ("manufacturer", TEXT), ("purchase_date", TEXT),
        ("price", REAL), ("funding_source", TEXT), ("location", TEXT), ("responsible", TEXT),
        ("note", TEXT),
    ))),
    Migration("0040_equipment_checklist", entity_table("e_equipment_checklist", (
        ("code", TEXT), ("name", TEXT), ("category", TEXT), ("quantity", INTEGER), ("level", TEXT),
        ("note", TEXT),
    ))),
    Migration("0041_equipment_maintenance", entity_table("e_equipment_maintenance", (
        ("asset_id", TEXT), ("maint_date", TEXT), ("kind", TEXT), ("content", TEXT),
        ("cost", REAL), ("result", TEXT), ("done_by", TEXT),
    ))),
    Migration("0042_equipment_status", entity_table("e_equipment_status", (
        ("asset_id", TEXT), ("status", TEXT), ("status_date", TEXT), ("reason", TEXT),
    ))),
    Migration("0043_equipment_stocktake", entity_table("e_equipment_stocktake", (
        ("year", INTEGER), ("stocktake_date", TEXT), ("checker", TEXT), ("supervisor", TEXT),
        ("finished_date", TEXT), ("note", TEXT),
    ))),
    Migration("0044_equipment_stocktake_line", entity_table("e_equipment_stocktake_line", (
        ("stocktake_id", INTEGER), ("asset_id", INTEGER), ("result", TEXT),
        ("observed_status", TEXT), ("note", TEXT),
    ))),
    # An asset's status on a date, its maintenance log and a stocktake's lines.
    Migration("0045_equipment_indexes", sql("""
        CREATE INDEX e_equipment_status_asset ON e_equipment_status(asset_id, status_date);
        CREATE INDEX e_equipment_maintenance_asset ON e_equipment_maintenance(asset_id);
        CREATE INDEX e_equipment_stocktake_line_stocktake
            ON e_equipment_stocktake_line(stocktake_id, asset_id);
        """)),
    # A record's referral or dismissal (open suggestions), and the referrals of a period
    # (lists, the worklist's follow-ups, the report).
    Migration("0046_referral_indexes", sql("""
        CREATE INDEX e_referral_source ON e_referral(source_record_id);
        CREATE INDEX e_referral_date ON e_referral(referral_date, direction);
        CREATE INDEX e_referral_dismissal_source ON e_referral_dismissal(source_record_id);
        """)),
)
