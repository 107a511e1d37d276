"""The kept quarterly figures brought up to date in the background (issue 15).

Apart from :mod:`.report` so that the window can run it without importing the
workbook and PDF writers.
"""

from __future__ import annotations

from ..core.report_model import Period
from ..storage.reporting import Reporting
from .base import Run

TITLE = "整理报表数据"


def keep_up(run: Run) -> list[Period]:
    """Bring the kept quarters up to date with the residents changed since
    (:meth:`Reporting.keep_up`): derived figures, nothing shown, so no permission is
    asked; the window's quiet job every few minutes."""
    run.step(0, 0, f"正在{TITLE}…")
    return Reporting(run.ws).keep_up()
