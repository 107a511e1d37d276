"""The dependency rule (ARCHITECTURE.md): core <- storage <- reports <- ops <- ui | cli.

``demo/`` (the synthetic-station generator and its bulk loaders) may use core and
storage; only ops, cli, the benchmarks and the tests use it.

Reads the imports of every module (also those inside functions) and fails when an
arrow points the wrong way: nothing below ``ui`` imports Qt, ``ui`` and ``cli`` do not
import each other, and only ``reports/`` imports the workbook and PDF libraries.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ygt_desktop

PACKAGE = Path(ygt_desktop.__file__).parent
UI = ("ygt_desktop.ui",)
CLI = ("ygt_desktop.cli", "ygt_desktop.cli_*")
OPS = ("ygt_desktop.ops",)
DEMO = ("ygt_desktop.demo",)

# Layer (a sub-package, or "cli" for the top-level cli*.py modules) -> forbidden imports.
# A name forbids that module and everything under it; a trailing * is a prefix.
FORBIDDEN = {
    "core": (
        "PySide6",
        "sqlite3",
        "sqlite_utils",
        "ygt_desktop.storage",
        "ygt_desktop.reports",
        *DEMO,
        *OPS,
        *UI,
        *CLI,
    ),
    "storage": ("PySide6", "ygt_desktop.reports", *DEMO, *OPS, *UI, *CLI),
    "reports": ("PySide6", *DEMO, *OPS, *UI, *CLI),
    "demo": ("PySide6", "ygt_desktop.reports", *OPS, *UI, *CLI),
    "ops": ("PySide6", *UI, *CLI),
    "ui": (*DEMO, *CLI),
    "cli": ("PySide6", *UI),
}

# Workbook and PDF libraries stay behind reports/ (renderers and readers).
REPORTS_ONLY = ("openpyxl", "reportlab")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("ygt_desktop", *parts))


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Absolute names imported by ``source``, the text of module ``module``.

    ``from X import y`` gives both ``X`` and ``X.y`` (``y`` may be a module:
    ``from .. import cli``).
    """
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names if a.name != "*")
    return names


def imports_of(path: Path) -> set[str]:
    return imported_modules(
        path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
    )


def matches(name: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern or name.startswith(pattern + ".")


def layer_files(layer: str) -> list[Path]:
    if layer == "cli":
        return sorted(PACKAGE.glob("cli*.py"))
    return sorted((PACKAGE / layer).rglob("*.py"))


def wrong_arrows() -> list[str]:
    wrong = []
    for layer, forbidden in FORBIDDEN.items():
        for path in layer_files(layer):
            for name in sorted(imports_of(path)):
                if any(matches(name, f) for f in forbidden):
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return wrong


def test_dependency_rule_holds():
    wrong = wrong_arrows()
    assert not wrong, "\n".join(wrong)


def test_the_layers_exist():
    """A renamed folder must not turn the rule into a test of nothing."""
    for layer in ("core", "storage", "reports", "demo", "ops", "ui", "cli"):
        assert layer_files(layer), layer


def test_core_and_storage_hold_no_demo_code():
    """The generator and its bulk loaders live in demo/, not among the domain's rules."""
    stray = [
        str(path.relative_to(PACKAGE))
        for layer in ("core", "storage")
        for path in (PACKAGE / layer).rglob("*")
        if path.name.startswith(("synthetic", "bulk", "equipment_bulk", "base_data"))
        and "__pycache__" not in path.parts
    ]
    assert not stray, f"demo code outside ygt_desktop/demo/: {stray}"


def test_demo_generators_are_pure():
    """demo/'s generators draw records from core alone; only its loaders touch the database."""
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in layer_files("demo")
        if not path.name.startswith(("load_", "base_data"))
        for name in sorted(imports_of(path))
        if any(matches(name, f) for f in ("sqlite3", "sqlite_utils", "ygt_desktop.storage"))
    ]
    assert not wrong, "\n".join(wrong)


def test_only_ui_imports_qt():
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts:
            continue
        assert not any(matches(n, "PySide6") for n in imports_of(path)), path


def test_only_reports_imports_workbook_and_pdf_libraries():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] == "reports":
            continue
        for name in sorted(imports_of(path)):
            if any(matches(name, lib) for lib in REPORTS_ONLY):
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_reader_sees_every_kind_of_import():
    """The checker itself: relative, aliased, from-package and function-level imports."""
    source = (
        "import PySide6.QtCore as qc\n"
        "from .. import cli\n"
        "from ..cli_report import run\n"
        "from .pages import residents\n"
        "def f():\n"
        "    import openpyxl.styles\n"
    )
    names = imported_modules(source, "ygt_desktop.ui.app")
    assert {
        "PySide6.QtCore",
        "ygt_desktop.cli",
        "ygt_desktop.cli_report",
        "ygt_desktop.ui.pages.residents",
        "openpyxl.styles",
    } <= names
    assert any(matches(n, "ygt_desktop.cli_*") for n in names)
    assert imported_modules("from . import workbook", "ygt_desktop.reports", True) >= {
        "ygt_desktop.reports.workbook"
    }
    assert imported_modules("from .storage import db", "ygt_desktop.cli") >= {
        "ygt_desktop.storage.db"
    }
    assert not matches("ygt_desktop.client", "ygt_desktop.cli")
