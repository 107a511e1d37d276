"""The bureau's operations called directly (issue 10): each checks its permission first
(and with it refused, nothing is read, stored or written), reports progress, stops
between files or members on a cancel — what was stored or written before stays, whole,
and no half-written file is left — and explains failures in Chinese."""

from __future__ import annotations

import pytest

from tests.bureau_helpers import (
    PERIOD,
    STATIONS,
    bureau_workspace,
    incoming,
    station_report,
    write_station,
)
from ygt_desktop.ops import bureau as ops
from ygt_desktop.ops.base import Actor, OpCancelled, PermissionRefused, Run
from ygt_desktop.reports.atomic import ExportError
from ygt_desktop.storage import roster, submissions
from ygt_desktop.storage.db import StoreError

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)


class Recorder:
    """A run's progress, and a cancel that the test turns on from inside a step."""

    def __init__(self, stop_when=None) -> None:
        self.steps: list[tuple[int, int, str]] = []
        self.stop_when = stop_when
        self.stopped = False

    def progress(self, done: int, total: int, text: str) -> None:
        self.steps.append((done, total, text))
        if self.stop_when is not None and self.stop_when(text):
            self.stopped = True

    def cancelled(self) -> bool:
        return self.stopped

    def run(self, ws) -> Run:
        return Run(ws, Actor("汇总员", "审核员"), self.progress, self.cancelled)


def counts(ws) -> tuple[int, int]:
    conn = ws.store.conn
    return (
        conn.execute("SELECT count(*) FROM bureau_submissions").fetchone()[0],
        conn.execute("SELECT count(*) FROM bureau_import_log").fetchone()[0],
    )


def leftovers(folder):
    return [p.name for p in folder.rglob("*.part")]


def stick(tmp_path, n: int = 3):
    usb = tmp_path / "usb"
    for i in range(1, n + 1):
        write_station(station_report(i), usb)
    return usb


@pytest.fixture
def asked(monkeypatch):
    """Every permission asked for, by name (and allowed)."""
    names: list[str] = []
    monkeypatch.setattr(Run, "require", lambda self, name: names.append(name))
    return names


@pytest.fixture
def refused(monkeypatch):
    def refuse(self, name):
        raise PermissionRefused(f"当前用户无权执行此操作（{name}）")

    monkeypatch.setattr(Run, "require", refuse)


def test_import_reports_progress_and_asks_permission(bureau_ws, tmp_path, asked):
    rec = Recorder()
    result = ops.import_workbooks(rec.run(bureau_ws), [stick(tmp_path)], periods=[PERIOD])
    assert asked == ["bureau.import"]
    assert result.count(submissions.ACCEPTED) == 3 and not result.cancelled
    texts = [t for _d, _n, t in rec.steps]
    assert texts[0] == "正在查找工作簿…"
    assert sum(t.startswith("正在读取") for t in texts) == 3
    assert sum(t.startswith("正在保存") for t in texts) == 3
    assert rec.steps[-1][0] == rec.steps[-1][1] == 6


def test_a_cancel_while_storing_keeps_the_files_stored_before(bureau_ws, tmp_path):
    rec = Recorder(stop_when=lambda text: text.startswith("正在保存"))
    result = ops.import_workbooks(rec.run(bureau_ws), [stick(tmp_path)])
    assert result.cancelled and result.not_done == 2
    assert len(submissions.current(bureau_ws.store, str(PERIOD))) == 1  # whole, and kept
    assert [r.outcome for r in result.results] == [submissions.ACCEPTED]
    assert "已取消，2 个文件未处理" in result.summary()
    assert "取消前已保存的保留" in result.summary()
    # Importing the stick again adds the rest; the one already stored is a duplicate.
    again = ops.import_workbooks(Run.plain(bureau_ws), [tmp_path / "usb"])
    assert again.count(submissions.ACCEPTED) == 2 and again.count(submissions.DUPLICATE) == 1


def test_a_cancel_while_reading_stores_nothing(bureau_ws, tmp_path):
    rec = Recorder(stop_when=lambda text: text.startswith("正在读取"))
    result = ops.import_workbooks(rec.run(bureau_ws), [stick(tmp_path)])
    assert result.cancelled and result.not_done == 2
    assert counts(bureau_ws) == (0, 0)


