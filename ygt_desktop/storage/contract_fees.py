"""Contract fees (签约服务费): what each payer owes per contract (recorded on the contract
at signing), what arrived (``forms/contract_payment.toml``), and totals for a period.

The fund's shares (医保基金, 基本公卫经费) are prepaid in part — the share is a setting,
80 % by default as in the county's plan — and the rest settled after the annual
assessment (考核结算); the personal share is paid in full, usually at signing. A
payment that would take a payer's total above what is due, a kind that does not fit
the payer, negative or non-numeric amounts are refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.contracts import (
    DEFAULT_PREPAID_PERCENT,
    PAYER_LABELS,
    PAYERS,
    PREPAID_PAYERS,
    PayerFees,
    fen,
    prepaid_expected,
    yuan_text,
)
from ..core.fieldtypes import FIELD_TYPES, FieldError
from ..core.forms import FieldDef, FormRegistry
from .db import Store
from .entities import EntityRepo
from .organisation import get_setting, set_setting
from .residents import ValidationFailed

PREPAID_SETTING = "contracts.prepaid_percent"
PREPAID = "1"  # contract_payment.kind codes
SETTLEMENT = "2"
PERSONAL = "3"


def prepaid_percent(store: Store) -> float:
    """The share of the fund's fees prepaid, in percent (a setting; 80 by default)."""
    value = get_setting(store, PREPAID_SETTING)
    try:
        return float(value) if value is not None else DEFAULT_PREPAID_PERCENT
    except ValueError:
        return DEFAULT_PREPAID_PERCENT


def set_prepaid_percent(store: Store, text: str) -> float:
    """Store the prepaid share typed as ``text`` (0–100); ValidationFailed otherwise."""
    spec = FieldDef(
        id="prepaid_percent", label="预拨比例", type="decimal", min=0, max=100, unit="%"
    )
    try:
        value = FIELD_TYPES["decimal"].parse(text, spec)
    except FieldError as exc:
        raise ValidationFailed({"prepaid_percent": str(exc)}) from None
    problem = "请填写预拨比例" if value is None else FIELD_TYPES["decimal"].check(value, spec)
    if problem:
        raise ValidationFailed({"prepaid_percent": problem})
    set_setting(store, PREPAID_SETTING, repr(float(value)))
    return float(value)


class PaymentRepo(EntityRepo):
    """Money received for contracts (到账), checked against what is due."""

    def __init__(self, store: Store, forms: FormRegistry) -> None:
        super().__init__(store, forms["contract_payment"], checks=[self._check])

    def _check(
        self, v: Mapping[str, Any], pid: int | None, conn: sqlite3.Connection
    ) -> dict[str, str]:
        payer, kind = v["payer"], v["kind"]
        if kind == PERSONAL and payer != "personal":
            return {"kind": "个人缴费的支付方应为“个人”"}
        if kind in (PREPAID, SETTLEMENT) and payer not in PREPAID_PAYERS:
            return {"kind": "预拨和考核结算来自医保基金或基本公卫经费，个人支付请选“个人缴费”"}
        row = conn.execute(
            f"SELECT fee_{payer}, sign_date FROM e_contract WHERE id = ? AND deleted = 0",
            (v["contract_id"],),
        ).fetchone()
        if row is None:
            return {"contract_id": f"签约 {v['contract_id']} 不存在或已删除"}
        due = fen(row[0])
        before = conn.execute(
            "SELECT coalesce(sum(amount), 0) FROM e_contract_payment WHERE contract_id = ? "
            "AND payer = ? AND deleted = 0 AND id IS NOT ?",
            (v["contract_id"], payer, pid),
        ).fetchone()[0]
        if fen(before) + fen(v["amount"]) > due:
            return {
                "amount": f"{PAYER_LABELS[payer]}应收 {yuan_text(due / 100)} 元，已到账 "
                f"{yuan_text(before)} 元，本次 {yuan_text(v['amount'])} 元将超过应收"
            }
        return {}


