"""The quarterly report's indicators as they were computed before issue 15 made them
fast: a frozen copy, the oracle :mod:`tests.storage.test_indicators_same` holds the
app's computation equal to (every field of every ``Counted``).

Copied from ``ygt_desktop/storage/indicators.py``, ``indicator_rules.py``,
``indicator_rules_fd.py``, ``populations.population_members`` (with ``open_episodes``),
``contract_lists.covered_on`` / ``renewals`` and ``referrals.figures`` at commit
87149ee, one Python object per resident and per record as then. Never imported by the
app; never "fixed" to follow it: a rule that changes on purpose changes here too, in
the same commit, with the reason.

What it still takes from the app: the core rules (periods, ages, quarters, key
populations' definitions) and the equipment register's summary, none of which issue 15
touches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ygt_desktop.core.contracts import (
    CHILD_MAX_AGE,
    ELDERLY_MIN_AGE,
    KEY_POPULATIONS,
    RESIDENT_FLAGS,
    add_years,
)
from ygt_desktop.core.dates import age_years
from ygt_desktop.core.forms import FormRegistry
from ygt_desktop.core.programmes import EPISODES, REGISTERS
from ygt_desktop.core.report_model import Period, Template
from ygt_desktop.core.schedules import add_months, quarter_of
from ygt_desktop.storage.db import Store
from ygt_desktop.storage.equipment import Equipment

FACE_TO_FACE = ("1", "2")
# the three band forms of issue 14 and the retired one-form child check
CHILD_CHECK_FORMS = (
    "child_check_infant",
    "child_check_toddler",
    "child_check_preschool",
    "child_check",
)
OPEN = "在档"
BASE_LABELS = {
    "population": "常住人口数",
    "pop_35": "35岁及以上常住人口数",
    "pop_65": "65岁及以上常住居民数",
    "children_0_6": "0～6岁儿童数",
    "children_0_36": "0～36个月儿童数",
}
FIELDS = (
    "code",
    "numerator",
    "denominator",
    "pool",
    "base",
    "missing",
    "count",
    "records",
    "record_denominator",
)


@dataclass
class Counted:
    code: str
    numerator: set[int] = field(default_factory=set)
    denominator: set[int] | None = None
    pool: set[int] | None = None
    base: int | None = None
    missing: str | None = None
    count: float | None = None
    records: int | None = None
    record_denominator: int | None = None


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _half_up(x: float) -> int:
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Person:
    birth: str | None
    archived: str | None
    closed: str | None


class Indicators:
    def __init__(
        self, store: Store, forms: FormRegistry, template: Template, base: Mapping[str, Any] | None
    ) -> None:
        self.store = store
        self.forms = forms
        self.template = template
        self.base = dict(base or {})
        self._people: dict[int, Person] | None = None
        self._open: dict[dt.date, set[int]] = {}

    def compute(self, period: Period, codes: Iterable[str] | None = None) -> dict[str, Counted]:
        wanted = list(codes) if codes is not None else [i.code for i in self.template.indicators]
        self.at(period)
        out: dict[str, Counted] = {}
        for code in wanted:
            if code in out:
                continue
            fn = COMPUTERS.get(code)
            if fn is None:
                continue
            for counted in fn(self):
                out[counted.code] = counted
        return {c: out[c] for c in wanted if c in out}

    def at(self, period: Period) -> None:
        self.period = period
        self.ws, self.we = period.window_start, period.window_end

    @property
    def people(self) -> dict[int, Person]:
        if self._people is None:
            people = {}
            for rid, birth, archived, status, status_date in self.store.conn.execute(
                "SELECT id, birth_date, archive_date, status, status_date FROM residents "
                "WHERE deleted = 0"
            ):
                closed = None if status == OPEN else (status_date or "")
                people[rid] = Person(birth, archived, closed)
            self._people = people
        return self._people

    def open_at(self, day: dt.date) -> set[int]:
        if day not in self._open:
            iso = day.isoformat()
            self._open[day] = {
                rid
                for rid, p in self.people.items()
                if p.archived is not None
                and p.archived <= iso
                and (p.closed is None or p.closed > iso)
            }
        return self._open[day]

    def aged(
        self,
        ids: Iterable[int],
        day: dt.date,
        *,
        years_from: int | None = None,
        years_below: int | None = None,
        months_below: int | None = None,
    ) -> set[int]:
        latest = day
        earliest = dt.date.min
        if years_from is not None:
            latest = min(latest, add_months(day, -12 * years_from))
        if years_below is not None:
            earliest = max(earliest, add_months(day, -12 * years_below))
        if months_below is not None:
            earliest = max(earliest, add_months(day, -months_below))
        people = self.people
        low = "" if earliest == dt.date.min else earliest.isoformat()
        high = latest.isoformat()
        return {rid for rid in ids if (b := people[rid].birth) is not None and low < b <= high}

    def rows(
        self,
        form_id: str,
        columns: str = "",
        start: dt.date | None = None,
        end: dt.date | None = None,
        extra: str = "",
    ) -> list[tuple[Any, ...]]:
        if form_id not in self.forms:
            return []
        table = self.forms[form_id].table
        cols = f", {columns}" if columns else ""
        return self.store.conn.execute(
            f"SELECT h.id, h.resident_id, h.service_date{cols} FROM service_records h "
            f"JOIN {table} d ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            f"AND h.service_date BETWEEN ? AND ? {extra}",
            (form_id, (start or self.ws).isoformat(), (end or self.we).isoformat()),
        ).fetchall()

    def residents_with(self, form_id: str) -> set[int]:
        return {r[1] for r in self.rows(form_id) if r[1] is not None}

    def base_figure(self, key: str) -> tuple[int | None, str | None]:
        value = self.base.get(key)
        if value is None:
            return None, f"缺少{self.period.year}年基础数据：{BASE_LABELS.get(key, key)}"
        return int(value), None

    def setting(self, key: str, default: Any) -> Any:
        return self.template.setting(key, default)


Computer = Callable[[Indicators], list[Counted]]
COMPUTERS: dict[str, Computer] = {}


def computes(*codes: str) -> Callable[[Computer], Computer]:
    def register(fn: Computer) -> Computer:
        for code in codes:
            COMPUTERS[code] = fn
        return fn

    return register


def compute(
    store: Store,
    forms: FormRegistry,
    template: Template,
    base: Mapping[str, Any] | None,
    period: Period,
    codes: Iterable[str] | None = None,
) -> dict[str, Counted]:
    """Today's-before-issue-15 computation of ``period`` (year to date)."""
    return Indicators(store, forms, template, base).compute(period, codes)


