"""打印接种通知单: one village's children with a vaccine dose to give in a period (overdue
ones as 补种), as a PDF for the village doctor to notify the families.

The user picks the 村（居）委会, the period (from today, two weeks, as ``ygt vaccines
notice``) and whether phone numbers are printed in full (only for the roles that may
see them), then where to save; :func:`ygt_desktop.ops.vaccines.notice` writes the PDF in
the background (the dialog's own job runner), whole or not at all. The dialog then
says how many children and doses it lists and opens the PDF in the system viewer
(打开 PDF opens it again); a refusal or a failed write is shown in the dialog in
Chinese, and the dialog stays open to try again or print another village.

Keyboard: Enter prints, Esc closes, Tab goes village → dates → 显示完整电话 → buttons.
:func:`choose_path` and :func:`open_file` are module functions so tests replace them
with ``monkeypatch`` instead of driving a modal dialog or a viewer.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ..core.dates import DateError, parse_date
from ..ops import privacy
from ..ops import vaccines as ops_vaccines
from ..ops.base import Actor
from ..reports.vaccine_notice_pdf import file_name
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from . import files
from .error_text import ErrorLabel
from .jobs import JobRunner
from .widgets import fit_to_screen

TITLE = "打印接种通知单"
NO_VILLAGES = "本站尚未设置辖区居委/村委：请先在“设置”页的“辖区居委/村委”中添加，再打印通知单。"
PHONE_TIP = "只有医生、站长、管理员可以打印完整电话号码"
OPEN_FAILED = "PDF 已保存到 {out}，但无法自动打开。请在文件夹中双击该文件后打印。"
WIDTH, HEIGHT = 520, 300


def choose_path(
    parent: QWidget | None, title: str, file_name: str, file_filter: str, suffix: str
) -> Path | None:
    """Ask where to save ``file_name``; None when cancelled."""
    return files.choose_path(parent, title, file_name, file_filter, suffix)


def open_file(path: Path) -> bool:
    """Open ``path`` with the system's viewer; False when none could be started."""
    return files.open_file(path)


