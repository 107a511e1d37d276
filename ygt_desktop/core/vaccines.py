"""The national immunisation schedule (国家免疫规划疫苗儿童免疫程序, 2021) as data, and
each dose's state for one child on one day.

Pure: the schedule comes from ``resources/schedules/nip2021.toml`` (:func:`load`), the
doses given are a mapping dose id → date, what the 建证 record says of the child (the
mother's HBsAg, the birth weight) a :class:`Facts`. :func:`plan` says for every dose of
the schedule 已种 (done), 应种 (due: earliest age reached, completion age not passed),
逾期 (overdue: past the completion age — a 补种 dose), 未到 (not yet: too young, or an
interval not yet passed) or 不再补种 (too old for it); :func:`windows` gives the same
doses' windows for the worklist, independent of the day.

A dose has a place in its series (its ``slot``: itself, or the dose it stands in for —
bOPV for an IPV dose, 白破 for a 百白破 dose); a place is filled by whichever product was
given there, and the intervals count from it. Of the products for an empty place the
plan gives the one the child's age, cohort and the polio rule call for.

Catch-up rules modelled (2021 说明 三、补种通用原则 and 四 by vaccine):
- only the missing doses are given, never a restart: a missing dose is due from its age
  and the minimum interval after the doses actually given;
- a dose waits for the earlier dose its interval counts from (未到, "需先接种…");
- injectable live vaccines not given the same day are ≥ 28 days apart;
- no catch-up from 18 years; BCG not from 4 years, and from 3 months only after a
  negative PPD/IGRA (said in the dose's note); MPSV-A not from 24 months (MPSV-AC
  instead: its interval after MPSV-A 2 then does not apply);
- JE and HepA: the series the child started, else the station's choice;
- 百白破: no DTaP from 6 years; a child of 6 with fewer than 3 doses of DTaP+DT completes
  3 with DT (儿童用), from 12 years with Td (成人及青少年用), and needs no booster then;
  with 3 DTaP doses and no 4th, the DT booster ≥ 6 months after the 3rd; the DTaP doses
  no longer given are 不再补种 with the product given instead;
- 脊灰: doses counted across products; 3 doses under 4 years, the 4th from 4 (its age in
  the table); a child with none starts with IPV; a cohort born from 2019-10-01 needs 2
  IPV doses, 2016-09-01 – 2019-09-30 one (the rest bOPV);
- 麻腮风: 2 doses; the older cohorts' 麻风 (MR) dose is recorded in its place (a
  measles- and rubella-containing dose: with one MMR the child has the 2 measles, 1
  rubella and 1 mumps doses asked for);
- 乙肝 and the mother / birth weight: mother HBsAg 阳性 or 不详 — the birth dose within
  12 hours (a later one is saved with a warning) and the card's note on HBIG 100 IU;
  birth weight < 2000 g with such a mother — the birth dose is not counted, 3 more at
  1, 2 and 7 months (4 doses); < 2000 g with a 阴性 mother — the first dose when the
  weight reaches 2000 g, taken as "from 1 month" (the dose's note says so).
Left out: a third measles-containing dose when both were 麻风 (no mumps component: the
records hold two places only); 麻疹 single-antigen doses of cohorts now over 18; the
weight a low-birth-weight child actually reaches (the card counts from 1 month); a 5th
polio dose for a 2019 cohort child who had 3 bOPV before an IPV; the hour of birth and
of the dose (the 12-hour rule is checked by dates: a birth dose after the day of birth is
warned of).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .dates import age_months
from .schedules import add_months
from .toml_cache import TomlCache

DONE, DUE, OVERDUE, UPCOMING, SKIPPED = "已种", "应种", "逾期", "未到", "不再补种"
LIVE_GAP_DAYS = 28  # injectable live vaccines not given the same day
# what a dose given as another takes from it when its entry does not say
INHERITED = (
    "age_months",
    "by_months",
    "by_days",
    "gaps",
    "no_catch_up_from_months",
    "test_first_from_months",
    "skip_if_given",
)
# The conditions a variant's ``when`` names (decided in :func:`conditions`).
LOW_WEIGHT_EXPOSED, LOW_WEIGHT_NEGATIVE = "low_weight_exposed", "low_weight_negative"


class ScheduleError(ValueError):
    """A schedule file that cannot be used (the message names the file and entry)."""


@dataclass(frozen=True)
class Facts:
    """What the 建证 record says of a child besides the birth date (None: not recorded)."""

    mother_hbsag: str | None = None  # 阳性 / 阴性 / 不详: the label of the form's choice
    birth_weight: float | None = None  # kg


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
    after: str  # the place in the series (a dose id) the interval counts from
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
    slot: str = ""  # the place in its series this dose fills (its own id, or instead_of)
    record_only: bool = False  # recorded when given, never planned
    variant: str | None = None  # in the plan only under this variant
    skip_if_given: tuple[str, ...] = ()  # not needed once one of these is given or planned
    note: str | None = None  # said on the card while the dose is to be given
    rate_as: str | None = None  # the rate of that dose asks for this one when in the plan

    @property
    def main(self) -> bool:
        """Whether the dose is a place of its series (not given as another)."""
        return self.slot == self.id

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
class Variant:
    """Changes to the table for the children a condition (``when``) holds for."""

    id: str
    when: str
    label: str
    note: str
    doses: Mapping[str, Mapping[str, Any]]  # dose id → the Dose fields it changes


@dataclass(frozen=True)
class HepBRule:
    series: str
    birth_dose: str
    low_birth_weight_g: int
    exposed: tuple[str, ...]  # the mother's HBsAg results that ask for the 12-hour dose
    negative: str
    within_hours: int
    notes: Mapping[str, str]  # the card's note by the mother's result


@dataclass(frozen=True)
class PolioRule:
    series: str
    first: str  # the vaccine a child with no polio dose starts with
    counted: str  # the vaccine a cohort needs a number of doses of
    cohorts: tuple[tuple[dt.date, int], ...]  # (born from, doses), latest first

    def needed(self, birth: dt.date) -> int:
        return next((n for since, n in self.cohorts if birth >= since), 0)


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
    hepb: HepBRule | None = None
    polio: PolioRule | None = None
    variants: tuple[Variant, ...] = ()
    active: frozenset[str] = frozenset()  # the variants applied (:meth:`for_child`)

    @functools.cached_property
    def by_id(self) -> dict[str, Dose]:
        """The doses by id (made once: read per dose of every child the worklist plans)."""
        return {d.id: d for d in self.doses}

    @functools.cached_property
    def by_slot(self) -> dict[str, tuple[Dose, ...]]:
        """The doses that may fill each place of a series (the place's own dose first)."""
        out: dict[str, list[Dose]] = {}
        for d in self.doses:
            out.setdefault(d.slot, []).append(d)
        return {k: tuple(v) for k, v in out.items()}

    @functools.cached_property
    def _applied(self) -> dict[frozenset[str], Schedule]:
        return {}

    def in_plan(self, dose: Dose) -> bool:
        """Whether the dose may be planned for a child of this (applied) schedule."""
        return not dose.record_only and (dose.variant is None or dose.variant in self.active)

    def slots(self, series: str) -> tuple[Dose, ...]:
        """The places of a series in this (applied) schedule."""
        return tuple(
            d for d in self.doses if d.vaccine.series == series and d.main and self.in_plan(d)
        )

    def table(self) -> tuple[Dose, ...]:
        """The places of the schedule's table (not the products given instead, nor a
        variant's extra doses): one 接种率 each."""
        return tuple(d for d in self.doses if d.main and d.variant is None and not d.record_only)

    def rate_dose(self, dose_id: str) -> Dose:
        """The dose that completes ``dose_id``'s place for a child of this (applied)
        schedule: a dose in the plan ``rate_as`` it (乙肝疫苗第4剂 when the birth dose does
        not count), else itself."""
        return next(
            (d for d in self.doses if d.rate_as == dose_id and self.in_plan(d)),
            self.by_id[dose_id],
        )

    def filled(self, given: Mapping[str, dt.date]) -> dict[str, dt.date]:
        """The places filled (place → the earliest day), whichever product was given."""
        return {slot: day for slot, (day, _) in _filled(self, given).items()}

    def variant(self, variant_id: str) -> Variant:
        return next(v for v in self.variants if v.id == variant_id)

    def choices(self) -> list[tuple[str, str]]:
        """(dose id, label) for the 疫苗 field: every dose that may be recorded."""
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

    def for_child(self, facts: Facts | None) -> Schedule:
        """The schedule with the variants the child's facts call for (made once per set
        of variants); this one when none."""
        held = conditions(self.hepb, facts)
        active = frozenset(v.id for v in self.variants if v.when in held)
        if not active:
            return self
        if active not in self._applied:
            changes: dict[str, Mapping[str, Any]] = {}
            for v in self.variants:
                if v.id in active:
                    changes.update(v.doses)
            doses = tuple(
                dataclasses.replace(d, **changes[d.id]) if d.id in changes else d
                for d in self.doses
            )
            self._applied[active] = dataclasses.replace(self, doses=doses, active=active)
        return self._applied[active]


def conditions(rule: HepBRule | None, facts: Facts | None) -> set[str]:
    """The variant conditions a child's facts hold: birth weight under the rule's limit
    with an exposed (阳性/不详) or a 阴性 mother. Nothing when either is not recorded."""
    if rule is None or facts is None or facts.birth_weight is None:
        return set()
    if facts.birth_weight * 1000 >= rule.low_birth_weight_g:
        return set()
    if facts.mother_hbsag in rule.exposed:
        return {LOW_WEIGHT_EXPOSED}
    if facts.mother_hbsag == rule.negative:
        return {LOW_WEIGHT_NEGATIVE}
    return set()


def notes(schedule: Schedule, facts: Facts | None) -> list[str]:
    """What the card says of the child's facts: the mother's HBsAg (HBIG, the 12-hour
    dose) and the variants applied."""
    out = []
    rule = schedule.hepb
    mother = facts.mother_hbsag if facts is not None else None
    if rule is not None and mother is not None and mother in rule.notes:
        out.append(rule.notes[mother])
    applied = schedule.for_child(facts)
    out += [v.note for v in applied.variants if v.id in applied.active]
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
def load(path: Path, cache: TomlCache | None = None) -> Schedule:
    """Read and check a schedule file; :class:`ScheduleError` names what is wrong.
    ``cache`` remembers the parsed file (the form files' loading passes it)."""
    try:
        data = (cache or TomlCache(None)).read(path)
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


def _gaps(raw: Mapping[str, Any]) -> tuple[Gap, ...]:
    return tuple(
        Gap(str(g["after"]), int(g.get("days", 0)), int(g.get("months", 0)))
        for g in raw.get("gaps", ())
    )


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
    raws: dict[str, Mapping[str, Any]] = {}
    for raw in data["doses"]:
        did = str(raw["id"])
        main = raw.get("instead_of")
        if main is not None:
            if main not in raws or raws[main].get("instead_of") is not None:
                raise ScheduleError(f"{name}：剂次 {did} 的 instead_of 应为在其前定义的剂次")
            base = {k: v for k, v in raws[main].items() if k in INHERITED}
            if "by_months" in raw or "by_days" in raw:
                base.pop("by_months", None)
                base.pop("by_days", None)
            raw = {**base, **raw}
        raws[did] = raw
    counts: dict[str, int] = {}
    for raw in raws.values():
        counts[raw["vaccine"]] = counts.get(raw["vaccine"], 0) + 1
    variant_ids = {str(v["id"]) for v in data.get("variants", ())}
    doses: list[Dose] = []
    for did, raw in raws.items():
        vaccine = vaccines.get(str(raw["vaccine"]))
        if vaccine is None:
            raise ScheduleError(f"{name}：剂次 {did} 的疫苗 {raw['vaccine']} 未定义")
        if ("by_months" in raw) == ("by_days" in raw):
            raise ScheduleError(f"{name}：剂次 {did} 应有 by_months 或 by_days 之一")
        gaps = _gaps(raw)
        known = {d.id: d for d in doses}
        for g in gaps:
            if g.after not in known or not known[g.after].main:
                raise ScheduleError(f"{name}：剂次 {did} 的间隔引用了未在其前定义的 {g.after}")
        if raw.get("variant") is not None and raw["variant"] not in variant_ids:
            raise ScheduleError(f"{name}：剂次 {did} 的 variant {raw['variant']} 未定义")
        number = int(raw["dose"])
        label = raw.get("label") or (
            vaccine.name if counts[vaccine.id] == 1 else f"{vaccine.name}第{number}剂"
        )
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
                label=str(label),
                slot=str(raw.get("instead_of") or did),
                record_only=bool(raw.get("record_only", False)),
                variant=raw.get("variant"),
                skip_if_given=tuple(str(k) for k in raw.get("skip_if_given", ())),
                note=raw.get("note"),
                rate_as=raw.get("rate_as"),
            )
        )
    if len({d.id for d in doses}) != len(doses):
        raise ScheduleError(f"{name}：剂次 id 重复")
    ids = {d.id for d in doses}
    for d in doses:
        for k in (*d.skip_if_given, *([d.rate_as] if d.rate_as else [])):
            if k not in ids:
                raise ScheduleError(f"{name}：剂次 {d.id} 引用了未定义的剂次 {k}")
    alternatives = tuple(
        Alternative(
            id=str(a["id"]),
            label=str(a["label"]),
            options=tuple((str(o["vaccine"]), str(o["label"])) for o in a["options"]),
            default=str(a["default"]),
        )
        for a in data.get("alternatives", ())
    )
    rules = data.get("rules", {})
    return Schedule(
        id=str(head["id"]),
        title=str(head["title"]),
        doses=tuple(doses),
        series_labels=series,
        alternatives=alternatives,
        catch_up_before_years=int(head.get("catch_up_before_years", 18)),
        hepb=_hepb(rules["hepb"]) if "hepb" in rules else None,
        polio=_polio(rules["polio"]) if "polio" in rules else None,
        variants=tuple(_variant(v, ids, name) for v in data.get("variants", ())),
    )


