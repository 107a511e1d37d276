"""Shared fixtures.

Qt runs offscreen for every test (set here, before any Qt import, so nobody has to
remember to export it): the suite needs no display, like CI. Each test gets a fresh
database file in its own temporary folder.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from ygt_desktop.storage.organisation import Organisation, add_village, set_organisation  # noqa: E402
from ygt_desktop.storage.workspace import Workspace, load_forms  # noqa: E402

ORG = Organisation("530102001", "测试社区卫生服务站", "站", "530102")
VILLAGES = (("001", "龙泉路社区居委会"), ("101", "小坝村委会"), ("102", "大坝村委会"))


@pytest.fixture(scope="session")
def forms():
    return load_forms()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "station.db"


@pytest.fixture
def ws(db_path: Path, forms) -> Iterator[Workspace]:
    """An open workspace for a station with three villages and no residents."""
    workspace = Workspace.open(db_path, create=True, forms=forms)
    set_organisation(workspace.store, ORG)
    for code, name in VILLAGES:
        add_village(workspace.store, code, name)
    workspace.store.user = "测试员"
    yield workspace
    workspace.close(backup_on_exit=False)


@pytest.fixture(autouse=True)
def _qt_font(request):
    """Install the bundled Chinese font once a Qt test creates the application."""
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        app = request.getfixturevalue("qapp")
        from ygt_desktop.ui.fonts import install_app_font

        install_app_font(app)
    yield
