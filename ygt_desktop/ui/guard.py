"""Protected actions from the window go through the operations layer, which checks the
logged-in user's role (the buttons are only a convenience on top)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QAbstractButton

from ..ops.base import Run
from ..storage.workspace import Workspace
from . import messages

T = TypeVar("T")


def deleting(ws: Workspace, remove: Callable[[], T]) -> T:
    """``remove()`` (a repository delete on ``ws``) if the user may delete records;
    else :class:`~ygt_desktop.ops.base.PermissionRefused` (a StoreError), audited."""
    from ..ops import records  # reportlab behind it: loaded on the first delete, not at start

    return records.delete(Run.plain(ws), remove)


def gate(button: QAbstractButton, ws: Workspace, permission: str) -> None:
    """Grey ``button`` out, saying who may, when the logged-in user may not
    ``permission`` (pressing it through its slot is still refused by ops)."""
    if not may(ws, permission):
        button.setEnabled(False)
        button.setToolTip(messages.only_for(permission))


def may(ws: Workspace, permission: str) -> bool:
    """Whether the logged-in user may ``permission`` (to grey out a button)."""
    return Run.plain(ws).actor.may(permission)
