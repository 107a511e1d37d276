"""Fill a database with a generated demo station (``ygt demo``; demos and benchmarks).

The same seed gives the same station. Six steps, each loaded whole in its own
transaction: residents, services, referrals, contracts, equipment, base data. A cancel
stops between steps and keeps the steps already loaded.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.tcm import ScoringConfig
from ..demo import base_data
from ..demo import residents as synthetic
from ..demo.load_contracts import demo_contracts
from ..demo.load_equipment import load_demo_equipment
from ..demo.load_referrals import load_demo_referrals
from ..demo.load_residents import load_residents
from ..demo.load_services import demo_people, load_services
from ..demo.services import generate_services
from ..storage import users
from ..storage.organisation import Organisation, add_village, set_organisation, villages
from ..storage.workspace import Workspace
from .base import Run
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


@dataclass
class Made:
    """What :func:`generate` loaded (counts per kind; empty when a step was skipped)."""

    residents: int = 0
    services: dict[str, int] = field(default_factory=dict)  # per form id
    referrals: int = 0
    dismissed: int = 0  # referral suggestions explained as not referred
    contracts: dict[str, int] = field(default_factory=dict)  # teams, contracts, payments, …
    equipment: dict[str, int] = field(default_factory=dict)
    services_seconds: float = 0.0  # generating and loading services and referrals
    seconds: float = 0.0


def as_demo_user(ws: Workspace, login: Callable[[], Login]) -> Run:
    """A run on ``ws`` as its demo 站长: a new file gets :data:`DEMO_ACCOUNTS` (password
    :data:`DEMO_PASSWORD`); a file with accounts needs ``login()``'s user."""
    if users.has_users(ws.store):
        return Run.plain(ws, sign_in(ws, login()))
    for name, role in DEMO_ACCOUNTS:
        users.add_user(ws.store, name, role, DEMO_PASSWORD, is_bureau=False, by=DEMO_ACCOUNTS[0][0])
    ws.login(DEMO_ACCOUNTS[0][0], DEMO_PASSWORD)
    return Run.plain(ws)


def default_today(year: int) -> dt.date:
    """The demo's "today" when none is given: the year's end, or today if earlier."""
    return min(dt.date(year, 12, 31), dt.date.today())


def generate(
    run: Run,
    *,
    residents: int,
    seed: int,
    year: int,
    today: dt.date | None = None,
    village_count: int = 12,
    services: bool = True,
) -> Made:
    """Add ``residents`` generated residents of ``year`` (and, unless ``services`` is
    False, their service records and referrals), family-doctor contracts, equipment and
    the base figures, as on ``today``. A database without an organisation becomes the
    demo station; one without villages gets ``village_count`` of them."""
    run.require("demo.generate")
    today = today or default_today(year)
    started = time.perf_counter()
    ws, made = run.ws, Made()
    run.step(0, STEPS, f"正在生成 {residents} 名居民…")
    if ws.organisation is None:
        set_organisation(ws.store, DEMO_ORG)
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
    made.seconds = time.perf_counter() - started
    run.progress(STEPS, STEPS, "完成")
    return made
