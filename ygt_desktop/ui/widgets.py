"""Small pieces every dialog uses, so they look and behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from . import screen_fit
from .error_text import ErrorLabel

# A window frame around the client area (Windows 10: borders 8 px, title bar 31 px).
FRAME_WIDTH, FRAME_HEIGHT = 16, 40


def error_label() -> QLabel:
    """Red, wrapping text for a field's or a dialog's error, taking no room while empty
    (:class:`~ygt_desktop.ui.error_text.ErrorLabel`)."""
    return ErrorLabel()


def dialog_buttons(
    dialog: QDialog, accept_text: str, reject_text: str, on_accept: Callable[[], None]
) -> QDialogButtonBox:
    """An accept button that runs ``on_accept`` (which decides to close) and a reject."""
    buttons = QDialogButtonBox()
    buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(reject_text, QDialogButtonBox.ButtonRole.RejectRole)
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width``×``height`` pixels, or less where its screen's
    available area (less a window frame) is smaller: no dialog outgrows the screen."""
    area = screen_fit.available_area(window)
    window.resize(
        max(min(width, area.width() - FRAME_WIDTH), 1),
        max(min(height, area.height() - FRAME_HEIGHT), 1),
    )
