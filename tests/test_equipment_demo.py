"""``ygt demo`` also makes an equipment register: the same seed gives the same register,
and a second run on the same file does not add another one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ygt_desktop import cli

TABLES = (
    "e_equipment",
    "e_equipment_status",
    "e_equipment_maintenance",
    "e_equipment_stocktake",
    "e_equipment_stocktake_line",
    "e_equipment_checklist",
)


def demo(capsys: pytest.CaptureFixture[str], path: Path, seed: int) -> str:
    capsys.readouterr()
    rc = cli.main(
        [
            "demo",
            "--db",
            str(path),
            "--residents",
            "50",
            "--seed",
            str(seed),
            "--year",
            "2025",
            "--today",
            "2025-11-30",
            "--villages",
            "2",
            "--no-services",
        ]
    )
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in TABLES
            if t != "e_equipment_checklist"
        }
    finally:
        conn.close()


def test_demo_register_is_deterministic_per_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, c = (tmp_path / f"{n}.db" for n in "abc")
    out = demo(capsys, a, 11)
    assert "设备台账：" in out and "1 次已完成的盘点" in out
    demo(capsys, b, 11)
    demo(capsys, c, 12)
    first = dump(a)
    assert 30 <= len(first["e_equipment"]) <= 80
    assert len(first["e_equipment_stocktake"]) == 1
    assert first == dump(b)
    assert first["e_equipment"] != dump(c)["e_equipment"]


def test_second_demo_run_keeps_the_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "station.db"
    demo(capsys, db, 3)
    before = dump(db)
    out = demo(capsys, db, 4)
    assert "设备台账：" not in out
    assert dump(db) == before
