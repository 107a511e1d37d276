"""Shared fixtures.

Qt runs offscreen for every test (set here, before any Qt import, so nobody has to
remember to export it): the suite needs no display, like CI. Each test gets a fresh
database file in its own temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

if not os.environ.get("QT_QPA_PLATFORM"):
    # The station's screen: 1366×768 less a 40-pixel taskbar (offscreen's default is
    # 800×800, where dialogs that size themselves to the screen would not be what the
    # users see). A file in a folder of its own, read when the QApplication starts.
    import json  # noqa: E402
    import tempfile  # noqa: E402

    _screen = Path(tempfile.mkdtemp(prefix="ygt-test-screen-")) / "screen.json"
    _screen.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "station",
                        "x": 0,
                        "y": 0,
                        "width": 1366,
                        "height": 728,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    os.environ["QT_QPA_PLATFORM"] = (
        "offscreen" if ":" in _screen.as_posix() else f"offscreen:configfile={_screen.as_posix()}"
    )

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from tests import alone  # noqa: E402
from ygt_desktop.ops.demo import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from ygt_desktop.storage import users  # noqa: E402
from ygt_desktop.storage.organisation import Organisation, add_village, set_organisation  # noqa: E402
from ygt_desktop.storage.workspace import Workspace, load_forms  # noqa: E402

# Hashing with the real cost (64 MiB, ~0.1 s) in every test that logs in would add
# minutes; the tests' accounts use a cheap argon2id (the stored hash names its cost).
users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# The tests act as the demo station's head everywhere (the demo makes that account, the
# ``ws`` fixture and ``ygt init`` make it too), so one $YGT_USER serves every database.
TEST_USER = DEMO_ACCOUNTS[0][0]
TEST_PASSWORD = DEMO_PASSWORD
# ``ygt`` acts as the user named by --user or $YGT_USER, password from $YGT_PASSWORD.
os.environ["YGT_USER"] = TEST_USER
os.environ["YGT_PASSWORD"] = TEST_PASSWORD

ORG = Organisation("530102001", "测试社区卫生服务站", "站", "530102")
VILLAGES = (("001", "龙泉路社区居委会"), ("101", "小坝村委会"), ("102", "大坝村委会"))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        f"{alone.MARKER}: measures time; runs with no other test beside it (tests/alone.py)",
    )


@pytest.fixture(autouse=True)
def _one_at_a_time_when_timed(request, tmp_path_factory) -> Iterator[None]:
    """Tests marked ``alone`` run with no other worker's test beside them (tests/alone.py)."""
    folder = alone.shared_folder(tmp_path_factory.getbasetemp())
    exclusive = request.node.get_closest_marker(alone.MARKER) is not None
    with alone.turn(folder, exclusive=exclusive):
        yield


@pytest.fixture(scope="session")
def forms():
    return load_forms()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "station.db"


@pytest.fixture(scope="session")
def _fresh_station(tmp_path_factory, forms) -> Path:
    """A new station (every migration applied, the organisation, three villages, the
    tests' account), made once: each ``ws`` opens a copy of the file (making one ran
    ~90 migrations, half a second, for each of a thousand tests)."""
    path = tmp_path_factory.mktemp("fresh-station") / "station.db"
    workspace = Workspace.open(path, create=True, forms=forms)
    set_organisation(workspace.store, ORG)
    for code, name in VILLAGES:
        add_village(workspace.store, code, name)
    add_test_user(workspace)
    workspace.close(backup_on_exit=False)
    return path


@pytest.fixture
def ws(db_path: Path, forms, _fresh_station: Path) -> Iterator[Workspace]:
    """An open workspace for a station with three villages and no residents."""
    shutil.copyfile(_fresh_station, db_path)
    workspace = Workspace.open(db_path, forms=forms)
    add_test_user(workspace)
    yield workspace
    workspace.close(backup_on_exit=False)


def add_test_user(workspace: Workspace, role: str | None = None) -> None:
    """Give ``workspace`` the tests' account (站长, or a bureau's 管理员) and log it in."""
    from ygt_desktop.core import roles

    role = role or roles.first_role(workspace.is_bureau)
    if users.get_user(workspace.store, TEST_USER) is None:
        users.add_user(
            workspace.store,
            TEST_USER,
            role,
            TEST_PASSWORD,
            is_bureau=workspace.is_bureau,
            by=TEST_USER,
        )
    workspace.login(TEST_USER, TEST_PASSWORD)


class UnexpectedDialog(AssertionError):
    """A test reached a real modal message box, which offscreen would wait forever."""


@pytest.fixture(autouse=True)
def _no_modal_boxes(request, monkeypatch):
    """A modal box nobody answers hangs the whole run (offscreen, no one clicks): in a
    Qt test, reaching one fails the test with its text instead. Tests that expect a
    box patch ``messages.*`` themselves, which overrides this."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    from ygt_desktop.ui import messages

    def refuse(name: str):
        def box(_parent, text="", *args, **kwargs):
            raise UnexpectedDialog(f"messages.{name} was shown: {text}")

        return box

    for name in ("info", "error", "ask", "ask_text", "ask_password", "choose"):
        monkeypatch.setattr(messages, name, refuse(name))
    yield
    _close_left_open()


def _close_left_open() -> None:
    """Hide the dialogs a test left open (a dialog a page opened as a child of a widget
    qtbot closed stays shown): the next test sees only its own windows. Hidden, not
    closed: this runs after the test's database is closed, and a dialog's ``finished``
    would make its page read it."""
    from PySide6.QtWidgets import QApplication, QDialog

    app = QApplication.instance()
    if app is None:
        return
    for top in QApplication.topLevelWidgets():
        if top.isVisible() and isinstance(top, QDialog):
            top.hide()


@pytest.fixture(autouse=True)
def _qt_font(request):
    """Install the bundled Chinese font once a Qt test creates the application."""
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        app = request.getfixturevalue("qapp")
        from ygt_desktop.ui.fonts import install_app_font

        install_app_font(app)
    yield
