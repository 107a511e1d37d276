"""The demo's 既往史 agrees with its registers (issue 13): every patient the demo put on
the 高血压, 糖尿病, 严重精神障碍 register or opened a 结核病 case for has the 既往史 line of
that disease (the resident form's ``[past_disease_registers]``), dated in a month from
the birth month to the register's date; a line 无 gives way; a line already there is
kept as it is; every change audited so that ``ygt check`` holds each archive."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest

from ygt_desktop.core.programmes import REGISTERS
from ygt_desktop.core.resident import past_disease_registers
from ygt_desktop.demo.load_past_diseases import REASON, link_past_diseases
from ygt_desktop.ops import demo
from ygt_desktop.storage import audit, audit_check
from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2026, 11, 25)


def _no_login() -> demo.Login:
    raise AssertionError("a new demo file needs no login")


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("past") / "demo.db"
    with demo.opened(path, _no_login) as run:
        made = demo.generate(run, residents=500, seed=11, year=2026, today=TODAY)
        assert made.past_diseases > 0
    return path


@pytest.fixture
def demo_ws(station: Path):
    workspace = Workspace.open(station, lock=False)
    yield workspace
    workspace.close(backup_on_exit=False)


def _registered(ws: Workspace) -> dict[tuple[int, str], str]:
    """(resident, 既往史 code) → the month of the earliest register date of the disease."""
    resident_form = ws.forms["resident"]
    registers, openers = ws.forms.register_forms(), ws.forms.episode_openers()
    out: dict[tuple[int, str], str] = {}
    for code, key in past_disease_registers(resident_form).items():
        form = registers[key] if key in REGISTERS else openers[key]
        for rid, day in ws.store.conn.execute(
            "SELECT resident_id, min(service_date) FROM service_records "
            "WHERE form_id = ? AND deleted = 0 GROUP BY resident_id",
            (form.id,),
        ):
            out[(rid, code)] = day[:7]
    return out


def _lines(conn: sqlite3.Connection) -> dict[int, list[tuple[int, str, str | None]]]:
    out: dict[int, list[tuple[int, str, str | None]]] = defaultdict(list)
    for rid, line, disease, month in conn.execute(
        "SELECT record_id, line, disease, diagnosed FROM residents__past_diseases "
        "ORDER BY record_id, line"
    ):
        out[rid].append((line, disease, month))
    return out


def test_every_registered_patient_has_the_disease_in_past_history(demo_ws):
    ws = demo_ws
    registered = _registered(ws)
    codes = {code for _, code in registered}
    assert {"2", "3"} <= codes  # 高血压 and 糖尿病 patients at least, at 500 residents
    lines = _lines(ws.store.conn)
    births = dict(ws.store.conn.execute("SELECT id, substr(birth_date, 1, 7) FROM residents"))
    for (rid, code), register_month in registered.items():
        months = [m for _, d, m in lines[rid] if d == code]
        assert len(months) == 1, (rid, code, lines[rid])
        assert months[0] is not None and births[rid] <= months[0] <= register_month, (rid, code)


def test_lines_are_numbered_and_none_stands_alone(demo_ws):
    ws = demo_ws
    for rid, lines in _lines(ws.store.conn).items():
        assert [n for n, _, _ in lines] == list(range(1, len(lines) + 1)), rid
        diseases = [d for _, d, _ in lines]
        assert "1" not in diseases or diseases == ["1"], rid
        assert len(lines) <= 6


def test_the_demo_passes_ygt_check_and_each_archive_shows_its_change(demo_ws):
    ws = demo_ws
    assert audit_check.verify(ws.store.conn) == []
    rid = next(iter(_registered(ws)))[0]
    changes = [h for h in audit.history(ws.store.conn, "residents", rid) if h["reason"] == REASON]
    assert len(changes) == 1
    assert {line["disease"] for line in changes[0]["new"]["past_diseases"]} >= {
        d for _, d, _ in _lines(ws.store.conn)[rid]
    }


def test_a_second_pass_changes_nothing(demo_ws):
    ws = demo_ws
    before = ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert link_past_diseases(ws.store, ws.forms) == 0
    assert ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before


# ---- on a station's own records (the cases the demo's generator does not make) --------

PERSON = {"village_code": "101", "archive_date": "2020-01-01"}


def _register(ws: Workspace, rid: int, diagnosed: str, registered: str) -> None:
    ws.services.save(
        "htn_register",
        {"register_date": registered, "diagnosis_date": diagnosed},
        rid,
        today=TODAY,
    )


def test_a_line_already_there_is_kept_and_none_gives_way(ws):
    kept = ws.residents.save({
        **PERSON, "name": "赵一", "id_number": "110105196001010017",
        "past_diseases": [{"disease": "4", "diagnosed": "2001-05"},
                          {"disease": "2", "diagnosed": "2010-01"}],
    }).record_id  # fmt: skip
    none = ws.residents.save({
        **PERSON, "name": "钱二", "id_number": "110105196002020022",
        "past_diseases": [{"disease": "1"}],
    }).record_id  # fmt: skip
    _register(ws, kept, "2018-03-02", "2019-01-10")
    _register(ws, none, "2018-03-02", "2019-01-10")
    assert link_past_diseases(ws.store, ws.forms) == 1
    values = ws.residents.values(kept)["past_diseases"]
    assert [(v["disease"], v["diagnosed"]) for v in values] == [("4", "2001-05"), ("2", "2010-01")]
    values = ws.residents.values(none)["past_diseases"]
    assert [(v["disease"], v["diagnosed"]) for v in values] == [("2", "2018-03")]
    assert audit_check.verify(ws.store.conn) == []


def test_the_month_is_never_before_birth(ws):
    rid = ws.residents.save(
        {**PERSON, "name": "孙三", "id_number": "110105199005150010", "past_diseases": []}
    ).record_id
    _register(ws, rid, "2019-02-01", "2019-03-01")
    # A 确诊日期 before birth, as an old import may hold (written past the form's checks):
    # the 既往史 month is the birth month at the earliest, which the form accepts.
    ws.store.conn.execute("UPDATE f_htn_register SET diagnosis_date = '1980-01-01'")
    assert link_past_diseases(ws.store, ws.forms) == 1
    (line,) = ws.residents.values(rid)["past_diseases"]
    assert line["diagnosed"] == "1990-05"
