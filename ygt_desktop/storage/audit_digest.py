"""Digests of records as they are stored, written into the audit log (migration 0051).

Every audit row about a record carries the record's digest *after* the change (column
``audit_log.digest``); the newest one is what ``ygt check`` holds the record against
(:mod:`.audit_check`). A bulk load (demo stations, the 0051 baseline) writes one audit
row for many records whose ``digest`` lists them all compactly (:func:`encode_runs`).

A record's digest is the first 8 bytes (16 hex digits) of SHA-256 over its stored rows:
for each row its column names and its values, in table order, as ``marshal`` format 2
(C-fast, exact for floats: no float-to-text rounding; ~3 µs a row, which keeps a bulk
load's digests within its time budget). A column added later to a table is appended and
NULL in old rows: a record that does not match is tried again without its trailing NULL
columns (:func:`alternatives`) before it is reported. A migration that changes stored
values or drops or reorders columns of a covered table must write a new baseline (see
``history_0051_audit_digests``).

Covered record families (``table`` as the audit log names it -> what is digested):

- ``residents``; ``users``; ``organisation``; every entity table ``e_*`` — the row by id
  (then the lines of its repeating groups, ``<table>__<field>``, as for a service record);
- ``villages``, ``bureau_members`` — the row by its numeric code;
- a service record (audited as ``service_records`` or its form's table ``f_*``) — the
  header in ``service_records`` and the detail row in ``f_<form id>``, then the lines
  of its repeating groups (``f_<form id>__<field>``, tables in name order, lines in
  order; a record without lines digests as before such tables existed);
- ``bureau_submissions`` — an accepted workbook with all its ``bureau_rows`` (the
  figures), in indicator order;
- ``org_keys``, ``bureau_member_keys`` (0052) — the row by id.

Anything else audited (logins' refusals, exports, settings) carries no digest.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

GONE = "-"  # the digest of a record that does not exist (any more)
DIGEST_BYTES = 8
RUN_LIMIT = 100_000  # records per bulk audit row
_BATCH = 2000


@dataclass(frozen=True)
class Family:
    """One kind of record: how the audit log names it and how it is read."""

    name: str  # residents, service, users, e_contract …
    label: str  # Chinese, for messages
    tables: tuple[str, ...]  # audit_log.table_name values that address it
    main: str  # the table holding one row per record
    key: str = "id"  # SQL for the integer key (audit_log.record_id)
    where: str = "1"  # which rows are records (a code-keyed row: a numeric code)


_NUMERIC_CODE = "code <> '' AND code NOT GLOB '*[^0-9]*'"
_FIXED = {
    "residents": Family("residents", "居民档案", ("residents",), "residents"),
    "users": Family("users", "用户账户", ("users",), "users"),
    "organisation": Family("organisation", "本机构信息", ("organisation",), "organisation"),
    "villages": Family(
        "villages",
        "村（居）委会",
        ("villages",),
        "villages",
        "CAST(code AS INTEGER)",
        _NUMERIC_CODE,
    ),
    "bureau_members": Family(
        "bureau_members",
        "成员机构",
        ("bureau_members",),
        "bureau_members",
        "CAST(code AS INTEGER)",
        _NUMERIC_CODE,
    ),
    "bureau_submissions": Family(
        "bureau_submissions", "已接收的上报", ("bureau_submissions",), "bureau_submissions"
    ),
    # Keys (migration 0052): the bureau's registered member keys decide which workbooks
    # are accepted, and a station's own key what it signs.
    "org_keys": Family("org_keys", "本机构密钥", ("org_keys",), "org_keys"),
    "bureau_member_keys": Family(
        "bureau_member_keys", "成员机构公钥", ("bureau_member_keys",), "bureau_member_keys"
    ),
}
ENTITY_LABELS = {
    "e_referral": "转诊单",
    "e_referral_dismissal": "不转诊说明",
    "e_team": "家医团队",
    "e_team_member": "团队成员",
    "e_service_package": "服务包",
    "e_contract": "签约记录",
    "e_contract_payment": "签约费用到账",
    "e_satisfaction": "满意度问卷",
    "e_base_data": "基础数据",
    "e_equipment": "设备",
    "e_equipment_checklist": "设备检查项",
    "e_equipment_maintenance": "维修保养记录",
    "e_equipment_status": "设备状态变更",
    "e_equipment_stocktake": "设备盘点",
    "e_equipment_stocktake_line": "盘点明细",
    "e_household": "家庭档案",
}


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
    ]


def service_family(conn: sqlite3.Connection) -> Family:
    detail = tuple(t for t in _tables(conn) if t.startswith("f_"))
    return Family("service", "服务记录", ("service_records", *detail), "service_records")


def family_of(table: str) -> Family | None:
    """The family an audit row's ``table`` names, or None for what is not a record."""
    if table in _FIXED:
        return _FIXED[table]
    if table == "service_records" or table.startswith("f_"):
        return Family("service", "服务记录", ("service_records", table), "service_records")
    if table.startswith("e_"):
        return Family(table, ENTITY_LABELS.get(table, table), (table,), table)
    return None


