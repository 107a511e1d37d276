"""The audit log: who changed what, when, with old and new values.

Rows are written in the same transaction as the change they describe. Triggers in the
schema refuse UPDATE and DELETE on ``audit_log``, so the log cannot be edited through
the app. Rows are also hash-chained (migration 0050): each row's ``hash`` is
:func:`row_hash` of the previous row's hash and its own content, so an edit, deletion,
insertion or reordering made with the triggers dropped breaks the chain at that row;
the chain head is copied into backups and upward workbooks, so cutting off the newest
rows is found by comparing with those copies.

Since migration 0051 a row about a record also carries the record's digest after the
change (column ``digest``, :mod:`.audit_digest`), so ``ygt check`` can hold every
record against the log (:mod:`.audit_check`); bulk loads use :func:`record_digests` (or
:func:`record_batch`, which reads the records back). The
digest is hashed into the chain only when present, so rows before 0051 keep their hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import audit_digest


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, default=str)


GENESIS = "0" * 64
ROW_COLUMNS = (
    "id", "at", "user", "table_name", "record_id", "action", "old_values", "new_values", "reason"
)  # fmt: skip


def row_hash(prev: str, row: tuple[Any, ...] | list[Any]) -> str:
    """SHA-256 (hex) of ``prev`` + newline + the row's :data:`ROW_COLUMNS` values (and
    its digest, see :func:`chained`) as a compact JSON array (UTF-8, non-ASCII kept as
    is): the chain's one definition."""
    body = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def chained(full: tuple[Any, ...] | list[Any], digest: str | None) -> list[Any]:
    """What :func:`row_hash` covers of a row: its :data:`ROW_COLUMNS` values, then its
    digest when it has one."""
    return [*full, digest] if digest is not None else list(full)


def has_digests(conn: sqlite3.Connection) -> bool:
    """Whether the log has the ``digest`` column (migration 0051)."""
    return bool(
        conn.execute(
            "SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'digest'"
        ).fetchone()
    )


def chain_head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """The newest row's id and hash, or None for an empty log."""
    row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else None


