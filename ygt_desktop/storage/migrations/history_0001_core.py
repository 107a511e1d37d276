"""Migrations 0001-0003: settings, organisation, villages and the audit log with the
triggers that keep it append-only; residents and their search keys; the header row of
every service record.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_base", sql("""
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
        """)),
    # Form fields of forms/resident.toml (version 1), then the system columns.
    Migration("0002_residents", sql("""
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
        """)),
    # One header row per service record (any form); each form's own fields live in
    # its detail table f_<form id>, keyed by the header's id.
    Migration("0003_service_records", sql("""
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
    """)),
)