def _hepb(raw: Mapping[str, Any]) -> HepBRule:
    return HepBRule(
        series=str(raw["series"]),
        birth_dose=str(raw["birth_dose"]),
        low_birth_weight_g=int(raw["low_birth_weight_g"]),
        exposed=tuple(str(x) for x in raw["exposed"]),
        negative=str(raw["negative"]),
        within_hours=int(raw["within_hours"]),
        notes={str(k): str(v) for k, v in raw.get("notes", {}).items()},
    )


def _polio(raw: Mapping[str, Any]) -> PolioRule:
    cohorts = sorted(
        ((c["born_from"], int(c["doses"])) for c in raw["cohorts"]), key=lambda c: c[0]
    )
    for since, _ in cohorts:
        if not isinstance(since, dt.date):
            raise ScheduleError(f"脊灰疫苗规则的 born_from 应为日期：{since!r}")
    return PolioRule(
        series=str(raw["series"]),
        first=str(raw["first"]),
        counted=str(raw["counted"]),
        cohorts=tuple(reversed(cohorts)),
    )


def _variant(raw: Mapping[str, Any], ids: set[str], name: str) -> Variant:
    vid = str(raw["id"])
    if raw["when"] not in (LOW_WEIGHT_EXPOSED, LOW_WEIGHT_NEGATIVE):
        raise ScheduleError(f"{name}：变体 {vid} 的 when {raw['when']} 未知")
    changes: dict[str, Mapping[str, Any]] = {}
    for d in raw.get("doses", ()):
        did = str(d["id"])
        if did not in ids:
            raise ScheduleError(f"{name}：变体 {vid} 引用了未定义的剂次 {did}")
        change: dict[str, Any] = {}
        if "age_months" in d:
            change["age_months"] = int(d["age_months"])
        if "by_months" in d or "by_days" in d:
            change["by_months"] = d.get("by_months")
            change["by_days"] = d.get("by_days")
        if "gaps" in d:
            change["gaps"] = _gaps(d)
        if "note" in d:
            change["note"] = str(d["note"])
        changes[did] = change
    return Variant(vid, str(raw["when"]), str(raw["label"]), str(raw["note"]), changes)


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


