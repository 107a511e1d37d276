"""A generated demo station of a few hundred residents for the worklist's tests (issue
12: the 待办随访 a clinic can work), made once per test module that asks for it."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD, TEST_USER
from ygt_desktop.ops import demo, station
from ygt_desktop.ops.base import Run
from ygt_desktop.ops.users import Login
from ygt_desktop.storage.services import NeedsConfirmation, ValidationFailed

RESIDENTS = 600
TODAY = dt.date(2026, 11, 25)  # a Wednesday
# Two weeks from that Monday: the windows that end in one demo week are a matter of
# chance (a change to the demo's data once left none, and the 到期 view only 逾期).
WEEK = (dt.date(2026, 11, 23), dt.date(2026, 12, 6))
LOGIN = Login(TEST_USER, TEST_PASSWORD)  # the demo's 站长


def make_demo(path: Path, residents: int = RESIDENTS) -> Path:
    """A demo station at ``path`` with a year of services, as on :data:`TODAY`."""
    with station.opened(path, create=True) as plain:
        run = demo.as_demo_user(plain.ws, lambda: LOGIN)
        demo.generate(run, residents=residents, seed=5, year=TODAY.year, today=TODAY)
    return path


@contextmanager
def opened_copy(demo_file: Path, folder: Path) -> Iterator[Run]:
    """A copy of the demo station ``demo_file`` in ``folder``, opened as its 站长."""
    path = folder / "station.db"
    shutil.copyfile(demo_file, path)
    with station.opened(path, login=LOGIN) as run:
        yield run


def station_fixtures(name: str, residents: int = RESIDENTS) -> tuple[Any, Any]:
    """The fixtures ``demo_file`` (a demo station of ``residents`` made once per module,
    in a folder named ``name``) and ``run`` (a copy of it opened as its 站长, per test):
    ``demo_file, run = station_fixtures("kept", 300)`` at a test module's top."""

    @pytest.fixture(scope="module")
    def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return make_demo(tmp_path_factory.mktemp(name) / "demo.db", residents=residents)

    @pytest.fixture
    def run(demo_file: Path, tmp_path: Path) -> Iterator[Run]:
        with opened_copy(demo_file, tmp_path) as opened_run:
            yield opened_run

    return demo_file, run


def correct_birth_date(run_ws: Any, rng: random.Random, resident_id: int) -> None:
    """A resident's birth date corrected by up to 400 days either way (never after
    :data:`TODAY`), written as an import or the archive page would write it."""
    conn = run_ws.store.conn
    born = conn.execute("SELECT birth_date FROM residents WHERE id = ?", (resident_id,)).fetchone()
    day = dt.date.fromisoformat(born[0]) + dt.timedelta(days=rng.randint(-400, 400))
    with run_ws.store.write("resident") as c:
        c.execute(
            "UPDATE residents SET birth_date = ? WHERE id = ?",
            (min(day, TODAY).isoformat(), resident_id),
        )


def change_a_record(ws: Any, rng: random.Random, forms: list[str], kind: str) -> bool:
    """A random record of a random form (of ``forms``) entered again on another day
    (``new``), moved to another day (``edit``) or deleted; False when the form refused
    it. Chosen by ``rng`` alone (not SQLite's ``random()``): the same every run."""
    form_id = rng.choice(forms)
    rows = ws.store.conn.execute(
        "SELECT id, resident_id FROM service_records WHERE form_id = ? AND deleted = 0 ORDER BY id",
        (form_id,),
    ).fetchall()
    if not rows:
        return False
    record, resident = rng.choice(rows)
    form = ws.forms[form_id]
    _, values = ws.services.get(record)
    shift = dt.timedelta(days=rng.randint(-60, 20))
    try:
        if kind == "delete":
            ws.services.delete(record, "随机测试删除")
        elif form.date_field and values.get(form.date_field):
            day = min(dt.date.fromisoformat(str(values[form.date_field])) + shift, TODAY)
            new = {form.date_field: day.isoformat()}
            if kind == "edit":
                ws.services.save(form_id, new, record_id=record, today=TODAY)
            else:
                ws.services.save(form_id, {**values, **new}, resident, confirm=True, today=TODAY)
        else:
            return False
    except (ValidationFailed, NeedsConfirmation):
        return False
    return True


def record_forms(ws: Any) -> list[str]:
    """The forms with records of residents (not station logs), in a fixed order."""
    return [
        r[0]
        for r in ws.store.conn.execute(
            "SELECT DISTINCT form_id FROM service_records WHERE resident_id IS NOT NULL "
            "ORDER BY form_id"
        )
    ]
