"""Sign, renew or correct one contract: the generic entity editor over
``forms/contract.toml`` with the resident named in the header, the doctor list kept to
the chosen team's doctors, packages no longer offered greyed out, and the key
populations and fees shown as they will be recorded (the repository takes them again
when saving)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from ..core.contracts import PAYERS, one_year_end, package_fees
from ..core.dates import age_years
from ..core.idnumber import mask
from ..storage.contracts import DOCTOR_ROLES, ContractRepo, contract_repo
from ..storage.organisation import villages
from ..storage.populations import key_populations_of
from ..storage.residents import ValidationFailed
from ..storage.workspace import Workspace
from .entity_editor import EntityEditor
from .referral_editor import hide_fields
from .resident_model import SEX


def resident_line(ws: Workspace, resident_id: int, on: dt.date) -> str:
    """``居民：张三　男　76岁　档案号 …　身份证号 530102********1233　小坝村委会``."""
    r = ws.residents.get(resident_id)
    if r is None:
        return "居民：（档案不存在或已删除）"
    names = {v.code: v.name for v in villages(ws.store)}
    parts = [f"居民：{r['name']}", SEX.get(r["sex"] or "", "")]
    if r["birth_date"]:
        parts.append(f"{age_years(dt.date.fromisoformat(r['birth_date']), on)}岁")
    parts += [
        f"档案号 {r['archive_no']}",
        f"身份证号 {mask(r['id_number'])}" if r["id_number"] else "无身份证号",
        names.get(r["village_code"], r["village_code"] or ""),
    ]
    return "　".join(p for p in parts if p)


def new_contract_values(ws: Workspace, resident_id: int, today: dt.date) -> dict[str, Any]:
    """A new contract for ``resident_id``: a one-year term from ``today``, the team that
    covers the resident's village and its first doctor, the populations as of today."""
    repo = contract_repo(ws.store, ws.forms, ws.services)
    values: dict[str, Any] = {
        "resident_id": resident_id,
        "sign_date": today,
        "start_date": today,
        "end_date": one_year_end(today),
    }
    r = ws.residents.get(resident_id)
    village = r["village_code"] if r else None
    for team in repo.teams.rows(order="name"):
        if village and village in (team["villages"] or "").split(","):
            values["team_id"] = str(team["id"])
            doctors = _doctors(repo, str(team["id"]))
            if doctors:
                values["doctor_id"] = doctors[0][0]
            break
    try:
        values["key_populations"] = key_populations_of(
            ws.store, ws.forms, ws.services, resident_id, today
        )
    except ValidationFailed:
        pass
    return values


def _doctors(repo: ContractRepo, team_id: str | None) -> list[tuple[str, str]]:
    """(id, name) of the active doctors of a team."""
    if not team_id:
        return []
    rows = repo.members.rows(
        "team_id = ? AND active = 1 AND role IN (?, ?, ?)",
        (team_id, *DOCTOR_ROLES),
        order="role, name",
    )
    return [(str(r["id"]), str(r["name"])) for r in rows]


class ContractEditor(EntityEditor):
    def __init__(
        self,
        ws: Workspace,
        entity_id: int | None = None,
        *,
        initial: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self.contracts = contract_repo(ws.store, ws.forms, ws.services)
        start = initial or {}
        resident_id = (
            self.contracts.values(entity_id)["resident_id"]
            if entity_id is not None
            else int(start["resident_id"])
        )
        header = resident_line(ws, resident_id, dt.date.today())
        if start.get("renews_id"):
            old = self.contracts.values(int(start["renews_id"]))
            header += (
                f"\n续约：原签约编号 {start['renews_id']}（{old['start_date'].isoformat()} 至 "
                f"{old['end_date'].isoformat()}）"
            )
        header += "\n签约时所属重点人群和应收费用在保存时按签约日期和所选服务包记录。"
        super().__init__(
            ws, self.contracts, entity_id, header=header, initial=initial, parent=parent
        )
        self.setWindowTitle(
            ("修改签约" if entity_id else "续约" if start.get("renews_id") else "签约")
            + " · 家庭医生签约服务"
        )
        hide_fields(self.form_widget, ("resident_id",))  # named in the header instead
        editors = self.form_widget.editors
        self.team_combo = editors["team_id"].widget
        self.doctor_combo = editors["doctor_id"].widget
        assert isinstance(self.team_combo, QComboBox) and isinstance(self.doctor_combo, QComboBox)
        self._fill_doctors()
        self.team_combo.currentIndexChanged.connect(lambda _i: self._fill_doctors())
        offered = {str(r["id"]) for r in self.contracts.packages.rows("active = 1")}
        for code, box in editors["package_ids"].checks.items():
            if code not in offered and not box.isChecked():
                box.setEnabled(False)
                box.setToolTip("该服务包已停用，不能新签")
            box.toggled.connect(lambda _on: self._show_fees())
        if entity_id is None:
            self._show_fees()
        self.form_widget.mark_clean()

    def _fill_doctors(self) -> None:
        """Only the chosen team's doctors (and the one already recorded)."""
        combo = self.doctor_combo
        chosen = combo.currentData()
        doctors = _doctors(self.contracts, self.team_combo.currentData())
        if chosen and chosen not in [d for d, _n in doctors]:
            row = self.contracts.members.get(int(chosen))
            if row is not None and str(row["team_id"]) == self.team_combo.currentData():
                doctors.append((str(chosen), str(row["name"])))
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("", None)
        for code, name in doctors:
            combo.addItem(name, code)  # the member's id is the data, never shown
        index = combo.findData(chosen) if chosen else -1
        combo.setCurrentIndex(index if index >= 0 else (1 if len(doctors) == 1 else 0))
        combo.blockSignals(False)

    def _show_fees(self) -> None:
        editors = self.form_widget.editors
        chosen = [c for c, box in editors["package_ids"].checks.items() if box.isChecked()]
        rows = [self.contracts.packages.get(int(c)) for c in chosen]
        fees = package_fees(r for r in rows if r is not None)
        for payer in PAYERS:
            editors[f"fee_{payer}"].set_value(fees[payer] if chosen else None)
