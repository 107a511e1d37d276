"""ops.vaccines: the 接种通知单 that ``ygt vaccines notice`` and the 打印接种通知单
dialog write.

Requirements held here: the notice of a village lists its children with a dose to give
and says how many children and doses in its summary; a reversed range, more than a
year, a file not named .pdf and an unknown village are each refused in Chinese naming
what is wrong, before anything is read or written; full phone numbers only for the
roles that may see them (a 录入员 asking is refused and audited, a 医生's full print is
audited); a disk that fails mid-write leaves no file, not even a temporary one, with a
Chinese reason; a cancel leaves nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.ops.ops_helpers import Seen, leftovers, watch
from tests.reports.test_vaccine_notice import child
from tests.storage.test_vaccine_doses import dose
from ygt_desktop.core import roles
from ygt_desktop.ops import vaccines
from ygt_desktop.ops.base import Actor, OpCancelled, PermissionRefused, Run
from ygt_desktop.reports import atomic
from ygt_desktop.reports.atomic import ExportError
from ygt_desktop.storage import audit

START, END = dt.date(2026, 6, 22), dt.date(2026, 7, 5)
PHONE = "13812345678"


@pytest.fixture
def station(ws):
    """小坝村委会 (101): 按时宝 (2 months, on time, a phone) and 漏种宝 (1 year, nothing
    given); 别村宝 in 大坝村委会 (102); 大孩子 (11 years) in 101 but past the schedule."""
    on_time = child(ws, "按时宝", "2026-04-20", phone=PHONE)
    for vaccine, day in (("hepb1", "2026-04-20"), ("bcg", "2026-04-21"), ("hepb2", "2026-05-20")):
        dose(ws, on_time, vaccine, day)
    child(ws, "漏种宝", "2025-06-01")
    child(ws, "别村宝", "2026-04-20", village="102")
    child(ws, "大孩子", "2015-01-01")
    return ws


@pytest.fixture
def folder(tmp_path) -> Path:
    """Where the notices go (the station's file is in tmp_path itself)."""
    out = tmp_path / "out"
    out.mkdir()
    return out


def run_as(ws, role: str = roles.HEAD, seen: Seen | None = None) -> Run:
    run = Run(ws, Actor(f"某{role}", role))
    return watch(run, seen) if seen is not None else run


def pdf_text(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages).replace(" ", "")


def test_the_notice_of_a_village_lists_its_children_and_counts_them(station, folder):
    seen = Seen()
    out = folder / "通知.pdf"
    done = vaccines.notice(run_as(station, seen=seen), "101", START, END, out)
    assert [c.name for c in done.children] == ["漏种宝", "按时宝"]  # by birth date
    assert done.doses == sum(len(c.doses) for c in done.children) and done.doses > 2
    assert 0 < done.late < done.doses and not done.full_phone
    assert done.summary == (
        f"已将小坝村委会 2026-06-22 至 2026-07-05 的接种通知单"
        f"（2 名儿童 {done.doses} 剂次）打印到 {out}"
    )
    text = pdf_text(out)
    assert "按时宝" in text and "漏种宝" in text
    assert "别村宝" not in text and "大孩子" not in text
    assert "138****5678" in text and PHONE not in text
    assert [(d, t) for d, t, _ in seen.progress] == [(0, 2), (1, 2), (2, 2)]
    assert leftovers(folder) == ["通知.pdf"]


def test_a_village_without_children_due_gets_an_empty_notice(station, folder):
    done = vaccines.notice(run_as(station), "001", START, END, folder / "空.pdf")
    assert done.children == [] and done.doses == 0
    assert "（0 名儿童 0 剂次）" in done.summary
    assert "本期无应种儿童" in pdf_text(folder / "空.pdf")


@pytest.mark.parametrize(
    ("village", "start", "end", "name", "words"),
    [
        ("999", START, END, "n.pdf", "没有代码为 999 的村（居）委会；本站有：001 龙泉路社区居委会"),
        ("101", END, START, "n.pdf", "结束日期 2026-06-22 不能早于开始日期 2026-07-05"),
        ("101", START, dt.date(2027, 6, 30), "n.pdf", "时间范围不能超过一年"),
        ("101", START, END, "n.txt", "通知单文件应为 .pdf 文件（现为 n.txt）"),
    ],
)
def test_a_wrong_request_is_refused_in_chinese_before_anything_is_written(
    station, folder, village, start, end, name, words
):
    with pytest.raises(vaccines.BadNotice, match=words.replace("(", r"\(")):
        vaccines.notice(run_as(station), village, start, end, folder / name)
    assert leftovers(folder) == []


def test_a_year_is_allowed(station, folder):
    year_end = START + dt.timedelta(days=vaccines.MAX_DAYS)
    done = vaccines.notice(run_as(station), "101", START, year_end, folder / "年.pdf")
    assert len(done.children) == 2


def test_a_data_entry_clerk_asking_for_full_phones_is_refused_and_audited(station, folder):
    out = folder / "n.pdf"
    run = run_as(station, roles.ENTRY)
    with pytest.raises(PermissionRefused, match="查看完整的电话号码"):
        vaccines.notice(run, "101", START, END, out, full_phone=True)
    refused = [e for e in audit.query(station.store.conn) if e.action == "refused"]
    assert refused and refused[0].user == f"某{roles.ENTRY}"
    assert not out.exists()
    masked = vaccines.notice(run, "101", START, END, out)  # masked: a 录入员's daily work
    assert len(masked.children) == 2 and PHONE not in pdf_text(out)


def test_a_doctor_prints_full_phones_and_the_print_is_audited(station, folder):
    out = folder / "n.pdf"
    done = vaccines.notice(run_as(station, roles.DOCTOR), "101", START, END, out, full_phone=True)
    assert done.full_phone and PHONE in pdf_text(out)
    exports = [e for e in audit.query(station.store.conn) if e.action == "export"]
    assert len(exports) == 1 and str(out) in (exports[0].new or "")


def test_a_disk_failing_mid_write_leaves_no_file_and_says_why(station, folder, monkeypatch):
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    out = folder / "n.pdf"
    with pytest.raises(ExportError, match="无法保存接种通知单.*磁盘空间已满.*未写入任何文件"):
        vaccines.notice(run_as(station), "101", START, END, out)
    assert leftovers(folder) == []  # the temporary file beside it removed too


def test_a_missing_folder_is_named(station, folder):
    out = folder / "拔出的U盘" / "n.pdf"
    with pytest.raises(ExportError, match="文件夹不存在"):
        vaccines.notice(run_as(station), "101", START, END, out)
    assert leftovers(folder) == []


def test_a_cancel_leaves_nothing(station, folder):
    seen = Seen()
    run = watch(run_as(station), seen, cancel_after=1)
    with pytest.raises(OpCancelled):
        vaccines.notice(run, "101", START, END, folder / "n.pdf")
    assert leftovers(folder) == []


def test_the_default_range_is_two_weeks_from_today():
    day = dt.date(2026, 11, 20)
    assert vaccines.default_range(today=day) == (day, dt.date(2026, 12, 3))
    assert vaccines.default_range(day, dt.date(2026, 11, 21)) == (day, dt.date(2026, 11, 21))
