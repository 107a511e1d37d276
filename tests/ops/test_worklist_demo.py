"""待办随访 on a generated demo station (issue 12, point 6: "this week" listed 1,286
people and 1,930 items, mostly year-long; printing a month took 90 pages).

Requirements held here: the default view (到期) has no year-long item, only windows
ending in the week or overdue; every overdue chronic follow-up still open (not done,
nothing recorded since) is in it; every label names its programme; one line per
resident with all their items; the 本年未做 counts equal a direct count in the
database; a week of the station prints in a page or two (far fewer than the old list);
the CSV keeps one row per item.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.worklist_demo import TODAY, WEEK, make_demo, opened_copy
from ygt_desktop.core import schedules as sch
from ygt_desktop.core.programmes import REGISTERS
from ygt_desktop.ops import worklist
from ygt_desktop.ops.base import OpError, Run
from ygt_desktop.reports.worklist_rows import not_done_counts
from ygt_desktop.storage.worklist import (
    ALL_VIEW,
    OVERDUE_DAYS,
    YEARLY_FORMS,
    YEARLY_VIEW,
)

ACT_ON = [sch.DUE, sch.OVERDUE]  # the page's default 状态
# Measured: 32 people on 2 pages for this station's week (the 全部 view: 74 on 4 pages).
MAX_PAGES = 3


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("worklist") / "demo.db")


@pytest.fixture
def run(demo_file: Path, tmp_path: Path) -> Iterator[Run]:
    with opened_copy(demo_file, tmp_path) as opened_run:
        yield opened_run


def query(view: str | None = None, **kw) -> worklist.Query:
    extra = {"view": view} if view else {}
    return worklist.Query(*WEEK, TODAY, statuses=ACT_ON, **extra, **kw)


def test_the_default_view_is_what_is_due_or_overdue_now(run):
    listing = worklist.items(run, query())
    assert listing.query.view == "到期" and listing.filters.startswith("视图：到期和逾期")
    items = listing.items
    assert items and {i.status for i in items} == {sch.DUE, sch.OVERDUE}
    assert not any(i.due.programme in YEARLY_FORMS for i in items)
    for i in items:
        assert WEEK[0] <= i.due.end <= WEEK[1] or i.status == sch.OVERDUE, i
        # a vaccine dose is named by its vaccine (白破疫苗第1剂…), the others by their service
        named = "疫苗" if i.due.programme == "vaccine" else sch.programme_name(i.due.programme)
        assert named in i.due.label, i.due.label
    everything = worklist.items(run, query(ALL_VIEW)).items
    assert len({i.resident["id"] for i in items}) * 2 < len({i.resident["id"] for i in everything})


def test_every_open_overdue_chronic_follow_up_is_in_it(run):
    ws = run.ws
    lookback = WEEK[0] - dt.timedelta(days=OVERDUE_DAYS)
    overdue = [
        i
        for i in ws.worklist.items(lookback, WEEK[1], TODAY, view=ALL_VIEW)
        if i.due.programme in REGISTERS and i.status == sch.OVERDUE and i.due.end >= lookback
    ]

    def seen_since(item) -> bool:
        return ws.store.conn.execute(
            "SELECT count(*) FROM service_records WHERE deleted = 0 AND resident_id = ? "
            "AND form_id = ? AND service_date > ? AND service_date <= ?",
            (item.resident["id"], item.due.form_id, item.due.end.isoformat(), TODAY.isoformat()),
        ).fetchone()[0]

    def key(item) -> tuple[int, str, dt.date]:
        return item.resident["id"], item.due.label, item.due.end

    still_open = {key(i) for i in overdue if not seen_since(i)}
    assert still_open and len(still_open) < len(overdue)  # some were seen late
    shown = {key(i) for i in worklist.items(run, query()).items}
    assert still_open <= shown
    assert not {key(i) for i in overdue if seen_since(i)} & shown


def test_one_line_per_resident_with_all_their_items(run):
    listing = worklist.items(run, query())
    lines = listing.lines
    assert len(lines) == len({i.resident["id"] for i in listing.items})
    assert sum(len(line.items) for line in lines) == len(listing.items)
    assert any(len(line.items) > 1 for line in lines)
    for line in lines:
        assert {i.resident["id"] for i in line.items} == {line.id}
        assert line.status == (sch.OVERDUE if any(i.status == sch.OVERDUE for i in line.items)
                               else sch.DUE)  # fmt: skip
    statuses = [line.status for line in lines]
    assert statuses == sorted(statuses, key=[sch.OVERDUE, sch.DUE].index)  # 逾期 first


@pytest.mark.parametrize(("programme", "form_id"), sorted(YEARLY_FORMS.items()))
def test_the_yearly_counts_equal_a_direct_count(run, programme, form_id):
    listing = worklist.items(run, worklist.Query(*WEEK, TODAY, view=YEARLY_VIEW))
    assert {i.due.programme for i in listing.items} == set(YEARLY_FORMS)
    plan = run.ws.forms[form_id].settings["schedule"]
    direct = _not_done_this_year(run.ws, form_id, plan["min_age"], plan.get("registers", ()))
    name = sch.programme_name(programme)
    assert direct > 0
    assert not_done_counts(listing.items)[name] == direct
    assert f"{name} {direct} 人未做" in listing.counts


def _not_done_this_year(ws, form_id: str, min_age: int, registers) -> int:
    """Residents on file due this year — from their ``min_age`` birthday, or while a
    patient of one of ``registers`` — with no record of ``form_id`` from the start of
    that (in the year) up to the year's end, and not all of whose spans ended before it."""
    first, last = f"{TODAY.year}-01-01", f"{TODAY.year}-12-31"
    spans = [
        f"SELECT id AS rid, date(birth_date, '+{int(min_age)} years') AS a, NULL AS b "
        "FROM residents WHERE deleted = 0"
    ]
    for key in registers:
        table = ws.forms.register_forms()[key].table
        spans.append(
            "SELECT h.resident_id, h.service_date, d.closed_date FROM service_records h "
            f"JOIN {table} d ON d.record_id = h.id WHERE h.deleted = 0 AND h.form_id = "
            f"'{ws.forms.register_forms()[key].id}'"
        )
    return ws.store.conn.execute(
        f"WITH spans AS ({' UNION ALL '.join(spans)}), "
        "inside AS (SELECT * FROM spans WHERE a <= :last AND (b IS NULL OR b >= :first)), "
        "per AS (SELECT rid, max(:first, min(a)) AS start, "
        "sum(b IS NULL OR b >= :last) AS still FROM inside GROUP BY rid) "
        "SELECT count(*) FROM per JOIN residents r ON r.id = per.rid "
        "WHERE r.deleted = 0 AND r.status = '在档' AND still > 0 AND NOT EXISTS "
        "(SELECT 1 FROM service_records s WHERE s.resident_id = per.rid AND s.form_id = :form "
        "AND s.deleted = 0 AND s.service_date BETWEEN per.start AND :last)",
        {"first": first, "last": last, "form": form_id},
    ).fetchone()[0]


