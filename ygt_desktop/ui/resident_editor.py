"""Add or edit one resident: the form widget in a dialog, Ctrl+S saves, Esc cancels."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.forms import Choice
from ..storage.db import StoreError
from ..storage.organisation import villages
from ..storage.residents import Change, ValidationFailed
from ..storage.workspace import Workspace
from . import messages
from .form_widget import FormWidget
from .widgets import error_label


def choice_source(ws: Workspace):  # type: ignore[no-untyped-def]
    def source(name: str) -> list[Choice]:
        if name == "villages":
            return [Choice(v.code, v.name) for v in villages(ws.store)]
        return []

    return source


class ResidentEditor(QDialog):
    """``change`` holds what was saved once the dialog is accepted."""

    def __init__(self, ws: Workspace, resident_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        self.change: Change | None = None
        form = ws.forms["resident"]
        self.setWindowTitle(("编辑" if resident_id else "新建") + " · " + form.title)
        self.form_widget = FormWidget(form, choice_source(ws))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_widget)
        self.header = QLabel()
        self.status = error_label()
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存 (Ctrl+S)", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消 (Esc)", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self.save)
        if resident_id is not None:
            row = ws.residents.get(resident_id)
            assert row is not None
            self.header.setText(f"档案号 {row['archive_no']} · 状态 {row['status']}")
            self.form_widget.set_values(ws.residents.values(resident_id))
        else:
            self.header.setText("档案号保存时自动生成")
        self.resize(620, 680)
        self.form_widget.focus_first()

    def save(self) -> None:
        try:
            self.change = self.ws.residents.save(self.form_widget.raw(), self.resident_id)
        except ValidationFailed as exc:
            self.form_widget.show_errors(exc.errors)
            self.status.setText(f"有 {len(exc.errors)} 处需要修改，未保存。")
            return
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.form_widget.mark_clean()
        self.accept()

    def reject(self) -> None:
        if self.form_widget.is_dirty() and not messages.ask(
            self, "输入的内容尚未保存，确定放弃吗？", "放弃修改"
        ):
            return
        super().reject()
