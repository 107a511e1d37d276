"""Message boxes in Chinese, and the handler that keeps tracebacks out of dialogs.

Each box is made by a builder (``message_box``, ``question_box``, ``input_dialog``,
``choice_dialog``) and run modally by the function pages call (``info``, ``ask`` …);
tests show the builders' dialogs without running them.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from ..core import roles

log = logging.getLogger("ygt_desktop")


def message_box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str
) -> QMessageBox:
    """A box with a Chinese 确定 (Qt's own button says OK without a translation)."""
    box = QMessageBox(icon, title, text, parent=parent)
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    return box


def question_box(parent: QWidget | None, text: str, title: str) -> QMessageBox:
    """A yes/no question: 是 and 否."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.addButton("是", QMessageBox.ButtonRole.YesRole)
    box.addButton("否", QMessageBox.ButtonRole.NoRole)
    return box


def input_dialog(
    parent: QWidget | None, text: str, title: str, echo: QLineEdit.EchoMode
) -> QInputDialog:
    """A line of text (``echo``: shown or as dots) with 确定 and 取消."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(text)
    dialog.setTextEchoMode(echo)
    dialog.setOkButtonText("确定")
    dialog.setCancelButtonText("取消")
    return dialog


def choice_dialog(
    parent: QWidget | None, text: str, title: str, options: list[str]
) -> QInputDialog:
    """A drop-down of ``options`` with 确定 and 取消."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(text)
    dialog.setComboBoxItems(options)
    dialog.setComboBoxEditable(False)
    dialog.setOkButtonText("确定")
    dialog.setCancelButtonText("取消")
    return dialog


def info(parent: QWidget | None, text: str, title: str = "提示") -> None:
    message_box(parent, QMessageBox.Icon.Information, title, text).exec()


def error(parent: QWidget | None, text: str, title: str = "出错了") -> None:
    message_box(parent, QMessageBox.Icon.Warning, title, text).exec()


def ask(parent: QWidget | None, text: str, title: str = "请确认") -> bool:
    box = question_box(parent, text, title)
    box.exec()
    clicked = box.clickedButton()
    return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.YesRole


def ask_text(parent: QWidget | None, text: str, title: str) -> str | None:
    """A line of text from the user, or None when cancelled."""
    dialog = input_dialog(parent, text, title, QLineEdit.EchoMode.Normal)
    return dialog.textValue().strip() if dialog.exec() else None


def ask_password(parent: QWidget | None, text: str, title: str) -> str | None:
    """A password (shown as dots), or None when cancelled."""
    dialog = input_dialog(parent, text, title, QLineEdit.EchoMode.Password)
    return dialog.textValue() if dialog.exec() else None


def choose(parent: QWidget | None, text: str, title: str, options: list[str]) -> str | None:
    """One of ``options`` (a drop-down), or None when cancelled."""
    dialog = choice_dialog(parent, text, title, options)
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