Filled = dict[str, tuple[dt.date, Dose]]


def _filled(schedule: Schedule, given: Mapping[str, dt.date]) -> Filled:
    """The places of their series filled: place → (the earliest day, the dose given)."""
    out: Filled = {}
    by_id = schedule.by_id
    for k, day in given.items():
        d = by_id.get(k)
        if d is not None and (d.slot not in out or day < out[d.slot][0]):
            out[d.slot] = (day, d)
    return out


def _until_months(schedule: Schedule, dose: Dose) -> int:
    """The age (full months) from which this product is no longer given."""
    months = schedule.catch_up_before_years * 12
    limit = dose.no_catch_up_from_months
    return months if limit is None else min(months, limit)


def _options(
    schedule: Schedule, birth: dt.date, filled: Filled, used: set[str]
) -> dict[str, list[Dose]]:
    """The products that may fill each empty place of the child's plan (the place's own
    dose first), after the polio rule: the first dose of a child with none is IPV, a
    cohort gets its number of IPV doses, the other places bOPV."""
    out: dict[str, list[Dose]] = {}
    for slot, doses in schedule.by_slot.items():
        main = schedule.by_id[slot]
        if slot in filled or not schedule.in_plan(main) or main.vaccine.id not in used:
            continue
        out[slot] = [d for d in doses if schedule.in_plan(d) and d.vaccine.id in used]
    rule = schedule.polio
    if rule is None:
        return out
    slots = [d.id for d in schedule.slots(rule.series)]
    count = sum(1 for s in slots if s in filled and filled[s][1].vaccine.id == rule.counted)
    first = not any(s in filled for s in slots)
    need = rule.needed(birth)
    for s in [s for s in slots if s in out]:
        want = rule.first if first else rule.counted if count < need else None
        first = False
        keep = [
            d for d in out[s] if (d.vaccine.id == want if want else d.vaccine.id != rule.counted)
        ]
        if keep:
            out[s] = keep
        if out[s][0].vaccine.id == rule.counted:
            count += 1
    return out


