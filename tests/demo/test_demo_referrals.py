"""`ygt demo` also makes referrals (issue 4): deterministic per seed, valid by the form
file and its checks, made from the demo's own suggestions, with a realistic mix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop import cli
from ygt_desktop.demo.referrals import (
    ChronicPatient,
    SuggestedRecord,
    generate_referrals,
)
from ygt_desktop.storage.referrals import Referrals
from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2026, 11, 30)
REFERRAL_COLUMNS = (
    "direction, referral_date, resident_id, urgency, from_institution, from_department, "
    "to_institution, to_department, diagnosis, reason, doctor, receipt_confirmed, receipt_date, "
    "followup_done, followup_date, followup_result, source_record_id"
)


def table(path: Path, sql: str) -> list[tuple]:
    ws = Workspace.open(path, lock=False)
    try:
        return ws.store.conn.execute(sql).fetchall()
    finally:
        ws.close(backup_on_exit=False)


@pytest.fixture(scope="module")
def stations(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("referral_demo")

    paths = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        path = tmp / f"{name}.db"
        assert (
            cli.main(
                [
                    "demo",
                    "--db",
                    str(path),
                    "--residents",
                    "1500",
                    "--seed",
                    str(seed),
                    "--today",
                    TODAY.isoformat(),
                    "--villages",
                    "4",
                ]
            )
            == 0
        )
        paths[name] = path
    return paths


def test_same_seed_same_referrals_other_seed_other(stations):
    query = f"SELECT {REFERRAL_COLUMNS} FROM e_referral ORDER BY id"
    a, b, c = (table(stations[n], query) for n in "abc")
    assert a == b and a != c
    dismissals = "SELECT source_record_id, dismissed_date, reason FROM e_referral_dismissal"
    assert table(stations["a"], dismissals) == table(stations["b"], dismissals)


def test_demo_referrals_are_valid_and_realistic(stations):
    ws = Workspace.open(stations["a"], lock=False)
    try:
        referrals = Referrals(ws.store, ws.forms)
        form = ws.forms["referral"]
        rows = ws.store.query("SELECT * FROM e_referral")
        assert rows
        for row in rows:  # what the editor would accept, checks included
            values = form.from_sql(row)
            assert form.process(values).errors == {}, row
            for check in referrals.repo.checks:
                assert check(values, row["id"], ws.store.conn) == {}, row
        up = [r for r in rows if r["direction"] == "1"]
        down = [r for r in rows if r["direction"] == "2"]
        assert up and down and len(down) < len(up)  # 上转容易下转难
        assert all(r["source_record_id"] for r in up)  # made from the demo's suggestions
        assert {r["from_institution"] for r in up} == {"五华区示范社区卫生服务站"}
        assert {r["from_institution"] for r in down} == {"五华区人民医院"}
        for r in up:
            header = ws.store.query(
                "SELECT * FROM service_records WHERE id = ?", (r["source_record_id"],)
            )[0]
            assert header["resident_id"] == r["resident_id"] and header["referral"]
            assert (r["urgency"] == "1") == (header["referral"] == "urgent")
        figures = referrals.figures(dt.date(2018, 1, 1), TODAY)
        assert 0.6 < figures.followup_share < 0.95  # most, not all, followed in 2 weeks
        late = [
            r
            for r in up
            if r["followup_date"]
            and (
                dt.date.fromisoformat(r["followup_date"])
                - dt.date.fromisoformat(r["referral_date"])
            ).days
            > 14
        ]
        assert late  # some followed up late
        assert all(
            r["followup_date"] is None or r["followup_date"] <= TODAY.isoformat() for r in up
        )
        # old suggestions were handled one way or the other; recent ones stay open
        open_ones = referrals.suggestions()
        assert open_ones
        assert all((TODAY - s.service_date).days <= 60 for s in open_ones)
        assert referrals.dismissals.rows()
    finally:
        ws.close(backup_on_exit=False)


def test_generator_is_a_pure_function_of_its_inputs():
    suggestions = [
        SuggestedRecord(
            i,
            100 + i,
            "htn_followup",
            dt.date(2021, 1, 1) + dt.timedelta(days=7 * i),
            "urgent" if i % 5 == 0 else "suggested",
        )
        for i in range(1, 300)
    ]
    patients = [ChronicPatient(100 + i, "高血压", dt.date(2019, 1, 1)) for i in range(300)]
    args = (7, TODAY, "测试站", "530102", suggestions, patients, {"htn_followup": "心血管内科"})
    first, again = generate_referrals(*args), generate_referrals(*args)
    assert first == again
    assert first != generate_referrals(8, *args[1:])
    for values in first.referrals:
        last = max(v for v in values.values() if isinstance(v, dt.date))
        assert last <= TODAY
        if values.get("followup_date"):
            assert values["followup_date"] >= values["referral_date"]
        if values.get("receipt_date"):
            assert values["receipt_date"] >= values["referral_date"]
    handled = {v.get("source_record_id") for v in first.referrals} | {
        d["source_record_id"] for d in first.dismissals
    }
    old = {s.record_id for s in suggestions if (TODAY - s.service_date).days > 60}
    assert old <= handled
