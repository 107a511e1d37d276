"""Family-doctor contracts (家庭医生签约): sign, renew, terminate — and the rules a form
file cannot say, checked inside the write transaction.

:class:`ContractRepo` is an :class:`~.entities.EntityRepo` over ``forms/contract.toml``
that fills the readonly fields itself when a contract is signed (or its resident, sign
date or packages are corrected): the key populations of the resident on the sign date
and the annual fee per payer of the chosen packages then. Refused with a message at
the field: a term under one year, a contract overlapping another of the same resident
for a shared package, renewing a terminated or already renewed contract, a doctor who
is not in the chosen team, a resident whose archive was closed before signing.

Packages of a contract are a multiple choice of package ids (``package_ids`` "1,3"):
the contract stays one record in one table, saved, audited and checked in one
transaction by the generic repository and editor; the overlap check reads only the
resident's own few contracts, so no join table is needed for it, and the fees at
signing are kept per payer on the contract itself.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

from ..core.contracts import (
    PAYERS,
    last_day,
    one_year_end,
    overlaps,
    package_fees,
    target_problem,
    target_rules,
    term_error,
)
from ..core.forms import FormRegistry
from .db import Store, StoreError
from .entities import EntityRepo
from .populations import key_populations_of
from .residents import Change, ValidationFailed
from .services import ServiceRepo

DOCTOR_ROLES = ("1", "4", "5")  # 医生, 乡村医生, 上级医院专科医生 may sign


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)) if value else None


def _ids(value: Any) -> list[str]:
    if not value:
        return []
    return [v for v in (value if isinstance(value, list) else str(value).split(",")) if v]


class ContractRepo(EntityRepo):
    def __init__(self, store: Store, forms: FormRegistry, services: ServiceRepo) -> None:
        super().__init__(
            store,
            forms["contract"],
            checks=[
                self._check_resident,
                self._check_term,
                self._check_team,
                self._check_packages,
                self._check_renewal,
                self._check_overlap,
            ],
        )
        self.forms = forms
        self.services = services
        self.packages = EntityRepo(store, forms["service_package"])
        self.teams = EntityRepo(store, forms["team"])
        self.members = EntityRepo(store, forms["team_member"])
        self.target_rules = package_targets(forms)

    # ---- writes ----------------------------------------------------------------------
    def save(
        self, raw: Mapping[str, Any], entity_id: int | None = None, *, reason: str | None = None
    ) -> Change:
        """Sign (``entity_id`` None) or correct a contract; see the module docstring.

        The key populations are taken anew when the resident or the sign date is new or
        changed, the fees when the packages are; otherwise the stored ones are kept."""
        raw = dict(raw)
        stored = self.values(entity_id) if entity_id is not None else None
        merged = (
            self.form.merged(stored, raw) if stored is not None else self.form.with_defaults(raw)
        )
        values = self.form.process(merged).values
        rid, signed = values.get("resident_id"), values.get("sign_date")
        if (
            rid is not None
            and signed is not None
            and (stored is None or (stored["resident_id"], stored["sign_date"]) != (rid, signed))
        ):
            try:
                raw["key_populations"] = key_populations_of(
                    self.store, self.forms, self.services, int(rid), signed
                )
            except ValidationFailed:
                pass  # no such resident: _check_resident says so at the field
        chosen = values.get("package_ids")
        if chosen and (stored is None or sorted(stored["package_ids"] or []) != sorted(chosen)):
            rows = [self.packages.get(int(p)) for p in chosen if str(p).isdigit()]
            fees = package_fees(r for r in rows if r is not None)
            raw.update({f"fee_{payer}": fees[payer] for payer in PAYERS})
        return super().save(raw, entity_id, reason=reason)

    def terminate(
        self, contract_id: int, day: dt.date | str, reason_code: str, note: str = ""
    ) -> Change:
        """End a contract early (解约) on ``day`` for a reason of the form's list."""
        current = self.values(contract_id)
        if current["termination_date"] is not None:
            raise ValidationFailed(
                {"termination_date": f"该签约已于 {current['termination_date'].isoformat()} 解约"}
            )
        if reason_code in (None, ""):
            raise ValidationFailed({"termination_reason": "请填写解约原因"})
        label = self.form.field("termination_reason").choice_labels.get(reason_code, reason_code)
        return self.save(
            {"termination_date": day, "termination_reason": reason_code, "termination_note": note},
            contract_id,
            reason=f"解约：{label}",
        )

    def renewal_draft(self, contract_id: int, today: dt.date) -> dict[str, Any]:
        """The values a renewal of ``contract_id`` starts with: same resident, team,
        doctor and (still offered) packages, the next one-year term from the day after
        the old end (or from ``today`` when renewed late). Raises ValidationFailed when
        the contract cannot be renewed (terminated, or renewed already)."""
        old = self.values(contract_id)
        problem = self._renewal_problem(self.store.conn, contract_id, None)
        if problem:
            raise ValidationFailed({"renews_id": problem})
        start = max(old["end_date"] + dt.timedelta(days=1), today)
        offered = {str(r["id"]) for r in self.packages.rows("active = 1")}
        keep = (
            "resident_id",
            "sign_mode",
            "representative_name",
            "representative_relation",
            "representative_phone",
            "team_id",
            "doctor_id",
        )
        return {
            **{k: old[k] for k in keep},
            "package_ids": [p for p in old["package_ids"] or [] if p in offered],
            "renews_id": contract_id,
            "sign_date": today,
            "start_date": start,
            "end_date": one_year_end(start),
        }

    def renew(
        self, contract_id: int, today: dt.date, changes: Mapping[str, Any] | None = None
    ) -> Change:
        """Sign the renewal of ``contract_id`` (its draft with ``changes``)."""
        return self.save({**self.renewal_draft(contract_id, today), **(changes or {})})

    # ---- checks (inside the write transaction) --------------------------------------
    def _check_resident(
        self, v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        row = conn.execute(
            "SELECT name, status, status_date, deleted, birth_date, archive_date FROM residents "
            "WHERE id = ?",
            (v["resident_id"],),
        ).fetchone()
        if row is None or row[3]:
            return {"resident_id": f"居民档案 {v['resident_id']} 不存在或已删除"}
        closed = _date(row[2])
        if row[1] != "在档" and closed is not None and closed <= v["sign_date"]:
            return {"sign_date": f"{row[0]}的档案已于 {closed.isoformat()} {row[1]}，此后不能签约"}
        start = v["start_date"]
        for day, what in ((_date(row[4]), "出生日期"), (_date(row[5]), "建档日期")):
            if day is not None and start < day:
                return {
                    "start_date": f"服务开始日期 {start.isoformat()} 早于{row[0]}的{what}"
                    f" {day.isoformat()}：签约不能在出生或建档之前开始"
                }
        return {}

    def _check_term(
        self, v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        problem = term_error(v["start_date"], v["end_date"])
        return {"end_date": problem} if problem else {}

    def _check_team(
        self, v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        team = conn.execute(
            "SELECT name FROM e_team WHERE id = ? AND deleted = 0", (v["team_id"],)
        ).fetchone()
        if team is None:
            return {"team_id": "所选团队不存在或已删除"}
        doctor = conn.execute(
            "SELECT name, team_id, role FROM e_team_member WHERE id = ? AND deleted = 0",
            (v["doctor_id"],),
        ).fetchone()
        if doctor is None:
            return {"doctor_id": "所选签约医生不存在或已删除"}
        if str(doctor[1]) != str(v["team_id"]):
            return {"doctor_id": f"{doctor[0]}不是“{team[0]}”的成员"}
        if doctor[2] not in DOCTOR_ROLES:
            return {
                "doctor_id": f"{doctor[0]}不是医生，签约医生应为医生、乡村医生或上级医院专科医生"
            }
        return {}

    def _check_packages(
        self, v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        checked = self._packages_to_check(v, cid, conn)
        for pid in v["package_ids"]:
            row = conn.execute(
                "SELECT name, active, target FROM e_service_package WHERE id = ? AND deleted = 0",
                (pid,),
            ).fetchone()
            if row is None:
                return {"package_ids": f"服务包 {pid} 不存在或已删除"}
            if cid is None and not row[1]:
                return {"package_ids": f"服务包“{row[0]}”已停用，不能新签"}
            if pid in checked:
                problem = target_problem(
                    row[0],
                    row[2],
                    self.target_rules,
                    _ids(v.get("key_populations")),
                    self.packages.form.field("target").choice_labels,
                    self.form.field("key_populations").choice_labels,
                )
                if problem:
                    return {"package_ids": problem}
        return {}

    @staticmethod
    def _packages_to_check(
        v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> set[str]:
        """The packages whose 服务对象 a save checks: all of a new contract's, or of one
        whose resident or sign date changed (its key populations were taken anew); else
        only those added (a correction of an older contract is not refused for a package
        it always had)."""
        chosen = {str(p) for p in v["package_ids"]}
        if cid is None:
            return chosen
        row = conn.execute(
            "SELECT resident_id, sign_date, package_ids FROM e_contract WHERE id = ?", (cid,)
        ).fetchone()
        if row is None or (row[0], row[1]) != (v["resident_id"], v["sign_date"].isoformat()):
            return chosen
        return chosen - set(_ids(row[2]))

    def _renewal_problem(
        self, conn: sqlite3.Connection, old_id: int, cid: int | None
    ) -> str | None:
        row = conn.execute(
            "SELECT termination_date FROM e_contract WHERE id = ? AND deleted = 0", (old_id,)
        ).fetchone()
        if row is None:
            return f"原签约 {old_id} 不存在或已删除"
        if row[0]:
            return f"原签约已于 {row[0]} 解约，已解约的签约不能续约，请重新签约"
        other = conn.execute(
            "SELECT id FROM e_contract WHERE renews_id = ? AND deleted = 0 AND id IS NOT ?",
            (old_id, cid),
        ).fetchone()
        if other is not None:
            return f"原签约已续约（签约编号 {other[0]}），不能再次续约"
        return None

    def _check_renewal(
        self, v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        old_id = v.get("renews_id")
        if old_id is None:
            return {}
        problem = self._renewal_problem(conn, int(old_id), cid)
        if problem:
            return {"renews_id": problem}
        resident, start = conn.execute(
            "SELECT resident_id, start_date FROM e_contract WHERE id = ?", (old_id,)
        ).fetchone()
        if resident != v["resident_id"]:
            return {"renews_id": "续约应为同一居民"}
        if v["start_date"] <= dt.date.fromisoformat(start):
            return {"start_date": "续约的服务开始日期应晚于原签约的开始日期"}
        return {}

    def _check_overlap(
        self, v: Mapping[str, Any], cid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        mine = set(v["package_ids"])
        first, last = v["start_date"], last_day(v["end_date"], v.get("termination_date"))
        for oid, packages, start, end, ended in conn.execute(
            "SELECT id, package_ids, start_date, end_date, termination_date FROM e_contract "
            "WHERE resident_id = ? AND deleted = 0 AND id IS NOT ? ORDER BY start_date",
            (v["resident_id"], cid),
        ):
            shared = mine & set(_ids(packages))
            o_start, o_last = (
                dt.date.fromisoformat(start),
                last_day(dt.date.fromisoformat(end), _date(ended)),
            )
            if shared and overlaps(first, last, o_start, o_last):
                names = "、".join(self._package_name(conn, p) for p in sorted(shared))
                return {
                    "start_date": f"与签约 {oid}（{o_start.isoformat()} 至 "
                    f"{o_last.isoformat()}，{names}）的服务期重叠：同一居民"
                    "同一服务包不能重复签约"
                }
        return {}

    @staticmethod
    def _package_name(conn: sqlite3.Connection, pid: str) -> str:
        row = conn.execute("SELECT name FROM e_service_package WHERE id = ?", (pid,)).fetchone()
        return str(row[0]) if row else pid


def package_targets(forms: FormRegistry) -> dict[str, frozenset[str]]:
    """服务对象 code → the key populations it admits, from ``forms/service_package.toml``
    (``[target_populations]``); a bad table is a StoreError naming the file."""
    package, contract = forms["service_package"], forms["contract"]
    try:
        return target_rules(
            package.settings.get("target_populations", {}),
            package.field("target").choice_labels,
            contract.field("key_populations").choice_labels,
        )
    except ValueError as exc:
        raise StoreError(f"表单文件 service_package.toml：{exc}") from None


def contract_repo(store: Store, forms: FormRegistry, services: ServiceRepo) -> ContractRepo:
    """The contract repository of an open database (a cheap object: make one per use)."""
    if "contract" not in forms:
        raise StoreError("缺少表单 contract.toml")
    return ContractRepo(store, forms, services)


def add_example_packages(store: Store, forms: FormRegistry) -> list[int]:
    """Add the example packages of ``forms/service_package.toml`` (``[[examples]]``)
    that the station does not have yet (by name); the ids added, in file order."""
    repo = EntityRepo(store, forms["service_package"])
    have = {r["name"] for r in repo.rows()}
    added = []
    for example in forms["service_package"].settings.get("examples", []):
        if example["name"] not in have:
            added.append(repo.save(dict(example), reason="载入示例服务包").record_id)
    return added


def contracts_using(store: Store, form_id: str, entity_id: int) -> int:
    """How many contracts (not deleted) name a team, team member or package: such a
    record is made inactive rather than deleted, so old contracts keep showing it."""
    column = {"team": "team_id", "team_member": "doctor_id"}.get(form_id)
    if column is not None:
        return int(
            store.conn.execute(
                f"SELECT count(*) FROM e_contract WHERE deleted = 0 AND {column} = ?",
                (str(entity_id),),
            ).fetchone()[0]
        )
    if form_id == "service_package":
        return sum(
            1
            for (ids,) in store.conn.execute("SELECT package_ids FROM e_contract WHERE deleted = 0")
            if str(entity_id) in _ids(ids)
        )
    return 0
