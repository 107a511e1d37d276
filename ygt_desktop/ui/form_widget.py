"""An entry widget built from a form definition (one definition → widgets).

Keyboard first: Enter and Tab move to the next field; errors show under each field in
red; fields whose relevance condition is false are hidden; computed fields (sex and
birth date from the ID number) are filled in and locked while their source is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..core.forms import Choice, FieldDef, FormDef
from .widgets import error_label

MULTI_COLUMNS = 3  # check boxes per row for a multiple choice
TWO_COLUMNS_FROM = 16  # forms with more fields are laid out in two columns
ChoiceSource = Callable[[str], list[Choice]]
ContextSource = Callable[[Mapping[str, Any]], Mapping[str, Any]]


class _EnterAsTab(QObject):
    """Enter/Return in a field moves focus to the next field, like Tab."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key()
            in (  # type: ignore[attr-defined]
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
            )
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):  # type: ignore[attr-defined]
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            widget = obj if isinstance(obj, QWidget) else None
            if widget is not None:
                widget.focusNextChild()
                return True
        return False


class FieldEditor:
    """One field's input widget plus its error label."""

    def __init__(self, field: FieldDef, choices: list[Choice]) -> None:
        self.field = field
        self.error = error_label()
        self.error.hide()
        self.widget: QWidget
        if field.type == "bool":
            self.widget = QCheckBox(field.label)
        elif field.type in ("choice",):
            combo = QComboBox()
            combo.addItem("", None)
            for c in choices:
                combo.addItem(f"{c.code} {c.label}", c.code)
            combo.setMaxVisibleItems(20)
            self.widget = combo
        elif field.type == "multichoice":
            box = QWidget()
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            self.checks = {c.code: QCheckBox(c.label) for c in choices}
            for i, cb in enumerate(self.checks.values()):
                grid.addWidget(cb, i // MULTI_COLUMNS, i % MULTI_COLUMNS)
            self.widget = box
        else:
            edit = QLineEdit()
            if field.type == "date":
                edit.setPlaceholderText("YYYY-MM-DD 或 20260305")
            elif field.type == "idnumber":
                edit.setPlaceholderText("18位身份证号")
                edit.setMaxLength(20)
            elif field.max_length:
                edit.setMaxLength(field.max_length)
            if field.help:
                edit.setToolTip(field.help)
            self.widget = edit
        self.widget.setObjectName(f"field_{field.id}")
        self.error.setObjectName(f"error_{field.id}")

    # Values go in and out as what a user would type; the form engine parses them.
    def raw(self) -> Any:
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if self.field.type == "multichoice":
            return [code for code, cb in self.checks.items() if cb.isChecked()]
        assert isinstance(w, QLineEdit)
        return w.text()

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            index = w.findData(value) if value is not None else 0
            w.setCurrentIndex(max(index, 0))
        elif self.field.type == "multichoice":
            for code, cb in self.checks.items():
                cb.setChecked(code in (value or []))
        else:
            assert isinstance(w, QLineEdit)
            w.setText(self.field.field_type.display(value, self.field) if value is not None else "")

    def set_locked(self, locked: bool) -> None:
        if isinstance(self.widget, QLineEdit):
            self.widget.setReadOnly(locked)
        else:
            self.widget.setEnabled(not locked)

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def connect_changed(self, slot: Callable[[], None]) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.toggled.connect(slot)
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(slot)
        elif self.field.type == "multichoice":
            for cb in self.checks.values():
                cb.toggled.connect(slot)
        else:
            assert isinstance(w, QLineEdit)
            w.textChanged.connect(slot)


class FormWidget(QWidget):
    """The fields of ``form`` laid out in a column; ``sig_changed`` on any edit."""

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
        self.editors: dict[str, FieldEditor] = {}
        self._initial: dict[str, Any] = {}
        self._loading = False
        self._enter = _EnterAsTab(self)
        outer = QVBoxLayout(self)
        columns = QHBoxLayout()
        outer.addLayout(columns)
        outer.addStretch()
        self.layouts: list[QFormLayout] = []
        for _ in range(2 if len(form.fields) >= TWO_COLUMNS_FROM else 1):
            column = QFormLayout()
            column.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            columns.addLayout(column, 1)
            self.layouts.append(column)
        split = _split_point(form) if len(self.layouts) == 2 else len(form.fields)
        self.layout_ = self.layouts[0]
        self._row_layout: dict[str, QFormLayout] = {}
        self.setStyleSheet('QLineEdit[readOnly="true"] { background: #eeeeee; color: #333; }')
        group = None
        for index, f in enumerate(form.fields):
            if index == split:
                self.layout_ = self.layouts[-1]
                group = None
            if f.group and f.group != group:
                self.layout_.addRow(QLabel(f"<b>{f.group}</b>"))
            group = f.group
            choices = (
                list(f.choices)
                if f.choices
                else (choice_source(f.choices_from) if f.choices_from else [])
            )
            editor = FieldEditor(f, choices)
            self.editors[f.id] = editor
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
            label = "" if f.type == "bool" else (f.label + ("＊" if f.required else ""))
            self.layout_.addRow(label, cell)
            self._row_layout[f.id] = self.layout_
            editor.widget.installEventFilter(self._enter)
            editor.connect_changed(self._on_changed)
        self.set_values({f.id: f.default_value() for f in form.fields})

    def set_values(self, values: Mapping[str, Any]) -> None:
        self._loading = True
        try:
            for fid, editor in self.editors.items():
                editor.set_value(values.get(fid))
                editor.show_error(None)
        finally:
            self._loading = False
        self._refresh()
        self._initial = self.raw()

    def raw(self) -> dict[str, Any]:
        return {fid: e.raw() for fid, e in self.editors.items()}

    def is_dirty(self) -> bool:
        return self.raw() != self._initial

    def mark_clean(self) -> None:
        self._initial = self.raw()

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each message under its field; focus the first invalid field."""
        for fid, editor in self.editors.items():
            editor.show_error(errors.get(fid))
        first = next((fid for fid in self.editors if fid in errors), None)
        if first:
            self.editors[first].widget.setFocus()

    def _on_changed(self) -> None:
        if self._loading:
            return
        self._refresh()
        self.sig_changed.emit()

    def _refresh(self) -> None:
        """Apply computed values and relevance after any edit."""
        values = self.form.process(self.raw()).values
        ctx = self.context_source(values) if self.context_source else {}
        if ctx:
            values = self.form.process(self.raw(), ctx).values
        values = {**ctx, **values}
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
            if f.relevant is not None:
                relevant = self.form.is_relevant(f.id, {**values, **_typed(self.raw())})
                self._row_layout[f.id].setRowVisible(editor.widget.parentWidget(), relevant)

    def focus_first(self) -> None:
        """Focus the first field a user types into."""
        first = next(
            (
                e
                for f, e in zip(self.form.fields, self.editors.values(), strict=True)
                if not (f.readonly or f.locked)
            ),
            next(iter(self.editors.values())),
        )
        first.widget.setFocus()


def _split_point(form: FormDef) -> int:
    """Where the second column starts: the group boundary nearest half the fields."""
    half = len(form.fields) / 2
    starts = [
        i for i, f in enumerate(form.fields) if i > 0 and f.group != form.fields[i - 1].group
    ] or [int(half)]
    return min(starts, key=lambda i: abs(i - half))


def _typed(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Text typed so far counts as "not empty" for relevance even when not yet valid."""
    return {k: v for k, v in raw.items() if isinstance(v, str) and v.strip()}


def _as_raw(value: Any, field: FieldDef) -> Any:
    """A value as its widget reports it (codes and booleans as is, the rest as text)."""
    if field.type in ("choice", "bool", "multichoice"):
        return value
    return field.field_type.display(value, field)
