"""到期提醒 and 未签约重点人群: the two working lists of the 家医签约 page, as of a
chosen day, by village and team, printable (Ctrl+P) and exportable; Enter renews the
contract chosen, or signs the resident chosen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.contracts import KEY_POPULATIONS, yuan_text
from ..core.dates import age_years
from ..reports.contract_lists import ListDoc
from ..storage.contract_lists import ContractRow, UncoveredRow, expiring, uncovered
from ..storage.organisation import villages
from ..storage.workspace import Workspace
from . import contract_export
from .contract_table import (
    Column,
    RowsModel,
    day_from,
    fill_team_box,
    table_view,
    team_box,
    village_box,
)
from .error_text import ErrorLabel
from .jobs import JobRunner
from .resident_model import SEX

_EXPIRING_SOON = 7  # days: in red


class _ListTab(QWidget):
    """Day, village and team filters, a table, counts, 打印 and 导出表格."""

    title = ""
    action_text = ""

    def __init__(
        self,
        ws: Workspace,
        columns: Sequence[Column],
        widths: Sequence[int],
        name: str,
        extra: Sequence[QWidget] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.names = {v.code: v.name for v in villages(ws.store)}
        self.day = dt.date.today()
        self.jobs = JobRunner(ws, self)
        self.on = QLineEdit(self.day.isoformat())
        self.on.setObjectName(f"{name}_day")
        self.on.setMaximumWidth(110)
        self.village = village_box(ws, f"{name}_village")
        self.team = team_box(ws, f"{name}_team")
        self.error = ErrorLabel()
        self.model: RowsModel[Any] = RowsModel(columns, self.colour)
        self.table = table_view(self.model, f"{name}_table", widths, self.act)
        self.counts = QLabel()
        self.counts.setObjectName(f"{name}_counts")
        self.counts.setWordWrap(True)
        self.notice = QLabel()
        filters = QHBoxLayout()
        for w in (QLabel("日期"), self.on, *extra, self.village, self.team):
            filters.addWidget(w)
        filters.addStretch()
        buttons = QHBoxLayout()
        act = QPushButton(self.action_text)
        act.clicked.connect(self.act)
        export = QPushButton("导出表格")
        export.clicked.connect(self.export)
        printing = QPushButton("打印 (Ctrl+P)")
        printing.clicked.connect(self.print_list)
        buttons.addWidget(act)
        buttons.addWidget(self.notice, 1)
        buttons.addWidget(export)
        buttons.addWidget(printing)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_list)
        self.on.returnPressed.connect(self.refresh)
        for combo in (self.village, self.team, *extra):
            if isinstance(combo, QComboBox):
                combo.currentIndexChanged.connect(lambda _i: self.refresh())

    def colour(self, row: Any) -> str | None:
        return None

    def refresh(self) -> None:
        day = day_from(self.on, self.error)
        if day is None:
            return
        self.day = day
        fill_team_box(self.ws, self.team)
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def act(self) -> None:
        raise NotImplementedError

    def filters_text(self) -> str:
        village = self.village.currentText() if self.village.currentData() else "全部"
        team = self.team.currentText() if self.team.currentData() else "全部"
        return f"居委/村委：{village}；团队：{team}"

    def doc(self) -> ListDoc:
        return ListDoc(
            self.title,
            [f"日期：{self.day.isoformat()}；{self.filters_text()}", self.counts.text()],
            [h for h, _fn in self.model.columns],
            self.model.texts(),
            self.pdf_widths,
        )

    pdf_widths: Sequence[float] = ()

    def print_list(self) -> None:
        org = self.ws.organisation
        contract_export.print_list(self, self.jobs, self.doc(), self.day, org.name if org else "")

    def export(self) -> None:
        count = self.model.rowCount()
        self.notice.setText("")
        contract_export.export_list(
            self,
            self.jobs,
            self.doc(),
            self.day,
            on_saved=lambda out: self.notice.setText(f"已导出 {count} 行到 {out}"),
        )

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.refresh()


class ExpiringTab(_ListTab):
    """Contracts ending within 30 or 60 days of the day, not yet renewed."""

    sig_renew = Signal(int)
    title = "签约到期提醒名单"
    action_text = "续约 (Enter)"
    pdf_widths = (10, 18, 10, 10, 30, 25, 36, 45, 20, 16)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        self.within = QComboBox()
        self.within.setObjectName("expiring_within")
        for days in (30, 60):
            self.within.addItem(f"{days} 天内到期", days)
        super().__init__(
            ws,
            [
                ("剩余天数", lambda r: str((r.end_date - self.day).days)),
                ("姓名", lambda r: r.name),
                ("性别", lambda r: SEX.get(r.sex or "", "")),
                ("年龄", lambda r: str(age_years(r.birth_date, self.day)) if r.birth_date else ""),
                ("居委/村委", lambda r: self.names.get(r.village_code or "", r.village_code or "")),
                ("联系电话", lambda r: r.phone or ""),
                ("团队", lambda r: r.team),
                ("服务包", lambda r: r.packages),
                ("到期日期", lambda r: r.end_date.isoformat()),
                ("签约医生", lambda r: r.doctor),
            ],
            (60, 70, 40, 40, 110, 100, 130, 150, 90),
            "expiring",
            [self.within],
            parent,
        )

    def colour(self, row: ContractRow) -> str | None:
        return "#c62828" if (row.end_date - self.day).days <= _EXPIRING_SOON else "#b26a00"

    def load(self) -> None:
        rows = expiring(
            self.ws.store,
            self.day,
            int(self.within.currentData()),
            village=self.village.currentData(),
            team=self.team.currentData(),
        )
        self.model.set_rows(rows)
        due = sum(r.due for r in rows)
        self.counts.setText(
            f"{self.within.currentText()}、尚未续约：{len(rows)} 份（年服务费合计 "
            f"{yuan_text(due)} 元）"
            if rows
            else f"{self.within.currentText()}：没有需要续约的签约"
        )

    def filters_text(self) -> str:
        return f"{self.within.currentText()}；{super().filters_text()}"

    def act(self) -> None:
        row = self.model.current(self.table)
        if row is not None:
            self.sig_renew.emit(row.id)


class UncoveredTab(_ListTab):
    """Key-population residents with no contract in force on the day."""

    sig_sign = Signal(int)
    title = "未签约重点人群名单"
    action_text = "签约 (Enter)"
    pdf_widths = (20, 10, 10, 32, 26, 75, 25)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        field = ws.forms["contract"].field("key_populations")
        self.labels = field.choice_labels
        self.population = QComboBox()
        self.population.setObjectName("uncovered_population")
        self.population.addItem("全部重点人群", None)
        for code in KEY_POPULATIONS:
            self.population.addItem(self.labels[code], code)
        super().__init__(
            ws,
            [
                ("姓名", lambda r: r.name),
                ("性别", lambda r: SEX.get(r.sex or "", "")),
                ("年龄", lambda r: str(age_years(r.birth_date, self.day)) if r.birth_date else ""),
                ("居委/村委", lambda r: self.names.get(r.village_code or "", r.village_code or "")),
                ("联系电话", lambda r: r.phone or ""),  # a calling list: in full
                ("重点人群", lambda r: "、".join(self.labels[c] for c in r.populations)),
                ("上次签约到期", lambda r: r.last_end.isoformat() if r.last_end else "从未签约"),
            ],
            (80, 40, 40, 120, 100, 260),
            "uncovered",
            [self.population],
            parent,
        )

    def colour(self, row: UncoveredRow) -> str | None:
        return "#b26a00" if row.last_end is not None else None

    def load(self) -> None:
        rows, counts = uncovered(
            self.ws.store,
            self.ws.forms,
            self.day,
            village=self.village.currentData(),
            team=self.team.currentData(),
            population=self.population.currentData(),
        )
        self.model.set_rows(rows)
        per = "，".join(f"{self.labels[c]} {n}" for c, n in counts.items() if n)
        self.counts.setText(
            f"未签约重点人群 {len(rows)} 人" + (f"（{per}；一人可属多类）" if per else "")
        )

    def filters_text(self) -> str:
        return f"{self.population.currentText()}；{super().filters_text()}"

    def act(self) -> None:
        row = self.model.current(self.table)
        if row is not None:
            self.sig_sign.emit(row.resident_id)