def families(conn: sqlite3.Connection) -> list[Family]:
    """Every covered family present in this database."""
    present = set(_tables(conn))
    out = [f for f in _FIXED.values() if f.main in present]
    if "service_records" in present:
        out.append(service_family(conn))
    # an entity's repeating groups (``e_<form>__<field>``) are digested with their record
    entities = (t for t in sorted(present) if t.startswith("e_") and "__" not in t)
    out += [f for t in entities if (f := family_of(t))]
    return out


class _Rows:
    """Digest parts of rows of one table: the column names, then the row's values."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self.pre = marshal.dumps(self.names, 2)

    def part(self, row: tuple[Any, ...]) -> bytes:
        return self.pre + marshal.dumps(row, 2)

    def older(self, row: tuple[Any, ...]) -> list[bytes]:
        """The part as it was before trailing columns that are NULL here were added to
        the table (a later migration appends columns; old rows have NULL there)."""
        out, k = [], len(row)
        while k and row[k - 1] is None:
            k -= 1
            out.append(marshal.dumps(self.names[:k], 2) + marshal.dumps(row[:k], 2))
        return out


def _names(cur: sqlite3.Cursor) -> list[str]:
    return [d[0] for d in cur.description]


def _digest(*parts: bytes) -> bytes:
    return hashlib.sha256(b"\x00".join(parts)).digest()[:DIGEST_BYTES]


def stream(
    conn: sqlite3.Connection, fam: Family, after: int | None = None, until: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """(key, digest) of every record of ``fam`` with ``after < key <= until``, in key
    order, read in batches (constant memory)."""
    for key, digest, _ in _stream(conn, fam, after, until, alternatives=False):
        yield key, digest


def alternatives(conn: sqlite3.Connection, fam: Family, key: int) -> set[str]:
    """Every digest (hex) record ``key`` may have been given under an older column set
    of its tables (see :meth:`_Rows.older`); read only for records that do not match."""
    out: set[str] = set()
    for _, digest, more in _stream(conn, fam, key - 1, key, alternatives=True):
        out.add(digest.hex())
        out.update(d.hex() for d in more)
    return out


_Item = tuple[int, bytes, list[bytes]]


def _stream(
    conn: sqlite3.Connection, fam: Family, after: int | None, until: int | None, *, alternatives: bool
) -> Iterator[_Item]:  # fmt: skip
    lo = -(2**63) if after is None else after
    hi = 2**63 - 1 if until is None else until
    if fam.name == "service":
        yield from _services(conn, lo, hi, alternatives)
        return
    cur = conn.execute(
        f"SELECT * FROM {fam.main} WHERE {fam.where} AND {fam.key} > ? AND {fam.key} <= ? "
        f"ORDER BY {fam.key}",
        (lo, hi),
    )
    names = _names(cur)
    rows = _Rows(names)
    ki = names.index("code" if fam.key != "id" else "id")
    if fam.name == "bureau_submissions":
        yield from _submissions(conn, cur, rows, ki, alternatives)
        return
    sha, dumps, pre = hashlib.sha256, marshal.dumps, rows.pre
    children = _children(conn, fam)
    if children:
        yield from _with_lines(conn, cur, rows, ki, children, alternatives)
        return
    while batch := cur.fetchmany(_BATCH):
        if not alternatives:
            yield from [
                (int(r[ki]), sha(pre + dumps(r, 2)).digest()[:DIGEST_BYTES], []) for r in batch
            ]
            continue
        for r in batch:
            yield int(r[ki]), _digest(rows.part(r)), [_digest(p) for p in rows.older(r)]


def _children(conn: sqlite3.Connection, fam: Family) -> list[str]:
    """The repeating groups' tables of a family keyed by id (``<main>__<field>``)."""
    if fam.key != "id":
        return []
    return sorted(t for t in _tables(conn) if t.startswith(f"{fam.main}__"))


