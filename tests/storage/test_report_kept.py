"""The quarterly report kept between computations (issue 15, :mod:`report_kept`): after
a seeded random sequence of entries, edits and deletions of service records, archive
closures, birth-date corrections, flags and contracts on a generated demo station,
every quarter's report read from the kept sets equals the whole computation, field by
field; the changed residents are computed alone (not the station again); whatever the
kept sets depend on besides the residents' rows makes the quarter computed whole.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.worklist_demo import (
    TODAY,
    change_a_record,
    correct_birth_date,
    record_forms,
    station_fixtures,
)
from ygt_desktop.core.report_model import Period
from ygt_desktop.storage import indicator_rules, report_kept
from ygt_desktop.storage.indicators import COMPUTERS, Counted
from ygt_desktop.storage.report_kept import KeptReport, personal
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.workspace import Workspace

YEAR = TODAY.year
QUARTERS = [Period(YEAR, q) for q in (1, 2, 3, 4)]
FIELDS = ("numerator", "denominator", "pool", "base", "missing", "count", "records")


demo_file, run = station_fixtures("report_kept", residents=600)


class Spy:
    """Counts the whole computations and the residents computed alone."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.alone: list[int] = []
        self.whole = 0
        real_alone = KeptReport._alone
        real_compute = report_kept.Indicators.compute

        def alone(kept: KeptReport, period, residents, codes):  # type: ignore[no-untyped-def]
            self.alone.append(len(residents))
            return real_alone(kept, period, residents, codes)

        def compute(ix, period, codes=None):  # type: ignore[no-untyped-def]
            on_station = ix.store.path != Path(":memory:")  # not the changed residents' copy
            if on_station and (codes is None or len(list(codes)) > 40):
                self.whole += 1
            return real_compute(ix, period, codes)

        monkeypatch.setattr(KeptReport, "_alone", alone)
        monkeypatch.setattr(report_kept.Indicators, "compute", compute)


def whole(ws: Workspace, period: Period) -> dict[str, Counted]:
    reporting = Reporting(ws)
    return reporting.indicators(period.year).compute(period)


def assert_same(kept: Mapping[str, Counted], fresh: Mapping[str, Counted], label: str) -> None:
    assert list(kept) == list(fresh), label
    for code, c in fresh.items():
        k = kept[code]
        for name in (*FIELDS, "record_denominator"):
            assert getattr(k, name) == getattr(c, name), f"{label} {code} {name}"
        assert k.value() == c.value(), f"{label} {code}"


def check_quarters(ws: Workspace, label: str) -> None:
    for period in QUARTERS:
        assert_same(Reporting(ws).compute(period).counted, whole(ws, period), f"{label} {period}")


def test_after_random_changes_the_kept_report_equals_the_whole_computation(run, monkeypatch):
    ws = run.ws
    conn = ws.store.conn
    spy = Spy(monkeypatch)
    check_quarters(ws, "first")
    assert spy.whole == 4 + 4 and spy.alone == []  # each quarter whole once, and the references
    assert conn.execute("SELECT count(*) FROM report_kept").fetchone()[0] == 4
    check_quarters(ws, "unchanged")
    assert spy.whole == 8 + 4 and spy.alone == []  # only the references were whole

    rng = random.Random(92)
    forms = record_forms(ws)
    people = [r[0] for r in conn.execute("SELECT id FROM residents WHERE deleted = 0")]
    done = dict.fromkeys(("new", "edit", "delete", "close", "birth", "flag", "contract"), 0)
    for step in range(70):
        kind = rng.choice(list(done))
        rid = rng.choice(people)
        if kind in ("new", "edit", "delete"):
            if not change_a_record(ws, rng, forms, kind):
                continue
        elif kind == "close":
            if ws.residents.get(rid)["status"] != "在档":
                continue
            day = TODAY - dt.timedelta(days=rng.randint(0, 330))
            ws.residents.close(rid, rng.choice(["迁出", "死亡"]), day)
        elif kind == "birth":
            correct_birth_date(ws, rng, rid)
        elif kind == "flag":
            with ws.store.write("resident") as c:
                c.execute(
                    "UPDATE residents SET flag_poverty = 1 - coalesce(flag_poverty, 0) WHERE id = ?",
                    (rid,),
                )
        else:  # a contract ended early, or one moved to another resident
            row = rng.choice(
                conn.execute("SELECT id FROM e_contract WHERE deleted = 0 ORDER BY id").fetchall()
            )
            with ws.store.write("contract") as c:
                if rng.random() < 0.5:
                    day = TODAY - dt.timedelta(days=rng.randint(0, 300))
                    c.execute(
                        "UPDATE e_contract SET termination_date = ? WHERE id = ?",
                        (day.isoformat(), row[0]),
                    )
                else:
                    c.execute("UPDATE e_contract SET resident_id = ? WHERE id = ?", (rid, row[0]))
        done[kind] += 1
        if step % 10 == 9:
            wholes = spy.whole
            check_quarters(ws, f"step {step}")
            assert spy.whole == wholes + 4  # the references only
            # the changed residents alone (a moved contract or record marks two), not the
            # station's 600
            assert spy.alone and max(spy.alone) <= 30
    assert all(n > 0 for n in done.values()), done
    check_quarters(ws, "end")
    # the marks every kept quarter has taken in are cleared
    assert conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0] == 0


