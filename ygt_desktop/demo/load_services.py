"""Bulk loading of generated service records (demo stations): raw ``executemany``.

:func:`load_services` writes what :meth:`ServiceRepo.save` writes for each record — a
header row in ``service_records`` and a detail row in the form's table — without its
per-record queries: ids are assigned here, the episode id is the id of the record that
opened the episode key, ``prev_controlled`` comes from the resident's previous record of
the same form in the stream, and the form's own ``[[rules]]`` and ``closes_episode``
expressions are evaluated on the values (so recheck dates, referrals and alerts are
exactly what the app would store). Computed fields are stored as given: the generator
computes them as the forms do, and the tests hold the two together.

Speed: the whole load is one transaction (all or nothing, like the residents' bulk
load). The secondary indexes of ``service_records`` are dropped inside it and rebuilt
from their own SQL at the end: a million header rows took 17–30 s into the four
random-order indexes and 6 s with the indexes rebuilt once (measured on this machine).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.context import CONTEXT_NAMES, resident_context
from ..core.dates import month_of
from ..core.expressions import Expression
from ..core.forms import FieldDef, FormDef, FormRegistry, RuleOutcome
from ..storage import audit, audit_digest
from ..storage.db import Store, StoreError
from ..storage.migrations.builders import child_table
from ..storage.organisation import get_setting
from ..storage.services import DEFAULT_LATE_DAYS
from .services import Person, Record

# Records typed in more than a week after the service; with babies' first visits, typed
# in once their archive is made (0–90 days after birth), ≈ 3 % of all records are late.
LATE_SHARE = 0.01
ENTRY_SEED_OFFSET = 104_729  # entry stamps draw apart from the residents and services
_PREVIOUS = frozenset({"prev_controlled", "prev_date"})
_HEADER_COLUMNS = (
    "id", "form_id", "resident_id", "episode_id", "service_date", "closes_episode",
    "entered_at", "entered_by", "late_entry", "recheck_date", "referral", "alerts",
    "updated_at",
)  # fmt: skip
_HOURS = tuple(f"T{h:02d}:" for h in range(8, 18))  # typed in during working hours
_MINUTES = tuple(f"{m:02d}:00+08:00" for m in range(60))


def demo_people(store: Store, after_id: int = 0) -> list[Person]:
    """The residents with ``id > after_id`` as the service generator needs them.

    Residents at one address (in one village) form a household; the synthetic
    residents of a household are consecutive, so id order keeps them together.
    """
    out = []
    for rid, sex, birth, archive, status, status_date, home, name, phone in store.conn.execute(
        "SELECT id, sex, birth_date, archive_date, status, status_date, "
        "coalesce(village_code, '') || '|' || address, name, phone FROM residents "
        "WHERE id > ? AND deleted = 0 AND birth_date IS NOT NULL AND archive_date IS NOT NULL "
        "ORDER BY id", (after_id,)):  # fmt: skip
        out.append(Person(
            rid, sex or "", dt.date.fromisoformat(birth), dt.date.fromisoformat(archive),
            status, dt.date.fromisoformat(status_date) if status_date else None,
            home, name, phone,
        ))  # fmt: skip
    return out


class _IsoDates(dict[dt.date, str]):
    """ISO texts of dates, made once each (a million records share a few thousand days)."""

    def __missing__(self, day: dt.date) -> str:
        text = self[day] = day.isoformat()
        return text


_ISO = _IsoDates()


def _joined(value: list[str]) -> str | None:
    return ",".join(value) if value else None


def _month(value: Any) -> str:
    return month_of(value) if isinstance(value, dt.date) else str(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "date": _ISO.__getitem__, "month": _month, "bool": int, "multichoice": _joined,
}  # fmt: skip
_MISSING = object()


class _Rule:
    """A form rule with its outcome; results are remembered per combination of the
    values it reads (a pure expression of them), which makes a million records cheap."""

    def __init__(self, when: Expression, outcome: RuleOutcome) -> None:
        self.when = when
        self.outcome = outcome
        self.alert = json.dumps(outcome.__dict__, ensure_ascii=False)
        self.names = tuple(sorted(when.names))
        self.memo: dict[tuple[Any, ...], bool] | None = None if "today" in when.source else {}

    def fires(self, scope: dict[str, Any]) -> bool:
        memo = self.memo
        if memo is None:
            return bool(self.when.evaluate(scope))
        key = tuple(map(scope.get, self.names))
        try:
            hit = memo.get(key, _MISSING)
        except TypeError:  # a list value (multiple choice): not hashable
            return bool(self.when.evaluate(scope))
        if hit is _MISSING:
            hit = bool(self.when.evaluate(scope))
            if len(memo) < 100_000:
                memo[key] = hit
        return bool(hit)


@dataclass
class _Spec:
    """One form, prepared for the hot loop."""

    form: FormDef
    sql: str
    ids: list[str]
    converters: list[tuple[int, Callable[[Any], Any]]]  # (row position, to SQL)
    rules: list[_Rule]
    needs_context: bool
    tracks_controlled: bool
    rows: list[list[Any]] = field(default_factory=list)
    stored: audit_digest.StoredRows | None = None  # its rows as stored, for the audit
    groups: list[_Group] = field(default_factory=list)  # its repeating groups

    @classmethod
    def of(cls, form: FormDef) -> _Spec:
        ids = [f.id for f in form.stored_fields]
        sql = (f"INSERT INTO {form.table} (record_id, {', '.join(ids)}) "
               f"VALUES ({', '.join('?' * (len(ids) + 1))})")  # fmt: skip
        converters = [
            (i, _CONVERTERS[f.type])
            for i, f in enumerate(form.stored_fields, start=1)
            if f.type in _CONVERTERS
        ]
        rules = [
            _Rule(r.when, RuleOutcome(r.id, r.message, r.recheck_days, r.referral))
            for r in form.rules
        ]
        names: set[str] = set()
        for r in form.rules:
            names |= r.when.names
        if form.closes_episode is not None:
            names |= form.closes_episode.names
        context = (names & set(CONTEXT_NAMES)) - _PREVIOUS
        return cls(
            form,
            sql,
            ids,
            converters,
            rules,
            bool(context),
            "controlled" in form.by_id,
            groups=[_Group.of(form, f) for f in form.row_fields],
        )


@dataclass
class _Group:
    """One repeating group of a form: its child table's insert, its lines pending."""

    definition: FieldDef
    table: str
    sql: str
    converters: list[tuple[int, Callable[[Any], Any]]]  # (position in a line, to SQL)
    lines: list[list[Any]] = field(default_factory=list)
    stored: audit_digest.StoredRows | None = None

    @classmethod
    def of(cls, form: FormDef, f: FieldDef) -> _Group:
        table = child_table(form.table, f.id)
        names = ["record_id", "line", *(c.id for c in f.columns)]
        sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        converters = [
            (i, _CONVERTERS[c.type])
            for i, c in enumerate(f.columns, start=2)
            if c.type in _CONVERTERS
        ]
        return cls(f, table, sql, converters)

    def add(self, record_id: int, given: Any) -> bytes:
        """Queue ``given``'s lines of record ``record_id``; their digest parts (joined
        as the audit digest reads them after the record's detail row)."""
        tail = b""
        for n, line in enumerate(given or [], start=1):
            row: list[Any] = [record_id, n, *(line.get(c.id) for c in self.definition.columns)]
            for i, convert in self.converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            self.lines.append(row)
            if self.stored is not None:
                tail += b"\x00" + self.stored.part(row)
        return tail


