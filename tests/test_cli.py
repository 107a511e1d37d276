"""The ``ygt`` command line, as an administrator setting up a clinic PC uses it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ygt_desktop import cli
from ygt_desktop.storage import backup

REPO_ROOT = Path(__file__).resolve().parents[1]
INIT = ["--org-code", "530102001", "--org-name", "小坝村卫生室", "--org-level", "站"]
VILLAGE = ["--village", "101=小坝村委会"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = cli.main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT name, id_number, birth_date, archive_no FROM residents ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def demo(capsys: pytest.CaptureFixture[str], path: Path, seed: int) -> None:
    rc, out, err = run(
        capsys, "demo", "--db", str(path), "--residents", "300", "--seed", str(seed),
        "--year", "2024", "--today", "2024-12-31", "--villages", "4",
    )  # fmt: skip
    assert rc == 0, err
    assert "已生成 300 名居民" in out


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "数据" / "station.db"


def test_init_creates_station_and_refuses_to_overwrite(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(capsys, "init", "--db", str(db), *INIT, *VILLAGE)
    assert rc == 0, err
    assert "已创建数据库" in out and "小坝村卫生室" in out
    assert db.is_file()
    content = db.read_bytes()
    backups_before = backup.list_backups(db)

    rc, out, err = run(capsys, "init", "--db", str(db), "--org-code", "530102002",
                       "--org-name", "别的卫生室", "--org-level", "中心")  # fmt: skip
    assert rc == 1
    assert "已存在" in err
    assert db.read_bytes() == content
    assert backup.list_backups(db) == backups_before

    rc, out, _ = run(capsys, "check", "--db", str(db))
    assert rc == 0
    assert "小坝村卫生室" in out and "别的卫生室" not in out


@pytest.mark.parametrize(
    ("code", "words"),
    [("12345", "机构代码"), ("000000001", "区划代码"), ("5301020019", "机构代码")],
)
def test_init_with_bad_org_code_leaves_no_database(
    db: Path, capsys: pytest.CaptureFixture[str], code: str, words: str
) -> None:
    rc, out, err = run(capsys, "init", "--db", str(db), "--org-code", code,
                       "--org-name", "小坝村卫生室", "--org-level", "站")  # fmt: skip
    assert rc == 1
    assert words in err
    assert "已创建" not in out
    leftovers = sorted(p.name for p in db.parent.iterdir()) if db.parent.exists() else []
    assert [n for n in leftovers if not n.endswith(".lock")] == []


def test_init_with_bad_village_is_a_usage_error(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["init", "--db", str(db), *INIT, "--village", "小坝村"])
    assert info.value.code == 2
    assert "代码=名称" in capsys.readouterr().err
    assert not db.exists()


def test_demo_is_repeatable_with_the_same_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, c = (tmp_path / f"{n}.db" for n in "abc")
    demo(capsys, a, seed=42)
    demo(capsys, b, seed=42)
    demo(capsys, c, seed=43)

    rows_a, rows_b, rows_c = rows(a), rows(b), rows(c)
    assert len(rows_a) == 300
    assert rows_a == rows_b
    assert rows_a != rows_c
    assert len({r[3] for r in rows_a}) == 300  # archive numbers unique


def test_check_reports_resident_count_and_backup(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo(capsys, db, seed=7)
    rc, out, err = run(capsys, "check", "--db", str(db))
    assert rc == 0, err
    assert "完好" in out
    assert "居民档案：300 份" in out
    assert "最近备份：" in out


def test_check_missing_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "没有.db"
    rc, _, err = run(capsys, "check", "--db", str(missing))
    assert rc == 1
    assert "不存在" in err
    assert not missing.exists()


def test_backup_is_listed_by_backups(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--db", str(db), *INIT, *VILLAGE)[0] == 0
    rc, out, err = run(capsys, "backup", "--db", str(db))
    assert rc == 0, err
    assert out.startswith("已备份到 ")
    made = Path(out.strip().removeprefix("已备份到 "))
    assert made.is_file()
    assert backup.verify_backup(made)

    rc, out, err = run(capsys, "backups", "--db", str(db))
    assert rc == 0, err
    lines = [line.split("\t") for line in out.splitlines()]
    listed = {Path(parts[-1]): parts[1] for parts in lines}
    assert listed[made] == "手动"
    assert made == backup.list_backups(db)[0].path  # newest first


def test_restore_of_a_bad_backup_changes_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init", "--db", str(db), *INIT, *VILLAGE)[0] == 0
    content = db.read_bytes()
    fake = tmp_path / "fake.db"
    fake.write_text("不是数据库", encoding="utf-8")
    rc, _, err = run(capsys, "restore", "--db", str(db), str(fake))
    assert rc == 1
    assert "不能用于恢复" in err
    assert db.read_bytes() == content


def test_entry_point_runs_in_a_subprocess_with_utf8_output(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo(capsys, db, seed=3)
    env = dict(os.environ)
    # Like a Chinese Windows console: without the switch in main() output would be GBK.
    env.update(PYTHONIOENCODING="gbk", PYTHONUTF8="0")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "ygt_desktop.cli", "check", "--db", str(db)],
        capture_output=True,
        env=env,
        timeout=60,
    )
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", errors="replace")
    assert "完好" in out
    assert "居民档案：300 份" in out

    proc = subprocess.run(
        [sys.executable, "-m", "ygt_desktop.cli", "check", "--db", str(db.with_name("无.db"))],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "不存在" in proc.stderr.decode("utf-8")

    proc = subprocess.run(
        [sys.executable, "-m", "ygt_desktop.cli", "--version"], capture_output=True, env=env
    )
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("ygt ")
