"""The quarterly report kept between computations (issue 15: the report of a
265,000-resident station in under a second, where computing it whole takes 2.7 s).

Each quarter's person-level indicators (the residents behind a numerator, a
denominator, a base figure's pool) are kept in ``report_kept`` (migration 0092) once
computed. Triggers mark in ``report_dirty``, in the saving transaction, the resident of
every change to the tables those indicators read per resident (``service_records``,
whose header every detail save touches, ``residents``, ``e_contract``). The next
report computes the same rules, unchanged, for the marked residents alone — on a
small in-memory copy of their rows and of the station's settings — and puts them in
the kept sets in place of what they were: a resident's place in a person-level
indicator depends on that resident's rows only. The station-level figures (logs,
records, contracts renewed, equipment) are computed whole every time; they are cheap.

Nothing here is trusted blindly:

- the kept sets carry the fingerprint of what they were computed with (the template,
  the forms, the vaccination schedule, the schema, the base data and settings, this
  module's :data:`KEPT_RULES`): any change and the quarter is computed whole again;
- the copy holds only the tables copied: a rule that reads another (a rule changed
  to read another register) fails there, and the quarter is computed whole instead of
  from a partial copy (and logged);
- a rule whose figures are not sets of residents is never computed on the copy;
- ``tests/storage/test_report_kept.py`` holds the kept report equal to the whole
  computation after random saves, edits, deletions, archive closures and contracts.
"""

from __future__ import annotations

import array
import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.forms import FormRegistry
from ..core.report_model import Period, Template
from . import vaccines
from .db import Store
from .indicators import COMPUTERS, Counted, Indicators

log = logging.getLogger(__name__)

# Bump when a rule's meaning changes without a new app version: kept sets made before
# are then computed again.
KEPT_RULES = 1
# More residents changed since the sets were kept than this: the quarter is computed
# whole (the copy would cost as much).
FULL_FROM = 3000
# Quarters kept at most (the latest computed: this year's four and last year's last);
# older ones are dropped. Each is about 7 MiB at 265,000 residents, in every backup.
MAX_KEPT = 5
# Tables the person-level rules read as a whole (station settings, base data): copied
# whole, and in the fingerprint.
WHOLE = (
    "settings",
    "organisation",
    "villages",
    "e_base_data",
    "e_team",
    "e_team_member",
    "e_service_package",
)
# Settings no rule reads that change by themselves (the last full check of the file,
# ops.backup.LAST_FULL_CHECK): not in the fingerprint.
VOLATILE = ("integrity.last_full_check",)
TYPECODE = "q"


class Unkept(Exception):
    """The marked residents cannot be computed alone: the quarter is computed whole."""


def personal(counted: Counted) -> bool:
    """Whether ``counted`` is made of residents only (no count, no record figures)."""
    return counted.count is None and counted.records is None and counted.record_denominator is None


