"""ops.demo: a generated demo station in six steps (residents, services, referrals,
contracts, equipment, base data), each reported, cancellable between steps."""

from __future__ import annotations

import pytest

from tests.ops.ops_helpers import TODAY, watch
from ygt_desktop.ops import demo
from ygt_desktop.ops.base import OpCancelled, PermissionRefused
from ygt_desktop.ops.station import opened


def count(run, table):
    return run.ws.store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_every_step_is_reported_and_counted(tmp_path, seen):
    with opened(tmp_path / "d.db", create=True) as run:
        made = demo.generate(watch(run, seen), residents=60, seed=3, year=2026, today=TODAY)
        assert count(run, "residents") == made.residents == 60
        assert count(run, "service_records") >= sum(made.services.values()) > 0
        assert run.ws.organisation == demo.DEMO_ORG
    assert seen.asked == ["demo.generate"]
    assert [d for d, _, _ in seen.progress] == list(range(demo.STEPS + 1))
    assert {t for _, t, _ in seen.progress} == {demo.STEPS}
    assert seen.progress[0][2] == "正在生成 60 名居民…" and seen.progress[-1][2] == "完成"
    assert made.contracts["contracts"] > 0 and made.equipment["equipment"] > 0


def test_without_services_those_steps_are_skipped(tmp_path, seen):
    with opened(tmp_path / "d.db", create=True) as run:
        made = demo.generate(
            watch(run, seen), residents=30, seed=3, year=2026, today=TODAY, services=False
        )
        assert made.services == {} and made.referrals == 0
        assert count(run, "service_records") == 0
    assert [d for d, _, _ in seen.progress] == [0, 3, 4, 5, 6]


def test_a_cancel_after_the_first_step_keeps_the_residents_only(tmp_path, seen):
    with opened(tmp_path / "d.db", create=True) as run:
        watch(run, seen, cancel_after=1)
        with pytest.raises(OpCancelled):
            demo.generate(run, residents=30, seed=3, year=2026, today=TODAY)
        assert count(run, "residents") == 30 and count(run, "service_records") == 0
    assert len(seen.progress) == 1


def test_a_refusal_adds_nothing(tmp_path, refuse):
    refuse("demo.generate")
    with opened(tmp_path / "d.db", create=True) as run:
        with pytest.raises(PermissionRefused):
            demo.generate(run, residents=30, seed=3, year=2026, today=TODAY)
        assert count(run, "residents") == 0 and run.ws.organisation is None
