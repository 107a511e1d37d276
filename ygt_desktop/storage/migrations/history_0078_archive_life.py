"""Migrations from 0078: an archive's life — closing ends contracts, registers and due items (issue 13, part 2).

0078: from now on closing an archive (迁出 / 死亡 / 注销) terminates the resident's
contracts in force on the closing day; before, they ran on, and a closed archive's
contract still counted in 家庭医生签约率. This step does for every archive already
closed (status not 在档, with a closing date, not deleted) what the close now does: each
of its contracts not deleted, ending on or after the closing day and not terminated by
then, is terminated on the closing day (on its own start when that is later: it was
never in force), reason 迁出 → 1 迁出, 死亡 → 5 死亡, else 9 其他 (the contract form's
codes as of 0078), note ``档案结案：<status>``. Each change is audited as the app audits
an update (user 系统, the changed columns' old and new values, the record's digest after
the change, chained), so ``ygt check`` holds the records against the log.

Frozen history: never edit a released migration, add a new one. The digest of an
entity record and the chain hash below are frozen copies of
:mod:`ygt_desktop.storage.audit_digest` (an ``e_`` table's record: its row alone) and
:func:`ygt_desktop.storage.audit.row_hash` as of 0078.
"""

from __future__ import annotations

import hashlib
import json
import marshal

import sqlite_utils

from .builders import Migration

GENESIS = "0" * 64
REASONS = {"迁出": "1", "死亡": "5"}
OTHER = "9"


def _row_hash(prev: str, row: list[object]) -> str:
    body = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()


def _json(values: dict[str, object]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def _end_contracts(db: sqlite_utils.Database) -> None:
    conn = db.conn
    found = conn.execute(
        "SELECT c.id, r.status, r.status_date, c.start_date, c.termination_date, "
        "c.termination_reason, c.termination_note FROM e_contract c JOIN residents r "
        "ON r.id = c.resident_id WHERE r.status != '在档' AND r.status_date IS NOT NULL "
        "AND r.deleted = 0 AND c.deleted = 0 AND c.end_date >= r.status_date "
        "AND (c.termination_date IS NULL "
        "OR c.termination_date > max(r.status_date, c.start_date)) ORDER BY c.id"
    ).fetchall()
    if not found:
        return
    at = conn.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime')").fetchone()[0]
    digests = bool(
        conn.execute(
            "SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'digest'"
        ).fetchone()
    )
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    head_id, head_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    for cid, status, closed, start, ended, reason, note in found:
        new = {
            "termination_date": max(closed, start),
            "termination_reason": REASONS.get(status, OTHER),
            "termination_note": f"档案结案：{status}",
        }
        old = {"termination_date": ended, "termination_reason": reason, "termination_note": note}
        changed = [k for k in new if old[k] != new[k]]
        conn.execute(
            "UPDATE e_contract SET termination_date = ?, termination_reason = ?, "
            "termination_note = ?, updated_at = ? WHERE id = ?",
            (*new.values(), at, cid),
        )
        cur = conn.execute("SELECT * FROM e_contract WHERE id = ?", (cid,))
        names = tuple(d[0] for d in cur.description)
        part = marshal.dumps(names, 2) + marshal.dumps(cur.fetchone(), 2)
        digest = hashlib.sha256(part).digest()[:8].hex() if digests else None
        head_id += 1
        full: list[object] = [
            head_id, at, "系统", "e_contract", cid, "update",
            _json({k: old[k] for k in changed}), _json({k: new[k] for k in changed}),
            f"档案结案：{status}（升级时补记：结案终止在约签约）",
        ]  # fmt: skip
        head_hash = _row_hash(head_hash, [*full, digest] if digest is not None else full)
        if digest is None:
            conn.execute(
                "INSERT INTO audit_log (id, at, user, table_name, record_id, action, "
                "old_values, new_values, reason, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*full, head_hash),
            )
        else:
            conn.execute(
                "INSERT INTO audit_log (id, at, user, table_name, record_id, action, "
                "old_values, new_values, reason, hash, digest) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*full, head_hash, digest),
            )


MIGRATIONS: tuple[Migration, ...] = (Migration("0078_close_ends_contracts", _end_contracts),)
