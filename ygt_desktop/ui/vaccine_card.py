"""预防接种卡: a child's doses of the 2021 national schedule, vaccine × dose.

Each cell is a dose of the child's plan (:func:`ygt_desktop.storage.vaccines.card`): the
date given (grey), 应种 with the last day on time (amber), 逾期 — a 补种 dose (red),
未到 with the first day it may be given, or 不再补种 (a 百白破 dose from 6 years: the
白破疫苗 dose given instead is on its own row). The header says what the 建证 record says
of the child (母亲乙肝表面抗原, 出生体重) and the rules that follow from it (HBIG, the
12-hour birth dose, 4 HepB doses under 2000 g). The 补种 doses are listed below the grid,
soonest first.

Keyboard: the grid has the focus (arrows move); Enter opens the record of a dose given,
or a new record of the dose selected (Ctrl+N: the dose selected, else the first one to
give); Esc closes. Opened from the resident page (:func:`add_card_button`, Ctrl+K) for
residents under 18 (catch-up ends there).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core import vaccines as vac
from ..core.dates import age_text, age_years
from ..storage import vaccines
from ..storage.workspace import Workspace
from .service_editor import ServiceEditor

COLOURS = {vac.DONE: "#808080", vac.DUE: "#b26a00", vac.OVERDUE: "#c62828"}
CATCH_UP_YEARS = 18


def _cell_text(s: vac.DoseState) -> str:
    if s.state == vac.DONE and s.given is not None:
        return s.given.isoformat()
    if s.state == vac.DUE and s.by is not None:
        return f"应种（{s.by.isoformat()}前）"
    if s.state == vac.OVERDUE:
        return "逾期（补种）"
    if s.state == vac.UPCOMING:
        return f"未到（{s.earliest.isoformat()}起）" if s.earliest else "未到（待前一剂）"
    return s.state


class VaccineCard(QDialog):
    def __init__(self, ws: Workspace, resident_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.resident_id = resident_id
        self.setWindowTitle("预防接种卡")
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.rules = QLabel()
        self.rules.setObjectName("rules")
        self.rules.setWordWrap(True)
        self.rules.setStyleSheet(f"color: {COLOURS[vac.OVERDUE]}")
        self.grid = QTableWidget(0, 5)
        self.grid.setObjectName("vaccine_grid")
        self.grid.setHorizontalHeaderLabels(["疫苗", "第1剂", "第2剂", "第3剂", "第4剂"])
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.verticalHeader().hide()
        head = self.grid.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for col in range(1, 5):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.grid.itemActivated.connect(lambda _i: self.open_selected())
        self.grid.currentCellChanged.connect(lambda *_: self._show_note())
        self.catch_up = QLabel()
        self.catch_up.setObjectName("catch_up")
        self.catch_up.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("note")
        self.note.setWordWrap(True)
        add = QPushButton("登记接种 (Ctrl+N)")
        add.clicked.connect(self.add_dose)
        opened = QPushButton("查看/登记所选 (Enter)")
        opened.clicked.connect(self.open_selected)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭 (Esc)")
        close.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(opened)
        row.addStretch()
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.rules)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.catch_up)
        layout.addLayout(row)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.add_dose)
        self.cells: dict[tuple[int, int], vac.DoseState] = {}
        self.child: QDialog | None = None
        self.resize(900, 640)
        self.refresh()
        self.grid.setFocus()

    def refresh(self, today: dt.date | None = None) -> None:
        on = today or dt.date.today()
        r = self.ws.residents.get(self.resident_id)
        assert r is not None
        birth = dt.date.fromisoformat(r["birth_date"])
        choice = vaccines.series_choice(self.ws.store)
        plan = vaccines.schedule()
        used = [
            label for alt in plan.alternatives for v, label in alt.options if choice[alt.id] == v
        ]
        age = age_text(birth, on)
        facts = vaccines.facts(self.ws.store, self.ws.forms, self.resident_id)
        known = []
        if facts.mother_hbsag:
            known.append(f"母亲乙肝表面抗原 {facts.mother_hbsag}")
        if facts.birth_weight is not None:
            known.append(f"出生体重 {facts.birth_weight:g} kg")
        self.header.setText(
            f"{r['name']}　出生日期 {birth.isoformat()}（{age + ('岁' if age.isdigit() else '')}）"
            + "".join(f"　{k}" for k in known)
            + f"\n{plan.title}；本站使用：{'、'.join(used)}"
        )
        rules = vac.notes(plan, facts)
        self.rules.setText("\n".join(rules))
        self.rules.setVisible(bool(rules))
        self.states = vaccines.card(self.ws.store, self.resident_id, birth, on, facts)
        self.records = vaccines.dose_records(self.ws.store, self.resident_id)
        rows: dict[str, int] = {}
        self.cells = {}
        self.grid.setRowCount(0)
        for s in self.states:
            v = s.dose.vaccine
            if v.id not in rows:
                rows[v.id] = self.grid.rowCount()
                self.grid.insertRow(rows[v.id])
                name = QTableWidgetItem(f"{v.name}（{v.abbr}，{v.route}）")
                self.grid.setItem(rows[v.id], 0, name)
            col = min(s.dose.number, 4)
            item = QTableWidgetItem(_cell_text(s))
            item.setToolTip(f"{s.dose.label}：{s.state}" + (f"，{s.note}" if s.note else ""))
            if s.state in COLOURS:
                item.setForeground(QColor(COLOURS[s.state]))
            self.grid.setItem(rows[v.id], col, item)
            self.cells[rows[v.id], col] = s
        late = vac.catch_up(self.states)
        self.catch_up.setText(
            "需补种："
            + "；".join(
                f"{s.dose.label}（{s.earliest.isoformat()}起可种）" if s.earliest else s.dose.label
                for s in late
            )
            if late
            else "无需补种的剂次。"
        )
        first = self.first_to_give()
        if first is not None and not self.grid.currentItem():
            for (row, col), s in self.cells.items():
                if s is first:
                    self.grid.setCurrentCell(row, col)
        self._show_note()

    def first_to_give(self) -> vac.DoseState | None:
        """The dose to act on first: a 补种 one, else one due now, else the next to come."""
        nxt = vac.next_doses(self.states)
        nxt.sort(key=lambda s: (s.state != vac.OVERDUE, s.state != vac.DUE))
        return nxt[0] if nxt else None

    def selected(self) -> vac.DoseState | None:
        return self.cells.get((self.grid.currentRow(), self.grid.currentColumn()))

    def _show_note(self) -> None:
        s = self.selected()
        if s is None:
            self.note.setText("")
            return
        where = f"{s.dose.label}：{s.state}"
        if s.note:
            where += f"，{s.note}"
        self.note.setText(where)

    def open_selected(self) -> None:
        s = self.selected()
        if s is None:
            return
        record = self.records.get(s.dose.id)
        if record is not None:
            self._editor(None, record)
        elif s.state != vac.SKIPPED:
            self._editor(s.dose.id, None)

    def add_dose(self) -> None:
        s = self.selected()
        if s is None or s.state in (vac.DONE, vac.SKIPPED):
            s = self.first_to_give()
        self._editor(s.dose.id if s else None, None)

    def _editor(self, dose: str | None, record: int | None) -> None:
        editor = ServiceEditor(self.ws, vaccines.FORM_ID, self.resident_id, record, self)
        if dose is not None and record is None:
            form = self.ws.forms[vaccines.FORM_ID]
            editor.form_widget.set_values(
                {f.id: f.default_value() for f in form.fields} | {"vaccine": dose}
            )
        self.child = editor
        editor.accepted.connect(lambda: self.refresh())
        editor.open()


def add_card_button(ws: Workspace, resident_id: int, row: QBoxLayout, parent: QWidget) -> None:
    """The resident page's 接种卡 button (Ctrl+K), for residents under 18 only."""
    r = ws.residents.get(resident_id)
    if r is None or not r["birth_date"] or vaccines.FORM_ID not in ws.forms:
        return
    birth = dt.date.fromisoformat(r["birth_date"])
    if age_years(birth, dt.date.today()) >= CATCH_UP_YEARS:
        return
    button = QPushButton("接种卡 (Ctrl+K)")
    button.setObjectName("vaccine_card")

    def show() -> None:
        card = VaccineCard(ws, resident_id, parent)
        card.open()

    button.clicked.connect(show)
    QShortcut(QKeySequence("Ctrl+K"), parent, activated=show)
    row.addWidget(button)
