"""解约: end a contract early on a date, for a reason of the form's list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from ..storage.contracts import ContractRepo
from ..storage.db import StoreError
from ..storage.residents import Change, ValidationFailed
from . import messages
from .error_text import ErrorLabel
from .widgets import dialog_buttons


class TerminateDialog(QDialog):
    """``change`` holds what was saved once accepted; errors show under their field."""

    def __init__(
        self,
        repo: ContractRepo,
        contract_id: int,
        header: str,
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("解约 · 家庭医生签约服务")
        self.repo = repo
        self.contract_id = contract_id
        self.change: Change | None = None
        self.date = QLineEdit(today.isoformat())
        self.date.setObjectName("terminate_date")
        self.date.setPlaceholderText("YYYY-MM-DD 或 20260305")
        self.reason = QComboBox()
        self.reason.setObjectName("terminate_reason")
        self.reason.addItem("", None)
        for c in repo.form.field("termination_reason").choices:
            self.reason.addItem(f"{c.code} {c.label}", c.code)
        self.note = QLineEdit()
        self.note.setObjectName("terminate_note")
        self.note.setMaxLength(200)
        self.errors = {
            k: ErrorLabel() for k in ("termination_date", "termination_reason", "termination_note")
        }
        self.status = ErrorLabel()
        layout = QFormLayout(self)
        layout.addRow(QLabel(header))
        for label, widget, key in (
            ("解约日期＊", self.date, "termination_date"),
            ("解约原因＊", self.reason, "termination_reason"),
            ("解约说明", self.note, "termination_note"),
        ):
            layout.addRow(label, widget)
            layout.addRow("", self.errors[key])
            self.errors[key].hide()
        layout.addRow(self.status)
        self.buttons = dialog_buttons(self, "解约", "取消 (Esc)", self.save)
        layout.addRow(self.buttons)
        self.date.setFocus()
        self.date.selectAll()

    def save(self) -> None:
        for label in self.errors.values():
            label.hide()
        try:
            self.change = self.repo.terminate(
                self.contract_id,
                self.date.text(),
                self.reason.currentData() or "",
                self.note.text(),
            )
        except ValidationFailed as exc:
            shown = []
            for key, message in exc.errors.items():
                if key in self.errors:
                    self.errors[key].setText(message)
                    self.errors[key].show()
                else:
                    shown.append(message)
            self.status.setText("；".join(shown) if shown else "未保存，请按提示修改。")
            return
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.accept()
