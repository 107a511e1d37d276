"""家医签约: contracts (sign, renew, terminate, print the agreement), the lists of
contracts about to expire and of key-population residents without one, fees and
satisfaction, and the teams and packages — one tab each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import contracts as core
from ..core.dates import age_years
from ..storage.contract_lists import ContractRow, list_contracts
from ..storage.contracts import contract_repo
from ..storage.db import StoreError
from ..storage.organisation import villages
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from . import contract_export, messages
from .contract_dialogs import TerminateDialog
from .contract_editor import ContractEditor, new_contract_values, resident_line
from .contract_lists_tabs import ExpiringTab, UncoveredTab
from .contract_money import FeeDialog, FiguresTab, SurveyDialog
from .contract_picker import ResidentPicker
from .contract_setup import SetupTab
from .contract_table import (
    RowsModel,
    day_from,
    fill_team_box,
    table_view,
    team_box,
    village_box,
)
from .guard import deleting
from .jobs import JobRunner
from .resident_model import SEX

SOON_DAYS = 30
STATUS_COLOURS = {core.EXPIRED: "#c62828", core.TERMINATED: "#808080", core.RENEWED: "#808080"}
SOON_COLOUR = "#b26a00"


def population_text(codes: list[str], labels: dict[str, str]) -> str:
    return "、".join(labels.get(c, c) for c in codes)


class ContractListTab(QWidget):
    sig_changed = Signal()

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.dialog: QDialog | None = None
        self.day = dt.date.today()
        self.jobs = JobRunner(ws, self)
        labels = ws.forms["contract"].field("key_populations").choice_labels
        names = {v.code: v.name for v in villages(ws.store)}
        self.model: RowsModel[ContractRow] = RowsModel(
            [
                ("编号", lambda r: str(r.id)),
                ("状态", lambda r: r.status),
                ("姓名", lambda r: r.name),
                ("性别", lambda r: SEX.get(r.sex or "", "")),
                ("年龄", lambda r: str(age_years(r.birth_date, self.day)) if r.birth_date else ""),
                ("居委/村委", lambda r: names.get(r.village_code or "", r.village_code or "")),
                ("团队", lambda r: r.team),
                ("签约医生", lambda r: r.doctor),
                ("服务包", lambda r: r.packages),
                ("服务期", lambda r: f"{r.start_date.isoformat()} 至 {r.end_date.isoformat()}"),
                ("签约时重点人群", lambda r: population_text(r.populations, labels)),
                ("应收（元）", lambda r: core.yuan_text(r.due)),
            ],
            self._colour,
        )
        self.table = table_view(
            self.model,
            "contract_table",
            (44, 50, 70, 40, 40, 110, 130, 70, 150, 190, 150),
            self.edit_current,
        )
        self.search = QLineEdit()
        self.search.setObjectName("contract_search")
        self.search.setPlaceholderText("查找居民：姓名、拼音首字母、身份证号、电话")
        self.search.setClearButtonEnabled(True)
        self.on = QLineEdit(self.day.isoformat())
        self.on.setObjectName("contract_day")
        self.on.setToolTip("状态按这一天计算（到期、已续约、已解约）")
        self.on.setMaximumWidth(110)
        self.status = QComboBox()
        self.status.setObjectName("contract_status")
        self.status.addItem("全部状态", None)
        for s in core.STATUSES:
            self.status.addItem(s, [s])
        self.village = village_box(ws, "contract_village")
        self.team = team_box(ws, "contract_team")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.counts = QLabel()
        self.counts.setObjectName("contract_counts")
        filters = QHBoxLayout()
        for w in (self.search, QLabel("状态日期"), self.on, self.status, self.village, self.team):
            filters.addWidget(w)
        filters.setStretch(0, 1)
        actions = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("new", "签约 (Ctrl+N)", self.sign_new),
            ("edit", "修改 (Enter)", self.edit_current),
            ("renew", "续约 (Ctrl+R)", self.renew_current),
            ("terminate", "解约…", self.terminate_current),
            ("fees", "到账…", self.fees_current),
            ("survey", "满意度…", self.survey_current),
            ("delete", "删除…", self.delete_current),
            ("print", "打印协议书 (Ctrl+P)", self.print_agreement),
        ):
            button = QPushButton(text)
            button.setObjectName(f"contract_{key}")
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.action_buttons[key] = button
        self.full_id = QCheckBox("协议书显示完整身份证号")
        self.full_id.setObjectName("agreement_full_id")
        actions.addWidget(self.full_id)
        actions.addStretch()
        # The counts line gets a row of its own and wraps: beside the buttons its full
        # text made the page (and so the window) wider than a 1366-pixel screen.
        self.counts.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.counts)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.sign_new)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.renew_current)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_agreement)
        self.search.returnPressed.connect(self._search_and_focus)
        self.on.returnPressed.connect(self.refresh)
        for combo in (self.status, self.village, self.team):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())

    # ---- list ------------------------------------------------------------------------
    def _colour(self, row: ContractRow) -> str | None:
        if row.status in STATUS_COLOURS:
            return STATUS_COLOURS[row.status]
        if row.status == core.ACTIVE and (row.end_date - self.day).days <= SOON_DAYS:
            return SOON_COLOUR
        return None

    def refresh(self) -> None:
        day = day_from(self.on, self.error)
        if day is None:
            return
        self.day = day
        fill_team_box(self.ws, self.team)
        text = self.search.text().strip()
        ids = [r["id"] for r in self.ws.residents.search(text, limit=500)] if text else None
        rows = list_contracts(
            self.ws.store,
            day,
            village=self.village.currentData(),
            team=self.team.currentData(),
            statuses=self.status.currentData(),
            resident_ids=ids,
        )
        self.model.set_rows(rows)
        per_status = {s: sum(1 for r in rows if r.status == s) for s in core.STATUSES}
        self.counts.setText(
            f"共 {len(rows)} 份：" + "，".join(f"{s} {n}" for s, n in per_status.items() if n)
            if rows
            else "没有签约"
        )

    def _search_and_focus(self) -> None:
        self.refresh()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def select(self, contract_id: int) -> None:
        for i, r in enumerate(self.model.rows):
            if r.id == contract_id:
                self.table.selectRow(i)
                return

    def current(self) -> ContractRow | None:
        row = self.model.current(self.table)
        if row is None:
            messages.info(self, "请先在列表中选中一份签约。")
        return row

    # ---- actions ---------------------------------------------------------------------
    def sign_new(self) -> None:
        picker = ResidentPicker(self.ws, "签约 · 选择居民", self)
        self.dialog = picker
        picker.accepted.connect(lambda: self._picked(picker.resident_id))
        picker.open()

    def _picked(self, resident_id: int | None) -> None:
        if resident_id is not None:
            self.sign_resident(resident_id)

    def sign_resident(self, resident_id: int) -> None:
        """Open a new contract for ``resident_id`` (chosen in a list)."""
        self._open(None, new_contract_values(self.ws, resident_id, dt.date.today()))

    def edit_current(self) -> None:
        row = self.current()
        if row is not None:
            self._open(row.id, None)

    def renew_current(self) -> None:
        row = self.current()
        if row is not None:
            self.renew(row.id)

    def renew(self, contract_id: int) -> None:
        """Open the renewal of ``contract_id``, or say why it cannot be renewed."""
        repo = contract_repo(self.ws.store, self.ws.forms, self.ws.services)
        try:
            draft = repo.renewal_draft(contract_id, dt.date.today())
        except ValidationFailed as exc:
            messages.error(self, "；".join(exc.errors.values()), "不能续约")
            return
        self._open(None, draft)

    def _open(self, contract_id: int | None, initial: dict[str, Any] | None) -> None:
        try:
            editor = ContractEditor(self.ws, contract_id, initial=initial, parent=self)
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.dialog = editor
        editor.accepted.connect(
            lambda: self._after(editor.change.record_id if editor.change else None)
        )
        editor.open()

    def terminate_current(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.termination_date is not None:
            messages.info(self, f"该签约已于 {row.termination_date.isoformat()} 解约。")
            return
        repo = contract_repo(self.ws.store, self.ws.forms, self.ws.services)
        dialog = TerminateDialog(repo, row.id, self._header(row), dt.date.today(), self)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._after(row.id))
        dialog.open()

    def _header(self, row: ContractRow) -> str:
        return (
            resident_line(self.ws, row.resident_id, dt.date.today())
            + f"\n签约编号 {row.id}：{row.team}，{row.packages}，{row.start_date.isoformat()} 至 "
            f"{row.end_date.isoformat()}（{row.status}）"
        )

    def fees_current(self) -> None:
        """到账: the contract's fees due and received, by payer."""
        row = self.current()
        if row is not None:
            self.dialog = FeeDialog(self.ws, row.id, self._header(row), self)
            self.dialog.open()

    def survey_current(self) -> None:
        """满意度问卷 of the contracted resident."""
        row = self.current()
        if row is not None:
            self.dialog = SurveyDialog(self.ws, row.id, self._header(row), self)
            self.dialog.open()

    def print_agreement(self) -> None:
        """签约服务协议书 of the selected contract as a PDF, opened in the viewer."""
        row = self.current()
        if row is not None:
            contract_export.print_agreement(
                self, self.jobs, self.ws, row.id, id_masked=not self.full_id.isChecked()
            )

    def delete_current(self) -> None:
        row = self.current()
        if row is None:
            return
        reason = messages.ask_text(
            self,
            f"删除签约（签约编号 {row.id}，{row.name}，{row.packages}）。仅用于录错的签约；"
            "居民解约请用“解约”。请填写删除原因：",
            "删除签约",
        )
        if not reason:
            return
        try:
            repo = contract_repo(self.ws.store, self.ws.forms, self.ws.services)
            deleting(self.ws, lambda: repo.delete(row.id, reason))
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self._after(None)

    def _after(self, contract_id: int | None) -> None:
        self.refresh()
        if contract_id is not None:
            self.select(contract_id)
        self.sig_changed.emit()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh()


class ContractsPage(QWidget):
    """The 家医签约 page: one tab per job; Ctrl+Tab moves between them."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tabs = QTabWidget()
        self.tabs.setObjectName("contract_tabs")
        self.contracts = ContractListTab(ws)
        self.setup = SetupTab(ws)
        self.expiring = ExpiringTab(ws)
        self.uncovered = UncoveredTab(ws)
        self.tabs.addTab(self.contracts, "签约居民")
        self.tabs.addTab(self.expiring, "到期提醒")
        self.tabs.addTab(self.uncovered, "未签约重点人群")
        self.figures = FiguresTab(ws)
        self.tabs.addTab(self.figures, "费用与满意度")
        self.tabs.addTab(self.setup, "团队与服务包")
        self.setup.sig_changed.connect(self.contracts.refresh)
        self.expiring.sig_renew.connect(self.contracts.renew)
        self.uncovered.sig_sign.connect(self.contracts.sign_resident)
        self.contracts.sig_changed.connect(self._refresh_visible)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def _refresh_visible(self) -> None:
        """A contract saved from a list tab changes that list at once."""
        current = self.tabs.currentWidget()
        if current in (self.expiring, self.uncovered):
            current.refresh()
