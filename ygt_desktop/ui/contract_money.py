"""Fees and satisfaction of the 家医签约 page: a contract's payments (到账) and its
questionnaires (满意度问卷) in small dialogs, and the period's figures in a tab (fee
totals by payer, average score and share satisfied) with the prepaid share setting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core import schedules as sch
from ..core.contracts import PAYER_LABELS, PAYERS, SURVEY_ITEMS, yuan, yuan_text
from ..storage.contract_fees import (
    PaymentRepo,
    contract_fees,
    fee_totals,
    prepaid_percent,
    set_prepaid_percent,
)
from ..storage.contract_survey import SurveyRepo, survey_figures
from ..storage.db import StoreError
from ..storage.entities import EntityRepo
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from . import messages
from .contract_table import RowsModel, day_from, table_view
from .entity_editor import EntityEditor
from .error_text import ErrorLabel
from .guard import deleting
from .table_fit import rows_height


def _money(fen_amount: int) -> str:
    return yuan_text(yuan(fen_amount))


class _RecordsDialog(QDialog):
    """A contract's records of one entity form: a table with 新增 / 修改 / 删除."""

    def __init__(
        self,
        ws: Workspace,
        repo: EntityRepo,
        contract_id: int,
        header: str,
        columns: list[tuple[str, Callable[[Any], str]]],
        initial: Callable[[], dict[str, Any]],
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.repo = repo
        self.contract_id = contract_id
        self.initial = initial
        self.dialog: QDialog | None = None
        self.header = QLabel(header)
        self.header.setWordWrap(True)
        self.model: RowsModel[dict[str, Any]] = RowsModel(columns)
        self.table = table_view(self.model, f"{repo.form.id}_records", (), self.edit_current)
        self.buttons = QHBoxLayout()
        for text, slot in (
            ("新增 (Ctrl+N)", self.add),
            ("修改 (Enter)", self.edit_current),
            ("删除…", self.delete_current),
            ("关闭 (Esc)", self.accept),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons.addWidget(button)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.header)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addLayout(self.buttons)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add)
        self.resize(820, 480)

    def refresh(self) -> None:
        self.model.set_rows(
            self.repo.rows(
                "contract_id = ?", (self.contract_id,), order=f"{self.repo.form.fields[1].id}, id"
            )
        )

    def add(self) -> None:
        self._open(None)

    def edit_current(self) -> None:
        row = self.model.current(self.table)
        if row is not None:
            self._open(int(row["id"]))

    def _open(self, entity_id: int | None) -> None:
        editor = EntityEditor(
            self.ws,
            self.repo,
            entity_id,
            header=self.header.text(),
            initial=self.initial() if entity_id is None else None,
            parent=self,
        )
        self.dialog = editor
        editor.accepted.connect(self.refresh)
        editor.open()

    def delete_current(self) -> None:
        row = self.model.current(self.table)
        if row is None:
            return
        reason = messages.ask_text(self, "删除这条记录（录错时使用），请填写原因：", "删除")
        if not reason:
            return
        try:
            deleting(self.ws, lambda: self.repo.delete(int(row["id"]), reason))
        except StoreError as exc:
            messages.error(self, str(exc))
            return
        self.refresh()


class FeeDialog(_RecordsDialog):
    """到账: what each payer owes for the contract and what arrived, with dates."""

    def __init__(
        self, ws: Workspace, contract_id: int, header: str, parent: QWidget | None = None
    ) -> None:
        form = ws.forms["contract_payment"]
        payer, kind = form.field("payer").choice_labels, form.field("kind").choice_labels
        super().__init__(
            ws,
            PaymentRepo(ws.store, ws.forms),
            contract_id,
            header,
            [
                ("到账日期", lambda r: r["paid_date"]),
                ("支付方", lambda r: payer[r["payer"]]),
                ("款项", lambda r: kind[r["kind"]]),
                ("金额（元）", lambda r: yuan_text(r["amount"])),
                ("备注", lambda r: r["note"] or ""),
            ],
            self._initial,
            parent,
        )
        self.setWindowTitle("签约服务费到账")
        self.summary: RowsModel[tuple[str, Any]] = RowsModel(
            [
                ("支付方", lambda r: PAYER_LABELS[r[0]]),
                ("应收", lambda r: _money(r[1].due)),
                ("应预拨/应缴", lambda r: _money(r[1].prepaid_expected)),
                ("已到账", lambda r: _money(r[1].received)),
                ("未到账", lambda r: _money(r[1].outstanding)),
            ],
            lambda r: "#b26a00" if r[1].outstanding else None,
        )
        summary = table_view(self.summary, "fee_summary", (110, 70, 90, 70))
        summary.setMaximumHeight(summary.verticalHeader().defaultSectionSize() * 4 + 8)
        self.layout_.insertWidget(1, summary)
        self.refresh()

    def _initial(self) -> dict[str, Any]:
        """A new payment: the first payer with money outstanding, and its kind."""
        fees = contract_fees(self.ws.store, self.ws.forms, self.contract_id).by_payer
        payer = next((p for p in PAYERS if fees[p].outstanding), "medical")
        kind = "3" if payer == "personal" else ("1" if fees[payer].received == 0 else "2")
        return {
            "contract_id": self.contract_id,
            "payer": payer,
            "kind": kind,
            "amount": yuan(fees[payer].outstanding) or None,
        }

    def refresh(self) -> None:
        super().refresh()
        fees = contract_fees(self.ws.store, self.ws.forms, self.contract_id)
        self.summary.set_rows([(p, fees.by_payer[p]) for p in PAYERS])