def _earliest(
    schedule: Schedule,
    dose: Dose,
    birth: dt.date,
    given: Mapping[str, dt.date],
    filled: Filled,
    free: Mapping[str, dt.date | None],
) -> tuple[dt.date | None, str | None]:
    """The first day ``dose`` may be given — its age; the minimum interval after each
    place it counts from: after the dose given there, or, for a place no longer to be
    filled (``free``), from the day it closed (None: not needed); 28 days after another
    injectable live vaccine — or (None, the place) while it waits for an earlier place.
    The one rule of :func:`plan` and :func:`windows`."""
    earliest = dose.earliest_age(birth)
    for gap in dose.gaps:
        if gap.after in filled:
            earliest = max(earliest, gap.from_date(filled[gap.after][0]))
        elif gap.after in free:
            closed = free[gap.after]
            if closed is not None:
                earliest = max(earliest, closed)
        else:
            return None, gap.after
    if dose.vaccine.live and dose.vaccine.injected:
        other = _last_live(schedule, given, dose.vaccine, None)
        if other is not None:
            earliest = max(earliest, other[1] + dt.timedelta(days=LIVE_GAP_DAYS))
    return earliest, None


def plan(
    schedule: Schedule,
    birth: dt.date,
    given: Mapping[str, dt.date],
    on: dt.date,
    choice: Mapping[str, str] | None = None,
    facts: Facts | None = None,
) -> list[DoseState]:
    """Every dose of the child's plan on ``on``, in the schedule's order: the doses given,
    and for each other place of a series the product to give there now (a product no
    longer given for the child's age is 不再补种, naming the one given instead). The
    doses of the alternatives not followed, of the variants not applied and the places
    not needed (``skip_if_given``) are left out unless given."""
    sched = schedule.for_child(facts)
    used = sched.used(given, choice or {})
    filled = _filled(sched, given)
    options = _options(sched, birth, filled, used)
    months = age_months(birth, on) if on >= birth else 0
    limit = sched.catch_up_before_years * 12
    out: list[DoseState] = []
    free: dict[str, dt.date | None] = {}
    picked: dict[str, Dose] = {}  # place → the product planned there
    planned: set[str] = set()
    for dose in sched.doses:
        if dose.id in given:
            out.append(DoseState(dose, DONE, given=given[dose.id], by=dose.by(birth)))
            continue
        if not dose.main or dose.id not in options or not options[dose.id]:
            continue
        if any(k in given or k in planned for k in dose.skip_if_given):
            free[dose.id] = None
            continue
        cands = options[dose.id]
        now = [c for c in cands if c.age_months <= months < _until_months(sched, c)]
        pick = now[0] if now else next((c for c in cands if months < c.age_months), None)
        if pick is None or months >= limit:
            closed = min(limit, max(_until_months(sched, c) for c in cands))
            free[dose.id] = reached(birth, closed)
            out.append(
                DoseState(dose, SKIPPED, by=dose.by(birth), note=f"满{age_text(closed)}不再补种")
            )
            continue
        if pick is not dose and dose in cands and months >= _until_months(sched, dose):
            instead = (
                f"满{age_text(_until_months(sched, dose))}不再接种{dose.vaccine.name}，"
                f"改种{pick.label}"
            )
            out.append(DoseState(dose, SKIPPED, by=dose.by(birth), note=instead))
        picked[dose.id] = pick
        planned.add(pick.id)
        earliest, waits = _earliest(sched, pick, birth, given, filled, free)
        note = pick.note
        if waits is not None:
            note = f"需先接种{picked.get(waits, sched.by_id[waits]).label}"
        if pick.test_first_from_months is not None and months >= pick.test_first_from_months:
            note = "补种前需PPD或IGRA检测阴性"
        by = pick.by(birth)
        if earliest is None or on < earliest:
            state = UPCOMING
        elif on <= by:
            state = DUE
        else:
            state = OVERDUE
        out.append(DoseState(pick, state, earliest=earliest, by=by, note=note))
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
def refusal(
    schedule: Schedule,
    given: Mapping[str, dt.date],
    dose_id: str,
    birth: dt.date | None = None,
    day: dt.date | None = None,
    facts: Facts | None = None,
) -> str | None:
    """Why ``dose_id`` cannot be recorded for a child with ``given`` (the other records):
    a dose of a variant the child's facts do not call for, a series (or the alternative
    the series belongs to) already complete, the same dose or its place again. None when
    it may be. With ``birth`` and ``day``, a place no product can fill any more on
    ``day`` (百白破第4剂 from 6 years) does not keep a series open."""
    sched = schedule.for_child(facts)
    dose = sched.by_id[dose_id]
    if dose.variant is not None and dose.variant not in sched.active:
        return f"{dose.label}仅用于{sched.variant(dose.variant).label}的儿童（见预防接种建证记录）"
    series = dose.vaccine.series
    if _complete_series(sched, series, given, birth, day):
        return _complete(sched.series_labels[series], sched, series, given)
    if dose.vaccine.alternative is not None:
        for alt in sched.alternatives:
            if alt.id != dose.vaccine.alternative:
                continue
            for vaccine_id, label in alt.options:
                other = next(d for d in sched.doses if d.vaccine.id == vaccine_id).vaccine.series
                if other != series and _complete_series(sched, other, given, birth, day):
                    return _complete(f"{alt.label}（{label}）", sched, other, given)
    if dose_id in given:
        return f"{dose.label}已于 {given[dose_id].isoformat()} 接种，不能重复登记"
    filled = _filled(sched, given)
    if dose.slot in filled:
        day_given, other_dose = filled[dose.slot]
        return (
            f"{dose.label}与已于 {day_given.isoformat()} 接种的{other_dose.label}"
            "为同一剂次，不能重复登记"
        )
    return None


