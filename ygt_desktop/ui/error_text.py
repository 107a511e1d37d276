"""An error line that takes no room until there is an error.

An empty label in a dialog or above a list still takes a line's height and the spacing
around it: fields looked spaced out and a gap sat under every filter row. This label is
hidden while it has no text and shows itself when it is given some — in a dialog,
which grows (within the screen) when the message needs more lines than it has room for.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from . import screen_fit

ERROR_COLOUR = "#c62828"


class ErrorLabel(QLabel):
    """Red, wrapping text for a field's or a dialog's error; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setVisible(bool(text))
        if text:
            _make_room(self.window())

    def clear(self) -> None:
        super().clear()
        self.hide()


def _make_room(window: QWidget) -> None:
    """Grow dialog ``window`` to the height its layout needs at its width (a word-wrapped
    message is not counted in a dialog's minimum size, so Qt would squeeze it)."""
    layout = window.layout()
    if not isinstance(window, QDialog) or layout is None:
        return
    layout.activate()
    need = layout.sizeHint().height()
    if layout.hasHeightForWidth():
        need = max(need, layout.heightForWidth(window.width()))
    room = screen_fit.available_area(window).height()
    if window.height() < need:
        window.resize(window.width(), min(need, max(room, window.minimumHeight())))
