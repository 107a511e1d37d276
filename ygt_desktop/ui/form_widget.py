"""An entry widget built from a form definition (one definition → widgets).

Laid out by the form file's sections (:mod:`.form_sections`): a heading per section,
fields flowing row by row in one to three columns as the width allows, a run of
questions on one scale as an answer grid (:mod:`.answer_grid`). Keyboard first: Enter
and Tab move to the next field in reading order; errors show under each field in red
and clear as soon as the field is put right; fields whose relevance condition is false
are hidden; computed fields (sex and birth date from the ID number) are filled in and
locked while their source is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.forms import Choice, FieldDef, FormDef
from .answer_grid import AnswerGrid, GridRow, grid_runs, grid_title
from .field_editor import Editor, FieldEditor
from .form_sections import (
    PANEL_CHARS,
    GridBlock,
    SectionBlock,
    Slot,
    columns_for,
    is_wide,
    label_width,
    side_panel,
)
from .rows_editor import RowsEditor

ChoiceSource = Callable[[str], list[Choice]]
ContextSource = Callable[[Mapping[str, Any]], Mapping[str, Any]]
# Widths a dialog gives a form (px), by how many ordinary fields it has.
PREFERRED_WIDTHS = ((8, 620), (18, 960))
WIDE_FORM = 1300  # three columns, or an answer grid with its panel


class _EnterAsTab(QObject):
    """Enter/Return in a field moves focus to the next field, like Tab."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key()  # type: ignore[attr-defined]
            in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier  # type: ignore[attr-defined]
        ):
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            widget = obj if isinstance(obj, QWidget) else None
            if widget is not None:
                widget.focusNextChild()
                return True
        return False


