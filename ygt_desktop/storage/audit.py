"""The audit log: who changed what, when, with old and new values.

Rows are written in the same transaction as the change they describe. Triggers in the
schema refuse UPDATE and DELETE on ``audit_log``, so the log cannot be edited through
the app. Rows are also hash-chained (migration 0050): each row's ``hash`` is
:func:`row_hash` of the previous row's hash and its own content, so an edit, deletion,
insertion or reordering made with the triggers dropped breaks the chain at that row;
the chain head is copied into backups and upward workbooks, so cutting off the newest
rows is found by comparing with those copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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
    """SHA-256 (hex) of ``prev`` + newline + the row's :data:`ROW_COLUMNS` values as a
    compact JSON array (UTF-8, non-ASCII kept as is): the chain's one definition."""
    body = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


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
    """Append one audit row; for updates only the changed columns are kept."""
    if old is not None and new is not None:
        changed = [k for k in new if old.get(k) != new.get(k)]
        old = {k: old.get(k) for k in changed}
        new = {k: new.get(k) for k in changed}
    append(conn, (now_iso(), user, table, record_id, action, _json(old), _json(new), reason))


def append(conn: sqlite3.Connection, row: tuple[Any, ...]) -> None:
    """Append ``row`` (:data:`ROW_COLUMNS` without the id) to the chain. Must run inside
    the caller's write transaction (``BEGIN IMMEDIATE``), which keeps ids in order."""
    head = chain_head(conn)
    rid, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
    full = (rid, *row)
    conn.execute(
        "INSERT INTO audit_log (id, at, user, table_name, record_id, action, old_values, "
        "new_values, reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*full, row_hash(prev, full)),
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
    cur = conn.execute(f"SELECT {', '.join(ROW_COLUMNS)}, hash FROM audit_log ORDER BY id")
    while batch := cur.fetchmany(5000):
        for row in batch:
            if row_hash(prev, row[:-1]) != row[-1]:
                return int(row[0])
            prev = row[-1]
    return None
