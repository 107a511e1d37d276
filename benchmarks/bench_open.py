"""Opening at once (issue 15): from process start to a usable window.

Run from the repository root (the package installed, ``pip install -e .[test]``)::

    python benchmarks/bench_open.py --db /var/tmp/ygt-bench/st265000.db
    python benchmarks/bench_open.py --db station.db --repeats 7 --workdir /var/tmp
    python benchmarks/bench_open.py --db station.db --strict     # exit 1 on a missed target

``--db`` is a station made by ``ygt demo`` (accounts 演示站长 / demo-1234, or
``--user``): it is copied, with its -wal, into a fresh ``ygt-bench-open-*`` folder
(inside ``--workdir`` when given), never written; the folder is deleted at the end.

Each run is a fresh subprocess with ``QT_QPA_PLATFORM=offscreen``; the figures are the
median and the worst of ``--repeats`` runs, the three kinds interleaved:

- **window usable** (target ≤ 1.5 s): wall time from starting the process to the main
  window shown with the resident list filled and a search answered. The child does what
  ``ygt-desktop`` does — imports, ``QApplication`` + font + translations, load the
  forms, ``Workspace.open(defer_check=True)``, ``MainWindow(ws)``, ``show()`` — except
  the login dialog (the user acts as ``--user``; the password's argon2 hash is slow on
  purpose, and the check runs while the user types it), then types a search (the first
  two characters of a resident's name) and waits until the list shows its answer.
  Also reported: when writes were accepted (the background check passed), measured
  from the same start.
- **window, check at open** — the same, opening with the synchronous check as before
  (``defer_check=False``): what the check at open costs (the pages are built lazily in
  both; measured before that too: 3.23 s at 265,000 residents, issue 15).
- **bare baseline**: a fresh process that imports PySide6, creates the
  ``QApplication``, shows an empty ``QMainWindow``, processes events, opens the SQLite
  file and counts the residents (``SELECT count(*) FROM residents``).

Each line of the notes gives the load average (``/proc/loadavg``) before the runs; the
machine's load changes these figures, so run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()  # before any import of Qt or the app (child runs)
TARGET_S = 1.5
CHILD_ENV = {"QT_QPA_PLATFORM": "offscreen"}


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "unknown"


# ---- the children -----------------------------------------------------------------------


def child_bare(db: Path) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    conn = sqlite3.connect(db)
    conn.execute("SELECT count(*) FROM residents").fetchone()
    conn.close()
    return {"usable": time.perf_counter() - START}


def child_window(db: Path, user: str, defer: bool) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    from ygt_desktop.storage import users
    from ygt_desktop.storage.workspace import Workspace, load_forms
    from ygt_desktop.ui.app import prepare_application
    from ygt_desktop.ui.shell import MainWindow

    imported = time.perf_counter() - START
    app = QApplication([])
    prepare_application(app)
    forms = load_forms()
    before_open = time.perf_counter()
    ws = Workspace.open(db, forms=forms, defer_check=defer)
    opened = time.perf_counter() - before_open
    who = users.get_user(ws.store, user)
    if who is None:
        raise SystemExit(f"no user {user} in {db}")
    ws.act_as(who)
    probe = ws.store.conn.execute(
        "SELECT substr(name, 1, 2) FROM residents WHERE deleted = 0 ORDER BY id LIMIT 1"
    ).fetchone()[0]
    window = MainWindow(ws)
    window.show()
    page = window.residents_page
    deadline = time.perf_counter() + 120
    while page.model.rowCount() == 0 and time.perf_counter() < deadline:
        app.processEvents()
    filled = time.perf_counter() - START
    page.search.setText(probe)
    while not (page.model.query == probe and page.model.rowCount() > 0):
        app.processEvents()
        if time.perf_counter() > deadline:
            raise SystemExit("the search never answered")
    usable = time.perf_counter() - START
    while ws.store.check_pending and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.005)
    writable = time.perf_counter() - START
    result = {
        "imports": imported,
        "open": opened,
        "filled": filled,
        "usable": usable,
        "writable": writable,
        "readonly": float(ws.store.readonly),
    }
    window.integrity.stop()
    window.hide()
    ws.close(backup_on_exit=False)
    return result


def run_child(kind: str, db: Path, user: str) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--db", str(db)]
    cmd += ["--user", user]
    began = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", env={**os.environ, **CHILD_ENV}
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-2000:]}")
    line = done.stdout.strip().splitlines()[-1]
    result: dict[str, float] = json.loads(line)
    result["process"] = time.perf_counter() - began  # incl. interpreter start and exit
    return result


# ---- the parent -------------------------------------------------------------------------


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, worst {max(values):.2f} s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, type=Path, help="a demo station (copied, never written)")
    p.add_argument("--user", default=os.environ.get("YGT_USER", "演示站长"))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workdir", type=Path, default=None)
    p.add_argument("--strict", action="store_true")
    p.add_argument("--child", choices=("window", "window-sync", "bare"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        if args.child == "bare":
            out = child_bare(args.db)
        else:
            out = child_window(args.db, args.user, defer=args.child == "window")
        print(json.dumps(out))
        sys.stdout.flush()
        os._exit(0)  # the figures are out; the interpreter's teardown is not measured

    folder = Path(tempfile.mkdtemp(prefix="ygt-bench-open-", dir=args.workdir))
    try:
        db = folder / "station.db"
        for suffix in ("", "-wal"):
            src = Path(str(args.db) + suffix)
            if src.exists():
                shutil.copyfile(src, Path(str(db) + suffix))
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        conn = sqlite3.connect(db)
        residents = conn.execute("SELECT count(*) FROM residents").fetchone()[0]
        records = conn.execute("SELECT count(*) FROM service_records").fetchone()[0]
        conn.close()
        print(f"station: {residents:,} residents, {records:,} service records, {size:,.0f} MiB")
        runs: dict[str, list[dict[str, float]]] = {"window": [], "window-sync": [], "bare": []}
        run_child("window", db, args.user)  # warm the file cache and the .pyc files
        for i in range(args.repeats):
            print(f"round {i + 1}: load {loadavg()}", flush=True)
            for kind in ("window", "window-sync", "bare"):
                runs[kind].append(run_child(kind, db, args.user))
        base = statistics.median(r["process"] for r in runs["bare"])
        usable = [r["usable"] for r in runs["window"]]
        rows = [
            ("window usable (from process start)", runs["window"], "usable"),
            ("writes accepted (check passed)", runs["window"], "writable"),
            ("window usable, check at open", runs["window-sync"], "usable"),
            ("bare baseline (empty window + count)", runs["bare"], "usable"),
        ]
        print()
        print(f"{'figure':<42} {'median':>8} {'worst':>8} {'/ bare':>7}")
        bare_usable = statistics.median(r["usable"] for r in runs["bare"])
        for name, rs, key in rows:
            values = [r[key] for r in rs]
            med = statistics.median(values)
            print(f"{name:<42} {med:7.2f}s {max(values):7.2f}s {med / bare_usable:6.1f}x")
        print()
        for kind in ("window", "window-sync"):
            rs = runs[kind]
            print(
                f"{kind}: imports {spread([r['imports'] for r in rs])}; "
                f"Workspace.open {spread([r['open'] for r in rs])}; "
                f"list filled {spread([r['filled'] for r in rs])}; "
                f"whole process {spread([r['process'] for r in rs])}"
            )
        print(f"bare: whole process {spread([r['process'] for r in runs['bare']])} ({base:.2f})")
        print(f"load at the end: {loadavg()}")
        med = statistics.median(usable)
        verdict = "PASS" if med <= TARGET_S else "FAIL"
        print(f"target: window usable ≤ {TARGET_S} s: {med:.2f} s {verdict}")
        return 1 if args.strict and verdict == "FAIL" else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
