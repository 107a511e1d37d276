"""Bulk loading for generated demo stations: raw ``executemany`` in one transaction.

sqlite-utils' ``insert_all`` converts every value and is ~10x slower on 100,000 rows
(STACK-NOTES); this path writes the same columns the repository writes, plus search
keys, and one audit entry for the whole batch with every record's digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core import search
from ..core.forms import FieldDef, FormDef
from ..core.resident import archive_prefix
from ..storage import audit, audit_digest
from ..storage.db import Store, StoreError
from ..storage.migrations.builders import child_table
from ..storage.organisation import get_organisation


class _Lines:
    """One repeating group of the resident form: its child table's insert and the lines
    waiting for it."""

    def __init__(self, form: FormDef, f: FieldDef) -> None:
        self.field = f
        self.table = child_table(form.table, f.id)
        self.names = ["record_id", "line", *(c.id for c in f.columns)]
        self.sql = (
            f"INSERT INTO {self.table} ({', '.join(self.names)}) "
            f"VALUES ({', '.join('?' * len(self.names))})"
        )
        self.lines: list[list[Any]] = []
        self.stored: audit_digest.StoredRows | None = None

    def add(self, record_id: int, given: Any, digest: bool) -> bytes:
        """Queue a resident's lines; their digest parts (b"" when not digesting)."""
        tail = b""
        for n, line in enumerate(given or [], start=1):
            row = [record_id, n, *(c.field_type.to_sql(line.get(c.id)) for c in self.field.columns)]
            self.lines.append(row)
            if digest and self.stored is not None:
                tail += b"\x00" + self.stored.part(row)
        return tail


def load_residents(
    store: Store, form: FormDef, residents: Iterable[Mapping[str, Any]], batch: int = 5000
) -> int:
    """Insert generated residents (form values plus status and status_date).

    Archive numbers continue each village's serials. Returns the number inserted.
    """
    org = get_organisation(store)
    if org is None:
        raise StoreError("尚未设置本机构信息，不能建档")
    field_ids = [f.id for f in form.stored_fields]
    # the digest reads a record's groups' tables in name order
    groups = sorted((_Lines(form, f) for f in form.row_fields), key=lambda g: g.table)
    columns = [
        "id",
        *field_ids,
        "archive_no",
        "status",
        "status_date",
        "status_reason",
        "created_at",
        "created_by",
        "updated_at",
    ]
    sql = f"INSERT INTO residents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    user = store.user
    total = 0
    with store.write() as conn:
        serials: dict[str, int] = {}
        for prefix, last in conn.execute(
            "SELECT substr(archive_no, 1, 12), max(substr(archive_no, 13)) FROM residents "
            "GROUP BY 1"
        ):
            serials[prefix] = int(last)
        next_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM residents").fetchone()[0])
        before = next_id
        rows: list[list[Any]] = []
        tails: dict[int, bytes] = {}  # a record's lines' digest parts, after its row
        keys: list[tuple[str, int]] = []
        # Each record's audit digest, from the rows as stored (None: read back instead).
        digests: list[tuple[int, bytes]] | None = []
        try:
            stored = audit_digest.StoredRows(conn, "residents", columns)
            for group in groups:
                group.stored = audit_digest.StoredRows(conn, group.table, group.names)
        except audit_digest.Unsure:
            digests = None

        def flush() -> None:
            nonlocal digests
            if digests is not None:
                try:
                    digests += [
                        (r[0], audit_digest.digest_of(stored.part(r) + tails.get(r[0], b"")))
                        for r in rows
                    ]
                except audit_digest.Unsure:
                    digests = None
            conn.executemany(sql, rows)
            for group in groups:
                conn.executemany(group.sql, group.lines)
                group.lines.clear()
            tails.clear()
            conn.executemany("INSERT INTO resident_search (key, resident_id) VALUES (?, ?)", keys)
            rows.clear()
            keys.clear()

        for r in residents:
            next_id += 1
            prefix = archive_prefix(org.code, r["village_code"])
            serials[prefix] = serials.get(prefix, 0) + 1
            archive_no = f"{prefix}{serials[prefix]:05d}"
            sql_values = form.to_sql(r)
            created = r["archive_date"].isoformat()
            status_date = r.get("status_date")
            rows.append(
                [
                    next_id,
                    *(sql_values[f] for f in field_ids),
                    archive_no,
                    r.get("status", "在档"),
                    status_date.isoformat() if status_date else None,
                    None,
                    created,
                    user,
                    created,
                ]
            )
            tail = b""
            for group in groups:
                tail += group.add(next_id, r.get(group.field.id), digests is not None)
            if tail:
                tails[next_id] = tail
            for k in search.resident_keys(
                r["name"], r.get("id_number"), r.get("phone"), archive_no
            ):
                keys.append((k, next_id))
            total += 1
            if len(rows) >= batch:
                flush()
        if rows:
            flush()
        if digests is not None:
            audit.record_digests(conn, user=user, table="residents", digests=digests,
                                 action="insert", new={"count": total}, reason="生成演示数据")  # fmt: skip
        else:
            audit.record_batch(conn, user=user, table="residents", after=before,
                               action="insert", new={"count": total}, reason="生成演示数据")  # fmt: skip
    return total
