"""Bulk loading for generated demo stations: raw ``executemany`` in one transaction.

sqlite-utils' ``insert_all`` converts every value and is ~10x slower on 100,000 rows
(STACK-NOTES); this path writes the same columns the repository writes, plus search
keys, and one audit entry for the whole batch with every record's digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core import search
from ..core.forms import FormDef
from ..core.resident import archive_prefix
from ..storage import audit, audit_digest
from ..storage.db import Store, StoreError
from ..storage.organisation import get_organisation


def load_residents(
    store: Store, form: FormDef, residents: Iterable[Mapping[str, Any]], batch: int = 5000
) -> int:
    """Insert generated residents (form values plus status and status_date).

    Archive numbers continue each village's serials. Returns the number inserted.
    """
    org = get_organisation(store)
    if org is None:
        raise StoreError("尚未设置本机构信息，不能建档")
    field_ids = [f.id for f in form.fields]
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
        keys: list[tuple[str, int]] = []
        # Each record's audit digest, from the rows as stored (None: read back instead).
        digests: list[tuple[int, bytes]] | None = []
        try:
            stored = audit_digest.StoredRows(conn, "residents", columns)
        except audit_digest.Unsure:
            digests = None

        def flush() -> None:
            nonlocal digests
            if digests is not None:
                try:
                    digests += [(r[0], audit_digest.digest_of(stored.part(r))) for r in rows]
                except audit_digest.Unsure:
                    digests = None
            conn.executemany(sql, rows)
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