# Codes of the template with no copy here, each held by its own tests with numbers known
# by construction (a new code is either copied here or named here, on purpose).
WITHOUT_REFERENCE = frozenset({"mat.sys"})  # tests/storage/test_maternal.py


def differences(new: Mapping[str, Any], old: Mapping[str, Counted]) -> list[str]:
    """Where ``new`` (code → an object with the fields of :class:`Counted`) differs from
    ``old``: the codes in another order, or a field of a code (``"htn.mgmt.pool"``)."""
    unheld = [c for c in new if c not in old and c not in WITHOUT_REFERENCE]
    if unheld or [c for c in new if c in old] != list(old):
        return [f"codes {list(new)} != {list(old)} (+ {sorted(WITHOUT_REFERENCE)})"]
    return [
        f"{code}.{name}"
        for code, expected in old.items()
        for name in FIELDS
        if getattr(new[code], name) != getattr(expected, name)
    ]


# ---- populations.py, contract_lists.py, referrals.py (the parts the report used) -----


def _episode_sql(resident_filter: str) -> str:
    return (
        "SELECT h.resident_id FROM service_records h WHERE h.form_id = ? AND h.deleted = 0 "
        f"AND h.service_date <= ?{resident_filter} AND NOT EXISTS (SELECT 1 FROM "
        "service_records c WHERE c.episode_id = h.id AND c.closes_episode = 1 "
        "AND c.deleted = 0 AND c.service_date <= ?)"
    )


def open_episodes(
    store: Store, forms: FormRegistry, day: dt.date, resident_id: int | None = None
) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    where = " AND h.resident_id = ?" if resident_id is not None else ""
    extra = (resident_id,) if resident_id is not None else ()
    openers = forms.episode_openers()
    for episode in EPISODES:
        if episode not in openers:
            out[episode] = set()
            continue
        rows = store.conn.execute(
            _episode_sql(where), (openers[episode].id, day.isoformat(), *extra, day.isoformat())
        )
        out[episode] = {int(r[0]) for r in rows}
    return out


def in_archive_sql(alias: str = "r") -> str:
    return (
        f"{alias}.deleted = 0 AND {alias}.archive_date <= ? AND ({alias}.status = '在档' "
        f"OR {alias}.status_date IS NULL OR {alias}.status_date > ?)"
    )


