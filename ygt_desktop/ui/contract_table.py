"""Small pieces shared by the 家医签约 tabs: a table model over rows already computed
(lists of a few thousand at most), a read-only table view set up the house way, and
the village / team filter boxes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from ..core.dates import DateError, parse_date
from ..storage.entities import EntityRepo
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from .row_table import RowTableModel
from .selection import keep_selection
from .table_fit import fit_columns

T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], str]]


class RowsModel(RowTableModel[T]):
    """Rows of any kind shown through ``columns`` (header, text of a row); ``colour``
    gives a row's text colour (or None)."""

    def __init__(
        self, columns: Sequence[Column], colour: Callable[[T], str | None] | None = None
    ) -> None:
        super().__init__([header for header, _text in columns])
        self.columns = list(columns)
        self.colour = colour

    def cell(self, row: T, position: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[column][1](row)
        if role == Qt.ItemDataRole.ForegroundRole and self.colour is not None:
            colour = self.colour(row)
            return QColor(colour) if colour else None
        return None

    def texts(self) -> list[list[str]]:
        """Every row as the texts shown (for printing and export)."""
        return [[fn(r) for _h, fn in self.columns] for r in self.rows]

    def current(self, view: QTableView) -> T | None:
        row = view.currentIndex().row()
        return self.rows[row] if 0 <= row < len(self.rows) else None


def table_view(
    model: QAbstractTableModel,
    name: str,
    widths: Sequence[int] = (),
    on_enter: Callable[[], None] | None = None,
) -> QTableView:
    """A read-only, row-selecting table; Enter and double-click run ``on_enter``. Its
    columns fit their texts (``widths``: px a column gets at least) and the last takes
    the width left (:func:`~ygt_desktop.ui.table_fit.fit_columns`)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    keep_selection(view)  # a refresh keeps the selected record, by id
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.setAlternatingRowColors(True)
    fit_columns(view, at_least=dict(enumerate(widths)))
    if on_enter is not None:
        view.doubleClicked.connect(lambda _i: on_enter())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), view, activated=on_enter)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
    return view


def village_box(ws: Workspace, name: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItem("全部居委/村委", None)
    for v in villages(ws.store):
        box.addItem(f"{v.code} {v.name}", v.code)
    return box


def fill_team_box(ws: Workspace, box: QComboBox) -> None:
    """(Re)fill a team filter, keeping the team chosen (teams are edited on this page)."""
    chosen = box.currentData()
    box.blockSignals(True)
    box.clear()
    box.addItem("全部团队", None)
    for c in EntityRepo(ws.store, ws.forms["team"]).choices():
        box.addItem(c.label, c.code)
    box.setCurrentIndex(max(box.findData(chosen), 0))
    box.blockSignals(False)


def team_box(ws: Workspace, name: str, parent: QWidget | None = None) -> QComboBox:
    box = QComboBox(parent)
    box.setObjectName(name)
    fill_team_box(ws, box)
    return box


def day_from(edit: QLineEdit, error: QLabel) -> dt.date | None:
    """The day typed in ``edit`` (normalised back into it), or None with the reason."""
    try:
        day = parse_date(edit.text())
    except DateError as exc:
        error.setText(f"日期：{exc}")
        error.show()
        return None
    edit.setText(day.isoformat())
    error.setText("")
    error.hide()  # no empty line under the filters
    return day