class VaccineNoticeDialog(QDialog):
    """The dialog; ``today`` is the default first day (a test's fixed day), ``village``
    the code chosen at first (the worklist's village filter; else the first)."""

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        village: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.setWindowTitle(TITLE)
        self.runner = JobRunner(ws, self)
        self.written: Path | None = None
        start, end = ops_vaccines.default_range(today=today)
        self.village = QComboBox()
        self.village.setObjectName("vaccine_notice_village")
        for v in villages(ws.store):
            self.village.addItem(f"{v.code} {v.name}", v.code)
        if village is not None and (found := self.village.findData(village)) >= 0:
            self.village.setCurrentIndex(found)
        self.start = QLineEdit(start.isoformat())
        self.start.setObjectName("vaccine_notice_start")
        self.end = QLineEdit(end.isoformat())
        self.end.setObjectName("vaccine_notice_end")
        for edit in (self.start, self.end):
            edit.setPlaceholderText("如 20261120 或 2026-11-20")
        self.full_phone = QCheckBox("显示完整电话")
        self.full_phone.setObjectName("vaccine_notice_full_phone")
        may = privacy.shows_phones(Actor.of(ws))
        self.full_phone.setEnabled(may)
        self.full_phone.setToolTip("勾选后打印完整电话号码（会记入审计日志）" if may else PHONE_TIP)
        hint = QLabel(
            f"列出这段时间内可以接种的疫苗剂次（含已逾期的补种），默认今天起 "
            f"{ops_vaccines.NOTICE_DAYS} 天。"
        )
        hint.setWordWrap(True)
        self.error = ErrorLabel()
        self.error.setObjectName("vaccine_notice_error")
        self.summary = QLabel()
        self.summary.setObjectName("vaccine_notice_summary")
        self.summary.setWordWrap(True)
        self.summary.hide()
        buttons = QDialogButtonBox()
        self.print_button = buttons.addButton(
            "打印 (Enter)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.print_button.setObjectName("vaccine_notice_print")
        self.open_button = QPushButton("打开 PDF")
        self.open_button.setObjectName("vaccine_notice_open")
        self.open_button.setAutoDefault(False)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()  # (adding it showed it) until a notice is written
        close = buttons.addButton("关闭 (Esc)", QDialogButtonBox.ButtonRole.RejectRole)
        close.setAutoDefault(False)
        self.print_button.setDefault(True)
        buttons.accepted.connect(self.print_notice)  # stays open: another village, again
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_written)
        form = QFormLayout(self)
        form.addRow("村（居）委会＊", self.village)
        form.addRow("从＊", self.start)
        form.addRow("到＊", self.end)
        form.addRow("", self.full_phone)
        form.addRow(hint)
        form.addRow(self.error)
        form.addRow(self.summary)
        form.addRow(buttons)
        for before, after in (
            (self.village, self.start),
            (self.start, self.end),
            (self.end, self.full_phone),
            (self.full_phone, self.print_button),
            (self.print_button, self.open_button),
            (self.open_button, close),
        ):
            QWidget.setTabOrder(before, after)
        if self.village.count() == 0:
            for w in (self.village, self.start, self.end, self.full_phone, self.print_button):
                w.setEnabled(False)
            self.error.setText(NO_VILLAGES)
            close.setFocus()
        else:
            self.village.setFocus()
        fit_to_screen(self, WIDTH, self.sizeHint().height())
        self.setMinimumWidth(min(WIDTH, self.width()))

    def print_notice(self) -> None:
        """Check what was typed, ask where to save, then write the notice in the
        background (nothing happens while a notice is being written)."""
        if self.runner.busy() or self.village.count() == 0:
            return
        self.error.clear()
        self.summary.hide()  # what was said about the last notice no longer applies
        self.open_button.hide()
        dates: list[dt.date] = []
        for label, edit in (("从", self.start), ("到", self.end)):
            try:
                day = parse_date(edit.text())
            except DateError as exc:
                self._refuse(f"{label}：{exc}", edit)
                return
            edit.setText(day.isoformat())
            dates.append(day)
        start, end = dates
        try:
            ops_vaccines.check_range(start, end)
        except ops_vaccines.BadNotice as exc:
            self._refuse(f"到：{exc}", self.end)
            return
        code = str(self.village.currentData())
        name = self.village.currentText().removeprefix(f"{code} ")
        out = choose_path(
            self, "保存接种通知单（PDF）", file_name(name, start, end), "PDF 文件 (*.pdf)", ".pdf"
        )
        if out is None:
            return
        self.runner.start(
            TITLE,
            partial(
                ops_vaccines.notice,
                village=code,
                start=start,
                end=end,
                out=out,
                full_phone=self.full_phone.isChecked(),
            ),
            self._done,
            on_failed=self._failed,
        )

    def _refuse(self, message: str, field: QWidget) -> None:
        self.error.setText(message)
        field.setFocus()

    def _done(self, notice: ops_vaccines.Notice) -> None:
        self.written = notice.out
        lines = [notice.summary]
        if notice.late:
            lines.append(f"其中补种 {notice.late} 剂次。")
        if not notice.full_phone:
            lines.append("电话号码已遮挡。")
        lines += [f"注意：{w}" for w in notice.warnings]
        self.summary.setText("\n".join(lines))
        self.summary.show()
        self.open_button.show()
        fit_to_screen(self, self.width(), max(self.height(), self.sizeHint().height()))
        self.open_written()

    def _failed(self, message: str, cancelled: bool) -> None:
        self.error.setText("已取消，未写入任何文件。" if cancelled else message)

    def open_written(self) -> None:
        """Open the notice written last in the system viewer."""
        if self.written is not None and not open_file(self.written):
            self.error.setText(OPEN_FAILED.format(out=self.written))


def open_vaccine_notice(
    parent: QWidget,
    ws: Workspace,
    *,
    today: dt.date | None = None,
    village: str | None = None,
) -> VaccineNoticeDialog:
    """Open the 打印接种通知单 dialog over ``parent`` (window-modal; returns at once)."""
    dialog = VaccineNoticeDialog(ws, parent, today=today, village=village)
    dialog.open()
    return dialog
