"""Synthetic family-doctor contracts for demo stations: teams, packages, contracts with
renewals and terminations, fees received and satisfaction questionnaires.

Pure and deterministic: everything comes from ``random.Random`` seeded with the seed
and from the inputs; "today" is a parameter. Rates follow what counties report: about
three in four people of a key population contracted at some point and one in four of
the others; signing mostly in the first months of the year; most contracts renewed,
some terminated (迁出, 无法联系, 拒绝服务, 主动解约, 死亡); the fund's shares prepaid at
80 % in the quarter after signing and the rest settled after the contract year; a
questionnaire for about one contract term in eight.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from ..core.contracts import CHILD_MAX_AGE, DEFAULT_PREPAID_PERCENT, ELDERLY_MIN_AGE, one_year_end
from ..core.dates import age_years
from .residents import SyntheticVillage, village_doctor
from .services.common import Person

YEARS = 3  # signing campaigns: this year and the two before
P_SIGN = {True: 0.75, False: 0.30}  # ever contracted: key population or not
P_RENEW = {True: 0.85, False: 0.70}
P_TERMINATE = 0.04  # per term, for a reason other than death or moving away
REASONS = (("2", 30), ("3", 20), ("4", 40), ("9", 10))  # 无法联系, 拒绝, 主动, 其他
P_SURVEY = 0.12
BASIC = "基础服务包"  # signed by every contracted resident
# How often a resident a personalised package admits takes it (others: P_PERSONAL).
P_PACKAGE = {"老年人服务包": 0.6, "儿童服务包": 0.5, "慢病服务包": 0.5, "孕产妇服务包": 0.6}
P_PERSONAL = 0.5
# (resident, day) → their key populations on that day (codes of core.contracts)
PopulationsOn = Callable[[int, dt.date], Collection[str]]
_NURSES = ("杨丽", "李婷", "张慧", "赵娟", "王燕", "刘敏", "普秀珍", "段丽华")
_PH_STAFF = ("陈刚", "周明", "吴磊", "马俊", "罗平", "李云")
_SPECIALISTS = (
    ("何建国", "区人民医院 心血管内科"),
    ("孙立新", "区人民医院 内分泌科"),
    ("钱雪梅", "区妇幼保健院 儿童保健科"),
    ("朱文涛", "区人民医院 全科医学科"),
)


@dataclass(frozen=True)
class TeamPlan:
    key: int
    name: str
    leader: str
    phone: str
    villages: tuple[str, ...]
    members: tuple[tuple[str, str, str, str], ...]  # name, role code, phone, institution


@dataclass(frozen=True)
class ContractPlan:
    key: int
    resident_id: int
    team_key: int
    doctor: str  # a member's name in the team
    packages: tuple[str, ...]  # package names
    sign_date: dt.date
    start_date: dt.date
    end_date: dt.date
    renews_key: int | None = None
    representative: tuple[str, str, str] | None = None  # name, relation code, phone
    termination: tuple[dt.date, str, str] | None = None  # date, reason code, note


@dataclass(frozen=True)
class PaymentPlan:
    contract_key: int
    payer: str
    kind: str
    paid_date: dt.date
    amount: float


@dataclass(frozen=True)
class SurveyPlan:
    contract_key: int
    survey_date: dt.date
    method: str
    scores: tuple[str, ...]  # the six aspects then 总体评价, "1"–"5"


@dataclass
class DemoContracts:
    teams: list[TeamPlan] = field(default_factory=list)
    contracts: list[ContractPlan] = field(default_factory=list)
    payments: list[PaymentPlan] = field(default_factory=list)
    surveys: list[SurveyPlan] = field(default_factory=list)


def _phone(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "187")) + f"{rng.randrange(10**8):08d}"


def plan_teams(rng: random.Random, villages: Sequence[SyntheticVillage]) -> list[TeamPlan]:
    """One team per two or three villages (by code), staffed by those villages'
    doctors, a nurse, a public-health worker and a specialist of the lead hospital."""
    ordered = sorted(villages, key=lambda v: v.code)
    groups: list[list[SyntheticVillage]] = []
    while ordered:
        left = len(ordered)  # never leave a single village for the last team
        size = left if left <= 3 else 2 if left == 4 else rng.choice((2, 3))
        groups.append(ordered[:size])
        ordered = ordered[size:]
    teams = []
    for key, group in enumerate(groups, 1):
        doctors = list(dict.fromkeys(village_doctor(v.code) for v in group))
        members = [(d, "1" if group[0].code < "100" else "4", _phone(rng), "") for d in doctors]
        members.append((_NURSES[(key - 1) % len(_NURSES)], "2", _phone(rng), ""))
        members.append((_PH_STAFF[(key - 1) % len(_PH_STAFF)], "3", _phone(rng), ""))
        specialist, where = _SPECIALISTS[(key - 1) % len(_SPECIALISTS)]
        members.append((specialist, "5", _phone(rng), where))
        stem = (
            group[0].name.removesuffix("社区居委会").removesuffix("居委会").removesuffix("村委会")
        )
        teams.append(
            TeamPlan(
                key,
                f"{stem}家庭医生团队",
                doctors[0],
                _phone(rng),
                tuple(v.code for v in group),
                tuple(members),
            )
        )
    return teams


def generate_contracts(
    seed: int,
    today: dt.date,
    villages: Sequence[SyntheticVillage],
    people: Sequence[Person],
    facts: Mapping[int, set[str]],
    package_fees: Mapping[str, tuple[float, float, float]],
    *,
    populations_on: PopulationsOn | None = None,
    admits: Mapping[str, frozenset[str] | None] | None = None,
    reason_of: Callable[[str], str] | None = None,
) -> DemoContracts:
    """Teams, contracts, payments and surveys for ``people`` (in the order given).

    ``facts`` holds each resident's key populations today as known to the caller
    (registers, pregnancies, archive flags): who is more likely to sign.
    ``package_fees`` maps the packages to offer (by name) to their annual fee per payer
    (医保, 公卫, 个人). Every contract has :data:`BASIC`; a personalised package only
    when its 服务对象 admits the resident on the sign date: ``admits`` maps a package
    name to the key populations it admits (None: everyone — not chosen beyond the basic
    one), ``populations_on`` gives the resident's on a day (default: ``facts`` and the
    age on that day). ``reason_of`` maps an archive's closing (迁出 / 死亡 / 注销) to the
    termination reason its contract ends with (default: the contract form's codes as
    the app picks them, 迁出 1, 死亡 5, else 9). The same arguments give the same result."""
    rng = random.Random(f"ygt-contracts:{seed}")
    births = {p.id: p.birth_date for p in people}
    populations_on = populations_on or partial(_populations, facts, births)
    reason_of = reason_of or _reason
    out = DemoContracts(teams=plan_teams(rng, villages))
    team_of = {code: t for t in out.teams for code in t.villages}
    households: dict[str, list[Person]] = {}
    for p in people:
        households.setdefault(p.household or "", []).append(p)
    first_year = today.year - YEARS + 1
    for person in people:
        village = (person.household or "").split("|")[0]
        team = team_of.get(village)
        codes = facts.get(person.id, set())
        age_now = age_years(person.birth_date, today)
        key_pop = bool(codes) or age_now <= 6 or age_now >= 65
        if team is None or rng.random() >= P_SIGN[key_pop]:
            continue
        weights = (0.6, 0.25, 0.15) if key_pop else (0.4, 0.3, 0.3)
        year = rng.choices(range(first_year, today.year + 1), weights)[0]
        if rng.random() < 0.7:
            sign = dt.date(year, 1, 2) + dt.timedelta(days=rng.randrange(118))
        else:
            sign = dt.date(year, 1, 2) + dt.timedelta(days=rng.randrange(360))
        sign = max(
            sign,
            person.archive_date + dt.timedelta(days=rng.randrange(60)),
            person.birth_date + dt.timedelta(days=30),
        )
        doctor = village_doctor(village)
        previous: int | None = None
        start = (
            sign
            if rng.random() < 0.8
            else min((sign.replace(day=1) + dt.timedelta(days=32)).replace(day=1), today)
        )
        closed = person.status_date if person.status != "在档" else None
        while True:
            if sign >= today or (closed is not None and sign >= closed):
                break
            end = one_year_end(start)
            contract = _contract(
                rng,
                len(out.contracts) + 1,
                person,
                team,
                doctor,
                set(populations_on(person.id, sign)),
                admits or {},
                reason_of,
                sign,
                start,
                end,
                previous,
                households,
                package_fees,
                today,
            )
            out.contracts.append(contract)
            _payments(rng, out, contract, package_fees, today)
            _survey(rng, out, contract, today)
            if contract.termination is not None:
                break
            renew_sign = end - dt.timedelta(days=rng.randrange(40))
            if renew_sign > today or rng.random() >= P_RENEW[key_pop]:
                break  # in force and not yet renewed (maybe expiring soon), or let lapse
            previous, sign = contract.key, max(renew_sign, start + dt.timedelta(days=1))
            start = end + dt.timedelta(days=1)
    return out


def _contract(
    rng: random.Random,
    key: int,
    person: Person,
    team: TeamPlan,
    doctor: str,
    codes: set[str],
    admits: Mapping[str, frozenset[str] | None],
    reason_of: Callable[[str], str],
    sign: dt.date,
    start: dt.date,
    end: dt.date,
    previous: int | None,
    households: Mapping[str, list[Person]],
    fees: Mapping[str, tuple[float, float, float]],
    today: dt.date,
) -> ContractPlan:
    """One term; ``codes`` are the resident's key populations on the sign date."""
    age = age_years(person.birth_date, sign)
    chosen = [BASIC]
    for name in sorted(admits):
        admitted = admits[name]
        if admitted is None or name == BASIC or not admitted & codes:
            continue
        if rng.random() < P_PACKAGE.get(name, P_PERSONAL):
            chosen.append(name)
    representative = None
    if age < 14 or (age >= 80 and rng.random() < 0.3):
        adults = [
            p
            for p in households.get(person.household or "", [])
            if p.id != person.id and 20 <= age_years(p.birth_date, sign) < 80
        ]
        if adults:
            rep = adults[0]
            gap = age_years(rep.birth_date, sign) - age
            relation = "3" if age >= 80 else ("4" if gap < 45 else "5")
            representative = (rep.name or "家属", relation, rep.phone or "")
    termination = None
    last = min(end, today - dt.timedelta(days=1))
    closed = person.status_date if person.status != "在档" else None
    if closed is not None and closed <= end:
        # the archive's close ends the contract that day (on its start: never in force)
        termination = (max(closed, start), reason_of(person.status), f"档案结案：{person.status}")
    elif last > start + dt.timedelta(days=30) and rng.random() < P_TERMINATE:
        day = start + dt.timedelta(days=rng.randrange(30, (last - start).days + 1))
        reason = rng.choices([r for r, _ in REASONS], [w for _, w in REASONS])[0]
        termination = (day, reason, "居民要求" if reason == "4" else "")
    return ContractPlan(
        key,
        person.id,
        team.key,
        doctor,
        tuple(n for n in chosen if n in fees),
        sign,
        start,
        end,
        previous,
        representative,
        termination,
    )


