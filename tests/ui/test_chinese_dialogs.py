"""Every standard dialog speaks Chinese (issue 12, point 4): the message boxes, the
password and text prompts (a delete reason), the drop-down prompt, and the file dialogs
(Qt's own, translated by the qtbase_zh_CN catalogue the window installs at start-up).

Each dialog is opened for real through the function the pages call; a zero-delay timer
reads its buttons once it is up and closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QWidget

from ygt_desktop.ui import app, bureau_common, files, messages

# The real functions: the suite's guard replaces them with refusals in every Qt test.
REAL = {name: getattr(messages, name) for name in ("info", "error", "ask", "ask_text",
                                                   "ask_password", "choose")}  # fmt: skip
ENGLISH = ("OK", "Cancel", "Yes", "No", "Open", "Save", "Close", "Apply", "Choose")


def buttons_of(dialog: QWidget) -> list[str]:
    """Visible push-button texts, without mnemonics (保存(&S) → 保存(S))."""
    return [
        b.text().replace("&", "")
        for b in dialog.findChildren(QPushButton)
        if b.isVisible() and b.text()
    ]


def opened(call: Callable[[], Any], close: Callable[[QDialog], None]) -> list[str]:
    """Run ``call`` (which shows a modal dialog); return the dialog's button texts."""
    seen: list[list[str]] = []
    tries = iter(range(500))  # a dialog that never comes must not leave a timer looping

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog) or not dialog.isVisible():
            if next(tries, None) is not None:
                QTimer.singleShot(10, look)  # not up yet
            return
        try:
            seen.append(buttons_of(dialog))
            close(dialog)
        finally:
            if dialog.isVisible():  # whatever happened, never leave it waiting
                dialog.reject()

    QTimer.singleShot(0, look)
    call()
    assert seen, "no dialog was shown"
    return seen[0]


def first_button(dialog: QDialog) -> None:
    assert isinstance(dialog, QMessageBox)
    dialog.buttons()[0].click()


def is_chinese(texts: list[str]) -> bool:
    return bool(texts) and not any(word in t for t in texts for word in ENGLISH)


@pytest.mark.parametrize(("name", "args", "close", "expected"), [
    ("info", ("已保存。",), first_button, ["确定"]),
    ("error", ("保存失败。",), first_button, ["确定"]),
    ("ask", ("删除吗？",), first_button, ["是", "否"]),
    ("ask_text", ("请填写删除原因：", "删除服务记录"), QDialog.reject, ["确定", "取消"]),
    ("ask_password", ("请输入密码：", "确认身份"), QDialog.reject, ["确定", "取消"]),
    ("choose", ("结案类型：", "结案", ["迁出", "死亡"]), QDialog.reject, ["确定", "取消"]),
])  # fmt: skip
def test_message_boxes_and_prompts_have_chinese_buttons(qtbot, name, args, close, expected):
    texts = opened(lambda: REAL[name](None, *args), close)
    assert sorted(texts) == sorted(expected)


@pytest.fixture
def zh_cn(qapp) -> Iterator[None]:
    """Qt's own texts translated as the window does at start-up, taken back afterwards."""
    before = set(qapp.findChildren(QTranslator))
    app.install_translations(qapp)
    added = [t for t in qapp.findChildren(QTranslator) if t not in before]
    assert added, "qtbase_zh_CN.qm was not found in PySide6's translations folder"
    yield
    for translator in added:
        qapp.removeTranslator(translator)
        translator.deleteLater()


def test_the_window_installs_qts_chinese_texts(qtbot, zh_cn):
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_file_dialogs_are_chinese(qtbot, zh_cn, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "default_folder", lambda: tmp_path)
    monkeypatch.setattr(bureau_common, "default_folder", lambda: tmp_path)
    save = opened(
        lambda: files.choose_path(None, "保存打印文件", "记录.pdf", "PDF 文件 (*.pdf)", ".pdf"),
        QDialog.reject,
    )
    assert is_chinese(save) and "保存(S)" in save and "取消" in save, save
    open_ = opened(
        lambda: bureau_common.choose_open_file(None, "选择工作簿", "工作簿 (*.xlsx)"),
        QDialog.reject,
    )
    assert is_chinese(open_) and "打开(O)" in open_ and "取消" in open_, open_
    folder = opened(lambda: bureau_common.choose_folder(None, "选择文件夹"), QDialog.reject)
    assert is_chinese(folder) and "取消" in folder, folder


def test_the_check_finds_english_buttons(qtbot):
    """The check itself: Qt's untranslated buttons are caught."""
    box = QMessageBox(QMessageBox.Icon.Information, "t", "x")
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    box.show()
    assert not is_chinese(buttons_of(box))
