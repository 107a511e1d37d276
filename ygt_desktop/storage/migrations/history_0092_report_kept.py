"""Migration 0092: the quarterly report kept between computations (issue 15).

``report_kept`` holds, per quarter (``2026Q3``), the residents behind every
person-level indicator as last computed (:mod:`..report_kept`): the fingerprint of
what they were computed with (template, forms, base data, settings), the last mark
they include (``upto``), the sets' layout (``meta``, JSON) and their ids (``ids``, a
packed array).

``report_dirty`` lists the residents changed since: triggers mark, in the saving
transaction, the resident of every change to ``service_records``, to every form's
detail table (``f_*`` with a ``record_id``: the record's resident, even when a
detail is written without its header), to ``residents`` and to ``e_contract`` — the
tables the person-level indicators read per resident. A later migration that creates
a form's table adds the same triggers (:func:`detail_triggers`; a test checks every
``f_*`` table has them). Marks are numbered (``AUTOINCREMENT``: a
number is never used again, so ``upto`` stays a true boundary); none is written while
no quarter is kept, so the demo generator and an import pay nothing for them.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

import sqlite_utils

from .builders import Migration, sql

# A trigger does its work only while some quarter is kept.
KEPT_ANY = "WHEN EXISTS (SELECT 1 FROM report_kept)"


def _mark(resident: str) -> str:
    """The statement marking ``resident`` (NEW.x / OLD.x); NULL (a station log) is not."""
    return f"INSERT INTO report_dirty (resident_id) SELECT {resident} WHERE {resident} IS NOT NULL;"


def _triggers(table: str, resident: str) -> str:
    name = f"report_{table}"
    return f"""
        CREATE TRIGGER {name}_added AFTER INSERT ON {table} {KEPT_ANY}
        BEGIN {_mark(f"NEW.{resident}")} END;
        CREATE TRIGGER {name}_changed AFTER UPDATE ON {table} {KEPT_ANY}
        BEGIN {_mark(f"NEW.{resident}")}
        INSERT INTO report_dirty (resident_id) SELECT OLD.{resident}
        WHERE OLD.{resident} IS NOT NEW.{resident} AND OLD.{resident} IS NOT NULL; END;
        CREATE TRIGGER {name}_removed AFTER DELETE ON {table} {KEPT_ANY}
        BEGIN {_mark(f"OLD.{resident}")} END;
    """


def detail_triggers(table: str) -> str:
    """The triggers marking the resident of a detail row's record (``record_id``: the
    service record's id, in a form's table and in its tables of rows)."""
    new, old = (
        _mark(f"(SELECT resident_id FROM service_records WHERE id = {row}.record_id)")
        for row in ("NEW", "OLD")
    )
    return f"""
        CREATE TRIGGER "report_{table}_added" AFTER INSERT ON "{table}" {KEPT_ANY}
        BEGIN {new} END;
        CREATE TRIGGER "report_{table}_changed" AFTER UPDATE ON "{table}" {KEPT_ANY}
        BEGIN {new} END;
        CREATE TRIGGER "report_{table}_removed" AFTER DELETE ON "{table}" {KEPT_ANY}
        BEGIN {old} END;
    """


def _details(db: sqlite_utils.Database) -> None:
    """Every form's detail table existing now (the schema, not the form files)."""
    for (table,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'f_*' ORDER BY name"
    ).fetchall():
        columns = {c[1] for c in db.execute(f'PRAGMA table_info("{table}")').fetchall()}
        if "record_id" in columns:
            db.executescript(detail_triggers(table))


def _report_kept(db: sqlite_utils.Database) -> None:
    sql(KEPT)(db)
    _details(db)


KEPT = f"""
        CREATE TABLE report_kept (
            period TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            upto INTEGER NOT NULL,
            meta TEXT NOT NULL,
            ids BLOB NOT NULL,
            at TEXT NOT NULL
        );
        CREATE TABLE report_dirty (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            resident_id INTEGER NOT NULL
        );
        {_triggers("service_records", "resident_id")}
        {_triggers("residents", "id")}
        {_triggers("e_contract", "resident_id")}
"""  # fmt: skip

MIGRATIONS: tuple[Migration, ...] = (Migration("0092_report_kept", _report_kept),)
