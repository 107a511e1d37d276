"""Issue 15: the line lists streamed from the database into the file.

Requirements held here: a value's cell is remembered down a column, yet equal values
of two types (1, 1.0, True) keep their own cells, in every batch of rows; a form list's
rows stay in the database until written and read as a sequence like any other (index,
slice, length); the whole export sees the records as they were when it began, whatever
another connection saves meanwhile; a cancel or a full disk in the middle leaves no
file, no open transaction and no writing thread behind.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.reports.report_helpers import raw_sheets
from tests.reports.test_line_lists_same import assert_same
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import demo
from ygt_desktop.ops.base import Run
from ygt_desktop.ops.station import opened
from ygt_desktop.reports import line_lists_export
from ygt_desktop.reports.atomic import ExportError
from ygt_desktop.reports.line_lists import BATCH_ROWS, LineList, Stored, write_line_lists
from ygt_desktop.storage.indicators import Indicators
from ygt_desktop.storage.reporting import Reporting
from ygt_desktop.storage.workspace import Workspace

Q3 = Period.parse("2026Q3")


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo station of 300 residents, made once for the module (copied per test)."""
    path = tmp_path_factory.mktemp("station") / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Run, "require", lambda self, perm: None)
        with opened(path, create=True) as run:
            demo.generate(run, residents=300, seed=5, year=2026, today=dt.date(2026, 11, 20))
    return path


@pytest.fixture
def demo_ws(station: Path, tmp_path: Path) -> Any:
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(station)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    ws = Workspace.open(copy, lock=False)
    yield ws
    ws.close(backup_on_exit=False)


def deflating() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "xlsx-deflate"]


def test_equal_values_of_other_types_keep_their_own_cells(tmp_path):
    # One batch of ints, one of floats, one of booleans, one of texts, then all mixed:
    # a column's remembered cells never hand 1's cell to 1.0 or True.
    values: list[Any] = [1] * BATCH_ROWS + [1.0] * BATCH_ROWS + [True] * BATCH_ROWS
    values += ["1"] * BATCH_ROWS + [1, 1.0, True, "1", None, ["1"], 0, False, 0.0] * 60
    rows = [{"t": v, "n": v} for v in values]
    lst = LineList("类型", ("t", "n"), ("文本", "数"), rows, {"t": "text", "n": "decimal"})
    assert_same([lst], tmp_path)
    cells = raw_sheets(tmp_path / "fast.xlsx")["类型"][1]
    shown = [cells[(3 + n, 1)].value for n in (0, BATCH_ROWS, 2 * BATCH_ROWS, 3 * BATCH_ROWS)]
    assert shown == ["1", "1.0", "是", "1"]
    assert (
        cells[(3 + BATCH_ROWS, 2)].kind == "number" and cells[(3 + 2 * BATCH_ROWS, 2)].value == "是"
    )


def test_a_form_list_reads_like_a_sequence(demo_ws):
    ix = Indicators(demo_ws.store, demo_ws.forms, Reporting(demo_ws).template, None)
    ix.at(Q3)
    made = line_lists_export.form_list(demo_ws, ix, "htn_followup")
    assert made is not None
    rows = made.rows
    assert isinstance(rows, Stored) and not isinstance(rows, list)
    whole = list(rows)
    assert len(whole) == len(rows) > 10 and bool(rows)
    assert rows[0] == whole[0] and rows[-1] == whole[-1] and rows[5] == whole[5]
    assert list(rows[3:9]) == whole[3:9] and list(rows[::4]) == whole[::4]
    assert list(rows[len(whole) - 2 : len(whole) + 5]) == whole[-2:]
    with pytest.raises(IndexError):
        rows[len(whole)]
    # the batches hold the values as stored, one per column, in the list's order
    stored = [r for batch in rows.batches() for r in batch]
    assert len(stored) == len(whole) and all(len(r) == len(made.fields) for r in stored)


