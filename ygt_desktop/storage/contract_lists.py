"""Lists of the 家医签约 page, as of a chosen day: contracts (with their status then),
contracts expiring in the next N days, and key-population residents without a
contract in force.

Filters: a village (居委/村委 code) and a team. For contracts the team is the one
signed with; for residents without a contract it is the team responsible for their
village (``forms/team.toml`` villages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..core.contracts import KEY_POPULATIONS, in_force, status_on
from ..core.forms import FormRegistry
from .db import Store
from .id_sets import json_ids
from .populations import population_members


@dataclass(frozen=True)
class ContractRow:
    id: int
    resident_id: int
    name: str
    sex: str | None
    birth_date: dt.date | None
    id_number: str | None
    phone: str | None
    village_code: str | None
    team_id: int | None
    team: str
    doctor: str
    packages: str
    sign_date: dt.date
    start_date: dt.date
    end_date: dt.date
    termination_date: dt.date | None
    renews_id: int | None
    renewed_on: dt.date | None
    status: str
    populations: list[str] = field(default_factory=list)
    due: float = 0.0  # the annual fee due, all payers


@dataclass(frozen=True)
class UncoveredRow:
    resident_id: int
    name: str
    sex: str | None
    birth_date: dt.date | None
    phone: str | None
    village_code: str | None
    populations: list[str]
    last_end: dt.date | None  # the end of the resident's last contract, if any


def _d(text: Any) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def team_villages(store: Store, team_id: int | str) -> list[str]:
    row = store.conn.execute("SELECT villages FROM e_team WHERE id = ?", (team_id,)).fetchone()
    return [v for v in (row[0] or "").split(",") if v] if row else []


def renewals(store: Store) -> dict[int, dt.date]:
    """Contract id → the sign date of the contract renewing it."""
    rows = store.conn.execute(
        "SELECT renews_id, min(sign_date) FROM e_contract "
        "WHERE renews_id IS NOT NULL AND deleted = 0 GROUP BY renews_id"
    )
    return {int(r[0]): dt.date.fromisoformat(r[1]) for r in rows}


def list_contracts(
    store: Store,
    day: dt.date,
    *,
    village: str | None = None,
    team: int | str | None = None,
    statuses: list[str] | None = None,
    resident_ids: list[int] | None = None,
) -> list[ContractRow]:
    """Contracts (not deleted) with their status on ``day``, newest start first."""
    where: list[str] = ["c.deleted = 0"]
    params: list[Any] = []
    if village:
        where.append("r.village_code = ?")
        params.append(village)
    if team:
        where.append("c.team_id = ?")
        params.append(str(team))
    if resident_ids is not None:
        if not resident_ids:
            return []
        where.append(f"c.resident_id IN ({', '.join('?' * len(resident_ids))})")
        params += resident_ids
    packages = {
        str(r[0]): r[1] for r in store.conn.execute("SELECT id, name FROM e_service_package")
    }
    renewed = renewals(store)
    out = []
    for r in store.query(
        "SELECT c.*, r.name AS r_name, r.sex AS r_sex, r.birth_date AS r_birth, "
        "r.id_number AS r_id_number, r.phone AS r_phone, r.village_code AS r_village, "
        "t.name AS t_name, m.name AS m_name FROM e_contract c "
        "JOIN residents r ON r.id = c.resident_id "
        "LEFT JOIN e_team t ON t.id = c.team_id LEFT JOIN e_team_member m ON m.id = c.doctor_id "
        f"WHERE {' AND '.join(where)} ORDER BY c.start_date DESC, c.id DESC",
        params,
    ):
        end, ended = dt.date.fromisoformat(r["end_date"]), _d(r["termination_date"])
        status = status_on(end, ended, renewed.get(r["id"]), day)
        if statuses and status not in statuses:
            continue
        out.append(
            ContractRow(
                id=r["id"],
                resident_id=r["resident_id"],
                name=r["r_name"],
                sex=r["r_sex"],
                birth_date=_d(r["r_birth"]),
                id_number=r["r_id_number"],
                phone=r["r_phone"],
                village_code=r["r_village"],
                team_id=int(r["team_id"]) if r["team_id"] else None,
                team=r["t_name"] or "",
                doctor=r["m_name"] or "",
                packages="、".join(
                    packages.get(p, p) for p in (r["package_ids"] or "").split(",") if p
                ),
                sign_date=dt.date.fromisoformat(r["sign_date"]),
                start_date=dt.date.fromisoformat(r["start_date"]),
                end_date=end,
                termination_date=ended,
                renews_id=r["renews_id"],
                renewed_on=renewed.get(r["id"]),
                status=status,
                populations=[p for p in (r["key_populations"] or "").split(",") if p],
                due=round(sum(r[f"fee_{p}"] or 0 for p in ("medical", "phs", "personal")), 2),
            )
        )
    return out


def expiring(
    store: Store,
    day: dt.date,
    within_days: int,
    *,
    village: str | None = None,
    team: int | str | None = None,
) -> list[ContractRow]:
    """Contracts in force on ``day`` that end within ``within_days`` days of it (the end
    day included) and have not been renewed, soonest first."""
    last = day + dt.timedelta(days=within_days)
    rows = [
        r
        for r in list_contracts(store, day, village=village, team=team)
        if r.renewed_on is None
        and day <= r.end_date <= last
        and in_force(r.start_date, r.end_date, r.termination_date, day)
    ]
    return sorted(rows, key=lambda r: (r.end_date, r.name, r.id))


def covered_on(store: Store, day: dt.date) -> set[int]:
    """Residents with a contract in force on ``day`` (any package)."""
    iso = day.isoformat()
    # answered from the index e_contract_in_force (migration 0055) alone
    return json_ids(
        store.conn,
        "SELECT json_group_array(c.resident_id) FROM e_contract c WHERE c.deleted = 0 "
        "AND c.start_date <= ? AND c.end_date >= ? "
        "AND (c.termination_date IS NULL OR c.termination_date > ?)",
        (iso, iso, iso),
    )


def uncovered(
    store: Store,
    forms: FormRegistry,
    day: dt.date,
    *,
    village: str | None = None,
    team: int | str | None = None,
    population: str | None = None,
) -> tuple[list[UncoveredRow], dict[str, int]]:
    """Key-population residents (archives open on ``day``) without a contract in force
    on ``day``, by village and name; and how many there are per population (a resident
    in two populations counts in each), after the village/team filter."""
    members = population_members(store, forms, day)
    covered = covered_on(store, day)
    wanted: set[str] | None = None
    if village:
        wanted = {village}
    if team:
        team_set = set(team_villages(store, team))
        wanted = team_set if wanted is None else wanted & team_set
    people: dict[int, list[str]] = {}
    for code in KEY_POPULATIONS:
        for rid in members[code] - covered:
            people.setdefault(rid, []).append(code)
    ids = sorted(people)
    rows: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        for r in store.query(
            "SELECT id, name, sex, birth_date, phone, village_code FROM "
            f"residents WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            if wanted is None or r["village_code"] in wanted:
                rows[r["id"]] = r
    last_end = {
        int(r[0]): dt.date.fromisoformat(r[1])
        for r in store.conn.execute(
            "SELECT resident_id, max(end_date) FROM e_contract WHERE deleted = 0 "
            "AND start_date <= ? GROUP BY resident_id",
            (day.isoformat(),),
        )
    }
    counts = dict.fromkeys(KEY_POPULATIONS, 0)
    out = []
    for rid, r in rows.items():
        for code in people[rid]:
            counts[code] += 1
        if population and population not in people[rid]:
            continue
        out.append(
            UncoveredRow(
                rid,
                r["name"],
                r["sex"],
                _d(r["birth_date"]),
                r["phone"],
                r["village_code"],
                people[rid],
                last_end.get(rid),
            )
        )
    out.sort(key=lambda u: (u.village_code or "", u.name, u.resident_id))
    return out, counts
