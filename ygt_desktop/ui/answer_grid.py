"""Questions answered on one five-point scale, as a grid: a row per question, the answers
as columns (the 33 questions of 老年人中医药健康管理服务记录表).

:func:`grid_runs` finds such runs in a form definition (consecutive ``choice`` fields with
the five answer codes 1–5 and nothing conditional about them), so no form needs a flag. Each row is still its own field: :class:`GridRow` has the interface of a field
editor (``raw``/``set_value``/``show_error``/``connect_changed``/``focus``), so
validation, saving, dirty tracking and loading a record work as for any field.

Keyboard: keys 1–5 answer the current row and move to the next one (after the last row,
focus moves on to the next field); Up/Down move; Delete or Backspace clears the answer;
Tab and Enter leave the grid. A click on an answer cell chooses it.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QTableView,
    QWidget,
)

from ..core.forms import FieldDef

GRID_CODES = ("1", "2", "3", "4", "5")  # in this order: key N is the N-th column
GRID_MIN_ROWS = 4  # fewer questions read better as ordinary fields
CHOSEN, OPEN = "●", "○"
CHOSEN_BACKGROUND = QColor("#cfe3ff")
ERROR_BACKGROUND = QColor("#fdecea")
ERROR_TEXT = QColor("#c62828")
ANSWER_CHARS = 7  # an answer column is this many characters wide; longer labels wrap
QUESTION_MIN = 3  # the question column is at least this many answer columns wide
ROW_PADDING = 12  # pixels above and below a row's text, together

Index = QModelIndex | QPersistentModelIndex


def grid_field(field: FieldDef) -> bool:
    """A question that can be a grid row: five answers coded 1–5 in that order (a scale
    listed 5 to 1 stays a list: key 1 would choose the rightmost column), always asked,
    typed."""
    return (
        field.type == "choice"
        and tuple(c.code for c in field.choices) == GRID_CODES
        and field.relevant is None
        and field.compute is None
        and field.derived is None
        and not field.readonly
    )


def grid_runs(fields: Sequence[FieldDef]) -> list[tuple[int, int]]:
    """The ``(start, stop)`` index ranges of ``fields`` shown as a grid: at least
    :data:`GRID_MIN_ROWS` consecutive grid questions."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(fields):
        if not grid_field(fields[i]):
            i += 1
            continue
        j = i + 1
        while j < len(fields) and grid_field(fields[j]):
            j += 1
        if j - i >= GRID_MIN_ROWS:
            runs.append((i, j))
        i = j
    return runs


def grid_title(fields: Sequence[FieldDef]) -> str | None:
    """The heading over a grid: the rows' section, or what their sections' names share
    ("体质辨识问题" for "体质辨识问题（1～8）" … "体质辨识问题（25～33）")."""
    groups = list(dict.fromkeys(f.group for f in fields if f.group))
    if len(groups) <= 1:
        return groups[0] if groups else None
    shared = groups[0]
    for g in groups[1:]:
        while not g.startswith(shared):
            shared = shared[:-1]
    shared = shared.rstrip("（(：: 　")
    return shared or groups[0]


