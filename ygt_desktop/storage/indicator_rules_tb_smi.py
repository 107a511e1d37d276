"""Indicators of the 肺结核 and 严重精神障碍 programmes computed from their records
(spec indicators.md tb.regular; forms-national.md §7.3, §11 smi.mgmt)."""

from __future__ import annotations

from .indicator_registers import managed
from .indicators import Counted, Indicators, computes

DOSE_CARD = "f_tb_followup__dose_card"  # the follow-up's 服药卡 rows (migration 0086)


def _card_totals(ix: Indicators, episodes: list[int]) -> dict[int, tuple[int, int]]:
    """Per TB episode with 服药卡 rows on any of its live follow-ups (whatever their
    date: the whole course): (doses due, doses taken) summed."""
    if not episodes:
        return {}
    marks = ",".join("?" * len(episodes))
    return {
        episode: (due or 0, taken or 0)
        for episode, due, taken in ix.store.conn.execute(
            f"SELECT h.episode_id, sum(c.due), sum(c.taken) FROM service_records h "
            f"JOIN {DOSE_CARD} c ON c.record_id = h.id WHERE h.form_id = 'tb_followup' "
            f"AND h.deleted = 0 AND h.episode_id IN ({marks}) GROUP BY h.episode_id",
            episodes,
        )
    }


@computes("tb.regular")
def _tb_regular(ix: Indicators) -> list[Counted]:
    """Patients whose course ended in the window as 治愈 / 完成疗程 (denominator) and of
    them those who took at least ``tb_regular_dose_rate`` % of the doses due over the
    course (numerator). The share comes from the 服药卡 rows of the whole course; a
    course without any (records from before the card) counts by its typed course totals
    of 全程管理情况, or the typed 服药率, as it always did."""
    rate = float(ix.setting("tb_regular_dose_rate", 90))
    closing = (
        ix.store.conn.execute(
            "SELECT h.resident_id, h.episode_id, d.course_doses_due, d.course_doses_taken, "
            "d.dose_rate FROM service_records h JOIN f_tb_followup d ON d.record_id = h.id "
            "WHERE h.form_id = 'tb_followup' AND h.deleted = 0 AND h.service_date BETWEEN ? AND ? "
            "AND d.treatment_outcome IN ('1', '2')",
            (ix.ws.isoformat(), ix.we.isoformat()),
        ).fetchall()
        if "tb_followup" in ix.forms
        else []
    )
    card = _card_totals(ix, sorted({e for _, e, *_ in closing if e is not None}))
    completing: set[int] = set()
    regular: set[int] = set()
    for rid, episode, typed_due, typed_taken, typed_rate in closing:
        completing.add(rid)
        share: float | None
        if episode in card:
            due, taken = card[episode]
            share = 100 * taken / due if due else None
        elif typed_due and typed_taken is not None:
            share = 100 * typed_taken / typed_due
        else:
            share = float(typed_rate) if typed_rate is not None else None
        if share is not None and share >= rate:
            regular.add(rid)
    return [Counted("tb.regular", numerator=regular, denominator=completing)]


@computes("smi.mgmt")
def _smi_mgmt(ix: Indicators) -> list[Counted]:
    """在册患者管理率: the 严重精神障碍 register's patients managed in the window
    (denominator) followed up at least once in it, any 随访形式 (numerator)."""
    registered = set(managed(ix, "smi_register"))
    seen = ix.residents_with("smi_followup")
    return [Counted("smi.mgmt", numerator=registered & seen, denominator=registered)]