def load_services(store: Store, forms: FormRegistry, records: Iterable[Record], *,
                  today: dt.date | None = None, seed: int = 0, batch: int = 20_000,
                  rebuild_indexes: bool = True) -> dict[str, int]:  # fmt: skip
    """Insert generated records; return the number inserted per form id.

    ``records`` follow the generator's contract (demo.services): per resident
    and form in date order, an episode's opening record before the others. Entry
    stamps are drawn from ``random.Random(seed + ENTRY_SEED_OFFSET)``, never the clock:
    most records typed in on the day or within a few days, ~1 % more than the
    late-entry limit later (延后录入), never before the resident's archive was made nor
    after ``today``. One audit entry covers the whole load. Raises :class:`StoreError`
    (nothing written) on a broken contract. ``rebuild_indexes`` False keeps the indexes
    in place (better for a few records added to a large database).
    """
    rng = random.Random(seed + ENTRY_SEED_OFFSET)
    rnd = rng.random
    user = store.user
    late_days = int(get_setting(store, "late_entry_days") or DEFAULT_LATE_DAYS)
    today_o = today.toordinal() if today else None
    residents: dict[int, tuple[int, str | None, str | None]] = {
        rid: (dt.date.fromisoformat(archive).toordinal() if archive else 0, birth, sex)
        for rid, archive, birth, sex in store.conn.execute(
            "SELECT id, archive_date, birth_date, sex FROM residents"
        )
    }
    specs: dict[str, _Spec] = {}
    counts: dict[str, int] = {}
    episodes: dict[str, int] = {}
    episode_facts: dict[str, dict[str, Any]] = {}
    previous: dict[tuple[int, str], tuple[dt.date, Any]] = {}
    headers: list[tuple[Any, ...]] = []
    header_sql = (
        f"INSERT INTO service_records ({', '.join(_HEADER_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_HEADER_COLUMNS))})"
    )
    one_day = dt.timedelta(days=1)
    iso = _ISO

    with store.write() as conn:
        indexes: list[tuple[str, str]] = []
        if rebuild_indexes:
            indexes = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'service_records' AND sql IS NOT NULL"
            ).fetchall()
            for name, _ in indexes:
                conn.execute(f"DROP INDEX {name}")
        next_id = int(
            conn.execute("SELECT coalesce(max(id), 0) FROM service_records").fetchone()[0]
        )
        before = next_id
        # Each record's audit digest, from the rows as they are stored (None: unsure,
        # read back at the end instead).
        digests: list[tuple[int, bytes]] | None = []
        try:
            head_rows = audit_digest.StoredRows(conn, "service_records", _HEADER_COLUMNS)
        except audit_digest.Unsure:
            digests = None

        def flush() -> None:
            conn.executemany(header_sql, headers)
            headers.clear()
            for spec in specs.values():
                if spec.rows:
                    conn.executemany(spec.sql, spec.rows)
                    spec.rows.clear()
                for group in spec.groups:
                    if group.lines:
                        conn.executemany(group.sql, group.lines)
                        group.lines.clear()

        for form_id, resident_id, day, key, values in records:
            spec = specs.get(form_id)
            if spec is None:
                if form_id not in forms:
                    raise StoreError(f"演示数据中有未知的表单 {form_id}")
                spec = specs[form_id] = _Spec.of(forms[form_id])
                counts[form_id] = 0
                if digests is not None:
                    try:
                        spec.stored = audit_digest.StoredRows(
                            conn, spec.form.table, ["record_id", *spec.ids]
                        )
                        for group in sorted(spec.groups, key=lambda g: g.table):
                            group.stored = audit_digest.StoredRows(
                                conn,
                                group.table,
                                ["record_id", "line", *(c.id for c in group.definition.columns)],
                            )
                    except audit_digest.Unsure:
                        digests = None
            form = spec.form
            next_id += 1
            rid = next_id
            episode_id = None
            if form.episode:
                if key is None:
                    raise StoreError(f"“{form.label}”记录缺少所属病程（{day}）")
                if form.opens_episode:
                    episode_id = episodes[key] = rid
                    episode_facts[key] = {}
                elif key in episodes:
                    episode_id = episodes[key]
                else:
                    raise StoreError(f"“{form.label}”记录的病程 {key} 尚未开始（{day}）")
            if resident_id is not None and resident_id not in residents:
                raise StoreError(f"居民档案 {resident_id} 不存在，不能记录服务")
            closes = 0
            recheck = referral = alerts = None
            if spec.rules or form.closes_episode is not None:
                scope: dict[str, Any] = values
                if spec.tracks_controlled or spec.needs_context:
                    scope = {}
                    if spec.needs_context and resident_id is not None:
                        scope.update(
                            _context(residents[resident_id], day, form, key, episode_facts)
                        )
                    prev = previous.get((resident_id or 0, form_id))
                    if prev is not None:
                        scope["prev_date"], scope["prev_controlled"] = prev
                    scope.update(values)
                fired = [rule for rule in spec.rules if rule.fires(scope)]
                if fired:
                    days = [r.outcome.recheck_days for r in fired if r.outcome.recheck_days]
                    if days:
                        recheck = iso[day + dt.timedelta(days=min(days))]
                    kinds = {r.outcome.referral for r in fired}
                    referral = ("urgent" if "urgent" in kinds else
                                "suggested" if "suggested" in kinds else None)  # fmt: skip
                    alerts = "[" + ", ".join(r.alert for r in fired) + "]"
                if form.closes_episode is not None:
                    closes = int(bool(form.closes_episode.evaluate(scope)))
            if spec.tracks_controlled and resident_id is not None:
                previous[(resident_id, form_id)] = (day, values.get("controlled"))
            if key is not None and key in episode_facts:
                _remember(episode_facts[key], form_id, values)
            day_o = day.toordinal()
            entered_o = day_o + _entry_lag(rnd, late_days)
            if resident_id is not None:
                archive_o = residents[resident_id][0]
                if entered_o < archive_o:  # a baby's first visits, typed in once archived
                    entered_o = archive_o
            if today_o is not None and entered_o > today_o:
                entered_o = max(today_o, day_o)
            stamp = (iso[day + one_day * (entered_o - day_o)] + _HOURS[int(rnd() * 10)]
                     + _MINUTES[int(rnd() * 60)])  # fmt: skip
            header = (
                rid, form_id, resident_id, episode_id, iso[day], closes, stamp, user,
                int(entered_o - day_o > late_days), recheck, referral, alerts, stamp,
            )  # fmt: skip
            headers.append(header)
            row: list[Any] = [rid, *map(values.get, spec.ids)]
            for i, convert in spec.converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            spec.rows.append(row)
            lines = b""
            # the lines' digest parts follow the detail row, tables in name order
            for group in sorted(spec.groups, key=lambda g: g.table):
                try:
                    lines += group.add(rid, values.get(group.definition.id))
                except audit_digest.Unsure:
                    digests = None
            if digests is not None and spec.stored is not None:
                try:
                    digests.append(
                        (
                            rid,
                            audit_digest.digest_of(
                                head_rows.part(header), spec.stored.part(row) + lines
                            ),
                        )
                    )
                except audit_digest.Unsure:
                    digests = None
            counts[form_id] += 1
            if len(headers) >= batch:
                flush()
        flush()
        for _, sql in indexes:
            conn.execute(sql)
        new = {"count": sum(counts.values()), **counts}
        if digests is not None:
            audit.record_digests(conn, user=user, table="service_records", digests=digests,
                                 action="insert", new=new, reason="生成演示数据")  # fmt: skip
        else:
            audit.record_batch(conn, user=user, table="service_records", after=before,
                               action="insert", new=new, reason="生成演示数据")  # fmt: skip
    return counts