class AnswerGridModel(QAbstractTableModel):
    """Rows are questions, column 0 the question, columns 1–5 the answers in the form
    file's order. ``sig_answer_changed(row)`` after an answer changes."""

    sig_answer_changed = Signal(int)

    def __init__(self, fields: Sequence[FieldDef], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = list(fields)
        self.codes = [c.code for c in self.fields[0].choices]
        # The label most rows give an answer heads its column; a row whose own label
        # differs (a band such as "24≤BMI<25") shows it in the cell.
        self.header_labels = [
            Counter(f.choice_labels[code] for f in self.fields).most_common(1)[0][0]
            for code in self.codes
        ]
        self._answers: list[str | None] = [None] * len(self.fields)
        self._errors: list[str | None] = [None] * len(self.fields)

    # Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.fields)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else 1 + len(self.codes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        field = self.fields[row]
        error = self._errors[row]
        if col == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.question_text(row)
            if role == Qt.ItemDataRole.ToolTipRole:
                return field.label + (f"\n{error}" if error else "")
            if role == Qt.ItemDataRole.ForegroundRole and error:
                return ERROR_TEXT
            if role == Qt.ItemDataRole.BackgroundRole and error:
                return ERROR_BACKGROUND
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return None
        code = self.codes[col - 1]
        chosen = self._answers[row] == code
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{code} {field.choice_labels[code]}（按 {code} 键）"
        if role == Qt.ItemDataRole.BackgroundRole:
            return CHOSEN_BACKGROUND if chosen else (ERROR_BACKGROUND if error else None)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self.fields) else None
        if section == 0:
            return "问题"
        if 1 <= section <= len(self.codes):
            return f"{self.codes[section - 1]} {self.header_labels[section - 1]}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # What the grid shows
    def question_text(self, row: int) -> str:
        error = self._errors[row]
        return self.fields[row].label + (f"\n{error}" if error else "")

    def cell_text(self, row: int, col: int) -> str:
        code = self.codes[col - 1]
        mark = CHOSEN if self._answers[row] == code else OPEN
        own = self.fields[row].choice_labels[code]
        return mark if own == self.header_labels[col - 1] else f"{mark} {own}"

    # Values
    def answer(self, row: int) -> str | None:
        return self._answers[row]

    def set_answer(self, row: int, code: str | None) -> None:
        code = code if code in self.codes else None
        if self._answers[row] == code:
            return
        self._answers[row] = code
        self.dataChanged.emit(self.index(row, 1), self.index(row, len(self.codes)))
        self.sig_answer_changed.emit(row)

    def error(self, row: int) -> str | None:
        return self._errors[row]

    def set_error(self, row: int, message: str | None) -> None:
        if self._errors[row] == (message or None):
            return
        self._errors[row] = message or None
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.codes)))


