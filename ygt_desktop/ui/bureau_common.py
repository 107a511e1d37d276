"""Pieces the bureau pages share: a table model over rows of text, the period box, and
the file and folder choosers (module functions, so tests replace them with
``monkeypatch`` instead of driving a modal dialog)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHeaderView,
    QTableView,
    QWidget,
)

from ..core.report_model import Period
from .files import default_folder
from .report_page import recent_periods
from .row_table import RowTableModel

_Index = QModelIndex | QPersistentModelIndex
RED = QColor("#fde0dc")
AMBER = QColor("#fff3cd")
GREY = QColor("#757575")
RED_TEXT = QColor("#c62828")


class RowsModel(RowTableModel[tuple[str, ...]]):
    """Rows of text under fixed column titles; a row may have a background and a text
    colour (the whole row) and a tooltip. Read-only; replaced whole by :meth:`set_rows`."""

    def __init__(self, columns: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(columns, parent)
        self.columns = self.headers
        self.backgrounds: list[QColor | None] = []
        self.foregrounds: list[QColor | None] = []
        self.tips: list[str] = []
        self.right_aligned: set[int] = set()

    def set_rows(
        self,
        rows: Sequence[Sequence[str]],
        backgrounds: Sequence[QColor | None] | None = None,
        foregrounds: Sequence[QColor | None] | None = None,
        tips: Sequence[str] | None = None,
    ) -> None:
        self.beginResetModel()
        self.rows = [tuple(str(c) for c in r) for r in rows]
        n = len(self.rows)
        self.backgrounds = list(backgrounds) if backgrounds is not None else [None] * n
        self.foregrounds = list(foregrounds) if foregrounds is not None else [None] * n
        self.tips = list(tips) if tips is not None else [""] * n
        self.endResetModel()

    def cell(self, row: tuple[str, ...], position: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row[column] if column < len(row) else ""
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.backgrounds[position]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foregrounds[position]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tips[position] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.right_aligned:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def table_view(model: QAbstractTableModel, name: str, widths: Sequence[int]) -> QTableView:
    """A read-only, row-selecting, sortable-looking table with the given column widths."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    width = view.fontMetrics().horizontalAdvance("中")  # scale with the font (125–150 %)
    for col, chars in enumerate(widths):
        view.setColumnWidth(col, chars * width)
    return view


def period_box(name: str, *, any_period: bool = False) -> QComboBox:
    """Ended quarters, newest first (typing 2026Q3 works too); with ``any_period`` a
    first item 不限统计期 whose data is empty."""
    box = QComboBox()
    box.setObjectName(name)
    box.setEditable(True)
    if any_period:
        box.addItem("不限统计期（任何已结束的季度）", "")
    for period in recent_periods(dt.date.today()):
        box.addItem(f"{period}　{period.label}", str(period))
    box.setCurrentIndex(1 if any_period and box.count() > 1 else 0)
    return box


def chosen_period(box: QComboBox) -> Period | None:
    """The period chosen or typed; None for 不限统计期. Raises PeriodError (Chinese) for
    text that is not a period."""
    i = box.currentIndex()
    if i >= 0 and box.currentText() == box.itemText(i):
        data = box.itemData(i)
        return Period.parse(str(data)) if data else None
    words = box.currentText().split()
    if not words or words[0].startswith("不限"):
        return None
    return Period.parse(words[0])


def choose_open_files(parent: QWidget | None, title: str, file_filter: str) -> list[Path]:
    names, _filter = QFileDialog.getOpenFileNames(parent, title, str(default_folder()), file_filter)
    return [Path(n) for n in names]


def choose_open_file(parent: QWidget | None, title: str, file_filter: str) -> Path | None:
    name, _filter = QFileDialog.getOpenFileName(parent, title, str(default_folder()), file_filter)
    return Path(name) if name else None


def choose_folder(parent: QWidget | None, title: str) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title, str(default_folder()))
    return Path(name) if name else None


def choose_save(
    parent: QWidget | None, title: str, file_name: str, file_filter: str, suffixes: Sequence[str]
) -> Path | None:
    """Where to save: a name typed without one of ``suffixes`` gets the first."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, title, str(default_folder() / file_name), file_filter
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() in suffixes else path.with_name(path.name + suffixes[0])