@dataclass(frozen=True)
class ContractFees:
    """One contract's money by payer, in fen; ``payments`` newest first."""

    contract_id: int
    by_payer: dict[str, PayerFees]
    payments: list[dict[str, Any]] = field(default_factory=list)


def contract_fees(store: Store, forms: FormRegistry, contract_id: int) -> ContractFees:
    percent = prepaid_percent(store)
    row = store.query(
        "SELECT fee_medical, fee_phs, fee_personal FROM e_contract WHERE id = ?", (contract_id,)
    )
    due = {p: fen(row[0][f"fee_{p}"]) if row else 0 for p in PAYERS}
    payments = PaymentRepo(store, forms).rows(
        "contract_id = ?", (contract_id,), order="paid_date DESC, id DESC"
    )
    received = dict.fromkeys(PAYERS, 0)
    for p in payments:
        received[p["payer"]] += fen(p["amount"])
    return ContractFees(
        contract_id,
        {p: PayerFees(due[p], prepaid_expected(p, due[p], percent), received[p]) for p in PAYERS},
        payments,
    )


@dataclass(frozen=True)
class FeeTotals:
    """Totals for a period, per payer, in fen.

    ``contracts`` are those signed in the period; ``due`` and ``prepaid_expected`` are
    theirs; ``outstanding`` is what of their fees had not arrived by the period's end.
    ``received`` is all money that arrived in the period (for any contract), split by
    kind in ``received_by_kind`` (预拨 / 考核结算 / 个人缴费 / 其他)."""

    start: dt.date
    end: dt.date
    prepaid_percent: float
    contracts: int
    due: dict[str, int]
    prepaid_expected: dict[str, int]
    received: dict[str, int]
    received_by_kind: dict[str, dict[str, int]]
    outstanding: dict[str, int]

    def total(self, part: str) -> int:
        values: dict[str, int] = getattr(self, part)
        return sum(values.values())


def fee_totals(store: Store, start: dt.date, end: dt.date) -> FeeTotals:
    """Fee totals by payer for ``start``–``end`` (both included); see :class:`FeeTotals`."""
    percent = prepaid_percent(store)
    lo, hi = start.isoformat(), end.isoformat()
    signed = store.query(
        "SELECT id, fee_medical, fee_phs, fee_personal FROM e_contract "
        "WHERE deleted = 0 AND sign_date BETWEEN ? AND ?",
        (lo, hi),
    )
    due = {p: sum(fen(c[f"fee_{p}"]) for c in signed) for p in PAYERS}
    expected = {
        p: sum(prepaid_expected(p, fen(c[f"fee_{p}"]), percent) for c in signed) for p in PAYERS
    }
    by_kind: dict[str, dict[str, int]] = {p: {} for p in PAYERS}
    for payer, kind, amount in store.conn.execute(
        "SELECT p.payer, p.kind, p.amount FROM e_contract_payment p JOIN e_contract c "
        "ON c.id = p.contract_id WHERE p.deleted = 0 AND c.deleted = 0 "
        "AND p.paid_date BETWEEN ? AND ?",
        (lo, hi),
    ):
        by_kind[payer][kind] = by_kind[payer].get(kind, 0) + fen(amount)
    paid: dict[tuple[int, str], int] = {}
    for cid, payer, amount in store.conn.execute(
        "SELECT p.contract_id, p.payer, p.amount FROM e_contract_payment p JOIN e_contract c "
        "ON c.id = p.contract_id WHERE p.deleted = 0 AND c.deleted = 0 "
        "AND c.sign_date BETWEEN ? AND ? AND p.paid_date <= ?",
        (lo, hi, hi),
    ):
        paid[(cid, payer)] = paid.get((cid, payer), 0) + fen(amount)
    outstanding = {
        p: sum(max(fen(c[f"fee_{p}"]) - paid.get((c["id"], p), 0), 0) for c in signed)
        for p in PAYERS
    }
    return FeeTotals(
        start,
        end,
        percent,
        len(signed),
        due,
        expected,
        {p: sum(by_kind[p].values()) for p in PAYERS},
        by_kind,
        outstanding,
    )
