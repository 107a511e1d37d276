"""Columns as wide as what they show, and a table no wider than its place.

:func:`fit_columns` sizes each column of a table to its header and the text of its
first rows (:data:`SAMPLE_ROWS`), gives one column — the long free text: 待办项目,
重点人群, 说明 … — the width that is left, and when the columns together are wider
than the table, narrows the widest ones first (never below their header) so that every
column stays on screen instead of behind a sideways scroll bar. A cell whose text is
cut (``…``) shows it whole as a tooltip. It refits when the model is reset (a refresh,
a search) and when the table is resized; a column the user drags keeps its width until
then. Used on the UI thread only.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QToolTip
from shiboken6 import isValid

SAMPLE_ROWS = 200  # rows measured for a column's width (the resident list fetches 200 at once)
CELL_MARGIN = 10  # px around a cell's text (Qt's item margins and the grid line)
BREATHING = 6  # px added to a column's measured width: text does not touch the grid
STRETCH_CHARS = 8  # the stretched column keeps at least this many characters' width
WIDEST = -2  # ``stretch=WIDEST``: the column with the longest text takes the width left


class ColumnFit(QObject):
    """Keeps ``view``'s columns fitted (see the module docstring); made by
    :func:`fit_columns`, a child of the view."""

    def __init__(
        self, view: QTableView, stretch: int, at_least: Mapping[int, str | int], tips: bool
    ) -> None:
        super().__init__(view)
        self.view = view
        self._stretch = stretch
        self.at_least = dict(at_least)
        self.tips = tips
        self.natural: list[int] = []
        header = view.horizontalHeader()
        header.setResizeContentsPrecision(SAMPLE_ROWS)
        header.setStretchLastSection(False)
        model = view.model()
        model.modelReset.connect(self.refit)
        model.layoutChanged.connect(self.refit)
        view.viewport().installEventFilter(self)
        self.refit()

    @property
    def stretch(self) -> int:
        """The column that takes the width left over (-1 given: the last one; WIDEST:
        the one whose text is the longest)."""
        count = self.view.model().columnCount()
        if self._stretch == WIDEST and len(self.natural) == count and count:
            return max(range(count), key=lambda c: self.natural[c])
        return self._stretch if 0 <= self._stretch < count else count - 1

    def refit(self) -> None:
        """Measure every column's text again and lay the columns out."""
        view = self.view
        if not isValid(view):  # a table widget's model is reset as the table goes away
            return
        header = view.horizontalHeader()
        metrics = view.fontMetrics()
        self.natural = []
        for column in range(view.model().columnCount()):
            floor = self.at_least.get(column, 0)
            if isinstance(floor, str):
                floor = metrics.horizontalAdvance(floor) + CELL_MARGIN
            measured = max(view.sizeHintForColumn(column), header.sectionSizeHint(column))
            self.natural.append(max(measured + BREATHING, floor))
        self.apply()

    def apply(self) -> None:
        """Lay the measured columns out in the table's present width."""
        view = self.view
        if not isValid(view):
            return
        header = view.horizontalHeader()
        stretch = self.stretch
        if stretch < 0:
            return
        for column in range(len(self.natural)):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column == stretch
                else QHeaderView.ResizeMode.Interactive
            )
            if header.sectionResizeMode(column) != mode:
                header.setSectionResizeMode(column, mode)
        keep = min(
            self.natural[stretch],
            max(
                header.sectionSizeHint(stretch),
                view.fontMetrics().horizontalAdvance("中" * STRETCH_CHARS) + CELL_MARGIN,
            ),
        )
        shown = {
            c: w
            for c, w in enumerate(self.natural)
            if c != stretch and not header.isSectionHidden(c)
        }
        least = {c: min(w, header.sectionSizeHint(c)) for c, w in shown.items()}
        # A table not on screen yet has no width of its own: it is fitted when shown.
        room = view.viewport().width() - keep if view.isVisible() else sum(shown.values())
        widths = squeeze(shown, least, room)
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self.apply()
        elif event.type() == QEvent.Type.ToolTip and self.tips and isinstance(event, QHelpEvent):
            return self._tip(event)
        return False

    def _tip(self, event: QHelpEvent) -> bool:
        """The whole text of a cut cell (a cell with a tooltip of its own shows that)."""
        view = self.view
        index = view.indexAt(event.pos())
        if not index.isValid() or index.data(Qt.ItemDataRole.ToolTipRole):
            return False
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            return False
        if view.fontMetrics().horizontalAdvance(text) + CELL_MARGIN <= view.columnWidth(
            index.column()
        ):
            return False
        QToolTip.showText(event.globalPos(), text, view.viewport(), view.visualRect(index))
        return True


def squeeze(natural: Mapping[int, int], least: Mapping[int, int], room: int) -> dict[int, int]:
    """Column widths that fit ``room`` px: the ``natural`` widths when they do, else the
    widest cut to one common cap, as high as fits, each kept at its ``least`` (so the
    result may still exceed ``room`` when even the least widths do)."""
    if sum(natural.values()) <= room:
        return dict(natural)

    def at(cap: int) -> dict[int, int]:
        return {c: max(min(w, cap), least.get(c, 0)) for c, w in natural.items()}

    low, high = 0, max(natural.values(), default=0)
    while low < high:  # the highest cap that fits
        cap = (low + high + 1) // 2
        if sum(at(cap).values()) <= room:
            low = cap
        else:
            high = cap - 1
    return at(low)


def fit_columns(
    view: QTableView,
    *,
    stretch: int = -1,
    at_least: Mapping[int, str | int] | None = None,
    tips: bool = True,
) -> ColumnFit:
    """Fit ``view``'s columns to their texts from now on (its model set): column
    ``stretch`` (the last by default, :data:`WIDEST`: the one with the longest text)
    takes the width left; ``at_least`` gives a column
    at least the width of a sample text (``{3: "11岁11月"}``) or of so many px whatever
    its rows (it is still narrowed, like any, when the table is too narrow); ``tips``
    shows a cut cell's whole text as its tooltip."""
    return ColumnFit(view, stretch, at_least or {}, tips)


def rows_height(view: QTableView) -> int:
    """The height that shows ``view``'s header and every row (a short, fixed table)."""
    header = view.horizontalHeader()
    rows = sum(view.rowHeight(r) for r in range(view.model().rowCount()))
    bar = view.horizontalScrollBar()
    scroll = bar.sizeHint().height() if bar.isVisible() else 0
    return header.sizeHint().height() + rows + 2 * view.frameWidth() + scroll


def natural_width(view: QTableView) -> int:
    """The width ``view`` needs to show every column whole at its measured width, its
    frame and a vertical scroll bar included."""
    fit = view.findChild(ColumnFit)
    columns = sum(fit.natural) if fit is not None else view.horizontalHeader().length()
    return columns + 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width()
