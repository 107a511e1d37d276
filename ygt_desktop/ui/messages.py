"""Message boxes in Chinese, and the handler that keeps tracebacks out of dialogs."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

log = logging.getLogger("ygt_desktop")


def info(parent: QWidget | None, text: str, title: str = "提示") -> None:
    QMessageBox.information(parent, title, text)


def error(parent: QWidget | None, text: str, title: str = "出错了") -> None:
    QMessageBox.warning(parent, title, text)


def ask(parent: QWidget | None, text: str, title: str = "请确认") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton("是", QMessageBox.ButtonRole.YesRole)
    box.addButton("否", QMessageBox.ButtonRole.NoRole)
    box.exec()
    return box.clickedButton() is yes


def ask_text(parent: QWidget | None, text: str, title: str) -> str | None:
    """A line of text from the user, or None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, text)
    return value.strip() if ok else None


def ask_password(parent: QWidget | None, text: str, title: str) -> str | None:
    """A password (shown as dots), or None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, text, QLineEdit.EchoMode.Password)
    return value if ok else None


def install_excepthook(log_file: Path) -> None:
    """Unexpected errors go to ``log_file``; the user sees a short note naming it."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("未预期的错误\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        error(
            None,
            f"程序遇到意外错误，已记录到 {log_file}。\n您刚才输入的内容未保存的部分请重新保存。",
        )

    sys.excepthook = hook
