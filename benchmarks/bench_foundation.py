"""Foundation benchmark: demo generation, search as you type, saves and opening the window.

Run from the repository root (the package must be installed, ``pip install -e .[test]``)::

    python benchmarks/bench_foundation.py                      # 100,000 residents
    python benchmarks/bench_foundation.py --residents 20000 --keep --workdir /var/tmp
    python benchmarks/bench_foundation.py --db station.db      # an existing demo database
    python benchmarks/bench_foundation.py --strict             # exit 1 when a target is missed

Everything happens in a fresh ``ygt-bench-*`` folder (inside ``--workdir`` when given,
else the system temp folder), deleted at the end unless ``--keep``. Without ``--db`` the
station is made by the real ``ygt demo`` code path, run as a subprocess; with ``--db``
that database is copied into the folder first (nothing is ever written to it) and
figure 1 is skipped.

It prints one table: figure, measured value, target, a bare baseline measured in the
same run, the ratio measured / baseline, and PASS/FAIL against the target (``-`` where
the figure has no target, SKIP when not measured). The exit status is 0 unless
``--strict`` is given and a target is missed (1); a benchmark that cannot run at all
(e.g. ``ygt demo`` fails) exits 2.

Figures and what each baseline means:

1. ``ygt demo --residents N --seed 7 --year 2026 --today 2026-11-20`` as a subprocess,
   wall time (target < 60 s at 100,000). Baseline: the same N ``residents`` rows, read
   back from the demo database into memory beforehand (untimed), written with one raw
   ``executemany`` into a fresh SQLite file (WAL, ``synchronous=FULL``) in one
   transaction, with the same ``CREATE TABLE`` and index statements as the demo schema
   (copied from its ``sqlite_master``), indexes created after the load. It is the floor
   for storing that table; the demo also generates the people, writes the search keys,
   the audit entry and makes a backup on exit.
2. Search as you type (target p95 < 50 ms): ~300 distinct queries typed by a user,
   taken from real rows: successive prefixes of names (张, 张秀, 张秀英), pinyin
   initials (z, zx, zxy), full pinyin (zhang, zhangx, zhangxiuying), ID-number
   prefixes of 4, 8, 12 and 18 characters, phone prefixes (3, 7, 11) and archive-number
   prefixes (9, 12, 17). Each ``ResidentRepo.search(q, limit=200)`` is timed with
   ``time.perf_counter``. Baseline: the bare indexed lookup ``SELECT resident_id FROM
   resident_search WHERE key >= ? AND key < ? LIMIT 200`` for the same queries on the
   same connection (app and baseline calls interleaved, alternating which goes first).
3. One save (target p95 < 30 ms): ``ResidentRepo.save`` on the big database, ~200
   updates (the editor's values of a random resident with a new phone number) and ~200
   inserts (new synthetic residents with unused ID numbers), interleaved; each is a
   durable ``BEGIN IMMEDIATE`` transaction with search keys and an audit entry.
   Baseline: a bare one-row ``INSERT`` into a one-table scratch database with the same
   pragmas (WAL, ``synchronous=FULL``) committed each time, in the same folder,
   interleaved with the saves (two per update/insert pair).
4. Opening the main window (target < 2 s), in a fresh subprocess with
   ``QT_QPA_PLATFORM=offscreen``, median of ``--repeats`` runs. Measured after the
   imports: ``QApplication`` + the bundled font (as ``ygt-desktop`` does) +
   ``Workspace.open(db, lock=True)`` + ``MainWindow(ws)`` + ``show()`` + one
   ``processEvents()``; then ``ws.close(backup_on_exit=False)``. The import of PySide6
   and the app modules is reported separately, as is the peak RSS of that process
   (views must never load the whole table): ``resource.getrusage`` where it is per
   process, ``VmHWM`` on Linux, where ``ru_maxrss`` carries the parent's peak over
   ``fork`` + ``exec`` and would report this benchmark's own size.
   Baseline: a fresh subprocess that imports PySide6, creates the ``QApplication`` and
   shows an empty ``QMainWindow`` of the same size, then ``processEvents()``.

The operating system's file cache is warm for every figure (the database was just
written); that is the normal state of a station PC once the app has been used.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ygt_desktop.storage.workspace import Workspace

# Targets from the issue.
DEMO_TARGET_S = 60.0
SEARCH_P95_TARGET_MS = 50.0
SAVE_P95_TARGET_MS = 30.0
WINDOW_TARGET_S = 2.0

DEMO_SEED = 7
DEMO_YEAR = 2026
DEMO_TODAY = "2026-11-20"
SEARCH_LIMIT = 200
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "司徒", "令狐", "夏侯")
CHILD_ENV = {"QT_QPA_PLATFORM": "offscreen"}


class BenchError(Exception):
    """The benchmark itself cannot run (not a missed target)."""


# ---- results -------------------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table; values are in ``unit`` (``s``, ``ms`` or ``MiB``)."""

    number: int  # the figure of the issue (1-4)
    name: str
    unit: str
    value: float | None
    target: float | None = None
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def status(self) -> str:
        if self.value is None:
            return "SKIP"
        if self.target is None:
            return "-"
        return "PASS" if self.value < self.target else "FAIL"


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)

    def note(self, number: int, text: str) -> None:
        """A line printed under the table; 0 for the whole run."""
        self.notes.append((number, text))

    def sorted_figures(self) -> list[Figure]:
        return sorted(self.figures, key=lambda f: f.number)

    def sorted_notes(self) -> list[str]:
        return [f"{n}. {t}" if n else t for n, t in sorted(self.notes, key=lambda x: x[0])]

    @property
    def missed(self) -> list[Figure]:
        return [f for f in self.figures if f.status == "FAIL"]


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MiB":
        return f"{value:.0f} {unit}"
    return f"{value:.3f} {unit}" if unit == "s" else f"{value:.2f} {unit}"


