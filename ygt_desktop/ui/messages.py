"""Message boxes in Chinese, and the handler that keeps tracebacks out of dialogs."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from ..core import roles

log = logging.getLogger("ygt_desktop")


def _show(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
    """A box with a Chinese 确定 (Qt's own button says OK without a translation)."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def info(parent: QWidget | None, text: str, title: str = "提示") -> None:
    _show(parent, QMessageBox.Icon.Information, title, text)


def error(parent: QWidget | None, text: str, title: str = "出错了") -> None:
    _show(parent, QMessageBox.Icon.Warning, title, text)


def ask(parent: QWidget | None, text: str, title: str = "请确认") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    yes = box.addButton("是", QMessageBox.ButtonRole.YesRole)
    box.addButton("否", QMessageBox.ButtonRole.NoRole)
    box.exec()
    return box.clickedButton() is yes


def _input(parent: QWidget | None, text: str, title: str, echo: QLineEdit.EchoMode) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(text)
    dialog.setTextEchoMode(echo)
    dialog.setOkButtonText("确定")
    dialog.setCancelButtonText("取消")
    return dialog.textValue() if dialog.exec() else None


def ask_text(parent: QWidget | None, text: str, title: str) -> str | None:
    """A line of text from the user, or None when cancelled."""
    value = _input(parent, text, title, QLineEdit.EchoMode.Normal)
    return value.strip() if value is not None else None


def ask_password(parent: QWidget | None, text: str, title: str) -> str | None:
    """A password (shown as dots), or None when cancelled."""
    return _input(parent, text, title, QLineEdit.EchoMode.Password)


def choose(parent: QWidget | None, text: str, title: str, options: list[str]) -> str | None:
    """One of ``options`` (a drop-down), or None when cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(text)
    dialog.setComboBoxItems(options)
    dialog.setComboBoxEditable(False)
    dialog.setOkButtonText("确定")
    dialog.setCancelButtonText("取消")
    return dialog.textValue() if dialog.exec() else None


def only_for(permission: str) -> str:
    """A greyed button's tooltip: who may do this (e.g. 只有站长可以上报并锁定季度)."""
    return f"只有{'、'.join(roles.who_may(permission))}可以{roles.label(permission)}。"


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
