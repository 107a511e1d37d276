"""Selection follows the record id across a model's resets (ui/selection.py), also
through a sorting proxy; a record no longer listed leaves nothing selected."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from ygt_desktop.ui.row_table import RowTableModel
from ygt_desktop.ui.selection import keep_selection


class People(RowTableModel[dict]):
    def cell(self, row, position, column, role):
        return row["name"] if role == Qt.ItemDataRole.DisplayRole else None


def rows(*ids: int) -> list[dict]:
    return [{"id": i, "name": "李秀英"} for i in ids]  # namesakes: only the id differs


def view_of(qtbot, model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    qtbot.addWidget(view)
    keep_selection(view)
    return view


def selected_key(view: QTableView, model: People):
    index = view.currentIndex()
    rows_selected = view.selectionModel().selectedRows()
    if not index.isValid() or not rows_selected:
        return None
    proxy = view.model()
    if proxy is not model:
        index = proxy.mapToSource(index)
    return model.key_at(index.row())


def test_a_reset_keeps_the_record_not_the_row(qtbot):
    model = People(["姓名"])
    model.set_rows(rows(1, 2, 3, 4))
    view = view_of(qtbot, model)
    view.selectRow(2)  # id 3
    model.set_rows(rows(9, 3, 1, 2, 4))  # someone saved; the order changed
    assert selected_key(view, model) == 3
    assert view.currentIndex().row() == 1
    model.set_rows(rows(1, 2, 4))  # id 3 gone: nobody else is selected instead
    assert selected_key(view, model) is None
    assert not view.selectionModel().selectedRows()


def test_through_a_sorting_proxy(qtbot):
    model = People(["姓名"])
    model.set_rows(rows(5, 1, 3))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    view = view_of(qtbot, proxy)
    view.selectRow(0)
    chosen = selected_key(view, model)
    model.set_rows(rows(7, 8, *reversed([5, 1, 3])))
    assert selected_key(view, model) == chosen


def test_rows_without_an_id_keep_nothing(qtbot):
    class Plain(RowTableModel[tuple]):
        def cell(self, row, position, column, role):
            return row[column] if role == Qt.ItemDataRole.DisplayRole else None

    model = Plain(["a"])
    model.set_rows([("x",), ("y",)])
    view = view_of(qtbot, model)
    view.selectRow(1)
    model.set_rows([("y",), ("x",)])
    assert not view.selectionModel().selectedRows()
