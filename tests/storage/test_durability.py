"""Saves survive what happens on a clinic PC: a killed program, a second window, a
full disk, a read-only file, a save that fails half-way.

The kill test runs ``crash_writer.py`` (beside this file) in a child process that saves
residents in a loop and prints each save it was told succeeded; the child is killed
at a random moment and every acknowledged save must still be there, complete.
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_USER
from ygt_desktop import cli
from ygt_desktop.core import idnumber, search
from ygt_desktop.storage import backup
from ygt_desktop.storage.db import DatabaseInUseError, StoreError, connect
from ygt_desktop.storage.residents import ResidentRepo, ValidationFailed
from ygt_desktop.storage.workspace import Workspace

WRITER = Path(__file__).with_name("crash_writer.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
IN_USE = "正被另一个程序窗口使用"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX")

RESIDENT = {
    "no_id_reason": "9",
    "sex": "1",
    "birth_date": "1968-09-30",
    "ethnicity": "01",
    "village_code": "101",
}


def resident(name: str, **more: str) -> dict[str, str]:
    return {**RESIDENT, "name": name, **more}


def valid_id_number(birth: str = "19680930", serial: str = "123") -> str:
    body = "530102" + birth + serial
    return body + idnumber.check_char(body)


def counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("residents", "audit_log", "resident_search")
    )


def integrity(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def station(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A new station database made by ``ygt init`` with village 101."""
    path = tmp_path / "卫生室" / "station.db"
    rc = cli.main(
        [
            "init", "--db", str(path), "--org-code", "530102001", "--org-name",
            "小坝村卫生室", "--org-level", "站", "--village", "101=小坝村委会",
        ]
    )  # fmt: skip
    capsys.readouterr()
    assert rc == 0
    return path


# ---- killed while saving ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_writer_left_running() -> Iterator[None]:
    yield
    Writer.kill_all()


class Writer:
    """``crash_writer.py`` in a child process, imported and waiting for ``go``."""

    started: list[Writer] = []

    def __init__(self, db_path: Path, tag: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), str(db_path), tag, "--wait"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
        )
        self.buffer = b""
        Writer.started.append(self)

    @classmethod
    def kill_all(cls) -> None:
        """Kill the writers a failed test left running."""
        while cls.started:
            proc = cls.started.pop().proc
            if proc.poll() is None:
                proc.kill()
            proc.communicate()

    def read_line(self, timeout: float = 20.0) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in self.buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self.kill()
                    pytest.fail(f"crash_writer gave no line in {timeout} s")
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    _, err = self.proc.communicate()
                    pytest.fail(f"crash_writer ended early: {err.decode(errors='replace')}")
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()

    def kill(self) -> list[tuple[int, str]]:
        """SIGKILL the child; return the saves it acknowledged (complete lines only)."""
        self.proc.send_signal(signal.SIGKILL)
        out, _ = self.proc.communicate(timeout=20)
        assert self.proc.returncode == -signal.SIGKILL
        lines = (self.buffer + out).split(b"\n")[:-1]  # a cut-off last line is not a save
        acked = []
        for raw in lines:
            text = raw.decode()
            if text == "opened":
                continue
            rid, name = text.split("\t")
            acked.append((int(rid), name))
        return acked


@posix_only
def test_every_acknowledged_save_survives_a_kill(station: Path, forms) -> None:
    rng = random.Random(20240601)
    runs = 25
    acked_all: dict[int, str] = {}
    started = time.monotonic()

    writer = Writer(station, "00")
    assert writer.read_line() == "ready"
    for run in range(runs):
        writer.go()
        assert writer.read_line() == "opened"
        # Prepare the next writer while this one saves: it imports, then waits for go.
        following = Writer(station, f"{run + 1:02d}") if run + 1 < runs else None
        time.sleep(rng.uniform(0.1, 0.6))
        acked = writer.kill()
        acked_all.update(acked)

        # The lock died with the process: the database opens at once.
        ws = Workspace.open(station, lock=True, forms=forms)
        try:
            conn = ws.store.conn
            assert integrity(conn) == ["ok"]
            stored = dict(conn.execute("SELECT id, name FROM residents").fetchall())
            for rid, name in acked_all.items():
                assert stored.get(rid) == name, f"run {run}: saved resident {rid} {name} lost"
            # At most the one save in flight at the kill can be there unacknowledged.
            assert 0 <= len(stored) - len(acked_all) <= run + 1
            for rid, name in acked:
                assert [r["id"] for r in ws.residents.search(name)] == [rid]
            # Every stored save is whole: search keys and audit entry came with the row.
            incomplete = conn.execute(
                "SELECT count(*) FROM residents r WHERE NOT EXISTS ("
                " SELECT 1 FROM resident_search s WHERE s.resident_id = r.id"
                " AND s.key = lower(r.name)) OR NOT EXISTS ("
                " SELECT 1 FROM audit_log a WHERE a.table_name = 'residents'"
                " AND a.record_id = r.id AND a.action = 'insert')"
            ).fetchone()[0]
            assert incomplete == 0
        finally:
            ws.close(backup_on_exit=False)
        if following is not None:
            assert following.read_line() == "ready"
            writer = following

    assert len(acked_all) >= runs  # the kills landed in the middle of saving
    assert time.monotonic() - started < 60


# ---- one program window per database ----------------------------------------------


