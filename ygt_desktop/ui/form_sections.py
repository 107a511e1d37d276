"""How a record form is laid out: one block per section of the form file (the fields'
``group``), the fields flowing row by row in one to three columns as the width allows.

- :class:`SectionBlock`: a heading, then label/field pairs in reading order (row by
  row, the order Tab follows); wide fields (multiple choices, long text) take a row of
  their own; a hidden field (relevance) leaves no gap.
- :class:`GridBlock`: a run of questions on one scale as an answer grid, with the
  fields derived from them in a panel beside it that stays in view while the grid
  scrolls.

Widths are measured in the font's characters, so the layout scales with Windows
display scaling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..core.forms import FieldDef

THREE_COLUMNS_FROM = 1200  # pixels of form width (1366-wide screen: three columns)
TWO_COLUMNS_FROM = 700
LABEL_MAX_CHARS = 8  # longer labels wrap onto more lines
WIDE_TEXT_FROM = 200  # text fields allowing this many characters get a row of their own
PANEL_CHARS = 17  # width of the panel beside an answer grid
H_SPACING, V_SPACING = 10, 6
COLUMN_GAP = 16  # between a field and the next column's label


LABEL_ALIGN = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop


def columns_for(width: int) -> int:
    """How many label/field columns a form of ``width`` pixels gets."""
    if width >= THREE_COLUMNS_FROM:
        return 3
    return 2 if width >= TWO_COLUMNS_FROM else 1


def is_wide(field: FieldDef) -> bool:
    """Fields that take a whole row: check-box groups, long text and repeating groups."""
    if field.type in ("multichoice", "longtext", "rows"):
        return True
    return field.type == "text" and (field.max_length or 0) >= WIDE_TEXT_FROM


def label_width(labels: Sequence[str], metrics: QFontMetrics) -> int:
    """One label column width for the whole form (sections line up), up to
    :data:`LABEL_MAX_CHARS` characters."""
    widest = max((metrics.horizontalAdvance(t) for t in labels), default=0)
    return min(widest, metrics.horizontalAdvance("中") * LABEL_MAX_CHARS) + 4


def section_heading(title: str) -> QLabel:
    heading = QLabel(title)
    heading.setTextFormat(Qt.TextFormat.PlainText)
    heading.setWordWrap(True)
    font = QFont(heading.font())
    font.setBold(True)
    heading.setFont(font)
    heading.setStyleSheet("color: #1f4e79; border-bottom: 1px solid #b8c7d9; padding: 6px 0 2px 0;")
    return heading


@dataclass
class Slot:
    """One field's place: its label, its cell (input, unit and error) and whether it is
    shown (relevant and not hidden by the page)."""

    field: FieldDef
    label: QLabel
    cell: QWidget
    wide: bool
    relevant: bool = True
    hidden: bool = False
    check_columns: int = 0  # for a multiple choice: check boxes per row as last laid out

    @property
    def shown(self) -> bool:
        return self.relevant and not self.hidden


class SectionBlock(QWidget):
    """A section: heading and fields. :meth:`flow` lays them out for a width."""

    def __init__(self, group: str | None, label_w: int) -> None:
        super().__init__()
        self.group = group
        self.label_w = label_w
        self.slots: list[Slot] = []
        self.multi: dict[str, tuple[list[QWidget], QGridLayout]] = {}  # check boxes
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(V_SPACING)
        if group:
            outer.addWidget(section_heading(group))
        # No layout spacing across: a column with nothing but a wide field's span would
        # lose its spacing and the sections would not line up; the gaps are the label
        # columns' own (the label's right margin, COLUMN_GAP before a column).
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(0)
        self.grid.setVerticalSpacing(V_SPACING)
        outer.addLayout(self.grid)
        self._laid_out: tuple[int, tuple[int, ...]] | None = None
        self._columns = 1

    def add(self, slot: Slot, checks: list[QWidget] | None = None) -> None:
        slot.label.setParent(self)  # in the form (and its Tab order) even while hidden
        slot.cell.setParent(self)
        self.slots.append(slot)
        if checks is not None:
            grid = slot.cell.findChild(QGridLayout, "checks")
            assert grid is not None
            self.multi[slot.field.id] = (checks, grid)

    def flow(self, columns: int, width: int, force: bool = False) -> None:
        """Lay the shown fields out row by row in ``columns`` columns for ``width`` px."""
        per_row = tuple(self._check_columns(slot, width) for slot in self.slots)
        self._columns = columns
        self.align(width)
        if not force and self._laid_out == (columns, per_row):
            return
        self._laid_out = (columns, per_row)
        grid = self.grid
        while grid.count():
            grid.takeAt(0)
        for col in range(grid.columnCount()):
            grid.setColumnStretch(col, 0)
        row = col = 0
        for slot, checks_per_row in zip(self.slots, per_row, strict=True):
            slot.label.setVisible(slot.shown)
            slot.cell.setVisible(slot.shown)
            if not slot.shown:
                continue
            if slot.field.id in self.multi:
                self._flow_checks(slot, checks_per_row)
            if slot.wide or columns == 1:
                if col:
                    row, col = row + 1, 0
                self._label_at(slot.label, 0)
                grid.addWidget(slot.label, row, 0, LABEL_ALIGN)
                grid.addWidget(slot.cell, row, 1, 1, 2 * columns - 1)
                row += 1
                continue
            self._label_at(slot.label, col)
            grid.addWidget(slot.label, row, 2 * col, LABEL_ALIGN)
            grid.addWidget(slot.cell, row, 2 * col + 1)
            col += 1
            if col == columns:
                row, col = row + 1, 0
        for c in range(columns):
            grid.setColumnStretch(2 * c + 1, 1)
        self.setVisible(any(slot.shown for slot in self.slots))

    def _label_at(self, label: QLabel, column: int) -> None:
        """A label as wide as its column: the gap before a column is the label's margin
        (a label narrower than its column would be measured for the column's width)."""
        gap = COLUMN_GAP if column else 0
        label.setContentsMargins(gap, 0, H_SPACING, 0)
        label.setFixedWidth(self.label_w + H_SPACING + gap)

    def align(self, width: int) -> None:
        """Field columns of one width in every section, so sections line up."""
        columns = self._columns
        label_col = self.label_w + H_SPACING
        field_w = (width - columns * label_col - (columns - 1) * COLUMN_GAP) // columns
        for col in range(self.grid.columnCount()):
            if col >= 2 * columns:
                wanted = 0
            elif col % 2:
                wanted = max(field_w, 0)
            else:
                wanted = label_col + (COLUMN_GAP if col else 0)
            if self.grid.columnMinimumWidth(col) != wanted:
                self.grid.setColumnMinimumWidth(col, wanted)

    def _check_columns(self, slot: Slot, width: int) -> int:
        """Check boxes per row for a multiple choice: as many as fit, rows balanced."""
        if slot.field.id not in self.multi:
            return 0
        checks, _grid = self.multi[slot.field.id]
        widest = max(cb.sizeHint().width() for cb in checks) + H_SPACING
        fit = max(1, min(len(checks), (width - self.label_w - H_SPACING) // widest))
        return math.ceil(len(checks) / math.ceil(len(checks) / fit))

    def _flow_checks(self, slot: Slot, per_row: int) -> None:
        if slot.check_columns == per_row:
            return
        slot.check_columns = per_row
        checks, grid = self.multi[slot.field.id]
        while grid.count():
            grid.takeAt(0)
        for i, cb in enumerate(checks):
            grid.addWidget(cb, i // per_row, i % per_row)

    def min_width(self) -> int:
        """The narrowest this section can be (one column, check boxes one per row)."""
        widest = 0
        for slot in self.slots:
            if slot.field.id in self.multi:
                checks, _grid = self.multi[slot.field.id]
                cell = max(cb.sizeHint().width() for cb in checks)
            else:
                cell = slot.cell.minimumSizeHint().width()
            widest = max(widest, cell)
        return self.label_w + H_SPACING + widest


class StickyRail(QWidget):
    """A column holding ``panel``; :meth:`place` keeps the panel in the visible part of
    the column (the column is as tall as the grid beside it)."""

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        self.panel = panel
        panel.setParent(self)
        panel.installEventFilter(self)
        self._top = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """The panel grew or shrank (a longer result): take its new height."""
        if obj is self.panel and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self.place(self._top)
        return False

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.minimumSizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """The panel's size (its fixed width: a hint would let the rail be narrower)."""
        width = max(self.panel.minimumWidth(), self.panel.minimumSizeHint().width())
        return QSize(width, self.panel.sizeHint().height())

    def place(self, top: int) -> None:
        """Put the panel at ``top`` (px from the rail's top), within the rail."""
        self._top = top
        height = self.panel.sizeHint().height()
        y = max(0, min(top, self.height() - height))
        self.panel.setGeometry(0, y, self.width(), height)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        self.place(self._top)


class GridBlock(QWidget):
    """An answer grid under its heading, with a panel beside it (or none); below it
    when the form is too narrow for both side by side (large display scaling)."""

    def __init__(self, title: str | None, grid: QWidget, panel: QWidget | None) -> None:
        super().__init__()
        self.grid = grid
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(V_SPACING)
        if title:
            outer.addWidget(section_heading(title))
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.row.setSpacing(H_SPACING)
        self.row.addWidget(grid, 1, Qt.AlignmentFlag.AlignTop)
        self.rail = StickyRail(panel) if panel is not None else None
        if self.rail is not None:
            self.row.addWidget(self.rail, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addLayout(self.row)

    def flow(self, columns: int, width: int, force: bool = False) -> None:
        """The grid fills the width by itself; the panel goes below it when both do
        not fit side by side."""
        beside = self.rail is None or width >= self.side_by_side_width()
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if self.row.direction() != direction:
            self.row.setDirection(direction)

    def side_by_side_width(self) -> int:
        rail = self.rail.minimumSizeHint().width() + H_SPACING if self.rail else 0
        return self.grid.minimumSizeHint().width() + rail

    def min_width(self) -> int:
        rail = self.rail.minimumSizeHint().width() if self.rail else 0
        return max(self.grid.minimumSizeHint().width(), rail)

    def stick(self, form: QWidget, visible_top: int) -> None:
        """Keep the panel in view: ``visible_top`` is the first visible row of ``form``."""
        if self.rail is not None:
            self.rail.place(visible_top - self.rail.mapTo(form, QPoint(0, 0)).y() + V_SPACING)


def side_panel(title: str | None, rows: Sequence[tuple[FieldDef, QWidget]], chars: int) -> QFrame:
    """The derived fields beside a grid: numbers as label and value, text under its label."""
    panel = QFrame()
    panel.setObjectName("grid_panel")
    panel.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QGridLayout(panel)
    layout.setHorizontalSpacing(H_SPACING)
    layout.setVerticalSpacing(4)
    r = 0
    if title:
        layout.addWidget(section_heading(title), r, 0, 1, 2)
        r += 1
    for field, widget in rows:
        label = QLabel(field.label)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setBuddy(widget)
        if field.type in ("int", "decimal"):
            layout.addWidget(label, r, 0)
            layout.addWidget(widget, r, 1)
        else:
            layout.addWidget(label, r, 0, 1, 2)
            r += 1
            layout.addWidget(widget, r, 0, 1, 2)
        r += 1
    panel.setFixedWidth(panel.fontMetrics().horizontalAdvance("中") * chars)
    return panel
