"""Service records (公卫服务记录): any form of the packages, for a resident or the station.

A record is a header row in ``service_records`` (who, which form, service date, episode,
rule outcomes, audit stamps) plus its form's own fields in ``f_<form id>``. Saving
checks the form, the resident (exists, archive open, form applies on that date), the
episode (a pregnancy or TB case must be open), runs the clinical rules of the form
and writes header, detail and audit entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.context import resident_context
from ..core.forms import FormDef, FormRegistry, RuleOutcome
from ..core.programmes import EPISODES, REGISTERS
from . import audit, form_rows, locking, vaccines
from .db import Store, StoreError
from .organisation import get_setting
from .residents import Change, ValidationFailed

DEFAULT_LATE_DAYS = 7


class NeedsConfirmation(StoreError):
    """Saving would make a likely duplicate; call again with ``confirm=True``."""


@dataclass(frozen=True)
class SaveResult:
    change: Change
    outcomes: list[RuleOutcome] = field(default_factory=list)
    recheck_date: dt.date | None = None
    late_entry: bool = False


@dataclass(frozen=True)
class FormChoice:
    """A service form as the picker lists it: offered, or not and why (Chinese)."""

    form: FormDef
    reason: str | None = None  # None when the form is offered

    @property
    def offered(self) -> bool:
        return self.reason is None


def refusal_reason(form: FormDef, ctx: Mapping[str, Any], forms: FormRegistry) -> str:
    """Why ``form`` does not apply to the resident ``ctx`` describes, from the form
    definitions: the register or episode it needs opened first ("先做高血压登记"), one
    already open, else the form's own ``applies_message`` from 适用于 on."""
    needed = form.requires
    if needed in REGISTERS and not ctx.get(f"has_{needed}"):
        opener = forms.register_forms().get(needed)
        if opener is not None:
            return f"先做{opener.label}"
    if needed in EPISODES and not ctx.get(f"open_{needed}"):
        opener = forms.episode_openers().get(needed)
        if opener is not None:
            return f"先做{opener.label}"
    if form.register and ctx.get(f"has_{form.register}"):
        return f"已登记{REGISTERS[form.register]}"
    if form.opens_episode and form.episode and ctx.get(f"open_{form.episode}"):
        return f"已有未结案的{EPISODES[form.episode]}"
    message = form.applies_message or ""
    if "适用于" in message:
        return message[message.index("适用于") :]
    return message or "不适用于该居民"