def test_second_instance_is_refused_until_the_first_closes(
    station: Path, forms, capsys: pytest.CaptureFixture[str]
) -> None:
    first = Workspace.open(station, lock=True, forms=forms)
    try:
        with pytest.raises(DatabaseInUseError) as info:
            Workspace.open(station, lock=True, forms=forms)
        assert IN_USE in str(info.value)
        assert station.name in str(info.value)

        before = backup.list_backups(station)
        proc = subprocess.run(
            [sys.executable, "-m", "ygt_desktop.cli", "backup", "--db", str(station)],
            capture_output=True,
            env=child_env(),
            timeout=60,
        )
        assert proc.returncode == 1
        assert IN_USE in proc.stderr.decode("utf-8")
        assert backup.list_backups(station) == before

        first.residents.save(resident("王五"))  # the first window keeps working
    finally:
        first.close(backup_on_exit=False)

    second = Workspace.open(station, lock=True, forms=forms)
    try:
        assert second.residents.count() == 1
    finally:
        second.close(backup_on_exit=False)
    assert cli.main(["backup", "--db", str(station)]) == 0
    assert "已备份" in capsys.readouterr().out


@posix_only
def test_lock_does_not_outlive_a_killed_program(station: Path, forms) -> None:
    writer = Writer(station, "77")
    assert writer.read_line() == "ready"
    writer.go()
    assert writer.read_line() == "opened"
    with pytest.raises(DatabaseInUseError) as info:
        Workspace.open(station, lock=True, forms=forms)
    assert IN_USE in str(info.value)
    acked = writer.kill()

    ws = Workspace.open(station, lock=True, forms=forms)
    try:
        assert integrity(ws.store.conn) == ["ok"]
        assert {ws.residents.get(rid)["name"] for rid, _ in acked} == {n for _, n in acked}
    finally:
        ws.close(backup_on_exit=False)


# ---- disk full, read-only, failing half-way -----------------------------------------


@pytest.fixture
def station_ws(station: Path, forms) -> Iterator[Workspace]:
    ws = Workspace.open(station, lock=True, forms=forms)
    ws.store.user = TEST_USER
    for i in range(3):
        ws.residents.save(resident(f"赵六{i}"))
    yield ws
    ws.close(backup_on_exit=False)


def name_keys_stored(conn: sqlite3.Connection, name: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM resident_search WHERE key = ?", (search.normalise_query(name),)
    ).fetchone()[0]


def test_disk_full_during_save_leaves_nothing_half_written(station_ws: Workspace) -> None:
    ws = station_ws
    conn = ws.store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 3}")
    note = "患者自述既往有高血压病史多年，长期服药，血压控制尚可。" * 8

    failure = None
    for i in range(500):
        name = f"满盘{i:03d}"
        before = counts(conn)
        try:
            ws.residents.save(resident(name, note=note[:200]))
        except StoreError as exc:
            failure = (exc, name, before)
            break
    assert failure is not None, "the simulated disk never filled up"
    exc, name, before = failure
    assert not isinstance(exc, ValidationFailed)
    assert "磁盘空间已满" in str(exc)
    assert "未改变" in str(exc)
    assert counts(conn)[:2] == before[:2]  # residents, audit_log
    assert counts(conn) == before
    assert name_keys_stored(conn, name) == 0
    assert ws.residents.search(name) == []
    assert integrity(conn) == ["ok"]

    # Space freed: the same save now goes through.
    conn.execute("PRAGMA max_page_count = 1073741823")
    change = ws.residents.save(resident(name, note=note[:200]))
    assert [r["id"] for r in ws.residents.search(name)] == [change.record_id]


def test_read_only_database_refuses_save_in_chinese(station_ws: Workspace, station: Path) -> None:
    ws = station_ws
    writable = ws.store.conn
    before = counts(writable)
    ws.store.conn = connect(station, readonly=True)  # as if the file became read-only
    try:
        with pytest.raises(StoreError) as info:
            ws.residents.save(resident("孙七"))
    finally:
        ws.store.conn.close()
        ws.store.conn = writable
    assert not isinstance(info.value, ValidationFailed)
    assert "只读" in str(info.value)
    assert "未改变" in str(info.value)
    assert counts(writable) == before
    assert name_keys_stored(writable, "孙七") == 0
    assert integrity(writable) == ["ok"]


def test_duplicate_id_number_writes_nothing(station_ws: Workspace) -> None:
    ws = station_ws
    number = valid_id_number()
    first = ws.residents.save(resident("周八", id_number=number, no_id_reason=""))
    conn = ws.store.conn
    before = counts(conn)

    with pytest.raises(ValidationFailed) as info:
        ws.residents.save(resident("吴九", id_number=number, no_id_reason=""))
    assert "身份证号已登记" in str(info.value)
    assert "周八" in info.value.errors["id_number"]
    assert counts(conn) == before
    assert name_keys_stored(conn, "吴九") == 0
    assert [r["id"] for r in ws.residents.search(number)] == [first.record_id]


def test_failure_after_row_and_audit_are_written_rolls_everything_back(
    station_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = station_ws
    conn = ws.store.conn
    before = counts(conn)
    real_write_keys = ResidentRepo._write_keys

    def keys_then_io_error(self, conn, rid, values, archive_no):
        real_write_keys(self, conn, rid, values, archive_no)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ResidentRepo, "_write_keys", keys_then_io_error)
    with pytest.raises(StoreError) as info:
        ws.residents.save(resident("郑十"))
    assert "保存未完成" in str(info.value)
    assert counts(conn) == before
    assert name_keys_stored(conn, "郑十") == 0
    assert not conn.in_transaction

    monkeypatch.undo()
    ws.residents.save(resident("郑十"))
    assert counts(conn)[0] == before[0] + 1
