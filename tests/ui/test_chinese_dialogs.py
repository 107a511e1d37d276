"""Every standard dialog speaks Chinese (issue 12, point 4): the message boxes, the
password and text prompts (a delete reason), the drop-down prompt, and the file dialogs
(Qt's own, translated by the qtbase_zh_CN catalogue the window installs at start-up).

Each dialog is built by the function the pages' prompts use and shown without running
it modally (a nested event loop in a test is what the suite's guard exists to avoid);
its visible buttons are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QDialog, QFileDialog, QLineEdit, QMessageBox, QPushButton, QWidget

from ygt_desktop.ui import app, messages

# The real prompts, before the suite's guard replaces them in Qt tests.
REAL = {n: getattr(messages, n) for n in ("info", "error", "ask", "ask_text",
                                          "ask_password", "choose")}  # fmt: skip
ENGLISH = ("OK", "Cancel", "Yes", "No", "Open", "Save", "Close", "Apply", "Choose")


def buttons_of(dialog: QWidget) -> list[str]:
    """Visible push-button texts, without mnemonics (保存(&S) → 保存(S))."""
    return [
        b.text().replace("&", "")
        for b in dialog.findChildren(QPushButton)
        if b.isVisible() and b.text()
    ]


def shown(qtbot, dialog: QDialog) -> list[str]:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    texts = buttons_of(dialog)
    dialog.reject()
    return texts


def is_chinese(texts: list[str]) -> bool:
    return bool(texts) and not any(word in t for t in texts for word in ENGLISH)


Info, Warning_ = QMessageBox.Icon.Information, QMessageBox.Icon.Warning
Normal, Password = QLineEdit.EchoMode.Normal, QLineEdit.EchoMode.Password


@pytest.mark.parametrize(("build", "expected"), [
    (lambda: messages.message_box(None, Info, "提示", "已保存。"), ["确定"]),
    (lambda: messages.message_box(None, Warning_, "出错了", "保存失败。"), ["确定"]),
    (lambda: messages.question_box(None, "删除吗？", "请确认"), ["是", "否"]),
    (lambda: messages.input_dialog(None, "删除原因：", "删除服务记录", Normal), ["确定", "取消"]),
    (lambda: messages.input_dialog(None, "密码：", "确认身份", Password), ["确定", "取消"]),
    (lambda: messages.choice_dialog(None, "结案类型：", "结案", ["迁出", "死亡"]),
     ["确定", "取消"]),
])  # fmt: skip
def test_message_boxes_and_prompts_have_chinese_buttons(qtbot, build, expected):
    assert sorted(shown(qtbot, build())) == sorted(expected)


def test_the_prompts_run_their_builders(qapp, monkeypatch):
    """info, ask, ask_text … run the dialogs the builders make (not an English box of
    their own); run here without showing (exec answers 0: closed, cancelled)."""
    made: list[str] = []

    def stub(name: str):
        real = getattr(messages, name)

        def build(*args):
            dialog = real(*args)
            made.append(name)
            monkeypatch.setattr(dialog, "exec", lambda: 0)
            return dialog

        return build

    for name, function in REAL.items():
        monkeypatch.setattr(messages, name, function)  # the suite's guard put refusals
    for name in ("message_box", "question_box", "input_dialog", "choice_dialog"):
        monkeypatch.setattr(messages, name, stub(name))
    assert messages.ask(None, "x") is False
    assert messages.ask_text(None, "x", "t") is None
    assert messages.ask_password(None, "x", "t") is None
    assert messages.choose(None, "x", "t", ["a"]) is None
    messages.info(None, "x")
    messages.error(None, "x")
    assert made == [
        "question_box",
        "input_dialog",
        "input_dialog",
        "choice_dialog",
        "message_box",
        "message_box",
    ]


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


def file_dialog(folder: Path, mode: QFileDialog.AcceptMode, kind: QFileDialog.FileMode):
    """A file dialog as QFileDialog.getSaveFileName and friends make it (Qt's own)."""
    dialog = QFileDialog(None, "选择文件", str(folder), "PDF 文件 (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(mode)
    dialog.setFileMode(kind)
    return dialog


def test_file_dialogs_are_chinese(qtbot, zh_cn, tmp_path):
    Save, Open = QFileDialog.AcceptMode.AcceptSave, QFileDialog.AcceptMode.AcceptOpen
    save = shown(qtbot, file_dialog(tmp_path, Save, QFileDialog.FileMode.AnyFile))
    assert is_chinese(save) and "保存(S)" in save and "取消" in save, save
    open_ = shown(qtbot, file_dialog(tmp_path, Open, QFileDialog.FileMode.ExistingFile))
    assert is_chinese(open_) and "打开(O)" in open_ and "取消" in open_, open_
    folder = shown(qtbot, file_dialog(tmp_path, Open, QFileDialog.FileMode.Directory))
    assert is_chinese(folder) and "取消" in folder, folder


def test_the_check_finds_english_buttons(qtbot, tmp_path):
    """The check itself: Qt's untranslated buttons are caught."""
    box = QMessageBox(QMessageBox.Icon.Information, "t", "x")
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    assert not is_chinese(shown(qtbot, box))
    Save = QFileDialog.AcceptMode.AcceptSave
    assert not is_chinese(shown(qtbot, file_dialog(tmp_path, Save, QFileDialog.FileMode.AnyFile)))
