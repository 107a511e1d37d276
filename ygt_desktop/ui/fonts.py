"""Install the bundled Chinese font so text never draws as boxes on a PC without one."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..paths import font_path

_family: str | None = None


def install_app_font(app: QApplication) -> str | None:
    """Register the bundled font and make it the application font; returns its family."""
    global _family
    if _family is None:
        font_id = QFontDatabase.addApplicationFont(str(font_path()))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        _family = families[0] if families else None
    if _family:
        font = QFont(_family)
        font.setPointSize(10)
        app.setFont(font)
    return _family
