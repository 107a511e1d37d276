"""Migration 0053: a bureau may withdraw (撤销) an accepted workbook, with a reason.

A withdrawal never deletes: ``bureau_submissions`` gains ``withdrawn_at``,
``withdrawn_by`` and ``withdrawn_reason`` (NULL while the submission stands), set once
and never cleared (trigger). The station's next file may then carry the withdrawn
revision's number again (a forged revision 2 withdrawn, the genuine revision 2
accepted), so ``UNIQUE (org_code, period, revision)`` becomes a partial unique index
over the submissions that stand. SQLite cannot drop a table constraint, so the table is
rebuilt: its own ``CREATE TABLE`` text with that one clause removed (whatever columns
earlier migrations appended stay, in their order, so every record's audit digest is
unchanged; the new columns are appended NULL, which :mod:`..audit_digest` allows),
its rows copied back with their ids, and its indexes and triggers made again.

Foreign keys stay on inside the runner's transaction (the pragma cannot change there):
with ``defer_foreign_keys`` the rows of ``bureau_rows`` and ``bureau_import_log``
orphaned by the drop are counted, and counted back as their parents are inserted again,
before the commit checks the count. Every column of the table as 0048 made it is then
fixed by a trigger: a withdrawal is the only change a submission can undergo.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

import sqlite_utils

from .builders import Migration

_TABLE = "bureau_submissions"
_UNIQUE_REVISION = "UNIQUE (org_code, period, revision)"
_ORIGINAL = (
    "id, org_code, org_name, period, revision, sha256, digest, file_name, file_path, "
    "file_mtime, generated_at, imported_at, imported_by, meta, warnings"
)


def _withdraw(db: sqlite_utils.Database) -> None:
    conn = db.conn
    conn.execute("PRAGMA defer_foreign_keys = ON")
    create = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (_TABLE,)
    ).fetchone()[0]
    at = create.find(_UNIQUE_REVISION)
    comma = create.rfind(",", 0, at)
    if at < 0 or comma < 0 or create[comma + 1 : at].strip():
        raise RuntimeError(f"{_TABLE} 的表结构与预期不符，无法升级")
    rebuilt = create[:comma] + create[at + len(_UNIQUE_REVISION) :]
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
            "AND sql IS NOT NULL ORDER BY type, name",
            (_TABLE,),
        )
    ]
    columns = ", ".join(
        f'"{r[1]}"' for r in conn.execute(f"PRAGMA table_info({_TABLE})").fetchall()
    )
    conn.execute("CREATE INDEX IF NOT EXISTS bureau_import_log_submission "
                 "ON bureau_import_log(submission_id)")  # fmt: skip
    conn.execute(f"CREATE TEMP TABLE withdraw_0053 AS SELECT {columns} FROM {_TABLE}")
    conn.execute(f"DROP TABLE {_TABLE}")  # drops its triggers first: none fires
    conn.execute(rebuilt)
    conn.execute(
        f"INSERT INTO {_TABLE} ({columns}) SELECT {columns} FROM temp.withdraw_0053 ORDER BY id"
    )
    conn.execute("DROP TABLE temp.withdraw_0053")
    for statement in extras:
        conn.execute(statement)
    for column in ("withdrawn_at", "withdrawn_by", "withdrawn_reason"):
        conn.execute(f"ALTER TABLE {_TABLE} ADD COLUMN {column} TEXT")
    db.executescript(f"""
        CREATE UNIQUE INDEX bureau_submissions_standing
            ON {_TABLE}(org_code, period, revision) WHERE withdrawn_at IS NULL;
        CREATE TRIGGER bureau_submissions_fixed BEFORE UPDATE OF {_ORIGINAL} ON {_TABLE}
        BEGIN SELECT RAISE(ABORT, '已接收的上报工作簿不可修改'); END;
        CREATE TRIGGER bureau_submissions_withdrawn_once
        BEFORE UPDATE OF withdrawn_at, withdrawn_by, withdrawn_reason ON {_TABLE}
        WHEN OLD.withdrawn_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '已撤销的上报不可恢复或再次撤销'); END;
    """)


MIGRATIONS: tuple[Migration, ...] = (Migration("0053_withdraw", _withdraw),)
