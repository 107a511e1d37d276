"""One field's input widget and its error label, chosen by the field's type.

Values go in and out as what a user would type (the form engine parses them): text for
text, dates and numbers, codes for choices, a list of codes for a multiple choice, a
boolean for a check box. Choices from a national code list show "code label" (clerks
type the codes); the station's own lists (villages, teams, equipment) show names only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from ..core.forms import Choice, FieldDef
from .choice_combo import ChoiceCombo
from .widgets import error_label


class Editor(Protocol):
    """What FormWidget needs of a field's input (FieldEditor, or a row of a grid)."""

    field: FieldDef
    widget: QWidget
    error: QLabel

    def raw(self) -> Any: ...
    def set_value(self, value: Any) -> None: ...
    def set_locked(self, locked: bool) -> None: ...
    def show_error(self, message: str | None) -> None: ...
    def connect_changed(self, slot: Callable[[], None]) -> None: ...
    def focus(self) -> None: ...


class FieldEditor:
    """One field's input widget plus its error label."""

    def __init__(self, field: FieldDef, choices: list[Choice]) -> None:
        self.field = field
        self.error = error_label()
        self.error.hide()
        self.checks: dict[str, QCheckBox] = {}
        self.widget: QWidget
        if field.type == "bool":
            self.widget = QCheckBox(field.label)
        elif field.type in ("choice",):
            combo = ChoiceCombo()
            combo.addItem("", None)
            for c in choices:
                # A national code list shows its codes (clerks type them); the station's
                # own lists (villages, teams, equipment) are database ids: names only.
                combo.addItem(choice_text(field, c), c.code)
            self.widget = combo
        elif field.type == "multichoice":
            box = QWidget()
            grid = QGridLayout(box)
            grid.setObjectName("checks")
            grid.setContentsMargins(0, 0, 0, 0)
            self.checks = {c.code: QCheckBox(c.label) for c in choices}
            for i, cb in enumerate(self.checks.values()):
                cb.setObjectName(f"field_{field.id}_{i}")
                grid.addWidget(cb, i // 3, i % 3)
            self.widget = box
        elif field.derived is not None and field.type in ("text", "longtext"):
            self.widget = _derived_text()
        else:
            edit = QLineEdit()
            if field.type == "date":
                edit.setPlaceholderText("YYYY-MM-DD 或 20260305")
            elif field.type == "month":
                edit.setPlaceholderText("YYYY-MM 或 201903")
            elif field.type == "idnumber":
                edit.setPlaceholderText("18位身份证号")
                edit.setMaxLength(20)
            elif field.max_length:
                edit.setMaxLength(field.max_length)
            if field.help:
                edit.setToolTip(field.help)
            self.widget = edit
        if field.derived is not None:  # always filled by the app: Tab passes it by
            self.widget.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
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
        assert isinstance(w, QLineEdit | QLabel)
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
        elif isinstance(w, QLabel):
            w.setText(self.field.field_type.display(value, self.field) if value is not None else "")
        else:
            assert isinstance(w, QLineEdit)
            w.setText(self.field.field_type.display(value, self.field) if value is not None else "")
            w.setCursorPosition(0)  # a long value shows its beginning

    def set_locked(self, locked: bool) -> None:
        if isinstance(self.widget, QLineEdit):
            self.widget.setReadOnly(locked)
        elif not isinstance(self.widget, QLabel):  # a derived text is never typed
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
        elif isinstance(w, QLineEdit):
            w.textChanged.connect(slot)
        # a derived text (QLabel) changes only with the fields it is derived from

    def focus_widgets(self) -> list[QWidget]:
        """The widgets Tab visits for this field, in order."""
        return list(self.checks.values()) if self.field.type == "multichoice" else [self.widget]

    def focus(self) -> None:
        enabled = [w for w in self.focus_widgets() if w.isEnabled()]
        (enabled or self.focus_widgets())[0].setFocus()


def _derived_text() -> QLabel:
    """A derived text (the constitution result): wraps instead of cutting a long value."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setMinimumHeight(QLineEdit().sizeHint().height())
    label.setStyleSheet(
        "QLabel { background: #eeeeee; color: #333; border: 1px solid #c8c8c8; padding: 2px; }"
    )
    return label


def choice_text(field: FieldDef, choice: Choice) -> str:
    """How a choice reads in its list: a national code with its label ("01 汉族": clerks
    pick these by typing the code); the station's own things (villages, teams, devices)
    and codes that are not numbers ("phs") by their label alone — never an internal id
    or an English abbreviation."""
    if field.dynamic_choices or not choice.code.isdigit():
        return choice.label
    return f"{choice.code} {choice.label}"
