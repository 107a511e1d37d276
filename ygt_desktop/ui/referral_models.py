"""Table models of the 转诊 page: open suggestions and referrals of a period."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..core import schedules as sch
from ..storage.referrals import DIRECTIONS, UP, URGENCIES, Suggestion
from .row_table import RowTableModel

_Index = QModelIndex | QPersistentModelIndex
RED, AMBER, GREY = "#c62828", "#b26a00", "#808080"
FOLLOWUP_COLOURS = {sch.OVERDUE: RED, sch.DUE: AMBER, sch.UPCOMING: AMBER, sch.DONE: GREY}


class _Rows(RowTableModel[Any]):
    """A read-only table over a list of rows; subclasses give columns and cells."""

    columns: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__(self.columns)

    def cell(self, row: Any, position: int, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = self.colour(row, column)
            return QColor(colour) if colour else None
        return None

    def text(self, row: Any, column: int) -> str:
        raise NotImplementedError

    def colour(self, row: Any, column: int) -> str | None:
        return None


class SuggestionModel(_Rows):
    columns = ("服务日期", "姓名", "档案号", "服务项目", "建议", "规则提示")

    def row_key(self, row: Suggestion) -> int:
        return row.record_id  # a suggestion is its service record

    def text(self, row: Suggestion, column: int) -> str:
        cells = (
            row.service_date.isoformat(),
            row.name,
            row.archive_no,
            row.form_label,
            row.level_label,
            "；".join(row.messages),
        )
        return cells[column]

    def colour(self, row: Suggestion, column: int) -> str | None:
        return RED if row.level == "urgent" else None


class ReferralModel(_Rows):
    columns = (
        "转诊日期",
        "方向",
        "姓名",
        "紧急程度",
        "转出机构",
        "转入机构及科室",
        "初步诊断",
        "接收确认",
        "2周内随访",
    )

    def text(self, row: dict[str, Any], column: int) -> str:
        to = " ".join(p for p in (row["to_institution"], row["to_department"]) if p)
        receipt = (row["receipt_date"] or "已确认") if row["receipt_confirmed"] else "未确认"
        cells = (
            row["referral_date"],
            DIRECTIONS.get(row["direction"], ""),
            row["name"] or "",
            URGENCIES.get(row["urgency"], ""),
            row["from_institution"] or "",
            to,
            row["diagnosis"] or "",
            receipt,
            followup_text(row),
        )
        return cells[column]

    def colour(self, row: dict[str, Any], column: int) -> str | None:
        if column == 8:
            return FOLLOWUP_COLOURS.get(row["followup"] or "")
        if column == 3 and row["urgency"] == "1":
            return RED
        return None


def followup_text(row: dict[str, Any]) -> str:
    """The 2-week follow-up of an up-referral as the list shows it."""
    if row["direction"] != UP:
        return "—"
    status = row["followup"]
    if status == sch.DONE:
        return f"已随访 {row['followup_date']}"
    if status in (sch.DUE, sch.UPCOMING):
        return f"待随访（{row['followup_by'].isoformat()} 前）"
    return f"逾期未随访（应于 {row['followup_by'].isoformat()} 前）"
