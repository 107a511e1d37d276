"""One resident: who they are, every service record as a timeline, add a service.

Keyboard: Ctrl+N adds a service (only the forms that apply are offered), Enter opens
the selected record, Ctrl+P prints it, Ctrl+R opens its referral (the draft of a rule's
suggestion), Ctrl+E edits the resident, Esc closes. The 家庭 section above the timeline
(:mod:`.household_section`) has its own keys: Ctrl+J its members (Enter opens one),
Ctrl+M move to another household, Ctrl+H a new household headed by this resident,
Ctrl+G edit the household.

The header masks the ID number; 显示完整身份证号 shows it through
:func:`ygt_desktop.ops.privacy.unmask_id` (站长 only, every look audited; anyone else is
refused there, in Chinese, and the attempt audited). The phone number is shown in full
to those who phone residents (医生, 站长, 管理员) and masked for a 录入员.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from html import escape as esc
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.dates import age_years
from ..core.masking import mask_id
from ..core.programmes import REGISTERS
from ..core.resident import flag_labels, sex_label
from ..core.search import name_keys, normalise_query
from ..ops import privacy
from ..ops.base import USER_ERRORS, Run
from ..storage.organisation import villages
from ..storage.referrals import Referrals
from ..storage.services import FormChoice
from ..storage.workspace import Workspace
from . import messages, printing
from .guard import deleting, gate, may
from .household_section import HouseholdSection
from .jobs import JobRunner
from .referral_editor import editor_for_record
from .resident_editor import ResidentEditor
from .resident_model import phone_text
from .service_editor import ServiceEditor
from .vaccine_card import add_card_button

TIMELINE_COLUMNS = ("服务日期", "项目", "服务包", "提示", "下次随访", "录入")
GAP = "&nbsp;" * 5  # between the header's label–value pairs


def _pair(label: str, value: str, bold: bool = False) -> str:
    """One header item: a grey label and its value (escaped)."""
    text = f"<b>{esc(value)}</b>" if bold else esc(value)
    return f"<span style='color:#666'>{label}</span>&nbsp;{text}"


FORM_ID = Qt.ItemDataRole.UserRole  # an offered form's id; None on the others
REFUSED_ID = Qt.ItemDataRole.UserRole + 1  # a form not offered: its id
REASON = Qt.ItemDataRole.UserRole + 2  # … and why, in Chinese


@lru_cache(maxsize=256)
def form_keys(form_id: str, texts: tuple[str, ...]) -> frozenset[str]:
    """What finds a form as the user types: its id and, for each of ``texts`` (label,
    title, package), the Chinese text, pinyin initials and full pinyin (core.search)."""
    keys = {form_id.lower()}
    for text in texts:
        keys |= name_keys(text)
    return frozenset(keys)


class FormPicker(QDialog):
    """Choose a service form: type to filter (pinyin initials such as ``gxy``, the form
    id such as ``htn``, or Chinese), ↑↓ move in the list while typing, Enter takes the
    current one. Forms not offered for this resident are listed greyed below, each with
    why; choosing one shows the reason and does nothing else."""

    def __init__(self, choices: Sequence[FormChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新增服务记录")
        self.chosen: str | None = None
        self.search = QLineEdit()
        self.search.setObjectName("form_filter")
        self.search.setPlaceholderText("输入拼音首字母、表单编号或名称筛选，如 gxy、htn、随访")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list = QListWidget()
        self.list.setObjectName("form_picker")
        self.choices = list(choices)
        self.heading: QListWidgetItem | None = None
        for choice in self.choices:
            form = choice.form
            if choice.offered:
                item = QListWidgetItem(f"{form.label}　（{form.package or ''}）")
                item.setData(FORM_ID, form.id)
            else:
                if self.heading is None:
                    self.heading = QListWidgetItem("以下服务目前不适用于该居民：")
                    self.heading.setFlags(Qt.ItemFlag.NoItemFlags)
                    font = self.heading.font()
                    font.setBold(True)
                    self.heading.setFont(font)
                    self.list.addItem(self.heading)
                item = QListWidgetItem(f"{form.label} — {choice.reason}")
                item.setForeground(QColor("#888888"))
                item.setData(FORM_ID, None)
                item.setData(REFUSED_ID, form.id)
                item.setData(REASON, choice.reason)
            item.setToolTip(form.title)
            self.list.addItem(item)
        self.list.itemActivated.connect(self._take)
        self.list.currentItemChanged.connect(self._show_reason)
        self.note = QLabel()
        self.note.setObjectName("picker_note")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#c62828")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("选择要新增的服务（输入筛选，↑↓选择，回车确定）："))
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        self._select(self._first(offered_only=True) or self._first())
        self.search.setFocus()
        self.resize(520, 520)

    def _rows(self) -> list[QListWidgetItem]:
        """The visible form rows (not the heading), top to bottom."""
        items = (self.list.item(i) for i in range(self.list.count()))
        return [i for i in items if i is not self.heading and not i.isHidden()]

    def _first(self, offered_only: bool = False) -> QListWidgetItem | None:
        rows = self._rows()
        return next((i for i in rows if i.data(FORM_ID) or not offered_only), None)

    def _select(self, item: QListWidgetItem | None) -> None:
        self.list.setCurrentItem(item)
        if item is None:
            self.list.clearSelection()
        else:
            self.list.scrollToItem(item)

    def _filter(self, text: str) -> None:
        query = normalise_query(text)
        for choice, item in zip(self.choices, self._form_items(), strict=True):
            form = choice.form
            keys = form_keys(form.id, (form.label, form.title, form.package or ""))
            item.setHidden(bool(query) and not any(query in k for k in keys))
        if self.heading is not None:
            self.heading.setHidden(not any(i.data(REFUSED_ID) for i in self._rows()))
        self._select(self._first(offered_only=True) or self._first())
        self.note.setText("" if self._rows() else f"没有与“{text.strip()}”相符的服务。")

    def _form_items(self) -> list[QListWidgetItem]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [i for i in items if i is not self.heading]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """In the filter box ↑↓ (and PgUp/PgDn) move in the list, Enter takes it."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.list.currentItem()
                if item is not None and not item.isHidden():
                    self._take(item)
                return True
            step = {
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_PageUp: -10,
                Qt.Key.Key_PageDown: 10,
            }.get(Qt.Key(key))
            if step is not None:
                self._move(step)
                return True
        return super().eventFilter(watched, event)

    def _move(self, step: int) -> None:
        rows = self._rows()
        if not rows:
            return
        current = self.list.currentItem()
        at = rows.index(current) if current in rows else (-1 if step > 0 else len(rows))
        self._select(rows[max(0, min(len(rows) - 1, at + step))])

    def _show_reason(self, item: QListWidgetItem | None) -> None:
        reason = item.data(REASON) if item is not None else None
        self.note.setText(f"不能选：{reason}" if reason else "")

    def _take(self, item: QListWidgetItem) -> None:
        form_id = item.data(FORM_ID)
        if not form_id:
            self._show_reason(item)
            return
        self.chosen = form_id
        self.accept()