def render(report: Report) -> str:
    header = ("figure", "measured", "target", "baseline", "ratio", "result")
    rows = [header]
    for f in report.sorted_figures():
        rows.append(
            (
                f"{f.number}. {f.name}",
                fmt(f.value, f.unit),
                f"< {fmt(f.target, f.unit)}" if f.target is not None else "-",
                fmt(f.baseline, f.unit),
                f"{f.ratio:.1f}x" if f.ratio is not None else "-",
                f.status,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, r in enumerate(rows):
        cells = [
            r[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(r[1:-1], widths[1:-1], strict=True)),
            r[-1].ljust(widths[-1]),
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---- statistics and helpers ----------------------------------------------------------


def percentile(samples: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100), linear interpolation between closest ranks."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def ms(seconds: float) -> float:
    return seconds * 1000


def peak_rss_mib() -> float | None:
    """Peak resident set size of this process in MiB (``None`` where unknown).

    On Linux this is ``VmHWM`` of ``/proc/self/status``: ``getrusage``'s ``ru_maxrss``
    survives ``fork`` + ``exec``, so a child of this (large) benchmark process would
    report the parent's peak. Elsewhere ``resource.getrusage`` is used.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def connect_bare(path: Path) -> sqlite3.Connection:
    """A plain connection with the app's durability pragmas (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` (WAL included) made with SQLite's backup API."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def copy_station(source: Path, target: Path) -> None:
    """Copy an existing demo database given with ``--db`` (never written to)."""
    if not source.is_file():
        raise BenchError(f"no such database: {source}")
    copy_database(source, target)


@contextlib.contextmanager
def bench_folder(workdir: Path | None, keep: bool, report: Report) -> Iterator[Path]:
    """A fresh ``ygt-bench-*`` folder (in ``workdir`` when given), removed at the end
    unless ``keep`` (then named in the report's notes)."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="ygt-bench-", dir=workdir))
    try:
        yield folder
    finally:
        if keep:
            report.note(0, f"kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


class ScratchInserts:
    """The save baseline: a one-table scratch database with the app's pragmas (WAL,
    ``synchronous=FULL``); each :meth:`insert` is one bare one-row ``INSERT`` in its
    own committed ``BEGIN IMMEDIATE`` transaction. :meth:`close` removes the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        remove_db_files(path)
        self.conn = connect_bare(path)
        self.conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, value TEXT)")

    def insert(self, i: int) -> float:
        """Seconds for one durable one-row insert."""
        started = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO t (name, value) VALUES (?, ?)", (f"居民{i}", "x" * 200))
        self.conn.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()
        remove_db_files(self.path)


# ---- 1. ygt demo ---------------------------------------------------------------------


def run_demo(db: Path, residents: int) -> tuple[float, str]:
    """Wall time of ``ygt demo`` as a subprocess, and its last output line."""
    cmd = [
        sys.executable, "-m", "ygt_desktop.cli", "demo", "--db", str(db),
        "--residents", str(residents), "--seed", str(DEMO_SEED), "--year", str(DEMO_YEAR),
        "--today", DEMO_TODAY,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"ygt demo failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return wall, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def bare_bulk_load(source: Path, target: Path) -> tuple[float, int, int]:
    """Seconds to bulk-load ``source``'s residents into a fresh file, rows, columns."""
    with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as src:
        table_sql = src.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'residents'"
        ).fetchone()[0]
        index_sql = [r[0] for r in src.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents' "
            "AND sql IS NOT NULL ORDER BY name")]  # fmt: skip
        rows = src.execute("SELECT * FROM residents ORDER BY id").fetchall()
    columns = len(rows[0]) if rows else 0
    insert = f"INSERT INTO residents VALUES ({', '.join('?' * columns)})"
    remove_db_files(target)
    started = time.perf_counter()
    conn = connect_bare(target)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(table_sql)
        conn.executemany(insert, rows)
        for sql in index_sql:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    remove_db_files(target)
    return elapsed, len(rows), columns


