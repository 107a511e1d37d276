"""Bulk loading of generated family-doctor contracts (``ygt demo``): raw ``executemany``
in one transaction, writing what the repositories write.

The example packages of ``forms/service_package.toml`` are added when missing; each
contract gets the key populations of its resident on its sign date (from
:func:`~.populations.population_intervals`, as :func:`~.populations.key_populations_of`
answers) and the fees of its packages. Runs once per database: when the station
already has a team, nothing is generated (the teams and contracts are the station's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.contracts import PAYERS, package_fees
from ..core.forms import FormRegistry
from ..core.programmes import ending_code
from ..storage import audit, audit_digest
from ..storage.contracts import package_targets
from ..storage.db import Store
from ..storage.organisation import villages
from ..storage.populations import population_intervals, population_members
from .contracts import DemoContracts, generate_contracts
from .load_services import demo_people
from .residents import SyntheticVillage

REASON = "生成演示数据"


def demo_contracts(store: Store, forms: FormRegistry, seed: int, today: dt.date) -> dict[str, int]:
    """Generate and load the demo's teams, packages, contracts, payments and surveys;
    how many of each were made (empty when the station has teams already)."""
    if store.conn.execute("SELECT 1 FROM e_team LIMIT 1").fetchone():
        return {}
    members = population_members(store, forms, today)
    facts: dict[int, set[str]] = {}
    for code, ids in members.items():
        for rid in ids:
            facts.setdefault(rid, set()).add(code)
    existing = {
        r["name"]: r for r in store.query("SELECT * FROM e_service_package WHERE deleted = 0")
    }
    offered = {
        **{e["name"]: e for e in forms["service_package"].settings.get("examples", [])},
        **existing,
    }
    fees = {
        name: (float(p["fee_medical"]), float(p["fee_phs"]), float(p["fee_personal"]))
        for name, p in offered.items()
    }
    # who may sign what: each package's 服务对象 rule (forms/service_package.toml) and the
    # resident's key populations on the sign date, as the contract's own check reads them
    rules = package_targets(forms)
    intervals = population_intervals(store, forms)
    reasons = forms["contract"].field("termination_reason").choice_labels
    plan = generate_contracts(
        seed,
        today,
        [SyntheticVillage(v.code, v.name) for v in villages(store)],
        demo_people(store),
        facts,
        fees,
        populations_on=intervals.codes,
        admits={name: rules.get(str(p["target"])) for name, p in offered.items()},
        reason_of=lambda status: ending_code(reasons, status) or "9",
    )
    return load_contracts(store, forms, plan, [p for n, p in offered.items() if n not in existing])


def _insert(conn: Any, table: str, rows: Sequence[Mapping[str, Any]], user: str, now: str) -> None:
    """Insert ``rows`` (ids given, or the next ones) and audit them with every record's
    digest, computed from the rows as stored (no read-back) when that is certain."""
    if not rows:
        return
    before = _next_id(conn, table) - 1
    given = "id" in rows[0]
    columns = [*([] if given else ["id"]), *rows[0], "created_at", "created_by", "updated_at"]
    values = [
        (*(() if given else (before + n,)), *r.values(), now, user, now)
        for n, r in enumerate(rows, start=1)
    ]
    conn.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        values,
    )
    new = {"count": len(rows)}
    try:
        stored = audit_digest.StoredRows(conn, table, columns)
        at = columns.index("id")
        digests = sorted((int(v[at]), audit_digest.digest_of(stored.part(v))) for v in values)
    except audit_digest.Unsure:
        audit.record_batch(conn, user=user, table=table, after=before, action="insert", new=new,
                           reason=REASON)  # fmt: skip
        return
    audit.record_digests(conn, user=user, table=table, digests=digests, action="insert",
                         new=new, reason=REASON)  # fmt: skip


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]) + 1


def load_contracts(
    store: Store,
    forms: FormRegistry,
    plan: DemoContracts,
    new_packages: Sequence[Mapping[str, Any]] = (),
) -> dict[str, int]:
    """Write ``plan`` (and ``new_packages``, package form values) in one transaction."""
    package_form = forms["service_package"]
    intervals = population_intervals(store, forms)
    now, user = audit.now_iso(), store.user
    with store.write(
        "entity:team",
        "entity:team_member",
        "entity:service_package",
        "entity:contract",
        "entity:contract_payment",
        "entity:satisfaction",
    ) as conn:
        rows = []
        for p in new_packages:
            values = package_form.process(package_form.with_defaults(dict(p))).values
            rows.append(package_form.to_sql(values))
        _insert(conn, "e_service_package", rows, user, now)
        packages = {
            r["name"]: r for r in store.query("SELECT * FROM e_service_package WHERE deleted = 0")
        }
        team_ids: dict[int, int] = {}
        member_ids: dict[tuple[int, str], int] = {}
        team_rows, member_rows = [], []
        next_team, next_member = _next_id(conn, "e_team"), _next_id(conn, "e_team_member")
        for t in plan.teams:
            team_ids[t.key] = next_team
            team_rows.append(
                {
                    "id": next_team,
                    "name": t.name,
                    "leader": t.leader,
                    "phone": t.phone,
                    "villages": ",".join(t.villages),
                }
            )
            for name, role, phone, where in t.members:
                member_ids[(t.key, name)] = next_member
                member_rows.append(
                    {
                        "id": next_member,
                        "team_id": str(next_team),
                        "name": name,
                        "role": role,
                        "phone": phone,
                        "institution": where or None,
                        "active": 1,
                    }
                )
                next_member += 1
            next_team += 1
        _insert(conn, "e_team", team_rows, user, now)
        _insert(conn, "e_team_member", member_rows, user, now)
        contract_ids: dict[int, int] = {}
        next_contract = _next_id(conn, "e_contract")
        contract_rows = []
        for c in plan.contracts:
            contract_ids[c.key] = next_contract
            chosen = [packages[n] for n in c.packages]
            fee = package_fees(chosen)
            rep = c.representative
            end = c.termination
            contract_rows.append(
                {
                    "id": next_contract,
                    "resident_id": c.resident_id,
                    "sign_mode": "2" if rep else "1",
                    "representative_name": rep[0] if rep else None,
                    "representative_relation": rep[1] if rep else None,
                    "representative_phone": (rep[2] or None) if rep else None,
                    "team_id": str(team_ids[c.team_key]),
                    "doctor_id": str(member_ids[(c.team_key, c.doctor)]),
                    "package_ids": ",".join(str(p["id"]) for p in chosen),
                    "sign_date": c.sign_date.isoformat(),
                    "start_date": c.start_date.isoformat(),
                    "end_date": c.end_date.isoformat(),
                    "renews_id": contract_ids[c.renews_key] if c.renews_key else None,
                    "key_populations": ",".join(intervals.codes(c.resident_id, c.sign_date))
                    or None,
                    **{f"fee_{p}": fee[p] for p in PAYERS},
                    "termination_date": end[0].isoformat() if end else None,
                    "termination_reason": end[1] if end else None,
                    "termination_note": (end[2] or None) if end else None,
                    "note": None,
                }
            )
            next_contract += 1
        _insert(conn, "e_contract", contract_rows, user, now)
        _insert(
            conn,
            "e_contract_payment",
            [
                {
                    "contract_id": contract_ids[p.contract_key],
                    "payer": p.payer,
                    "kind": p.kind,
                    "paid_date": p.paid_date.isoformat(),
                    "amount": p.amount,
                    "note": None,
                }
                for p in plan.payments
            ],
            user,
            now,
        )
        items = (
            "q_info",
            "q_cost",
            "q_image",
            "q_skill",
            "q_quality",
            "q_convenience",
            "q_overall",
        )
        _insert(
            conn,
            "e_satisfaction",
            [
                {
                    "contract_id": contract_ids[s.contract_key],
                    "survey_date": s.survey_date.isoformat(),
                    "method": s.method,
                    **dict(zip(items, s.scores, strict=True)),
                    "suggestion": None,
                    "surveyor": None,
                }
                for s in plan.surveys
            ],
            user,
            now,
        )
    return {
        "teams": len(team_rows),
        "members": len(member_rows),
        "packages": len(rows),
        "contracts": len(contract_rows),
        "payments": len(plan.payments),
        "surveys": len(plan.surveys),
    }