def _with_lines(
    conn: sqlite3.Connection,
    cur: sqlite3.Cursor,
    rows: _Rows,
    ki: int,
    children: Sequence[str],
    alternatives: bool,
) -> Iterator[_Item]:
    """Records whose form has repeating groups: the row, then its lines (tables in name
    order, lines in order); a record without lines digests as the row alone."""
    columns: dict[str, _Rows] = {}
    while batch := cur.fetchmany(_BATCH):
        first, last = int(batch[0][ki]), int(batch[-1][ki])
        lines: dict[int, list[bytes]] = {}
        _read_lines(conn, children, first, last, columns, lines)
        for r in batch:
            key = int(r[ki])
            tail = b"".join(b"\x00" + part for part in lines.get(key, []))
            more = [_digest(p + tail) for p in rows.older(r)] if alternatives else []
            yield key, _digest(rows.part(r) + tail), more


def _submissions(
    conn: sqlite3.Connection, cur: sqlite3.Cursor, rows: _Rows, ki: int, alternatives: bool
) -> Iterator[_Item]:
    lines: _Rows | None = None
    while batch := cur.fetchmany(_BATCH):
        for r in batch:
            lc = conn.execute(
                "SELECT * FROM bureau_rows WHERE submission_id = ? ORDER BY indicator", (r[ki],)
            )
            if lines is None:
                lines = _Rows(_names(lc))
            parts = [lines.part(x) for x in lc.fetchall()]
            more = [_digest(p, *parts) for p in rows.older(r)] if alternatives else []
            yield int(r[ki]), _digest(rows.part(r), *parts), more


def _services(conn: sqlite3.Connection, lo: int, hi: int, alternatives: bool) -> Iterator[_Item]:
    present = set(_tables(conn))
    cur = conn.execute(
        "SELECT * FROM service_records WHERE id > ? AND id <= ? ORDER BY id", (lo, hi)
    )
    head = _Rows(_names(cur))
    details: dict[str, _Rows] = {}
    sha, dumps, pre = hashlib.sha256, marshal.dumps, head.pre
    while batch := cur.fetchmany(_BATCH):
        first, last = batch[0][0], batch[-1][0]
        found: dict[int, tuple[str, bytes]] = {}
        rows_of: dict[int, tuple[_Rows, tuple[Any, ...]]] = {}
        for form_id in {row[1] for row in batch}:
            table = f"f_{form_id}"
            if table not in present:
                continue
            dc = conn.execute(
                f"SELECT * FROM {table} WHERE record_id BETWEEN ? AND ?", (first, last)
            )
            rows = details.get(table)
            if rows is None:
                rows = details[table] = _Rows(_names(dc))
            dpre = rows.pre
            for d in dc.fetchall():
                found[d[0]] = (table, dpre + dumps(d, 2))
                if alternatives:
                    rows_of[d[0]] = (rows, d)
        lines = _lines_of(conn, present, {row[1] for row in batch}, first, last, details)
        for row in batch:
            hit = found.get(row[0])
            tail = hit[1] if hit is not None and hit[0] == f"f_{row[1]}" else b"-"
            if row[0] in lines:
                tail += b"".join(b"\x00" + part for part in lines[row[0]])
            digest = sha(pre + dumps(row, 2) + b"\x00" + tail).digest()[:DIGEST_BYTES]
            more: list[bytes] = []
            if alternatives:
                heads = [head.part(row), *head.older(row)]
                tails = [tail]
                if tail != b"-" and row[0] in rows_of:
                    rows, d = rows_of[row[0]]
                    more_lines = b"".join(b"\x00" + part for part in lines.get(row[0], []))
                    tails += [older + more_lines for older in rows.older(d)]
                more = [_digest(h, t) for h in heads for t in tails]
            yield int(row[0]), digest, more


def _lines_of(
    conn: sqlite3.Connection,
    present: set[str],
    form_ids: set[str],
    first: int,
    last: int,
    columns: dict[str, _Rows],
) -> dict[int, list[bytes]]:
    """Digest parts of the repeating groups' lines of records ``first``…``last`` of
    ``form_ids``: record id → parts, tables in name order, lines in order."""
    out: dict[int, list[bytes]] = {}
    for form_id in sorted(form_ids):
        prefix = f"f_{form_id}__"
        tables = sorted(t for t in present if t.startswith(prefix))
        _read_lines(conn, tables, first, last, columns, out)
    return out


def _read_lines(
    conn: sqlite3.Connection,
    tables: Sequence[str],
    first: int,
    last: int,
    columns: dict[str, _Rows],
    out: dict[int, list[bytes]],
) -> None:
    """Add to ``out`` the digest parts of the lines in ``tables`` (in that order) of
    records ``first``…``last``: record id → parts, lines in order."""
    for table in tables:
        cur = conn.execute(
            f"SELECT * FROM {table} WHERE record_id BETWEEN ? AND ? ORDER BY record_id, line",
            (first, last),
        )
        rows = columns.get(table)
        if rows is None:
            rows = columns[table] = _Rows(_names(cur))
        for line in cur.fetchall():
            out.setdefault(line[0], []).append(rows.part(line))


