"""Waiting for the window's background jobs (ui/jobs.py) in tests."""

from __future__ import annotations

from ygt_desktop.ui import jobs


def wait_for_jobs(qtbot, timeout: int = 30000) -> None:
    """Return once no background job is running (their results handled)."""
    qtbot.waitUntil(lambda: not jobs.active(), timeout=timeout)
