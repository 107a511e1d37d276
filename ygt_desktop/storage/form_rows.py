"""The lines of a form's repeating groups (``rows`` fields, :mod:`..core.rows`), kept in
one child table per group (``<table>__<field>``, made by
:func:`.migrations.builders.rows_table`): read with their record, replaced in the
record's saving transaction (before its audit row, whose digest covers them)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from ..core.forms import FieldDef, FormDef
from ..core.rows import Row
from .migrations.builders import child_table


def _to_sql(f: FieldDef, row: Mapping[str, Any]) -> list[Any]:
    return [c.field_type.to_sql(row.get(c.id)) for c in f.columns]


def as_sql(form: FormDef, values: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each repeating group's lines as stored (what the audit log records)."""
    return {
        f.id: [dict(zip([c.id for c in f.columns], _to_sql(f, row), strict=True))
               for row in values.get(f.id) or []]
        for f in form.row_fields
    }  # fmt: skip


def write(
    conn: sqlite3.Connection, form: FormDef, record_id: int, values: Mapping[str, Any]
) -> None:
    """Replace the record's lines of every repeating group of ``form`` by ``values``'."""
    for f in form.row_fields:
        table = child_table(form.table, f.id)
        conn.execute(f"DELETE FROM {table} WHERE record_id = ?", (record_id,))
        names = ", ".join(c.id for c in f.columns)
        marks = ", ".join("?" * (len(f.columns) + 2))
        conn.executemany(
            f"INSERT INTO {table} (record_id, line, {names}) VALUES ({marks})",
            [
                [record_id, line, *_to_sql(f, row)]
                for line, row in enumerate(values.get(f.id) or [], start=1)
            ],
        )


def rewrite(
    conn: sqlite3.Connection, form: FormDef, record_id: int, values: Mapping[str, Any]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """An edit's lines: replace the record's lines by ``values``' and return the lines
    before and after as stored (the audit row's old and new)."""
    old = as_sql(form, of_record(conn, form, record_id))
    write(conn, form, record_id, values)
    return old, as_sql(form, values)


def read(
    conn: sqlite3.Connection, form: FormDef, record_ids: Iterable[int]
) -> dict[int, dict[str, list[Row]]]:
    """Each of ``record_ids`` → every repeating group's lines (typed, in line order);
    a record without lines has empty lists."""
    ids = list(record_ids)
    out: dict[int, dict[str, list[Row]]] = {i: {f.id: [] for f in form.row_fields} for i in ids}
    if not ids or not form.row_fields:
        return out
    for f in form.row_fields:
        names = [c.id for c in f.columns]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cur = conn.execute(
                f"SELECT record_id, {', '.join(names)} FROM {child_table(form.table, f.id)} "
                f"WHERE record_id IN ({', '.join('?' * len(chunk))}) ORDER BY record_id, line",
                chunk,
            )
            for record_id, *cells in cur:
                out[record_id][f.id].append(
                    {c.id: c.field_type.from_sql(v) for c, v in zip(f.columns, cells, strict=True)}
                )
    return out


def of_record(conn: sqlite3.Connection, form: FormDef, record_id: int) -> dict[str, list[Row]]:
    """One record's repeating groups (empty lists when it has none)."""
    return read(conn, form, [record_id])[record_id]


def carried(
    conn: sqlite3.Connection, form: FormDef, resident_id: int, before: str | None = None
) -> dict[str, list[Row]]:
    """The groups marked ``carry`` as the resident's latest live record of ``form`` (up
    to the date ``before``, ISO) had them: the starting lines of a new record (most
    patients' medicines do not change between follow-ups)."""
    groups = [f for f in form.row_fields if f.carry]
    if not groups:
        return {}
    row = conn.execute(
        "SELECT id FROM service_records WHERE resident_id = ? AND form_id = ? AND deleted = 0 "
        "AND (? IS NULL OR service_date <= ?) ORDER BY service_date DESC, id DESC LIMIT 1",
        (resident_id, form.id, before, before),
    ).fetchone()
    if row is None:
        return {f.id: [] for f in groups}
    lines = of_record(conn, form, int(row[0]))
    return {f.id: lines[f.id] for f in groups}
