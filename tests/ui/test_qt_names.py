"""No attribute of ours hides a Qt method.

``self.thread = QThread()`` on a QObject replaces ``QObject.thread()`` for everyone who
calls it (Qt's own Python code, pytest-qt, a later reader); ``self.result`` on a QDialog
hides ``QDialog.result()``. Reads every class in ``ygt_desktop/ui`` that derives from
QObject and fails on a ``self.<name> = …`` (or class attribute) whose name one of its
PySide6 bases already has.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

from PySide6.QtCore import QObject

import ygt_desktop.ui

UI = Path(ygt_desktop.ui.__file__).parent


def qt_names(cls: type) -> set[str]:
    names: set[str] = set()
    for base in cls.__mro__:
        if base.__module__.startswith(("PySide6", "shiboken6", "Shiboken")):
            names |= set(vars(base))
    return {n for n in names if not n.startswith("__")} - {"staticMetaObject"}


def assigned_names(node: ast.ClassDef) -> list[tuple[int, str]]:
    """(line, name) of every ``self.name = …`` in the class and its class attributes."""
    found = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign):
            targets = sub.targets
        elif isinstance(sub, ast.AnnAssign | ast.AugAssign):
            targets = [sub.target]
        else:
            continue
        for target in targets:
            for el in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (isinstance(el, ast.Attribute) and isinstance(el.value, ast.Name)
                        and el.value.id == "self"):  # fmt: skip
                    found.append((sub.lineno, el.attr))
                elif isinstance(el, ast.Name) and sub in node.body:
                    found.append((sub.lineno, el.id))
    return found


def shadowing(path: Path) -> list[str]:
    module = importlib.import_module(f"ygt_desktop.ui.{path.stem}")
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(module, node.name, None)
        if not (inspect.isclass(cls) and issubclass(cls, QObject)):
            continue
        taken = qt_names(cls)
        for line, name in assigned_names(node):
            if name in taken:
                wrong.append(f"{path.name}:{line} {node.name}.{name} hides Qt's {name}")
    return wrong


def test_no_attribute_hides_a_qt_method():
    wrong = []
    for path in sorted(UI.glob("*.py")):
        wrong += shadowing(path)
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_hidden_method():
    source = (
        "class Job(QObject):\n"
        "    def __init__(self):\n"
        "        self.thread = QThread()\n"
        "        self.worker, self.parent = 1, 2\n"
    )
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ClassDef)
    from PySide6.QtWidgets import QDialog

    assert [n for _, n in assigned_names(node) if n in qt_names(QObject)] == ["thread", "parent"]
    assert "result" in qt_names(QDialog)
