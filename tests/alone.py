"""Tests that measure time run with no other test beside them.

The suite runs in parallel (pytest-xdist, ``-n auto`` in pyproject.toml): on a 2-core
machine two workers halve the run. A test marked ``alone`` — it measures how long the
window is frozen, or how fast something is — would otherwise share the cores with
another worker's test and measure that test too. Every test holds a shared lock on a
file beside the workers' temporary folders while it runs; an ``alone`` test holds it
exclusively, so it waits for the running tests to end and the others wait for it. A
second lock taken first (a turnstile) keeps a waiting ``alone`` test from being
overtaken by the next shared ones forever.

Without xdist (``-n 0``, or one worker) or without ``fcntl`` (Windows) nothing is
locked: the tests then run one at a time anyway, or as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

MARKER = "alone"


@contextmanager
def turn(folder: Path | None, *, exclusive: bool) -> Iterator[None]:
    """Hold the tests' lock in ``folder`` (shared, or ``exclusive``) while inside."""
    if folder is None or fcntl is None:
        yield
        return
    with (
        open(folder / "ygt-tests.turnstile", "a+b") as gate,
        open(folder / "ygt-tests.lock", "a+b") as room,
    ):
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(room, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(room, fcntl.LOCK_UN)


def shared_folder(basetemp: Path) -> Path | None:
    """The folder every worker of this run sees (the parent of a worker's basetemp);
    None when the tests do not run in workers."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    return basetemp.parent
