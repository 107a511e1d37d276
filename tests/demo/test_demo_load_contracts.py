"""``ygt demo`` family-doctor contracts (issue 4): deterministic per seed, realistic
(key populations covered more, renewals, terminations with reasons, some expiring
soon, fees received, questionnaires) and valid by the same rules as typed contracts."""

from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop import cli
from ygt_desktop.core.contracts import fen
from ygt_desktop.storage.contract_lists import covered_on, expiring, list_contracts
from ygt_desktop.storage.contracts import contract_repo
from ygt_desktop.storage.populations import key_populations_of, population_members
from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2026, 11, 30)
TABLES = (
    "e_team",
    "e_team_member",
    "e_service_package",
    "e_contract",
    "e_contract_payment",
    "e_satisfaction",
)


def make_demo(path: Path, seed: int, capsys) -> str:
    assert (
        cli.main(
            [
                "demo",
                "--db",
                str(path),
                "--residents",
                "600",
                "--seed",
                str(seed),
                "--year",
                "2026",
                "--today",
                TODAY.isoformat(),
                "--villages",
                "5",
            ]
        )
        == 0
    )
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "station.db"
    assert (
        cli.main(
            [
                "demo",
                "--db",
                str(path),
                "--residents",
                "600",
                "--seed",
                "11",
                "--year",
                "2026",
                "--today",
                TODAY.isoformat(),
                "--villages",
                "5",
            ]
        )
        == 0
    )
    ws = Workspace.open(path, lock=False)
    yield ws
    ws.close(backup_on_exit=False)


def content(path: Path) -> dict[str, list[tuple]]:
    ws = Workspace.open(path, lock=False)
    try:
        return {
            t: [tuple(r)[:-5] for r in ws.store.conn.execute(f"SELECT * FROM {t} ORDER BY id")]
            for t in TABLES
        }  # without the stamps
    finally:
        ws.close(backup_on_exit=False)


def test_same_seed_same_contracts_other_seed_others(tmp_path, capsys):
    out = make_demo(tmp_path / "a.db", 5, capsys)
    assert "家医签约：" in out and "份签约（含续约）" in out
    make_demo(tmp_path / "b.db", 5, capsys)
    make_demo(tmp_path / "c.db", 6, capsys)
    a, b, c = (content(tmp_path / f"{n}.db") for n in "abc")
    assert a == b
    assert a["e_contract"] != c["e_contract"]
    assert all(a[t] for t in TABLES)


def test_every_generated_contract_passes_the_rules_of_a_typed_one(demo):
    repo = contract_repo(demo.store, demo.forms, demo.services)
    conn = demo.store.conn
    for row in repo.rows():
        values = repo.form.from_sql(row)
        result = repo.form.process(values)
        assert result.errors == {}, (row["id"], result.errors)
        for check in repo.checks:
            assert check(result.values, row["id"], conn) == {}, (row["id"], check.__name__)
        assert (values["key_populations"] or []) == key_populations_of(
            demo.store, demo.forms, demo.services, row["resident_id"], values["sign_date"]
        )
    due = {r["id"]: r for r in repo.rows()}
    paid: dict[tuple[int, str], int] = collections.Counter()
    for p in conn.execute("SELECT contract_id, payer, amount, paid_date FROM e_contract_payment"):
        paid[(p[0], p[1])] += fen(p[2])
        assert p[3] <= TODAY.isoformat()
    assert all(v <= fen(due[cid][f"fee_{payer}"]) for (cid, payer), v in paid.items())
    for cid, day in conn.execute("SELECT contract_id, survey_date FROM e_satisfaction"):
        assert due[cid]["sign_date"] <= day <= TODAY.isoformat()


def test_teams_cover_two_or_three_villages_with_their_doctors(demo):
    teams = demo.store.query("SELECT * FROM e_team")
    villages = [t["villages"].split(",") for t in teams]
    assert sorted(v for vs in villages for v in vs) == sorted(
        r[0] for r in demo.store.conn.execute("SELECT code FROM villages")
    )
    assert all(2 <= len(vs) <= 3 for vs in villages)
    roles = collections.Counter(
        r[0] for r in demo.store.conn.execute("SELECT role FROM e_team_member")
    )
    assert roles["2"] == roles["3"] == roles["5"] == len(teams)


def test_realistic_mix(demo):
    rows = list_contracts(demo.store, TODAY)
    statuses = collections.Counter(r.status for r in rows)
    assert all(statuses[s] > 0 for s in ("有效", "到期", "已续约", "已解约"))
    reasons = collections.Counter(
        r[0]
        for r in demo.store.conn.execute(
            "SELECT termination_reason FROM e_contract WHERE termination_date IS NOT NULL"
        )
    )
    assert len(reasons) >= 3
    assert expiring(demo.store, TODAY, 60)
    members = population_members(demo.store, demo.forms, TODAY)
    key = set().union(*members.values())
    everyone = {
        r[0]
        for r in demo.store.conn.execute(
            "SELECT id FROM residents WHERE status = '在档' AND deleted = 0"
        )
    }
    covered = covered_on(demo.store, TODAY)
    key_share = len(key & covered) / len(key)
    other_share = len((everyone - key) & covered) / len(everyone - key)
    assert 0.4 < key_share < 0.8 and other_share < key_share
    assert (
        demo.store.conn.execute("SELECT count(*) FROM e_contract WHERE sign_mode = '2'").fetchone()[
            0
        ]
        > 0
    )


def test_a_second_demo_run_leaves_the_station_s_contracts_alone(tmp_path, capsys):
    path = tmp_path / "s.db"
    make_demo(path, 3, capsys)
    before = content(path)
    out = make_demo(path, 4, capsys)  # more residents
    assert "家医签约：" not in out
    after = content(path)
    assert after["e_contract"] == before["e_contract"]
