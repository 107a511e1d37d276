"""Enter or correct one service record; shows what the clinical rules say after saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from ..storage.services import SaveResult
from ..storage.workspace import Workspace
from . import messages, printing
from .form_widget import FormWidget
from .jobs import JobRunner
from .record_dialog import RecordDialog
from .resident_editor import choice_source


class ServiceEditor(RecordDialog):
    """``saved`` holds the saved record and the rule outcomes once accepted (not
    ``result``: that would hide ``QDialog.result()``)."""

    def __init__(
        self,
        ws: Workspace,
        form_id: str,
        resident_id: int | None = None,
        record_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        form = ws.forms[form_id]
        self.ws = ws
        self.form_id = form_id
        self.record_id = record_id
        self.saved: SaveResult | None = None
        values: Mapping[str, Any] | None = None
        if record_id is not None:
            header_row, values = ws.services.get(record_id)
            resident_id = header_row["resident_id"]
        self.resident_id = resident_id
        header = form.title
        if resident_id is not None:
            r = ws.residents.get(resident_id)
            assert r is not None
            header = f"{form.title}　—　{r['name']}（档案号 {r['archive_no']}）"
        self._contexts: dict[dt.date | None, Mapping[str, Any]] = {}
        widget = FormWidget(
            form,
            choice_source(ws),
            context_source=self._context if resident_id is not None else None,
        )
        super().__init__(
            widget, ("修改" if record_id else "新增") + " · " + form.label, header, parent
        )
        self.jobs = JobRunner(ws, self)
        carried: Mapping[str, Any] = {}
        if values is None and resident_id is not None:
            carried = ws.services.carried(form_id, resident_id)
            if carried:  # most patients' medicines do not change between visits
                values = {f.id: f.default_value() for f in form.fields} | dict(carried)
        if values is not None:
            self.form_widget.set_values(values)
        if carried:
            named = "、".join(form.field(k).label for k in carried)
            self.status.setText(f"{named}已按上次的记录填入，请核对后修改。")
        self.print_button = self.buttons.addButton(
            "打印 (Ctrl+P)", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.setEnabled(record_id is not None)
        self.print_button.setToolTip(
            "打印已保存的记录（生成 PDF 并打开）"
            if record_id is not None
            else "新记录保存后才能打印"
        )
        self.print_button.clicked.connect(self.print_record)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_record)
        self.form_widget.focus_first()

    def _context(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        form = self.ws.forms[self.form_id]
        day = values.get(form.date_field) if form.date_field else None
        if day not in self._contexts:
            assert self.resident_id is not None
            self._contexts[day] = self.ws.services.context(
                self.resident_id, day or dt.date.today(), form, self.record_id
            )
        return self._contexts[day]

    def print_record(self) -> None:
        """Print the record as stored; unsaved edits are not printed (asks first)."""
        if self.record_id is None:
            self.status.setText("新记录请先保存（Ctrl+S），保存后才能打印。")
            return
        if self.form_widget.is_dirty() and not messages.ask(
            self,
            "表单有尚未保存的修改，打印的是已保存的版本（不含这些修改）。继续打印吗？",
            "打印已保存的记录",
        ):
            return
        printing.print_record(self.ws, self.record_id, self, self.jobs)

    def store(self, confirm: bool) -> None:
        self.saved = self.ws.services.save(
            self.form_id, self.form_widget.raw(), self.resident_id, self.record_id, confirm=confirm
        )

    def accept(self) -> None:
        super().accept()
        if self.saved and self.saved.outcomes:  # late entry shows in the timeline only
            messages.info(self.parentWidget(), outcome_text(self.saved), "提示")


def outcome_text(result: SaveResult) -> str:
    """What the rules said, in Chinese, for the message shown after saving."""
    lines = [o.message for o in result.outcomes]
    if result.recheck_date:
        lines.append(f"下次随访：{result.recheck_date.isoformat()} 前")
    if any(o.referral for o in result.outcomes):
        lines.append(
            "已在本记录上标记转诊建议：请到“转诊”页的“待处理的转诊建议”中生成转诊单"
            "（或在居民的服务记录中选中本记录按 Ctrl+R）。"
        )
    return "\n".join(lines)
