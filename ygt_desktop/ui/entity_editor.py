"""Add or edit one station-level record of an entity form (a team, a contract, an asset)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..storage.entities import EntityRepo
from ..storage.residents import Change
from ..storage.workspace import Workspace
from .form_widget import FormWidget
from .record_dialog import RecordDialog
from .resident_editor import choice_source


class EntityEditor(RecordDialog):
    """``change`` holds what was saved once the dialog is accepted. ``initial`` fills a
    new record (e.g. the resident a contract is for)."""

    def __init__(
        self,
        ws: Workspace,
        repo: EntityRepo,
        entity_id: int | None = None,
        *,
        header: str = "",
        initial: dict[str, object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        form = repo.form
        super().__init__(
            FormWidget(form, choice_source(ws)),
            ("修改" if entity_id else "新增") + " · " + form.title,
            header or form.title,
            parent,
        )
        self.ws = ws
        self.repo = repo
        self.entity_id = entity_id
        self.change: Change | None = None
        if entity_id is not None:
            self.form_widget.set_values(repo.values(entity_id))
        elif initial:
            self.form_widget.set_values(form.with_defaults(initial))
        self.form_widget.focus_first()

    def store(self, confirm: bool) -> None:
        self.change = self.repo.save(self.form_widget.raw(), self.entity_id)
