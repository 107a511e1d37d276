"""双向转诊: up and down referrals, the clinical rules' suggestions they are made from,
suggestions the doctor decided not to refer, and the quarterly report's figures.

A referral is an ``entity`` record (``forms/referral.toml``) kept by
:class:`~ygt_desktop.storage.entities.EntityRepo`; the rules a form file cannot say run
inside its write transaction: the resident must be in the register (and on file on the
referral date), and a referral made from a suggestion must be for that record's
resident, one referral per record. A service record whose rules asked for a referral
(``service_records.referral`` = urgent / suggested) is an open *suggestion* until a
referral names it (``source_record_id``) or a dismissal (``forms/referral_dismissal.toml``)
says why not.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..core import schedules as sch
from ..core.forms import FormDef, FormRegistry
from .db import Store, StoreError
from .entities import EntityRepo
from .residents import Change

REFERRAL, DISMISSAL = "referral", "referral_dismissal"
UP, DOWN = "1", "2"
EMERGENCY, ORDINARY = "1", "2"
DIRECTIONS = {UP: "上转", DOWN: "下转"}
URGENCIES = {EMERGENCY: "急诊", ORDINARY: "普通"}
FOLLOWUP_DAYS = 14  # 上转后2周内主动随访
FOLLOWUP_LABEL = "转诊后2周内随访"
LEVELS = {"urgent": "紧急转诊", "suggested": "建议转诊"}


@dataclass(frozen=True)
class Suggestion:
    """A service record whose clinical rules asked for a referral, not yet handled."""

    record_id: int
    resident_id: int
    name: str
    archive_no: str
    form_id: str
    form_label: str
    service_date: dt.date
    level: str  # "urgent" / "suggested"
    messages: tuple[str, ...]  # what the referral rules said

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)


@dataclass(frozen=True)
class ReferralFigures:
    """Counts for a date range: up and down referrals, and of the up-referrals how many
    were followed up within 2 weeks (follow-up date 0–14 days after the referral)."""

    up: int
    down: int
    followed_within: int

    @property
    def followup_denominator(self) -> int:
        return self.up

    @property
    def followup_share(self) -> float | None:
        return self.followed_within / self.up if self.up else None


def followup_due(referral_date: dt.date, followup_date: dt.date | None) -> sch.Due:
    """The 2-week follow-up of an up-referral: window = referral date + 1 … + 14 days;
    done on the follow-up date once one is recorded (a late one too: there is nothing
    left to do then — the report tells late from timely)."""
    return sch.Due(
        REFERRAL,
        REFERRAL,
        FOLLOWUP_LABEL,
        referral_date + dt.timedelta(days=1),
        referral_date + dt.timedelta(days=FOLLOWUP_DAYS),
        followup_date,
    )


class Referrals:
    """Referrals, suggestions and dismissals of one store. ``forms`` must hold the
    ``referral`` and ``referral_dismissal`` form files."""

    def __init__(self, store: Store, forms: FormRegistry) -> None:
        self.store = store
        self.forms = forms
        self.form: FormDef = forms[REFERRAL]
        dismissal_form = forms[DISMISSAL]
        self.repo = EntityRepo(
            store, self.form, checks=[_resident_check, partial(_source_check, self.form.table)]
        )
        self.dismissals = EntityRepo(
            store,
            dismissal_form,
            checks=[partial(_dismissal_check, self.form.table, dismissal_form.table)],
        )

    # ---- referrals ---------------------------------------------------------------
    def save(self, raw: Mapping[str, Any], referral_id: int | None = None) -> Change:
        """Add or update a referral; raises ValidationFailed (Chinese, by field)."""
        return self.repo.save(raw, referral_id)

    def values(self, referral_id: int) -> dict[str, Any]:
        return self.repo.values(referral_id)

    def delete(self, referral_id: int, reason: str) -> Change:
        return self.repo.delete(referral_id, reason)

    def for_record(self, record_id: int) -> int | None:
        """The referral made from a service record's suggestion, if any."""
        row = self.store.conn.execute(
            f"SELECT id FROM {self.form.table} WHERE deleted = 0 AND source_record_id = ?",
            (record_id,),
        ).fetchone()
        return int(row[0]) if row else None

    def listing(
        self, start: dt.date, end: dt.date, direction: str | None = None, on: dt.date | None = None
    ) -> list[dict[str, Any]]:
        """Referrals dated in [start, end], newest first: the stored row plus the
        resident's ``name`` and ``archive_no`` and, for up-referrals, ``followup`` (the
        2-week follow-up's status on ``on``, default today) and ``followup_by``."""
        on = on or dt.date.today()
        where = "f.deleted = 0 AND f.referral_date BETWEEN ? AND ?"
        params: list[Any] = [start.isoformat(), end.isoformat()]
        if direction:
            where += " AND f.direction = ?"
            params.append(direction)
        rows = self.store.query(
            f"SELECT f.*, r.name, r.archive_no FROM {self.form.table} f "
            f"LEFT JOIN residents r ON r.id = f.resident_id WHERE {where} "
            "ORDER BY f.referral_date DESC, f.id DESC",
            params,
        )
        for row in rows:
            row["followup"] = row["followup_by"] = None
            if row["direction"] == UP:
                due = followup_due(
                    dt.date.fromisoformat(row["referral_date"]), _date(row["followup_date"])
                )
                row["followup"] = due.status(on)
                row["followup_by"] = due.end
        return rows

    def figures(self, start: dt.date, end: dt.date) -> ReferralFigures:
        """The report's figures for referrals dated in [start, end]."""
        up, down, within = self.store.conn.execute(
            f"SELECT coalesce(sum(direction = '1'), 0), coalesce(sum(direction = '2'), 0), "
            "coalesce(sum(direction = '1' AND followup_date IS NOT NULL "
            " AND julianday(followup_date) - julianday(referral_date) BETWEEN 0 AND ?), 0) "
            f"FROM {self.form.table} WHERE deleted = 0 AND referral_date BETWEEN ? AND ?",
            (FOLLOWUP_DAYS, start.isoformat(), end.isoformat()),
        ).fetchone()
        return ReferralFigures(int(up), int(down), int(within))

    # ---- suggestions -------------------------------------------------------------
    def suggestions(self, since: dt.date | None = None) -> list[Suggestion]:
        """Open suggestions (service date on or after ``since``), newest first."""
        rows = self.store.conn.execute(
            "SELECT h.id, h.resident_id, r.name, r.archive_no, h.form_id, h.service_date, "
            "h.referral, h.alerts FROM service_records h "
            "JOIN residents r ON r.id = h.resident_id "
            "WHERE h.referral IS NOT NULL AND h.deleted = 0 AND r.deleted = 0 "
            "AND h.service_date >= ? "
            f"AND NOT EXISTS (SELECT 1 FROM {self.form.table} f "
            " WHERE f.source_record_id = h.id AND f.deleted = 0) "
            f"AND NOT EXISTS (SELECT 1 FROM {self.dismissals.form.table} d "
            " WHERE d.source_record_id = h.id AND d.deleted = 0) "
            "ORDER BY h.service_date DESC, h.id DESC",
            ((since or dt.date.min).isoformat(),),
        ).fetchall()
        out = []
        for rid, resident, name, archive, form_id, day, level, alerts in rows:
            form = self.forms[form_id] if form_id in self.forms else None
            out.append(
                Suggestion(
                    int(rid),
                    int(resident),
                    name,
                    archive,
                    form_id,
                    form.label if form else form_id,
                    dt.date.fromisoformat(day),
                    level,
                    tuple(a["message"] for a in json.loads(alerts or "[]") if a.get("referral")),
                )
            )
        return out

    def draft(self, record_id: int, station: str) -> dict[str, Any]:
        """A new up-referral's values made from a service record's suggestion: its
        resident and date, the rules' reasons (with the readings they looked at), the
        diagnosis and department the referral form file gives for the record's form,
        urgency 急诊 for an urgent rule, from ``station``; to the institution the record
        names or the one last referred to for that department."""
        header, values = self._record(record_id)
        form = self.forms[header["form_id"]]
        hints: Mapping[str, Any] = self.form.settings.get("suggestions", {}).get(form.id, {})
        department = str(values.get("referral_department") or hints.get("department") or "")
        reasons = []
        if values.get("referral_reason"):
            reasons.append(str(values["referral_reason"]))
        for outcome in json.loads(header["alerts"] or "[]"):
            if outcome.get("referral"):
                reasons.append(_reason(form, outcome["id"], outcome["message"], values))
        return {
            "direction": UP,
            "referral_date": dt.date.fromisoformat(header["service_date"]),
            "resident_id": header["resident_id"],
            "urgency": EMERGENCY if header["referral"] == "urgent" else ORDINARY,
            "from_institution": station,
            "to_institution": (
                values.get("referral_institution") or self._last_institution(department) or None
            ),
            "to_department": department or None,
            "diagnosis": hints.get("diagnosis"),
            "reason": "；".join(dict.fromkeys(reasons)) or None,
            "doctor": values.get("doctor"),
            "source_record_id": record_id,
        }

    def dismiss(self, record_id: int, raw: Mapping[str, Any]) -> Change:
        """Record that a suggestion is not referred (``raw``: date, reason, note)."""
        return self.dismissals.save({**raw, "source_record_id": record_id})

    def _record(self, record_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        rows = self.store.query("SELECT * FROM service_records WHERE id = ?", (record_id,))
        if not rows or rows[0]["deleted"]:
            raise StoreError(f"服务记录 {record_id} 不存在或已删除")
        header = rows[0]
        if not header["referral"]:
            raise StoreError("该服务记录没有转诊建议")
        form = self.forms[header["form_id"]]
        detail = self.store.query(f"SELECT * FROM {form.table} WHERE record_id = ?", (record_id,))
        return header, form.from_sql(detail[0] if detail else {})

    def _last_institution(self, department: str) -> str | None:
        if not department:
            return None
        row = self.store.conn.execute(
            f"SELECT to_institution FROM {self.form.table} WHERE deleted = 0 "
            "AND direction = '1' AND to_department = ? "
            "ORDER BY referral_date DESC, id DESC LIMIT 1",
            (department,),
        ).fetchone()
        return str(row[0]) if row else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _reason(form: FormDef, rule_id: str, message: str, values: Mapping[str, Any]) -> str:
    """The rule's finding (the message before its advice) with the readings it used,
    e.g. "收缩压≥180mmHg和/或舒张压≥110mmHg（收缩压 186mmHg、舒张压 112mmHg）"."""
    finding, _, _ = message.partition("：")
    text = finding if len(finding) >= 4 else message
    rule = next((r for r in form.rules if r.id == rule_id), None)
    if rule is None:
        return text
    readings = [
        f"{f.label} {f.field_type.display(values[f.id], f)}{f.unit or ''}"
        for f in form.fields
        if f.id in rule.when.names and f.type in ("int", "decimal") and values.get(f.id) is not None
    ]
    return f"{text}（{'、'.join(readings)}）" if readings else text


def _resident_check(
    values: Mapping[str, Any], referral_id: int | None, conn: sqlite3.Connection
) -> dict[str, str]:
    rid, day = values.get("resident_id"), values.get("referral_date")
    row = conn.execute(
        "SELECT deleted, status, status_date, birth_date FROM residents WHERE id = ?", (rid,)
    ).fetchone()
    if row is None or row[0]:
        return {"resident_id": "该居民不在居民档案中，不能登记转诊：请先建档，再查找选择该居民"}
    _, status, status_date, birth = row
    if day is not None and birth and day.isoformat() < birth:
        return {"referral_date": f"转诊日期不能早于该居民的出生日期（{birth}）"}
    if day is not None and status != "在档" and status_date and day.isoformat() > status_date:
        return {"referral_date": f"该居民已于 {status_date} {status}，转诊日期不能晚于该日期"}
    return {}


def _source_check(
    table: str, values: Mapping[str, Any], referral_id: int | None, conn: sqlite3.Connection
) -> dict[str, str]:
    source = values.get("source_record_id")
    if source is None:
        return {}
    row = conn.execute(
        "SELECT resident_id, deleted FROM service_records WHERE id = ?", (source,)
    ).fetchone()
    if row is None or row[1]:
        return {"source_record_id": "来源服务记录不存在或已删除"}
    if row[0] != values.get("resident_id"):
        return {"resident_id": "转诊的居民与来源服务记录的居民不一致"}
    other = conn.execute(
        f"SELECT referral_date FROM {table} WHERE deleted = 0 AND source_record_id = ? "
        "AND id IS NOT ?",
        (source, referral_id),
    ).fetchone()
    if other is not None:
        return {
            "source_record_id": f"该服务记录已生成转诊单（转诊日期 {other[0]}），"
            "请在转诊列表中修改那一条"
        }
    return {}


def _dismissal_check(
    referrals: str,
    table: str,
    values: Mapping[str, Any],
    dismissal_id: int | None,
    conn: sqlite3.Connection,
) -> dict[str, str]:
    source = values.get("source_record_id")
    row = conn.execute(
        "SELECT referral, deleted, service_date FROM service_records WHERE id = ?", (source,)
    ).fetchone()
    if row is None or row[1] or not row[0]:
        return {"source_record_id": "该服务记录不存在、已删除或没有转诊建议"}
    day = values.get("dismissed_date")
    if day is not None and day.isoformat() < row[2]:
        return {"dismissed_date": f"处理日期不能早于服务日期（{row[2]}）"}
    if conn.execute(
        f"SELECT 1 FROM {referrals} WHERE deleted = 0 AND source_record_id = ?", (source,)
    ).fetchone():
        return {"source_record_id": "该转诊建议已生成转诊单，无需再作不转诊处理"}
    if conn.execute(
        f"SELECT 1 FROM {table} WHERE deleted = 0 AND source_record_id = ? AND id IS NOT ?",
        (source, dismissal_id),
    ).fetchone():
        return {"source_record_id": "该转诊建议已作过不转诊处理"}
    return {}


def figures(store: Store, forms: FormRegistry, start: dt.date, end: dt.date) -> ReferralFigures:
    """Counts up and down in [start, end] and the up-referrals followed up within 2
    weeks (numerator ``followed_within``, denominator ``up``), for the quarterly report."""
    return Referrals(store, forms).figures(start, end)
