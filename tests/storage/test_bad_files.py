"""Files that are not (or no longer) a good database, as the clinic user meets them.

A wrong file chosen as the database is refused with a Chinese message and left as it
was; a damaged database opens read-only, never gets written, and ``ygt restore`` brings
back the newest good backup while keeping the damaged file aside; an older database is
backed up before it is upgraded.
"""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest

from ygt_desktop import cli
from ygt_desktop.storage import backup, migrations
from ygt_desktop.storage.db import (
    DamagedDatabaseError,
    DatabaseInUseError,
    NotADatabaseError,
    ReadOnlyStoreError,
    StoreError,
    connect,
)
from ygt_desktop.storage.organisation import Organisation, add_village, set_organisation
from ygt_desktop.storage.workspace import Workspace

PAGE = 4096
RESIDENT = {
    "name": "李四",
    "no_id_reason": "9",
    "sex": "1",
    "birth_date": "1960-05-01",
    "ethnicity": "01",
    "village_code": "101",
}
NOT_A_DATABASE = re.compile(r"不是.*数据库")


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = cli.main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def station_bytes(tmp_path: Path, forms) -> bytes:
    """The bytes of a small, sound station database (closed, WAL checkpointed)."""
    path = tmp_path / "source" / "good.db"
    ws = Workspace.open(path, create=True, forms=forms)
    set_organisation(ws.store, Organisation("530102001", "测试卫生室", "站", "530102"))
    add_village(ws.store, "101", "小坝村委会")
    for i in range(30):
        ws.residents.save({**RESIDENT, "name": f"李四{i:03d}"})
    ws.close(backup_on_exit=False)
    return path.read_bytes()


