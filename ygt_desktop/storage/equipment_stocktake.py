"""The yearly equipment stocktake (设备盘点): start one, mark each asset, finish it.

A stocktake (``equipment_stocktake``) covers the assets on the register on its date —
purchased by then, not deleted and not 报废 on that day. Each asset gets one line
(``equipment_stocktake_line``): 找到, 缺失 or 状态变化 (with the status found and a note).
A stocktake can be finished once every asset has a line; from then on its lines are
frozen and its result is exactly those lines, whatever happens to the register later.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.forms import FormRegistry
from .entities import EntityRepo
from .equipment import SCRAPPED, STATUSES, Asset, Equipment
from .residents import Change

RESULTS = {"1": "找到", "2": "缺失", "3": "状态变化"}
FOUND, MISSING, CHANGED = "1", "2", "3"
NOT_MARKED = "未盘"


@dataclass(frozen=True)
class StocktakeItem:
    """An asset in a stocktake: the register's view on the stocktake date (``asset``,
    whose status is the book status) and what was found."""

    asset: Asset
    line_id: int | None = None
    result: str | None = None
    observed_status: str | None = None
    note: str | None = None

    @property
    def result_label(self) -> str:
        return RESULTS.get(self.result or "", NOT_MARKED)

    @property
    def observed_label(self) -> str:
        return STATUSES.get(self.observed_status or "", "")


@dataclass(frozen=True)
class StocktakeResult:
    id: int
    values: dict[str, Any]  # the stocktake form's values
    items: list[StocktakeItem]

    @property
    def finished(self) -> bool:
        return self.values.get("finished_date") is not None

    @property
    def counts(self) -> dict[str, int]:
        """Assets per result label (找到, 缺失, 状态变化, 未盘), zeros included."""
        counts = {label: 0 for label in (*RESULTS.values(), NOT_MARKED)}
        for item in self.items:
            counts[item.result_label] += 1
        return counts

    @property
    def total(self) -> int:
        return len(self.items)


class Stocktakes:
    def __init__(self, equipment: Equipment, forms: FormRegistry) -> None:
        self.equipment = equipment
        self.store = equipment.store
        self.repo = EntityRepo(
            self.store, forms["equipment_stocktake"], checks=[self._check_stocktake]
        )
        self.lines = EntityRepo(
            self.store, forms["equipment_stocktake_line"], checks=[self._check_line]
        )

    # ---- reads -------------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """Stocktakes not deleted, latest year first: form values plus ``id``."""
        form = self.repo.form
        return [
            {**form.from_sql(r), "id": r["id"]} for r in self.repo.rows(order="year DESC, id DESC")
        ]

    def result(self, stocktake_id: int) -> StocktakeResult:
        values = self.repo.values(stocktake_id)
        items = self._items(
            stocktake_id, values["stocktake_date"], values["finished_date"] is not None
        )
        return StocktakeResult(stocktake_id, values, items)

    def _items(self, stocktake_id: int, day: dt.date, frozen: bool) -> list[StocktakeItem]:
        form = self.lines.form
        lines = {
            int(r["asset_id"]): {**form.from_sql(r), "id": r["id"]}
            for r in self.lines.rows("stocktake_id = ?", (stocktake_id,))
        }
        scope = [] if frozen else self._scope(day)
        listed = {a.id for a in scope}
        extra = self.equipment.by_ids([i for i in lines if i not in listed], day)
        assets = sorted([*scope, *extra], key=lambda a: (str(a["asset_no"]), a.id))
        items = []
        for asset in assets:
            line = lines.get(asset.id)
            if line is None:
                items.append(StocktakeItem(asset))
            else:
                items.append(
                    StocktakeItem(
                        asset, line["id"], line["result"], line["observed_status"], line["note"]
                    )
                )
        return items

    def _scope(self, day: dt.date) -> list[Asset]:
        """The assets a stocktake on ``day`` covers: on the register, not 报废."""
        return [a for a in self.equipment.register(day) if a.status != SCRAPPED]

    # ---- writes ------------------------------------------------------------------
    def start(self, raw: Mapping[str, Any]) -> Change:
        """A new stocktake (year, date, 盘点人, 负责人); see :meth:`EntityRepo.save`."""
        return self.repo.save(raw)

    def mark(
        self,
        stocktake_id: int,
        asset_id: int,
        result: str,
        observed_status: str | None = None,
        note: str | None = None,
    ) -> Change:
        """Set an asset's line to ``result`` (and, for 状态变化, the status found) with
        ``note``; raises ValidationFailed (nothing written) when the stocktake is
        finished, the asset not in it, or the status found missing."""
        existing = self.lines.rows("stocktake_id = ? AND asset_id = ?", (stocktake_id, asset_id))
        values = {
            "stocktake_id": stocktake_id,
            "asset_id": asset_id,
            "result": result,
            "observed_status": observed_status,
            "note": note,
        }
        return self.lines.save(values, existing[0]["id"] if existing else None)

    def finish(self, stocktake_id: int, day: dt.date) -> Change:
        """Close the stocktake on ``day``; refused while an asset has no result."""
        return self.repo.save({"finished_date": day}, stocktake_id)

    # ---- checks (inside the write transaction) ------------------------------------
    def _check_stocktake(
        self, values: Mapping[str, Any], entity_id: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        year, day = values["year"], values["stocktake_date"]
        if day.year not in (year, year + 1):
            return {"stocktake_date": f"盘点日期应在 {year} 年内或次年年初"}
        if values.get("finished_date") is not None:
            if entity_id is None:
                items = [StocktakeItem(a) for a in self._scope(day)]
            else:
                was_finished = (
                    conn.execute(
                        "SELECT finished_date FROM e_equipment_stocktake WHERE id = ?", (entity_id,)
                    ).fetchone()[0]
                    is not None
                )
                items = self._items(entity_id, day, was_finished)
            open_items = sum(1 for i in items if i.result is None)
            if open_items:
                return {"finished_date": f"还有 {open_items} 台设备未盘点，请先逐台标记结果"}
        return {}

    def _check_line(
        self, values: Mapping[str, Any], entity_id: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        row = conn.execute(
            "SELECT stocktake_date, finished_date FROM e_equipment_stocktake "
            "WHERE id = ? AND deleted = 0",
            (values["stocktake_id"],),
        ).fetchone()
        if row is None:
            return {"stocktake_id": "该盘点不存在或已删除"}
        if row[1] is not None:
            return {"result": f"本次盘点已于 {row[1]} 结束，结果不能再修改"}
        asset_id = int(values["asset_id"])
        if (
            entity_id is None
            or not conn.execute(
                "SELECT 1 FROM e_equipment_stocktake_line WHERE id = ? AND asset_id = ?",
                (entity_id, asset_id),
            ).fetchone()
        ):
            day = dt.date.fromisoformat(row[0])
            in_scope = any(a.id == asset_id for a in self._scope(day))
            if not in_scope:
                return {
                    "asset_id": "该设备不在本次盘点范围内（盘点日期时尚未购置、已报废或已删除）"
                }
        other = conn.execute(
            "SELECT 1 FROM e_equipment_stocktake_line WHERE deleted = 0 AND stocktake_id = ? "
            "AND asset_id = ? AND id IS NOT ?",
            (values["stocktake_id"], asset_id, entity_id),
        ).fetchone()
        if other is not None:
            return {"asset_id": "该设备在本次盘点中已有结果"}
        return {}
