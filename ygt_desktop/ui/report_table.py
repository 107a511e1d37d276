"""The indicator table of the 报表 page: one row per indicator, sections numbered,
values against targets with the shortfall highlighted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ..core.report_model import COUNT, IndicatorDef, Report
from .row_table import RowTableModel

COLUMNS = ("序号", "项目", "指标", "分子", "分母", "数值", "目标", "备注")
NUMERALS = "一二三四五六七八九十"
SHORT = QColor("#fde0dc")
SHORT_TEXT = QColor("#c62828")


def numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (sections rarely pass twenty)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def short_of_target(ind: IndicatorDef, value: float | None) -> bool:
    return ind.target is not None and value is not None and value < ind.target


class ReportTableModel(RowTableModel[tuple[str, str, IndicatorDef]]):
    """Rows (序号, 项目, indicator) of the report shown."""

    def __init__(self) -> None:
        super().__init__(COLUMNS)
        self.report: Report | None = None

    def set_report(self, report: Report | None) -> None:
        rows: list[tuple[str, str, IndicatorDef]] = []
        if report is not None:
            seen: list[str] = []
            for ind in report.template.indicators:
                first = ind.section not in seen
                if first:
                    seen.append(ind.section)
                name = report.template.section(ind.section).name
                rows.append((numeral(len(seen)) if first else "", name if first else "", ind))
        self.report = report
        self.set_rows(rows)

    def indicator(self, row: int) -> IndicatorDef:
        return self.rows[row][2]

    def cell(
        self, row: tuple[str, str, IndicatorDef], position: int, column: int, role: int
    ) -> Any:
        if self.report is None:
            return None
        numeral_, section, ind = row
        v = self.report.values.get(ind.code)
        value = v.value if v else None
        if role == Qt.ItemDataRole.DisplayRole:
            cells = (
                numeral_,
                section,
                ind.label,
                number(v.numerator) if v else "",
                "" if ind.kind == COUNT or v is None else number(v.denominator),
                f"{value:.1f}" if value is not None and ind.kind != COUNT else number(value),
                f"≥{number(ind.target)}" if ind.target is not None else "",
                (v.missing or "") if v else "",
            )
            return cells[column]
        if role == Qt.ItemDataRole.BackgroundRole and short_of_target(ind, value):
            return SHORT
        if role == Qt.ItemDataRole.ForegroundRole and (
            short_of_target(ind, value)
            and column == 5
            or v is not None
            and v.missing
            and column == 7
        ):
            return SHORT_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and 3 <= column <= 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{ind.code}　回车查看名单" if ind.kind != COUNT else ind.code
        return None