class ServiceRepo:
    def __init__(self, store: Store, forms: FormRegistry) -> None:
        self.store = store
        self.forms = forms

    # ---- context -------------------------------------------------------------------
    def _resident(self, resident_id: int) -> dict[str, Any]:
        rows = self.store.query(
            "SELECT id, name, sex, birth_date, birth_discharged_date, status, status_date, "
            "deleted FROM residents WHERE id = ?",
            (resident_id,),
        )
        if not rows or rows[0]["deleted"]:
            raise ValidationFailed({"resident": f"居民档案 {resident_id} 不存在，不能记录服务"})
        return rows[0]

    def open_register(
        self, resident_id: int, register: str, on: dt.date | None = None
    ) -> int | None:
        """The record id of the resident's open register entry (htn / dm / smi)."""
        form = self.forms.register_forms().get(register)
        if form is None:
            return None
        on_text = (on or dt.date.max).isoformat()
        row = self.store.conn.execute(
            f"SELECT h.id FROM service_records h JOIN {form.table} d ON d.record_id = h.id "
            "WHERE h.resident_id = ? AND h.form_id = ? AND h.deleted = 0 "
            "AND h.service_date <= ? AND (d.closed_date IS NULL OR d.closed_date > ?) "
            "ORDER BY h.service_date DESC LIMIT 1",
            (resident_id, form.id, on_text, on_text),
        ).fetchone()
        return int(row[0]) if row else None

    def open_episode(self, resident_id: int, episode: str) -> int | None:
        """The opening record id of the resident's open pregnancy or TB case."""
        opener = self.forms.episode_openers().get(episode)
        if opener is None:
            return None
        row = self.store.conn.execute(
            "SELECT h.id FROM service_records h WHERE h.resident_id = ? AND h.form_id = ? "
            "AND h.deleted = 0 AND NOT EXISTS (SELECT 1 FROM service_records c "
            " WHERE c.episode_id = h.id AND c.closes_episode = 1 AND c.deleted = 0) "
            "ORDER BY h.service_date DESC, h.id DESC LIMIT 1",
            (resident_id, opener.id),
        ).fetchone()
        return int(row[0]) if row else None

    def _episode_facts(self, episode_id: int, episode: str) -> dict[str, Any]:
        facts: dict[str, Any] = {}
        if episode == "pregnancy":
            facts["lmp"] = self._field_of(episode_id, "prenatal_first", "lmp_date")
            facts["pregnancy_registered"] = self._service_date(episode_id)
            row = self.store.conn.execute(
                "SELECT id FROM service_records WHERE episode_id = ? AND form_id = 'delivery' "
                "AND deleted = 0 ORDER BY service_date DESC LIMIT 1",
                (episode_id,),
            ).fetchone()
            if row and "delivery" in self.forms:
                facts["delivery_date"] = self._field_of(row[0], "delivery", "delivered_date")
                facts["discharge_date"] = self._field_of(row[0], "delivery", "discharged_date")
        elif episode == "tb":
            facts["notification_date"] = self._field_of(episode_id, "tb_notify", "notified_date")
        return facts

    def _service_date(self, record_id: int) -> dt.date | None:
        row = self.store.conn.execute(
            "SELECT service_date FROM service_records WHERE id = ?", (record_id,)
        ).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    def _field_of(self, record_id: int, form_id: str, field_id: str) -> Any:
        if form_id not in self.forms:
            return None
        form = self.forms[form_id]
        row = self.store.conn.execute(
            f"SELECT {field_id} FROM {form.table} WHERE record_id = ?", (record_id,)
        ).fetchone()
        return form.field(field_id).field_type.from_sql(row[0]) if row else None

    def context(
        self,
        resident_id: int,
        on: dt.date | None,
        form: FormDef | None = None,
        exclude_record: int | None = None,
    ) -> dict[str, Any]:
        """What the form's expressions know about the resident on the service date."""
        r = self._resident(resident_id)
        birth = dt.date.fromisoformat(r["birth_date"]) if r["birth_date"] else None
        ctx = resident_context(birth, r["sex"], on)
        if r["birth_discharged_date"]:  # a child's 出生后出院日期 (a pregnancy's: below)
            ctx["discharge_date"] = dt.date.fromisoformat(r["birth_discharged_date"])
        for register in REGISTERS:
            ctx[f"has_{register}"] = self.open_register(resident_id, register, on) is not None
        for episode in self.forms.episode_openers():
            episode_id = self.open_episode(resident_id, episode)
            ctx[f"open_{episode}"] = episode_id is not None
            if episode_id is not None:
                ctx.update(self._episode_facts(episode_id, episode))
        if form is not None and on is not None:
            prev = self._previous(resident_id, form, on, exclude_record)
            if prev is not None:
                ctx["prev_date"] = dt.date.fromisoformat(prev["service_date"])
                ctx["prev_controlled"] = prev.get("controlled")
        return ctx

    def _previous(
        self, resident_id: int, form: FormDef, on: dt.date, exclude_record: int | None
    ) -> dict[str, Any] | None:
        has_controlled = "controlled" in form.by_id
        cols = "h.service_date" + (", d.controlled" if has_controlled else "")
        row = self.store.conn.execute(
            f"SELECT {cols} FROM service_records h JOIN {form.table} d ON d.record_id = h.id "
            "WHERE h.resident_id = ? AND h.form_id = ? AND h.deleted = 0 AND h.service_date < ? "
            "AND h.id != ? ORDER BY h.service_date DESC, h.id DESC LIMIT 1",
            (resident_id, form.id, on.isoformat(), exclude_record or -1),
        ).fetchone()
        if row is None:
            return None
        out: dict[str, Any] = {"service_date": row[0]}
        if has_controlled:
            out["controlled"] = None if row[1] is None else bool(row[1])
        return out

    def form_choices(self, resident_id: int, on: dt.date | None = None) -> list[FormChoice]:
        """Every service form for one resident, for the picker: those that apply on
        ``on`` (today) first, then those that do not, each with why — in package order."""
        ctx = self.context(resident_id, on or dt.date.today())
        forms = sorted(
            (f for f in self.forms if f.per_resident and f.kind == "service" and not f.retired),
            key=lambda f: (f.order, f.id),
        )
        offered = [FormChoice(f) for f in forms if f.applies_to(ctx)]
        refused = [
            FormChoice(f, refusal_reason(f, ctx, self.forms))
            for f in forms
            if not f.applies_to(ctx)
        ]
        return offered + refused

    def applicable_forms(self, resident_id: int, on: dt.date | None = None) -> list[FormDef]:
        """The service forms that apply to the resident today, in package order."""
        return [c.form for c in self.form_choices(resident_id, on) if c.offered]

    def station_forms(self) -> list[FormDef]:
        return sorted(
            (f for f in self.forms if f.kind == "station_log"), key=lambda f: (f.order, f.id)
        )

    # ---- reads -------------------------------------------------------------------
    def get(self, record_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """(header row, form values) of a record."""
        rows = self.store.query("SELECT * FROM service_records WHERE id = ?", (record_id,))
        if not rows:
            raise StoreError(f"服务记录 {record_id} 不存在")
        header = rows[0]
        form = self.forms[header["form_id"]]
        detail = self.store.query(f"SELECT * FROM {form.table} WHERE record_id = ?", (record_id,))
        values = form.from_sql(detail[0] if detail else {})
        if form.row_fields:
            values.update(form_rows.of_record(self.store.conn, form, record_id))
        return header, values

    def carried(self, form_id: str, resident_id: int) -> dict[str, list[dict[str, Any]]]:
        """The lines a new record of ``form_id`` starts with: its ``carry`` groups as the
        resident's latest record of the form has them (empty when there is none)."""
        form = self.forms[form_id]
        lines = form_rows.carried(self.store.conn, form, resident_id)
        return {k: v for k, v in lines.items() if v}

    def station_records(self, form_id: str, year: int | None = None) -> list[dict[str, Any]]:
        """A station log's records (newest first) with their field values, typed."""
        form = self.forms[form_id]
        where, params = "h.form_id = ? AND h.deleted = 0", [form_id]
        if year is not None:
            where += " AND h.service_date BETWEEN ? AND ?"
            params += [f"{year}-01-01", f"{year}-12-31"]
        rows = self.store.query(
            f"SELECT h.id AS record_id_, h.service_date AS service_date_, d.* "
            f"FROM service_records h JOIN {form.table} d ON d.record_id = h.id "
            f"WHERE {where} ORDER BY h.service_date DESC, h.id DESC",
            params,
        )
        return [
            {"id": r["record_id_"], "service_date": r["service_date_"], "values": form.from_sql(r)}
            for r in rows
        ]

    def timeline(self, resident_id: int) -> list[dict[str, Any]]:
        """Every record of a resident, newest first, with its form's title and package."""
        rows = self.store.query(
            "SELECT id, form_id, service_date, entered_at, entered_by, late_entry, "
            "recheck_date, referral, alerts FROM service_records "
            "WHERE resident_id = ? AND deleted = 0 ORDER BY service_date DESC, id DESC",
            (resident_id,),
        )
        for r in rows:
            form = self.forms[r["form_id"]] if r["form_id"] in self.forms else None
            r["title"] = form.label if form else r["form_id"]
            r["package"] = form.package if form else ""
            r["alerts"] = json.loads(r["alerts"]) if r["alerts"] else []
        return rows

    # ---- writes ------------------------------------------------------------------
    def save(
        self,
        form_id: str,
        raw: Mapping[str, Any],
        resident_id: int | None = None,
        record_id: int | None = None,
        confirm: bool = False,
        today: dt.date | None = None,
    ) -> SaveResult:
        """Check and store one record; raises ValidationFailed (nothing written) or
        NeedsConfirmation for a likely duplicate (same resident, form and date)."""
        form = self.forms[form_id]
        today = today or dt.date.today()
        old_header = None
        if record_id is not None:
            old_header, old_values = self.get(record_id)
            if old_header["deleted"]:
                raise StoreError("该服务记录已删除，不能修改")
            resident_id = old_header["resident_id"]
            raw = form.merged(old_values, raw)
        else:
            raw = form.with_defaults(raw)
        if form.per_resident and resident_id is None:
            raise ValidationFailed({"resident": "请先选择居民"})
        date_probe = form.process(raw).values.get(form.date_field) if form.date_field else today
        ctx: dict[str, Any] = {}
        if form.per_resident:
            assert resident_id is not None
            resident = self._resident(resident_id)
            ctx = self.context(resident_id, date_probe, form, record_id)
        result = form.process(raw, ctx)
        errors = dict(result.errors)
        values = result.values
        service_date = values.get(form.date_field) if form.date_field else today
        if form.per_resident and service_date is not None and not errors:
            self._check_resident_on(form, resident, service_date, ctx, record_id, errors)
        notices = []
        if form.id == vaccines.FORM_ID and resident_id is not None and not errors:
            birth = ctx.get("birth_date")
            notices = vaccines.check_dose(
                self.store, resident_id, birth, values, record_id, errors, self.forms
            )
        if errors:
            raise ValidationFailed(errors)
        assert service_date is not None
        episode_id = None
        if form.episode:
            episode_id = (
                old_header["episode_id"]
                if old_header
                else None
                if form.opens_episode
                else self.open_episode(resident_id, form.episode)  # type: ignore[arg-type]
            )
        if not confirm and record_id is None and resident_id is not None:
            dup = self.store.conn.execute(
                "SELECT 1 FROM service_records WHERE resident_id = ? AND form_id = ? "
                "AND service_date = ? AND deleted = 0",
                (resident_id, form_id, service_date.isoformat()),
            ).fetchone()
            if dup:
                raise NeedsConfirmation(
                    f"该居民 {service_date.isoformat()} 已有一条“{form.label}”记录，"
                    "确定再保存一条吗？"
                )
        outcomes = form.evaluate_rules(values, ctx) + notices
        recheck_days = [o.recheck_days for o in outcomes if o.recheck_days]
        recheck = service_date + dt.timedelta(days=min(recheck_days)) if recheck_days else None
        referral = (
            "urgent"
            if any(o.referral == "urgent" for o in outcomes)
            else "suggested"
            if any(o.referral == "suggested" for o in outcomes)
            else None
        )
        late_days = int(get_setting(self.store, "late_entry_days") or DEFAULT_LATE_DAYS)
        late = (today - service_date).days > late_days
        closes = bool(form.closes_episode and form.closes_episode.evaluate({**ctx, **values}))
        header = {
            "form_id": form_id,
            "resident_id": resident_id,
            "episode_id": episode_id,
            "service_date": service_date.isoformat(),
            "closes_episode": int(closes),
            "recheck_date": recheck.isoformat() if recheck else None,
            "referral": referral,
            "alerts": json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False)
            if outcomes
            else None,
        }
        detail = form.to_sql(values)
        now = audit.now_iso()
        old_date = dt.date.fromisoformat(old_header["service_date"]) if old_header else None
        locked = locking.check_change(self.store, old_date, service_date)
        reason = f"更正已上报的{'、'.join(p.label for p in locked)}" if locked else None
        with self.store.write(f"form:{form.id}") as conn:
            if old_header is None:
                header.update(
                    entered_at=now, entered_by=self.store.user, updated_at=now, late_entry=int(late)
                )
                cur = conn.execute(
                    f"INSERT INTO service_records ({', '.join(header)}) "
                    f"VALUES ({', '.join('?' * len(header))})",
                    list(header.values()),
                )
                rid = int(cur.lastrowid or 0)
                if form.opens_episode:
                    conn.execute(
                        "UPDATE service_records SET episode_id = ? WHERE id = ?", (rid, rid)
                    )
                conn.execute(
                    f"INSERT INTO {form.table} (record_id, {', '.join(detail)}) "
                    f"VALUES (?, {', '.join('?' * len(detail))})",
                    [rid, *detail.values()],
                )
                form_rows.write(conn, form, rid, values)
                action = "insert"
                audit.record(
                    conn,
                    user=self.store.user,
                    table=form.table,
                    record_id=rid,
                    action=locking.CORRECTION if locked else action,
                    new={**header, **detail, **form_rows.as_sql(form, values)},
                    reason=reason,
                )
            else:
                rid = int(old_header["id"])
                header["updated_at"] = now
                conn.execute(
                    f"UPDATE service_records SET {', '.join(f'{k} = ?' for k in header)} "
                    "WHERE id = ?",
                    [*header.values(), rid],
                )
                old_detail = self.store.query(
                    f"SELECT * FROM {form.table} WHERE record_id = ?", (rid,)
                )[0]
                conn.execute(
                    f"UPDATE {form.table} SET {', '.join(f'{k} = ?' for k in detail)} "
                    "WHERE record_id = ?",
                    [*detail.values(), rid],
                )
                form_rows.write(conn, form, rid, values)
                action = "update"
                audit.record(
                    conn,
                    user=self.store.user,
                    table=form.table,
                    record_id=rid,
                    action=locking.CORRECTION if locked else action,
                    old={
                        **{k: old_detail.get(k) for k in detail},
                        **form_rows.as_sql(form, old_values),
                    },
                    new={**detail, **form_rows.as_sql(form, values)},
                    reason=reason,
                )
            locking.note_corrections(conn, locked, form.table, rid)
        return SaveResult(Change(form.table, rid, action), outcomes, recheck, late)

    def _check_resident_on(
        self,
        form: FormDef,
        resident: dict[str, Any],
        day: dt.date,
        ctx: dict[str, Any],
        record_id: int | None,
        errors: dict[str, str],
    ) -> None:
        label = form.by_id[form.date_field].label if form.date_field else "服务日期"
        key = form.date_field or "resident"
        birth = resident["birth_date"]
        if birth and day < dt.date.fromisoformat(birth):
            errors[key] = f"{label}不能早于出生日期（{birth}）"
            return
        if (
            resident["status"] != "在档"
            and resident["status_date"]
            and day > dt.date.fromisoformat(resident["status_date"])
        ):
            errors[key] = (
                f"该居民已于 {resident['status_date']} {resident['status']}，{label}不能晚于该日期"
            )
            return
        if record_id is None and form.retired:
            errors[key] = form.retired_message or f"“{form.label}”已停用，不能新增记录"
        elif record_id is None and not form.applies_to(ctx):
            errors[key] = form.applies_message or f"“{form.label}”不适用于该居民"

    def delete(self, record_id: int, reason: str) -> Change:
        """Soft delete with a reason; the record is kept and marked."""
        if not reason.strip():
            raise ValidationFailed({"reason": "请填写删除原因"})
        header, _ = self.get(record_id)
        form = self.forms[header["form_id"]]
        locked = locking.check_change(self.store, dt.date.fromisoformat(header["service_date"]))
        with self.store.write(f"form:{form.id}") as conn:
            locking.note_corrections(conn, locked, form.table, record_id)
            note = f"（更正已上报的{'、'.join(p.label for p in locked)}）" if locked else ""
            audit.soft_delete(
                conn,
                user=self.store.user,
                table="service_records",
                record_id=record_id,
                reason=reason.strip(),
                audited_as=form.table,
                note=note,
            )
        return Change(form.table, record_id, "delete")
