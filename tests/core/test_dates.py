"""Ages as lists show them: months for babies, years and months for toddlers."""

from __future__ import annotations

import datetime as dt

import pytest

from ygt_desktop.core.dates import age_text

D = dt.date


@pytest.mark.parametrize(
    ("birth", "on", "shown"),
    [
        (D(2026, 11, 1), D(2026, 11, 30), "0月"),
        (D(2026, 5, 10), D(2026, 11, 9), "5月"),
        (D(2026, 5, 10), D(2026, 11, 10), "6月"),
        (D(2025, 11, 30), D(2026, 11, 30), "1岁"),
        (D(2024, 2, 29), D(2026, 5, 28), "2岁2月"),
        (D(2023, 11, 30), D(2026, 11, 30), "3"),
        (D(1950, 3, 1), D(2026, 2, 28), "75"),
    ],
)
def test_age_text(birth, on, shown):
    assert age_text(birth, on) == shown