def test_a_week_prints_in_a_page_or_two_and_the_csv_keeps_one_row_per_item(run, tmp_path):
    pdf, table = tmp_path / "本周.pdf", tmp_path / "本周.csv"
    done = worklist.export(run, query(), pdf=pdf, csv=table)
    pages = PdfReader(pdf).pages
    assert len(pages) <= MAX_PAGES
    text = "\n".join(p.extract_text() for p in pages)
    assert "视图：到期和逾期" in text and "待办项目" in text and "最早截止" in text
    for line in done.listing.lines:
        assert text.count(line.resident["name"]) >= 1
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert len(rows) == len(done.listing.items) > len(done.listing.lines)
    assert {r["服务"] for r in rows} <= set(sch.PROGRAMME_NAMES.values())

    whole = tmp_path / "全部.pdf"
    worklist.export(run, query(ALL_VIEW), pdf=whole)
    assert len(PdfReader(whole).pages) > len(pages)


def test_a_view_names_its_file_and_an_unknown_view_is_refused(run):
    assert query().file_name(".pdf") == "待办随访_2026-11-23至2026-12-06.pdf"
    assert query(YEARLY_VIEW).file_name(".csv") == "待办随访_本年未做_2026-11-23至2026-12-06.csv"
    with pytest.raises(OpError, match="视图应为"):
        worklist.items(run, query("过期"))
