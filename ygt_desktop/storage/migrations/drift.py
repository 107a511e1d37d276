"""Comparing a migrated database with the form definitions, and what to add when they
differ. Not part of the history: the forms are passed in, never loaded here.

:func:`drift` is what the drift test checks; :func:`suggest` turns its differences into
the migration entries a developer adds to the newest ``history_*`` module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .builders import (
    ENTITY_SYSTEM_COLUMNS,
    INTEGER,
    REAL,
    TEXT,
    Column,
    child_table,
    database,
    entity_table,
)

if TYPE_CHECKING:
    from ...core.forms import FormDef

# Columns a form's table has besides its fields, by form kind, with their SQL types.
_RESIDENT_SYSTEM_COLUMNS: dict[str, str] = {
    "id": INTEGER,
    "archive_no": TEXT,
    "status": TEXT,
    "status_date": TEXT,
    "status_reason": TEXT,
    "created_at": TEXT,
    "created_by": TEXT,
    "updated_at": TEXT,
    "deleted": INTEGER,
    "deleted_reason": TEXT,
}
SYSTEM_COLUMNS: dict[str, dict[str, str]] = {
    "register": _RESIDENT_SYSTEM_COLUMNS,
    "service": {"record_id": INTEGER},
    "station_log": {"record_id": INTEGER},
    "entity": {"id": INTEGER, **dict(ENTITY_SYSTEM_COLUMNS)},
}
# Tables made for forms; one of these without a form is a difference too.
_FORM_TABLE_PREFIXES = ("f_", "e_")
_TYPE_NAMES = {TEXT: "TEXT", INTEGER: "INTEGER", REAL: "REAL"}


@dataclass(frozen=True)
class Difference:
    """One way a database differs from the forms.

    ``column`` is None for a whole table; ``declared`` is the SQL type the forms say
    (None: the forms have no such column or table), ``made`` the type in the database
    (None: the database has none)."""

    table: str
    column: str | None
    declared: str | None
    made: str | None
    form_id: str | None

    def __str__(self) -> str:
        where = f"表 {self.table}" + (f" 列 {self.column}" if self.column else "")
        if self.made is None:
            return f"{where}：表单 {self.form_id} 有，数据库没有（缺少迁移）"
        if self.declared is None:
            return f"{where}：数据库有，表单没有"
        return f"{where}：表单类型 {self.declared}，数据库类型 {self.made}"


def declared_columns(form: FormDef, field_ids: Iterable[str] | None = None) -> list[Column]:
    """``(field id, SQL type)`` of ``form``'s fields with a column of its table (or of
    ``field_ids``), in order; repeating groups have tables of their own."""
    ids = [f.id for f in form.stored_fields] if field_ids is None else list(field_ids)
    return [(fid, form.field(fid).field_type.sql_type) for fid in ids]


# The column a repeating group's lines refer to in the form's table, by form kind.
PARENT_KEYS = {"register": "id", "service": "record_id", "station_log": "record_id", "entity": "id"}
ROWS_SYSTEM_COLUMNS: dict[str, str] = {"record_id": INTEGER, "line": INTEGER}


def declared_tables(form: FormDef) -> dict[str, dict[str, str]]:
    """Every table ``form`` needs → its columns with SQL types: the form's own table
    (system columns first) and one per repeating group."""
    out = {form.table: {**SYSTEM_COLUMNS.get(form.kind, {}), **dict(declared_columns(form))}}
    for f in form.row_fields:
        out[child_table(form.table, f.id)] = {
            **ROWS_SYSTEM_COLUMNS,
            **{c.id: c.field_type.sql_type for c in f.columns},
        }
    return out


def _made_columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {row[1]: row[2] for row in conn.execute(f"PRAGMA table_info({table})")}


def drift(conn: sqlite3.Connection, forms: Iterable[FormDef]) -> list[Difference]:
    """Every difference between ``conn``'s tables and what ``forms`` declare: per form
    table, columns missing, extra or of another SQL type (system columns included), and
    form tables (``f_*``, ``e_*``) no form declares. Empty when they agree."""
    found: list[Difference] = []
    tables: set[str] = set()
    for form in forms:
        for table, declared in declared_tables(form).items():
            tables.add(table)
            made = _made_columns(conn, table)
            if not made:
                found.append(Difference(table, None, "TABLE", None, form.id))
                continue
            for name, sql_type in declared.items():
                if made.get(name) != sql_type:
                    found.append(Difference(table, name, sql_type, made.get(name), form.id))
            found.extend(
                Difference(table, name, None, made[name], form.id)
                for name in made
                if name not in declared
            )
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ):
        if name.startswith(_FORM_TABLE_PREFIXES) and name not in tables:
            found.append(Difference(name, None, None, "TABLE", None))
    return found


def _literal_columns(columns: Sequence[Column]) -> str:
    items = ", ".join(f'("{name}", {_TYPE_NAMES.get(t, repr(t))})' for name, t in columns)
    return f"({items},)" if len(columns) == 1 else f"({items})"


def suggest(conn: sqlite3.Connection, forms: Iterable[FormDef]) -> list[str]:
    """Migration entries a developer should add after changing form files, with names
    and types as literals: a table for a new form, ``add_columns`` for new fields,
    ``change_types`` (a sqlite-utils transform) for retyped ones, ``drop_columns`` for
    removed ones (after a warning comment: their data goes). ``conn`` is a fresh database
    with every migration applied."""
    from . import MIGRATIONS

    forms = list(forms)
    by_id = {f.id: f for f in forms}
    differences = drift(conn, forms)
    lines: list[str] = []
    n = len(MIGRATIONS)

    def add(suffix: str, entry: str) -> None:
        nonlocal n
        n += 1
        lines.append(f'Migration("{n:04d}_{suffix}", {entry}),')

    for form in forms:
        mine = [d for d in differences if d.form_id == form.id and d.table == form.table]
        if any(d.column is None for d in mine):
            maker = "entity_table" if form.kind == "entity" else "form_table"
            add(form.id, f'{maker}("{form.table}", {_literal_columns(declared_columns(form))})')
        else:
            _column_changes(form, mine, add, lines)
        groups = [d for d in differences if d.form_id == form.id and d.table != form.table]
        for f in form.row_fields:  # a new repeating group: its table
            table = child_table(form.table, f.id)
            if any(d.table == table and d.column is None for d in groups):
                columns = [(c.id, c.field_type.sql_type) for c in f.columns]
                add(
                    f"{form.id}_{f.id}",
                    f'rows_table("{form.table}", "{PARENT_KEYS[form.kind]}", "{f.id}", '
                    f"{_literal_columns(columns)})",
                )
        lines.extend(
            f"# 表 {d.table} 列 {d.column}：行内栏目的增删改需要手写迁移（add_columns 等）。"
            for d in groups
            if d.column is not None
        )
    lines.extend(
        f"# 表 {d.table} 没有对应的表单：恢复表单文件，或确认数据如何处理。"
        for d in differences
        if d.form_id is None or d.form_id not in by_id
    )
    return lines


def _column_changes(
    form: FormDef,
    mine: Sequence[Difference],
    add: Callable[[str, str], None],
    lines: list[str],
) -> None:
    """The entries for fields added, retyped or removed in ``form``'s own table."""
    if missing := [(str(d.column), str(d.declared)) for d in mine if d.made is None]:
        add(f"{form.id}_fields", f'add_columns("{form.table}", {_literal_columns(missing)})')
    if retyped := [d for d in mine if d.made is not None and d.declared is not None]:
        types = ", ".join(
            f'"{d.column}": {_TYPE_NAMES.get(d.declared or "", d.declared)}' for d in retyped
        )
        add(f"{form.id}_types", f'change_types("{form.table}", {{{types}}})')
    if extra := [str(d.column) for d in mine if d.declared is None]:
        lines.append(
            f"# {form.table}：删除列 {'、'.join(extra)} 会删除其中的数据；"
            "要保留旧数据请在表单中保留这些字段。"
        )
        names = ", ".join(f'"{name}"' for name in extra) + ("," if len(extra) == 1 else "")
        add(f"{form.id}_drop", f'drop_columns("{form.table}", ({names}))')


def create_entity_table(conn: sqlite3.Connection, form: FormDef, field_ids: Sequence[str]) -> None:
    """Make ``form``'s entity table now, typed from the form: for tests and forms being
    written, never for the history (which writes its columns out)."""
    entity_table(form.table, declared_columns(form, field_ids))(database(conn))
