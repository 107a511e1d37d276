"""Close an archive (结案): 迁出 / 死亡 / 注销 with a date and a reason.

Before anything is saved the dialog lists what the close ends with the archive — the
contracts in force, the register entries, the due items on the worklist
(:func:`~ygt_desktop.storage.archive_close.preview`) — for the type and date typed, kept
up to date as they change; 确定结案 confirms exactly that list. Should the list have
changed since it was shown (another window saved meanwhile), the dialog shows the new
one and asks again instead of saving.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from ..core.dates import DateError, parse_date
from ..core.resident import CLOSE_STATUSES
from ..storage import archive_close
from ..storage.db import StoreError
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from . import messages
from .error_text import ErrorLabel
from .widgets import dialog_buttons

SHOWN_DUE = 6  # due items named one by one; the rest are counted
MIN_WIDTH = 520  # a contract's or a due item's line on one line at the station's screen


def listing(found: archive_close.ClosePreview) -> str:
    """The lines under the summary: each contract and register entry, then the first
    :data:`SHOWN_DUE` due items (``等 N 项`` for the rest)."""
    lines = [f"· {e.text}，{e.day.isoformat()} 终止" for e in found.endings]
    for due in found.due[:SHOWN_DUE]:
        lines.append(f"· 待办：{due.label}（{due.start.isoformat()} 至 {due.end.isoformat()}）")
    if len(found.due) > SHOWN_DUE:
        lines.append(f"· 待办：等共 {len(found.due)} 项")
    lines += [f"· 注意：{note}" for note in found.notes]
    return "\n".join(lines)


class CloseDialog(QDialog):
    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        row = ws.residents.get(resident_id)
        assert row is not None
        self.setWindowTitle(f"档案结案 · {row['name']}")
        self.setMinimumWidth(MIN_WIDTH)
        self.status = QComboBox()
        self.status.addItems(CLOSE_STATUSES)
        self.status.setObjectName("close_status")
        self.date = QLineEdit(dt.date.today().isoformat())
        self.date.setObjectName("close_date")
        self.reason = QLineEdit()
        self.reason.setObjectName("close_reason")
        self.summary = QLabel()
        self.summary.setObjectName("close_summary")
        self.summary.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("close_details")
        self.details.setWordWrap(True)
        self.error = ErrorLabel()
        # what the summary shows was computed for: (type, day, the summary and listing)
        self.shown: tuple[str, dt.date, str] | None = None
        form = QFormLayout(self)
        form.addRow(QLabel(f"档案号 {row['archive_no']}  {row['name']}"))
        form.addRow("结案类型＊", self.status)
        form.addRow("日期＊", self.date)
        form.addRow("原因/说明", self.reason)
        form.addRow(self.summary)
        form.addRow(self.details)
        form.addRow(self.error)
        form.addRow(dialog_buttons(self, "确定结案", "取消", self.save))
        self.status.currentTextChanged.connect(self.refresh)
        self.date.textChanged.connect(self.refresh)
        self.refresh()

    def _preview(self, day: dt.date) -> archive_close.ClosePreview:
        return archive_close.preview(
            self.ws.store.conn, self.ws.forms, self.ws.worklist, self.resident_id, day
        )

    def refresh(self) -> None:
        """Show what a close of the type and date typed would end (nothing written)."""
        try:
            day = parse_date(self.date.text())
        except DateError:
            self.shown = None
            self.summary.setText("填写日期后，这里列出将同时终止的签约、患者管理和待办。")
            self.details.clear()
            self.details.hide()
            return
        found = self._preview(day)
        text = f"{found.summary()}\n{listing(found)}"
        self.shown = (self.status.currentText(), day, text)
        self.summary.setText(
            found.summary() + ("（按“确定结案”即同时终止）" if found.endings or found.due else "")
        )
        self.details.setText(listing(found))
        self.details.setVisible(bool(found.endings or found.due or found.notes))

    def save(self) -> None:
        try:
            date = parse_date(self.date.text())
        except DateError as exc:
            self.error.setText(f"日期：{exc}")
            return
        found = self._preview(date)
        if self.shown != (self.status.currentText(), date, f"{found.summary()}\n{listing(found)}"):
            self.refresh()  # confirm only what was shown
            self.error.setText("将同时终止的内容已更新，请核对后再按“确定结案”。")
            return
        try:
            self.ws.residents.close(
                self.resident_id, self.status.currentText(), date, self.reason.text().strip()
            )
        except ValidationFailed as exc:
            self.error.setText("；".join(exc.errors.values()))
            return
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.accept()
