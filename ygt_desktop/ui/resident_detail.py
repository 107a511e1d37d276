"""One resident: who they are, every service record as a timeline, add a service.

Keyboard: Ctrl+N adds a service (only the forms that apply are offered), Enter opens
the selected record, Ctrl+P prints it, Ctrl+R opens its referral (the draft of a rule's
suggestion), Ctrl+E edits the resident, Esc closes.

The header masks the ID number; 显示完整身份证号 shows it through
:func:`ygt_desktop.ops.privacy.unmask_id` (站长 only, every look audited; anyone else is
refused there, in Chinese, and the attempt audited). The phone number is shown in full
to those who phone residents (医生, 站长, 管理员) and masked for a 录入员.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
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
from ..ops import privacy
from ..ops.base import USER_ERRORS, Run
from ..storage.referrals import Referrals
from ..storage.workspace import Workspace
from . import messages, printing
from .guard import deleting, gate, may
from .jobs import JobRunner
from .referral_editor import editor_for_record
from .resident_editor import ResidentEditor
from .resident_model import phone_text
from .service_editor import ServiceEditor

TIMELINE_COLUMNS = ("服务日期", "项目", "服务包", "提示", "下次随访", "录入")


class FormPicker(QDialog):
    """Choose one of the applicable forms: type to filter, Enter to take it."""

    def __init__(self, forms: list[tuple[str, str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("新增服务记录")
        self.chosen: str | None = None
        self.list = QListWidget()
        self.list.setObjectName("form_picker")
        for form_id, label, package in forms:
            item = QListWidgetItem(f"{label}　（{package}）")
            item.setData(Qt.ItemDataRole.UserRole, form_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._take)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("只列出适用于该居民的服务（↑↓选择，回车确定）："))
        layout.addWidget(self.list)
        self.resize(380, 360)

    def _take(self, item: QListWidgetItem) -> None:
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()


class ResidentDetail(QDialog):
    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        self.child: QDialog | None = None
        self.full_id: str | None = None  # shown once asked for, while this window is open
        self.jobs = JobRunner(ws, self)
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
        buttons.addStretch()
        buttons.addWidget(self.unmask_btn)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
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

    def refresh(self) -> None:
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
        flags = "　".join(flag_labels(r, today) + registers) or "无"
        status = (
            ""
            if r["status"] == "在档"
            else f"　<span style='color:#c62828'>{r['status']}（{r['status_date']}）</span>"
        )
        self.setWindowTitle(f"居民档案 · {r['name']}")
        number = r["id_number"]
        shown_id = (self.full_id or mask_id(number)) if number else "（无）"
        phone = phone_text(self.ws.store, r["phone"]) or "（无）"
        self.summary.setText(
            f"<b style='font-size:14pt'>{r['name']}</b>　{sex}　{age}　出生 {r['birth_date'] or ''}"
            f"　身份证 {shown_id}　电话 {phone}"
            f"　档案号 {r['archive_no']}{status}<br>重点人群：{flags}"
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
        if items:
            self.table.selectRow(0)

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
        forms = self.ws.services.applicable_forms(self.resident_id)
        if not forms:
            messages.info(self, "没有适用于该居民的服务表单。")
            return
        picker = FormPicker([(f.id, f.label, f.package or "") for f in forms], self)
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
        editor.accepted.connect(self.refresh)
        editor.open()

    def edit_resident(self) -> None:
        editor = ResidentEditor(self.ws, self.resident_id, self)
        self.child = editor
        editor.accepted.connect(self.refresh)
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
