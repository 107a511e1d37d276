"""Load a generated equipment register (``ygt demo``) in one transaction.

The rows are the ones :class:`~.equipment.Equipment` would write — form values through
the form's ``to_sql`` plus the system columns — with one audit entry per table for the
batch. ``created_at`` is the record's own date, so the same seed gives the same file
content. The generator already keeps the register's rules (dates after purchase, one
status change a day, finished stocktake fully marked).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

from ..core.equipment_checklist import read_checklist
from ..core.forms import FormDef, FormRegistry
from ..paths import resources_dir
from ..storage import audit
from ..storage.db import Store
from ..storage.equipment import Equipment
from .equipment import DemoEquipment, generate_equipment

STANDARD_CHECKLIST = ("checklists", "village_clinic_equipment.toml")


def load_demo_equipment(
    store: Store, forms: FormRegistry, seed: int, today: dt.date
) -> dict[str, int]:
    """Load the standard checklist if none is loaded, then generate and insert a
    register — unless the station already has one (a second ``ygt demo`` on the same
    file adds residents, not a second register). Returns counts by what was made."""
    equipment = Equipment(store, forms)
    checklist = read_checklist(resources_dir().joinpath(*STANDARD_CHECKLIST))
    if equipment.checklist_info() is None:
        equipment.load_checklist(checklist, today)
    if store.conn.execute("SELECT 1 FROM e_equipment LIMIT 1").fetchone() is not None:
        return {}
    demo = generate_equipment(seed, today, checklist.items)
    items = {r["code"]: str(r["id"]) for r in equipment.checklist.rows()}
    return load_equipment(store, forms, demo, items)


def load_equipment(
    store: Store, forms: FormRegistry, demo: DemoEquipment, checklist_ids: Mapping[str, str]
) -> dict[str, int]:
    """Insert ``demo`` (checklist items named by code, mapped by ``checklist_ids``)."""
    user = store.user
    counts = {
        "equipment": 0,
        "equipment_status": 0,
        "equipment_maintenance": 0,
        "equipment_stocktake": 0,
        "equipment_stocktake_line": 0,
    }
    with store.write(*(f"entity:{k}" for k in counts)) as conn:
        before = {
            k: int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {forms[k].table}").fetchone()[0])
            for k in counts
        }
        ids: list[int] = []
        for asset in demo.assets:
            values = {
                **asset.values,
                "checklist_item": checklist_ids.get(asset.values["checklist_item"] or ""),
            }
            ids.append(
                _insert(conn, forms["equipment"], values, asset.values["purchase_date"], user)
            )
        for asset_id, asset in zip(ids, demo.assets, strict=True):
            for day, status, reason in asset.statuses:
                _insert(
                    conn,
                    forms["equipment_status"],
                    {
                        "asset_id": str(asset_id),
                        "status": status,
                        "status_date": day,
                        "reason": reason,
                    },
                    day,
                    user,
                )
                counts["equipment_status"] += 1
            for m in asset.maintenance:
                _insert(
                    conn,
                    forms["equipment_maintenance"],
                    {**m, "asset_id": str(asset_id)},
                    m["maint_date"],
                    user,
                )
                counts["equipment_maintenance"] += 1
        counts["equipment"] = len(ids)
        stocktake = demo.stocktake
        sid = _insert(
            conn,
            forms["equipment_stocktake"],
            stocktake.values,
            stocktake.values["stocktake_date"],
            user,
        )
        counts["equipment_stocktake"] = 1
        for index, result, found, note in stocktake.lines:
            _insert(
                conn,
                forms["equipment_stocktake_line"],
                {
                    "stocktake_id": sid,
                    "asset_id": ids[index],
                    "result": result,
                    "observed_status": found,
                    "note": note,
                },
                stocktake.values["stocktake_date"],
                user,
            )
            counts["equipment_stocktake_line"] += 1
        for form_id, n in counts.items():
            audit.record_batch(
                conn,
                user=user,
                table=forms[form_id].table,
                after=before[form_id],
                action="insert",
                new={"count": n},
                reason="生成演示数据",
            )
    return counts


def _insert(
    conn: sqlite3.Connection, form: FormDef, values: Mapping[str, Any], day: dt.date, user: str
) -> int:
    row = form.to_sql(values)
    stamp = day.isoformat()
    row.update(created_at=stamp, created_by=user, updated_at=stamp)
    cur = conn.execute(
        f"INSERT INTO {form.table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    return int(cur.lastrowid or 0)
