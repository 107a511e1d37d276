"""Quarterly report and line-list benchmark (issues 5 and 15): all indicators of a
quarter, the workbook and the PDF, and the quarter's line lists (花名册), on a big demo
station, each beside a bare baseline from the same run.

Run from the repository root (the package installed, ``pip install -e .[test]``)::

    python benchmarks/bench_report.py                         # 100,000 residents
    python benchmarks/bench_report.py --db station.db         # an existing demo database
    python benchmarks/bench_report.py --residents 265000      # about 1,000,000 records

The station is made by the real ``ygt demo --residents N --seed 7 --year 2026
--today 2026-11-20`` in a fresh ``ygt-bench-*`` folder (removed at the end unless
``--keep``); with ``--db`` that file is copied there first and never written to.

Figures (period 2026Q3, year to date; median and worst of ``--repeats`` runs):

1. All indicators after a day's entries (target < 1 s, issue 15):
   ``Reporting(ws).compute(period)`` with a new ``Reporting`` each run, the quarter's
   figures kept in the file (:mod:`ygt_desktop.storage.report_kept`) and
   :data:`DAY` residents changed since (their latest record saved again, which marks
   them as any save does): every indicator of the template with the residents behind
   it.
6. All indicators computed whole (no target; before issue 15's kept report this was
   figure 1, target < 2 s): nothing kept (``report_kept`` emptied first) — the first
   report of a quarter, or after the template, the base data or the schedules changed.
   It keeps the quarter for the next.
7. All indicators, nothing changed since the kept figures (no target).
8. All indicators after :data:`MANY` residents changed (no target): a busy week.
2. Workbook + PDF (target < 2 s): ``write_workbook`` and ``write_report_pdf`` of the
   computed report, the PDF with its chart of the year's earlier quarters (their main
   rates computed for it), each file written atomically as the page does.
3. Workbook + PDF without the chart (no target): the files alone.

4. Line lists (target < 10 s per 100,000 rows: the time is scaled to that many rows,
   the note gives the whole export's): ``line_lists_export.write`` of 2026Q3 (every list of
   the quarter: the registers' patients and every service form's records, IDs and
   phones masked) to an ``.xlsx``, in a child process started for each run (time from
   the call to the file on disk). Baseline: the same rows read the same way — the
   lists built again and each read as the writer reads it (``stored_batches``: the
   query's tuples in batches, the values as stored) — written with the ``csv`` module
   without any conversion, in the same child, after the workbook: the queries and a
   bare text file, what no writer of these rows can go below. The note adds the
   export's CPU time (all its threads: the sheets are deflated in a second one),
   steadier than the wall time on a shared machine.
5. Line lists, peak memory of that child up to the moment the workbook is on disk
   (its own high-water mark, ``VmHWM``, read then: the baseline run after it does not
   count; ``ru_maxrss`` would also count the size of this process when it started the
   child; no target; the child imports the app and opens the station, about 55 MiB
   before any list; the issue asks for memory that does not grow with the rows:
   compare the two stations). Baseline: the child's peak just before the lists.

Baseline of figures 1-3 and 6-8: one full scan of the service-record tables —
``SELECT * FROM service_records`` and ``SELECT * FROM`` every form's detail table,
every row fetched — on the same connection. The ratio says how many such scans a
figure costs. The operating system's file cache is warm (the database was just
written or copied).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import Figure, Report, copy_database, render  # noqa: E402

from ygt_desktop.core.report_model import Period  # noqa: E402
from ygt_desktop.reports.report_export import pdf, workbook  # noqa: E402
from ygt_desktop.storage.reporting import Reporting  # noqa: E402
from ygt_desktop.storage.workspace import Workspace  # noqa: E402

PERIOD = Period.parse("2026Q3")
DAY = 50  # residents whose records a station enters or edits in a day
MANY = 1000


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def forget_kept(ws: Workspace) -> None:
    """Empty the kept report: the next one is computed whole."""
    with ws.store.write() as conn:
        conn.execute("DELETE FROM report_kept")
        conn.execute("DELETE FROM report_dirty")


def change(ws: Workspace, rng: random.Random, count: int) -> None:
    """``count`` random residents' latest records written again (the triggers mark them
    changed, as a save does; the report then computes them alone)."""
    conn = ws.store.conn
    high = conn.execute("SELECT max(id) FROM residents").fetchone()[0]
    who = json.dumps(rng.sample(range(1, high + 1), count))
    with ws.store.write() as c:
        c.execute(
            "UPDATE service_records SET updated_at = updated_at WHERE id IN (SELECT max(id) "
            "FROM service_records WHERE resident_id IN (SELECT value FROM json_each(?)) "
            "GROUP BY resident_id)",
            (who,),
        )


def full_scan(ws: Workspace) -> None:
    conn = ws.store.conn
    tables = [
        "service_records",
        *sorted({f.table for f in ws.forms if f.kind in ("service", "station_log")}),
    ]
    for table in tables:
        for _row in conn.execute(f"SELECT * FROM {table}"):
            pass


_LISTS_CHILD = """
import csv, json, resource, sys, time
from pathlib import Path
from ygt_desktop.core.report_model import Period
from ygt_desktop.reports import line_lists_export
from ygt_desktop.reports.line_lists import stored_batches
from ygt_desktop.storage.workspace import Workspace