def population_members(store: Store, forms: FormRegistry, day: dt.date) -> dict[str, set[int]]:
    iso = day.isoformat()
    base = in_archive_sql()
    conn = store.conn

    def ids(sql: str, params: tuple[object, ...]) -> set[int]:
        return {int(r[0]) for r in conn.execute(sql, params)}

    members: dict[str, set[int]] = {code: set() for code in ("child", "elderly", *RESIDENT_FLAGS)}
    child_after = add_years(day, -(CHILD_MAX_AGE + 1)).isoformat()
    elderly_by = add_years(day, -ELDERLY_MIN_AGE).isoformat()
    flag_codes = list(RESIDENT_FLAGS)
    open_archives: set[int] = set()
    for rid, birth, *flags in conn.execute(
        f"SELECT id, birth_date, {', '.join(RESIDENT_FLAGS.values())} FROM residents r "
        f"WHERE {base}",
        (iso, iso),
    ):
        open_archives.add(rid)
        if birth:
            if child_after < birth <= iso:
                members["child"].add(rid)
            if birth <= elderly_by:
                members["elderly"].add(rid)
        for code, flag in zip(flag_codes, flags, strict=True):
            if flag == 1:
                members[code].add(rid)
    episodes = open_episodes(store, forms, day)
    members["maternal"] = episodes["pregnancy"]
    members["tb"] = episodes["tb"]
    registers = forms.register_forms()
    for register in REGISTERS:
        if register not in registers:
            members[register] = set()
            continue
        form = registers[register]
        members[register] = ids(
            f"SELECT h.resident_id FROM service_records h JOIN {form.table} d "
            "ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
            "AND h.service_date <= ? AND (d.closed_date IS NULL OR d.closed_date > ?)",
            (form.id, iso, iso),
        )
    return {code: members[code] & open_archives for code in KEY_POPULATIONS}


def renewals(store: Store) -> dict[int, dt.date]:
    rows = store.conn.execute(
        "SELECT renews_id, min(sign_date) FROM e_contract "
        "WHERE renews_id IS NOT NULL AND deleted = 0 GROUP BY renews_id"
    )
    return {int(r[0]): dt.date.fromisoformat(r[1]) for r in rows}


def covered_on(store: Store, day: dt.date) -> set[int]:
    iso = day.isoformat()
    return {
        int(r[0])
        for r in store.conn.execute(
            "SELECT resident_id FROM e_contract WHERE deleted = 0 AND start_date <= ? "
            "AND end_date >= ? AND (termination_date IS NULL OR termination_date > ?)",
            (iso, iso, iso),
        )
    }


def referral_figures(
    store: Store, forms: FormRegistry, start: dt.date, end: dt.date
) -> tuple[int, int, int]:
    """(up, down, up followed up within 14 days) for referrals dated in [start, end]."""
    up, down, within = store.conn.execute(
        "SELECT coalesce(sum(direction = '1'), 0), coalesce(sum(direction = '2'), 0), "
        "coalesce(sum(direction = '1' AND followup_date IS NOT NULL "
        " AND julianday(followup_date) - julianday(referral_date) BETWEEN 0 AND ?), 0) "
        f"FROM {forms['referral'].table} WHERE deleted = 0 AND referral_date BETWEEN ? AND ?",
        (14, start.isoformat(), end.isoformat()),
    ).fetchone()
    return int(up), int(down), int(within)


# ---- indicator_rules.py ------------------------------------------------------------


@computes("ehr.coverage", "ehr.use")
def _ehr(ix: Indicators) -> list[Counted]:
    opened = ix.open_at(ix.we)
    base, missing = ix.base_figure("population")
    since = ix.we - dt.timedelta(days=int(ix.setting("ehr_use_days", 365)) - 1)
    served = {
        rid
        for (rid,) in ix.store.conn.execute(
            "SELECT DISTINCT resident_id FROM service_records WHERE deleted = 0 "
            "AND resident_id IS NOT NULL AND service_date BETWEEN ? AND ?",
            (since.isoformat(), ix.we.isoformat()),
        )
    }
    return [
        Counted("ehr.coverage", numerator=opened, base=base, missing=missing, pool=opened),
        Counted("ehr.use", numerator=opened & served, denominator=opened),
    ]


