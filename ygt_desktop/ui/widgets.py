"""Small pieces every dialog uses, so they look and behave the same everywhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel


def error_label() -> QLabel:
    """Red, wrapping text for a field's or a dialog's error."""
    label = QLabel()
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    return label


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
