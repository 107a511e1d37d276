"""Migrations applied to a fresh database match the form definitions (drift test), and
the drift check itself notices every kind of difference.

Requirements (issue 10, part 2): the drift test compares column names and SQL types of
every form's table in both directions; ``suggest`` prints literal entries, including a
transform for a type change; every migration is all-or-nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sqlite3

import pytest
from sqlite_utils.migrations import Migrations

from ygt_desktop.core.forms import FormRegistry
from ygt_desktop.storage import migrations
from ygt_desktop.storage.db import connect
from ygt_desktop.storage.migrations import (
    MIGRATIONS,
    Difference,
    Migration,
    applied,
    apply_pending,
    drift,
    suggest,
)
from ygt_desktop.storage.migrations.builders import (
    TEXT,
    add_columns,
    change_types,
    database,
    drop_columns,
    form_table,
)


@pytest.fixture
def fresh(tmp_path) -> sqlite3.Connection:
    conn = connect(tmp_path / "fresh.db")
    apply_pending(conn)
    return conn


def with_field(forms: FormRegistry, form_id: str, field_id: str, **changes) -> FormRegistry:
    """A copy of ``forms`` where one field of one form is changed (or, with
    ``changes={}``, removed)."""
    form = forms[form_id]
    fields = tuple(
        dataclasses.replace(f, **changes) if f.id == field_id else f
        for f in form.fields
        if changes or f.id != field_id
    )
    return FormRegistry(
        {**{f.id: f for f in forms}, form_id: dataclasses.replace(form, fields=fields)}
    )


def test_fresh_database_has_every_form_field_with_its_type(fresh, forms):
    differences = drift(fresh, forms)
    assert differences == [], "\n".join(map(str, differences))
    assert suggest(fresh, forms) == []


def test_drift_reports_a_field_whose_type_changed(fresh, forms):
    assert forms["htn_followup"].field("sbp").field_type.sql_type == "INTEGER"
    changed = with_field(forms, "htn_followup", "sbp", type="text")
    assert drift(fresh, changed) == [
        Difference("f_htn_followup", "sbp", "TEXT", "INTEGER", "htn_followup")
    ]
    assert suggest(fresh, changed) == [
        f'Migration("{len(MIGRATIONS) + 1:04d}_htn_followup_types", '
        'change_types("f_htn_followup", {"sbp": TEXT})),'
    ]


def test_drift_reports_a_removed_field(fresh, forms):
    removed = with_field(forms, "contract", "note")
    assert drift(fresh, removed) == [Difference("e_contract", "note", None, "TEXT", "contract")]
    lines = suggest(fresh, removed)
    assert lines[0].startswith("# e_contract：删除列 note 会删除其中的数据")
    assert lines[1:] == [
        f'Migration("{len(MIGRATIONS) + 1:04d}_contract_drop", '
        'drop_columns("e_contract", ("note",))),'
    ]


def test_drift_reports_a_new_field_and_a_table_without_form(fresh, forms):
    base = forms["dm_register"]
    extra = dataclasses.replace(base.fields[0], id="insulin_start", type="date")
    grown = FormRegistry(
        {
            **{f.id: f for f in forms if f.id != "tcm_child"},
            "dm_register": dataclasses.replace(base, fields=(*base.fields, extra)),
        }
    )
    assert drift(fresh, grown) == [
        Difference("f_dm_register", "insulin_start", "TEXT", None, "dm_register"),
        Difference("f_tcm_child", None, None, "TABLE", None),
    ]
    assert suggest(fresh, grown) == [
        f'Migration("{len(MIGRATIONS) + 1:04d}_dm_register_fields", '
        'add_columns("f_dm_register", (("insulin_start", TEXT),))),',
        "# 表 f_tcm_child 没有对应的表单：恢复表单文件，或确认数据如何处理。",
    ]


def test_drift_checks_system_columns_too(fresh, forms):
    fresh.execute("ALTER TABLE e_team ADD COLUMN archived_at TEXT")
    assert drift(fresh, forms) == [Difference("e_team", "archived_at", None, "TEXT", "team")]


def test_suggested_steps_change_a_type_and_drop_a_column_keeping_rows_and_indexes(fresh):
    fresh.execute(
        "INSERT INTO e_contract (resident_id, start_date, end_date, fee_phs, note, "
        "created_at, created_by, updated_at) VALUES (1, '2024-01-01', "
        "'2024-12-31', 12.5, '备注', 'now', 'me', 'now')"
    )
    indexes = fresh.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'e_contract' ORDER BY name"
    ).fetchall()
    step_types = Migration("9998_types", change_types("e_contract", {"fee_phs": TEXT}))
    step_drop = Migration("9999_drop", drop_columns("e_contract", ("note",)))
    for step in (step_types, step_drop):
        fresh.execute("BEGIN IMMEDIATE")
        step.apply(fresh)
        fresh.execute("COMMIT")
    cols = {r[1]: r[2] for r in fresh.execute("PRAGMA table_info(e_contract)")}
    assert cols["fee_phs"] == "TEXT" and "note" not in cols
    assert fresh.execute("SELECT resident_id, fee_phs, end_date FROM e_contract").fetchall() == [
        (1, "12.5", "2024-12-31")
    ]
    assert (
        fresh.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'e_contract' ORDER BY name"
        ).fetchall()
        == indexes
    )
    assert fresh.execute("PRAGMA foreign_key_check").fetchall() == []


def test_migrations_are_recorded_in_order_and_run_once(tmp_path):
    path = tmp_path / "fresh.db"
    conn = connect(path)
    assert apply_pending(conn) == [m.name for m in MIGRATIONS]
    assert applied(conn) == sorted(m.name for m in MIGRATIONS)
    recorded = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert recorded == [m.name for m in MIGRATIONS]
    assert apply_pending(conn) == []
    # sqlite-utils' own record table is not used (see the package docstring).
    assert not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
    ).fetchall()


def test_names_are_numbered_in_order_without_gaps():
    numbers = [int(m.name[:4]) for m in MIGRATIONS]
    assert numbers == list(range(1, len(MIGRATIONS) + 1))
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+", m.name) for m in MIGRATIONS)
    assert [m.name for m in migrations.HISTORY.pending(database(sqlite3.connect(":memory:")))] == [
        m.name for m in MIGRATIONS
    ]


def test_a_failing_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    def half_done(db):
        form_table("f_half", (("a", TEXT),))(db)
        add_columns("f_half", (("a", TEXT),))(db)  # duplicate column: fails

    history = migrations.History("ygt_desktop")
    for m in MIGRATIONS:
        history(name=m.name)(m.fn)
    history(name="9999_half")(half_done)
    conn = connect(tmp_path / "x.db")
    apply_pending(conn)
    monkeypatch.setattr(migrations, "HISTORY", history)
    with pytest.raises(sqlite3.OperationalError, match="duplicate column"):
        apply_pending(conn)
    assert not conn.in_transaction
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'f_half'").fetchall()
    assert "9999_half" not in applied(conn)
    assert isinstance(history, Migrations)


def test_a_migration_outside_a_transaction_is_refused(tmp_path):
    conn = connect(tmp_path / "x.db")
    with pytest.raises(RuntimeError):
        MIGRATIONS[0].apply(conn)


# The schema migrations 0001-0048 made before they were frozen into literal columns and
# moved to sqlite-utils (git 3cce62a): sqlite_master with identifier quotes and
# whitespace taken out. sqlite-utils writes "quoted" names and its own indentation; the
# tables, columns, types, constraints, indexes and triggers are the same.
SCHEMA_0048_SHA256 = "b432b20081077aeb23a9b295d463ebe8be50d49a32d655f76927608f1b5cc766"


def normalised_schema(conn: sqlite3.Connection) -> str:
    def norm(sql: str | None) -> str:
        text = re.sub(r"\s+", " ", (sql or "").replace('"', ""))
        return re.sub(r"\s*([(),])\s*", r"\1", text).strip()

    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()
    return "\n".join(f"{t} {n} {tbl} {norm(sql)}" for t, n, tbl, sql in rows)


def test_history_up_to_0048_makes_the_schema_it_always_made():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = database(conn)
    migrations.HISTORY.apply(db, stop_before=[m.name for m in MIGRATIONS[48:]])
    assert applied(conn)[-1] == "0048_bureau"
    digest = hashlib.sha256(normalised_schema(conn).encode()).hexdigest()
    assert digest == SCHEMA_0048_SHA256, "a released migration changed what it makes"


def test_house_pragmas_are_on(tmp_path):
    conn = connect(tmp_path / "p.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    apply_pending(conn)  # migrating changes none of them
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