def of_record(conn: sqlite3.Connection, table: str, record_id: int) -> str | None:
    """The digest (hex) of the record an audit row about ``table``/``record_id`` names as
    it is now, :data:`GONE` when it does not exist, None when ``table`` holds no records."""
    fam = family_of(table)
    if fam is None:
        return None
    for _, digest in stream(conn, fam, record_id - 1, record_id):
        return digest.hex()
    return GONE


def encode_runs(items: Sequence[tuple[int, bytes]]) -> str:
    """``first:hexhex…;first:hex…`` — digests of records with consecutive keys after a
    run's first key, 16 hex digits each; ``items`` in key order."""
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


def decode_runs(text: str) -> Iterator[tuple[int, str]]:
    """(key, hex digest) pairs of :func:`encode_runs` text, in key order."""
    width = DIGEST_BYTES * 2
    for run in text.split(";"):
        if not run:
            continue
        start_text, _, hexes = run.partition(":")
        start = int(start_text)
        for i in range(0, len(hexes), width):
            yield start + i // width, hexes[i : i + width]


# ---- digests of rows about to be stored (bulk loads) ---------------------------------

_AFFINITY = {"INTEGER": int, "REAL": float, "TEXT": str}
_LITERAL = re.compile(r"-?\d+")


class Unsure(Exception):
    """A row's stored form cannot be known without reading it back."""


class StoredRows:
    """The rows of ``table`` as SQLite will store them, from the values an INSERT naming
    ``columns`` is given: table order, defaults for the columns left out, values
    converted as the columns' affinity converts them. Lets a bulk load digest its
    records without reading them back (:func:`stream` would cost a third of the load);
    anything it cannot be sure of raises :class:`Unsure` (the caller reads back)."""

    def __init__(self, conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> None:
        info = conn.execute(
            "SELECT name, upper(type), dflt_value FROM pragma_table_info(?) ORDER BY cid",
            (table,),
        ).fetchall()
        self.rows = _Rows([n for n, _, _ in info])
        given = {c: i for i, c in enumerate(columns)}
        self.plan: list[tuple[int | None, Any]] = []  # (position given, or the default)
        self.kinds: list[type] = []
        for name, sql_type, default in info:
            if sql_type not in _AFFINITY or (name not in given and not _plain(default)):
                raise Unsure(f"{table}.{name}")
            self.kinds.append(_AFFINITY[sql_type])
            if name in given:
                self.plan.append((given[name], None))
            else:
                self.plan.append((None, None if default is None else int(default)))
        self.fast = len(columns) == len(info) and all(p == i for i, (p, _) in enumerate(self.plan))
        self.convert: dict[tuple[type, ...], list[int]] = {}  # by the values' types

    def stored(self, values: Sequence[Any]) -> tuple[Any, ...]:
        """The row as stored, from the values in the table's order."""
        row = tuple(values)
        sig = tuple(map(type, row))
        todo = self.convert.get(sig)
        if todo is None:
            todo = self.convert[sig] = [
                i for i, (t, k) in enumerate(zip(sig, self.kinds, strict=True))
                if t is not k and row[i] is not None
            ]  # fmt: skip
        if not todo:
            return row
        out = list(row)
        for i in todo:
            out[i] = _as(row[i], self.kinds[i])
        return tuple(out)

    def part(self, values: Sequence[Any]) -> bytes:
        """:meth:`_Rows.part` of the stored row (the hot path of a bulk load)."""
        row = tuple(values) if self.fast else self._arranged(values)
        todo = self.convert.get(tuple(map(type, row)))
        if todo is None or todo:
            row = self.stored(row)
        return self.rows.pre + marshal.dumps(row, 2)

    def _arranged(self, values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(values[p] if p is not None else d for p, d in self.plan)


def _plain(default: str | None) -> bool:
    return default is None or bool(_LITERAL.fullmatch(default))


def _as(value: Any, kind: type) -> Any:
    """``value`` as a column of affinity ``kind`` stores it (the cases a bulk load
    meets; anything else is :class:`Unsure`)."""
    t = type(value)
    if value is None or t is kind:
        return value
    if t is bool:
        return _as(int(value), kind)
    if kind is float and t is int:
        return float(value)
    if kind is int and t is float and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if kind is int and t is float:
        return value
    if kind is str and t is int:
        return str(value)
    raise Unsure(repr(value))


def digest_of(*parts: bytes) -> bytes:
    """A record's digest from its rows' parts (:meth:`StoredRows.part`), in the order
    :func:`stream` reads them."""
    return _digest(*parts)