def test_a_detail_written_without_its_header_is_seen(run):
    ws = run.ws
    period = Period(YEAR, 3)
    Reporting(ws).compute(period)
    record = ws.store.conn.execute(
        "SELECT h.id FROM service_records h JOIN f_htn_followup d ON d.record_id = h.id "
        "WHERE h.deleted = 0 AND h.service_date BETWEEN '2026-07-01' AND '2026-09-30' "
        "AND d.sbp < 140 LIMIT 1"
    ).fetchone()[0]
    before = Reporting(ws).compute(period).counted["htn.control"]
    with ws.store.write() as c:  # as a repair script would: the detail only
        c.execute("UPDATE f_htn_followup SET sbp = 190, dbp = 110 WHERE record_id = ?", (record,))
    after = Reporting(ws).compute(period).counted
    assert_same(after, whole(ws, period), "detail")
    assert len(after["htn.control"].numerator) == len(before.numerator) - 1


def test_what_is_not_a_residents_row_computes_the_quarter_whole(run, monkeypatch):
    ws = run.ws
    conn = ws.store.conn
    spy = Spy(monkeypatch)
    period = Period(YEAR, 2)
    Reporting(ws).compute(period)
    assert spy.whole == 1
    Reporting(ws).compute(period)
    assert spy.whole == 1
    # the base data, a station's choice of vaccine series, the template: whole again
    with ws.store.write() as c:
        c.execute("UPDATE e_base_data SET population = population + 7 WHERE year = ?", (YEAR,))
    counted = Reporting(ws).compute(period).counted
    assert spy.whole == 2
    assert_same(counted, whole(ws, period), "base data")
    with ws.store.write() as c:
        c.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('vaccine_je', 'jei')")
    Reporting(ws).compute(period)
    assert spy.whole == 3 + 1  # the reference above
    # the last full check of the file changes nothing the report reads
    with ws.store.write() as c:
        c.execute(
            "INSERT OR REPLACE INTO settings (key, value) "
            "VALUES ('integrity.last_full_check', '2026-11-25T10:00:00')"
        )
    Reporting(ws).compute(period)
    assert spy.whole == 4
    assert conn.execute("SELECT count(*) FROM report_kept").fetchone()[0] == 1


def test_a_rule_reading_a_table_not_copied_is_computed_whole(run, monkeypatch, caplog):
    ws = run.ws
    period = Period(YEAR, 3)
    Reporting(ws).compute(period)
    real = indicator_rules._elderly

    def elderly_by_household(ix):  # type: ignore[no-untyped-def]
        ix.store.conn.execute("SELECT count(*) FROM e_household__members").fetchone()
        return real(ix)

    monkeypatch.setitem(COMPUTERS, "eld.managed", elderly_by_household)
    rid = ws.store.conn.execute("SELECT id FROM residents LIMIT 1").fetchone()[0]
    with ws.store.write("resident") as c:
        c.execute("UPDATE residents SET phone = '13900000000' WHERE id = ?", (rid,))
    with caplog.at_level(logging.WARNING):
        counted = Reporting(ws).compute(period).counted
    assert "整体重算" in caplog.text and "e_household__members" in caplog.text
    assert_same(counted, whole(ws, period), "not copied")


def test_a_damaged_kept_quarter_is_computed_again(run):
    ws = run.ws
    period = Period(YEAR, 4)
    Reporting(ws).compute(period)
    with ws.store.write() as c:
        c.execute("UPDATE report_kept SET ids = substr(ids, 1, length(ids) - 8)")
    assert_same(Reporting(ws).compute(period).counted, whole(ws, period), "damaged")
    with ws.store.write() as c:
        c.execute("UPDATE report_kept SET meta = '{'")
    assert_same(Reporting(ws).compute(period).counted, whole(ws, period), "damaged meta")