def record(
    conn: sqlite3.Connection,
    *,
    user: str,
    table: str,
    record_id: int | None,
    action: str,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Append one audit row; for updates only the changed columns are kept. A row about
    a record (``record_id`` given, ``table`` a covered one) also keeps the record's
    digest as it is now, so call this after the change, in its transaction."""
    if old is not None and new is not None:
        changed = [k for k in new if old.get(k) != new.get(k)]
        old = {k: old.get(k) for k in changed}
        new = {k: new.get(k) for k in changed}
    digest = None
    if record_id is not None and has_digests(conn):
        digest = audit_digest.of_record(conn, table, int(record_id))
    row = (now_iso(), user, table, record_id, action, _json(old), _json(new), reason)
    append(conn, row, digest)


def soft_delete(
    conn: sqlite3.Connection,
    *,
    user: str,
    table: str,
    record_id: int,
    reason: str,
    audited_as: str | None = None,
    note: str = "",
) -> None:
    """Mark the row ``record_id`` of ``table`` deleted with ``reason`` (kept, left out of
    lists) and audit it as a delete, in the caller's transaction. ``audited_as``: the
    table the audit row names when it is not ``table`` (a service record's form);
    ``note`` follows the reason in the audit row only."""
    conn.execute(
        f"UPDATE {table} SET deleted = 1, deleted_reason = ?, updated_at = ? WHERE id = ?",
        (reason, now_iso(), record_id),
    )
    record(
        conn,
        user=user,
        table=audited_as or table,
        record_id=record_id,
        action="delete",
        old={"deleted": 0},
        new={"deleted": 1},
        reason=reason + note,
    )


def record_batch(
    conn: sqlite3.Connection,
    *,
    user: str,
    table: str,
    after: int | None,
    action: str,
    new: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Audit a bulk write of the records of ``table`` whose key is above ``after`` (the
    highest key before the write; None: all): one row (or one per
    :data:`~.audit_digest.RUN_LIMIT` records) with ``record_id`` NULL carrying every
    record's digest. Call it after the write, in its transaction."""
    fam = audit_digest.family_of(table)
    at = now_iso()
    if fam is None or not has_digests(conn):
        append(conn, (at, user, table, None, action, None, _json(new), reason))
        return
    items: list[tuple[int, bytes]] = []
    wrote = False
    for item in audit_digest.stream(conn, fam, after):
        items.append(item)
        if len(items) >= audit_digest.RUN_LIMIT:
            append(conn, (at, user, table, None, action, None, _json(new), reason),
                   audit_digest.encode_runs(items))  # fmt: skip
            items, wrote = [], True
    if items or not wrote:
        payload = audit_digest.encode_runs(items) if items else None
        append(conn, (at, user, table, None, action, None, _json(new), reason), payload)


def record_digests(
    conn: sqlite3.Connection,
    *,
    user: str,
    table: str,
    digests: list[tuple[int, bytes]],
    action: str,
    new: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Like :func:`record_batch` with the records' digests already known (a bulk load
    that computed them from the rows it wrote: :class:`.audit_digest.StoredRows`);
    ``digests`` in key order."""
    at = now_iso()
    if not has_digests(conn):
        append(conn, (at, user, table, None, action, None, _json(new), reason))
        return
    limit = audit_digest.RUN_LIMIT
    for i in range(0, max(len(digests), 1), limit):
        chunk = digests[i : i + limit]
        payload = audit_digest.encode_runs(chunk) if chunk else None
        append(conn, (at, user, table, None, action, None, _json(new), reason), payload)


def append(conn: sqlite3.Connection, row: tuple[Any, ...], digest: str | None = None) -> None:
    """Append ``row`` (:data:`ROW_COLUMNS` without the id) and its ``digest`` to the
    chain. Must run inside the caller's write transaction (``BEGIN IMMEDIATE``), which
    keeps ids in order."""
    head = chain_head(conn)
    rid, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    full = (rid, *row)
    digest_hash = row_hash(prev, chained(full, digest))
    if digest is None:
        conn.execute(
            "INSERT INTO audit_log (id, at, user, table_name, record_id, action, old_values, "
            "new_values, reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*full, digest_hash),
        )
        return
    conn.execute(
        "INSERT INTO audit_log (id, at, user, table_name, record_id, action, old_values, "
        "new_values, reason, hash, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*full, digest_hash, digest),
    )


def history(conn: sqlite3.Connection, table: str, record_id: int) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT at, user, action, old_values, new_values, reason FROM audit_log "
        "WHERE table_name = ? AND record_id = ? ORDER BY id",
        (table, record_id),
    )
    out = []
    for at, user, action, old, new, reason in cur.fetchall():
        out.append(
            {
                "at": at,
                "user": user,
                "action": action,
                "reason": reason,
                "old": json.loads(old) if old else None,
                "new": json.loads(new) if new else None,
            }
        )
    return out


@dataclass(frozen=True)
class Entry:
    """One audit row as the viewer and ``ygt audit`` show it."""

    id: int
    at: str
    user: str
    table: str
    record_id: int | None
    action: str
    old: str | None
    new: str | None
    reason: str | None


def query(
    conn: sqlite3.Connection,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    user: str | None = None,
    table: str | None = None,
    record_id: int | None = None,
    limit: int | None = None,
) -> list[Entry]:
    """Rows matching every filter given, newest first (``since``/``until`` inclusive,
    by the local date the row was written)."""
    where: list[str] = []
    params: list[object] = []
    if since is not None:
        where.append("at >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("at < ?")
        params.append((until + dt.timedelta(days=1)).isoformat())
    if user:
        where.append("user = ?")
        params.append(user)
    if table:
        where.append("table_name = ?")
        params.append(table)
    if record_id is not None:
        where.append("record_id = ?")
        params.append(record_id)
    sql = (
        "SELECT id, at, user, table_name, record_id, action, old_values, new_values, reason "
        "FROM audit_log"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY id DESC"
        + (f" LIMIT {int(limit)}" if limit else "")
    )
    return [Entry(*row) for row in conn.execute(sql, params)]


def tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT table_name FROM audit_log ORDER BY 1")]


def users_seen(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT user FROM audit_log ORDER BY 1")]


def first_break(conn: sqlite3.Connection) -> int | None:
    """The id of the first row whose hash does not follow from the rows before it (an
    edited, deleted, inserted or reordered row), or None when the chain holds."""
    prev = GENESIS
    digest = "digest" if has_digests(conn) else "NULL"
    cur = conn.execute(
        f"SELECT {', '.join(ROW_COLUMNS)}, {digest}, hash FROM audit_log ORDER BY id"
    )
    while batch := cur.fetchmany(5000):
        for row in batch:
            if row_hash(prev, chained(row[:-2], row[-2])) != row[-1]:
                return int(row[0])
            prev = row[-1]
    return None
