"""Who belongs to which key population (重点人群) on a given day.

Two ways to the same answer: :func:`key_populations_of` for one resident at signing
(the resident row plus :meth:`ServiceRepo.context` for age and open registers), and
:func:`population_members` for the whole register at once (a handful of set queries,
for the list of key-population residents without a contract). Pregnancies and TB cases
count as open on the day when they were opened on or before it and no closing record
is dated on or before it, so a contract signed in the past gets the facts of its day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..core.contracts import (
    CHILD_MAX_AGE,
    ELDERLY_MIN_AGE,
    KEY_POPULATIONS,
    RESIDENT_FLAGS,
    add_years,
)
from ..core.contracts import key_populations as _key_populations
from ..core.dates import age_years
from ..core.forms import FormRegistry
from ..core.programmes import EPISODES, REGISTERS
from .db import Store
from .id_sets import FORM_RECORDS, json_ids, only_open
from .services import ServiceRepo

Members = dict[str, set[int]]


def _episode_sql(resident_filter: str) -> str:
    return (
        "SELECT h.resident_id FROM service_records h WHERE h.form_id = ? AND h.deleted = 0 "
        f"AND h.service_date <= ?{resident_filter} AND NOT EXISTS (SELECT 1 FROM "
        "service_records c WHERE c.episode_id = h.id AND c.closes_episode = 1 "
        "AND c.deleted = 0 AND c.service_date <= ?)"
    )


def open_episodes(
    store: Store, forms: FormRegistry, day: dt.date, resident_id: int | None = None
) -> dict[str, set[int]]:
    """Residents with an open pregnancy / TB case on ``day`` (keys ``pregnancy``, ``tb``)."""
    out: dict[str, set[int]] = {}
    where = " AND h.resident_id = ?" if resident_id is not None else ""
    extra = (resident_id,) if resident_id is not None else ()
    openers = forms.episode_openers()
    for episode in EPISODES:
        if episode not in openers:
            out[episode] = set()
            continue
        rows = store.conn.execute(
            _episode_sql(where), (openers[episode].id, day.isoformat(), *extra, day.isoformat())
        )
        out[episode] = {int(r[0]) for r in rows}
    return out


def key_populations_of(
    store: Store, forms: FormRegistry, services: ServiceRepo, resident_id: int, day: dt.date
) -> list[str]:
    """The key populations (codes, in list order) of one resident on ``day``.

    Raises ValidationFailed when the resident does not exist."""
    # No form: the context's "previous record of the same form" is about service forms.
    ctx = services.context(resident_id, day)
    episodes = open_episodes(store, forms, day, resident_id)
    ctx["open_pregnancy"] = resident_id in episodes["pregnancy"]
    ctx["open_tb"] = resident_id in episodes["tb"]
    rows = store.query(
        f"SELECT {', '.join(RESIDENT_FLAGS.values())} FROM residents WHERE id = ?", (resident_id,)
    )
    return _key_populations(rows[0] if rows else {}, ctx)


def in_archive_sql(alias: str = "r") -> str:
    """Residents whose archive was open on the day bound to ``:day`` (archive made on or
    before it, not closed before it; a closed archive without a date counts as open)."""
    return (
        f"{alias}.deleted = 0 AND {alias}.archive_date <= :day AND ({alias}.status = '在档' "
        f"OR {alias}.status_date IS NULL OR {alias}.status_date > :day)"
    )


def population_members(store: Store, forms: FormRegistry, day: dt.date) -> Members:
    """Every key population's residents (archives open on ``day``) as sets of ids."""
    iso = day.isoformat()
    conn = store.conn
    # The age populations from the birth-date index: age_years(birth, day) <= 6  ⇔
    # birth > day − 7 years;  >= 65  ⇔  birth <= day − 65 years.
    ages = {
        "child": (add_years(day, -(CHILD_MAX_AGE + 1)).isoformat(), iso),
        "elderly": ("", add_years(day, -ELDERLY_MIN_AGE).isoformat()),
    }
    members: Members = {
        code: json_ids(
            conn,
            "SELECT json_group_array(id) FROM residents WHERE birth_date > ? AND birth_date <= ?",
            bounds,
        )
        for code, bounds in ages.items()
    }
    # The typed flags, from the index ``residents_flagged`` (migration 0055: the query
    # repeats its condition to use it).
    flagged = " OR ".join(f"{flag} = 1" for flag in RESIDENT_FLAGS.values())
    for code, flag in RESIDENT_FLAGS.items():
        members[code] = json_ids(
            conn, f"SELECT json_group_array(id) FROM residents WHERE ({flagged}) AND {flag} = 1"
        )
    episodes = open_episodes(store, forms, day)
    members["maternal"] = episodes["pregnancy"]
    members["tb"] = episodes["tb"]
    registers = forms.register_forms()
    for register in REGISTERS:
        if register not in registers:
            members[register] = set()
            continue
        form = registers[register]
        members[register] = json_ids(
            conn,
            f"SELECT json_group_array(h.resident_id) FROM {FORM_RECORDS} CROSS JOIN {form.table} "
            "d ON d.record_id = h.id WHERE d.closed_date IS NULL OR d.closed_date > :end",
            {"form": form.id, "start": "", "end": iso},
        )
    kept = only_open(
        conn, {code: members[code] for code in KEY_POPULATIONS}, in_archive_sql(), {"day": iso}
    )
    return {code: kept[code] for code in KEY_POPULATIONS}


