"""Issue 15: the quarterly report's indicators as the app computes them equal, field by
field, the computation they replaced (the frozen oracle :mod:`indicators_reference`):
every ``Counted`` (value, numerator, denominator, pool, base, missing, records,
record_denominator), every quarter of a year, on generated demo stations (two seeds,
as made and with boundary cases written into them) and on a station built by hand;
and the parts other pages call (the line lists' ``managed`` / ``standard``, the
contracts page's ``population_members`` / ``covered_on`` / ``renewals``) on the same
days.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.storage import indicators_reference as ref
from tests.storage.test_indicators import BASE, TEMPLATE, htn_visit, person
from ygt_desktop.core.contracts import add_years
from ygt_desktop.core.report_model import Period
from ygt_desktop.core.schedules import add_months
from ygt_desktop.ops import demo, station
from ygt_desktop.ops.users import Login
from ygt_desktop.storage import contract_lists, populations
from ygt_desktop.storage.indicator_rules import managed, standard
from ygt_desktop.storage.indicators import Counted, Indicators
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.workspace import Workspace

YEAR = 2026
TODAY = dt.date(2026, 11, 20)
RESIDENTS = 2500
LOGIN = Login(TEST_USER, TEST_PASSWORD)
LATER = dt.date(2026, 12, 20)  # "today" of the station built by hand
REGISTERS = (
    ("htn_register", "htn_followup"),
    ("dm_register", "dm_followup"),
    ("smi_register", "smi_followup"),
)
CHART = ["htn.standard", "htn.control", "dm.standard", "dm.control", "eld.managed"]


def assert_same(new: Mapping[str, Counted], old: Mapping[str, ref.Counted], label: str) -> None:
    assert ref.differences(new, old) == [], label
    for code, expected in old.items():
        assert new[code].value() == Counted(**{n: getattr(expected, n) for n in ref.FIELDS}).value()


def check_year(ws: Workspace, year: int, base: Mapping[str, Any] | None, label: str) -> None:
    """Every quarter of ``year``: alone, with one computer shared by the quarters in
    order (the PDF chart's earlier quarters) and backwards, a chart's codes alone, and
    the registers' patients and standard sets the line lists read."""
    store, forms = ws.store, ws.forms
    forwards = Indicators(store, forms, TEMPLATE, base)
    backwards = Indicators(store, forms, TEMPLATE, base)
    old_by_quarter = {}
    for quarter in (1, 2, 3, 4):
        period = Period(year, quarter)
        where = f"{label} {period}"
        old = ref.compute(store, forms, TEMPLATE, base, period)
        old_by_quarter[quarter] = old
        assert_same(Indicators(store, forms, TEMPLATE, base).compute(period), old, where)
        assert_same(forwards.compute(period), old, f"{where} shared")
        chart = Indicators(store, forms, TEMPLATE, base).compute(period, CHART)
        assert_same(chart, {c: old[c] for c in CHART}, f"{where} chart")
        ix = Indicators(store, forms, TEMPLATE, base)
        ix.at(period)
        rix = ref.Indicators(store, forms, TEMPLATE, base)
        rix.at(period)
        for register, followup in REGISTERS:
            patients = managed(ix, register)
            assert patients == ref.managed(rix, register), f"{where} {register}"
            assert standard(ix, followup, patients) == ref.standard(rix, followup, patients)
    for quarter in (4, 3, 2, 1):
        got = backwards.compute(Period(year, quarter))
        assert_same(got, old_by_quarter[quarter], f"{label} {year}Q{quarter} backwards")


def check_contract_days(ws: Workspace, days: list[dt.date], label: str) -> None:
    store, forms = ws.store, ws.forms
    assert contract_lists.renewals(store) == ref.renewals(store), label
    for day in days:
        where = f"{label} {day}"
        assert populations.population_members(store, forms, day) == ref.population_members(
            store, forms, day
        ), where
        assert contract_lists.covered_on(store, day) == ref.covered_on(store, day), where


def boundary_days(year: int) -> list[dt.date]:
    ends = [Period(year, q).window_end for q in (1, 2, 3, 4)]
    start = dt.date(year, 1, 1)
    return [start - dt.timedelta(days=1), start, *ends, *(e + dt.timedelta(days=1) for e in ends)]


# ---- generated demo stations ------------------------------------------------------------


def make_demo(path: Path, seed: int) -> None:
    with station.opened(path, create=True) as plain:
        run = demo.as_demo_user(plain.ws, lambda: LOGIN)
        demo.generate(run, residents=RESIDENTS, seed=seed, year=YEAR, today=TODAY)


def write_boundaries(path: Path, seed: int) -> None:
    """Boundary cases written straight into a demo file: deleted residents and records,
    residents without birth dates, archives made and closed on a
    window's first and last days (and closed without a date), births on the window
    start, on quarter ends and on the 7th / 65th birthday and 37-month boundaries,
    register entries made and closed on and inside the window, readings missing,
    follow-ups on the same day as another, visits by phone, contracts ending and ended
    on window ends, renewals of deleted contracts, deleted contracts, episodes closed
    on quarter ends."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    days = boundary_days(YEAR)
    iso = [d.isoformat() for d in days]
    ends = [Period(YEAR, q).window_end for q in (1, 2, 3, 4)]
    ages = []
    for end in ends:
        for birth in (
            add_years(end, -65),
            add_years(end, -7),
            add_months(end, -37),
            add_months(end, -12 * 65),
            add_months(end, -12 * 7),
            end,
            dt.date(YEAR, 1, 1),
        ):
            ages += [birth, birth + dt.timedelta(days=1), birth - dt.timedelta(days=1)]

    def some(sql: str, share: float) -> list[int]:
        ids = [r[0] for r in conn.execute(sql)]
        return rng.sample(ids, max(1, int(len(ids) * share)))

    with conn:
        residents = "SELECT id FROM residents WHERE deleted = 0"
        for rid in some(residents, 0.03):
            conn.execute("UPDATE residents SET deleted = 1 WHERE id = ?", (rid,))
        for rid in some(residents, 0.02):
            conn.execute("UPDATE residents SET birth_date = NULL WHERE id = ?", (rid,))
        for rid in some(residents, 0.08):
            conn.execute(
                "UPDATE residents SET birth_date = ? WHERE id = ?",
                (rng.choice(ages).isoformat(), rid),
            )
        for rid in some(residents, 0.05):
            conn.execute(
                "UPDATE residents SET archive_date = ? WHERE id = ?", (rng.choice(iso), rid)
            )
        for rid in some(residents, 0.002):
            conn.execute("UPDATE residents SET archive_date = NULL WHERE id = ?", (rid,))
        for rid in some(residents + " AND status = '在档'", 0.05):
            conn.execute(
                "UPDATE residents SET status = ?, status_date = ? WHERE id = ?",
                (rng.choice(["迁出", "死亡", "注销"]), rng.choice(iso), rid),
            )
        for rid in some(residents + " AND status = '在档'", 0.003):
            conn.execute(
                "UPDATE residents SET status = '死亡', status_date = NULL WHERE id = ?", (rid,)
            )
        for flag in ("flag_disabled", "flag_poverty", "flag_dibao"):
            for rid in some(residents, 0.01):
                conn.execute(f"UPDATE residents SET {flag} = 1 WHERE id = ?", (rid,))
        records = "SELECT id FROM service_records WHERE deleted = 0"
        for rec in some(records, 0.03):
            conn.execute("UPDATE service_records SET deleted = 1 WHERE id = ?", (rec,))
        for rec in some(records, 0.02):
            conn.execute(
                "UPDATE service_records SET service_date = ? WHERE id = ?", (rng.choice(iso), rec)
            )
        for table in ("f_htn_register", "f_dm_register", "f_smi_register"):
            for rec in some(f"SELECT record_id FROM {table}", 0.3):
                closed = rng.choice([*iso, f"{YEAR}-05-01", f"{YEAR}-08-15", None])
                conn.execute(
                    f"UPDATE {table} SET closed_date = ? WHERE record_id = ?", (closed, rec)
                )
        for table, columns in (
            ("f_htn_followup", ("sbp", "dbp", "visit_method")),
            ("f_dm_followup", ("fpg", "visit_method")),
            ("f_smi_followup", ("visit_method",)),
        ):
            for column in columns:
                for rec in some(f"SELECT record_id FROM {table}", 0.05):
                    value = rng.choice(["3", None, "2"]) if column == "visit_method" else None
                    conn.execute(
                        f"UPDATE {table} SET {column} = ? WHERE record_id = ?", (value, rec)
                    )
        # follow-ups on the same day as the resident's previous one (the latest reading's
        # tie), with another reading
        for form, table in (("htn_followup", "f_htn_followup"), ("dm_followup", "f_dm_followup")):
            pairs = conn.execute(
                "SELECT a.id, b.service_date FROM service_records a JOIN service_records b "
                "ON b.resident_id = a.resident_id AND b.form_id = a.form_id AND b.id < a.id "
                "WHERE a.form_id = ? GROUP BY a.id",
                (form,),
            ).fetchall()
            for rec, day in rng.sample(pairs, max(1, len(pairs) // 10)):
                conn.execute("UPDATE service_records SET service_date = ? WHERE id = ?", (day, rec))
                if table == "f_htn_followup":
                    conn.execute(
                        "UPDATE f_htn_followup SET sbp = ?, dbp = ? WHERE record_id = ?",
                        (rng.choice([120, 139, 140, 145, 150, 165]), rng.choice([70, 89, 90]), rec),
                    )
                else:
                    conn.execute(
                        "UPDATE f_dm_followup SET fpg = ? WHERE record_id = ?",
                        (rng.choice([5.5, 6.99, 7.0, 9.1]), rec),
                    )
        contracts = "SELECT id FROM e_contract WHERE deleted = 0"
        for cid in some(contracts, 0.05):
            conn.execute("UPDATE e_contract SET end_date = ? WHERE id = ?", (rng.choice(iso), cid))
        for cid in some(contracts, 0.03):
            conn.execute(
                "UPDATE e_contract SET termination_date = ? WHERE id = ?", (rng.choice(iso), cid)
            )
        for cid in some(contracts, 0.02):
            conn.execute("UPDATE e_contract SET deleted = 1 WHERE id = ?", (cid,))
        for cid in some("SELECT id FROM e_contract WHERE renews_id IS NOT NULL", 0.1):
            conn.execute("UPDATE e_contract SET deleted = 1 WHERE id = ?", (cid,))
        for rec in some("SELECT id FROM service_records WHERE closes_episode = 1", 0.5):
            conn.execute(
                "UPDATE service_records SET service_date = ? WHERE id = ?", (rng.choice(iso), rec)
            )
        conn.execute("DELETE FROM e_base_data WHERE year = ?", (YEAR - 1,))
    conn.close()


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("same")
    out = {}
    for seed in (3, 11):
        out[seed] = folder / f"demo{seed}.db"
        make_demo(out[seed], seed)
    return out


@pytest.fixture(params=[(3, False), (11, False), (3, True), (11, True)], ids=str)
def demo_ws(request, demo_files, tmp_path) -> Iterator[tuple[Workspace, bool]]:
    seed, edited = request.param
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_files[seed], path)
    if edited:
        write_boundaries(path, seed)
    ws = Workspace.open(path, lock=False)
    yield ws, edited
    ws.close(backup_on_exit=False)


def test_demo_station_every_quarter_equals_the_reference(demo_ws):
    ws, edited = demo_ws
    reporting = Reporting(ws)
    bases = {year: reporting.base(year) for year in (YEAR - 1, YEAR)}
    assert bases[YEAR] is not None and (bases[YEAR - 1] is None) == edited
    check_year(ws, YEAR, bases[YEAR], "with base")
    check_year(ws, YEAR - 1, bases[YEAR - 1], "last year")
    partial = {k: v for k, v in bases[YEAR].items() if k not in ("pop_35", "children_0_36")}
    check_year(ws, YEAR, partial if edited else None, "base missing")
    check_contract_days(ws, [*boundary_days(YEAR), TODAY, dt.date(YEAR, 5, 17)], "contracts")
    # the station is not empty: the comparison saw people in every kind of set
    got = Indicators(ws.store, ws.forms, TEMPLATE, bases[YEAR]).compute(Period(YEAR, 3))
    for code in ("ehr.use", "child.newborn", "htn.control", "dm.standard", "fd.key"):
        assert got[code].numerator and got[code].denominator, code
    for code in ("child.managed", "eld.managed", "tcm.child", "htn.mgmt", "fd.rate"):
        assert got[code].numerator and got[code].pool, code
    assert got["fd.renew"].record_denominator and got["mat.early"].record_denominator


def test_the_doses_read_either_way_are_the_same(demo_ws, monkeypatch):
    """vaccines.doses_of reads many children's doses by the dose table, a few by their
    records: the same doses either way (a deleted record, an excluded one)."""
    from ygt_desktop.storage import vaccines

    ws, _ = demo_ws
    conn = ws.store.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM residents")]
    record = conn.execute(
        "SELECT id FROM service_records WHERE form_id = 'vaccine_dose' AND deleted = 0"
    ).fetchone()[0]
    for residents, exclude in ((ids, None), (ids, record), (ids[::7], record)):
        monkeypatch.setattr(vaccines, "DOSES_SCAN_FROM", 10**9)
        few = vaccines.doses_of(ws.store, residents, exclude)
        monkeypatch.setattr(vaccines, "DOSES_SCAN_FROM", 0)
        assert vaccines.doses_of(ws.store, residents, exclude) == few
        assert sum(len(d) for d in few.values()) > 100


# ---- a station built by hand ------------------------------------------------------------


def register(ws, form: str, rid: int, day: str) -> int:
    values: dict[str, Any] = {"register_date": day, "diagnosis_date": day}
    return int(ws.services.save(form, values, rid, today=LATER).change.record_id)


def close(ws, form: str, record_id: int, day: str) -> None:
    ws.services.save(
        form, {"closed_date": day, "close_reason": "3"}, record_id=record_id, today=LATER
    )


def test_hand_built_station_with_boundary_cases_equals_the_reference(ws):
    """Archives closed on a window's last day, births on the window start, a deleted
    record and a deleted resident, residents without a birth date, a register entry
    closed inside the window and one closed on its first day, a patient registered
    twice, readings on the same day."""
    patients = []
    for n, (birth, archived) in enumerate(
        [
            ("1961-09-30", "2020-01-01"),  # 65 on 2026-09-30
            ("1961-10-01", "2020-01-01"),
            ("1950-01-01", "2026-09-30"),  # archive made on a window end
            ("1950-01-01", "2026-01-01"),  # … on the window start
            ("1955-06-30", "2020-01-01"),
            ("1970-03-31", "2020-01-01"),
        ]
    ):
        patients.append(person(ws, f"患者{n}", birth, archived=archived))
    newborn = person(ws, "元旦生", "2026-01-01", archived="2026-01-05")
    person(ws, "除夕生", "2025-12-31", archived="2026-01-05")
    person(ws, "季末生", "2026-06-30", archived="2026-07-01")
    no_birth = person(ws, "无生日", "1950-01-01")
    gone = person(ws, "已删", "1950-01-01")
    a, b, c, d, e, f = patients
    first = register(ws, "htn_register", a, "2025-03-01")
    htn_visit(ws, a, "2026-01-20")
    close(ws, "htn_register", first, "2026-02-01")
    register(ws, "htn_register", a, "2026-04-10")  # registered again: the later counts
    register(ws, "htn_register", b, "2025-03-01")
    register(ws, "htn_register", c, "2026-09-30")
    register(ws, "htn_register", d, "2026-01-01")
    closed_before = register(ws, "htn_register", e, "2025-03-01")
    close(ws, "htn_register", closed_before, "2025-12-31")  # before the year
    for rid in (f, no_birth, gone):
        register(ws, "htn_register", rid, "2025-03-01")
    register(ws, "dm_register", a, "2025-03-01")
    for rid in (a, b, f, no_birth, gone):
        if rid != a:
            htn_visit(ws, rid, "2026-02-10")
        htn_visit(ws, rid, "2026-05-10", method="3" if rid == f else "1")
        htn_visit(ws, rid, "2026-08-10", 145, 85)
        htn_visit(ws, rid, "2026-08-10", 152, 80)  # the same day: the later entry counts
    htn_visit(ws, c, "2026-09-30", 120, 70)
    htn_visit(ws, d, "2026-01-01", 120, 70)
    for rid in (b, d):  # closed inside the window, and on its first day
        reg = ws.store.conn.execute(
            "SELECT id FROM service_records WHERE resident_id = ? AND form_id = 'htn_register'",
            (rid,),
        ).fetchone()[0]
        close(ws, "htn_register", reg, "2026-05-01" if rid == b else "2026-01-01")
    ws.store.conn.execute("UPDATE residents SET birth_date = NULL WHERE id = ?", (no_birth,))
    ws.residents.close(b, "死亡", dt.date(2026, 9, 30))  # closed on the window end
    ws.residents.close(f, "迁出", dt.date(2026, 6, 30))
    ws.residents.close(d, "注销", dt.date(2026, 3, 31))
    deleted = ws.store.conn.execute(
        "SELECT max(id) FROM service_records WHERE resident_id = ? AND form_id = 'htn_followup'",
        (a,),
    ).fetchone()[0]
    ws.services.delete(deleted, "录入错误")
    ws.residents.delete(gone, "重复建档")
    ws.services.save(
        "newborn_visit",
        {
            "visit_date": "2026-01-06",
            "discharged_date": "2026-01-03",
            "weight": "3.4",
            "feeding": "1",
            "temperature": "36.8",
            "jaundice": "1",
            "umbilical_cord": "1",
        },
        newborn,
        today=dt.date(2026, 12, 20),
        confirm=True,
    )
    for year, base in ((2026, BASE), (2026, None), (2025, {"population": 10})):
        check_year(ws, year, base, f"hand-built {base}")
    check_contract_days(ws, boundary_days(2026), "hand-built")
    got = Indicators(ws.store, ws.forms, TEMPLATE, BASE).compute(Period(2026, 3))
    assert {a, c} <= got["htn.mgmt"].numerator and e not in got["htn.mgmt"].numerator
    assert newborn in got["child.newborn"].denominator
