"""A repeating group's input (``type = "rows"``, :mod:`..core.rows`): a small grid, one
line per row (medicines, diseases, hospital stays), one input per column.

Keyboard first: Tab goes through the cells in reading order and on to the next field
after the last cell; Ctrl+Enter adds a line and puts the cursor in its first cell;
Ctrl+Delete removes the line the cursor is in. Values go in and out as typed (text,
or a choice's code): the form engine parses them, leaves empty lines out and names a
wrong cell by its line as seen here (``用药情况第2行：请填写药物名称``); the cell is
outlined in red with the message as its tooltip until it is put right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.forms import FieldDef
from ..core.rows import process_rows
from .choice_combo import ChoiceCombo
from .field_editor import choice_text
from .widgets import error_label

WRONG = "QLineEdit, QComboBox { border: 1px solid #c00000; }"
# Room per column in characters, by type (a name takes more than a count).
_CHARS = {"int": 5, "decimal": 7, "date": 10, "month": 7, "choice": 8, "text": 10}


class _Keys(QObject):
    """Ctrl+Enter adds a line, Ctrl+Delete removes the current one (any cell)."""

    def __init__(self, editor: RowsEditor) -> None:
        super().__init__(editor.widget)
        self.editor = editor

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.editor.add_line(focus=True)
            return True
        if event.key() == Qt.Key.Key_Delete and isinstance(obj, QWidget):
            self.editor.remove_line_of(obj)
            return True
        return False


class RowsEditor:
    """The grid of one rows field; the :class:`~.field_editor.Editor` protocol."""

    def __init__(self, field: FieldDef) -> None:
        self.field = field
        self.error = error_label()
        self.error.hide()
        self.error.setObjectName(f"error_{field.id}")
        self.widget = QWidget()
        self.widget.setObjectName(f"field_{field.id}")
        self.lines: list[list[QWidget]] = []
        self._slots: list[Callable[[], None]] = []
        self._keys = _Keys(self)
        self._locked = False
        outer = QVBoxLayout(self.widget)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(4)
        self.grid.setVerticalSpacing(2)
        self.grid.addWidget(QLabel(""), 0, 0)
        metrics = self.widget.fontMetrics()
        for col, c in enumerate(field.columns, start=1):
            head = QLabel(
                c.label + ("＊" if c.required else "") + (f"（{c.unit}）" if c.unit else "")
            )
            head.setObjectName(f"head_{field.id}_{c.id}")
            self.grid.addWidget(head, 0, col)
            width = metrics.horizontalAdvance("中") * _CHARS.get(c.type, 10)
            self.grid.setColumnMinimumWidth(col, max(width, head.sizeHint().width()))
            self.grid.setColumnStretch(col, 3 if c.type == "text" else 1)
        outer.addLayout(self.grid)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("添加一行（Ctrl+Enter）")
        self.add_button.setObjectName(f"add_{field.id}")
        self.add_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes on to the next field
        self.add_button.clicked.connect(lambda: self.add_line(focus=True))
        self.remove_button = QPushButton("删除当前行（Ctrl+Delete）")
        self.remove_button.setObjectName(f"remove_{field.id}")
        self.remove_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.remove_button.clicked.connect(self._remove_focused)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        outer.addLayout(buttons)
        self._new_line()
        self._update_buttons()

    # ---- lines ---------------------------------------------------------------------
    def _cell(self, c: FieldDef) -> QWidget:
        if c.type == "choice":
            combo = ChoiceCombo()
            combo.addItem("", None)
            for choice in c.choices:
                combo.addItem(choice_text(c, choice), choice.code)
            widget: QWidget = combo
        else:
            edit = QLineEdit()
            if c.max_length:
                edit.setMaxLength(c.max_length)
            if c.type == "date":
                edit.setPlaceholderText("YYYY-MM-DD")
            elif c.type == "month":
                edit.setPlaceholderText("YYYY-MM")
            widget = edit
        widget.installEventFilter(self._keys)
        for slot in self._slots:
            _connect(widget, slot)
        return widget

    def add_line(self, *, focus: bool = False) -> None:
        """A new empty line at the end (not beyond ``max_rows``), in the Tab order
        after the last one."""
        if self._locked or (
            self.field.max_rows is not None and len(self.lines) >= self.field.max_rows
        ):
            return
        before = self.lines[-1][-1] if self.lines else None
        after = before.nextInFocusChain() if before is not None else None
        cells = self._new_line()
        _chain([before, *cells, after if after is not before else None])
        self._update_buttons()
        if focus:
            cells[0].setFocus()
            self._changed()

    def _new_line(self) -> list[QWidget]:
        row = len(self.lines) + 1
        number = QLabel(str(row))
        number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(number, row, 0)
        cells = [self._cell(c) for c in self.field.columns]
        for col, cell in enumerate(cells, start=1):
            cell.setObjectName(f"cell_{self.field.id}_{row}_{self.field.columns[col - 1].id}")
            self.grid.addWidget(cell, row, col)
        if self.widget.isVisible():  # a layout shows a new child only later
            for widget in (number, *cells):
                widget.show()
        self.lines.append(cells)
        return cells

    def remove_line_of(self, widget: QWidget) -> None:
        """Remove the line ``widget`` is a cell of (one empty line stays)."""
        for i, cells in enumerate(self.lines):
            if widget in cells:
                self._remove(i)
                return

    def _remove_focused(self) -> None:
        focused = self.widget.focusWidget()
        if focused is not None:
            self.remove_line_of(focused)

    def _remove(self, index: int) -> None:
        if self._locked:
            return
        values = self.raw()
        del values[index]
        self._fill(values or [{}])
        self._changed()
        if self.lines:
            self.lines[min(index, len(self.lines) - 1)][0].setFocus()

    def _update_buttons(self) -> None:
        full = self.field.max_rows is not None and len(self.lines) >= self.field.max_rows
        self.add_button.setEnabled(not self._locked and not full)
        self.remove_button.setEnabled(not self._locked)

    def _changed(self) -> None:
        for slot in self._slots:
            slot()

    def _fill(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Exactly ``rows`` lines (one at least), holding these raw values (text or
        codes), where the old lines were in the Tab order."""
        before = self.lines[0][0].previousInFocusChain() if self.lines else None
        after = self.lines[-1][-1].nextInFocusChain() if self.lines else None
        while self.lines:
            cells = self.lines.pop()
            number = self.grid.itemAtPosition(len(self.lines) + 1, 0)
            for widget in [number.widget() if number else None, *cells]:
                if widget is not None:
                    self.grid.removeWidget(widget)
                    widget.setParent(None)  # out of the Tab order at once
                    widget.deleteLater()
        for given in rows or [{}]:
            if self.field.max_rows is not None and len(self.lines) >= self.field.max_rows:
                break
            for c, cell in zip(self.field.columns, self._new_line(), strict=True):
                _set(cell, given.get(c.id))
        if before is not None or after is not None:
            _chain([before, *self.focus_widgets(), after])
        self._update_buttons()

    # ---- the Editor protocol ---------------------------------------------------------
    def raw(self) -> list[dict[str, Any]]:
        return [
            {c.id: _get(cell) for c, cell in zip(self.field.columns, cells, strict=True)}
            for cells in self.lines
        ]

    def set_value(self, value: Any) -> None:
        rows = value if isinstance(value, list | tuple) else []
        shown = [
            {
                c.id: (
                    row.get(c.id)  # a code, nothing, or text as typed
                    if c.type == "choice" or row.get(c.id) is None or isinstance(row.get(c.id), str)
                    else c.field_type.display(row.get(c.id), c)
                )
                for c in self.field.columns
            }
            for row in rows
            if isinstance(row, Mapping)
        ]
        self._fill(shown)
        self._mark({})

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        for cells in self.lines:
            for cell in cells:
                if isinstance(cell, QLineEdit):
                    cell.setReadOnly(locked)
                else:
                    cell.setEnabled(not locked)
        self._update_buttons()

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self._mark(process_rows(self.raw(), self.field).cells if message else {})

    def _mark(self, cells: Mapping[tuple[int, str], str]) -> None:
        for line, widgets in enumerate(self.lines, start=1):
            for c, cell in zip(self.field.columns, widgets, strict=True):
                text = cells.get((line, c.id))
                cell.setStyleSheet(WRONG if text else "")
                cell.setToolTip(text or "")

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self._slots.append(slot)
        for cells in self.lines:
            for cell in cells:
                _connect(cell, slot)

    def focus_widgets(self) -> list[QWidget]:
        return [cell for cells in self.lines for cell in cells]

    def focus(self) -> None:
        wrong = [
            cell
            for cells in self.lines
            for cell in cells
            if cell.toolTip()  # a cell with a message
        ]
        (wrong or self.focus_widgets())[0].setFocus()


def _chain(widgets: Sequence[QWidget | None]) -> None:
    """Tab goes through ``widgets`` in this order (None: no such neighbour)."""
    present = [w for w in widgets if w is not None]
    for first, second in zip(present, present[1:], strict=False):
        QWidget.setTabOrder(first, second)


def _connect(widget: QWidget, slot: Callable[[], None]) -> None:
    if isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda *_: slot())
    elif isinstance(widget, QLineEdit):
        widget.textChanged.connect(lambda *_: slot())


def _get(widget: QWidget) -> Any:
    if isinstance(widget, QComboBox):
        return widget.currentData()
    assert isinstance(widget, QLineEdit)
    return widget.text()


def _set(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QComboBox):
        index = widget.findData(value) if value is not None else 0
        widget.setCurrentIndex(max(index, 0))
    else:
        assert isinstance(widget, QLineEdit)
        widget.setText("" if value is None else str(value))
        widget.setCursorPosition(0)
