"""The backup rotation policy: about a year of history in a bounded number of files."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ygt_desktop.core.retention import backups_to_keep, months_before

NOW = datetime(2025, 6, 15, 12, 0)


def hourly(start: datetime, end: datetime, hours: range = range(24)) -> list[datetime]:
    stamps, t = [], start
    while t <= end:
        if t.hour in hours:
            stamps.append(t)
        t += timedelta(hours=1)
    return stamps


def rolling(stamps: list[datetime]) -> set[datetime]:
    """Rotate after every backup, as the app does; return what survives."""
    kept: set[datetime] = set()
    for stamp in sorted(stamps):
        kept = backups_to_keep([*kept, stamp], stamp)
    return kept


def test_nothing_to_keep_from_nothing() -> None:
    assert backups_to_keep([], NOW) == set()


def test_a_single_very_old_backup_is_kept() -> None:
    old = datetime(2019, 1, 1)
    assert backups_to_keep([old], NOW) == {old}


def test_everything_from_the_last_48_hours_is_kept() -> None:
    recent = [NOW - timedelta(minutes=30 * i) for i in range(96)]
    assert backups_to_keep(recent, NOW) == set(recent)


def test_a_year_of_round_the_clock_hourly_backups_keeps_about_a_year() -> None:
    stamps = hourly(datetime(2024, 1, 1, 0, 30), NOW)
    kept = rolling(stamps)
    assert kept == backups_to_keep(stamps, NOW)
    assert max(stamps) in kept
    # All 48 of the last two days, then a few dozen spread over the year.
    assert len([s for s in kept if NOW - s <= timedelta(hours=48)]) == 48
    older = [s for s in kept if NOW - s > timedelta(hours=48)]
    assert len(older) < 40
    assert len(kept) <= 48 + 14 + 11 + 13
    oldest_age = NOW - min(kept)
    assert timedelta(days=330) <= oldest_age <= timedelta(days=366)


def test_a_year_of_hourly_backups_in_clinic_hours_stays_under_60_files() -> None:
    # The scheduler only backs up after changes: a clinic open 8:00-18:00.
    stamps = hourly(datetime(2024, 1, 1, 8, 0), NOW, hours=range(8, 18))
    kept = rolling(stamps)
    assert len(kept) < 60
    assert max(stamps) in kept
    assert timedelta(days=330) <= NOW - min(kept) <= timedelta(days=366)


def test_one_backup_per_month_for_each_of_the_last_12_months() -> None:
    stamps = hourly(datetime(2023, 1, 1), NOW)
    kept = backups_to_keep(stamps, NOW)
    months = {(s.year, s.month) for s in kept}
    expected = {(months_before(NOW, i).year, months_before(NOW, i).month) for i in range(12)}
    assert expected <= months
    beyond_weekly = [s for s in kept if NOW - s > timedelta(weeks=10)]
    assert len(beyond_weekly) == len({(s.year, s.month) for s in beyond_weekly})
    # Newest of its month: the last hour of the month.
    for stamp in beyond_weekly:
        assert (stamp + timedelta(hours=1)).month != stamp.month


def test_one_backup_per_day_for_the_last_two_weeks() -> None:
    stamps = hourly(NOW - timedelta(days=30), NOW)
    kept = backups_to_keep(stamps, NOW)
    days = {s.date() for s in kept if NOW - s <= timedelta(days=13)}
    assert days == {(NOW - timedelta(days=i)).date() for i in range(14)}


def test_backups_stamped_in_the_future_are_kept() -> None:
    future = NOW + timedelta(days=400)
    assert future in backups_to_keep([NOW - timedelta(days=300), future], NOW)


def test_months_before_clamps_the_day() -> None:
    assert months_before(datetime(2025, 3, 31, 9), 1) == datetime(2025, 2, 28, 9)
    assert months_before(datetime(2024, 2, 29), 12) == datetime(2023, 2, 28)
    assert months_before(datetime(2025, 1, 15), 12) == datetime(2024, 1, 15)


stamp_lists = st.lists(
    st.datetimes(min_value=datetime(2023, 1, 1), max_value=NOW), unique=True, max_size=150
)


@settings(max_examples=200, deadline=None)
@given(stamps=stamp_lists)
def test_newest_always_kept_and_kept_is_a_subset(stamps: list[datetime]) -> None:
    kept = backups_to_keep(stamps, NOW)
    assert kept <= set(stamps)
    if stamps:
        assert max(stamps) in kept
    assert {s for s in stamps if NOW - s < timedelta(hours=48)} <= kept
    assert backups_to_keep(sorted(kept), NOW) == kept  # rotating twice deletes nothing more


@settings(max_examples=100, deadline=None)
@given(stamps=stamp_lists, split=st.datetimes(min_value=datetime(2023, 1, 1), max_value=NOW))
def test_rotating_as_you_go_equals_rotating_once(stamps: list[datetime], split: datetime) -> None:
    early = [s for s in stamps if s <= split]
    late = [s for s in stamps if s > split]
    kept_early = backups_to_keep(early, split)
    assert backups_to_keep([*kept_early, *late], NOW) == backups_to_keep(stamps, NOW)