class AnswerGrid(QTableView):
    """The grid, as tall as its rows (the dialog scrolls, not the grid); one Tab stop."""

    def __init__(self, fields: Sequence[FieldDef], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid_model = AnswerGridModel(fields, self)
        self.setModel(self.grid_model)
        self.setObjectName("answer_grid")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(True)
        self.setCornerButtonEnabled(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        for col in range(1, self.grid_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, self.answer_width())
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setHighlightSections(False)
        self.verticalHeader().setSectionsClickable(False)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setToolTip("按 1～5 键选择当前题的回答并转到下一题；↑↓ 换题；Tab 离开")
        self.clicked.connect(self._clicked)
        self.grid_model.dataChanged.connect(lambda *_args: self._fit_rows())
        self.selectionModel().setCurrentIndex(
            self.grid_model.index(0, 0), self.selectionModel().SelectionFlag.NoUpdate
        )

    # Sizes: the rows are as tall as their wrapped text at the current width.
    def answer_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("中") * ANSWER_CHARS

    def _fixed_width(self) -> int:
        answers = self.answer_width() * (self.grid_model.columnCount() - 1)
        return 2 * self.frameWidth() + self.verticalHeader().sizeHint().width() + answers

    def _row_heights(self, width: int) -> list[int]:
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 2)
        question = max(width - self._fixed_width(), QUESTION_MIN * self.answer_width()) - margin
        answer = self.answer_width() - margin
        metrics = self.fontMetrics()
        flags = int(Qt.TextFlag.TextWordWrap)

        def height(text: str, w: int) -> int:
            return metrics.boundingRect(QRect(0, 0, w, 100_000), flags, text).height()

        model = self.grid_model
        return [
            ROW_PADDING
            + max(
                height(model.question_text(row), question),
                *(
                    height(model.cell_text(row, col), answer)
                    for col in range(1, len(model.codes) + 1)
                ),
            )
            for row in range(model.rowCount())
        ]

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        header = self.horizontalHeader().sizeHint().height()
        return 2 * self.frameWidth() + header + sum(self._row_heights(width))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = self._fixed_width() + 30 * self.fontMetrics().horizontalAdvance("中")
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Questions as narrow as :data:`QUESTION_MIN` answer columns; the height follows
        the width (:meth:`heightForWidth`), so the minimum asks for only a few rows."""
        header = self.horizontalHeader().sizeHint().height()
        width = self._fixed_width() + QUESTION_MIN * self.answer_width()
        return QSize(width, header + 3 * ROW_PADDING)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows as tall as their text at this width; the layout is told when the grid's
        height for its width changed (it is placed top-aligned, so it gets that height)."""
        changed = False
        for row, h in enumerate(self._row_heights(self.width())):
            if self.rowHeight(row) != h:
                self.setRowHeight(row, h)
                changed = True
        if changed:
            self.updateGeometry()

    # Keyboard and mouse
    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else 0

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        text = unicodedata.normalize("NFKC", event.text())  # full-width ２ from an IME
        plain = not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        if plain and text in self.grid_model.codes:
            row = self.current_row()
            self.grid_model.set_answer(row, text)
            if row + 1 < self.grid_model.rowCount():
                self.focus_row(row + 1)
            else:
                self.focusNextChild()
            return
        if plain and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.grid_model.set_answer(self.current_row(), None)
            return
        super().keyPressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() >= 1:
            self.grid_model.set_answer(index.row(), self.grid_model.codes[index.column() - 1])

    def focus_row(self, row: int) -> None:
        """Make ``row`` the current question, focus the grid and scroll the row into view."""
        self.setCurrentIndex(self.grid_model.index(row, 0))
        self.setFocus()
        self._reveal(row)

    def currentChanged(self, current: Index, previous: Index) -> None:  # noqa: N802 - Qt API
        super().currentChanged(current, previous)
        if self.hasFocus() and current.isValid():
            self._reveal(current.row())

    def focusInEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.selectRow(self.current_row())
        self._reveal(self.current_row())

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        """The current row is marked only while the grid has the keyboard."""
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.clearSelection()

    def _reveal(self, row: int) -> None:
        """The dialog scrolls, not the grid: keep the current row and the next in view."""
        area = _scroll_area(self)
        content = area.widget() if area is not None else None
        if area is None or content is None:
            return
        rect = self.visualRect(self.grid_model.index(row, 0))
        centre = self.viewport().mapTo(content, rect.center())
        area.ensureVisible(centre.x(), centre.y(), 0, rect.height() + 8)


class GridRow:
    """One question of an :class:`AnswerGrid`, with a field editor's interface."""

    def __init__(self, grid: AnswerGrid, row: int) -> None:
        self.grid = grid
        self.row = row
        self.field = grid.grid_model.fields[row]
        self.widget: QWidget = grid
        # Holds the message, never shown itself: the grid shows it on the row.
        self.error = QLabel()
        self.error.setParent(grid)
        self.error.hide()
        self.error.setObjectName(f"error_{self.field.id}")

    def raw(self) -> Any:
        return self.grid.grid_model.answer(self.row)

    def set_value(self, value: Any) -> None:
        self.grid.grid_model.set_answer(self.row, None if value is None else str(value))

    def set_locked(self, locked: bool) -> None:
        """Grid questions are always typed (:func:`grid_field`)."""

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        shown = message
        if message == f"请填写{self.field.label}":  # the row already shows the question
            shown = "请选择回答（按 1～5 键）"
        self.grid.grid_model.set_error(self.row, shown)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.grid.grid_model.sig_answer_changed.connect(
            lambda row: slot() if row == self.row else None
        )

    def focus(self) -> None:
        self.grid.focus_row(self.row)


def _scroll_area(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent
