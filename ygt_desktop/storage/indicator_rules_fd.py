"""Indicators of the family-doctor contracts, referrals and equipment (spec
indicators.md, sheets 家医签约 / 双向转诊 / 设备), from their registers."""

from __future__ import annotations

import datetime as dt

from .contract_lists import covered_on
from .equipment import Equipment
from .id_sets import only_live
from .indicators import Counted, Indicators, computes
from .populations import population_members
from .referrals import figures


@computes("fd.rate", "fd.key")
def _contracts(ix: Indicators) -> list[Counted]:
    pool = ix.open_at(ix.we)
    # residents with an open archive and a contract in force (indicators.md): closing an
    # archive ends its contracts, but one typed in after the close may still run on
    covered = only_live(ix.store.conn, covered_on(ix.store, ix.we)) & pool
    base, missing = ix.base_figure("population")
    members = population_members(ix.store, ix.forms, ix.we)
    key = set().union(*members.values()) if members else set()
    return [
        Counted("fd.rate", numerator=covered, base=base, missing=missing, pool=pool),
        Counted("fd.key", numerator=key & covered, denominator=key),
    ]


@computes("fd.renew")
def _renewals(ix: Indicators) -> list[Counted]:
    """Contracts, not people (a station-level figure, computed whole every time)."""
    # Contracts ending in the window and of them those renewed, from the indexes
    # e_contract_in_force and e_contract_renewals (migration 0055) alone.
    ending, renewed = ix.store.conn.execute(
        "SELECT count(*), count(CASE WHEN id IN (SELECT renews_id FROM e_contract "
        "WHERE renews_id IS NOT NULL AND deleted = 0) THEN 1 END) FROM e_contract "
        "WHERE deleted = 0 AND end_date BETWEEN ? AND ?",
        (ix.ws.isoformat(), ix.we.isoformat()),
    ).fetchone()
    return [Counted("fd.renew", records=renewed, record_denominator=ending)]


@computes("ref.up", "ref.down", "ref.followup")
def _referrals(ix: Indicators) -> list[Counted]:
    days = int(ix.setting("referral_followup_days", 14))
    counts = figures(ix.store, ix.forms, ix.ws, ix.we)
    early = figures(ix.store, ix.forms, ix.ws, ix.we - dt.timedelta(days=days))
    return [
        Counted("ref.up", count=counts.up),
        Counted("ref.down", count=counts.down),
        Counted(
            "ref.followup",
            records=early.followed_within,
            record_denominator=early.followup_denominator,
        ),
    ]


@computes("eq.in_use", "eq.in_use_value")
def _equipment(ix: Indicators) -> list[Counted]:
    summary = Equipment(ix.store, ix.forms).summary(ix.we)
    return [
        Counted("eq.in_use", count=summary.in_use),
        Counted("eq.in_use_value", count=summary.in_use_value),
    ]