def bench_demo(report: Report, folder: Path, db: Path, residents: int) -> None:
    print(f"figure 1: ygt demo, {residents:,} residents ...", flush=True)
    wall, said = run_demo(db, residents)
    print(f"      {wall:.1f} s; bare bulk load baseline ...", flush=True)
    bare, rows, columns = bare_bulk_load(db, folder / "bare-bulk.db")
    report.add(
        Figure(1, f"ygt demo, {residents:,} residents (wall)", "s", wall, DEMO_TARGET_S, bare)
    )
    report.note(1, f"ygt demo said: {said}")
    report.note(
        1,
        f"baseline: {rows:,} rows x {columns} columns, one executemany, "
        f"same CREATE TABLE and indexes, one transaction: {bare:.2f} s",
    )


# ---- 2. search as you type -----------------------------------------------------------


def _prefixes(text: str, lengths: Sequence[int]) -> list[str]:
    return [text[:n] for n in lengths if n <= len(text)]


def typed_queries(
    name: str, id_number: str | None, phone: str | None, archive_no: str | None
) -> list[tuple[str, str]]:
    """(kind, text) of what a user types to find this resident, keystroke by keystroke."""
    from pypinyin import lazy_pinyin

    name = "".join(name.split())
    syllables = [s.lower() for s in lazy_pinyin(name)]
    surname_len = 2 if name[:2] in COMPOUND_SURNAMES else 1
    initials = "".join(s[0] for s in syllables if s)
    surname_py = "".join(syllables[:surname_len])
    out = [("name", name[:n]) for n in range(1, len(name) + 1)]
    out += [("initials", initials[:n]) for n in range(1, len(initials) + 1)]
    out.append(("pinyin", surname_py))
    if len(syllables) > surname_len:
        out.append(("pinyin", surname_py + syllables[surname_len][0]))
        out.append(("pinyin", "".join(syllables)))
    out += [("id", p) for p in _prefixes(id_number or "", (4, 8, 12, 18))]
    out += [("phone", p) for p in _prefixes(phone or "", (3, 7, 11))]
    out += [("archive", p) for p in _prefixes(archive_no or "", (9, 12, 17))]
    return out