class SurveyDialog(_RecordsDialog):
    """满意度问卷 of the contracted resident."""

    def __init__(
        self, ws: Workspace, contract_id: int, header: str, parent: QWidget | None = None
    ) -> None:
        form = ws.forms["satisfaction"]
        score = form.field("q_overall").choice_labels
        short = {
            "q_info": "信息交流",
            "q_cost": "费用",
            "q_image": "职业形象",
            "q_skill": "专业水平",
            "q_quality": "服务质量",
            "q_convenience": "便利性",
        }
        super().__init__(
            ws,
            SurveyRepo(ws.store, ws.forms),
            contract_id,
            header,
            [
                ("调查日期", lambda r: r["survey_date"]),
                *((short[i], lambda r, i=i: r[i] or "") for i in SURVEY_ITEMS),
                ("总体评价", lambda r: score.get(r["q_overall"], "")),
                ("调查人", lambda r: r["surveyor"] or ""),
            ],
            lambda: {"contract_id": self.contract_id, "surveyor": ws.store.user},
            parent,
        )
        self.setWindowTitle("家庭签约满意度问卷")
        self.refresh()


class FiguresTab(QWidget):
    """费用与满意度: the prepaid share, and the period's fee and survey figures."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        first, last = sch.quarter_bounds(*sch.quarter_of(dt.date.today()))
        self.start = QLineEdit(first.isoformat())
        self.start.setObjectName("figures_start")
        self.end = QLineEdit(last.isoformat())
        self.end.setObjectName("figures_end")
        for edit in (self.start, self.end):
            edit.setMaximumWidth(110)
        self.percent = QLineEdit()
        self.percent.setObjectName("prepaid_percent")
        self.percent.setMaximumWidth(60)
        save = QPushButton("保存比例")
        save.clicked.connect(self.save_percent)
        self.error = ErrorLabel()
        show = QPushButton("查询 (Enter)")
        show.clicked.connect(self.refresh)
        top = QHBoxLayout()
        for w in (
            QLabel("从"),
            self.start,
            QLabel("到"),
            self.end,
            show,
            QLabel("　医保和公卫经费预拨比例"),
            self.percent,
            QLabel("%"),
            save,
        ):
            top.addWidget(w)
        top.addStretch()
        self.fees: RowsModel[str] = RowsModel(
            [
                ("支付方", lambda p: PAYER_LABELS.get(p, "合计")),
                ("期内签约应收", lambda p: self._part("due", p)),
                ("应预拨/应缴", lambda p: self._part("prepaid_expected", p)),
                ("期内到账", lambda p: self._part("received", p)),
                ("其中预拨", lambda p: self._kind(p, "1")),
                ("其中考核结算", lambda p: self._kind(p, "2")),
                ("其中个人缴费", lambda p: self._kind(p, "3")),
                ("期内签约未到账", lambda p: self._part("outstanding", p)),
            ]
        )
        self.fee_table = table_view(self.fees, "fee_totals", (110, 100, 100, 90, 80, 100, 100))
        self.fee_note = QLabel()
        self.survey = QLabel()
        self.survey.setObjectName("survey_figures")
        self.survey.setWordWrap(True)
        self.survey.setMinimumHeight(self.survey.fontMetrics().height() * 3)
        fee_box = QGroupBox("签约服务费（元）")
        box = QVBoxLayout(fee_box)
        box.addWidget(self.fee_table)
        box.addWidget(self.fee_note)
        survey_box = QGroupBox("家庭签约满意度")
        QVBoxLayout(survey_box).addWidget(self.survey)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(fee_box)
        layout.addWidget(survey_box)
        layout.addStretch(1)  # the four payers' lines, then the survey: no empty table
        for edit in (self.start, self.end):
            edit.returnPressed.connect(self.refresh)
        self.percent.returnPressed.connect(self.save_percent)
        self.totals: Any = None

    def _part(self, part: str, payer: str) -> str:
        values = getattr(self.totals, part)
        return _money(sum(values.values()) if payer == "" else values[payer])

    def _kind(self, payer: str, kind: str) -> str:
        by = self.totals.received_by_kind
        payers = PAYERS if payer == "" else (payer,)
        return _money(sum(by[p].get(kind, 0) for p in payers))

    def save_percent(self) -> None:
        try:
            set_prepaid_percent(self.ws.store, self.percent.text())
        except ValidationFailed as exc:
            self.error.setText("；".join(exc.errors.values()))
            return
        self.refresh()

    def refresh(self) -> None:
        start = day_from(self.start, self.error)
        end = day_from(self.end, self.error) if start is not None else None  # keeps 从's error
        if start is None or end is None:
            return
        if end < start:
            self.error.setText("结束日期不能早于开始日期")
            return
        self.percent.setText(yuan_text(prepaid_percent(self.ws.store)))
        self.totals = fee_totals(self.ws.store, start, end)
        self.fees.set_rows([*PAYERS, ""])
        self.fee_table.setFixedHeight(rows_height(self.fee_table))
        self.fee_note.setText(
            f"期内签约 {self.totals.contracts} 份；医保基金和基本公卫经费按 "
            f"{yuan_text(self.totals.prepaid_percent)}% 预拨，其余按年度考核结算；"
            "个人部分全额缴纳。"
        )
        f = survey_figures(self.ws.store, start, end)
        if not f.count:
            self.survey.setText("期内没有满意度问卷。")
            return
        labels = self.ws.forms["satisfaction"]
        items = "；".join(
            f"{labels.field(i).label.split('：')[0]} {v:.2f}"
            for i, v in f.item_averages.items()
            if v is not None
        )
        share = f.share_satisfied or 0
        self.survey.setText(
            f"问卷 {f.count} 份（{f.residents} 人）；平均得分 {f.average:.2f}"
            f"（满分 5）；满意 {f.satisfied} 份，满意率 {share * 100:.1f}%。\n"
            f"各方面平均：{items}"
        )

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh()
