"""Selection follows the record, never the row.

A list that is refreshed, re-searched or re-sorted is a model reset: Qt then forgets
the current row, and a page that re-selects "row 0" or "the same row number" puts the
user on another person (issue 12: after saving a new 李秀英 the list selected an older
李秀英, and a follow-up went onto her). :func:`keep_selection` makes a view remember the
record id of its current row before every reset of its model and select that record
again after it — wherever it now is, or nothing when it is no longer listed.

The model says what a row's record is: ``key_at(position)`` gives the record id of a
row (None for a row without one) and ``position_of(key)`` where a record now is (None
when absent). :class:`~ygt_desktop.ui.row_table.RowTableModel` and the resident list
provide both.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, QObject
from PySide6.QtWidgets import QAbstractItemView


class Keyed(Protocol):
    def key_at(self, position: int) -> Hashable | None: ...

    def position_of(self, key: Hashable) -> int | None: ...


class KeptSelection(QObject):
    """Keeps ``view``'s current row on the same record across its model's resets."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._key: Hashable | None = None
        model = view.model()
        model.modelAboutToBeReset.connect(self._remember)
        # Connected after the view's own slot (set in setModel): runs once the view has
        # dropped its current index, so the selection made here stays.
        model.modelReset.connect(self._restore)

    def _keyed(self) -> Keyed | None:
        model = self.view.model()
        return model if hasattr(model, "key_at") and hasattr(model, "position_of") else None  # type: ignore[return-value]

    def _remember(self) -> None:
        model = self._keyed()
        index = self.view.currentIndex()
        has_selection = self.view.selectionModel() is not None and bool(
            self.view.selectionModel().selectedRows()
        )
        self._key = (
            model.key_at(index.row())
            if model is not None and index.isValid() and has_selection
            else None
        )

    def _restore(self) -> None:
        key, self._key = self._key, None
        if key is not None:
            select_key(self.view, key)

    @property
    def current_key(self) -> Hashable | None:
        """The record id of the view's current, selected row (None when none)."""
        model = self._keyed()
        index = self.view.currentIndex()
        if model is None or not index.isValid():
            return None
        return model.key_at(index.row())


def keep_selection(view: QAbstractItemView) -> KeptSelection:
    """Make ``view`` (whose model is set and is :class:`Keyed`) keep its record selected
    across model resets. Call once, after ``view.setModel``."""
    return KeptSelection(view)


def select_key(view: QAbstractItemView, key: Hashable) -> bool:
    """Select the row of record ``key`` (scrolled into view); False when it is not
    listed — then nothing is selected, never another record."""
    model = view.model()
    position = model.position_of(key) if hasattr(model, "position_of") else None
    selection = view.selectionModel()
    if position is None:
        if selection is not None:
            selection.clearSelection()
        return False
    index = model.index(position, 0)
    flags = (
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )
    if selection is not None:
        selection.setCurrentIndex(index, flags)
    view.scrollTo(index)
    return True


def select_first_if_none(view: QAbstractItemView) -> None:
    """Select the first row when nothing is selected and the list is not empty (the
    convenience after a new search: Enter then opens the one match)."""
    selection = view.selectionModel()
    model = view.model()
    if selection is None or selection.selectedRows() or not model.rowCount():
        return
    index = model.index(0, 0)
    selection.setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    view.scrollTo(index)
