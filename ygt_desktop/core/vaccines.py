"""The national immunisation schedule (国家免疫规划疫苗儿童免疫程序, 2021) as data, and
each dose's state for one child on one day.

Pure: the schedule comes from ``resources/schedules/nip2021.toml`` (:func:`load`), the
doses given are a mapping dose id → date. :func:`plan` says for every dose of the
schedule 已种 (done), 应种 (due: earliest age reached, completion age not passed),
逾期 (overdue: past the completion age — a 补种 dose), 未到 (not yet: too young, or an
interval not yet passed) or 不再补种 (too old for it).

Catch-up rules modelled (2021 说明 三、补种通用原则 and 四 by vaccine):
- only the missing doses are given, never a restart: a missing dose is due from its age
  and the minimum interval after the doses actually given;
- a dose waits for the earlier dose its interval counts from (未到, "需先接种…");
- injectable live vaccines not given the same day are ≥ 28 days apart;
- no catch-up from 18 years; BCG not from 4 years, and from 3 months only after a
  negative PPD/IGRA (said in the dose's note); MPSV-A not from 24 months (MPSV-AC
  instead: its interval after MPSV-A 2 then does not apply);
- JE and HepA: the series the child started, else the station's choice.
Left out: the DTaP → DT/Td switch for children ≥ 6 years with < 3 doses, the birth
cohort rules for polio (2 IPV from 2019-10-01) and MMR (measles-containing doses of older
cohorts), low birth weight (< 2000 g) and HBsAg-positive mothers' extra HepB dose.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .dates import age_months
from .schedules import add_months

DONE, DUE, OVERDUE, UPCOMING, SKIPPED = "已种", "应种", "逾期", "未到", "不再补种"
LIVE_GAP_DAYS = 28  # injectable live vaccines not given the same day


class ScheduleError(ValueError):
    """A schedule file that cannot be used (the message names the file and entry)."""


@dataclass(frozen=True)
class Vaccine:
    id: str
    name: str
    abbr: str
    route: str
    dosage: str
    live: bool
    injected: bool
    series: str
    alternative: str | None


@dataclass(frozen=True)
class Gap:
    after: str  # the earlier dose the interval counts from
    days: int = 0
    months: int = 0

    def from_date(self, day: dt.date) -> dt.date:
        return add_months(day, self.months) + dt.timedelta(days=self.days)

    @property
    def text(self) -> str:
        return f"{self.months}个月" if self.months else f"{self.days}天"


@dataclass(frozen=True)
class Dose:
    id: str
    vaccine: Vaccine
    number: int
    age_months: int
    by_months: int | None
    by_days: int | None
    gaps: tuple[Gap, ...]
    no_catch_up_from_months: int | None
    test_first_from_months: int | None
    label: str

    def earliest_age(self, birth: dt.date) -> dt.date:
        return reached(birth, self.age_months)

    def by(self, birth: dt.date) -> dt.date:
        """The last day the dose is on time (before the completion age)."""
        if self.by_days is not None:
            return birth + dt.timedelta(days=self.by_days)
        assert self.by_months is not None
        return reached(birth, self.by_months) - dt.timedelta(days=1)

    @property
    def age_text(self) -> str:
        return age_text(self.age_months)


@dataclass(frozen=True)
class Alternative:
    id: str
    label: str
    options: tuple[tuple[str, str], ...]  # (vaccine id, label)
    default: str


@dataclass(frozen=True)
class DoseState:
    dose: Dose
    state: str
    given: dt.date | None = None
    earliest: dt.date | None = None  # None: waits for an earlier dose
    by: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Schedule:
    id: str
    title: str
    doses: tuple[Dose, ...]
    series_labels: Mapping[str, str]
    alternatives: tuple[Alternative, ...]
    catch_up_before_years: int

    @functools.cached_property
    def by_id(self) -> dict[str, Dose]:
        """The doses by id (made once: read per dose of every child the worklist plans)."""
        return {d.id: d for d in self.doses}

    def series(self, series: str) -> tuple[Dose, ...]:
        return tuple(d for d in self.doses if d.vaccine.series == series)

    def choices(self) -> list[tuple[str, str]]:
        """(dose id, label) for the 疫苗 field."""
        return [(d.id, d.label) for d in self.doses]

    def used(self, given: Mapping[str, dt.date], choice: Mapping[str, str]) -> set[str]:
        """The vaccines a child's plan follows: of each alternative, the one the child
        started (its earliest dose), else the station's ``choice``, else the default."""
        out = {d.vaccine.id for d in self.doses if d.vaccine.alternative is None}
        by_id = self.by_id
        for alt in self.alternatives:
            options = [v for v, _ in alt.options]
            started = sorted(
                (day, by_id[k].vaccine.id)
                for k, day in given.items()
                if k in by_id and by_id[k].vaccine.id in options
            )
            chosen = choice.get(alt.id)
            out.add(started[0][1] if started else chosen if chosen in options else alt.default)
        return out