def _complete_series(
    sched: Schedule,
    series: str,
    given: Mapping[str, dt.date],
    birth: dt.date | None,
    day: dt.date | None,
) -> bool:
    filled = _filled(sched, given)
    slots = sched.slots(series)
    if not any(s.id in filled for s in slots):
        return False
    for s in slots:
        if s.id in filled or any(k in given for k in s.skip_if_given):
            continue
        if birth is not None and day is not None:
            products = [c for c in sched.by_slot[s.id] if sched.in_plan(c)]
            if all(day >= reached(birth, _until_months(sched, c)) for c in products):
                continue
        return False
    return True


def _complete(label: str, sched: Schedule, series: str, given: Mapping[str, dt.date]) -> str:
    by_id = sched.by_id
    days = sorted(
        day for k, day in given.items() if k in by_id and by_id[k].vaccine.series == series
    )
    return f"{label}{len(days)}剂已全部完成（{'、'.join(d.isoformat() for d in days)}），不能再登记"


def warnings(
    schedule: Schedule,
    birth: dt.date,
    given: Mapping[str, dt.date],
    dose_id: str,
    day: dt.date,
    facts: Facts | None = None,
) -> list[str]:
    """The rules a dose given on ``day`` broke (it is still recorded): before the
    minimum age, before the minimum interval after an earlier dose, within 28 days of
    another injectable live vaccine, at an age the product is no longer given, a birth
    dose of HepB after the day of birth for a mother HBsAg 阳性/不详 (12 hours). Each
    message names the rule."""
    sched = schedule.for_child(facts)
    dose = sched.by_id[dose_id]
    filled = _filled(sched, given)
    out = []
    if day < dose.earliest_age(birth):
        out.append(
            f"{dose.label}接种时未到最小接种月龄（{dose.age_text}，"
            f"即 {dose.earliest_age(birth).isoformat()} 起）"
        )
    for gap in dose.gaps:
        if gap.after not in filled:
            continue
        before, other = filled[gap.after]
        if day < gap.from_date(before):
            out.append(
                f"{dose.label}与{other.label}（{before.isoformat()}）间隔不足{gap.text}"
                f"（最早 {gap.from_date(before).isoformat()}）"
            )
    if dose.vaccine.live and dose.vaccine.injected:
        live = _last_live(sched, given, dose.vaccine, day)
        if live is not None and (day - live[1]).days < LIVE_GAP_DAYS:
            out.append(
                f"{dose.label}与{live[0].label}（{live[1].isoformat()}）均为注射用减毒活疫苗，"
                f"未同日接种时应间隔≥{LIVE_GAP_DAYS}天"
            )
    limit = dose.no_catch_up_from_months
    if limit is not None and day >= reached(birth, limit):
        out.append(f"{dose.label}接种时已满{age_text(limit)}：此年龄起不再接种{dose.vaccine.name}")
    rule = sched.hepb
    if (
        rule is not None
        and facts is not None
        and facts.mother_hbsag in rule.exposed
        and dose.slot == rule.birth_dose
        and day > birth
    ):
        out.append(
            f"母亲HBsAg{facts.mother_hbsag}：{dose.label}应在出生后{rule.within_hours}小时内接种，"
            f"本剂接种于 {day.isoformat()}（出生后第{(day - birth).days}天）"
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
    facts: Facts | None = None,
) -> list[Window]:
    """The doses given, and of each series the next dose to give, with their windows —
    independent of the day asked (the worklist keeps them). A place with products for
    different ages has a window per product, each ending where the product is no longer
    given (百白破第3剂 to 6 years, then 白破疫苗, then from 12 years Td); a dose waiting
    for an earlier place not filled has none (it follows once that one is recorded); a
    place no product can fill any more (BCG from 4 years, MPSV-A from 24 months) no
    longer holds the doses after it back; a place not needed (``skip_if_given``) none."""
    sched = schedule.for_child(facts)
    used = sched.used(given, choice or {})
    filled = _filled(sched, given)
    options = _options(sched, birth, filled, used)
    out: list[Window] = []
    free: dict[str, dt.date | None] = {}
    for dose in sched.doses:
        if dose.id in given:
            earliest = dose.earliest_age(birth)
            out.append(Window(dose, earliest, max(dose.by(birth), earliest), given[dose.id]))
            continue
        if not dose.main or not options.get(dose.id):
            continue
        if any(k in given for k in dose.skip_if_given):
            free[dose.id] = None
            continue
        closed = birth
        for c in options[dose.id]:
            until = reached(birth, _until_months(sched, c)) - dt.timedelta(days=1)
            closed = max(closed, until + dt.timedelta(days=1))
            start, _ = _earliest(sched, c, birth, given, filled, free)
            if start is not None and start <= until:
                out.append(Window(c, start, min(max(c.by(birth), start), until), None))
        free[dose.id] = closed
    return out
