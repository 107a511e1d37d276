"""Bulk loading of a demo station's referrals (``ygt demo``): raw ``executemany`` in one
transaction, one audit entry per table, like the residents' and services' bulk loads.

Reads the open referral suggestions and the registered chronic patients of the
residents with ``id > after_id`` (the ones this demo run made), asks
:func:`~ygt_desktop.demo.referrals.generate_referrals` what the staff did, and
writes referrals and dismissals. An up-referral made from a suggestion is the app's own
draft of it (:meth:`Referrals.draft`) with the generated additions over it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.forms import FormDef, FormRegistry
from ..core.programmes import REGISTERS
from ..storage import audit, audit_digest
from ..storage.db import Store, StoreError
from ..storage.organisation import get_organisation
from ..storage.referrals import DISMISSAL, REFERRAL, Referrals
from .referrals import (
    ChronicPatient,
    SuggestedRecord,
    generate_referrals,
)

CHRONIC_REGISTERS = ("htn", "dm")  # registers (core.programmes) whose patients are referred


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def open_suggestions(store: Store, forms: FormRegistry, after_id: int = 0) -> list[SuggestedRecord]:
    """Suggestions not yet referred or dismissed, of residents with ``id > after_id``."""
    rows = store.conn.execute(
        "SELECT h.id, h.resident_id, h.form_id, h.service_date, h.referral, "
        "CASE WHEN r.status != '在档' THEN r.status_date END FROM service_records h "
        "JOIN residents r ON r.id = h.resident_id WHERE h.referral IS NOT NULL "
        "AND h.deleted = 0 AND r.deleted = 0 AND r.id > ? "
        f"AND NOT EXISTS (SELECT 1 FROM {forms[REFERRAL].table} f "
        " WHERE f.source_record_id = h.id AND f.deleted = 0) "
        f"AND NOT EXISTS (SELECT 1 FROM {forms[DISMISSAL].table} d "
        " WHERE d.source_record_id = h.id AND d.deleted = 0) ORDER BY h.id",
        (after_id,),
    ).fetchall()
    return [
        SuggestedRecord(rid, res, form, dt.date.fromisoformat(day), level, _date(until))
        for rid, res, form, day, level, until in rows
    ]


def chronic_patients(store: Store, forms: FormRegistry, after_id: int = 0) -> list[ChronicPatient]:
    """Registered 高血压 / 2型糖尿病 patients (one entry per register), by id."""
    out = []
    registers = forms.register_forms()
    for key in CHRONIC_REGISTERS:
        if key not in registers:
            continue
        form_id, table, diagnosis = registers[key].id, registers[key].table, REGISTERS[key]
        for rid, since, closed, status_date in store.conn.execute(
            f"SELECT h.resident_id, h.service_date, d.closed_date, "
            f"CASE WHEN r.status != '在档' THEN r.status_date END FROM service_records h "
            f"JOIN {table} d ON d.record_id = h.id JOIN residents r ON r.id = h.resident_id "
            "WHERE h.form_id = ? AND h.deleted = 0 AND r.deleted = 0 AND r.id > ? "
            "ORDER BY h.resident_id, h.id",
            (form_id, after_id),
        ):
            ends = [d for d in (_date(closed), _date(status_date)) if d]
            out.append(
                ChronicPatient(
                    rid, diagnosis, dt.date.fromisoformat(since), min(ends) if ends else None
                )
            )
    return sorted(out, key=lambda p: (p.resident_id, p.diagnosis))


def load_demo_referrals(
    store: Store, forms: FormRegistry, *, today: dt.date, seed: int, after_id: int = 0
) -> tuple[int, int]:
    """Generate and insert the demo's referrals and dismissals; returns their counts."""
    if REFERRAL not in forms or DISMISSAL not in forms:
        return 0, 0
    org = get_organisation(store)
    if org is None:
        raise StoreError("尚未设置本机构信息，不能生成转诊演示数据")
    referrals = Referrals(store, forms)
    hints: Mapping[str, Mapping[str, str]] = forms[REFERRAL].settings.get("suggestions", {})
    made = generate_referrals(
        seed,
        today,
        org.name,
        org.code[:6],
        open_suggestions(store, forms, after_id),
        chronic_patients(store, forms, after_id),
        {form_id: str(h.get("department", "")) for form_id, h in hints.items()},
    )
    rows = []
    for values in made.referrals:
        if values.get("source_record_id") is not None:
            values = {**referrals.draft(values["source_record_id"], org.name), **values}
        rows.append(values)
    with store.write(f"entity:{REFERRAL}", f"entity:{DISMISSAL}") as conn:
        _insert(conn, store.user, forms[REFERRAL], rows)
        _insert(conn, store.user, forms[DISMISSAL], made.dismissals)
    return len(rows), len(made.dismissals)


def _insert(conn: Any, user: str, form: FormDef, records: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``records`` with the next ids and audit them with every record's digest,
    computed from the rows as stored (read back only when that is uncertain)."""
    if not records:
        return
    ids = [f.id for f in form.fields]
    columns = ["id", *ids, "created_at", "created_by", "updated_at"]
    sql = (
        f"INSERT INTO {form.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    batch = []
    before = int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {form.table}").fetchone()[0])
    for n, values in enumerate(records, start=1):
        row = form.to_sql(form.process(values).values)
        last = max(v for v in values.values() if isinstance(v, dt.date))
        stamp = f"{last.isoformat()}T17:00:00+08:00"  # typed in at the end of that day
        batch.append([before + n, *(row[i] for i in ids), stamp, user, stamp])
    conn.executemany(sql, batch)
    new = {"count": len(batch)}
    try:
        stored = audit_digest.StoredRows(conn, form.table, columns)
        digests = [(int(r[0]), audit_digest.digest_of(stored.part(r))) for r in batch]
    except audit_digest.Unsure:
        audit.record_batch(conn, user=user, table=form.table, after=before, action="insert",
                           new=new, reason="生成演示数据")  # fmt: skip
        return
    audit.record_digests(conn, user=user, table=form.table, digests=digests, action="insert",
                         new=new, reason="生成演示数据")  # fmt: skip