def bad_content(kind: str, tmp_path: Path, forms) -> bytes:
    if kind == "text":
        return "居民花名册\n张三,男,1960-01-01\n".encode()
    if kind == "png":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    if kind == "empty":
        return b""
    assert kind == "truncated"
    good = station_bytes(tmp_path, forms)
    assert len(good) > 4 * PAGE
    return good[: len(good) // 2 + 100]  # header intact, cut mid-page


BAD_KINDS = ["text", "png", "empty"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_wrong_file_is_refused_as_not_a_database(kind: str, tmp_path: Path, forms) -> None:
    path = tmp_path / "chosen.db"
    content = bad_content(kind, tmp_path, forms)
    path.write_bytes(content)

    with pytest.raises(NotADatabaseError) as info:
        Workspace.open(path, forms=forms)

    assert path.read_bytes() == content
    message = str(info.value)
    assert NOT_A_DATABASE.search(message), message
    assert "malformed" not in message


def test_truncated_database_is_reported_damaged_in_chinese(tmp_path: Path, forms) -> None:
    path = tmp_path / "chosen.db"
    content = bad_content("truncated", tmp_path, forms)
    path.write_bytes(content)
    try:
        ws = Workspace.open(path, forms=forms)
    except DamagedDatabaseError as exc:
        assert "已损坏或不完整" in str(exc)
        assert "malformed" not in str(exc)
    else:  # readable enough to look at: read-only, with the problems named
        assert ws.store.readonly and ws.store.problems
        ws.close(backup_on_exit=False)
    assert path.read_bytes() == content


@pytest.mark.parametrize("kind", ["text", "png", "empty", "truncated"])
def test_wrong_file_is_left_exactly_as_it_was(kind: str, tmp_path: Path, forms) -> None:
    path = tmp_path / "chosen.db"
    content = bad_content(kind, tmp_path, forms)
    path.write_bytes(content)

    with pytest.raises(StoreError) as first:
        Workspace.open(path, forms=forms)
    with pytest.raises(StoreError) as second:
        Workspace.open(path, forms=forms)

    assert path.read_bytes() == content
    # The refusal left no lock behind: trying again gives the same answer.
    assert type(second.value) is type(first.value)
    assert not isinstance(second.value, DatabaseInUseError)


CHECK_KINDS = ["text", "png", "empty", "truncated"]


@pytest.mark.parametrize("kind", CHECK_KINDS)
def test_check_command_refuses_wrong_file_in_chinese(
    kind: str, tmp_path: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "chosen.db"
    content = bad_content(kind, tmp_path, forms)
    path.write_bytes(content)

    rc, out, err = run_cli(capsys, "check", "--db", str(path))

    assert rc == 1
    assert "错误" in err or "损坏" in out
    assert has_chinese(err + out)
    assert path.read_bytes() == content


# ---- a damaged database -------------------------------------------------------------


def make_demo_station(path: Path, capsys: pytest.CaptureFixture[str], residents: int = 300):
    args = ["demo", "--db", str(path), "--residents", str(residents), "--seed", "11"]
    args += ["--year", "2024", "--today", "2024-12-31", "--villages", "3"]
    rc, _, err = run_cli(capsys, *args)
    assert rc == 0, err


def corrupt_pages(path: Path, first_page: int, seed: int = 5) -> bytes:
    """Overwrite pages ``first_page``..N with garbage (header page untouched)."""
    assert not path.with_name(path.name + "-wal").exists()
    data = bytearray(path.read_bytes())
    pages = len(data) // PAGE
    assert pages > first_page
    rng = random.Random(seed)
    for page in range(first_page, pages + 1):
        start = (page - 1) * PAGE
        data[start : start + PAGE] = rng.randbytes(PAGE)
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        assert rows != [("ok",)]
    except sqlite3.DatabaseError:
        pass
    finally:
        conn.close()
    return bytes(data)


@pytest.fixture
def damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, bytes]:
    """A station of 300 residents, backed up with ``ygt backup``, then damaged.

    The garbage starts after the first pages (schema, settings, organisation, villages),
    which every open reads, and covers the rest (residents and their search keys).
    """
    path = tmp_path / "卫生室" / "station.db"
    make_demo_station(path, capsys)
    rc, out, err = run_cli(capsys, "backup", "--db", str(path))
    assert rc == 0, err
    made = Path(out.strip().split("已备份到 ", 1)[1])
    assert made.is_file()
    pages = path.stat().st_size // PAGE
    conn = sqlite3.connect(path)
    last_root = conn.execute("SELECT max(rootpage) FROM sqlite_master").fetchone()[0]
    conn.close()
    content = corrupt_pages(path, max(last_root + 2, pages // 3))
    return path, made, content


def test_damaged_database_opens_read_only_and_is_never_written(
    damaged: tuple[Path, Path, bytes], forms
) -> None:
    path, _, content = damaged
    ws = Workspace.open(path, forms=forms)
    try:
        assert ws.store.readonly is True
        assert ws.store.problems
        with pytest.raises(ReadOnlyStoreError) as info:
            ws.residents.save(RESIDENT)
        assert isinstance(info.value, StoreError)
        assert "只读" in str(info.value)
        assert "备份" in str(info.value)
    finally:
        ws.close()
    assert path.read_bytes() == content


def test_check_names_newest_good_backup_and_restore_brings_it_back(
    damaged: tuple[Path, Path, bytes], forms, capsys: pytest.CaptureFixture[str]
) -> None:
    path, made, content = damaged
    newest = backup.list_backups(path)[0]
    assert newest.path == made and newest.reason == "手动"

    rc, out, _ = run_cli(capsys, "check", "--db", str(path))
    assert rc == 1
    assert "损坏" in out
    assert f"最近的完好备份：{made}" in out
    assert path.read_bytes() == content

    rc, out, err = run_cli(capsys, "restore", "--db", str(path), str(made))
    assert rc == 0, err
    assert "恢复" in out

    rc, out, err = run_cli(capsys, "check", "--db", str(path))
    assert rc == 0, out + err
    assert "完好" in out
    assert "居民档案：300 份" in out

    aside = [p for p in path.parent.iterdir() if ".replaced-" in p.name and "-wal" not in p.name]
    assert len(aside) == 1
    assert aside[0].read_bytes() == content

    ws = Workspace.open(path, forms=forms)
    try:
        assert not ws.store.readonly
        assert ws.residents.count() == 300
        ws.residents.save(RESIDENT)  # writable again
        assert ws.residents.count() == 301
    finally:
        ws.close(backup_on_exit=False)


def test_database_damaged_from_page_three_still_opens_read_only(
    tmp_path: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "station.db"
    make_demo_station(path, capsys, residents=200)
    content = corrupt_pages(path, 3)

    try:
        ws = Workspace.open(path, forms=forms)
    except StoreError as exc:  # a Chinese refusal would also be acceptable
        assert has_chinese(str(exc))
        assert not isinstance(exc, DatabaseInUseError)
    else:
        assert ws.store.readonly and ws.store.problems
        ws.close()
    # Whatever happened, the file is untouched and not left locked.
    assert path.read_bytes() == content
    try:
        again = Workspace.open(path, forms=forms)
    except DatabaseInUseError:
        pytest.fail("a failed open left the database locked")
    except StoreError:
        pass
    else:
        again.close()


# ---- migrations -------------------------------------------------------------------


def test_older_database_is_backed_up_before_upgrade(tmp_path: Path, forms) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrations.applied(conn)  # creates schema_migrations
    first = migrations.MIGRATIONS[0]
    conn.execute("BEGIN IMMEDIATE")
    first.apply(conn)
    conn.execute(
        "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
        (first.name, "2024-01-01T00:00:00+08:00"),
    )
    conn.execute("INSERT INTO villages (code, name) VALUES ('101', '老版本村委会')")
    conn.execute("COMMIT")
    conn.close()
    assert backup.list_backups(path) == []

    ws = Workspace.open(path, forms=forms)
    try:
        upgraded = [r[0] for r in ws.store.conn.execute("SELECT name FROM schema_migrations")]
        assert sorted(upgraded) == sorted(m.name for m in migrations.MIGRATIONS)
        assert ws.residents.count() == 0
    finally:
        ws.close()

    made = backup.list_backups(path)
    assert [b.reason for b in made] == ["升级前"]
    # The backup holds the database as it was before the upgrade.
    old = sqlite3.connect(f"{made[0].path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in old.execute("SELECT name FROM schema_migrations")]
        tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        village = old.execute("SELECT name FROM villages").fetchall()
    finally:
        old.close()
    assert names == [first.name]
    assert "residents" not in tables
    assert village == [("老版本村委会",)]


def test_a_folder_given_as_the_database_is_named_as_a_folder(tmp_path, capsys):
    """Not "无法写入磁盘": the user named a folder, and is told so; nothing is made in it."""
    folder = tmp_path / "data"
    folder.mkdir()
    assert cli.main(["worklist", "--db", str(folder)]) != 0
    err = capsys.readouterr().err
    assert "是一个文件夹，不是数据库文件" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []
