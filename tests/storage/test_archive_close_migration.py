"""Issue 13, part A.1 on existing databases: an archive closed before closing ended its
contracts kept a contract in force, counted in 家庭医生签约率. Migration 0078 terminates
those contracts on the closing day with the matching reason, audited so that ``ygt
check`` still holds every record against the log; the indicator counts open archives
only."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import make_station
from ygt_desktop.core.report_model import Period, load_template
from ygt_desktop.paths import resources_dir
from ygt_desktop.storage import archive_close, audit_check
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.migrations import history_0078_archive_life

D = dt.date


@pytest.fixture
def st(ws):
    return make_station(ws)


def close_the_old_way(ws, monkeypatch, rid, status, day):
    """Close an archive as the app did before issue 13 (its contracts left alone)."""
    with monkeypatch.context() as patch:
        patch.setattr(archive_close, "end_with_archive", lambda *a, **k: [])
        ws.residents.close(rid, status, day)


def run_0078(ws):
    (step,) = history_0078_archive_life.MIGRATIONS
    conn = ws.store.conn
    conn.execute("BEGIN IMMEDIATE")
    step.apply(conn)
    conn.execute("COMMIT")


def contract(ws, cid):
    return ws.store.query(
        "SELECT termination_date, termination_reason, termination_note FROM e_contract "
        "WHERE id = ?",
        (cid,),
    )[0]


def fd_rate(ws, period="2026Q3"):
    template = load_template(resources_dir() / "templates" / "quarterly_report.toml")
    got = Indicators(ws.store, ws.forms, template, {"population": 4}).compute(Period.parse(period))
    return got["fd.rate"]


def test_0078_ends_the_contracts_of_archives_closed_before(ws, st, monkeypatch):
    old, girl, lady = st.people["张老汉"], st.people["李小妹"], st.people["王大姐"]
    dead = st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))
    gone = st.sign("李小妹", "2026-02-01")
    later = st.sign("李小妹", "2026-08-01", sign="2026-04-01", packages=("儿童服务包",))
    stays = st.sign("王大姐", "2026-01-01")
    cancelled = st.sign("赵青年", "2026-01-01")
    close_the_old_way(ws, monkeypatch, old, "死亡", D(2026, 5, 10))
    close_the_old_way(ws, monkeypatch, girl, "迁出", D(2026, 6, 30))
    close_the_old_way(ws, monkeypatch, st.people["赵青年"], "注销", D(2026, 3, 1))
    assert contract(ws, dead)["termination_date"] is None  # the old way: still in force
    before = fd_rate(ws)
    assert before.numerator == {lady}  # closed archives do not count, old data or not

    run_0078(ws)
    assert contract(ws, dead) == {
        "termination_date": "2026-05-10",
        "termination_reason": "5",
        "termination_note": "档案结案：死亡",
    }
    assert contract(ws, gone)["termination_date"] == "2026-06-30"
    assert contract(ws, gone)["termination_reason"] == "1"
    assert contract(ws, later)["termination_date"] == "2026-08-01"  # never in force
    assert contract(ws, cancelled)["termination_reason"] == "9"
    assert contract(ws, stays)["termination_date"] is None
    assert fd_rate(ws).numerator == {lady}
    # audited as the app audits an update: the log still vouches for every record
    assert audit_check.verify(ws.store.conn) == []
    history = ws.store.query(
        "SELECT user, reason, new_values FROM audit_log WHERE table_name = 'e_contract' "
        "AND record_id = ? ORDER BY id DESC LIMIT 1",
        (dead,),
    )[0]
    assert history["user"] == "系统"
    assert history["reason"].startswith("档案结案：死亡")
    # a second run finds nothing left to do
    count = ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    run_0078(ws)
    assert ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == count


def test_the_figure_counts_open_archives_only(ws, st, monkeypatch):
    """家庭医生签约率 (indicators.md): residents with an open archive and a contract in
    force at window end — a contract left running after a close (a paper contract typed
    in later) does not count."""
    st.sign("张老汉", "2026-01-01")
    st.sign("王大姐", "2026-01-01")
    close_the_old_way(ws, monkeypatch, st.people["张老汉"], "迁出", D(2026, 9, 1))
    assert fd_rate(ws).numerator == {st.people["王大姐"]}