def _entry_lag(rnd: Callable[[], float], late_days: int) -> int:
    """Days from the service to its entry: mostly the same day or within a week."""
    r = rnd()
    if r < 0.6:
        return 0
    if r < 0.86:
        return 1 + int(rnd() * 3)
    if r < 1 - LATE_SHARE:
        return 4 + int(rnd() * 4)
    return late_days + 1 + int(rnd() * 50)


def _remember(facts: dict[str, Any], form_id: str, values: dict[str, Any]) -> None:
    """What later records of an episode see (as ServiceRepo._episode_facts reads it)."""
    if form_id == "prenatal_first":
        facts["lmp"] = values.get("lmp_date")
        facts["pregnancy_registered"] = values.get("exam_date")  # its service date
    elif form_id == "delivery":
        facts["delivery_date"] = values.get("delivered_date")
        facts["discharge_date"] = values.get("discharged_date")
    elif form_id == "tb_notify":
        facts["notification_date"] = values.get("notified_date")


def _context(resident: tuple[int, str | None, str | None], day: dt.date, form: FormDef,
             key: str | None, episode_facts: dict[str, dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    """The resident's context on ``day`` for rules that need more than the values.

    Registers and episodes a form requires are open (the generator only writes such
    records while they are); other register flags are left unknown.
    """
    _, birth, sex = resident
    ctx = resident_context(dt.date.fromisoformat(birth) if birth else None, sex, day)
    if form.requires in ("htn", "dm", "smi"):
        ctx[f"has_{form.requires}"] = True
    if form.episode:
        ctx[f"open_{form.episode}"] = True
        if key is not None:
            ctx.update(episode_facts.get(key, {}))
    return ctx
