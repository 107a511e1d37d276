"""Which backups to keep: about a year of history in a few dozen files.

The policy (modelled on Anki's), for backup times ``stamps`` seen at ``now``:

- every backup from the last 48 hours;
- beyond that, the newest backup of each calendar day for the last 14 days,
- the newest backup of each ISO week for the last 10 weeks,
- the newest backup of each calendar month for the last 12 months;
- always the newest backup overall, however old.

Everything else may be deleted. Backups stamped later than ``now`` (the clock was
changed) are kept. Applying the policy again to what it kept keeps the same set, and
rotating after every backup keeps the same set as rotating once at the end.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta

KEEP_ALL = timedelta(hours=48)
DAILY_DAYS = 14
WEEKLY_WEEKS = 10
MONTHLY_MONTHS = 12


def months_before(now: datetime, months: int) -> datetime:
    """``now`` moved back by whole calendar months (the day clamped to the month's end)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def backups_to_keep(stamps: Sequence[datetime], now: datetime) -> set[datetime]:
    """The subset of ``stamps`` that the rotation policy (see module docstring) keeps."""
    if not stamps:
        return set()
    keep = {max(stamps)}
    windows: list[tuple[datetime, str]] = [
        (now - timedelta(days=DAILY_DAYS), "day"),
        (now - timedelta(weeks=WEEKLY_WEEKS), "week"),
        (months_before(now, MONTHLY_MONTHS), "month"),
    ]
    newest: dict[Hashable, datetime] = {}
    for stamp in stamps:
        if stamp > now - KEEP_ALL:
            keep.add(stamp)
        for cutoff, kind in windows:
            if stamp >= cutoff:
                key = _bucket(stamp, kind)
                if key not in newest or stamp > newest[key]:
                    newest[key] = stamp
    keep.update(newest.values())
    return keep


def _bucket(stamp: datetime, kind: str) -> Hashable:
    if kind == "day":
        return ("day", stamp.date())
    if kind == "week":
        iso = stamp.isocalendar()
        return ("week", iso.year, iso.week)
    return ("month", stamp.year, stamp.month)