class KeptReport:
    """The indicators of a quarter, from the kept sets when they can be used.

    ``indicators`` (optional) computes what is computed whole on the station's
    connection: a computer shared by several quarters of a year (the PDF's chart)."""

    def __init__(
        self,
        store: Store,
        forms: FormRegistry,
        template: Template,
        base: Mapping[str, Any] | None,
        indicators: Indicators | None = None,
    ) -> None:
        self.store = store
        self.forms = forms
        self.template = template
        self.base = base
        self._indicators = indicators

    # ---- public ------------------------------------------------------------------
    def compute(self, period: Period, codes: Iterable[str] | None = None) -> dict[str, Counted]:
        """The indicators ``codes`` (all of the template's) of ``period``."""
        every = [i.code for i in self.template.indicators]
        wanted = list(codes) if codes is not None else every
        fingerprint = self.fingerprint()
        if fingerprint is None:  # a database before migration 0092
            return self.main.compute(period, wanted)
        top = self._top()
        kept = self._read(period, fingerprint)
        person: dict[str, Counted] | None = None
        if kept is not None:
            upto, person = kept
            dirty = self._dirty(upto)
            if dirty is None:  # too many to compute alone
                person = None
            elif dirty:
                try:
                    fresh = self._alone(period, dirty, list(person))
                except Unkept as e:
                    log.warning("季度报表：改动的居民不能单独计算（%s），整体重算", e)
                    person = None
                else:
                    person = _merged(person, fresh, dirty)
                    self._save(period, fingerprint, top, person)
        if person is None:
            if not set(every) <= set(wanted):  # a part of a quarter not kept: not kept now
                return self.main.compute(period, wanted)
            whole = self.main.compute(period, every)
            person = _person_part(whole)
            self._save(period, fingerprint, top, person)
            return {c: whole[c] for c in wanted if c in whole}
        rest = [c for c in wanted if c not in person]
        out = dict(person)
        if rest:
            out.update(self.main.compute(period, rest))
        return {c: out[c] for c in wanted if c in out}

    def marked(self) -> list[Period]:
        """The kept quarters (of the present fingerprint) that residents changed since,
        few enough to be computed alone: what :meth:`compute` with no codes brings up to
        date at little cost."""
        fingerprint = self.fingerprint()
        if fingerprint is None:
            return []
        out = []
        for label, upto in self.store.conn.execute(
            "SELECT period, upto FROM report_kept WHERE fingerprint = ? ORDER BY period",
            (fingerprint,),
        ).fetchall():
            if self._dirty(int(upto)):  # None (too many) or empty: left as it is
                out.append(Period.parse(label))
        return out

    @property
    def main(self) -> Indicators:
        """The computer on the station's own connection (made once)."""
        if self._indicators is None:
            self._indicators = Indicators(self.store, self.forms, self.template, self.base)
        return self._indicators

    def fingerprint(self) -> str | None:
        """What the kept sets depend on besides the residents' rows; None when the
        database has no kept report (before migration 0092)."""
        conn = self.store.conn
        try:
            conn.execute("SELECT 1 FROM report_kept LIMIT 0")
        except sqlite3.OperationalError:
            return None
        digest = hashlib.sha256()
        forms = {
            f.id: [f.version, f.table, f.settings, [(x.id, x.type, x.choices) for x in f.fields]]
            for f in self.forms
        }
        head = [KEPT_RULES, __version__, repr(self.template), repr(vaccines.schedule()), forms]
        digest.update(json.dumps(head, ensure_ascii=False, sort_keys=True, default=str).encode())
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        digest.update(repr(schema).encode())
        tables = {name for kind, name, _ in schema if kind == "table"}
        migrations = conn.execute("SELECT count(*), max(name) FROM schema_migrations").fetchone()
        digest.update(repr(migrations).encode())
        for table in WHOLE:
            if table in tables:
                where = (
                    " WHERE key NOT IN (SELECT value FROM json_each(?))"
                    if table == "settings"
                    else ""
                )
                rows = conn.execute(
                    f"SELECT * FROM {table}{where} ORDER BY 1",
                    (json.dumps(VOLATILE),) if where else (),
                ).fetchall()
                digest.update(repr(rows).encode())
        return digest.hexdigest()

    # ---- the kept sets -----------------------------------------------------------
    def _top(self) -> int:
        row = self.store.conn.execute("SELECT max(seq) FROM report_dirty").fetchone()
        return int(row[0] or 0)

    def _dirty(self, upto: int) -> set[int] | None:
        """Residents marked after ``upto``; None when more than :data:`FULL_FROM`."""
        rows = self.store.conn.execute(
            "SELECT DISTINCT resident_id FROM report_dirty WHERE seq > ? LIMIT ?",
            (upto, FULL_FROM + 1),
        ).fetchall()
        if len(rows) > FULL_FROM:
            return None
        return {int(r[0]) for r in rows}

    def _read(self, period: Period, fingerprint: str) -> tuple[int, dict[str, Counted]] | None:
        row = self.store.conn.execute(
            "SELECT upto, meta, ids FROM report_kept WHERE period = ? AND fingerprint = ?",
            (str(period), fingerprint),
        ).fetchone()
        if row is None:
            return None
        try:
            return int(row[0]), _decoded(json.loads(row[1]), bytes(row[2]))
        except (ValueError, KeyError, TypeError, IndexError) as e:
            log.warning("季度报表：保存的 %s 数据无法读取（%s），整体重算", period.label, e)
            return None

    def _save(
        self, period: Period, fingerprint: str, upto: int, person: dict[str, Counted]
    ) -> None:
        """Keep ``person`` as ``period``'s sets (when the file can be written now: never
        while it is read-only, waiting for its opening check or inside a transaction)."""
        store = self.store
        if store.readonly or store.check_pending or store.conn.in_transaction:
            return
        meta, ids = _encoded(person)
        now = dt.datetime.now().isoformat(timespec="microseconds")
        try:
            with store.write("report") as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO report_kept (period, fingerprint, upto, meta, ids, "
                    "at) VALUES (?, ?, ?, ?, ?, ?)",
                    (str(period), fingerprint, upto, json.dumps(meta), ids, now),
                )
                # other fingerprints are of no use; the latest MAX_KEPT quarters stay
                conn.execute("DELETE FROM report_kept WHERE fingerprint != ?", (fingerprint,))
                conn.execute(
                    "DELETE FROM report_kept WHERE period NOT IN "
                    "(SELECT period FROM report_kept ORDER BY at DESC LIMIT ?)",
                    (MAX_KEPT,),
                )
                conn.execute(
                    "DELETE FROM report_dirty WHERE seq <= (SELECT min(upto) FROM report_kept)"
                )
            store.changes_since_backup -= 1  # derived figures, not a change to back up
        except (sqlite3.Error, OSError) as e:  # a full disk, a busy file: computed next time
            log.warning("季度报表：%s 的计算结果未能保存（%s）", period.label, e)

    # ---- the marked residents alone ---------------------------------------------
    def _alone(self, period: Period, residents: set[int], codes: list[str]) -> dict[str, Counted]:
        """``codes`` computed by the same rules on a copy of ``residents``' rows."""
        conn = sqlite3.connect(":memory:")
        try:
            copy_residents(self.store.conn, conn, residents)
            alone = Indicators(Store(Path(":memory:"), conn), self.forms, self.template, self.base)
            fresh = alone.compute(period, codes)
        except sqlite3.Error as e:  # a rule reading a table not copied: not there
            raise Unkept(str(e)) from e
        finally:
            conn.close()
        if set(fresh) != set(codes):
            raise Unkept("计算结果缺少指标")
        if not all(personal(c) for c in fresh.values()):
            raise Unkept("指标不是居民集合")
        return fresh


