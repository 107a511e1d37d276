"""Migration 0054: the worklist kept, not recomputed (issue 15).

``worklist_due`` holds each resident's due items (one row per window: programme, the
form that fulfils it, label, window start and end, the day it was done, 失访/结案 when
the patient left before it, and ``gate``: the date a range's gathering would have
dropped the item by — a register's closing, a pregnancy's or TB case's opening). The
status is not stored: the worklist computes it from the day asked about, so a new day
needs no rewrite.

What a save changes is marked in the same transaction by triggers: every change to
``service_records``, to a resident's birth date, status or deletion, and to a referral
(``e_referral``) puts the resident's id in ``worklist_dirty``; the worklist derives
those residents' rows again (with the same schedule code) before it next reads. No
writer can forget it.

The table starts empty: the rows are derived by the app, not here (a migration knows no
forms nor schedules). ``worklist_kept`` has no ``fingerprint`` yet, so the first
worklist opened on an upgraded database fills the table (once; the demo generator
fills it itself).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql


def _mark(resident: str) -> str:
    """The statement that marks ``resident`` (NEW.x / OLD.x) once; NULL (a station log)
    is not marked."""
    return (
        f"INSERT INTO worklist_dirty (resident_id) SELECT {resident} WHERE {resident} "
        f"IS NOT NULL AND NOT EXISTS (SELECT 1 FROM worklist_dirty WHERE resident_id = "
        f"{resident});"
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0054_worklist_kept", sql(f"""
        CREATE TABLE worklist_due (
            resident_id INTEGER NOT NULL,
            programme TEXT NOT NULL,
            form_id TEXT NOT NULL,
            label TEXT NOT NULL,
            start TEXT NOT NULL,
            "end" TEXT NOT NULL,
            done TEXT,
            closed TEXT,
            gate TEXT
        );
        CREATE INDEX worklist_due_window ON worklist_due(programme, "end", start);
        CREATE INDEX worklist_due_resident ON worklist_due(resident_id);
        CREATE TABLE worklist_dirty (resident_id INTEGER NOT NULL);
        CREATE INDEX worklist_dirty_resident ON worklist_dirty(resident_id);
        CREATE TABLE worklist_kept (key TEXT PRIMARY KEY, value TEXT);
        CREATE TRIGGER worklist_record_added AFTER INSERT ON service_records
        BEGIN {_mark("NEW.resident_id")} END;
        CREATE TRIGGER worklist_record_changed AFTER UPDATE ON service_records
        BEGIN {_mark("NEW.resident_id")} {_mark("OLD.resident_id")} END;
        CREATE TRIGGER worklist_record_removed AFTER DELETE ON service_records
        BEGIN {_mark("OLD.resident_id")} END;
        CREATE TRIGGER worklist_resident_added AFTER INSERT ON residents
        BEGIN {_mark("NEW.id")} END;
        CREATE TRIGGER worklist_resident_changed
        AFTER UPDATE OF birth_date, status, deleted ON residents
        BEGIN {_mark("NEW.id")} END;
        CREATE TRIGGER worklist_resident_removed AFTER DELETE ON residents
        BEGIN {_mark("OLD.id")} END;
        CREATE TRIGGER worklist_referral_added AFTER INSERT ON e_referral
        BEGIN {_mark("NEW.resident_id")} END;
        CREATE TRIGGER worklist_referral_changed AFTER UPDATE ON e_referral
        BEGIN {_mark("NEW.resident_id")} {_mark("OLD.resident_id")} END;
        CREATE TRIGGER worklist_referral_removed AFTER DELETE ON e_referral
        BEGIN {_mark("OLD.resident_id")} END;
    """)),
)  # fmt: skip
