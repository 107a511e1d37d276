"""Fixtures for the operations: a small generated station (``ygt demo`` through
:mod:`ygt_desktop.ops.demo`, made once per session and copied per test), runs that
record their progress and permission checks, and a cancel after the first step."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.ops.ops_helpers import TODAY, Seen, watch
from ygt_desktop.ops import demo, station
from ygt_desktop.ops.base import PermissionRefused, Run
from ygt_desktop.ops.users import Login

RESIDENTS = 120
LOGIN = Login(TEST_USER, TEST_PASSWORD)  # the demo's 站长


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with station.opened(path, create=True) as plain:
        run = demo.as_demo_user(plain.ws, lambda: LOGIN)
        demo.generate(run, residents=RESIDENTS, seed=11, year=TODAY.year, today=TODAY)
    return path


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> Path:
    """A copy of the generated station in the test's own folder (``db/station.db``)."""
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copyfile(demo_file, folder / "station.db")
    return folder / "station.db"


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    """Records every ``Run.require`` (and allows it)."""
    record = Seen()
    monkeypatch.setattr(Run, "require", lambda self, perm: record.asked.append(perm))
    return record


@pytest.fixture
def refuse(monkeypatch: pytest.MonkeyPatch):
    """``refuse("backup.make")``: that permission is refused from now on."""

    def set_refused(*permissions: str) -> None:
        def require(self: Run, perm: str) -> None:
            if perm in permissions:
                raise PermissionRefused(f"无权限：{perm}")

        monkeypatch.setattr(Run, "require", require)

    return set_refused


@pytest.fixture
def open_run(demo_db: Path, seen: Seen) -> Iterator[Run]:
    """A run on the copied station whose progress goes into ``seen``."""
    with station.opened(demo_db, login=LOGIN) as run:
        yield watch(run, seen)
