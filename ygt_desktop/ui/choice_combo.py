"""A drop-down list a clerk picks from by typing, without opening it.

Typing selects the first item whose code ("01"), label ("汉族") or the label's pinyin
("hz", "hanzu") starts with what was typed; keys typed in quick succession extend the
search, a pause starts a new one. Chinese committed by an input method searches the
same way.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from ..core.search import name_keys

MIN_CHARS = 6  # the closed box can be this narrow; the open list shows whole items


class ChoiceCombo(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._typed = ""
        self._last = 0.0
        self._keys: list[set[str]] | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(MIN_CHARS)
        self.setMaxVisibleItems(20)
        model = self.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._forget_keys)

    def _forget_keys(self, *_args: object) -> None:
        self._keys = None

    def item_keys(self) -> list[set[str]]:
        """Search keys per item: its code, its label and the label's pinyin."""
        if self._keys is None:
            self._keys = []
            for i in range(self.count()):
                text = self.itemText(i)
                code = self.itemData(i)
                keys: set[str] = set()
                if isinstance(code, str) and code:
                    keys.add(code.lower())
                    if text.startswith(f"{code} "):
                        text = text[len(code) + 1 :]
                if text:
                    keys.add(text.lower())
                    keys.update(name_keys(text))
                self._keys.append(keys)
        return self._keys

    def search(self, typed: str) -> bool:
        """Select the first item with a key starting with ``typed``; False if none."""
        typed = typed.lower()
        for i, keys in enumerate(self.item_keys()):
            if any(k.startswith(typed) for k in keys):
                self.setCurrentIndex(i)
                return True
        return False

    def _type(self, text: str) -> None:
        interval = QApplication.keyboardInputInterval() / 1000
        if time.monotonic() - self._last > interval:
            self._typed = ""
        self._typed += text
        if not self.search(self._typed) and len(self._typed) > len(text):
            self._typed = text
            self.search(text)
        self._last = time.monotonic()  # after the search: the first one loads pinyin

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        text = event.text()
        modifiers = event.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        if text and text.isprintable() and not text.isspace() and not modifiers:
            self._type(text)
            event.accept()
            return
        super().keyPressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802 - Qt API
        if event.commitString():
            self._type(event.commitString())
        event.accept()
