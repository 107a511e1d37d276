"""The audit log: who changed what, when, with old and new values.

Rows are written in the same transaction as the change they describe. Triggers in the
schema refuse UPDATE and DELETE on ``audit_log``, so the log cannot be edited through
the app (or through anything else that uses this database without dropping triggers).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from typing import Any


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _json(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, default=str)


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
    conn.execute(
        "INSERT INTO audit_log (at, user, table_name, record_id, action, old_values, "
        "new_values, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (now_iso(), user, table, record_id, action, _json(old), _json(new), reason),
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
