"""Migration 0051: audit rows carry the digest of the record they describe; a baseline.

``audit_log`` gains ``digest``: for a row about one record, that record's digest after
the change; for a bulk row (``record_id`` NULL), the digests of every record it wrote as
``first:hexhex…;…`` runs. The chain hashes a row's digest only when it has one, so rows
written before this migration keep their hashes. Every record already stored is then
written into the log once, as it is now (action ``baseline``), so ``ygt check`` can hold
each record against the log from here on.

Frozen history: never edit a released migration, add a new one. The digest and chain
code below are frozen copies of :mod:`ygt_desktop.storage.audit_digest` and
:func:`ygt_desktop.storage.audit.row_hash` as of 0051; a test holds them equal. A later
migration that changes stored values of a covered table, or drops or reorders its
columns, writes a new baseline the same way.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections.abc import Iterator, Sequence

import sqlite_utils

from .builders import Migration

GENESIS = "0" * 64
RUN_LIMIT = 100_000
_NUMERIC_CODE = "code <> '' AND code NOT GLOB '*[^0-9]*'"
_FIXED = (
    ("residents", "id", "1"),
    ("users", "id", "1"),
    ("organisation", "id", "1"),
    ("villages", "CAST(code AS INTEGER)", _NUMERIC_CODE),
    ("bureau_members", "CAST(code AS INTEGER)", _NUMERIC_CODE),
    ("bureau_submissions", "id", "1"),
)


def _row_hash(prev: str, row: Sequence[object]) -> str:
    body = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def _simple(db: sqlite_utils.Database, table: str, key: str, where: str) -> Iterator[tuple[int, bytes]]:
    conn = db.conn
    cur = conn.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY {key}")
    names = [d[0] for d in cur.description]
    pre = marshal.dumps(tuple(names), 2)
    ki = names.index("id" if key == "id" else "code")
    while batch := cur.fetchmany(2000):
        for r in batch:
            part = pre + marshal.dumps(r, 2)
            if table == "bureau_submissions":
                lc = conn.execute(
                    "SELECT * FROM bureau_rows WHERE submission_id = ? ORDER BY indicator", (r[ki],)
                )
                lpre = marshal.dumps(tuple(d[0] for d in lc.description), 2)
                part = b"\x00".join([part, *(lpre + marshal.dumps(x, 2) for x in lc.fetchall())])
            yield int(r[ki]), hashlib.sha256(part).digest()[:8]


def _services(db: sqlite_utils.Database, present: set[str]) -> Iterator[tuple[int, bytes]]:
    conn = db.conn
    cur = conn.execute("SELECT * FROM service_records ORDER BY id")
    pre = marshal.dumps(tuple(d[0] for d in cur.description), 2)
    while batch := cur.fetchmany(2000):
        first, last = batch[0][0], batch[-1][0]
        found: dict[int, tuple[str, bytes]] = {}
        for form_id in {row[1] for row in batch}:
            table = f"f_{form_id}"
            if table not in present:
                continue
            dc = conn.execute(
                f"SELECT * FROM {table} WHERE record_id BETWEEN ? AND ?", (first, last)
            )
            dpre = marshal.dumps(tuple(d[0] for d in dc.description), 2)
            for d in dc.fetchall():
                found[d[0]] = (table, dpre + marshal.dumps(d, 2))
        for row in batch:
            hit = found.get(row[0])
            tail = hit[1] if hit is not None and hit[0] == f"f_{row[1]}" else b"-"
            part = pre + marshal.dumps(row, 2) + b"\x00" + tail
            yield int(row[0]), hashlib.sha256(part).digest()[:8]


def _runs(items: Sequence[tuple[int, bytes]]) -> str:
    out: list[str] = []
    start = prev = None
    chunk: list[bytes] = []
    for key, digest in items:
        if prev is None or key != prev + 1:
            if chunk:
                out.append(f"{start}:{b''.join(chunk).hex()}")
            start, chunk = key, []
        chunk.append(digest)
        prev = key
    if chunk:
        out.append(f"{start}:{b''.join(chunk).hex()}")
    return ";".join(out)


def _families(db: sqlite_utils.Database) -> list[tuple[str, Iterator[tuple[int, bytes]]]]:
    present = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    out = [(t, _simple(db, t, key, where)) for t, key, where in _FIXED if t in present]
    if "service_records" in present:
        out.append(("service_records", _services(db, present)))
    out += [(t, _simple(db, t, "id", "1")) for t in sorted(present) if t.startswith("e_")]
    return out


def _append(db: sqlite_utils.Database, head: list[object], table: str, items: list[tuple[int, bytes]], at: str) -> None:  # fmt: skip
    conn = db.conn
    rid, prev = int(head[0]) + 1, str(head[1])  # type: ignore[call-overload]
    full = (rid, at, "系统", table, None, "baseline", None,
            json.dumps({"count": len(items)}), "审计基线：升级前已有的记录", _runs(items))  # fmt: skip
    digest_hash = _row_hash(prev, full)
    conn.execute(
        "INSERT INTO audit_log (id, at, user, table_name, record_id, action, old_values, "
        "new_values, reason, digest, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*full, digest_hash),
    )
    head[:] = [rid, digest_hash]


def _audit_digests(db: sqlite_utils.Database) -> None:
    conn = db.conn
    conn.execute("ALTER TABLE audit_log ADD COLUMN digest TEXT")
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    head: list[object] = [last[0], last[1]] if last else [0, GENESIS]
    at = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
    for table, records in _families(db):
        items: list[tuple[int, bytes]] = []
        for item in records:
            items.append(item)
            if len(items) >= RUN_LIMIT:
                _append(db, head, table, items, at)
                items = []
        if items:
            _append(db, head, table, items, at)


MIGRATIONS: tuple[Migration, ...] = (Migration("0051_audit_digests", _audit_digests),)
