"""What a record is called on screen, for lists that address records by table and id
(the audit log): a resident by name and archive number, a service record by whose and
which form on which day, a contract by its resident, a device by asset number and name.

One query per table per :data:`CHUNK` ids, whatever the number of rows asked about.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..core.forms import FormDef, FormRegistry

CHUNK = 500
Key = tuple[str, int]  # (table as the audit log names it, record id)

# Code-keyed tables: the audit log's record id is the numeric code.
_BY_CODE = {
    "villages": "SELECT CAST(code AS INTEGER), name FROM villages WHERE CAST(code AS INTEGER) IN",
    "bureau_members": (
        "SELECT CAST(code AS INTEGER), name FROM bureau_members WHERE CAST(code AS INTEGER) IN"
    ),
}
_PLAIN = {
    "users": "SELECT id, name FROM users WHERE id IN",
    "organisation": "SELECT id, name FROM organisation WHERE id IN",
    "residents": (
        "SELECT id, name || '（档案号 ' || coalesce(archive_no, '') || '）' FROM residents "
        "WHERE id IN"
    ),
    "bureau_submissions": (
        "SELECT id, org_name || ' ' || period || ' 第' || revision || '版' "
        "FROM bureau_submissions WHERE id IN"
    ),
    "org_keys": "SELECT id, '密钥 ' || substr(fingerprint, 1, 16) FROM org_keys WHERE id IN",
    "bureau_member_keys": ("SELECT id, org_name || ' 的公钥' FROM bureau_member_keys WHERE id IN"),
}
# An entity row that points at a resident (or through something else at one) is named
# by that resident first.
_OWNER = {
    "resident_id": "SELECT id, name FROM residents WHERE id IN",
    "contract_id": (
        "SELECT c.id, r.name FROM e_contract c JOIN residents r ON r.id = c.resident_id "
        "WHERE c.id IN"
    ),
    "source_record_id": (
        "SELECT h.id, r.name FROM service_records h JOIN residents r ON r.id = h.resident_id "
        "WHERE h.id IN"
    ),
    "asset_id": "SELECT id, asset_no || ' ' || name FROM e_equipment WHERE id IN",
}


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _pairs(conn: sqlite3.Connection, sql_in: str, ids: Sequence[int]) -> dict[int, str]:
    """``sql_in`` ends with ``IN``; rows of (id, text) for ``ids``."""
    out: dict[int, str] = {}
    for part in _chunks(ids):
        sql = f"{sql_in} ({', '.join('?' * len(part))})"
        out.update((int(i), str(t)) for i, t in conn.execute(sql, list(part)) if t is not None)
    return out


def _table_exists(conn: sqlite3.Connection, table: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def _services(conn: sqlite3.Connection, forms: FormRegistry, ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in _chunks(ids):
        rows = conn.execute(
            "SELECT h.id, h.form_id, h.service_date, r.name FROM service_records h "
            "LEFT JOIN residents r ON r.id = h.resident_id "
            f"WHERE h.id IN ({', '.join('?' * len(part))})",
            list(part),
        )
        for rid, form_id, day, name in rows:
            label = forms[form_id].label if form_id in forms else form_id
            what = f"{label} {day}"
            out[int(rid)] = f"{name} · {what}" if name else what
    return out


def _entities(conn: sqlite3.Connection, form: FormDef, ids: Sequence[int]) -> dict[int, str]:
    """An entity row: its owner (resident, contract's resident, device) and the field
    the form file names as its label (``[entity] label``), unless that is the owner."""
    columns = {f.id for f in form.fields}
    owner = next((c for c in _OWNER if c in columns), None)
    label = str(form.settings.get("entity", {}).get("label", form.fields[0].id))
    shown = label if label in columns and label != owner else None
    number = "asset_no" if "asset_no" in columns and shown != "asset_no" else None
    picked = ", ".join(c for c in ("id", owner, shown) if c)
    if number:  # a device by its asset number too: two of one kind share a name
        picked += f", {number}"
    rows: dict[int, tuple[Any, Any]] = {}
    for part in _chunks(ids):
        sql = f"SELECT {picked} FROM {form.table} WHERE id IN ({', '.join('?' * len(part))})"
        for row in conn.execute(sql, list(part)):
            rest = list(row[1:])
            ref = rest.pop(0) if owner else None
            value = rest.pop(0) if shown else None
            if number and rest and rest[0]:
                value = f"{rest[0]} {value or ''}".strip()
            rows[int(row[0])] = (ref, value)
    owners: dict[int, str] = {}
    if owner:
        refs = sorted({int(o) for o, _ in rows.values() if o is not None})
        owners = _pairs(conn, _OWNER[owner], refs)
    out: dict[int, str] = {}
    for rid, (ref, value) in rows.items():
        parts = [owners.get(int(ref), "") if ref is not None else "", _text(form, shown, value)]
        text = " · ".join(p for p in parts if p)
        if text:
            out[rid] = text
    return out


def _text(form: FormDef, field_id: str | None, value: Any) -> str:
    if field_id is None or value is None or value == "":
        return ""
    labels = form.field(field_id).choice_labels
    return labels.get(str(value), str(value)) if labels else str(value)


def record_names(
    conn: sqlite3.Connection, forms: FormRegistry, keys: Iterable[Key]
) -> dict[Key, str]:
    """The name of each (table, id) that can be named; records that no longer exist,
    and tables that are not records, are left out (the caller shows what it has)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for table, rid in keys:
        wanted[table].add(int(rid))
    entity_forms = {f.table: f for f in forms if f.kind == "entity"}
    names: dict[Key, str] = {}
    for table, id_set in wanted.items():
        ids = sorted(id_set)
        found: dict[int, str] = {}
        if table in _BY_CODE or table in _PLAIN:
            if _table_exists(conn, table):
                found = _pairs(conn, {**_BY_CODE, **_PLAIN}[table], ids)
        elif table == "service_records" or table.startswith("f_"):
            found = _services(conn, forms, ids)
        elif table in entity_forms and _table_exists(conn, table):
            found = _entities(conn, entity_forms[table], ids)
        names.update(((table, rid), text) for rid, text in found.items())
    return names
