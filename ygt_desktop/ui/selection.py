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
provide both. A sorting or filtering proxy in front of such a model is looked through.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from PySide6.QtCore import QAbstractItemModel, QAbstractProxyModel, QItemSelectionModel, QObject
from PySide6.QtWidgets import QAbstractItemView


class Keyed(Protocol):
    def key_at(self, position: int) -> Hashable | None: ...

    def position_of(self, key: Hashable) -> int | None: ...


class _Through:
    """A keyed model seen through a proxy (sorting, filtering): positions are the
    proxy's rows."""

    def __init__(self, proxy: QAbstractProxyModel, source: Keyed) -> None:
        self.proxy = proxy
        self.source = source

    def key_at(self, position: int) -> Hashable | None:
        index = self.proxy.mapToSource(self.proxy.index(position, 0))
        return self.source.key_at(index.row()) if index.isValid() else None

    def position_of(self, key: Hashable) -> int | None:
        found = self.source.position_of(key)
        if found is None:
            return None
        source = self.proxy.sourceModel()
        index = self.proxy.mapFromSource(source.index(found, 0))
        return index.row() if index.isValid() else None


def keyed(model: QAbstractItemModel | None) -> Keyed | None:
    """``model`` as a :class:`Keyed` (looking through proxies); None when its rows
    name no record."""
    if isinstance(model, QAbstractProxyModel):
        source = keyed(model.sourceModel())
        return None if source is None else _Through(model, source)
    if model is not None and hasattr(model, "key_at") and hasattr(model, "position_of"):
        return model  # type: ignore[return-value]
    return None


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
        return keyed(self.view.model())

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
    found = keyed(model)
    position = found.position_of(key) if found is not None else None
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