@computes(
    "edu.print_kinds",
    "edu.print_copies",
    "edu.av_kinds",
    "edu.av_times",
    "edu.board",
    "edu.lecture_times",
    "edu.lecture_people",
    "edu.consult_times",
    "edu.consult_people",
)
def _edu(ix: Indicators) -> list[Counted]:
    titles: dict[str, set[str]] = defaultdict(set)
    times: dict[str, int] = defaultdict(int)
    amount: dict[str, int] = defaultdict(int)
    for _, _, _, kind, title, copies, shown, participants in ix.rows(
        "edu_activity", "d.kind, d.title, d.copies, d.times, d.participants"
    ):
        titles[kind].add((title or "").strip())
        times[kind] += 1
        if kind == "1":
            amount[kind] += copies or 0
        elif kind == "2":
            amount[kind] += shown or 0
        else:
            amount[kind] += participants or 0
    av_times = amount["2"] or times["2"]
    return [
        Counted("edu.print_kinds", count=len(titles["1"])),
        Counted("edu.print_copies", count=amount["1"]),
        Counted("edu.av_kinds", count=len(titles["2"])),
        Counted("edu.av_times", count=av_times),
        Counted("edu.board", count=times["3"]),
        Counted("edu.lecture_times", count=times["4"]),
        Counted("edu.lecture_people", count=amount["4"]),
        Counted("edu.consult_times", count=times["5"]),
        Counted("edu.consult_people", count=amount["5"]),
    ]


@computes("child.newborn")
def _newborn(ix: Indicators) -> list[Counted]:
    born = {
        rid
        for rid, p in ix.people.items()
        if p.birth is not None and ix.ws.isoformat() <= p.birth <= ix.we.isoformat()
    }
    days = int(ix.setting("newborn_visit_days", 7))
    visited = set()
    for _, rid, day, discharged in ix.rows(
        "newborn_visit", "d.discharged_date", end=ix.we + dt.timedelta(days=days + 40)
    ):
        if rid not in born:
            continue
        birth = ix.people[rid].birth
        assert birth is not None
        start = _d(discharged) or dt.date.fromisoformat(birth)
        if 0 <= (dt.date.fromisoformat(day) - start).days <= days:
            visited.add(rid)
    return [Counted("child.newborn", numerator=visited, denominator=born)]


@computes("child.managed")
def _child(ix: Indicators) -> list[Counted]:
    pool = ix.aged(ix.open_at(ix.we), ix.we, years_below=7)
    base, missing = ix.base_figure("children_0_6")
    return [
        Counted(
            "child.managed",
            numerator=pool & set().union(*(ix.residents_with(f) for f in CHILD_CHECK_FORMS)),
            pool=pool,
            base=base,
            missing=missing,
        )
    ]


# 3岁以下儿童系统管理 (4:2:2): the checks of each year of life, as (opens, last day) from
# birth — 满月 days 28–30, then months 3, 6, 8 | 12, 18 | 24, 30, a month each (the 30-month
# one to the day before 36 months' opens, the same thing).
SYS3_YEARS = (
    ((("d", 28), ("d", 30)), (("m", 3), ("m", 4)), (("m", 6), ("m", 7)), (("m", 8), ("m", 9))),
    ((("m", 12), ("m", 13)), (("m", 18), ("m", 19))),
    ((("m", 24), ("m", 25)), (("m", 30), ("m", 31))),
)


def _at(birth: dt.date, mark: tuple[str, int]) -> dt.date:
    kind, n = mark
    return birth + dt.timedelta(days=n) if kind == "d" else add_months(birth, n)


@computes("child.system")
def _child_system(ix: Indicators) -> list[Counted]:
    pool = ix.aged(ix.open_at(ix.we), ix.we, years_below=3)
    norm = [int(n) for n in ix.setting("child_sys3_checks", [4, 2, 2])]
    managed = set()
    for rid in pool:
        birth = dt.date.fromisoformat(ix.people[rid].birth)
        got = [0, 0, 0]
        for form_id in CHILD_CHECK_FORMS:
            for _, who, day in ix.rows(form_id, start=birth, end=ix.we):
                if who == rid:
                    for year in range(3):
                        if (
                            add_months(birth, 12 * year)
                            <= dt.date.fromisoformat(day)
                            < add_months(birth, 12 * (year + 1))
                        ):
                            got[year] += 1
        ok = True
        for year, checks in enumerate(SYS3_YEARS):
            ended = 0
            for _first, after in checks:
                last = (
                    _at(birth, after)
                    if after[0] == "d"
                    else _at(birth, after) - dt.timedelta(days=1)
                )
                ended += last <= ix.we
            ok = ok and got[year] >= min(ended, norm[year])
        if ok:
            managed.add(rid)
    return [Counted("child.system", numerator=managed, denominator=pool)]


def _deliveries(ix: Indicators) -> list[tuple[int, int, dt.date, dt.date | None, int]]:
    return [
        (rec, rid, dt.date.fromisoformat(day), _d(discharged), episode)
        for rec, rid, day, discharged, episode in ix.rows(
            "delivery", "d.discharged_date, h.episode_id"
        )
    ]