def sample_queries(
    conn: sqlite3.Connection, count: int, rng: random.Random
) -> list[tuple[str, str]]:
    """About ``count`` distinct typed queries from random real residents."""
    max_id = conn.execute("SELECT coalesce(max(id), 0) FROM residents").fetchone()[0]
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for _attempt in range(count * 50):
        if len(out) >= count or not max_id:
            break
        row = conn.execute(
            "SELECT name, id_number, phone, archive_no FROM residents WHERE id = ? AND deleted = 0",
            (rng.randint(1, max_id),),
        ).fetchone()
        if row is None:
            continue
        for kind, text in typed_queries(*row):
            if text and text not in seen:
                seen.add(text)
                out.append((kind, text))
    return out[:count]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def bench_search(report: Report, ws: Workspace, count: int, rng: random.Random) -> None:
    from ygt_desktop.core import search

    print(f"figure 2: search as you type, ~{count} queries ...", flush=True)
    conn = ws.store.conn
    queries = sample_queries(conn, count, rng)
    bare_sql = "SELECT resident_id FROM resident_search WHERE key >= ? AND key < ? LIMIT ?"
    app_s: list[float] = []
    bare_s: list[float] = []
    by_kind: dict[str, list[float]] = {}
    no_hit: list[str] = []
    for i, (kind, text) in enumerate(queries):
        q = search.normalise_query(text)
        hits: list[Any] = []

        def app(text: str = text, hits: list[Any] = hits) -> None:
            hits.extend(ws.residents.search(text, limit=SEARCH_LIMIT))

        def bare(q: str = q) -> None:
            conn.execute(bare_sql, (q, search.prefix_upper_bound(q), SEARCH_LIMIT)).fetchall()

        if i % 2:
            bare_s.append(timed(bare))
            app_s.append(timed(app))
        else:
            app_s.append(timed(app))
            bare_s.append(timed(bare))
        by_kind.setdefault(kind, []).append(app_s[-1])
        if not hits:
            no_hit.append(text)
    app_ms = [ms(s) for s in app_s]
    bare_ms = [ms(s) for s in bare_s]
    report.add(
        Figure(
            2, "search as you type p50", "ms", percentile(app_ms, 50), None, percentile(bare_ms, 50)
        ),
        Figure(
            2,
            "search as you type p95",
            "ms",
            percentile(app_ms, 95),
            SEARCH_P95_TARGET_MS,
            percentile(bare_ms, 95),
        ),
        Figure(2, "search as you type max", "ms", max(app_ms), None, max(bare_ms)),
    )
    kinds = ", ".join(
        f"{k} {len(v)} (p95 {percentile([ms(s) for s in v], 95):.2f} ms)"
        for k, v in by_kind.items()
    )
    report.note(2, f"{len(queries)} distinct queries: {kinds}")
    slowest = sorted(zip(app_ms, (t for _, t in queries), strict=True), reverse=True)[:3]
    report.note(
        2,
        "slowest: "
        + ", ".join(f"{t!r} {v:.2f} ms" for v, t in slowest)
        + f"; queries without a hit: {len(no_hit)}",
    )


# ---- 3. saves ------------------------------------------------------------------------


