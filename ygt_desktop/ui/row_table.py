"""The one read-only table model over rows already in memory (lists of a few thousand at
most: contracts, referrals, assets, bureau members …).

:class:`RowTableModel` keeps Qt's contract (checked with pytest-qt's ``qtmodeltester``):
counts are zero under a valid parent, invalid or out-of-range indexes give ``None``,
horizontal headers are the column titles (vertical ones the row numbers when
``numbered``), and the rows are replaced whole by :meth:`set_rows`. What a cell shows
in each role is the one thing a page's model says, in :meth:`cell`. Used on the UI
thread only.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


class RowTableModel(QAbstractTableModel, Generic[T]):
    """Rows of any type under fixed column titles; subclasses say what a cell shows."""

    numbered = False  # the vertical header shows 1, 2, 3 …

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self.rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        """Show ``rows`` instead of what was shown (a model reset)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, position: int) -> T | None:
        return self.rows[position] if 0 <= position < len(self.rows) else None

    def row_key(self, row: T) -> Hashable | None:
        """The record a row shows (its ``id``), which a view's selection follows across
        :meth:`set_rows` (see :mod:`ygt_desktop.ui.selection`); None for a row that is
        no record. Subclasses whose rows name their record otherwise override this."""
        if isinstance(row, Mapping):
            return row.get("id")
        return getattr(row, "id", None)  # type: ignore[no-any-return]

    def key_at(self, position: int) -> Hashable | None:
        row = self.row_at(position)
        return None if row is None else self.row_key(row)

    def position_of(self, key: Hashable) -> int | None:
        """Where the row of record ``key`` now is; None when it is not shown."""
        for position, row in enumerate(self.rows):
            if self.row_key(row) == key:
                return position
        return None

    def cell(self, row: T, position: int, column: int, role: int) -> Any:
        """What the cell at ``column`` of ``row`` (the ``position``-th row) shows in
        ``role``; None for nothing. Only called for indexes inside the table."""
        raise NotImplementedError

    # ---- Qt's model contract -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt API
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        if (
            orientation == Qt.Orientation.Vertical
            and self.numbered
            and 0 <= section < len(self.rows)
        ):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or index.parent().isValid()
            or not 0 <= index.row() < len(self.rows)
            or not 0 <= index.column() < len(self.headers)
        ):
            return None
        return self.cell(self.rows[index.row()], index.row(), index.column(), role)
