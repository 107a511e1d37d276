"""Printing one stored record from the window (Ctrl+P), as a doctor does for the archive.

Requirements held here: Ctrl+P or the 打印 button in a saved record's editor writes the
stored record as a PDF where the user chose (default name 表名_姓名_日期.pdf) and opens
it; the ID number is masked; a new record cannot be printed; unsaved edits are not
printed (the user is asked); a failed write is explained in Chinese and leaves no file;
the timeline prints its selected record and says when none is selected. The save dialog
and the system viewer are replaced (``printing.choose_path`` / ``printing.open_pdf``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from tests.ui.background import wait_for_jobs
from ygt_desktop.reports.pdf_fonts import fallback_font
from ygt_desktop.ui import files, messages, printing
from ygt_desktop.ui.resident_detail import ResidentDetail
from ygt_desktop.ui.service_editor import ServiceEditor

ID_NUMBER = "11010519491231002X"
MASKED = "110105********002X"
TITLE = "高血压患者随访服务记录表"
CTRL = Qt.KeyboardModifier.ControlModifier


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def activate(qtbot, window) -> None:
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def type_text(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:  # QTest cannot type Chinese; an input method commits the text like this
        widget.insert(text)


def choose(combo, code: str) -> None:
    combo.setCurrentIndex(combo.findData(code))


class Printer:
    """Stands in for the save dialog and the PDF viewer."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.suggested: list[str] = []
        self.opened: list[Path] = []
        self.cancel = False
        self.viewer_works = True

    def choose_path(self, parent, file_name: str) -> Path | None:
        self.suggested.append(file_name)
        return None if self.cancel else self.folder / file_name

    def open_pdf(self, path: Path) -> bool:
        self.opened.append(path)
        return self.viewer_works


@pytest.fixture
def printer(tmp_path, monkeypatch) -> Printer:
    p = Printer(tmp_path / "打印")
    p.folder.mkdir()
    monkeypatch.setattr(printing, "choose_path", p.choose_path)
    monkeypatch.setattr(printing, "open_pdf", p.open_pdf)
    return p


