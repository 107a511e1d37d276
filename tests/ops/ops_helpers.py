"""Helpers for the operation tests: what a run reported, and a cancel after n steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ygt_desktop.ops.base import Run

TODAY = dt.date(2026, 11, 25)  # a Wednesday: its week is 2026-11-23 … 2026-11-29


@dataclass
class Seen:
    """What a run reported: progress calls and the permissions it asked for."""

    progress: list[tuple[int, int, str]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)


def watch(run: Run, seen: Seen, *, cancel_after: int | None = None) -> Run:
    """Route ``run``'s progress into ``seen``; with ``cancel_after`` n, ``cancelled``
    turns True once n progress calls were made."""
    run.progress = lambda done, total, text: seen.progress.append((done, total, text))
    if cancel_after is not None:
        run.cancelled = lambda: len(seen.progress) >= cancel_after
    return run


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
