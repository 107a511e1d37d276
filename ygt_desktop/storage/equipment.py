"""The equipment register (设备): assets, their status history, maintenance log, the loaded
standard checklist, and the figures reports need (counts, value, missing items).

Every record is an entity form (forms/equipment*.toml) kept by an :class:`EntityRepo`;
the rules a form file cannot say are the ``check`` functions here, run inside each write
transaction. An asset's status is not stored on the asset: it is 在用 from the purchase
date until a status change (``equipment_status``) says otherwise, so the status on any
date is known (:meth:`Equipment.status_on`) and a wrong change is undone by deleting it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.equipment_checklist import CATEGORIES, LEVELS, Checklist
from ..core.forms import FormRegistry
from .db import Store, StoreError
from .entities import EntityRepo
from .organisation import get_setting, set_setting
from .residents import Change

STATUSES = {"1": "在用", "2": "维修", "3": "停用", "4": "报废"}
IN_USE, REPAIR, IDLE, SCRAPPED = "1", "2", "3", "4"
CHECKLIST_SETTING = "equipment_checklist"
_END_OF_TIME = "9999-12-31"

# The status on a date (?1) of the asset row ``e``: the latest change dated on or before it.
_STATUS_SQL = """
    (SELECT s.{col} FROM e_equipment_status s
     WHERE s.deleted = 0 AND s.asset_id = CAST(e.id AS TEXT) AND s.status_date <= ?1
     ORDER BY s.status_date DESC, s.id DESC LIMIT 1)"""


@dataclass(frozen=True)
class Asset:
    """One register row with its status on the date asked for."""

    id: int
    values: dict[str, Any]  # the equipment form's typed values
    status: str  # code of STATUSES
    status_date: dt.date | None  # since when: the change's date, else the purchase date

    def __getitem__(self, field_id: str) -> Any:
        return self.values.get(field_id)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.values.get("category") or "", "")

    @property
    def price(self) -> float:
        return float(self.values.get("price") or 0)


@dataclass(frozen=True)
class ChecklistRow:
    """A loaded checklist item and how many assets count for it on a date."""

    id: int
    code: str
    name: str
    category: str
    quantity: int
    level: str
    note: str | None
    have: int  # assets pointing at it that are 在用 or 维修
    in_repair: int

    @property
    def required(self) -> bool:
        return self.level == "1"

    @property
    def missing(self) -> int:
        return max(0, self.quantity - self.have)

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, "")

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, "")


@dataclass(frozen=True)
class ChecklistLoad:
    title: str
    added: int
    updated: int
    removed: int


@dataclass(frozen=True)
class EquipmentSummary:
    """Register figures on a date ``on`` (the quarterly report's 设备 section).

    Assets count from their purchase date. "On the books" means not 报废; the category
    counts and values are of those. Values are purchase prices in yuan (missing = 0).
    """

    on: dt.date
    by_status: dict[str, int]  # every status label → assets in that status on ``on``
    by_category: dict[str, int]  # every category label → assets on the books
    by_category_status: dict[str, dict[str, int]]  # category label → status label → n
    value_by_category: dict[str, float]
    total: int
    total_value: float
    in_use: int  # eq.in_use
    in_use_value: float  # eq.in_use_value
    missing_items: tuple[str, ...]  # required checklist items short on ``on``


class Equipment:
    """Repositories and queries of the equipment register for one open store."""

    def __init__(self, store: Store, forms: FormRegistry) -> None:
        self.store = store
        self.assets = EntityRepo(store, forms["equipment"], checks=[self._check_asset])
        self.statuses = EntityRepo(
            store, forms["equipment_status"], checks=[self._check_asset_exists, self._check_status]
        )
        self.maintenance = EntityRepo(
            store,
            forms["equipment_maintenance"],
            checks=[self._check_asset_exists, self._check_maintenance],
        )
        self.checklist = EntityRepo(store, forms["equipment_checklist"])

    # ---- register ----------------------------------------------------------------
    def register(self, on: dt.date | None = None) -> list[Asset]:
        """Assets not deleted, by asset number, with their status on ``on``; with ``on``
        only those purchased by then, without it every asset with its latest status."""
        return self._select(on, "e.deleted = 0 AND e.purchase_date <= ?1")

    def by_ids(self, ids: Collection[int], on: dt.date | None = None) -> list[Asset]:
        """The assets ``ids``, deleted ones included (a finished stocktake names them),
        by asset number, with their status on ``on``."""
        if not ids:
            return []
        marks = ", ".join(str(int(i)) for i in ids)
        return self._select(on, f"e.id IN ({marks})")

    def _select(self, on: dt.date | None, where: str) -> list[Asset]:
        day = on.isoformat() if on else _END_OF_TIME
        form = self.assets.form
        rows = self.store.query(
            f"SELECT e.*, {_STATUS_SQL.format(col='status')} AS _status, "
            f"{_STATUS_SQL.format(col='status_date')} AS _status_date "
            f"FROM e_equipment e WHERE {where} ORDER BY e.asset_no, e.id",
            (day,),
        )
        return [_asset(r, form.from_sql(r)) for r in rows]

    def get(self, asset_id: int, on: dt.date | None = None) -> Asset:
        """One asset (not deleted) with its status on ``on`` (default: latest)."""
        values = self.assets.values(asset_id)
        day = on.isoformat() if on else _END_OF_TIME
        row = self.store.query(
            f"SELECT {_STATUS_SQL.format(col='status')} AS _status, "
            f"{_STATUS_SQL.format(col='status_date')} AS _status_date "
            "FROM e_equipment e WHERE e.id = ?2",
            (day, asset_id),
        )[0]
        return _asset({**row, "id": asset_id}, values)

    def status_on(self, asset_id: int, day: dt.date) -> str | None:
        """The status code on ``day``; None before the purchase date."""
        asset = self.get(asset_id, day)
        purchased = asset["purchase_date"]
        return None if purchased is not None and purchased > day else asset.status

    def status_history(self, asset_id: int) -> list[dict[str, Any]]:
        """The status changes of an asset (not deleted), oldest first, as form values
        plus ``id``."""
        form = self.statuses.form
        return [
            {**form.from_sql(r), "id": r["id"]}
            for r in self.statuses.rows("asset_id = ?", (str(asset_id),), order="status_date, id")
        ]

    def maintenance_log(self, asset_id: int) -> list[dict[str, Any]]:
        """The maintenance records of an asset, oldest first, as form values plus ``id``."""
        form = self.maintenance.form
        return [
            {**form.from_sql(r), "id": r["id"]}
            for r in self.maintenance.rows("asset_id = ?", (str(asset_id),), order="maint_date, id")
        ]

    def change_status(
        self, asset_id: int, status: str, day: dt.date, reason: str | None = None
    ) -> Change:
        """Record a status change (the same as saving the status form)."""
        return self.statuses.save(
            {"asset_id": str(asset_id), "status": status, "status_date": day, "reason": reason}
        )

    # ---- checks (inside the write transaction) ------------------------------------
    def _check_asset(
        self, values: Mapping[str, Any], entity_id: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        errors: dict[str, str] = {}
        item = values.get("checklist_item")
        if (
            item is not None
            and conn.execute(
                "SELECT 1 FROM e_equipment_checklist WHERE id = ? AND deleted = 0", (item,)
            ).fetchone()
            is None
        ):
            errors["checklist_item"] = (
                "所选标准清单项目已不在清单中（清单可能已重新载入），请重新选择"
            )
        purchased = values.get("purchase_date")
        if entity_id is not None and purchased is not None:
            first = conn.execute(
                "SELECT min(d) FROM (SELECT status_date AS d FROM e_equipment_status "
                "WHERE deleted = 0 AND asset_id = ?1 UNION ALL SELECT maint_date "
                "FROM e_equipment_maintenance WHERE deleted = 0 AND asset_id = ?1)",
                (str(entity_id),),
            ).fetchone()[0]
            if first is not None and first < purchased.isoformat():
                errors["purchase_date"] = (
                    f"购置日期不能晚于该设备已有的状态变更或维修记录日期（{first}）"
                )
        return errors

    def _check_asset_exists(
        self, values: Mapping[str, Any], entity_id: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        if _purchase_date(conn, values["asset_id"]) is None:
            return {"asset_id": "该设备不存在或已删除"}
        return {}

    def _check_status(
        self, values: Mapping[str, Any], entity_id: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        asset_id, day = str(values["asset_id"]), values["status_date"]
        purchased = _purchase_date(conn, asset_id)
        if purchased is None:
            return {}
        if day.isoformat() < purchased:
            return {"status_date": f"状态变更日期不能早于购置日期（{purchased}）"}
        same_day = conn.execute(
            "SELECT 1 FROM e_equipment_status WHERE deleted = 0 AND asset_id = ? "
            "AND status_date = ? AND id IS NOT ?",
            (asset_id, day.isoformat(), entity_id),
        ).fetchone()
        if same_day is not None:
            return {"status_date": f"该设备在 {day.isoformat()} 已有一条状态变更，请修改那一条"}
        before = conn.execute(
            "SELECT status FROM e_equipment_status WHERE deleted = 0 AND asset_id = ? "
            "AND status_date < ? AND id IS NOT ? ORDER BY status_date DESC, id DESC LIMIT 1",
            (asset_id, day.isoformat(), entity_id),
        ).fetchone()
        previous = before[0] if before else IN_USE
        if previous == values["status"]:
            return {"status": f"该设备在 {day.isoformat()} 之前已是“{STATUSES[previous]}”状态"}
        return {}

    def _check_maintenance(
        self, values: Mapping[str, Any], entity_id: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        purchased = _purchase_date(conn, str(values["asset_id"]))
        if purchased is not None and values["maint_date"].isoformat() < purchased:
            return {"maint_date": f"维修保养日期不能早于购置日期（{purchased}）"}
        return {}

    # ---- the standard checklist ---------------------------------------------------
    def checklist_info(self) -> dict[str, str] | None:
        """Title, source, version and load date of the loaded checklist; None if none."""
        raw = get_setting(self.store, CHECKLIST_SETTING)
        return dict(json.loads(raw)) if raw else None

    def load_checklist(self, checklist: Checklist, today: dt.date) -> ChecklistLoad:
        """Load (or reload) a checklist: items are matched by code, so assets keep
        pointing at the same item; items no longer listed are removed (soft delete).

        Every item is checked against the checklist form before anything is written;
        a bad one raises StoreError naming it. Each item is then saved on its own, so a
        reload interrupted by a disk error can simply be repeated.
        """
        form = self.checklist.form
        for item in checklist.items:
            result = form.process(_item_values(item))
            if not result.ok:
                raise StoreError(
                    f"清单项目 {item.code} {item.name}：" + "；".join(result.errors.values())
                )
        stored = {r["code"]: r for r in self.checklist.rows()}
        added = updated = removed = 0
        for item in checklist.items:
            values = _item_values(item)
            row = stored.pop(item.code, None)
            if row is None:
                self.checklist.save(values)
                added += 1
            elif form.from_sql(row) != form.process(values).values:
                self.checklist.save(values, row["id"], reason="重新载入标准清单")
                updated += 1
        for row in stored.values():
            self.checklist.delete(row["id"], "重新载入标准清单：新清单中没有该项目")
            removed += 1
        info = {
            "title": checklist.title,
            "source": checklist.source,
            "version": checklist.version,
            "loaded": today.isoformat(),
        }
        set_setting(self.store, CHECKLIST_SETTING, json.dumps(info, ensure_ascii=False))
        return ChecklistLoad(checklist.title, added, updated, removed)

    def checklist_status(self, on: dt.date) -> list[ChecklistRow]:
        """Every loaded item (by category, then code) with the assets counting for it on ``on``:
        those pointing at it, purchased by then and 在用 or 维修 on that day."""
        have: dict[str, int] = {}
        repair: dict[str, int] = {}
        for asset in self.register(on):
            item = asset["checklist_item"]
            if item is not None and asset.status in (IN_USE, REPAIR):
                have[item] = have.get(item, 0) + 1
                if asset.status == REPAIR:
                    repair[item] = repair.get(item, 0) + 1
        form = self.checklist.form
        rows = []
        for r in self.checklist.rows(order="category, code"):
            v = form.from_sql(r)
            key = str(r["id"])
            rows.append(
                ChecklistRow(
                    r["id"],
                    v["code"],
                    v["name"],
                    v["category"],
                    v["quantity"],
                    v["level"],
                    v["note"],
                    have.get(key, 0),
                    repair.get(key, 0),
                )
            )
        return rows

    def missing_items(self, on: dt.date) -> list[ChecklistRow]:
        """Required checklist items the station has fewer of than the list asks."""
        return [r for r in self.checklist_status(on) if r.required and r.missing]

    # ---- figures ------------------------------------------------------------------
    def summary(self, on: dt.date) -> EquipmentSummary:
        """Counts by status and category, values and missing checklist items on ``on``."""
        assets = self.register(on)
        by_status = {label: 0 for label in STATUSES.values()}
        by_category = {label: 0 for label in CATEGORIES.values()}
        matrix = {c: {s: 0 for s in STATUSES.values()} for c in CATEGORIES.values()}
        value_by_category = {label: 0.0 for label in CATEGORIES.values()}
        in_use = 0
        in_use_value = 0.0
        for a in assets:
            by_status[a.status_label] += 1
            category = a.category_label or CATEGORIES["7"]
            matrix[category][a.status_label] += 1
            if a.status == SCRAPPED:
                continue
            by_category[category] += 1
            value_by_category[category] += a.price
            if a.status == IN_USE:
                in_use += 1
                in_use_value += a.price
        return EquipmentSummary(
            on=on,
            by_status=by_status,
            by_category=by_category,
            by_category_status=matrix,
            value_by_category={k: round(v, 2) for k, v in value_by_category.items()},
            total=sum(by_category.values()),
            total_value=round(sum(value_by_category.values()), 2),
            in_use=in_use,
            in_use_value=round(in_use_value, 2),
            missing_items=tuple(r.name for r in self.missing_items(on)),
        )


def _asset(row: Mapping[str, Any], values: dict[str, Any]) -> Asset:
    changed = row.get("_status_date")
    since = dt.date.fromisoformat(changed) if changed else values.get("purchase_date")
    return Asset(int(row["id"]), values, row.get("_status") or IN_USE, since)


def _purchase_date(conn: sqlite3.Connection, asset_id: Any) -> str | None:
    row = conn.execute(
        "SELECT purchase_date FROM e_equipment WHERE id = ? AND deleted = 0", (asset_id,)
    ).fetchone()
    return str(row[0]) if row else None


def _item_values(item: Any) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "quantity": item.quantity,
        "level": item.level,
        "note": item.note,
    }