class FormWidget(QWidget):
    """The fields of ``form`` laid out by section; ``sig_changed`` on any edit."""

    sig_changed = Signal()

    def __init__(
        self,
        form: FormDef,
        choice_source: ChoiceSource,
        parent: QWidget | None = None,
        context_source: ContextSource | None = None,
    ) -> None:
        """``context_source`` maps the values typed so far to the facts a service form's
        expressions may use (age on the service date, the open pregnancy's LMP …)."""
        super().__init__(parent)
        self.form = form
        self.context_source = context_source
        self.editors: dict[str, Editor] = {}
        self.slots: dict[str, Slot] = {}
        self.blocks: list[SectionBlock | GridBlock] = []
        self._initial: dict[str, Any] = {}
        self._loading = False
        self._shown_errors: dict[str, str] = {}
        self._checkable: set[str] = set()  # shown errors the form itself finds (re-checked)
        self._enter = _EnterAsTab(self)
        self._width = 0
        self.setStyleSheet('QLineEdit[readOnly="true"] { background: #eeeeee; color: #333; }')
        self._outer = QVBoxLayout(self)
        self._outer.setSpacing(10)
        self._build(choice_source)
        self._outer.addStretch()
        self._chain_tab_order()
        for fid, editor in self.editors.items():
            editor.widget.installEventFilter(self._enter)
            if isinstance(editor, FieldEditor):
                for cb in editor.checks.values():
                    cb.installEventFilter(self._enter)
            editor.connect_changed(partial(self._on_changed, fid))
        self.flow(self.preferred_width())
        self.set_values({f.id: f.default_value() for f in form.fields})

    # Building
    def _build(self, choice_source: ChoiceSource) -> None:
        fields = self.form.fields
        runs = dict(grid_runs(fields))
        metrics = self.fontMetrics()
        label_w = label_width(
            [_label_text(f) for i, f in enumerate(fields) if not _in_runs(i, runs)], metrics
        )
        line_h = QLineEdit().sizeHint().height()  # labels line up with one-line inputs
        section: SectionBlock | None = None
        i = 0
        while i < len(fields):
            if i in runs:
                i = self._add_grid(fields, i, runs[i], choice_source)
                section = None
                continue
            f = fields[i]
            if section is None or f.group != section.group:
                section = SectionBlock(f.group, label_w)
                self._add_block(section)
            editor: FieldEditor | RowsEditor = (
                RowsEditor(f) if f.is_rows else FieldEditor(f, _choices(f, choice_source))
            )
            self.editors[f.id] = editor
            slot = _slot(f, editor, line_h)
            self.slots[f.id] = slot
            checks = editor.checks if isinstance(editor, FieldEditor) else None
            section.add(slot, list(checks.values()) if checks else None)
            i += 1

    def _add_grid(
        self, fields: tuple[FieldDef, ...], start: int, stop: int, choice_source: ChoiceSource
    ) -> int:
        """A grid for fields[start:stop] and the derived fields after it beside it;
        returns the index of the first field after both."""
        questions = fields[start:stop]
        grid = AnswerGrid(questions)
        for row, f in enumerate(questions):
            self.editors[f.id] = GridRow(grid, row)
        end = stop
        while end < len(fields) and fields[end].derived and fields[end].relevant is None:
            end += 1
        rows: list[tuple[FieldDef, QWidget]] = []
        for f in fields[stop:end]:
            editor = FieldEditor(f, _choices(f, choice_source))
            self.editors[f.id] = editor
            rows.append((f, editor.widget))
        panel = side_panel(fields[stop].group, rows, PANEL_CHARS) if rows else None
        self._add_block(GridBlock(grid_title(questions), grid, panel))
        return end

    def _add_block(self, block: SectionBlock | GridBlock) -> None:
        self.blocks.append(block)
        self._outer.addWidget(block)

    def _chain_tab_order(self) -> None:
        """Tab follows the form file's order, which the layout reads row by row."""
        chain: list[QWidget] = []
        for editor in self.editors.values():
            widgets = (
                editor.focus_widgets()
                if isinstance(editor, FieldEditor | RowsEditor)
                else [editor.widget]
            )
            chain.extend(w for w in widgets if not chain or w is not chain[-1])
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # Layout
    def preferred_width(self) -> int:
        """The width this form reads best at: wide enough for its fields' columns (an
        answer grid and its panel want the whole screen)."""
        if any(isinstance(b, GridBlock) for b in self.blocks):
            return WIDE_FORM
        narrow = sum(1 for s in self.slots.values() if not s.wide)
        return next((w for n, w in PREFERRED_WIDTHS if narrow <= n), WIDE_FORM)

    def flow(self, width: int, force: bool = False) -> None:
        """Lay the sections out for ``width`` pixels (columns by :func:`columns_for`)."""
        margins = self._outer.contentsMargins()
        inner = width - margins.left() - margins.right()
        columns = columns_for(inner)
        for block in self.blocks:
            block.flow(columns, inner, force)
        self._width = width

    def content_height(self, width: int) -> int:
        """The height the form needs at ``width`` (laying it out for that width)."""
        self.flow(width)
        self._outer.activate()
        if self._outer.hasHeightForWidth():  # wrapping labels, an answer grid
            return self._outer.heightForWidth(width)
        return self._outer.sizeHint().height()

    def min_width(self) -> int:
        """The narrowest the form can be without cutting anything (one column)."""
        margins = self._outer.contentsMargins()
        widest = max((b.min_width() for b in self.blocks), default=0)
        return widest + margins.left() + margins.right()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Narrow enough for one column: a scroll area then gives the form the viewport's
        width and :meth:`resizeEvent` picks the columns for it (no sideways scrolling)."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.min_width()), hint.height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.width() != self._width:
            self.flow(self.width())
        self._stick()

    def moveEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().moveEvent(event)  # a scroll area scrolls by moving the form
        self._stick()

    def _stick(self) -> None:
        visible_top = max(0, -self.y())
        for block in self.blocks:
            if isinstance(block, GridBlock):
                block.stick(self, visible_top)

    def hide_fields(self, field_ids: Iterable[str]) -> None:
        """Hide fields the page fills and shows another way (their values stay)."""
        for fid in field_ids:
            self.slots[fid].hidden = True
        self.flow(self._width or self.preferred_width(), force=True)

    # Values
    def set_values(self, values: Mapping[str, Any]) -> None:
        self._loading = True
        try:
            for editor in self.editors.values():
                editor.set_value(values.get(editor.field.id))
                editor.show_error(None)
        finally:
            self._loading = False
        self._shown_errors.clear()
        self._checkable.clear()
        self._refresh()
        self._initial = self.raw()

    def raw(self) -> dict[str, Any]:
        return {fid: e.raw() for fid, e in self.editors.items()}

    def is_dirty(self) -> bool:
        return self.raw() != self._initial

    def mark_clean(self) -> None:
        self._initial = self.raw()

    # Errors
    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each message under its field; focus the first invalid field.

        From then on a shown message is re-checked as the user types: it clears (or
        changes) when its field changes, and on any change when the form's own checks
        gave it (a duplicate number found by storage clears when that field is edited).
        """
        own = self._current_errors()
        self._shown_errors = {fid: m for fid, m in errors.items() if fid in self.editors}
        self._checkable = {fid for fid, m in self._shown_errors.items() if own.get(fid) == m}
        for fid, editor in self.editors.items():
            editor.show_error(self._shown_errors.get(fid))
        first = next((fid for fid in self.editors if fid in self._shown_errors), None)
        if first:
            self.editors[first].focus()
            self._reveal(first)

    def shown_errors(self) -> dict[str, str]:
        """The messages shown under fields now, by field id."""
        return dict(self._shown_errors)

    def _current_errors(self) -> dict[str, str]:
        raw = self.raw()
        ctx = self._context(raw)
        return self.form.process(raw, ctx or None).errors

    def _recheck(self, changed: str) -> None:
        if not self._shown_errors:
            return
        errors = self._current_errors()
        for fid in list(self._shown_errors):
            if fid != changed and fid not in self._checkable:
                continue
            message = errors.get(fid)
            if message:
                self._shown_errors[fid] = message
                self._checkable.add(fid)
            else:
                del self._shown_errors[fid]
                self._checkable.discard(fid)
            self.editors[fid].show_error(message)

    # Edits
    def _on_changed(self, field_id: str, *_args: Any) -> None:
        if self._loading:
            return
        self._refresh()
        self._recheck(field_id)
        self.sig_changed.emit()

    def _context(self, raw: Mapping[str, Any]) -> Mapping[str, Any]:
        if self.context_source is None:
            return {}
        return self.context_source(self.form.process(raw).values)

    def _refresh(self) -> None:
        """Apply computed values and relevance after any edit."""
        raw = self.raw()
        ctx = self._context(raw)
        values = {**ctx, **self.form.process(raw, ctx or None).values}
        reflow = False
        for f in self.form.fields:
            editor = self.editors[f.id]
            if f.compute is not None:
                computed = f.compute.evaluate(values)
                if computed is not None and editor.raw() != _as_raw(computed, f):
                    editor.widget.blockSignals(True)
                    editor.set_value(computed)
                    editor.widget.blockSignals(False)
                editor.set_locked(computed is not None)
            if f.derived is not None:
                editor.widget.blockSignals(True)
                editor.set_value(values.get(f.id))
                editor.widget.blockSignals(False)
                editor.set_locked(True)
            if f.readonly:
                editor.set_locked(True)
            if f.relevant is not None and f.id in self.slots:
                typed = {k: v for k, v in _typed(raw).items() if values.get(k) is None}
                relevant = self.form.is_relevant(f.id, {**values, **typed})
                slot = self.slots[f.id]
                if slot.relevant != relevant:
                    slot.relevant = relevant
                    reflow = True
        if reflow:
            self.flow(self._width or self.preferred_width(), force=True)

    def focus_first(self) -> None:
        """Focus the first field a user types into."""
        first = next(
            (e for e in self.editors.values() if not (e.field.readonly or e.field.locked)),
            next(iter(self.editors.values())),
        )
        first.focus()

    def _reveal(self, field_id: str) -> None:
        """Scroll the field into view when the form is in a scroll area."""
        area = self.parentWidget().parentWidget() if self.parentWidget() else None
        slot = self.slots.get(field_id)
        if isinstance(area, QScrollArea) and slot is not None:
            area.ensureWidgetVisible(slot.cell)


def _choices(f: FieldDef, choice_source: ChoiceSource) -> list[Choice]:
    if f.choices:
        return list(f.choices)
    return choice_source(f.choices_from) if f.choices_from else []


def _label_text(f: FieldDef) -> str:
    return "" if f.type == "bool" else f.label + ("＊" if f.required else "")


def _slot(f: FieldDef, editor: FieldEditor | RowsEditor, line_h: int) -> Slot:
    label = QLabel(_label_text(f))
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.setMinimumHeight(line_h)
    label.setBuddy(editor.widget)
    label.setObjectName(f"label_{f.id}")
    cell = QWidget()
    col = QVBoxLayout(cell)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(1)
    if f.unit:
        row = QHBoxLayout()
        row.addWidget(editor.widget, 1)
        row.addWidget(QLabel(f.unit))
        col.addLayout(row)
    else:
        col.addWidget(editor.widget)
    col.addWidget(editor.error)
    col.addStretch()
    return Slot(f, label, cell, is_wide(f))


def _in_runs(index: int, runs: Mapping[int, int]) -> bool:
    return any(start <= index < stop for start, stop in runs.items())


def _typed(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Text typed so far counts as "not empty" for relevance even when not yet valid
    (only where it did not parse: a number typed is compared as the number)."""
    return {k: v for k, v in raw.items() if isinstance(v, str) and v.strip()}


def _as_raw(value: Any, field: FieldDef) -> Any:
    """A value as its widget reports it (codes and booleans as is, the rest as text)."""
    if field.type in ("choice", "bool", "multichoice", "rows"):
        return value
    return field.field_type.display(value, field)
