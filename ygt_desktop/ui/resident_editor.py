"""Add or edit one resident (居民健康档案 · 个人基本信息)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ..core.forms import Choice
from ..storage.entities import EntityRepo
from ..storage.organisation import villages
from ..storage.residents import Change
from ..storage.workspace import Workspace
from .form_widget import FormWidget
from .record_dialog import RecordDialog


def choice_source(ws: Workspace) -> Callable[[str], list[Choice]]:
    def source(name: str) -> list[Choice]:
        if name == "villages":
            return [Choice(v.code, v.name) for v in villages(ws.store)]
        if name.startswith("entity:") and name[7:] in ws.forms:
            return EntityRepo(ws.store, ws.forms[name[7:]]).choices()
        return []

    return source


class ResidentEditor(RecordDialog):
    """``change`` holds what was saved once the dialog is accepted."""

    def __init__(
        self, ws: Workspace, resident_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        form = ws.forms["resident"]
        header = "档案号保存时自动生成"
        if resident_id is not None:
            row = ws.residents.get(resident_id)
            assert row is not None
            header = f"档案号 {row['archive_no']} · 状态 {row['status']}"
        super().__init__(
            FormWidget(form, choice_source(ws)),
            ("编辑" if resident_id else "新建") + " · " + form.title,
            header,
            parent,
        )
        self.ws = ws
        self.resident_id = resident_id
        self.change: Change | None = None
        if resident_id is not None:
            self.form_widget.set_values(ws.residents.values(resident_id))
        self.form_widget.focus_first()

    def store(self, confirm: bool) -> None:
        self.change = self.ws.residents.save(self.form_widget.raw(), self.resident_id)
