"""Close an archive (结案): 迁出 / 死亡 / 注销 with a date and a reason."""

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
from ..storage.db import StoreError
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from . import messages
from .error_text import ErrorLabel
from .widgets import dialog_buttons


class CloseDialog(QDialog):
    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        row = ws.residents.get(resident_id)
        assert row is not None
        self.setWindowTitle(f"档案结案 · {row['name']}")
        self.status = QComboBox()
        self.status.addItems(CLOSE_STATUSES)
        self.status.setObjectName("close_status")
        self.date = QLineEdit(dt.date.today().isoformat())
        self.date.setObjectName("close_date")
        self.reason = QLineEdit()
        self.reason.setObjectName("close_reason")
        self.error = ErrorLabel()
        form = QFormLayout(self)
        form.addRow(QLabel(f"档案号 {row['archive_no']}  {row['name']}"))
        form.addRow("结案类型＊", self.status)
        form.addRow("日期＊", self.date)
        form.addRow("原因/说明", self.reason)
        form.addRow(self.error)
        form.addRow(dialog_buttons(self, "确定结案", "取消", self.save))

    def save(self) -> None:
        try:
            date = parse_date(self.date.text())
        except DateError as exc:
            self.error.setText(f"日期：{exc}")
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