def high_water():
    # VmHWM: this process's own peak. ru_maxrss also counts the parent's size when it
    # started the child (Linux keeps it across exec), which hid the lists' own peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

ws = Workspace.open(Path(sys.argv[1]), lock=False)
period = Period.parse(sys.argv[2])
out = Path(sys.argv[3])
before = high_water()
start, cpu = time.perf_counter(), time.process_time()
sheets = line_lists_export.write(ws, period, out)
took, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = high_water()
start = time.perf_counter()
rows = 0
with open(out.with_suffix(".csv"), "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f)
    for x in line_lists_export.build(ws, period):
        writer.writerow(x.labels)
        for batch in stored_batches(x)[1]:
            writer.writerows(batch)
            rows += len(batch)
csv_took = time.perf_counter() - start
ws.close(backup_on_exit=False)
print(json.dumps({"seconds": took, "cpu_seconds": cpu, "csv_seconds": csv_took,
                  "sheets": sheets, "rows": rows,
                  "before_kib": before, "peak_kib": peak, "whole_kib": high_water(),
                  "bytes": out.stat().st_size}))
"""


def lists_run(db: Path, folder: Path) -> dict[str, float]:
    """One line-list export in a child process: its figures and its peak memory."""
    proc = subprocess.run(
        [sys.executable, "-c", _LISTS_CHILD, str(db), str(PERIOD), str(folder / "l.xlsx")],
        stdout=subprocess.PIPE,
    )
    if proc.returncode != 0:
        raise SystemExit(f"line lists child failed ({proc.returncode})")
    got: dict[str, float] = json.loads(proc.stdout)
    return got


def make_station(folder: Path, args: argparse.Namespace) -> Path:
    db = folder / "station.db"
    if args.db:
        copy_database(Path(args.db), db)
        return db
    cmd = [
        sys.executable,
        "-m",
        "ygt_desktop.cli",
        "demo",
        "--db",
        str(db),
        "--residents",
        str(args.residents),
        "--seed",
        "7",
        "--year",
        "2026",
        "--today",
        "2026-11-20",
    ]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    print(f"demo station made in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return db


def run(args: argparse.Namespace) -> tuple[Report, str]:
    folder = Path(tempfile.mkdtemp(prefix="ygt-bench-", dir=args.workdir))
    report = Report()
    try:
        db = make_station(folder, args)
        report.note(0, f"load average at the start: {Path('/proc/loadavg').read_text().strip()}")
        ws = Workspace.open(db, lock=False)
        try:
            residents = ws.store.conn.execute("SELECT count(*) FROM residents").fetchone()[0]
            records = ws.store.conn.execute("SELECT count(*) FROM service_records").fetchone()[0]
            full_scan(ws)  # warm
            scans: list[float] = []
            computing: list[float] = []
            whole_s: list[float] = []
            unchanged: list[float] = []
            busy: list[float] = []
            rng = random.Random(7)
            compute = lambda: Reporting(ws).compute(PERIOD)  # noqa: E731
            for _ in range(args.repeats):
                scans.extend(timed(lambda: full_scan(ws), 1))
                forget_kept(ws)
                whole_s.extend(timed(compute, 1))
                unchanged.extend(timed(compute, 1))
                change(ws, rng, DAY)
                computing.extend(timed(compute, 1))
                change(ws, rng, MANY)
                busy.extend(timed(compute, 1))
            reporting = Reporting(ws)
            computed = reporting.compute(PERIOD).report

            def files(chart: bool) -> Callable[[], object]:
                def write() -> None:
                    workbook(reporting, computed, folder / "r.xlsx")
                    pdf(Reporting(ws), computed, folder / "r.pdf", chart=chart)

                return write

            with_chart = timed(files(True), args.repeats)
            without = timed(files(False), args.repeats)
            baseline = statistics.median(scans)
            ws.close(backup_on_exit=False)
            runs = [lists_run(db, folder) for _ in range(args.list_repeats)]
            ws = Workspace.open(db, lock=False)
            lists_s = [r["seconds"] for r in runs]
            csv_s = statistics.median(r["csv_seconds"] for r in runs)
            per_100k = 100_000 / max(runs[0]["rows"], 1)  # the target is per 100,000 rows
            peak = statistics.median(r["peak_kib"] for r in runs) / 1024
            before = statistics.median(r["before_kib"] for r in runs) / 1024
            report.add(
                Figure(
                    1,
                    f"all indicators, 2026Q3, kept, {DAY} residents changed",
                    "s",
                    statistics.median(computing),
                    1.0,
                    baseline,
                ),
                Figure(
                    2,
                    "workbook + PDF with chart",
                    "s",
                    statistics.median(with_chart),
                    2.0,
                    baseline,
                ),
                Figure(
                    3, "workbook + PDF, no chart", "s", statistics.median(without), None, baseline
                ),
            )
            report.add(
                Figure(
                    4,
                    "line lists 2026Q3 (xlsx), per 100,000 rows",
                    "s",
                    statistics.median(lists_s) * per_100k,
                    10.0,
                    csv_s * per_100k,
                ),
                Figure(5, "line lists, peak memory", "MiB", peak, None, before),
            )
            report.note(
                4,
                f"the whole export: median {statistics.median(lists_s):.2f} s, worst of "
                f"{len(runs)} {max(lists_s):.2f} s; {runs[0]['sheets']:.0f} sheets, "
                f"{runs[0]['rows']:,.0f} rows, {runs[0]['bytes'] / 1024**2:.1f} MiB; CPU time "
                f"of the export (all its threads), median "
                f"{statistics.median(r['cpu_seconds'] for r in runs):.2f} s; baseline: "
                "the same rows, as stored, written with csv",
            )
            whole = statistics.median(r["whole_kib"] for r in runs) / 1024
            report.note(
                5,
                "baseline: the child's peak before the lists were built; the child's peak "
                f"with the csv baseline too: {whole:.0f} MiB",
            )
            report.add(
                Figure(
                    6,
                    "all indicators, computed whole",
                    "s",
                    statistics.median(whole_s),
                    None,
                    baseline,
                ),
                Figure(
                    7,
                    "all indicators, kept, nothing changed",
                    "s",
                    statistics.median(unchanged),
                    None,
                    baseline,
                ),
                Figure(
                    8,
                    f"all indicators, kept, {MANY:,} residents changed",
                    "s",
                    statistics.median(busy),
                    None,
                    baseline,
                ),
            )
            report.note(1, f"worst of {args.repeats}: {max(computing):.3f} s")
            report.note(6, f"worst of {args.repeats}: {max(whole_s):.3f} s")
            report.note(8, f"worst of {args.repeats}: {max(busy):.3f} s")
            report.note(2, f"worst of {args.repeats}: {max(with_chart):.3f} s")
            report.note(0, f"load average at the end: {Path('/proc/loadavg').read_text().strip()}")
            report.note(
                0,
                f"baseline 1-3, 6-8: one full scan of the service-record tables, median "
                f"{baseline:.3f} s; station: {residents:,} residents, {records:,} "
                f"service records, {db.stat().st_size / 1024**2:.0f} MiB",
            )
        finally:
            ws.close(backup_on_exit=False)
    finally:
        if args.keep:
            report.note(0, f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    env = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    return report, env


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--residents", type=int, default=100_000)
    p.add_argument("--db", help="an existing demo database (copied, never written)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--list-repeats", type=int, default=3, help="line-list runs (children)")
    p.add_argument("--workdir", type=Path)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = p.parse_args(argv)
    report, env = run(args)
    print(render(report))
    for line in report.sorted_notes():
        print(line)
    print(env)
    return 1 if args.strict and report.missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
