"""Fill a database with a generated demo station (``ygt demo``; demos and benchmarks).

The same seed gives the same station. Six steps, each loaded whole in its own
transaction: residents (then their households), services, referrals, contracts,
equipment, base data. A cancel stops between steps and keeps the steps already loaded.

A demo never touches a real station: it writes only into a new file, or a database it
made itself — marked at creation by the setting ``demo`` = ``1``. Any other database (a
station set up by ``ygt init`` or the window, a bureau) is refused before anything is
written (:func:`claim`, and :func:`opened` reads the file without opening it for
writing). Every argument is checked before anything is written (:func:`check`); a new
file whose generation fails or is interrupted is removed, with its companions
(:func:`opened`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.tcm import ScoringConfig
from ..demo import base_data
from ..demo import residents as synthetic
from ..demo.load_contracts import demo_contracts
from ..demo.load_equipment import load_demo_equipment
from ..demo.load_households import load_households
from ..demo.load_past_diseases import link_past_diseases
from ..demo.load_referrals import load_demo_referrals
from ..demo.load_residents import load_residents
from ..demo.load_services import demo_people, load_services
from ..demo.services import generate_services
from ..storage import audit, users
from ..storage.backup import backup_dir_for
from ..storage.organisation import (
    Organisation,
    add_village,
    get_setting,
    set_organisation,
    villages,
)
from ..storage.workspace import Workspace
from .base import OpError, Run
from .users import Login, sign_in

DEMO_ORG = Organisation("530102001", "五华区示范社区卫生服务站", "站", "530102")
STEPS = 6
# The demo station's accounts (printed by ``ygt demo``, listed in the README).
DEMO_PASSWORD = "demo-1234"
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("演示站长", "站长"),
    ("演示医生", "医生"),
    ("演示录入员", "录入员"),
)


# The setting that marks a database as made by ``ygt demo`` (written when it is made).
MARK = "demo"
RESIDENTS = (1, 500_000)
VILLAGES = (1, 99)
SEEDS = (0, 2**31 - 1)
YEARS = (2000, 2100)


class NotADemo(OpError):
    """The database is not one ``ygt demo`` made: nothing was written to it."""


def _not_a_demo(path: Path | str) -> NotADemo:
    return NotADemo(
        f"数据库 {path} 不是 ygt demo 生成的演示数据库（可能是真实站点或卫健局的数据库），"
        "ygt demo 不会写入它，未做任何改动。请用 --db 指定一个新的文件名。"
    )


def _between(what: str, value: int, bounds: tuple[int, int]) -> str | None:
    low, high = bounds
    if low <= value <= high:
        return None
    return f"{what}应在 {low}–{high} 之间（现为 {value}）"


def residents_problem(n: int) -> str | None:
    return _between("居民人数", n, RESIDENTS)


def villages_problem(n: int) -> str | None:
    return _between("居委/村委数", n, VILLAGES)


def seed_problem(n: int) -> str | None:
    return _between("随机种子", n, SEEDS)


def year_problem(year: int) -> str | None:
    return _between("数据年份", year, YEARS)


def today_problem(today: dt.date, year: int) -> str | None:
    """“Today” must fall in the data's year or the year after: earlier, nothing of the
    year has happened yet; much later, every follow-up would be long overdue."""
    first, last = dt.date(year, 1, 1), dt.date(year + 1, 12, 31)
    if first <= today <= last:
        return None
    return (
        f"--today {today.isoformat()} 不合理：应在数据年份 {year} 之内或次年"
        f"（{first.isoformat()} 至 {last.isoformat()}）"
    )


def check(
    *, residents: int, seed: int, year: int, today: dt.date | None, village_count: int
) -> None:
    """Raise :class:`OpError` naming every argument that is wrong (Chinese)."""
    problems = [
        residents_problem(residents),
        villages_problem(village_count),
        seed_problem(seed),
        year_problem(year),
    ]
    if today is not None and not year_problem(year):
        problems.append(today_problem(today, year))
    found = [p for p in problems if p]
    if found:
        raise OpError("；".join(found) + "。未做任何改动。")


def is_demo(ws: Workspace) -> bool:
    """Whether ``ws`` is a database ``ygt demo`` made (its mark is set)."""
    return get_setting(ws.store, MARK) == "1"


def _is_fresh(ws: Workspace) -> bool:
    conn = ws.store.conn
    return (
        ws.organisation is None
        and conn.execute("SELECT 1 FROM residents LIMIT 1").fetchone() is None
        and not users.has_users(ws.store)
    )


def claim(ws: Workspace) -> None:
    """Make sure ``ws`` may take demo data: a database already marked as a demo, or a
    fresh one (no organisation, residents or accounts: just created), which is marked
    now, before anything else is written. Anything else raises :class:`NotADemo`,
    having written nothing."""
    if is_demo(ws):
        return
    if not _is_fresh(ws):
        raise _not_a_demo(ws.store.path)
    with ws.store.write() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (MARK,),
        )
        audit.record(
            conn,
            user=ws.store.user,
            table="settings",
            record_id=None,
            action="insert",
            new={"key": MARK, "value": "1"},
            reason="ygt demo 新建演示数据库",
        )


def file_is_demo(path: Path) -> bool:
    """Whether the existing file ``path`` is a demo database, read without opening it
    for writing (no migration, no lock, no backup). Not a database at all: False."""
    # Read-only, and immutable when no write-ahead log is beside it: then SQLite makes
    # no -wal or -shm file either, and the refused file's folder stays as it was.
    live = path.with_name(path.name + "-wal").exists()
    mode = "mode=ro" if live else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (MARK,)).fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return row is not None and row[0] == "1"


def _companions(path: Path) -> list[Path]:
    return [
        path,
        *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal", ".lock")),
    ]


def _remove_new(path: Path, before: set[Path], backups_existed: bool) -> None:
    for p in _companions(path):
        if p not in before:
            with contextlib.suppress(OSError):
                p.unlink()
    folder = backup_dir_for(path)
    if not backups_existed and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def opened(path: Path, login: Callable[[], Login]) -> Iterator[Run]:
    """A run as the demo 站长 on ``path`` — a new file (made and marked now), or a demo
    database made earlier (then ``login()``'s user acts) — closed, with a backup of what
    was added, after the block. Another database is refused (:class:`NotADemo`) before
    it is opened for writing. If the block fails or is interrupted (Ctrl+C included) on
    a new file, the file and its companions (``-wal``, ``-shm``, ``.lock``, a backup
    folder made meanwhile) are removed: no half-made database is left."""
    path = Path(path)
    is_new = not path.exists() or path.stat().st_size == 0
    if not is_new and not file_is_demo(path):
        raise _not_a_demo(path)
    before = {p for p in _companions(path) if p.exists() and not (is_new and p == path)}
    backups_existed = backup_dir_for(path).exists()
    try:
        ws = Workspace.open(path, create=True)
    except BaseException:
        if is_new:
            _remove_new(path, before, backups_existed)
        raise
    try:
        claim(ws)
        run = as_demo_user(ws, login)
        yield run
    except BaseException:
        ws.close(backup_on_exit=not is_new)
        if is_new:
            _remove_new(path, before, backups_existed)
        raise
    ws.close(backup_on_exit=True)


@dataclass
class Made:
    """What :func:`generate` loaded (counts per kind; empty when a step was skipped)."""

    residents: int = 0
    households: int = 0
    past_diseases: int = 0  # residents whose 既往史 got their registers' diseases
    services: dict[str, int] = field(default_factory=dict)  # per form id
    referrals: int = 0
    dismissed: int = 0  # referral suggestions explained as not referred
    contracts: dict[str, int] = field(default_factory=dict)  # teams, contracts, payments, …
    equipment: dict[str, int] = field(default_factory=dict)
    services_seconds: float = 0.0  # generating and loading services and referrals
    seconds: float = 0.0


def as_demo_user(ws: Workspace, login: Callable[[], Login]) -> Run:
    """A run on ``ws`` as its demo 站长: a new file gets :data:`DEMO_ACCOUNTS` (password
    :data:`DEMO_PASSWORD`); a file with accounts needs ``login()``'s user. Only on a
    demo database (:func:`claim`: a fresh one is marked first); another is refused
    with nothing written."""
    claim(ws)
    if users.has_users(ws.store):
        return Run.plain(ws, sign_in(ws, login()))
    for name, role in DEMO_ACCOUNTS:
        users.add_user(ws.store, name, role, DEMO_PASSWORD, is_bureau=False, by=DEMO_ACCOUNTS[0][0])
    ws.login(DEMO_ACCOUNTS[0][0], DEMO_PASSWORD)
    return Run.plain(ws)


def default_today(year: int) -> dt.date:
    """The demo's "today" when none is given: today in the current year, else the
    year's end (a past year seen whole; a future year as it will have been)."""
    today = dt.date.today()
    return today if today.year == year else dt.date(year, 12, 31)


def generate(
    run: Run,
    *,
    residents: int,
    seed: int,
    year: int,
    today: dt.date | None = None,
    village_count: int = 12,
    services: bool = True,
    org: Organisation | None = None,
) -> Made:
    """Add ``residents`` generated residents of ``year`` (and, unless ``services`` is
    False, their service records and referrals), family-doctor contracts, equipment and
    the base figures, as on ``today``. A database without an organisation becomes the
    demo station (``org``, by default :data:`DEMO_ORG`); one without villages gets
    ``village_count`` of them.

    Every argument is checked first and only a demo database is written (:func:`check`,
    :func:`claim`): otherwise an :class:`OpError` and nothing written."""
    run.require("demo.generate")
    check(residents=residents, seed=seed, year=year, today=today, village_count=village_count)
    today = today or default_today(year)
    claim(run.ws)
    started = time.perf_counter()
    ws, made = run.ws, Made()
    run.step(0, STEPS, f"正在生成 {residents} 名居民…")
    if ws.organisation is None:
        set_organisation(ws.store, org or DEMO_ORG)
    existing = villages(ws.store)
    if not existing:
        for v in synthetic.generate_villages(random.Random(seed), village_count):
            add_village(ws.store, v.code, v.name)
        existing = villages(ws.store)
    org = ws.organisation
    assert org is not None
    before = int(ws.store.conn.execute("SELECT coalesce(max(id), 0) FROM residents").fetchone()[0])
    people = synthetic.generate_residents(
        seed,
        residents,
        year,
        [synthetic.SyntheticVillage(v.code, v.name) for v in existing],
        today,
        county_code=org.code[:6],
    )
    made.residents = load_residents(ws.store, ws.forms["resident"], people)
    made.households = load_households(ws.store, after_id=before, today=today, seed=seed)
    residents_done = time.perf_counter()
    if services:
        run.step(1, STEPS, "正在生成服务记录…")
        scoring = ScoringConfig.from_settings(ws.forms["tcm_elderly"].settings)
        has_logs = ws.store.conn.execute(
            "SELECT 1 FROM service_records WHERE resident_id IS NULL LIMIT 1"
        ).fetchone()
        records = generate_services(
            demo_people(ws.store, after_id=before),
            today,
            seed,
            scoring=scoring,
            station_logs=has_logs is None,
        )
        made.services = load_services(ws.store, ws.forms, records, today=today, seed=seed)
        # 既往史 names the registers' diseases, now that the registers are known.
        made.past_diseases = link_past_diseases(ws.store, ws.forms, after_id=before)
        run.step(2, STEPS, "正在生成双向转诊…")
        made.referrals, made.dismissed = load_demo_referrals(
            ws.store, ws.forms, today=today, seed=seed, after_id=before
        )
        made.services_seconds = time.perf_counter() - residents_done
    run.step(3, STEPS, "正在生成家医签约…")
    made.contracts = demo_contracts(ws.store, ws.forms, seed, today)
    run.step(4, STEPS, "正在生成设备台账…")
    made.equipment = load_demo_equipment(ws.store, ws.forms, seed, today)
    run.step(5, STEPS, "正在填写基础数据…")
    base_data.fill_demo(ws, today)
    # The worklist's kept rows (migration 0054) for everyone loaded, in one pass: the
    # triggers marked every resident, one by one would be far slower.
    ws.worklist.refresh_kept(full=True)
    made.seconds = time.perf_counter() - started
    run.progress(STEPS, STEPS, "完成")
    return made