def new_residents(ws: Workspace, count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Synthetic residents (form fields only) whose ID numbers are not registered yet."""
    from ygt_desktop.demo import residents as synthetic
    from ygt_desktop.storage.organisation import villages

    org = ws.organisation
    if org is None:
        raise BenchError("the database has no organisation (not a demo station)")
    station = [synthetic.SyntheticVillage(v.code, v.name) for v in villages(ws.store)]
    field_ids = [f.id for f in ws.residents.form.fields]
    people = synthetic.generate_residents(
        seed,
        count * 4,
        DEMO_YEAR,
        station,
        dt.date.fromisoformat(DEMO_TODAY),
        county_code=org.code[:6],
    )
    used: set[str] = set()
    made = 0
    for person in people:
        number = person.get("id_number")
        if number and (
            number in used
            or ws.store.conn.execute(
                "SELECT 1 FROM residents WHERE id_number = ?", (number,)
            ).fetchone()
        ):
            continue
        if number:
            used.add(number)
        yield {k: person[k] for k in field_ids if k in person}
        made += 1
        if made >= count:
            return


def bench_saves(
    report: Report, ws: Workspace, folder: Path, count: int, rng: random.Random
) -> None:
    from ygt_desktop.storage.residents import ValidationFailed

    print(f"figure 3: saves, {count} updates + {count} inserts ...", flush=True)
    repo = ws.residents
    ids = [r[0] for r in ws.store.conn.execute("SELECT id FROM residents WHERE deleted = 0")]
    targets = rng.sample(ids, min(count, len(ids)))
    inserts = list(new_residents(ws, count, DEMO_SEED + 1000 + rng.randrange(1000)))
    bare = ScratchInserts(folder / "bare-save.db")
    update_s: list[float] = []
    insert_s: list[float] = []
    bare_s: list[float] = []
    failed: list[str] = []
    try:
        for i in range(max(len(targets), len(inserts))):
            if i < len(targets):
                values = repo.values(targets[i])
                values["phone"] = f"139{rng.randrange(10**8):08d}"
                try:
                    update_s.append(timed(partial(repo.save, values, targets[i])))
                except ValidationFailed as exc:
                    failed.append(f"update {targets[i]}: {exc}")
            if i < len(inserts):
                try:
                    insert_s.append(timed(partial(repo.save, inserts[i])))
                except ValidationFailed as exc:
                    failed.append(f"insert {inserts[i].get('name')}: {exc}")
            bare_s.extend((bare.insert(2 * i), bare.insert(2 * i + 1)))
    finally:
        bare.close()
    if not update_s or not insert_s:
        raise BenchError("no save succeeded: " + "; ".join(failed[:3]))
    bare_ms = [ms(s) for s in bare_s]
    all_ms = [ms(s) for s in update_s + insert_s]
    bare_p95 = percentile(bare_ms, 95)
    report.add(
        Figure(
            3,
            "save: update phone p95",
            "ms",
            percentile([ms(s) for s in update_s], 95),
            SAVE_P95_TARGET_MS,
            bare_p95,
        ),
        Figure(
            3,
            "save: insert p95",
            "ms",
            percentile([ms(s) for s in insert_s], 95),
            SAVE_P95_TARGET_MS,
            bare_p95,
        ),
        Figure(3, "save: all p50", "ms", percentile(all_ms, 50), None, percentile(bare_ms, 50)),
        Figure(3, "save: all p95", "ms", percentile(all_ms, 95), SAVE_P95_TARGET_MS, bare_p95),
        Figure(3, "save: all max", "ms", max(all_ms), None, max(bare_ms)),
    )
    report.note(
        3,
        f"{len(update_s)} updates, {len(insert_s)} inserts, {len(bare_s)} bare "
        f"inserts; validation failures: {len(failed)}"
        + (f" (first: {failed[0]})" if failed else ""),
    )


# ---- 4. opening the main window (runs in child processes) ----------------------------


def child_window(db: Path) -> dict[str, Any]:
    """In a fresh process: import, then open the station's main window once."""
    t0 = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    from ygt_desktop.storage.workspace import Workspace
    from ygt_desktop.ui.fonts import install_app_font
    from ygt_desktop.ui.shell import MainWindow

    t1 = time.perf_counter()
    app = QApplication([sys.argv[0]])
    install_app_font(app)
    t2 = time.perf_counter()
    ws = Workspace.open(db, lock=True)
    t3 = time.perf_counter()
    window = MainWindow(ws)
    t4 = time.perf_counter()
    window.show()
    app.processEvents()
    t5 = time.perf_counter()
    model_rows = window.residents_page.model.cached_rows()
    total = ws.residents.count()
    rss = peak_rss_mib()
    window.hide()
    ws.close(backup_on_exit=False)
    return {
        "import_s": t1 - t0, "app_s": t2 - t1, "open_s": t3 - t2, "window_s": t4 - t3,
        "show_s": t5 - t4, "total_s": t5 - t1, "rss_mib": rss, "model_rows": model_rows,
        "residents": total,
    }  # fmt: skip


def child_bare_window() -> dict[str, Any]:
    """In a fresh process: import PySide6 and show an empty main window once."""
    t0 = time.perf_counter()
    from PySide6.QtWidgets import QApplication, QMainWindow

    t1 = time.perf_counter()
    app = QApplication([sys.argv[0]])
    window = QMainWindow()
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    t2 = time.perf_counter()
    rss = peak_rss_mib()
    window.hide()
    return {"import_s": t1 - t0, "total_s": t2 - t1, "rss_mib": rss}


def run_child(kind: str, db: Path | None) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    if db is not None:
        cmd += ["--db", str(db)]
    started = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", env={**os.environ, **CHILD_ENV}
    )
    wall = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise BenchError(
            f"window child {kind!r} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    result["process_s"] = wall
    return result


def median_of(runs: Sequence[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def bench_window(report: Report, db: Path, repeats: int) -> None:
    print(f"figure 4: opening the main window, {repeats} runs ...", flush=True)
    app_runs: list[dict[str, Any]] = []
    bare_runs: list[dict[str, Any]] = []
    for _ in range(repeats):
        bare_runs.append(run_child("bare-window", None))
        app_runs.append(run_child("window", db))

    def med(runs: list[dict[str, Any]], key: str) -> float:
        value = median_of(runs, key)
        return value if value is not None else float("nan")

    report.add(
        Figure(
            4,
            "open main window (median)",
            "s",
            med(app_runs, "total_s"),
            WINDOW_TARGET_S,
            med(bare_runs, "total_s"),
        ),
        Figure(
            4,
            "import PySide6 + app (median)",
            "s",
            med(app_runs, "import_s"),
            None,
            med(bare_runs, "import_s"),
        ),
        Figure(
            4,
            "window process peak RSS (median)",
            "MiB",
            median_of(app_runs, "rss_mib"),
            None,
            median_of(bare_runs, "rss_mib"),
        ),
    )
    report.note(
        4,
        "window phases (median s): QApplication+font {:.3f}, Workspace.open {:.3f}, "
        "MainWindow() {:.3f}, show+processEvents {:.3f}; whole process wall {:.2f} "
        "(bare {:.2f})".format(
            *(med(app_runs, k) for k in ("app_s", "open_s", "window_s", "show_s", "process_s")),
            med(bare_runs, "process_s"),
        ),
    )
    report.note(
        4,
        f"the resident list model holds {app_runs[0]['model_rows']} full rows in memory for "
        f"{app_runs[0]['residents']:,} residents; runs: "
        + ", ".join(f"{r['total_s']:.3f}" for r in app_runs)
        + " s",
    )


# ---- main ----------------------------------------------------------------------------


def environment(folder: Path, db: Path) -> str:
    import PySide6

    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PySide6 {PySide6.__version__}, {platform.platform()}, {os.cpu_count()} CPUs; "
        f"work folder {folder}; database {size / 1024**2:.0f} MiB"
    )


def add_common_args(p: argparse.ArgumentParser, db_help: str) -> None:
    """--residents, --db, --workdir, --keep and --strict, shared by the benchmarks."""
    p.add_argument(
        "--residents", type=int, default=100_000, help="residents for ygt demo (default 100000)"
    )
    p.add_argument("--db", type=Path, help=db_help)
    p.add_argument("--workdir", type=Path, help="where to make the ygt-bench-* folder")
    p.add_argument("--keep", action="store_true", help="keep the ygt-bench-* folder")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark demo generation, search, saves and window opening."
    )
    add_common_args(p, "an existing demo database to copy and measure (skips figure 1)")
    p.add_argument("--queries", type=int, default=300, help="typed search queries (300)")
    p.add_argument("--saves", type=int, default=200, help="updates and inserts each (200)")
    p.add_argument("--repeats", type=int, default=3, help="window-open runs (3)")
    p.add_argument("--seed", type=int, default=1, help="seed for sampling queries and saves")
    p.add_argument("--child", choices=("window", "bare-window"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> Report:
    from ygt_desktop.storage.workspace import Workspace

    report = Report()
    rng = random.Random(args.seed)
    with bench_folder(args.workdir, args.keep, report) as folder:
        db = folder / "station.db"
        if args.db is None:
            bench_demo(report, folder, db, args.residents)
        else:
            copy_station(args.db, db)
            report.add(Figure(1, "ygt demo (skipped: --db given)", "s", None, DEMO_TARGET_S))
        report.note(0, "environment: " + environment(folder, db))
        bench_window(report, db, args.repeats)  # before this process takes the lock
        ws = Workspace.open(db, lock=True)
        try:
            bench_search(report, ws, args.queries, rng)
            bench_saves(report, ws, folder, args.saves, rng)
        finally:
            ws.close(backup_on_exit=False)
    return report


def print_report(report: Report, strict: bool) -> int:
    """Print the table, the notes and the missed targets; the exit status."""
    print()
    print(render(report))
    print()
    for line in report.sorted_notes():
        print(line)
    missed = report.missed
    if missed:
        print("missed targets: " + "; ".join(f"{f.number}. {f.name}" for f in missed))
    return 1 if strict and missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    args = parse_args(argv)
    if args.child == "window":
        print(json.dumps(child_window(args.db)))
        return 0
    if args.child == "bare-window":
        print(json.dumps(child_bare_window()))
        return 0
    try:
        report = run(args)
    except BenchError as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 2
    return print_report(report, args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
