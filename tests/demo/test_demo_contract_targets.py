"""Issue 13, part A.2 in the demo: ``ygt demo`` signs only packages whose 服务对象 admits
the resident on the sign date (before, a 儿童服务包 could go to a 70-year-old), every
contract starts on or after birth and the archive date, and a closed archive's contracts
end with it, with the matching reason."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop import cli
from ygt_desktop.core.contracts import target_problem
from ygt_desktop.storage.contracts import package_targets
from ygt_desktop.storage.populations import key_populations_of
from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "station.db"
    args = ["demo", "--db", str(path), "--residents", "500", "--seed", "3", "--year", "2026"]
    assert cli.main([*args, "--today", TODAY.isoformat(), "--villages", "4"]) == 0
    ws = Workspace.open(path, lock=False)
    yield ws
    ws.close(backup_on_exit=False)


def test_every_package_fits_its_target_group_on_the_sign_date(demo):
    rules = package_targets(demo.forms)
    packages = {
        str(r["id"]): r for r in demo.store.query("SELECT id, name, target FROM e_service_package")
    }
    target_labels = demo.forms["service_package"].field("target").choice_labels
    population_labels = demo.forms["contract"].field("key_populations").choice_labels
    personal = 0
    for row in demo.store.query("SELECT * FROM e_contract WHERE deleted = 0"):
        day = dt.date.fromisoformat(row["sign_date"])
        codes = key_populations_of(demo.store, demo.forms, demo.services, row["resident_id"], day)
        for pid in row["package_ids"].split(","):
            package = packages[pid]
            problem = target_problem(
                package["name"], package["target"], rules, codes, target_labels, population_labels
            )
            assert problem is None, (row["id"], problem)
            personal += package["target"] in rules
    assert personal > 20  # the personalised packages are signed, by those they fit


def test_contracts_start_after_birth_and_archive(demo):
    early = demo.store.query(
        "SELECT c.id FROM e_contract c JOIN residents r ON r.id = c.resident_id "
        "WHERE c.start_date < r.birth_date OR c.start_date < r.archive_date"
    )
    assert early == []


def test_closed_archives_contracts_end_with_them(demo):
    reasons = {"迁出": "1", "死亡": "5", "注销": "9"}
    rows = demo.store.query(
        "SELECT c.id, r.status, r.status_date, c.start_date, c.termination_date, "
        "c.termination_reason FROM e_contract c JOIN residents r ON r.id = c.resident_id "
        "WHERE r.status != '在档' AND c.end_date >= r.status_date AND c.deleted = 0"
    )
    assert rows  # the demo closes archives whose contracts ran then
    for r in rows:
        assert r["termination_date"] == max(r["status_date"], r["start_date"]), r
        assert r["termination_reason"] == reasons[r["status"]], r