@pytest.fixture
def shown(monkeypatch) -> list[tuple[str, str]]:
    """Every message box as (kind, text); ``ask`` answers yes unless told otherwise."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "info", lambda p, text, title="": seen.append(("info", text)))
    monkeypatch.setattr(messages, "error", lambda p, text, title="": seen.append(("error", text)))
    return seen


def make_resident(ws, name: str = "张三") -> int:
    rid = ws.residents.save(
        {"name": name, "id_number": ID_NUMBER, "village_code": "101", "archive_date": "2020-01-01"}
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    return rid


def enter_followup(qtbot, ws, resident: int) -> int:
    """A follow-up typed into the real editor and saved; returns its record id."""
    editor = ServiceEditor(ws, "htn_followup", resident)
    qtbot.addWidget(editor)
    assert not editor.print_button.isEnabled()  # nothing stored yet
    fields = editor.form_widget.editors
    type_text(qtbot, fields["visit_date"].widget, "2026-11-30")
    choose(fields["visit_method"].widget, "1")
    type_text(qtbot, fields["sbp"].widget, "142")
    type_text(qtbot, fields["dbp"].widget, "88")
    choose(fields["adherence"].widget, "1")
    choose(fields["visit_class"].widget, "1")
    type_text(qtbot, fields["medication"].widget, "苯磺酸氨氯地平片 每日1次 每次5mg")
    editor.save()
    assert not editor.isVisible()
    assert editor.saved is not None
    return editor.saved.change.record_id


def open_editor(qtbot, ws, record_id: int) -> ServiceEditor:
    editor = ServiceEditor(ws, "htn_followup", record_id=record_id)
    qtbot.addWidget(editor)
    activate(qtbot, editor)
    return editor


def test_ctrl_p_prints_the_saved_record_and_opens_it(qtbot, ws, printer, shown):
    record_id = enter_followup(qtbot, ws, make_resident(ws))
    editor = open_editor(qtbot, ws, record_id)
    assert editor.print_button.isEnabled()
    assert editor.print_button.text() == "打印 (Ctrl+P)"

    qtbot.keyClick(editor, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)

    assert printer.suggested == [f"{TITLE}_张三_2026-11-30.pdf"]
    out = printer.folder / printer.suggested[0]
    assert printer.opened == [out]
    text = pdf_text(out)
    for expected in (TITLE, "张三", "142 mmHg", "苯磺酸氨氯地平片", MASKED, "测试社区卫生服务站"):
        assert expected in text, expected
    assert ID_NUMBER not in text
    assert shown == []  # no warnings, no errors
    assert editor.isVisible()  # printing does not close the record


def test_the_button_prints_too(qtbot, ws, printer, shown):
    editor = open_editor(qtbot, ws, enter_followup(qtbot, ws, make_resident(ws)))
    qtbot.mouseClick(editor.print_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot)
    assert len(printer.opened) == 1 and printer.opened[0].is_file()


def test_a_new_record_cannot_be_printed(qtbot, ws, printer, shown):
    editor = ServiceEditor(ws, "htn_followup", make_resident(ws))
    qtbot.addWidget(editor)
    activate(qtbot, editor)
    assert not editor.print_button.isEnabled()
    qtbot.keyClick(editor, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)
    assert printer.suggested == []
    assert "请先保存" in editor.status.text()


def test_unsaved_edits_are_not_printed(qtbot, ws, printer, shown, monkeypatch):
    editor = open_editor(qtbot, ws, enter_followup(qtbot, ws, make_resident(ws)))
    type_text(qtbot, editor.form_widget.editors["sbp"].widget, "199")
    answers = [False, True]
    asked: list[str] = []

    def ask(parent, text, title=""):
        asked.append(text)
        return answers.pop(0) if answers else True

    monkeypatch.setattr(messages, "ask", ask)
    editor.print_record()  # declined: nothing written
    wait_for_jobs(qtbot)
    assert printer.suggested == [] and "未保存" in asked[0]
    editor.print_record()  # accepted: the stored 142 is printed, not the typed 199
    wait_for_jobs(qtbot)
    text = pdf_text(printer.opened[0])
    assert "142 mmHg" in text and "199" not in text
    assert editor.form_widget.is_dirty()  # the edit is still there to save
    editor.form_widget.mark_clean()  # closing at teardown must not ask again


def test_cancelling_the_save_dialog_writes_nothing(qtbot, ws, printer, shown):
    editor = open_editor(qtbot, ws, enter_followup(qtbot, ws, make_resident(ws)))
    printer.cancel = True
    editor.print_record()
    wait_for_jobs(qtbot)
    assert printer.opened == [] and list(printer.folder.iterdir()) == []


def test_a_failed_write_is_explained_and_leaves_nothing(qtbot, ws, printer, shown):
    editor = open_editor(qtbot, ws, enter_followup(qtbot, ws, make_resident(ws)))
    printer.folder = printer.folder / "已拔出的U盘"
    editor.print_record()
    wait_for_jobs(qtbot)
    assert printer.opened == []
    ((kind, text),) = shown
    assert kind == "error" and "无法保存打印文件" in text and "不存在" in text
    assert not printer.folder.exists()
    assert list(printer.folder.parent.iterdir()) == []  # no .part file either


def test_a_viewer_that_does_not_start_names_the_file(qtbot, ws, printer, shown):
    editor = open_editor(qtbot, ws, enter_followup(qtbot, ws, make_resident(ws)))
    printer.viewer_works = False
    editor.print_record()
    wait_for_jobs(qtbot)
    ((kind, text),) = shown
    assert kind == "error" and str(printer.opened[0]) in text and printer.opened[0].is_file()


def test_characters_no_font_has_are_reported(qtbot, ws, printer, shown):
    if fallback_font("䶮") is not None:
        pytest.skip("a system font here prints 䶮, so there is nothing to warn about")
    editor = open_editor(qtbot, ws, enter_followup(qtbot, ws, make_resident(ws, "刘䶮")))
    editor.print_record()
    wait_for_jobs(qtbot)
    ((kind, text),) = shown
    assert kind == "info" and "䶮" in text
    assert printer.opened  # printed anyway


def test_timeline_ctrl_p_prints_the_selected_record(qtbot, ws, printer, shown):
    resident = make_resident(ws)
    enter_followup(qtbot, ws, resident)
    detail = ResidentDetail(ws, resident)
    qtbot.addWidget(detail)
    activate(qtbot, detail)
    assert detail.table.item(0, 1).text() == "高血压随访"

    qtbot.keyClick(detail, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)
    assert printer.suggested == [f"{TITLE}_张三_2026-11-30.pdf"]
    assert str(printer.opened[0]) in detail.status.text()

    detail.table.selectRow(1)  # the register
    (print_button,) = [
        b for b in detail.findChildren(QPushButton) if b.text() == "打印记录 (Ctrl+P)"
    ]
    qtbot.mouseClick(print_button, Qt.MouseButton.LeftButton)
    assert printer.suggested[1].startswith("高血压患者管理卡_张三_")


def test_timeline_without_a_selection_says_so(qtbot, ws, printer, shown):
    rid = ws.residents.save(
        {
            "name": "李四",
            "id_number": ID_NUMBER,
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id  # no services yet
    detail = ResidentDetail(ws, rid)
    qtbot.addWidget(detail)
    activate(qtbot, detail)
    qtbot.keyClick(detail, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)
    assert printer.suggested == []
    assert "没有选中的服务记录" in detail.status.text()


def test_save_dialog_suggests_the_last_folder_and_adds_pdf(qtbot, tmp_path, monkeypatch):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(files, "_settings", lambda: settings)
    chosen = tmp_path / "档案柜"
    chosen.mkdir()
    offered: list[str] = []

    def dialog(parent, caption, start, filters):
        offered.append(start)
        return str(chosen / "随访"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    assert printing.choose_path(None, "表_张三.pdf") == chosen / "随访.pdf"
    assert printing.default_folder() == chosen
    printing.choose_path(None, "表_李四.pdf")
    assert offered[1] == str(chosen / "表_李四.pdf")
