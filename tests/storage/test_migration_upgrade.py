"""A database at every earlier schema version, holding data, upgrades to the latest.

Requirements (issue 10, part 2): databases made by the code before sqlite-utils ran
the migrations record them in ``schema_migrations(name, applied_at)``; one at any
version upgrades with nothing re-applied and nothing skipped, its data intact and its
schema equal to a fresh database's.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ygt_desktop.storage import audit, backup
from ygt_desktop.storage.db import connect
from ygt_desktop.storage.migrations import MIGRATIONS, apply_pending
from ygt_desktop.storage.opening import close_store, open_store

ROWS = 3
# Values the CHECK constraints of the base migrations accept, by (table, column).
CHECKED: dict[tuple[str, str], Any] = {
    ("organisation", "id"): lambda i: 1,
    ("villages", "code"): lambda i: f"{i:03d}",
    ("audit_log", "action"): lambda i: ("insert", "update", "correction")[i % 3],
    ("residents", "archive_no"): lambda i: f"53010200100{i:06d}",
    ("residents", "status"): lambda i: ("在档", "迁出", "死亡")[i % 3],
    ("service_records", "referral"): lambda i: ("urgent", "suggested", None)[i % 3],
    ("bureau_import_log", "outcome"): lambda i: ("accepted", "replaced", "rejected")[i % 3],
}
ONE_ROW = {"organisation"}  # CHECK (id = 1)


def make_old_database(path: Path, k: int) -> sqlite3.Connection:
    """A database as the code before sqlite-utils left it after its first ``k``
    migrations: each in its own transaction, recorded in ``schema_migrations``."""
    conn = connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
    )
    for n, migration in enumerate(MIGRATIONS[:k]):
        conn.execute("BEGIN IMMEDIATE")
        migration.apply(conn)
        conn.execute(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
            (migration.name, f"2024-01-01T00:{n // 60:02d}:{n % 60:02d}+08:00"),
        )
        conn.execute("COMMIT")
    return conn


def user_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables in an order where every table comes after those it references."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'schema_migrations' ORDER BY name"
        )
    ]
    parents = {
        t: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({t})")} - {t} for t in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ordered += [t for t in names if t not in ordered and parents[t] <= set(ordered)]
    return ordered


def value(conn: sqlite3.Connection, table: str, col: tuple[Any, ...], i: int) -> Any:
    _, name, sql_type, _notnull, _default, _pk = col
    if (table, name) in CHECKED:
        return CHECKED[table, name](i)
    for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
        if fk[3] == name:  # the i-th row of the referenced table (itself: the previous)
            if fk[2] == table:
                return None
            return conn.execute(
                f"SELECT {fk[4]} FROM {fk[2]} LIMIT 1 OFFSET ?", ((i - 1) % ROWS,)
            ).fetchone()[0]
    if sql_type == "TEXT":
        return f"{table}.{name}.{i}·中文"
    if sql_type == "REAL":
        return i + 0.25
    return i  # INTEGER and untyped columns


def fill(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """A few rows in every table, every column given a value; returns them as read."""
    conn.execute("BEGIN IMMEDIATE")
    for table in user_tables(conn):
        cols = conn.execute(f"PRAGMA table_info({table})").fetchall()
        names = ", ".join(c[1] for c in cols)
        marks = ", ".join("?" for _ in cols)
        for i in range(1, 2 if table in ONE_ROW else ROWS + 1):
            conn.execute(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                [value(conn, table, c, i) for c in cols],
            )
    conn.execute("COMMIT")
    return {t: rows(conn, t) for t in user_tables(conn)}


def rows(
    conn: sqlite3.Connection,
    table: str,
    columns: list[str] | None = None,
) -> list[tuple[Any, ...]]:
    names = ", ".join(columns or ["*"])
    return sorted(conn.execute(f"SELECT {names} FROM {table}").fetchall(), key=repr)


def schema(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()


# Data steps that move values between columns of a table, audited as 升级时补记 rows:
# table -> (the step, the columns whose values it may change).
MOVED = {
    "f_prenatal_first": (
        "0083_prenatal_first_fields",
        {"risk", "risk_purple", "risk_screen", "risk_date", "referral"},
    ),
    "f_prenatal_followup": ("0084_prenatal_followup_risk", {"risk", "risk_purple"}),
}
MOVED_REASON = "升级时补记"


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory) -> list[tuple[Any, ...]]:
    conn = connect(tmp_path_factory.mktemp("fresh") / "fresh.db")
    apply_pending(conn)
    made = schema(conn)
    conn.close()
    return made


@pytest.mark.parametrize(
    "k", range(len(MIGRATIONS) + 1), ids=["empty", *(m.name for m in MIGRATIONS)]
)
def test_database_at_every_version_upgrades_with_its_data(tmp_path, fresh_schema, k):
    conn = make_old_database(tmp_path / "old.db", k)
    before = fill(conn)
    assert all(before[t] for t in before)
    recorded = conn.execute(
        "SELECT name, applied_at FROM schema_migrations ORDER BY rowid"
    ).fetchall()

    assert apply_pending(conn) == [m.name for m in MIGRATIONS[k:]]  # nothing skipped

    after = conn.execute("SELECT name, applied_at FROM schema_migrations ORDER BY rowid").fetchall()
    assert after[:k] == recorded  # nothing re-applied
    assert [n for n, _ in after] == [m.name for m in MIGRATIONS]
    done = {m.name for m in MIGRATIONS[:k]}
    for table, old_rows in before.items():
        names = [d[0] for d in conn.execute(f"SELECT * FROM {table}").description]
        kept = names[: len(old_rows[0])]
        later = names[len(old_rows[0]) :]  # columns later migrations added
        moved = MOVED[table][1] if table in MOVED and MOVED[table][0] not in done else set()
        got = rows(conn, table, kept)
        if table == "audit_log":  # 0051 appends its baseline of the stored records
            got = [r for r in got if "baseline" not in r and not any(
                isinstance(v, str) and v.startswith(MOVED_REASON) for v in r)]  # fmt: skip
        if moved:  # a data step moved these columns' values (its own test checks how)
            at = [i for i, n in enumerate(kept) if n not in moved]
            got = [tuple(r[i] for i in at) for r in got]
            old_rows = [tuple(r[i] for i in at) for r in old_rows]
        assert got == old_rows, table
        added = [n for n in later if n not in moved]  # empty
        if table == "audit_log":  # but for the chain, computed over the old rows
            # [] when the fill wrote its own hashes; digest: the records' (0051)
            assert added in (["hash", "digest"], ["digest"], [])
            assert "hash" not in added or audit.first_break(conn) is None
        elif added:
            assert {r for r in rows(conn, table, added)} == {(None,) * len(added)}, table
    assert schema(conn) == fresh_schema
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert apply_pending(conn) == []


def test_opening_an_old_database_backs_it_up_then_upgrades_it(tmp_path, fresh_schema):
    path = tmp_path / "old.db"
    conn = make_old_database(path, 20)
    before = fill(conn)
    conn.close()

    store = open_store(path)
    try:
        assert schema(store.conn) == fresh_schema
        old = before["f_htn_followup"]
        names = [d[0] for d in store.conn.execute("SELECT * FROM f_htn_followup").description]
        # later migrations append columns (empty in the old rows)
        assert rows(store.conn, "f_htn_followup", names[: len(old[0])]) == old
    finally:
        close_store(store, backup_on_exit=False)
    made = backup.list_backups(path)
    assert [b.reason for b in made] == ["升级前"]
    old = sqlite3.connect(f"{made[0].path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert len(old.execute("SELECT name FROM schema_migrations").fetchall()) == 20
        assert not old.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'f_tb_first_visit'"
        ).fetchall()
    finally:
        old.close()
