"""A read-only table model over rows a storage query returned (assets, stocktake items).

The lists of the 设备 page are short (a station has tens to a few hundred assets), so the
page reads them whole and hands them here; columns say how a row is shown and sorted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from .row_table import RowTableModel

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole
RED = QColor("#c62828")
GREY = QColor("#777777")


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    text: Callable[[T], str]
    sort: Callable[[T], Any] | None = None  # default: the text
    right: bool = False  # numbers


class RowsModel(RowTableModel[T]):
    """Rows of any type shown through ``columns``; ``color`` picks a row's text colour.
    The vertical header numbers the rows."""

    numbered = True

    def __init__(
        self, columns: Sequence[Column[T]], color: Callable[[T], QColor | None] | None = None
    ) -> None:
        super().__init__([c.header for c in columns])
        self.columns = list(columns)
        self.color = color

    def cell(self, row: T, position: int, column: int, role: int) -> Any:
        shown = self.columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown.text(row)
        if role == SORT_ROLE:
            return shown.sort(row) if shown.sort else shown.text(row)
        if role == Qt.ItemDataRole.ForegroundRole and self.color is not None:
            return self.color(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and shown.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