@dataclass
class Intervals:
    """Every resident's register and episode spans and archive facts, read once, so the
    key populations on many days (a generated station's contracts) cost no queries.
    :meth:`codes` answers as :func:`key_populations_of` does (a test holds the two)."""

    birth: dict[int, dt.date | None] = field(default_factory=dict)
    flags: dict[int, dict[str, Any]] = field(default_factory=dict)
    spans: dict[int, list[tuple[str, str, str | None]]] = field(default_factory=dict)

    def codes(self, resident_id: int, day: dt.date) -> list[str]:
        iso = day.isoformat()
        birth = self.birth.get(resident_id)
        facts: dict[str, Any] = {
            "age_years": age_years(birth, day) if birth and birth <= day else None
        }
        names = {"pregnancy": "open_pregnancy", "tb": "open_tb"}
        for kind, opened, closed in self.spans.get(resident_id, []):
            if opened <= iso and (closed is None or closed > iso):
                facts[names.get(kind, f"has_{kind}")] = True
        return _key_populations(self.flags.get(resident_id, {}), facts)


def population_intervals(store: Store, forms: FormRegistry) -> Intervals:
    out = Intervals()
    for rid, birth, *flags in store.conn.execute(
        f"SELECT id, birth_date, {', '.join(RESIDENT_FLAGS.values())} FROM residents "
        "WHERE deleted = 0"
    ):
        out.birth[rid] = dt.date.fromisoformat(birth) if birth else None
        out.flags[rid] = dict(zip(RESIDENT_FLAGS.values(), flags, strict=True))
    for register, form in forms.register_forms().items():
        for rid, opened, closed in store.conn.execute(
            f"SELECT h.resident_id, h.service_date, d.closed_date FROM service_records h "
            f"JOIN {form.table} d ON d.record_id = h.id "
            "WHERE h.form_id = ? AND h.deleted = 0",
            (form.id,),
        ):
            out.spans.setdefault(rid, []).append((register, opened, closed))
    for episode, opener in forms.episode_openers().items():
        for rid, opened, closed in store.conn.execute(
            "SELECT h.resident_id, h.service_date, (SELECT min(c.service_date) FROM "
            "service_records c WHERE c.episode_id = h.id AND c.closes_episode = 1 "
            "AND c.deleted = 0) FROM service_records h WHERE h.form_id = ? "
            "AND h.deleted = 0",
            (opener.id,),
        ):
            out.spans.setdefault(rid, []).append((episode, opened, closed))
    return out
