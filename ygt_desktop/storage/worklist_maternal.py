"""The pregnancy's current risk colour on its worklist items (待办随访).

The colour is assessed at the first check and re-graded at each prenatal visit
(动态评估, forms prenatal_first and prenatal_followup): the latest assessment is the
pregnancy's colour, shown after each of its items' labels (产前随访 and the postpartum
visits: 橙/红/紫 are followed to 42 days after delivery). The colour names are the
forms' own choice labels, up to their explanation (``橙色（较高风险）`` → ``橙色``).
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import TYPE_CHECKING

from ..core import schedules as sch

if TYPE_CHECKING:
    from .worklist import Worklist

FIRST, FOLLOWUP = "prenatal_first", "prenatal_followup"


def _short(label: str) -> str:
    return label.split("（", 1)[0]


# The colours last read by each worklist (the object lives as long as the workspace):
# the store generation, scope and ``since`` they were read at, and what was found.
_Key = tuple[int, str | None, dt.date]
_MEMO: weakref.WeakKeyDictionary[Worklist, tuple[_Key, dict[int, str]]] = (
    weakref.WeakKeyDictionary()
)


def colours(wl: Worklist, since: dt.date) -> dict[int, str]:
    """Per pregnancy (its first check's record id) opened from ``since``: the latest
    assessed colour as shown (``橙色``, ``绿色+紫色``); none without an assessment.

    Read once per worklist, scope and ``since`` until the store's next write (a gather
    asks for 产前 and again for 产后 with the same ``since``); the mapping returned is
    shared: read it, do not change it."""
    key = (wl.store.generation, wl._only, since)
    kept = _MEMO.get(wl)
    if kept is None or kept[0] != key:
        kept = (key, _read(wl, since))
        _MEMO[wl] = kept
    return kept[1]


def _read(wl: Worklist, since: dt.date) -> dict[int, str]:
    if FIRST not in wl.forms or "risk" not in wl.forms[FIRST].by_id:
        return {}
    first = wl.forms[FIRST]
    names = {code: _short(text) for code, text in first.field("risk").choice_labels.items()}
    purple = _short(first.field("risk_purple").label) if "risk_purple" in first.by_id else ""
    parts = [
        f"SELECT h.id, h.service_date, 0, d.risk, d.risk_purple FROM {wl._records('h')} "
        f"JOIN {first.table} d ON d.record_id = h.id WHERE h.form_id = '{FIRST}' "
        "AND h.deleted = 0 AND h.service_date >= ?" + wl._scope("h.resident_id")
    ]
    params: list[object] = list(wl._scoped(since.isoformat()))
    followup = wl.forms[FOLLOWUP] if FOLLOWUP in wl.forms else None
    if followup is not None and {"risk", "risk_purple"} <= set(followup.by_id):
        parts.append(
            f"SELECT h.episode_id, h.service_date, 1, d.risk, d.risk_purple "
            f"FROM {wl._records('h')} JOIN {followup.table} d ON d.record_id = h.id "
            f"WHERE h.form_id = '{FOLLOWUP}' AND h.deleted = 0 AND h.service_date >= ? "
            "AND d.risk IS NOT NULL" + wl._scope("h.resident_id")
        )
        params += wl._scoped(since.isoformat())
    latest: dict[int, tuple[str, int, str]] = {}
    for episode, day, order, risk, flag in wl.store.conn.execute(" UNION ALL ".join(parts), params):
        if episode is None or (risk is None and not flag):
            continue
        shown = "+".join(x for x in (names.get(risk or "", ""), purple if flag else "") if x)
        if episode not in latest or (day, order) >= latest[episode][:2]:
            latest[episode] = (day, order, shown)
    return {episode: shown for episode, (_, _, shown) in latest.items() if shown}


def with_colour(due: sch.Due, colour: str | None) -> sch.Due:
    """``due`` with the pregnancy's colour after its label (unchanged without one)."""
    return due._replace(label=f"{due.label}·{colour}") if colour else due
