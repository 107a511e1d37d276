"""接诊记录 and 会诊记录 in the demo (issue 13): on their own random stream, SOAP text
filled in, and 健康档案使用率 of a generated station in the 60–90 % the bureaus see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.worklist_demo import TODAY, make_demo
from ygt_desktop.core.report_model import Period
from ygt_desktop.demo.services import clinic
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.workspace import Workspace


@pytest.fixture(scope="module")
def station(tmp_path_factory) -> Path:
    return make_demo(tmp_path_factory.mktemp("clinic") / "station.db", residents=1500)


def test_archive_use_lands_where_the_assessments_find_it(station):
    ws = Workspace.open(station, lock=False)
    try:
        counted = Reporting(ws).compute(Period(TODAY.year, 3)).counted["ehr.use"]
        share = len(counted.numerator) / len(counted.denominator or ())
        assert 0.6 <= share <= 0.9, share
        records = ws.store.conn.execute(
            "SELECT h.service_date, d.subjective, d.assessment, d.plan FROM service_records h "
            "JOIN f_clinic_visit d ON d.record_id = h.id"
        ).fetchall()
        assert records and all(s and a and p for _, s, a, p in records)
        first = min(dt.date.fromisoformat(r[0]) for r in records)
        assert first >= TODAY - dt.timedelta(days=clinic.CLINIC_DAYS)
        # every visit is a valid record of its form, as the app would check it
        form = ws.forms["clinic_visit"]
        for (record_id,) in ws.store.conn.execute(
            "SELECT id FROM service_records WHERE form_id = 'clinic_visit' LIMIT 50"
        ):
            assert not form.process(ws.services.get(record_id)[1]).errors
        consults = ws.store.conn.execute(
            "SELECT count(*) FROM f_consultation__consultants"
        ).fetchone()[0]
        assert consults >= 1
    finally:
        ws.close(backup_on_exit=False)


def test_the_visits_leave_the_other_records_as_they_were(tmp_path, monkeypatch):
    """Their own stream: without them, every other record is the same."""
    import ygt_desktop.demo.services.generator as generator

    people_run = []
    for with_clinic in (True, False):
        if not with_clinic:
            monkeypatch.setattr(generator._Generator, "clinic", lambda self, s, c: iter(()))
        from ygt_desktop.demo.services import Person, generate_services

        people = [
            Person(i, "1" if i % 2 else "2", dt.date(1950 + i % 60, 1 + i % 12, 1 + i % 28),
                   dt.date(2024, 3, 1))
            for i in range(1, 300)
        ]  # fmt: skip
        records = list(generate_services(people, TODAY, seed=3))
        people_run.append([r for r in records if r[0] not in ("clinic_visit", "consultation")])
    assert people_run[0] == people_run[1]
