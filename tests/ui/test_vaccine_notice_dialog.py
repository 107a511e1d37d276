"""The 打印接种通知单 dialog (ui/vaccine_notice_dialog.py).

Requirements held here: the village is chosen from the station's villages (the page's
one at first), the period defaults to today and the next 13 days; Enter asks where to
save (接种通知单_<村>_<从>_<到>.pdf), writes the notice in the background, says how many
children and doses it lists and opens the PDF; a date that does not parse or an end
before the start is refused in the dialog naming the field, nothing asked or written;
a failed write shows the Chinese reason and leaves no file; 显示完整电话 only for the
roles that may see full phone numbers; a station without villages is told to set them
up under 设置; Esc closes; the dialog fits the station's screen.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from tests.reports.test_vaccine_notice import child
from tests.storage.test_vaccine_doses import dose
from tests.ui.background import wait_for_jobs
from ygt_desktop.core import roles
from ygt_desktop.storage import users
from ygt_desktop.ui import vaccine_notice_dialog as notice_ui
from ygt_desktop.ui.vaccine_notice_dialog import NO_VILLAGES, open_vaccine_notice

TODAY = dt.date(2026, 6, 22)
PHONE = "13812345678"
FILE = "接种通知单_小坝村委会_2026-06-22_2026-07-05.pdf"
SELECT_ALL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def station(ws):
    on_time = child(ws, "按时宝", "2026-04-20", phone=PHONE)
    for vaccine, day in (("hepb1", "2026-04-20"), ("bcg", "2026-04-21"), ("hepb2", "2026-05-20")):
        dose(ws, on_time, vaccine, day)
    child(ws, "漏种宝", "2025-06-01")
    child(ws, "别村宝", "2026-04-20", village="102")
    return ws


@pytest.fixture
def saved(monkeypatch, tmp_path):
    """The save dialog answers with a file in tmp_path; opened files are kept."""
    seen: dict[str, list] = {"asked": [], "opened": []}

    def choose(parent, title, file_name, file_filter, suffix):
        seen["asked"].append(file_name)
        return tmp_path / file_name

    monkeypatch.setattr(notice_ui, "choose_path", choose)
    monkeypatch.setattr(notice_ui, "open_file", lambda p: seen["opened"].append(p) or True)
    return seen


@pytest.fixture
def page(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def opened(qtbot, page, ws, **kwargs):
    dialog = open_vaccine_notice(page, ws, today=TODAY, **kwargs)
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def retype(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, SELECT_ALL)
    qtbot.keyClicks(edit, text)


def pdf_text(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages).replace(" ", "")


def test_choose_village_and_dates_then_enter_prints_and_opens_the_notice(
    qtbot, page, station, saved, tmp_path
):
    dialog = opened(qtbot, page, station)
    assert dialog.village.currentData() == "001"  # no village given: the first
    assert (dialog.start.text(), dialog.end.text()) == ("2026-06-22", "2026-07-05")
    assert dialog.village.hasFocus()
    assert not dialog.open_button.isVisible() and not dialog.summary.isVisible()
    qtbot.keyClick(dialog.village, Qt.Key.Key_Down)  # 001 → 101 小坝村委会
    assert dialog.village.currentData() == "101"
    retype(qtbot, dialog.end, "20260705")  # typed compactly, normalised
    qtbot.keyClick(dialog.end, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)

    out = tmp_path / FILE
    assert saved["asked"] == [FILE] and saved["opened"] == [out]
    assert dialog.end.text() == "2026-07-05"
    text = pdf_text(out)
    assert "按时宝" in text and "漏种宝" in text and "别村宝" not in text
    assert "138****5678" in text and PHONE not in text
    result = dialog.summary.text()
    assert "小坝村委会 2026-06-22 至 2026-07-05 的接种通知单（2 名儿童" in result
    assert str(out) in result and "电话号码已遮挡" in result
    assert dialog.isVisible() and dialog.error.text() == ""  # open for another village
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert saved["opened"] == [out, out]
    retype(qtbot, dialog.end, "2026-06-01")  # refused: what was said no longer applies
    qtbot.keyClick(dialog.end, Qt.Key.Key_Return)
    assert "不能早于开始日期" in dialog.error.text()
    assert not dialog.summary.isVisible() and not dialog.open_button.isVisible()


def test_the_page_village_is_chosen_at_first(qtbot, page, station):
    dialog = opened(qtbot, page, station, village="102")
    assert dialog.village.currentText() == "102 大坝村委会"


def test_the_worklist_page_opens_it_for_its_village_by_button_and_ctrl_j(qtbot, station):
    from PySide6.QtGui import QKeySequence

    from ygt_desktop.ui.worklist_page import WorklistPage

    page = WorklistPage(station, clock=lambda: TODAY)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.village.setCurrentIndex(page.village.findData("102"))
    qtbot.mouseClick(page.notice_button, Qt.MouseButton.LeftButton)
    dialogs = page.findChildren(notice_ui.VaccineNoticeDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    assert dialogs[0].village.currentData() == "102"
    assert (dialogs[0].start.text(), dialogs[0].end.text()) == ("2026-06-22", "2026-07-05")
    dialogs[0].reject()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    qtbot.keySequence(page, QKeySequence("Ctrl+J"))
    assert any(d.isVisible() for d in page.findChildren(notice_ui.VaccineNoticeDialog))


@pytest.mark.parametrize(
    ("start", "end", "words", "focused"),
    [
        ("2026-13-01", "2026-07-05", "从：", "start"),
        ("2026-07-05", "2026-06-22", "到：结束日期 2026-06-22 不能早于开始日期 2026-07-05", "end"),
        ("2026-06-22", "2027-07-05", "到：通知单的时间范围不能超过一年", "end"),
    ],
)
def test_bad_dates_are_refused_in_the_dialog_naming_the_field(
    qtbot, page, station, saved, tmp_path, start, end, words, focused
):
    dialog = opened(qtbot, page, station, village="101")
    retype(qtbot, dialog.start, start)
    retype(qtbot, dialog.end, end)
    qtbot.keyClick(dialog.end, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    assert words in dialog.error.text() and dialog.error.isVisible()
    assert getattr(dialog, focused).hasFocus()
    assert saved["asked"] == [] and list(tmp_path.glob("*.pdf")) == []


def test_a_failed_write_shows_the_reason_and_leaves_no_file(
    qtbot, page, station, saved, monkeypatch, tmp_path
):
    gone = tmp_path / "拔出的U盘"
    monkeypatch.setattr(notice_ui, "choose_path", lambda *a: gone / "通知.pdf")
    dialog = opened(qtbot, page, station, village="101")
    qtbot.keyClick(dialog.village, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    assert "无法保存接种通知单" in dialog.error.text()
    assert "文件夹不存在" in dialog.error.text()
    assert saved["opened"] == [] and not dialog.summary.isVisible()
    assert list(tmp_path.rglob("*.pdf")) == [] and list(tmp_path.rglob("*.part")) == []


def test_full_phones_only_for_roles_that_may_see_them(qtbot, page, station, saved, tmp_path):
    dialog = opened(qtbot, page, station, village="101")
    assert dialog.full_phone.isEnabled()  # the tests' 站长
    dialog.full_phone.setChecked(True)
    qtbot.keyClick(dialog.village, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    assert PHONE in pdf_text(tmp_path / FILE)
    assert "电话号码已遮挡" not in dialog.summary.text()

    users.add_user(station.store, "王录入", roles.ENTRY, "pass-1234", is_bureau=False, by="x")
    station.login("王录入", "pass-1234")
    clerk = opened(qtbot, page, station, village="101")
    assert not clerk.full_phone.isEnabled() and "医生、站长、管理员" in clerk.full_phone.toolTip()


def test_a_station_without_villages_is_told_to_set_them_up(qtbot, page, station, saved):
    with station.store.write() as conn:
        conn.execute("UPDATE villages SET active = 0")
    dialog = opened(qtbot, page, station)
    assert dialog.error.text() == NO_VILLAGES and "设置" in NO_VILLAGES
    assert not dialog.print_button.isEnabled()
    dialog.print_notice()
    assert saved["asked"] == []


def test_esc_closes(qtbot, page, station):
    dialog = opened(qtbot, page, station)
    qtbot.keyClick(dialog.start, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_dialog_fits_the_station_screen_and_speaks_chinese(qtbot, page, station, saved):
    dialog = opened(qtbot, page, station, village="101")
    qtbot.keyClick(dialog.village, Qt.Key.Key_Return)
    wait_for_jobs(qtbot)
    assert dialog.summary.isVisible()
    size = dialog.frameGeometry()
    assert size.width() <= 1366 and size.height() <= 728
    texts = [dialog.windowTitle(), *(w.text() for w in dialog.findChildren(QAbstractButton))]
    texts += [w.text() for w in dialog.findChildren(QLabel) if w is not dialog.summary]
    english = [t for t in texts if re.search(r"[A-Za-z]", re.sub(r"Enter|Esc|PDF|\.pdf", "", t))]
    assert english == []


def test_tab_goes_village_dates_phone_then_print(qtbot, page, station):
    dialog = opened(qtbot, page, station)
    order = [dialog.village, dialog.start, dialog.end, dialog.full_phone, dialog.print_button]
    for here, there in itertools.pairwise(order):
        assert here.hasFocus()
        qtbot.keyClick(here, Qt.Key.Key_Tab)
        assert there.hasFocus()