@computes("mat.early", "mat.postpartum")
def _maternal(ix: Indicators) -> list[Counted]:
    deliveries = _deliveries(ix)
    episodes = [d[4] for d in deliveries if d[4] is not None]
    first: dict[int, tuple[dt.date, dt.date | None]] = {}
    visits: dict[int, list[dt.date]] = defaultdict(list)
    if episodes:
        marks = ",".join("?" * len(episodes))
        for episode, form_id, day, lmp, typed in ix.store.conn.execute(
            "SELECT h.episode_id, h.form_id, h.service_date, p.lmp_date, p.gest_weeks "
            "FROM service_records h LEFT JOIN f_prenatal_first p ON p.record_id = h.id "
            f"WHERE h.deleted = 0 AND h.episode_id IN ({marks}) "
            "AND h.form_id IN ('prenatal_first', 'postpartum_visit')",
            episodes,
        ):
            if form_id == "prenatal_first":
                exam_day = dt.date.fromisoformat(day)
                if lmp is None and typed is not None:  # 末次月经不详: the 孕周 typed
                    lmp = (exam_day - dt.timedelta(days=7 * int(typed))).isoformat()
                first[episode] = (exam_day, _d(lmp))
            else:
                visits[episode].append(dt.date.fromisoformat(day))
    weeks = int(ix.setting("early_pregnancy_weeks", 13))
    days = int(ix.setting("postpartum_visit_days", 28))
    early = postpartum = 0
    early_people: set[int] = set()
    post_people: set[int] = set()
    for _, rid, delivered, discharged, episode in deliveries:
        exam, lmp = first.get(episode, (None, None))
        if exam is not None and lmp is not None and (exam - lmp).days < 7 * weeks:
            early += 1
            early_people.add(rid)
        start = discharged or delivered
        if any(0 <= (v - start).days <= days for v in visits.get(episode, [])):
            postpartum += 1
            post_people.add(rid)
    women = {d[1] for d in deliveries}
    return [
        Counted(
            "mat.early",
            numerator=early_people,
            denominator=women,
            records=early,
            record_denominator=len(deliveries),
        ),
        Counted(
            "mat.postpartum",
            numerator=post_people,
            denominator=women,
            records=postpartum,
            record_denominator=len(deliveries),
        ),
    ]


def _by_age_in_window(
    ix: Indicators,
    code: str,
    form_id: str,
    base_key: str,
    *,
    years_from: int | None = None,
    months_below: int | None = None,
) -> Counted:
    pool = ix.aged(ix.open_at(ix.we), ix.we, years_from=years_from, months_below=months_below)
    base, missing = ix.base_figure(base_key)
    return Counted(
        code, numerator=pool & ix.residents_with(form_id), pool=pool, base=base, missing=missing
    )


@computes("eld.managed")
def _elderly(ix: Indicators) -> list[Counted]:
    return [_by_age_in_window(ix, "eld.managed", "elderly_exam", "pop_65", years_from=65)]


@computes("tcm.elderly")
def _tcm_elderly(ix: Indicators) -> list[Counted]:
    return [_by_age_in_window(ix, "tcm.elderly", "tcm_elderly", "pop_65", years_from=65)]


@computes("tcm.child")
def _tcm_child(ix: Indicators) -> list[Counted]:
    counted = _by_age_in_window(ix, "tcm.child", "tcm_child", "children_0_36", months_below=37)
    in_checks = set()  # a child check's 中医药健康管理服务 row filled (issue 14)
    for form_id, columns in (
        ("child_check_infant", "d.tcm_guidance"),
        ("child_check_toddler", "d.tcm_guidance, d.tcm_guidance_acu, d.tcm_guidance_head"),
        ("child_check_preschool", "d.tcm_guidance_head"),
    ):
        for _, rid, _, *cells in ix.rows(form_id, columns):
            if any(c and c != "[]" for c in cells):
                in_checks.add(rid)
    counted.numerator |= counted.pool & in_checks
    return [counted]


def managed(ix: Indicators, register: str) -> dict[int, dt.date]:
    if register not in ix.forms:
        return {}
    table = ix.forms[register].table
    open_start = ix.open_at(ix.ws)
    out: dict[int, dt.date] = {}
    for rid, day, _closed in ix.store.conn.execute(
        f"SELECT h.resident_id, h.service_date, d.closed_date FROM service_records h "
        f"JOIN {table} d ON d.record_id = h.id WHERE h.form_id = ? AND h.deleted = 0 "
        "AND h.service_date <= ? AND (d.closed_date IS NULL OR d.closed_date >= ?)",
        (register, ix.we.isoformat(), ix.ws.isoformat()),
    ):
        person = ix.people.get(rid)
        if person is None:
            continue
        created_in_window = (
            person.archived is not None
            and ix.ws.isoformat() <= person.archived <= ix.we.isoformat()
        )
        if rid in open_start or created_in_window:
            registered = dt.date.fromisoformat(day)
            out[rid] = max(out.get(rid, registered), registered)
    return out