def test_the_export_sees_the_records_as_they_were_when_it_began(demo_ws, tmp_path):
    before = tmp_path / "before.xlsx"
    line_lists_export.write(demo_ws, Q3, before)
    other = sqlite3.connect(demo_ws.store.path, isolation_level=None)
    calls = 0

    def meanwhile() -> None:
        # another window saves while the lists are being written
        nonlocal calls
        calls += 1
        if calls == 1:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE residents SET name = '改了名字'")
            other.execute("UPDATE service_records SET deleted = 1 WHERE form_id = 'htn_followup'")
            other.execute("COMMIT")

    during = tmp_path / "during.xlsx"
    line_lists_export.write(demo_ws, Q3, during, checkpoint=meanwhile)
    other.close()
    assert calls > 1 and not demo_ws.store.conn.in_transaction
    assert raw_sheets(during) == raw_sheets(before)
    after = tmp_path / "after.xlsx"
    line_lists_export.write(demo_ws, Q3, after)
    assert "改了名字" in str(raw_sheets(after)) and "高血压随访" not in raw_sheets(after)


class Cancelled(Exception):
    pass


def test_a_cancel_in_the_middle_leaves_nothing_behind(demo_ws, tmp_path):
    calls = 0

    def cancel_later() -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise Cancelled

    out = tmp_path / "out" / "花名册.xlsx"
    out.parent.mkdir()
    with pytest.raises(Cancelled):
        line_lists_export.write(demo_ws, Q3, out, checkpoint=cancel_later)
    assert calls == 4 and not list(out.parent.iterdir())
    assert not deflating() and not demo_ws.store.conn.in_transaction


def test_a_disk_filling_up_while_writing_is_a_chinese_error_and_leaves_nothing(
    tmp_path, monkeypatch
):
    real_fdopen = os.fdopen

    class FillsUp:
        """A file on a disk that is full after 40 kB."""

        def __init__(self, fh: Any) -> None:
            self.fh = fh
            self.written = 0

        def write(self, data: bytes) -> int:
            self.written += len(data)
            if self.written > 40_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return int(self.fh.write(data))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.fh, name)

        def __enter__(self) -> FillsUp:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

    monkeypatch.setattr(os, "fdopen", lambda *a, **kw: FillsUp(real_fdopen(*a, **kw)))
    rows = [{"a": f"{n * 7919 % 100_003:06d}-{n}", "b": n * 1.5} for n in range(20_000)]
    lst = LineList("名单", ("a", "b"), ("甲", "乙"), rows, {"b": "decimal"})
    out = tmp_path / "花名册.xlsx"
    with pytest.raises(ExportError, match="磁盘空间已满") as info:
        write_line_lists([lst], out)
    assert "未写入任何文件" in str(info.value)
    assert not list(tmp_path.iterdir()) and not deflating()


def test_a_registers_list_counts_and_reads_the_followups_as_one_pass_over_them_does(demo_ws):
    """Face-to-face follow-ups in the window and the latest one's date and readings (the
    later entry on one day) per patient, as a plain pass over the records finds them."""
    ix = Indicators(demo_ws.store, demo_ws.forms, Reporting(demo_ws).template, None)
    ix.at(Q3)
    checked = 0
    for key, (columns, reading) in line_lists_export.READINGS.items():
        followup = demo_ws.forms.followup_form(key)
        register = demo_ws.forms.register_forms()[key]
        made = line_lists_export.register_list(
            demo_ws, ix, register.id, followup.id, key, columns, reading
        )
        assert made is not None
        face: dict[int, int] = {}
        latest: dict[int, tuple[str, tuple[Any, ...]]] = {}
        for _, rid, day, method, *values in ix.rows(followup.id, "d.visit_method, " + columns):
            face[rid] = face.get(rid, 0) + (method in ("1", "2"))
            if rid not in latest or day >= latest[rid][0]:
                latest[rid] = (day, tuple(values))
        by_archive = {
            n: rid for rid, n in demo_ws.store.conn.execute("SELECT id, archive_no FROM residents")
        }
        for row in made.rows:
            rid = by_archive[row["archive_no"]]
            day, values = latest.get(rid, (None, (None,) * len(reading)))
            assert row["face_to_face"] == face.get(rid, 0) and row["last_visit"] == day
            assert tuple(row[k] for k, _, _ in reading) == values
            checked += 1
    assert checked > 20
