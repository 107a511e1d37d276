"""Printing and exporting the worklist page as it is shown.

Requirements held here: Ctrl+P prints exactly the lines shown (one per resident), with
the range, view and filters they were queried with (not what was typed since), and
opens the PDF; cancelling the dialog writes nothing; a failed write is explained in
Chinese; 导出表格 writes a CSV that Excel opens (UTF-8 with BOM), one row per item.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.background import wait_for_jobs
from ygt_desktop.ui import messages, worklist_export
from ygt_desktop.ui.shell import MainWindow
from ygt_desktop.ui.worklist_page import WorklistPage

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def patients(ws):
    """张三 (小坝村委会) and 李四 (大坝村委会), both registered with 高血压 in January 2026."""
    for name, id_number, village, phone in (
        ("张三", "11010519491231002X", "101", "13912345678"),
        ("李四", "53010219580312108X", "102", "13812345678"),
    ):
        rid = ws.residents.save(
            {
                "name": name,
                "id_number": id_number,
                "phone": phone,
                "village_code": village,
                "archive_date": "2020-01-01",
            }
        ).record_id
        ws.services.save(
            "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
        )


@pytest.fixture
def page(qtbot, ws, patients):
    widget = WorklistPage(ws)
    qtbot.addWidget(widget)
    widget.start.setText("2026-01-01")
    widget.end.setText("2026-06-30")
    widget.package.setCurrentIndex(widget.package.findData("疾控包"))
    widget.village.setCurrentIndex(widget.village.findData("101"))
    widget.refresh()
    return widget


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    """The save dialog answers with a file in tmp_path; opened files and messages are kept."""
    seen: dict[str, list] = {"asked": [], "opened": [], "errors": [], "infos": []}

    def choose(parent, title, file_name, file_filter, suffix):
        seen["asked"].append(file_name)
        return tmp_path / file_name

    monkeypatch.setattr(worklist_export, "choose_path", choose)
    monkeypatch.setattr(worklist_export, "open_file", lambda p: seen["opened"].append(p) or True)
    monkeypatch.setattr(
        messages, "error", lambda parent, text, title="": seen["errors"].append(text)
    )
    monkeypatch.setattr(messages, "info", lambda parent, text, title="": seen["infos"].append(text))
    return seen


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_ctrl_p_prints_the_rows_shown_with_their_filters_and_opens_the_pdf(
    qtbot, page, dialogs, tmp_path
):
    page.show()  # queries again (showEvent): the fixture's range and filters still hold
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    shown = [page.model.index(r, 1).data() for r in range(page.model.rowCount())]
    assert set(shown) == {"张三"}
    page.start.setText("2025-01-01")  # typed but not queried: the print follows the table
    page.table.setFocus()

    qtbot.keyClick(page.table, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)

    out = tmp_path / "待办随访_2026-01-01至2026-06-30.pdf"
    assert dialogs["asked"] == [out.name]
    assert dialogs["opened"] == [out]
    assert dialogs["errors"] == []
    text = pdf_text(out)
    assert "待办随访名单" in text and "张三" in text and "李四" not in text
    assert "139****5678" in text and "13912345678" not in text  # masked unless asked
    assert "2026-01-01 至 2026-06-30" in text
    assert "视图：到期和逾期" in text and "服务包：疾控包" in text
    assert "101 小坝村委会" in text and "状态：应访、逾期" in text
    assert text.count("高血压随访（2026年第1季度） 逾期 03-31") == 1 and "逾期" in text
    assert text.count("张三") == 1  # one line for her two quarters
    assert "11010519491231002X" not in text


def test_print_button_cancelled_writes_nothing(qtbot, page, dialogs, monkeypatch, tmp_path):
    monkeypatch.setattr(worklist_export, "choose_path", lambda *a: None)
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot)
    assert list(tmp_path.glob("*.pdf")) == [] and dialogs["opened"] == []


def test_a_failed_write_is_explained_in_chinese(qtbot, page, dialogs, monkeypatch, tmp_path):
    monkeypatch.setattr(
        worklist_export, "choose_path", lambda *a: tmp_path / "拔出的U盘" / "名单.pdf"
    )
    page.print_list()
    wait_for_jobs(qtbot)
    assert dialogs["opened"] == []
    assert len(dialogs["errors"]) == 1 and "文件夹不存在" in dialogs["errors"][0]


def test_export_writes_a_csv_excel_reads(qtbot, page, dialogs, tmp_path):
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    wait_for_jobs(qtbot)
    out = tmp_path / "待办随访_2026-01-01至2026-06-30.csv"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("序号,状态,姓名")
    assert page.model.rowCount() == 1  # one resident on the page, one row per item here
    assert len(lines) == 1 + len(page.shown.items) == 3
    assert all("张三" in line and "139****5678" in line for line in lines[1:])
    assert "13912345678" not in "".join(lines)
    assert str(out) in page.notice.text()


def test_ctrl_p_in_the_main_window_prints_the_worklist_page(qtbot, ws, patients, dialogs, tmp_path):
    window = MainWindow(ws)
    qtbot.addWidget(window)
    window.show()
    window.nav.setCurrentRow(2)
    worklist = window.worklist_page
    assert window.stack.currentWidget() is worklist
    worklist.start.setText("2026-04-01")
    worklist.end.setText("2026-06-30")
    qtbot.keyClick(worklist.end, Qt.Key.Key_Return)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    qtbot.keyClick(window, Qt.Key.Key_P, CTRL)
    wait_for_jobs(qtbot)

    out = tmp_path / "待办随访_2026-04-01至2026-06-30.pdf"
    assert dialogs["opened"] == [out]
    text = pdf_text(out)
    assert "张三" in text and "李四" in text and "高血压随访（2026年第2季度）" in text