def standard(ix: Indicators, followup: str, patients: dict[int, dt.date]) -> set[int]:
    per_quarter = int(ix.setting("standard_per_quarter", 1))
    seen: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    has_method = followup in ix.forms and "visit_method" in ix.forms[followup].by_id
    cols = "d.visit_method" if has_method else "'1'"
    for _, rid, day, method in ix.rows(followup, cols):
        if method in FACE_TO_FACE:
            seen[rid][quarter_of(dt.date.fromisoformat(day))[1]] += 1
    out = set()
    for rid, registered in patients.items():
        first_q = quarter_of(registered)[1] if registered >= ix.ws else 1
        quarters = range(first_q, ix.period.quarter + 1)
        if all(seen[rid][q] >= per_quarter for q in quarters):
            out.add(rid)
    return out


def _prevalence_base(ix: Indicators, key: str, default: float) -> tuple[int | None, str | None]:
    pop, missing = ix.base_figure("pop_35")
    if pop is None:
        return None, missing
    prevalence = ix.base.get(key)
    share = float(prevalence) if prevalence is not None else float(ix.setting(key, default))
    return _half_up(pop * share / 100), None


def _latest_reading(
    ix: Indicators, followup: str, columns: str, present: str
) -> dict[int, tuple[dt.date, tuple[object, ...]]]:
    latest: dict[int, tuple[dt.date, tuple[object, ...]]] = {}
    for _, rid, day, *vals in ix.rows(followup, columns, extra=f"AND {present}"):
        when = dt.date.fromisoformat(day)
        if rid not in latest or when >= latest[rid][0]:
            latest[rid] = (when, tuple(vals))
    return latest


@computes("htn.mgmt", "htn.standard", "htn.control")
def _htn(ix: Indicators) -> list[Counted]:
    patients = managed(ix, "htn_register")
    ids = set(patients)
    base, missing = _prevalence_base(ix, "htn_prevalence", 25.2)
    controlled = set()
    for rid, (day, (sbp, dbp)) in _latest_reading(
        ix, "htn_followup", "d.sbp, d.dbp", "d.sbp IS NOT NULL AND d.dbp IS NOT NULL"
    ).items():
        if rid not in ids:
            continue
        birth = ix.people[rid].birth
        old = birth is not None and age_years(dt.date.fromisoformat(birth), day) >= int(
            ix.setting("htn_elderly_age", 65)
        )
        sbp_limit = float(
            ix.setting("htn_elderly_sbp_below" if old else "htn_sbp_below", 150 if old else 140)
        )
        if float(sbp) < sbp_limit and float(dbp) < float(ix.setting("htn_dbp_below", 90)):  # type: ignore[arg-type]
            controlled.add(rid)
    return [
        Counted("htn.mgmt", numerator=ids, base=base, missing=missing, pool=ids),
        Counted("htn.standard", numerator=standard(ix, "htn_followup", patients), denominator=ids),
        Counted("htn.control", numerator=controlled, denominator=ids),
    ]


@computes("dm.mgmt", "dm.standard", "dm.control")
def _dm(ix: Indicators) -> list[Counted]:
    patients = managed(ix, "dm_register")
    ids = set(patients)
    base, missing = _prevalence_base(ix, "dm_prevalence", 9.7)
    below = float(ix.setting("dm_fpg_below", 7.0))
    controlled = {
        rid
        for rid, (_, (fpg,)) in _latest_reading(
            ix, "dm_followup", "d.fpg", "d.fpg IS NOT NULL"
        ).items()
        if rid in ids and float(fpg) < below  # type: ignore[arg-type]
    }
    return [
        Counted("dm.mgmt", numerator=ids, base=base, missing=missing, pool=ids),
        Counted("dm.standard", numerator=standard(ix, "dm_followup", patients), denominator=ids),
        Counted("dm.control", numerator=controlled, denominator=ids),
    ]


@computes("smi.standard")
def _smi(ix: Indicators) -> list[Counted]:
    patients = managed(ix, "smi_register")
    return [
        Counted(
            "smi.standard",
            numerator=standard(ix, "smi_followup", patients),
            denominator=set(patients),
        )
    ]