def _populations(
    facts: Mapping[int, set[str]], births: Mapping[int, dt.date], resident: int, day: dt.date
) -> set[str]:
    """``facts`` (today's) with the age populations of ``day``."""
    codes = set(facts.get(resident, set())) - {"child", "elderly"}
    age = age_years(births[resident], day)
    if age <= CHILD_MAX_AGE:
        codes.add("child")
    if age >= ELDERLY_MIN_AGE:
        codes.add("elderly")
    return codes


def _reason(status: str) -> str:
    return {"迁出": "1", "死亡": "5"}.get(status, "9")


def _payments(
    rng: random.Random,
    out: DemoContracts,
    c: ContractPlan,
    fees: Mapping[str, tuple[float, float, float]],
    today: dt.date,
) -> None:
    due = [round(sum(fees[n][i] for n in c.packages), 2) for i in range(3)]
    if due[2] and rng.random() < 0.95:
        out.payments.append(PaymentPlan(c.key, "personal", "3", c.sign_date, due[2]))
    quarter = dt.date(c.sign_date.year, (c.sign_date.month - 1) // 3 * 3 + 1, 1)
    prepaid_day = (quarter + dt.timedelta(days=95)).replace(day=rng.randrange(1, 20))
    settle_day = c.end_date + dt.timedelta(days=rng.randrange(20, 76))
    for payer, amount in (("medical", due[0]), ("phs", due[1])):
        if not amount or prepaid_day > today or rng.random() >= 0.97:
            continue
        prepaid = round(amount * DEFAULT_PREPAID_PERCENT / 100, 2)
        out.payments.append(PaymentPlan(c.key, payer, "1", prepaid_day, prepaid))
        if c.termination is None and settle_day <= today and rng.random() < 0.9:
            out.payments.append(
                PaymentPlan(c.key, payer, "2", settle_day, round(amount - prepaid, 2))
            )


def _survey(rng: random.Random, out: DemoContracts, c: ContractPlan, today: dt.date) -> None:
    day = c.start_date + dt.timedelta(days=rng.randrange(60, 330))
    stop = c.termination[0] if c.termination else c.end_date
    if rng.random() >= P_SURVEY or day >= today or day >= stop:
        return
    base = rng.choices((5, 4, 3, 2), (45, 40, 11, 4))[0]
    items = [min(5, max(1, base + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(6)]
    overall = min(5, max(1, round(sum(items) / 6 + rng.choice((-0.4, 0, 0.4)))))
    out.surveys.append(
        SurveyPlan(c.key, day, rng.choice("1112"), tuple(str(s) for s in (*items, overall)))
    )
