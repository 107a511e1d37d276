"""One referral (双向转诊单): the resident chosen by searching the register, the rest
typed into the form file's fields; a draft made from a rule's suggestion opens filled.

Also the small dialog that records why a suggestion is not referred (不转诊).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from ..storage.referrals import DOWN, UP, Referrals, Suggestion
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from .entity_editor import EntityEditor
from .form_widget import FormWidget
from .referral_picker import ReferralResidentPicker

PAGE_SET = ("resident_id", "source_record_id")  # set by the page, shown another way


def hide_fields(form_widget: FormWidget, field_ids: Iterable[str]) -> None:
    """Hide the rows of fields the page sets (their values stay in the form)."""
    form_widget.hide_fields(field_ids)


def station_name(ws: Workspace) -> str:
    org = ws.organisation
    return org.name if org else ""


class ReferralEditor(EntityEditor):
    """Add (``initial``: a draft or nothing) or edit (``referral_id``) a referral.
    ``change`` holds what was saved once accepted."""

    def __init__(
        self,
        ws: Workspace,
        referrals: Referrals,
        referral_id: int | None = None,
        *,
        initial: dict[str, Any] | None = None,
        header: str = "",
        parent: QWidget | None = None,
    ) -> None:
        station = station_name(ws)
        initial = {"from_institution": station, **(initial or {})}
        super().__init__(
            ws,
            referrals.repo,
            referral_id,
            header=header or "双向转诊单",
            initial=initial,
            parent=parent,
        )
        self.referrals = referrals
        self.station = station
        self.picker = ReferralResidentPicker(ws.residents)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.picker)
        hide_fields(self.form_widget, PAGE_SET)
        self.resize(980, 560)  # two columns; fits a 1366×768 screen with room to spare
        self.picker.set_resident(self.resident_id())
        self.picker.sig_chosen.connect(self._chosen)
        direction = self.form_widget.editors["direction"].widget
        assert isinstance(direction, QComboBox)
        direction.currentIndexChanged.connect(lambda _i: self._direction_changed())
        if self.resident_id() is None:
            self.picker.focus()
        elif referral_id is None and not self.form_widget.raw()["to_institution"]:
            self.form_widget.editors["to_institution"].widget.setFocus()

    def resident_id(self) -> int | None:
        text = str(self.form_widget.raw()["resident_id"] or "").strip()
        return int(text) if text.isdigit() else None

    def _chosen(self, resident_id: int) -> None:
        self.form_widget.editors["resident_id"].set_value(resident_id)
        self.form_widget.focus_first()

    def _direction_changed(self) -> None:
        """上转 goes from this station, 下转 comes to it: swap the two sides when they
        are still the other way round."""
        raw = self.form_widget.raw()
        direction = raw["direction"]
        if (direction == DOWN and raw["from_institution"] == self.station) or (
            direction == UP and raw["to_institution"] == self.station
        ):
            eds = self.form_widget.editors
            for a, b in (
                ("from_institution", "to_institution"),
                ("from_department", "to_department"),
            ):
                eds[a].set_value(raw[b] or None)
                eds[b].set_value(raw[a] or None)

    def store(self, confirm: bool) -> None:
        try:
            super().store(confirm)
        except ValidationFailed as exc:
            message = exc.errors.get("resident_id")
            if message == "请填写居民":
                message = "请先在上方查找并选择居民（输入姓名后回车，再回车选中）"
            self.picker.show_error(message)
            raise

    def save(self) -> None:
        super().save()
        if self.change is None and self.picker.error.text():
            self.picker.focus()


def draft_header(
    suggestion: Suggestion | None, service_date: str, form_label: str, level: str
) -> str:
    name = f"{suggestion.name}　" if suggestion else ""
    return (
        f"{name}由 {service_date} {form_label}的{level}生成的转诊单草稿："
        "请核对转入机构和原因后保存（Ctrl+S）；保存后该建议从待处理列表中移除。"
    )


def editor_for_suggestion(
    ws: Workspace, referrals: Referrals, suggestion: Suggestion, parent: QWidget | None = None
) -> ReferralEditor:
    """The draft referral of an open suggestion."""
    draft = referrals.draft(suggestion.record_id, station_name(ws))
    header = draft_header(
        suggestion,
        suggestion.service_date.isoformat(),
        suggestion.form_label,
        suggestion.level_label,
    )
    return ReferralEditor(ws, referrals, initial=draft, header=header, parent=parent)


def editor_for_record(
    ws: Workspace,
    referrals: Referrals,
    record_id: int,
    resident_id: int,
    parent: QWidget | None = None,
) -> ReferralEditor:
    """From a resident's timeline: the record's referral if it has one, else the draft
    of its suggestion, else a new referral for the resident."""
    existing = referrals.for_record(record_id)
    if existing is not None:
        return ReferralEditor(ws, referrals, existing, header="该记录已生成的转诊单", parent=parent)
    header_row, _ = ws.services.get(record_id)
    if header_row["referral"]:
        draft = referrals.draft(record_id, station_name(ws))
        form = ws.forms[header_row["form_id"]]
        level = {"urgent": "紧急转诊建议", "suggested": "转诊建议"}[header_row["referral"]]
        header = draft_header(None, header_row["service_date"], form.label, level)
        return ReferralEditor(ws, referrals, initial=draft, header=header, parent=parent)
    return ReferralEditor(
        ws,
        referrals,
        initial={"resident_id": resident_id},
        header="新增转诊单（该记录没有转诊建议）",
        parent=parent,
    )


def dismissal_editor(
    ws: Workspace, referrals: Referrals, suggestion: Suggestion, parent: QWidget | None = None
) -> EntityEditor:
    """Record why a suggestion is not referred; it then leaves the list."""
    header = (
        f"{suggestion.name}　{suggestion.service_date.isoformat()} "
        f"{suggestion.form_label}：{suggestion.level_label}\n"
        + "\n".join(suggestion.messages)
        + "\n\n不转诊时请选择原因（记录保留，可在审计日志中查到）。"
    )
    editor = EntityEditor(
        ws,
        referrals.dismissals,
        header=header,
        initial={"source_record_id": suggestion.record_id},
        parent=parent,
    )
    hide_fields(editor.form_widget, ("source_record_id",))
    editor.resize(560, 380)
    editor.form_widget.editors["reason"].widget.setFocus()  # the date is today already
    return editor
