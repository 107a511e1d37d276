"""Migrations 0047-0048: submitted quarterly reports and their corrections; a bureau's
roster, accepted workbooks (kept by triggers), import log and its own report revisions.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration("0047_report_submissions", sql("""
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
    """)),
    # A bureau's roster, the workbooks it accepted (every revision, never deleted), every
    # import attempt with its outcome, and the revisions of its own aggregated report.
    Migration("0048_bureau", sql("""
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
    """)),
)
