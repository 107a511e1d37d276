"""The migration history never reads ``forms/`` (ARCHITECTURE: "migrations never read
forms/"; issue 10 part 2): changing or losing a form file cannot change what an old
migration does.

Held three ways: the history modules import nothing that loads forms (read from their
source), importing and running the migrations leaves the form loader unimported, and
migrating while every way to load forms is broken still works.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import ygt_desktop.core.forms as core_forms
import ygt_desktop.paths as paths
import ygt_desktop.storage.migrations as migrations
import ygt_desktop.storage.workspace as workspace
from ygt_desktop.storage.db import connect
from ygt_desktop.storage.migrations import apply_pending, drift
from ygt_desktop.storage.opening import close_store, open_store

PACKAGE = Path(migrations.__file__).parent
PACKAGE_NAME = "ygt_desktop.storage.migrations"
# The developer tool run by ``python -m``; it loads the forms to compare with them.
TOOLS = {"__main__.py"}
FORBIDDEN = (
    "ygt_desktop.core",
    "ygt_desktop.paths",
    "ygt_desktop.storage.workspace",
    "tomllib",
    "tomli",
)


def runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Absolute names of the modules ``path`` imports, outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = PACKAGE_NAME.split(".")[: len(PACKAGE_NAME.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found += [
                (node.lineno, f"{module}.{a.name}" if not node.module and node.level else module)
                for a in node.names
            ]
    return found


def history_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.py") if p.name not in TOOLS)


def test_the_package_is_split_into_small_modules():
    assert {p.name for p in PACKAGE.glob("history_*.py")}
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path.name


@pytest.mark.parametrize("path", history_modules(), ids=lambda p: p.name)
def test_history_modules_import_nothing_that_loads_forms(path):
    wrong = [(line, name) for line, name in runtime_imports(path) if name.startswith(FORBIDDEN)]
    assert not wrong, f"{path.name} imports {wrong}"
    if path.name.startswith("history_"):  # the history itself: literals and builders only
        # (a data step may use the standard library and sqlite-utils, never the app)
        frozen_safe = {
            "__future__",
            "hashlib",
            "json",
            "marshal",
            "collections.abc",
            "sqlite_utils",
        }
        mine = {name for _, name in runtime_imports(path)} - frozen_safe
        assert mine == {f"{PACKAGE_NAME}.builders"}, mine


def test_importing_and_migrating_leaves_the_form_loader_unimported():
    script = (
        "import sqlite3, sys\n"
        "from ygt_desktop.storage.migrations import apply_pending\n"
        "conn = sqlite3.connect(':memory:', isolation_level=None)\n"
        "assert len(apply_pending(conn)) > 40\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('ygt_desktop.core',\n"
        "    'ygt_desktop.paths', 'ygt_desktop.storage.workspace', 'tomllib')))\n"
        "print(loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_migrating_works_with_the_forms_unreadable(tmp_path, monkeypatch, forms):
    empty = tmp_path / "no_forms"
    empty.mkdir()

    def refuse(*args, **kwargs):
        raise AssertionError("the migration history read the form files")

    monkeypatch.setattr(paths, "forms_dir", lambda: empty)
    monkeypatch.setattr(core_forms, "load_form", refuse)
    monkeypatch.setattr(core_forms.FormRegistry, "load", classmethod(refuse))
    monkeypatch.setattr(workspace, "load_forms", refuse)

    conn = connect(tmp_path / "direct.db")
    apply_pending(conn)
    assert drift(conn, forms) == []  # forms loaded before the patch, by the fixture
    store = open_store(tmp_path / "opened.db", create=True)
    try:
        assert drift(store.conn, forms) == []
    finally:
        close_store(store, backup_on_exit=False)