def marked_any(store: Store) -> bool:
    """Whether any resident is marked changed since a quarter was kept (one probe)."""
    try:
        return store.conn.execute("SELECT 1 FROM report_dirty LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:  # before migration 0092
        return False


def copy_residents(
    src: sqlite3.Connection, dst: sqlite3.Connection, residents: set[int]
) -> set[str]:
    """Copy into ``dst`` ``residents``' rows — their archives, service records with
    every detail row, contracts — and the tables of :data:`WHOLE`, each table with its
    indexes (the rules' statements name some). Returns the tables copied; no other
    table is there."""
    schema = src.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND type IN ('table', 'index') AND name NOT LIKE 'sqlite%' ORDER BY type = 'index'"
    ).fetchall()
    tables = [name for kind, name, _, _ in schema if kind == "table"]
    who = json.dumps(sorted(residents))
    copied: set[str] = set()

    def copy(table: str, where: str = "", params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        for _, _, owner, sql in schema:  # the table, then its indexes
            if owner == table:
                dst.execute(sql)
        rows = src.execute(f'SELECT * FROM "{table}" {where}', params).fetchall()
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            dst.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
        copied.add(table)
        return rows

    members = "IN (SELECT value FROM json_each(?))"
    copy("residents", f"WHERE id {members}", (who,))
    records = copy("service_records", f"WHERE resident_id {members}", (who,))
    which = json.dumps([r[0] for r in records])
    for table in tables:
        if table.startswith("f_") and "record_id" in _columns(src, table):
            copy(table, f"WHERE record_id {members}", (which,))
    if "e_contract" in tables:
        copy("e_contract", f"WHERE resident_id {members}", (who,))
    for table in WHOLE:
        if table in tables:
            copy(table)
    return copied


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def _person_part(whole: Mapping[str, Counted]) -> dict[str, Counted]:
    """The indicators whose rule gives only sets of residents (a rule giving one
    station-level figure is computed whole every time, all its indicators with it)."""
    by_rule: dict[Any, list[str]] = {}
    for code in whole:
        by_rule.setdefault(COMPUTERS[code], []).append(code)
    return {
        code: whole[code]
        for codes in by_rule.values()
        if all(personal(whole[c]) for c in codes)
        for code in codes
    }


def _merged(
    kept: Mapping[str, Counted], fresh: Mapping[str, Counted], changed: set[int]
) -> dict[str, Counted]:
    """The kept sets with ``changed`` residents' places replaced by ``fresh`` ones (a set
    shared by several indicators stays shared)."""
    made: dict[tuple[int, int], set[int]] = {}

    def part(old: set[int] | None, new: set[int] | None) -> set[int] | None:
        if old is None or new is None:
            if (old is None) != (new is None):
                raise Unkept("指标的构成与保存时不同")
            return None
        key = (id(old), id(new))
        if key not in made:
            made[key] = (old - changed) | new
        return made[key]

    out = {}
    for code, was in kept.items():
        now = fresh[code]
        out[code] = Counted(
            code,
            numerator=part(was.numerator, now.numerator) or set(),
            denominator=part(was.denominator, now.denominator),
            pool=part(was.pool, now.pool),
            base=now.base,
            missing=now.missing,
        )
    return out


def _encoded(person: Mapping[str, Counted]) -> tuple[dict[str, Any], bytes]:
    """The sets as one packed array of ids (each distinct set once) and their layout."""
    sets: list[set[int]] = []
    index: dict[int, int] = {}

    def put(s: set[int] | None) -> int | None:
        if s is None:
            return None
        if id(s) not in index:
            index[id(s)] = len(sets)
            sets.append(s)
        return index[id(s)]

    codes = {
        code: [put(c.numerator), put(c.denominator), put(c.pool), c.base, c.missing]
        for code, c in person.items()
    }
    ids = array.array(TYPECODE)
    for s in sets:
        ids.extend(s)
    return {"codes": codes, "sizes": [len(s) for s in sets], "typecode": TYPECODE}, ids.tobytes()


def _decoded(meta: Mapping[str, Any], blob: bytes) -> dict[str, Counted]:
    ids = array.array(meta["typecode"])
    ids.frombytes(blob)
    sets: list[set[int]] = []
    at = 0
    for size in meta["sizes"]:
        sets.append(set(ids[at : at + size]))
        at += size
    if at != len(ids):
        raise ValueError("集合长度不符")

    def get(i: int | None) -> set[int] | None:
        return None if i is None else sets[i]

    out = {}
    for code, (num, den, pool, base, missing) in meta["codes"].items():
        out[code] = Counted(
            code,
            numerator=get(num) or set(),
            denominator=get(den),
            pool=get(pool),
            base=base,
            missing=missing,
        )
    return out
