"""The dependency rule (ARCHITECTURE.md): core <- storage <- reports <- ui/cli.

Reads the imports of every module; fails when an arrow points the wrong way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ygt_desktop

PACKAGE = Path(ygt_desktop.__file__).parent
FORBIDDEN = {
    "core": ("PySide6", "sqlite3", "sqlite_utils", "ygt_desktop.storage", "ygt_desktop.reports",
             "ygt_desktop.ui", "ygt_desktop.cli"),
    "storage": ("PySide6", "ygt_desktop.reports", "ygt_desktop.ui", "ygt_desktop.cli"),
    "reports": ("PySide6", "ygt_desktop.ui", "ygt_desktop.cli"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = "ygt_desktop." + ".".join(path.relative_to(PACKAGE).parent.parts)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
    return names


def test_dependency_rule_holds():
    wrong = []
    for layer, forbidden in FORBIDDEN.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in imported_modules(path):
                if any(name == f or name.startswith(f + ".") for f in forbidden):
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_only_ui_imports_qt():
    for path in PACKAGE.rglob("*.py"):
        if "ui" in path.relative_to(PACKAGE).parts:
            continue
        assert not any(n.startswith("PySide6") for n in imported_modules(path)), path