@computes("tb.managed")
def _tb_managed(ix: Indicators) -> list[Counted]:
    notified = ix.rows("tb_notify")
    hours = int(ix.setting("tb_first_visit_hours", 72))
    first: dict[int, list[dt.date]] = defaultdict(list)
    episodes = [rec for rec, _, _ in notified]
    if episodes:
        marks = ",".join("?" * len(episodes))
        for episode, day in ix.store.conn.execute(
            "SELECT episode_id, service_date FROM service_records WHERE deleted = 0 "
            f"AND form_id = 'tb_first_visit' AND episode_id IN ({marks})",
            episodes,
        ):
            first[episode].append(dt.date.fromisoformat(day))
    patients = {rid for _, rid, _ in notified}
    visited = set()
    for rec, rid, day in notified:
        told = dt.date.fromisoformat(day)
        if any(0 <= (v - told).days * 24 <= hours for v in first.get(rec, [])):
            visited.add(rid)
    return [Counted("tb.managed", numerator=visited, denominator=patients)]


@computes("tb.regular")
def _tb_regular(ix: Indicators) -> list[Counted]:
    # Issue 14 (on purpose): the course's 服药卡 rows when it has any, else the typed totals.
    rate = float(ix.setting("tb_regular_dose_rate", 90))
    completing: set[int] = set()
    regular: set[int] = set()
    for rec, rid, _, _outcome, due, taken, dose_rate in ix.rows(
        "tb_followup",
        "d.treatment_outcome, d.course_doses_due, d.course_doses_taken, d.dose_rate",
        extra="AND d.treatment_outcome IN ('1', '2')",
    ):
        completing.add(rid)
        (episode,) = ix.store.conn.execute(
            "SELECT episode_id FROM service_records WHERE id = ?", (rec,)
        ).fetchone()
        card = ix.store.conn.execute(
            "SELECT c.due, c.taken FROM f_tb_followup__dose_card c JOIN service_records h "
            "ON h.id = c.record_id WHERE h.deleted = 0 AND h.form_id = 'tb_followup' "
            "AND h.episode_id = ?",
            (episode,),
        ).fetchall()
        if card:
            card_due = sum(d for d, _ in card)
            share = 100 * sum(t for _, t in card) / card_due if card_due else None
        else:
            share = (
                100 * taken / due
                if due and taken is not None
                else float(dose_rate)
                if dose_rate is not None
                else None
            )
        if share is not None and share >= rate:
            regular.add(rid)
    return [Counted("tb.regular", numerator=regular, denominator=completing)]


@computes("smi.mgmt")
def _smi_mgmt(ix: Indicators) -> list[Counted]:
    # Issue 14: registered patients followed up at least once in the window.
    patients = set(managed(ix, "smi_register"))
    seen = {rid for _, rid, _ in ix.rows("smi_followup")}
    return [Counted("smi.mgmt", numerator=patients & seen, denominator=patients)]


@computes("inf.report", "inf.timely")
def _infectious(ix: Indicators) -> list[Counted]:
    rows = ix.rows(
        "infectious_report",
        "d.disease_class, d.reported, d.diagnosis_date, "
        "d.diagnosis_hour, d.report_date, d.report_hour, d.report_delay_hours",
    )
    reported = timely = 0
    for _, _, _, klass, was_reported, diagnosed, d_hour, told, t_hour, delay in rows:
        if not was_reported:
            continue
        reported += 1
        if delay is None and diagnosed and told:
            delay = (
                (dt.date.fromisoformat(told) - dt.date.fromisoformat(diagnosed)).days * 24
                + (t_hour or 0)
                - (d_hour or 0)
            )
        limit = 2 if klass in ("1", "3") else 24
        if delay is not None and 0 <= delay <= limit:
            timely += 1
    people = {r[1] for r in rows}
    return [
        Counted("inf.report", denominator=people, records=reported, record_denominator=len(rows)),
        Counted("inf.timely", denominator=people, records=timely, record_denominator=reported),
    ]


@computes("sup.report", "sup.inspect")
def _supervision(ix: Indicators) -> list[Counted]:
    events = reported = inspections = 0
    for _, _, _, kind, was_reported in ix.rows("supervision_log", "d.record_type, d.reported"):
        if kind == "2":
            inspections += 1
        else:
            events += 1
            reported += bool(was_reported)
    return [
        Counted("sup.report", records=reported, record_denominator=events),
        Counted("sup.inspect", count=inspections),
    ]


# ---- indicator_rules_fd.py ---------------------------------------------------------