def test_a_read_only_file_reads_the_kept_report_and_writes_nothing(run, monkeypatch):
    ws = run.ws
    period = Period(YEAR, 3)
    Reporting(ws).compute(period)
    rid = ws.store.conn.execute("SELECT id FROM residents LIMIT 1").fetchone()[0]
    ws.residents.close(rid, "死亡", dt.date(YEAR, 8, 1))
    marks = ws.store.conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0]
    assert marks > 0
    monkeypatch.setattr(ws.store, "readonly", True)
    assert_same(Reporting(ws).compute(period).counted, whole(ws, period), "read-only")
    assert ws.store.conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0] == marks


def test_only_the_latest_quarters_are_kept(run, monkeypatch):
    monkeypatch.setattr(report_kept, "MAX_KEPT", 2)
    ws = run.ws
    for q in (1, 2, 3):
        Reporting(ws).compute(Period(YEAR, q))
    kept = [r[0] for r in ws.store.conn.execute("SELECT period FROM report_kept ORDER BY 1")]
    assert kept == [f"{YEAR}Q2", f"{YEAR}Q3"]


def test_every_table_a_person_level_rule_reads_is_marked_or_whole(run):
    """The guard of the design: the person-level rules read only tables whose changes
    are marked per resident (triggers) or that are in the fingerprint; every form's
    detail table has its triggers."""
    ws = run.ws
    conn = ws.store.conn
    read: set[str] = set()

    def auth(action: int, table, *_):  # type: ignore[no-untyped-def]
        if action == sqlite3.SQLITE_READ:
            read.add(table)
        return sqlite3.SQLITE_OK

    computed = whole(ws, Period(YEAR, 3))
    person = report_kept._person_part(computed)
    assert {"ehr.coverage", "htn.control", "vac.cert", "fd.rate", "child.system"} <= set(person)
    assert not any(c.startswith(("edu.", "sup.", "ref.", "eq.")) for c in person)
    assert all(personal(c) for c in person.values())
    conn.set_authorizer(auth)
    try:
        Reporting(ws).indicators(YEAR).compute(Period(YEAR, 3), list(person))
    finally:
        conn.set_authorizer(None)
    triggers = {
        r[0]: r[1]
        for r in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
    }
    marked = {t for name, t in triggers.items() if name.startswith("report_")}
    details = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'f_*'"
        )
        if "record_id" in {c[1] for c in conn.execute(f'PRAGMA table_info("{r[0]}")')}
    ]
    assert details and set(details) <= marked
    for table in details:
        for when in ("added", "changed", "removed"):
            assert f"report_{table}_{when}" in triggers
    assert read - marked - set(report_kept.WHOLE) - {"json_each", "sqlite_master"} == set()


def test_keeping_up_computes_the_changed_residents_of_each_kept_quarter(run, monkeypatch):
    """What the window does every few minutes (``Reporting.keep_up``): each kept quarter
    brought up to date by the changed residents alone; one that would need computing
    whole is left for its report."""
    ws = run.ws
    conn = ws.store.conn
    assert Reporting(ws).keep_up() == []  # nothing kept: nothing to do, and no marks
    Reporting(ws).compute(Period(YEAR, 3))
    Reporting(ws).compute(Period(YEAR, 4))
    assert Reporting(ws).keep_up() == []
    spy = Spy(monkeypatch)
    rng = random.Random(4)
    forms = record_forms(ws)
    for kind in ("new", "edit", "delete", "edit"):
        change_a_record(ws, rng, forms, kind)
    assert conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0] > 0
    assert Reporting(ws).keep_up() == [Period(YEAR, 3), Period(YEAR, 4)]
    assert spy.whole == 0 and len(spy.alone) == 2
    assert conn.execute("SELECT count(*) FROM report_dirty").fetchone()[0] == 0
    for period in (Period(YEAR, 3), Period(YEAR, 4)):  # from the kept sets as they are
        assert_same(Reporting(ws).compute(period).counted, whole(ws, period), f"kept up {period}")
    assert len(spy.alone) == 2 and spy.whole == 2  # the references only
    monkeypatch.setattr(report_kept, "FULL_FROM", 0)
    assert change_a_record(ws, rng, forms, "delete")
    assert Reporting(ws).keep_up() == []  # too many to compute alone: left for the report
    assert spy.whole == 2