def reached(birth: dt.date, months: int) -> dt.date:
    """The first day a child born on ``birth`` is ``months`` full months old (as
    :func:`.dates.age_months` counts: born 29 Feb or 31 Jan, a month is reached on the
    1st of the month after the shorter one)."""
    day = add_months(birth, months)
    if day.day < birth.day:
        day += dt.timedelta(days=1)
    return day


def age_text(months: int) -> str:
    if months == 0:
        return "出生时"
    if months % 12 == 0 and months >= 24:
        return f"{months // 12}周岁"
    return f"{months}月龄"


# ---- loading ------------------------------------------------------------------------
def load(path: Path) -> Schedule:
    """Read and check a schedule file; :class:`ScheduleError` names what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"{path.name}：无法读取免疫程序（{exc}）") from None
    return parse(data, path.name)


def parse(data: Mapping[str, Any], name: str = "免疫程序") -> Schedule:
    try:
        return _parse(data, name)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ScheduleError):
            raise
        raise ScheduleError(f"{name}：格式有误（{exc}）") from None


def _parse(data: Mapping[str, Any], name: str) -> Schedule:
    head = data["schedule"]
    series = {str(s["id"]): str(s["label"]) for s in data["series"]}
    vaccines: dict[str, Vaccine] = {}
    for raw in data["vaccines"]:
        v = Vaccine(
            id=str(raw["id"]),
            name=str(raw["name"]),
            abbr=str(raw["abbr"]),
            route=str(raw["route"]),
            dosage=str(raw.get("dosage", "")),
            live=bool(raw["live"]),
            injected=bool(raw.get("injected", True)),
            series=str(raw["series"]),
            alternative=raw.get("alternative"),
        )
        if v.series not in series:
            raise ScheduleError(f"{name}：疫苗 {v.id} 的 series {v.series} 未定义")
        vaccines[v.id] = v
    counts: dict[str, int] = {}
    for raw in data["doses"]:
        counts[raw["vaccine"]] = counts.get(raw["vaccine"], 0) + 1
    doses: list[Dose] = []
    for raw in data["doses"]:
        did = str(raw["id"])
        vaccine = vaccines.get(str(raw["vaccine"]))
        if vaccine is None:
            raise ScheduleError(f"{name}：剂次 {did} 的疫苗 {raw['vaccine']} 未定义")
        if ("by_months" in raw) == ("by_days" in raw):
            raise ScheduleError(f"{name}：剂次 {did} 应有 by_months 或 by_days 之一")
        gaps = tuple(
            Gap(str(g["after"]), int(g.get("days", 0)), int(g.get("months", 0)))
            for g in raw.get("gaps", ())
        )
        known = {d.id for d in doses}
        for g in gaps:
            if g.after not in known:
                raise ScheduleError(f"{name}：剂次 {did} 的间隔引用了未在其前定义的 {g.after}")
        number = int(raw["dose"])
        label = vaccine.name if counts[vaccine.id] == 1 else f"{vaccine.name}第{number}剂"
        doses.append(
            Dose(
                id=did,
                vaccine=vaccine,
                number=number,
                age_months=int(raw["age_months"]),
                by_months=raw.get("by_months"),
                by_days=raw.get("by_days"),
                gaps=gaps,
                no_catch_up_from_months=raw.get("no_catch_up_from_months"),
                test_first_from_months=raw.get("test_first_from_months"),
                label=label,
            )
        )
    if len({d.id for d in doses}) != len(doses):
        raise ScheduleError(f"{name}：剂次 id 重复")
    alternatives = tuple(
        Alternative(
            id=str(a["id"]),
            label=str(a["label"]),
            options=tuple((str(o["vaccine"]), str(o["label"])) for o in a["options"]),
            default=str(a["default"]),
        )
        for a in data.get("alternatives", ())
    )
    return Schedule(
        id=str(head["id"]),
        title=str(head["title"]),
        doses=tuple(doses),
        series_labels=series,
        alternatives=alternatives,
        catch_up_before_years=int(head.get("catch_up_before_years", 18)),
    )


# ---- states ---------------------------------------------------------------------------
def _last_live(
    schedule: Schedule, given: Mapping[str, dt.date], vaccine: Vaccine, before: dt.date | None
) -> tuple[Dose, dt.date] | None:
    """The latest injectable live dose of another vaccine given (before ``before``)."""
    by_id = schedule.by_id
    found = [
        (day, by_id[k])
        for k, day in given.items()
        if k in by_id
        and by_id[k].vaccine.live
        and by_id[k].vaccine.injected
        and by_id[k].vaccine.id != vaccine.id
        and (before is None or day < before)
    ]
    if not found:
        return None
    day, dose = max(found, key=lambda p: p[0])
    return dose, day


def plan(
    schedule: Schedule,
    birth: dt.date,
    given: Mapping[str, dt.date],
    on: dt.date,
    choice: Mapping[str, str] | None = None,
) -> list[DoseState]:
    """Every dose of the child's plan on ``on``, in the schedule's order: the doses of
    the alternatives not followed are left out unless given."""
    used = schedule.used(given, choice or {})
    months = age_months(birth, on) if on >= birth else 0
    out: list[DoseState] = []
    skipped: set[str] = set()
    for dose in schedule.doses:
        if dose.id in given:
            out.append(DoseState(dose, DONE, given=given[dose.id], by=dose.by(birth)))
            continue
        if dose.vaccine.id not in used:
            continue
        by = dose.by(birth)
        limit = dose.no_catch_up_from_months
        if months >= schedule.catch_up_before_years * 12 or (limit is not None and months >= limit):
            skipped.add(dose.id)
            out.append(
                DoseState(dose, SKIPPED, by=by, note=f"满{age_text(limit or months)}不再补种")
            )
            continue
        earliest: dt.date | None = dose.earliest_age(birth)
        waits = None
        for gap in dose.gaps:
            if gap.after in given:
                assert earliest is not None
                earliest = max(earliest, gap.from_date(given[gap.after]))
            elif gap.after not in skipped:
                waits = schedule.by_id[gap.after].label
                earliest = None
                break
        if earliest is not None and dose.vaccine.live and dose.vaccine.injected:
            other = _last_live(schedule, given, dose.vaccine, None)
            if other is not None:
                earliest = max(earliest, other[1] + dt.timedelta(days=LIVE_GAP_DAYS))
        note = f"需先接种{waits}" if waits else None
        if dose.test_first_from_months is not None and months >= dose.test_first_from_months:
            note = "补种前需PPD或IGRA检测阴性"
        if earliest is None or on < earliest:
            state = UPCOMING
        elif on <= by:
            state = DUE
        else:
            state = OVERDUE
        out.append(DoseState(dose, state, earliest=earliest, by=by, note=note))
    return out


def catch_up(states: Sequence[DoseState]) -> list[DoseState]:
    """The 补种 doses (past their completion age, not given), soonest first."""
    late = [s for s in states if s.state == OVERDUE]
    return sorted(late, key=lambda s: (s.earliest or dt.date.max, s.dose.id))


def next_doses(states: Sequence[DoseState]) -> list[DoseState]:
    """Of each series, the first dose not given and not skipped (what to give next)."""
    seen: set[str] = set()
    out = []
    for s in states:
        series = s.dose.vaccine.series
        if s.state in (DONE, SKIPPED) or series in seen:
            continue
        seen.add(series)
        out.append(s)
    return out


# ---- one dose entered ------------------------------------------------------------------
def refusal(schedule: Schedule, given: Mapping[str, dt.date], dose_id: str) -> str | None:
    """Why ``dose_id`` cannot be recorded for a child with ``given`` (the other records):
    the same dose again, or a series (or the alternative the series belongs to) already
    complete. None when it may be."""
    dose = schedule.by_id[dose_id]
    series = schedule.series(dose.vaccine.series)
    if all(d.id in given for d in series):
        return _complete(schedule.series_labels[dose.vaccine.series], series, given)
    if dose.vaccine.alternative is not None:
        for alt in schedule.alternatives:
            if alt.id != dose.vaccine.alternative:
                continue
            for vaccine_id, label in alt.options:
                other = [d for d in schedule.doses if d.vaccine.id == vaccine_id]
                if other and all(d.id in given for d in other):
                    return _complete(f"{alt.label}（{label}）", other, given)
    if dose_id in given:
        return f"{dose.label}已于 {given[dose_id].isoformat()} 接种，不能重复登记"
    return None


def _complete(label: str, doses: Sequence[Dose], given: Mapping[str, dt.date]) -> str:
    days = "、".join(given[d.id].isoformat() for d in doses)
    return f"{label}{len(doses)}剂已全部完成（{days}），不能再登记"


def warnings(
    schedule: Schedule,
    birth: dt.date,
    given: Mapping[str, dt.date],
    dose_id: str,
    day: dt.date,
) -> list[str]:
    """The rules a dose given on ``day`` broke (it is still recorded): before the
    minimum age, before the minimum interval after an earlier dose, within 28 days of
    another injectable live vaccine. Each message names the rule."""
    dose = schedule.by_id[dose_id]
    out = []
    if day < dose.earliest_age(birth):
        out.append(
            f"{dose.label}接种时未到最小接种月龄（{dose.age_text}，"
            f"即 {dose.earliest_age(birth).isoformat()} 起）"
        )
    for gap in dose.gaps:
        before = given.get(gap.after)
        if before is not None and day < gap.from_date(before):
            label = schedule.by_id[gap.after].label
            out.append(
                f"{dose.label}与{label}（{before.isoformat()}）间隔不足{gap.text}"
                f"（最早 {gap.from_date(before).isoformat()}）"
            )
    if dose.vaccine.live and dose.vaccine.injected:
        other = _last_live(schedule, given, dose.vaccine, day)
        if other is not None and (day - other[1]).days < LIVE_GAP_DAYS:
            out.append(
                f"{dose.label}与{other[0].label}（{other[1].isoformat()}）均为注射用减毒活疫苗，"
                f"未同日接种时应间隔≥{LIVE_GAP_DAYS}天"
            )
    return out


# ---- windows (the worklist) ----------------------------------------------------------------
class Window(NamedTuple):
    """A dose's window for the worklist: from the day it may be given to the last day
    it is on time (later: 逾期, 补种), or when it was given."""

    dose: Dose
    start: dt.date
    end: dt.date
    done: dt.date | None


def windows(
    schedule: Schedule,
    birth: dt.date,
    given: Mapping[str, dt.date],
    choice: Mapping[str, str] | None = None,
) -> list[Window]:
    """The doses given, and of each series the next dose to give, with their windows —
    independent of the day asked (the worklist keeps them). A dose waiting for an
    earlier one not given has none (it follows once that one is recorded); a dose that
    is no longer given from an age (BCG, MPSV-A) ends there, and the doses after it in
    its series no longer wait for it."""
    used = schedule.used(given, choice or {})
    limit = reached(birth, schedule.catch_up_before_years * 12) - dt.timedelta(days=1)
    capped: dict[str, dt.date] = {}
    out: list[Window] = []
    for dose in schedule.doses:
        earliest = dose.earliest_age(birth)
        if dose.id in given:
            out.append(Window(dose, earliest, max(dose.by(birth), earliest), given[dose.id]))
            continue
        if dose.vaccine.id not in used:
            continue
        blocked = False
        for gap in dose.gaps:
            if gap.after in given:
                earliest = max(earliest, gap.from_date(given[gap.after]))
            elif gap.after in capped:
                earliest = max(earliest, capped[gap.after] + dt.timedelta(days=1))
            else:
                blocked = True
                break
        if blocked:
            continue
        if dose.vaccine.live and dose.vaccine.injected:
            other = _last_live(schedule, given, dose.vaccine, None)
            if other is not None:
                earliest = max(earliest, other[1] + dt.timedelta(days=LIVE_GAP_DAYS))
        cap = limit
        if dose.no_catch_up_from_months is not None:
            cap = min(cap, reached(birth, dose.no_catch_up_from_months) - dt.timedelta(days=1))
            capped[dose.id] = cap
        if earliest > cap:
            continue
        out.append(Window(dose, earliest, min(max(dose.by(birth), earliest), cap), None))
    return out