class ResidentDetail(QDialog):
    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        self.child: QDialog | None = None
        self.full_id: str | None = None  # shown once asked for, while this window is open
        self.jobs = JobRunner(ws, self)
        self._shown_once = False  # the newest record is selected on first opening
        self.record_ids: list[int] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, len(TIMELINE_COLUMNS))
        self.table.setObjectName("timeline")
        self.table.setHorizontalHeaderLabels(TIMELINE_COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((95, 150, 80, 360, 95)):
            self.table.setColumnWidth(col, width)
        self.table.itemActivated.connect(lambda _i: self.open_current())
        add_btn = QPushButton("新增服务 (Ctrl+N)")
        open_btn = QPushButton("查看/修改 (Enter)")
        edit_btn = QPushButton("编辑档案 (Ctrl+E)")
        delete_btn = QPushButton("删除记录(&D)…")
        print_btn = QPushButton("打印记录 (Ctrl+P)")
        print_btn.clicked.connect(self.print_current)
        referral_btn = QPushButton("转诊单 (Ctrl+R)")
        referral_btn.setToolTip(
            "所选记录有转诊建议时生成转诊单草稿（已生成的则打开），否则新增转诊单"
        )
        referral_btn.clicked.connect(self.referral_current)
        add_btn.clicked.connect(self.add_service)
        open_btn.clicked.connect(self.open_current)
        edit_btn.clicked.connect(self.edit_resident)
        delete_btn.clicked.connect(self.delete_current)
        gate(delete_btn, self.ws, "record.delete")
        self.unmask_btn = QPushButton("显示完整身份证号")
        self.unmask_btn.setObjectName("unmask_id")
        if may(ws, "ids.unmask"):
            self.unmask_btn.setToolTip("查看后会记入审计日志")
        else:
            self.unmask_btn.setEnabled(False)
            self.unmask_btn.setToolTip("只有站长可以查看完整身份证号")
        self.unmask_btn.clicked.connect(self.show_full_id)
        buttons = QHBoxLayout()
        for b in (add_btn, open_btn, print_btn, referral_btn, edit_btn, delete_btn):
            buttons.addWidget(b)
        add_card_button(ws, resident_id, buttons, self)  # 接种卡 (Ctrl+K), children only
        buttons.addStretch()
        buttons.addWidget(self.unmask_btn)
        self.household = HouseholdSection(ws, resident_id, self)
        self.household.sig_open_member.connect(self.open_member)
        self.household.sig_changed.connect(lambda text: self.status.setText(text))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.household)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setObjectName("status")
        layout.addWidget(self.status)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add_service)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.edit_resident)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_current)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.referral_current)
        self.resize(1000, 600)
        self.refresh()
        self.table.setFocus()

    def refresh(self, select: int | None = None) -> None:
        """Show the resident and the timeline as stored. The record selected stays
        selected (by its id, wherever it now is), or ``select`` — the record just saved —
        is selected; the newest record on first opening."""
        if select is None:
            select = self.current_record_id()
        r = self.ws.residents.get(self.resident_id)
        assert r is not None
        today = dt.date.today()
        birth = dt.date.fromisoformat(r["birth_date"]) if r["birth_date"] else None
        age = f"{age_years(birth, today)}岁" if birth else ""
        sex = sex_label(r["sex"])
        ctx = self.ws.services.context(self.resident_id, today)
        registers = [label for key, label in REGISTERS.items() if ctx.get(f"has_{key}")]
        registers += [
            label
            for key, label in (("pregnancy", "孕产妇"), ("tb", "肺结核"))
            if ctx.get(f"open_{key}")
        ]
        flags = "、".join(flag_labels(r, today) + registers) or "无"
        status = (
            ""
            if r["status"] == "在档"
            else f"{GAP}<span style='color:#c62828'>{r['status']}（{r['status_date']}）</span>"
        )
        self.setWindowTitle(f"居民档案 · {r['name']}")
        number = r["id_number"]
        shown_id = (self.full_id or mask_id(number)) if number else "（无）"
        phone = phone_text(self.ws.store, r["phone"]) or "（无）"
        self.summary.setText(
            f"<b style='font-size:14pt'>{esc(r['name'])}</b>&nbsp;&nbsp;{sex}&nbsp;&nbsp;{age}"
            + GAP.join(
                (
                    "",
                    _pair("出生", r["birth_date"] or "（无）"),
                    _pair("身份证", shown_id),
                    _pair("档案号", r["archive_no"]),
                )
            )
            + status
            + "<br>"
            + GAP.join(
                (
                    _pair("电话", phone, bold=True),
                    _pair("住址", self._address(r)),
                    _pair("责任医生", r["responsible_doctor"] or "（未填）"),
                    _pair("重点人群", flags),
                )
            )
        )
        self.unmask_btn.setVisible(bool(number) and self.full_id is None)
        items = self.ws.services.timeline(self.resident_id)
        self.record_ids = [i["id"] for i in items]
        self.table.setRowCount(len(items))
        for row, i in enumerate(items):
            alerts = "；".join(a["message"] for a in i["alerts"])
            cells = (
                i["service_date"],
                i["title"],
                i["package"] or "",
                alerts,
                i["recheck_date"] or "",
                "延后录入" if i["late_entry"] else "",
            )
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if col == 3 and i["referral"] == "urgent":
                    cell.setForeground(QColor("#c62828"))
                self.table.setItem(row, col, cell)
        if select in self.record_ids:
            self.table.selectRow(self.record_ids.index(select))  # type: ignore[arg-type]
        elif items and not self._shown_once:
            self.table.selectRow(0)
        else:
            self.table.clearSelection()
        self._shown_once = True

    def current_record_id(self) -> int | None:
        """The service record of the selected timeline row; None when none is selected."""
        row = self.table.currentRow()
        if not self.table.selectionModel().hasSelection() or not 0 <= row < len(self.record_ids):
            return None
        return self.record_ids[row]

    def _address(self, r: dict[str, Any]) -> str:
        """The village's name (not its code) and the street address, once each."""
        names = {v.code: v.name for v in villages(self.ws.store)}
        village = names.get(r["village_code"] or "", r["village_code"] or "")
        address = (r["address"] or "").strip()
        if village and address.startswith(village):
            return address
        return "　".join(p for p in (village, address) if p) or "（未填）"

    def show_full_id(self) -> None:
        """Show the full ID number in the header, through the operations layer (which
        checks ``ids.unmask`` and audits the look, or the refusal)."""
        try:
            self.full_id = privacy.unmask_id(Run.plain(self.ws), self.resident_id) or None
        except USER_ERRORS as exc:
            self.status.setText(str(exc))
            return
        self.status.setText("已显示完整身份证号（已记入审计日志）。")
        self.refresh()

    def add_service(self) -> None:
        picker = FormPicker(self.ws.services.form_choices(self.resident_id), self)
        self.child = picker
        picker.accepted.connect(lambda: picker.chosen and self._open_editor(picker.chosen, None))
        picker.open()

    def open_current(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.record_ids):
            header, _ = self.ws.services.get(self.record_ids[row])
            self._open_editor(header["form_id"], self.record_ids[row])

    def print_current(self) -> None:
        """Print the record selected in the timeline, as stored."""
        row = self.table.currentRow()
        if not self.table.selectionModel().hasSelection() or not 0 <= row < len(self.record_ids):
            self.status.setText("没有选中的服务记录：请先在列表中选择要打印的记录。")
            return
        self.status.setText("")
        printing.print_record(
            self.ws,
            self.record_ids[row],
            self,
            self.jobs,
            on_saved=lambda out: self.status.setText(f"已生成打印文件：{out}"),
        )

    def referral_current(self) -> None:
        """The selected record's referral: its draft when a rule suggested one."""
        row = self.table.currentRow()
        if not self.table.selectionModel().hasSelection() or not 0 <= row < len(self.record_ids):
            self.status.setText("没有选中的服务记录：请先在列表中选择有转诊建议的记录。")
            return
        editor = editor_for_record(
            self.ws,
            Referrals(self.ws.store, self.ws.forms),
            self.record_ids[row],
            self.resident_id,
            self,
        )
        self.child = editor
        editor.accepted.connect(lambda: self.status.setText("转诊单已保存，可在“转诊”页查看。"))
        editor.open()

    def _open_editor(self, form_id: str, record_id: int | None) -> None:
        editor = ServiceEditor(self.ws, form_id, self.resident_id, record_id, self)
        self.child = editor
        editor.accepted.connect(
            lambda: self.refresh(
                select=editor.saved.change.record_id if editor.saved is not None else record_id
            )
        )
        editor.open()

    def open_member(self, resident_id: int) -> None:
        """A household member's own page, over this one."""
        page = ResidentDetail(self.ws, resident_id, self)
        self.child = page
        page.finished.connect(lambda _r: self.household.refresh())
        page.open()

    def edit_resident(self) -> None:
        editor = ResidentEditor(self.ws, self.resident_id, self)
        self.child = editor
        editor.accepted.connect(lambda: self.refresh())
        editor.open()

    def delete_current(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.record_ids):
            return
        reason = messages.ask_text(
            self, "删除所选服务记录（记录保留并标记为已删除）。请填写原因：", "删除服务记录"
        )
        if reason is None:
            return
        try:
            rec = self.record_ids[row]
            deleting(self.ws, lambda: self.ws.services.delete(rec, reason))
        except Exception as exc:  # noqa: BLE001 - shown to the user in Chinese
            messages.error(self, str(exc))
            return
        self.refresh()