@computes("fd.rate", "fd.key", "fd.renew")
def _contracts(ix: Indicators) -> list[Counted]:
    # issue 13 (on purpose): open archives only, as indicators.md says — a contract left
    # running after its archive's close no longer counts
    covered = covered_on(ix.store, ix.we) & set(ix.people) & ix.open_at(ix.we)
    base, missing = ix.base_figure("population")
    members = population_members(ix.store, ix.forms, ix.we)
    key = set().union(*members.values()) if members else set()
    renewed = renewals(ix.store)
    ending = [
        int(cid)
        for (cid,) in ix.store.conn.execute(
            "SELECT id FROM e_contract WHERE deleted = 0 AND end_date BETWEEN ? AND ?",
            (ix.ws.isoformat(), ix.we.isoformat()),
        )
    ]
    return [
        Counted("fd.rate", numerator=covered, base=base, missing=missing, pool=ix.open_at(ix.we)),
        Counted("fd.key", numerator=key & covered, denominator=key),
        Counted(
            "fd.renew",
            records=sum(1 for c in ending if c in renewed),
            record_denominator=len(ending),
        ),
    ]


@computes("ref.up", "ref.down", "ref.followup")
def _referrals(ix: Indicators) -> list[Counted]:
    days = int(ix.setting("referral_followup_days", 14))
    up, down, _ = referral_figures(ix.store, ix.forms, ix.ws, ix.we)
    early_up, _, early_within = referral_figures(
        ix.store, ix.forms, ix.ws, ix.we - dt.timedelta(days=days)
    )
    return [
        Counted("ref.up", count=up),
        Counted("ref.down", count=down),
        Counted("ref.followup", records=early_within, record_denominator=early_up),
    ]


@computes("eq.in_use", "eq.in_use_value")
def _equipment(ix: Indicators) -> list[Counted]:
    summary = Equipment(ix.store, ix.forms).summary(ix.we)
    return [
        Counted("eq.in_use", count=summary.in_use),
        Counted("eq.in_use_value", count=summary.in_use_value),
    ]


# ---- 预防接种 (issue 14, new codes): a per-child loop over every resident ----------------


def _vaccine_rates(ix: Indicators) -> list[Counted]:
    from ygt_desktop.storage import vaccines

    plan = vaccines.schedule()
    choice = vaccines.series_choice(ix.store)
    open_ = ix.open_at(ix.we)
    given: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for _, rid, day, dose in ix.rows("vaccine_dose", "d.vaccine", start=dt.date.min):
        when = dt.date.fromisoformat(day)
        if when <= ix.we and (dose not in given[rid] or when < given[rid][dose]):
            given[rid][dose] = when
    facts = vaccines.facts_of(ix.store, ix.forms, None)
    out = []
    for d in plan.table():  # a place counts whichever product filled it
        due, done = set(), set()
        for rid, person in ix.people.items():
            if rid not in open_ or not person.birth:
                continue
            birth = dt.date.fromisoformat(person.birth)
            sched = plan.for_child(facts.get(rid))
            if any(k in given[rid] for k in d.skip_if_given):
                continue  # not needed (the DT booster after 3 doses completed with DT)
            target = sched.rate_dose(d.id)  # 乙肝3: the 4th dose when the birth dose does not count
            if d.vaccine.id in plan.used(given[rid], choice) and ix.ws <= target.by(birth) <= ix.we:
                due.add(rid)
                if any(sched.by_id[k].slot == target.id for k in given[rid]):
                    done.add(rid)
        out.append(Counted(f"vac.rate.{d.id}", numerator=done, denominator=due))
    return out


def _vaccine_cert(ix: Indicators) -> list[Counted]:
    months = int(ix.forms["vaccination"].settings.get("schedule", {}).get(
        "certificate_within_months", 1))  # fmt: skip
    made = {rid for _, rid, _ in ix.rows("vaccination", start=dt.date.min)}
    due = {
        rid
        for rid, person in ix.people.items()
        if rid in ix.open_at(ix.we)
        and person.birth
        and ix.ws <= add_months(dt.date.fromisoformat(person.birth), months) <= ix.we
    }
    return [Counted("vac.cert", numerator=due & made, denominator=due)]


computes("vac.cert")(_vaccine_cert)
computes(*(f"vac.rate.{d}" for d in (
    "hepb1", "hepb2", "hepb3", "bcg", "ipv1", "ipv2", "bopv3", "bopv4", "dtap1", "dtap2",
    "dtap3", "dtap4", "dt", "mmr1", "mmr2", "jel1", "jel2", "jei1", "jei2", "jei3", "jei4",
    "mpsva1", "mpsva2", "mpsvac1", "mpsvac2", "hepal", "hepai1", "hepai2",
)))(_vaccine_rates)  # fmt: skip
