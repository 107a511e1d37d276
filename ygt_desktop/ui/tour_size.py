"""The screen size of the screenshot tour, kept apart from the tour itself so that
starting the window (whose command line names ``--size``) does not import every page
the tour visits."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize

DEFAULT_SIZE = QSize(1366, 728)  # a 1366×768 screen less Windows' 40-pixel taskbar


def parse_size(text: str) -> QSize:
    """``1366x728`` (also ``1366×728``) as a QSize; a Chinese ValueError otherwise."""
    found = re.fullmatch(r"\s*(\d{3,5})\s*[xX×*]\s*(\d{3,5})\s*", text)
    if not found:
        raise ValueError(f"尺寸“{text}”应写成 宽x高 的像素数，如 1366x728")
    return QSize(int(found.group(1)), int(found.group(2)))
