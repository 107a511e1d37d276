"""Asking where to save a file and opening what was written, for every export.

The folder last saved to is remembered (QSettings), else Documents, else home. Callers
keep their own thin wrappers as module functions so tests can replace them with
``monkeypatch`` instead of driving a modal dialog or a viewer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

_FOLDER_KEY = "printing/last_folder"


def _settings() -> QSettings:
    return QSettings("ygt_desktop", "ygt_desktop")


def default_folder() -> Path:
    """The folder last saved to, else the user's Documents, else home."""
    last = _settings().value(_FOLDER_KEY)
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(docs) if docs and Path(docs).is_dir() else Path.home()


def choose_path(
    parent: QWidget | None, title: str, file_name: str, file_filter: str, suffix: str
) -> Path | None:
    """Ask where to save ``file_name``; None when cancelled. ``suffix`` is added to a
    name typed without it; the folder is remembered."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, title, str(default_folder() / file_name), file_filter
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    _settings().setValue(_FOLDER_KEY, str(path.parent))
    return path


def open_file(path: Path) -> bool:
    """Open ``path`` with the system's viewer; False when none could be started."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