def test_a_cancel_before_anything_raises(bureau_ws, tmp_path):
    rec = Recorder()
    rec.stopped = True
    with pytest.raises(OpCancelled, match="已取消"):
        ops.import_workbooks(rec.run(bureau_ws), [stick(tmp_path)])
    assert counts(bureau_ws) == (0, 0)


def test_roster_import_and_export(bureau_ws, tmp_path, asked):
    good = tmp_path / "名册.csv"
    good.write_bytes("机构代码,机构名称,级别\r\n530102009,新站,站\r\n".encode("gbk"))
    rec = Recorder()
    done = ops.import_roster(rec.run(bureau_ws), good)
    assert done.added == ["530102009"] and rec.steps[-1] == (2, 2, "完成")
    out = tmp_path / "out.csv"
    assert ops.export_members(Run.plain(bureau_ws), out) == 6
    assert out.read_text("utf-8-sig").count("\n") == 7
    assert [m.code for m in ops.members(Run.plain(bureau_ws), search="新站")] == ["530102009"]
    assert asked == ["bureau.roster.import", "bureau.roster.export", "bureau.roster.view"]


def test_a_wrong_roster_is_refused_in_chinese_and_changes_nothing(bureau_ws, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("机构代码,机构名称,级别\r\n530102009,新站,所\r\n".encode("gbk"))
    with pytest.raises(ops.RosterRefused) as caught:
        ops.import_roster(Run.plain(bureau_ws), bad)
    assert str(caught.value).startswith("名册 bad.csv 未导入，请改正后重新导入：\n")
    assert "第2行：级别“所”不对" in caught.value.detail
    assert len(roster.members(bureau_ws.store)) == 5


def test_status_export_is_whole_or_nothing(bureau_ws, tmp_path, asked):
    submissions.record(bureau_ws.store, incoming(station_report(1)))
    rec = Recorder()
    out = tmp_path / "status.xlsx"
    found = ops.export_status(rec.run(bureau_ws), PERIOD, out, deadline_day=31)
    assert out.exists() and found.deadline.isoformat() == "2026-10-31"
    assert [s[:2] for s in rec.steps] == [(0, 2), (1, 2), (2, 2)]
    with pytest.raises(ExportError, match="不存在"):
        ops.export_status(Run.plain(bureau_ws), PERIOD, tmp_path / "gone" / "s.csv")
    assert leftovers(tmp_path) == []
    assert asked == ["bureau.status.export"] * 2


def test_district_report_files_and_a_cancel_between_them(bureau_ws, tmp_path, asked):
    with pytest.raises(ops.NothingToSum, match="2026年第3季度还没有接收到任何成员机构的工作簿"):
        ops.write_report(Run.plain(bureau_ws), PERIOD, xlsx=tmp_path / "none.xlsx")
    assert not (tmp_path / "none.xlsx").exists()
    for n in (1, 2):
        submissions.record(bureau_ws.store, incoming(station_report(n)))
    xlsx, pdf = tmp_path / "d.xlsx", tmp_path / "d.pdf"
    rec = Recorder()
    files = ops.write_report(rec.run(bureau_ws), PERIOD, xlsx=xlsx, pdf=pdf)
    assert files.written == [xlsx, pdf] and pdf.read_bytes().startswith(b"%PDF")
    assert [s[:2] for s in rec.steps] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    xlsx.unlink()
    pdf.unlink()
    # Stop once the workbook is on its way: it is written whole, the PDF not at all.
    rec = Recorder(stop_when=lambda text: "汇总工作簿" in text)
    with pytest.raises(OpCancelled):
        ops.write_report(rec.run(bureau_ws), PERIOD, xlsx=xlsx, pdf=pdf)
    assert xlsx.exists() and not pdf.exists() and leftovers(tmp_path) == []
    assert ops.district_report(Run.plain(bureau_ws), PERIOD).used
    assert asked == ["bureau.report.export"] * 3 + ["bureau.report.view"]


def test_receipts_stop_between_members(bureau_ws, tmp_path, asked):
    for n in (1, 2, 3):
        submissions.record(bureau_ws.store, incoming(station_report(n)))
    folder = tmp_path / "回执"
    rec = Recorder(stop_when=lambda text: "（1/3）" in text)
    done = ops.write_receipts(rec.run(bureau_ws), PERIOD, folder)
    assert done.cancelled and done.not_done == 2
    assert [p.name for p in folder.iterdir()] == [f"回执_{STATIONS[0][0]}_2026Q3.pdf"]
    assert done.written[0].read_bytes().startswith(b"%PDF")
    assert "已取消，2 份未生成" in done.summary()
    every = ops.write_receipts(Run.plain(bureau_ws), PERIOD, folder)
    assert len(every.written) == 3 and not every.cancelled and leftovers(folder) == []
    assert asked == ["bureau.receipts"] * 2


def test_with_permission_refused_nothing_is_read_stored_or_written(bureau_ws, tmp_path, refused):
    usb = stick(tmp_path, 1)
    good = tmp_path / "名册.csv"
    good.write_bytes("机构代码,机构名称,级别\r\n530102009,新站,站\r\n".encode("gbk"))
    out = tmp_path / "out"
    out.mkdir()
    run = Run.plain(bureau_ws)
    calls = [
        lambda: ops.import_workbooks(run, [usb]),
        lambda: ops.import_roster(run, good),
        lambda: ops.export_members(run, out / "m.csv"),
        lambda: ops.members(run),
        lambda: ops.status(run, PERIOD),
        lambda: ops.export_status(run, PERIOD, out / "s.xlsx"),
        lambda: ops.district_report(run, PERIOD),
        lambda: ops.write_report(run, PERIOD, xlsx=out / "d.xlsx", pdf=out / "d.pdf"),
        lambda: ops.write_receipts(run, PERIOD, out / "回执"),
    ]
    for call in calls:
        with pytest.raises(PermissionRefused, match="当前用户无权"):
            call()
    assert counts(bureau_ws) == (0, 0)
    assert len(roster.members(bureau_ws.store)) == 5
    assert list(out.iterdir()) == []


def test_a_station_database_is_refused(ws, tmp_path):
    with pytest.raises(StoreError, match="不是区、市级机构"):
        ops.import_workbooks(Run.plain(ws), [tmp_path])
    with pytest.raises(StoreError, match="不是区、市级机构"):
        ops.write_receipts(Run.plain(ws), PERIOD, tmp_path / "回执")
    assert not (tmp_path / "回执").exists()


def test_withdraw_asks_its_permission_and_is_audited(bureau_ws, tmp_path, asked):
    ops.import_workbooks(Run.plain(bureau_ws), [stick(tmp_path, 1)])
    sub = ops.withdraw(Run.plain(bureau_ws), STATIONS[0][0], PERIOD, 1, "数据报错，站点重报")
    assert asked == ["bureau.import", "bureau.withdraw"]
    assert sub.withdrawn and sub.withdrawn_reason == "数据报错，站点重报"
    assert submissions.current(bureau_ws.store, str(PERIOD)) == []
    row = bureau_ws.store.conn.execute(
        "SELECT action, reason FROM audit_log WHERE table_name = 'bureau_submissions' "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row[0] == "update" and "数据报错，站点重报" in row[1]
    with pytest.raises(ops.WithdrawFailed, match="撤销过"):
        ops.withdraw(Run.plain(bureau_ws), STATIONS[0][0], PERIOD, 1, "再撤")


@pytest.mark.parametrize("role", ["审核员", "管理员"])
def test_a_bureau_reviewer_and_admin_may_withdraw(bureau_ws, tmp_path, role):
    ops.import_workbooks(Run.plain(bureau_ws), [stick(tmp_path, 1)])
    run = Run(bureau_ws, Actor("某人", role), lambda *_a: None, lambda: False)
    assert ops.withdraw(run, STATIONS[0][0], PERIOD, 1, "错报").withdrawn


def test_withdraw_refused_changes_nothing(bureau_ws, tmp_path, ws):
    ops.import_workbooks(Run.plain(bureau_ws), [stick(tmp_path, 1)])
    nobody = Run(bureau_ws, Actor("路人", "录入员"), lambda *_a: None, lambda: False)
    with pytest.raises(PermissionRefused):
        ops.withdraw(nobody, STATIONS[0][0], PERIOD, 1, "错报")
    assert len(submissions.current(bureau_ws.store, str(PERIOD))) == 1
    with pytest.raises(StoreError, match="不是区、市级机构"):
        ops.withdraw(Run.plain(ws), STATIONS[0][0], PERIOD, 1, "错报")
