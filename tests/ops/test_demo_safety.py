"""``ygt demo`` never touches a real station (issue 16): it writes only into a new file
or a database it made itself (marked at creation), refuses everything else with a clear
Chinese message and nothing written, checks every argument before writing, and leaves
no half-made database when generation fails or is interrupted."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from tests.ops.ops_helpers import TODAY
from ygt_desktop import cli
from ygt_desktop.ops import demo, station
from ygt_desktop.ops.base import OpError
from ygt_desktop.ops.users import Login
from ygt_desktop.storage.organisation import Organisation, get_setting

STATION = Organisation("530102001", "小坝村卫生室", "站", "530102")
BUREAU = Organisation("530102", "五华区卫生健康局", "区", None)
HEAD = Login("王站长", "station-pass-1")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def ygt(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        rc = cli.main(list(args))
    except SystemExit as exc:  # argparse's usage errors
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def small(db: Path, *more: str) -> list[str]:
    return ["demo", "--db", str(db), "--residents", "40", "--seed", "5", "--year", "2026",
            "--today", TODAY.isoformat(), "--villages", "2", "--no-services", *more]  # fmt: skip


def test_a_new_file_is_marked_as_demo_and_a_second_run_adds_to_it(tmp_path, capsys):
    db = tmp_path / "demo.db"
    rc, out, err = ygt(capsys, *small(db))
    assert rc == 0, err
    with station.opened(db) as run:
        assert demo.is_demo(run.ws) and get_setting(run.ws.store, demo.MARK) == "1"
        first = run.ws.store.conn.execute("SELECT count(*) FROM residents").fetchone()[0]
    assert first == 40 and demo.file_is_demo(db)
    rc, out, err = ygt(capsys, *small(db, "--seed", "6"))
    assert rc == 0, err
    with station.opened(db) as run:
        assert run.ws.store.conn.execute("SELECT count(*) FROM residents").fetchone()[0] == 80


@pytest.mark.parametrize("org", [STATION, BUREAU], ids=["station", "bureau"])
def test_a_real_database_is_refused_and_left_byte_for_byte(tmp_path, capsys, org):
    db = tmp_path / "real.db"
    station.init(db, org, head=HEAD)
    before, listing = digest(db), files(tmp_path)
    rc, out, err = ygt(capsys, *small(db))
    assert rc == 1
    assert "不是 ygt demo 生成的演示数据库" in err and "未做任何改动" in err
    assert "Traceback" not in err
    assert digest(db) == before and files(tmp_path) == listing


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path, capsys):
    db = tmp_path / "notes.db"
    db.write_text("病人名单", encoding="utf-8")
    rc, _out, err = ygt(capsys, *small(db))
    assert rc == 1 and "不是 ygt demo 生成的演示数据库" in err
    assert db.read_text(encoding="utf-8") == "病人名单" and files(tmp_path) == ["notes.db"]


def test_generate_refuses_an_unmarked_station_through_the_ops_layer(tmp_path):
    db = tmp_path / "real.db"
    station.init(db, STATION, head=HEAD)
    with station.opened(db, login=HEAD) as run:
        with pytest.raises(demo.NotADemo, match="不是 ygt demo"):
            demo.generate(run, residents=10, seed=1, year=2026, today=TODAY)
        assert run.ws.store.conn.execute("SELECT count(*) FROM residents").fetchone()[0] == 0
        assert not demo.is_demo(run.ws)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--residents", "-5"], "居民人数应在 1–500000 之间"),
        (["--residents", "0"], "居民人数应在 1–500000 之间"),
        (["--residents", "600000"], "居民人数应在 1–500000 之间"),
        (["--residents", "十"], "居民人数应为整数"),
        (["--villages", "0"], "居委/村委数应在 1–99 之间"),
        (["--villages", "100"], "居委/村委数应在 1–99 之间"),
        (["--seed", "-1"], "随机种子应在"),
        (["--year", "1999"], "数据年份应在 2000–2100 之间"),
        (["--year", "99999"], "数据年份应在 2000–2100 之间"),
        (["--today", "2026-02-30"], "YYYY-MM-DD"),
        (["--today", "2025-12-31"], "--today 2025-12-31 不合理"),
        (["--today", "2031-01-01"], "--today 2031-01-01 不合理"),
    ],
)
def test_every_argument_is_checked_before_anything_is_written(tmp_path, capsys, args, words):
    db = tmp_path / "new.db"
    rc, _out, err = ygt(capsys, *small(db, *args))
    assert rc == 2
    assert words in err, err
    assert files(tmp_path) == []  # not even an empty file


def test_the_ops_layer_checks_the_arguments_too(tmp_path, seen):
    db = tmp_path / "new.db"
    with station.opened(db, create=True) as run:
        with pytest.raises(OpError, match="居民人数应在.*数据年份应在"):
            demo.generate(run, residents=-1, seed=1, year=1900, today=TODAY)
        assert not demo.is_demo(run.ws)


def test_the_default_today_is_within_the_year():
    assert demo.today_problem(demo.default_today(2030), 2030) is None
    assert demo.today_problem(demo.default_today(2001), 2001) is None
    assert demo.default_today(dt.date.today().year) == dt.date.today()


def test_a_failure_leaves_no_half_made_database(tmp_path, capsys, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("磁盘坏了")

    monkeypatch.setattr(demo, "load_demo_equipment", broken)
    db = tmp_path / "demo.db"
    rc, _out, err = ygt(capsys, *small(db))
    assert rc == 1 and "磁盘坏了" in err and "Traceback" not in err
    assert files(tmp_path) == ["ygt-error.log"]  # the details, for whoever helps


def test_an_interrupt_leaves_no_half_made_database(tmp_path, monkeypatch):
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "demo_contracts", interrupted)
    db = tmp_path / "demo.db"
    with pytest.raises(KeyboardInterrupt):
        cli.main(small(db))
    assert files(tmp_path) == []


def test_a_failure_on_an_earlier_demo_keeps_that_demo(tmp_path, capsys, monkeypatch):
    db = tmp_path / "demo.db"
    assert ygt(capsys, *small(db))[0] == 0

    def broken(*_a, **_k):
        raise RuntimeError("磁盘坏了")

    monkeypatch.setattr(demo, "load_demo_equipment", broken)
    assert ygt(capsys, *small(db))[0] == 1
    assert db.is_file() and demo.file_is_demo(db)


def test_a_new_demo_file_can_be_named_as_another_station(tmp_path, capsys):
    db = tmp_path / "s2.db"
    named = ["--org-code", "530102002", "--org-name", "五华区第2社区卫生服务站"]
    rc, _out, err = ygt(capsys, *small(db, *named))
    assert rc == 0, err
    with station.opened(db) as run:
        org = run.ws.organisation
    assert org is not None and (org.code, org.name, org.parent_code) == (
        "530102002", "五华区第2社区卫生服务站", "530102",
    )  # fmt: skip
    rc, _out, err = ygt(capsys, *small(tmp_path / "bad.db", "--org-code", "12345"))
    assert rc == 2 and "机构代码" in err and not (tmp_path / "bad.db").exists()
