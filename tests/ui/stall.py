"""Measure how long the UI thread's event loop goes without running (issue 10: long
work never blocks the window).

A QTimer ticks every few milliseconds on the UI thread while an action runs; the
largest gap between two ticks is the longest the window was frozen.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

from PySide6.QtCore import QTimer

LIMIT_MS = 100.0


class StallMeter:
    def __init__(self, interval_ms: int = 10) -> None:
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last = 0.0

    def __enter__(self) -> StallMeter:
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tick()
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self._last) * 1000)
        self._last = now

    @property
    def worst_ms(self) -> float:
        return max(self.gaps, default=0.0)


def frozen_heap() -> Iterator[None]:
    """What the window does once it is shown (ui/app.py): everything alive so far —
    here, the test session's own heap — out of the collector's reach, so a full
    collection after a job scans only what came later. Without it, a collection of
    the whole pytest heap (1,300 tests' objects) was measured at 130–230 ms."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
