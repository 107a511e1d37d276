"""No window larger than the screen it opens on.

The station PCs are 1366×768 with a 40-pixel taskbar. Every dialog sizes itself for its
content, and the pages are laid out to fit; this is the net under all of them: when any
top-level window is shown, it is shrunk to the screen's available area (never below its
own minimum — the screenshot tour reports any window whose minimum does not fit) and
moved so that its title bar and buttons are on the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget


def available_area(widget: QWidget | None = None) -> QRect:
    """The area a window may use on ``widget``'s screen (the primary one without it)."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def fit_window(window: QWidget) -> None:
    """Shrink ``window`` to its screen's available area and move it onto the screen.

    The window's own area is held to the screen's; the few pixels of a window manager's
    frame are not counted (Windows 10 draws them as an invisible shadow), so a window
    made exactly the screen's size keeps it."""
    area = available_area(window)
    width = min(window.width(), max(area.width(), window.minimumWidth()))
    height = min(window.height(), max(area.height(), window.minimumHeight()))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    geometry = window.geometry()
    x = min(max(geometry.x(), area.x()), max(area.right() - geometry.width() + 1, area.x()))
    y = min(max(geometry.y(), area.y()), max(area.bottom() - geometry.height() + 1, area.y()))
    if (x, y) != (geometry.x(), geometry.y()):
        window.move(x + window.x() - geometry.x(), y + window.y() - geometry.y())


class ScreenFit(QObject):
    """Fits every top-level window to its screen as it is shown."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if (
            event.type() == QEvent.Type.Show
            and isinstance(obj, QWidget)
            and obj.isWindow()
            and obj.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)
            and not obj.isMaximized()
            and not obj.isFullScreen()
        ):
            fit_window(obj)
        return False


def install(app: QApplication) -> ScreenFit:
    """Fit every window the application shows from now on (kept alive by the app)."""
    fitter = ScreenFit(app)
    app.installEventFilter(fitter)
    return fitter
