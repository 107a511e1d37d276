"""The indicator table of the 报表 page: one row per indicator, sections numbered,
values against targets with the shortfall highlighted."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..core.report_model import COUNT, IndicatorDef, Report

COLUMNS = ("序号", "项目", "指标", "分子", "分母", "数值", "目标", "备注")
NUMERALS = "一二三四五六七八九十"
SHORT = QColor("#fde0dc")
SHORT_TEXT = QColor("#c62828")
_Index = QModelIndex | QPersistentModelIndex


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


class ReportTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self.rows: list[tuple[str, str, IndicatorDef]] = []  # (序号, 项目, indicator)

    def set_report(self, report: Report | None) -> None:
        self.beginResetModel()
        self.report = report
        self.rows = []
        if report is not None:
            seen: list[str] = []
            for ind in report.template.indicators:
                first = ind.section not in seen
                if first:
                    seen.append(ind.section)
                name = report.template.section(ind.section).name
                self.rows.append((numeral(len(seen)) if first else "", name if first else "",
                                  ind))
        self.endResetModel()

    def indicator(self, row: int) -> IndicatorDef:
        return self.rows[row][2]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.report is None:
            return None
        numeral_, section, ind = self.rows[index.row()]
        v = self.report.values.get(ind.code)
        value = v.value if v else None
        if role == Qt.ItemDataRole.DisplayRole:
            cells = (numeral_, section, ind.label,
                     number(v.numerator) if v else "",
                     "" if ind.kind == COUNT or v is None else number(v.denominator),
                     f"{value:.1f}" if value is not None and ind.kind != COUNT else number(value),
                     f"≥{number(ind.target)}" if ind.target is not None else "",
                     (v.missing or "") if v else "")
            return cells[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and short_of_target(ind, value):
            return SHORT
        if role == Qt.ItemDataRole.ForegroundRole and (
                short_of_target(ind, value) and index.column() == 5
                or v is not None and v.missing and index.column() == 7):
            return SHORT_TEXT
        if role == Qt.ItemDataRole.TextAlignmentRole and 3 <= index.column() <= 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{ind.code}　回车查看名单" if ind.kind != COUNT else ind.code
        return None
