"""健康体检表 benchmark (issue 13): saving a full exam with 10 medicine lines, and a
resident's timeline with 20 exams, each beside a bare SQL baseline in the same run.

Run from the repository root (the package installed, ``pip install -e .[test]``)::

    python benchmarks/bench_health_check.py --db /var/tmp/ygt-bench/m100000.db
    python benchmarks/bench_health_check.py --db station.db --saves 300 --strict

``--db`` is never written to: it is copied into a fresh ``ygt-bench-hc-*`` folder
(``--workdir`` or the system temp folder, deleted at the end unless ``--keep``) and the
copy is opened, its pending migrations (0073–0077 and any later) run on it, logged in as
演示站长 / demo-1234. All timings are ``time.perf_counter`` around one call.

Figures:

1. Save (target p95 < 30 ms): ``ws.services.save("elderly_exam", values, resident)`` —
   the path the entry window takes — for ``--saves`` residents aged 35–90 drawn at
   random, each a full exam (vitals, lifestyle, organs, physical, every lab value, the
   health problems, evaluation) with 10 medicine lines and one vaccination; the save
   checks, computes, evaluates the rules and writes header, detail, lines and audit in
   one transaction. Baseline, interleaved: the bare ``INSERT`` of the same header, detail
   row and 10 lines in one transaction on the same connection (rolled back, so the
   station does not grow), i.e. just writing the rows.
2. Timeline (target p95 < 100 ms): ``ws.services.timeline(resident)`` — what the resident
   page lists — for a resident given 20 exams (one a year) on top of their history,
   ``--rounds`` times. Baseline, interleaved: ``SELECT * FROM service_records WHERE
   resident_id = ? AND deleted = 0 ORDER BY service_date`` on the same connection.

Prints a table (figure, p50, p95, target, baseline p95, ratio p95/baseline, PASS/FAIL)
and the station's size. Exit 0, or 1 with ``--strict`` when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ygt_desktop.storage.workspace import Workspace

TODAY = dt.date(2026, 11, 20)
SAVE_TARGET_MS = 30.0
TIMELINE_TARGET_MS = 100.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def exam(day: dt.date, sex: str, age: int) -> dict[str, Any]:
    """A full exam as the entry window sends it (text as typed, codes, lines)."""
    raw: dict[str, Any] = {
        "exam_date": day.isoformat(), "doctor": "李建华", "symptoms": ["1"],
        "temperature": "36.5", "heart_rate": "72", "respiration": "18", "sbp": "138",
        "dbp": "86", "sbp_right": "136", "dbp_right": "84", "height": "165", "weight": "68",
        "waist": "86", "exercise_freq": "2", "exercise_minutes": "30", "exercise_years": "5",
        "exercise_kind": "散步", "diet": ["1"], "smoking_status": "1", "drink_freq": "1",
        "occupational": "1", "lips": "1", "dentition": ["1"], "pharynx": "1",
        "vision_left": "4.9", "vision_right": "5.0", "hearing": "1", "motor": "1",
        "fundus": "1", "skin": "1", "sclera": "1", "lymph": "1", "barrel_chest": "1",
        "breath_sound": "1", "rales": "1", "cardiac_rate": "72", "rhythm": "1", "murmur": "1",
        "abd_tenderness": "1", "abd_mass": "1", "hepatomegaly": "1", "splenomegaly": "1",
        "shifting_dullness": "1", "leg_edema": "1", "dorsalis_pedis": "2",
        "hb": "135", "wbc": "6.1", "plt": "220", "urine_protein": "-", "urine_glucose": "-",
        "urine_ketone": "-", "urine_blood": "-", "fpg": "6.8", "ecg": "1", "hba1c": "6.4",
        "alt": "25", "ast": "22", "albumin": "42", "tbil": "12.5", "dbil": "3.8",
        "creatinine": "80", "urea": "5.6", "potassium": "4.1", "sodium": "140",
        "tc": "5.4", "tg": "1.9", "ldl": "3.2", "hdl": "1.1", "us_abdomen": "1",
        "cerebrovascular": ["1"], "renal": ["1"], "cardiac": ["1"], "vascular": ["1"],
        "eye": ["1"], "neuro": "1", "other_disease": "1", "abnormal": "2",
        "abnormal_1": "血压偏高", "abnormal_2": "血脂偏高", "guidance": ["1", "2"],
        "risk_control": ["3", "4"],
        "medicines": [
            {"name": f"药物{n}", "route": "1", "dosage": "每日1次 每次5mg", "duration": "长期",
             "adherence": "1"}
            for n in range(1, 11)
        ],
        "vaccinations": [{"name": "流感疫苗", "date": (day - dt.timedelta(days=40)).isoformat()}],
    }  # fmt: skip
    if age >= 65:
        raw.update(health_self_rating="2", self_care_score="0", cognition="1", emotion="1")
    if sex == "2":
        raw.update(breast=["1"])
    return raw


def interleaved(n: int, app: Callable[[int], None], bare: Callable[[int], None]
                ) -> tuple[list[float], list[float]]:  # fmt: skip
    """``n`` timings of each, alternating which goes first."""
    a: list[float] = []
    b: list[float] = []
    for i in range(n):
        pair = ((app, a), (bare, b)) if i % 2 == 0 else ((bare, b), (app, a))
        for fn, out in pair:
            t = time.perf_counter()
            fn(i)
            out.append((time.perf_counter() - t) * 1000)
    return a, b


def bare_insert(conn: sqlite3.Connection, resident: int, day: dt.date) -> None:
    """The same rows written with plain INSERTs in one transaction, then rolled back."""
    now = dt.datetime.now().isoformat()
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        "INSERT INTO service_records (form_id, resident_id, service_date, entered_at, "
        "entered_by, late_entry, updated_at, deleted) "
        "VALUES ('elderly_exam', ?, ?, ?, '演示站长', 0, ?, 0)",
        (resident, day.isoformat(), now, now),
    )
    rid = cur.lastrowid
    conn.execute(
        "INSERT INTO f_elderly_exam (record_id, exam_date, sbp, dbp, height, weight, hb, fpg, "
        "tc, tg, ldl, hdl, alt, ast, creatinine, abnormal, abnormal_1) "
        "VALUES (?, ?, 138, 86, 165, 68, 135, 6.8, 5.4, 1.9, 3.2, 1.1, 25, 22, 80, '2', '血压偏高')",
        (rid, day.isoformat()),
    )
    conn.executemany(
        "INSERT INTO f_elderly_exam__medicines (record_id, line, name, route, dosage, duration, "
        "adherence) VALUES (?, ?, ?, '1', '每日1次 每次5mg', '长期', '1')",
        [(rid, n, f"药物{n}") for n in range(1, 11)],
    )
    conn.execute("ROLLBACK")


def row(name: str, app: list[float], bare: list[float], target: float) -> str:
    p50, p95, b95 = percentile(app, 0.5), percentile(app, 0.95), percentile(bare, 0.95)
    verdict = "PASS" if p95 < target else "FAIL"
    return (
        f"{name:<34}{p50:>9.2f}{p95:>9.2f}{'< ' + str(int(target)):>9}{b95:>12.3f}"
        f"{p95 / b95 if b95 else float('inf'):>9.1f}  {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a station database (copied)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ygt-bench-hc-", dir=args.workdir))
    try:
        copy = folder / "station.db"
        shutil.copyfile(args.db, copy)
        t = time.perf_counter()
        ws = Workspace.open(copy, lock=False)
        migrated = time.perf_counter() - t
        ws.login("演示站长", "demo-1234")
        conn = ws.store.conn
        rnd = random.Random(args.seed)
        people = conn.execute(
            "SELECT id, sex, birth_date FROM residents WHERE status = '在档' AND birth_date "
            "BETWEEN '1936-01-01' AND '1990-12-31'"
        ).fetchall()
        picks = [people[int(rnd.random() * len(people))] for _ in range(args.saves)]
        day = TODAY - dt.timedelta(days=1)

        def age(birth: str) -> int:
            b = dt.date.fromisoformat(birth)
            return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

        def save(i: int) -> None:
            rid, sex, birth = picks[i]
            ws.services.save("elderly_exam", exam(day, sex, age(birth)), rid, confirm=True,
                             today=TODAY)  # fmt: skip

        save_app, save_bare = interleaved(
            args.saves, save, lambda i: bare_insert(conn, picks[i][0], day)
        )
        rid, sex, birth = picks[0]
        for year in range(2006, 2026):  # 20 exams, one a year
            when = dt.date(year, 5, 6)
            if when.isoformat() > birth:
                ws.services.save("elderly_exam", exam(when, sex, 50), rid, confirm=True,
                                 today=TODAY)  # fmt: skip
        listed = len(ws.services.timeline(rid))
        bare_sql = (
            "SELECT * FROM service_records WHERE resident_id = ? AND deleted = 0 "
            "ORDER BY service_date"
        )
        line_app, line_bare = interleaved(
            args.rounds,
            lambda i: ws.services.timeline(rid),
            lambda i: conn.execute(bare_sql, (rid,)).fetchall(),
        )
        residents = conn.execute("SELECT count(*) FROM residents").fetchone()[0]
        records = conn.execute("SELECT count(*) FROM service_records").fetchone()[0]
        print(f"{'figure':<34}{'p50 ms':>9}{'p95 ms':>9}{'target':>9}{'bare p95':>12}"
              f"{'ratio':>9}")  # fmt: skip
        save_row = row("1 save 体检表 + 10 medicine lines", save_app, save_bare, SAVE_TARGET_MS)
        line_row = row(f"2 timeline ({listed} records)", line_app, line_bare, TIMELINE_TARGET_MS)
        print(save_row)
        print(line_row)
        print(
            f"station: {residents} residents, {records} service records; "
            f"opening the copy with its pending migrations: {migrated:.1f} s; "
            f"{args.saves} saves, {args.rounds} timeline rounds"
        )
        missed = "FAIL" in save_row or "FAIL" in line_row
        ws.close()
        return 1 if args.strict and missed else 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
