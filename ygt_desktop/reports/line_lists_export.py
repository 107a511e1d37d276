"""The period's line lists (花名册, spec exchange.md): the people behind the numbers.

One sheet per register — the patients managed in the window with their face-to-face
follow-ups, latest reading, and whether they count as standard and controlled — and one
per service form with records in the window, each row the resident's identity and the
record's fields. ID and phone numbers are masked unless the caller asks for full ones.

A register's list is computed when it is built (one row per patient, from per-patient
aggregates); a form's list keeps its rows in the database, one query joining each
record's resident, read in batches while its sheet is written. :func:`write` does all
of it in one read transaction: every list sees the same records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, overload

from ..core.fieldtypes import FieldType
from ..core.programmes import REGISTERS
from ..core.report_model import Period
from ..core.resident import HEADERS, sex_labels
from ..storage.indicator_registers import Reading, followups, managed, standard_of
from ..storage.indicators import Indicators
from ..storage.migrations.builders import child_table
from ..storage.organisation import villages
from ..storage.reporting import Reporting
from ..storage.workspace import Workspace
from .line_lists import BATCH_ROWS, LineList, LineListError, Read, TupleRows, write_line_lists

IDENTITY = tuple(
    (key, HEADERS[key], kind)
    for key, kind in (
        ("archive_no", "text"),
        ("name", "text"),
        ("sex", "choice"),
        ("birth_date", "date"),
        ("id_number", "idnumber"),
        ("phone", "phone"),
        ("village", "text"),
    )
)
# What a register's list shows of each patient's latest follow-up: the follow-up form's
# columns read and the list's columns made of them. The register's forms are those whose
# files say so (FormRegistry.register_forms / followup_form), its name core.programmes'.
READINGS: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "htn": ("d.sbp, d.dbp", (("last_sbp", "末次收缩压", "int"), ("last_dbp", "末次舒张压", "int"))),
    "dm": ("d.fpg", (("last_fpg", "末次空腹血糖", "decimal"),)),
    "smi": ("d.stability", (("last_stability", "末次病情稳定性", "text"),)),
}


# The residents' column of an identity key where it is not the key itself.
_RESIDENT_COLUMN = {"village": "village_code"}


def _village_name(ws: Workspace) -> Callable[[Any], Any]:
    """A village code → its name (a code no active village has: the code)."""
    names = {v.code: v.name for v in villages(ws.store)}

    def name(code: Any) -> Any:
        return names.get(code or "", code)

    return name


def _identities(ws: Workspace, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    village = _village_name(ws)
    keys = [key for key, _, _ in IDENTITY]
    columns = ", ".join(_RESIDENT_COLUMN.get(key, key) for key in keys)
    out: dict[int, dict[str, Any]] = {}
    id_list = sorted(set(ids))
    for i in range(0, len(id_list), 900):
        chunk = id_list[i : i + 900]
        for rid, *values in ws.store.conn.execute(
            f"SELECT id, {columns} FROM residents WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            person = dict(zip(keys, values, strict=True))
            person["village"] = village(person["village"])
            out[rid] = person
    return out


def _identity_columns() -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    return (
        tuple(i for i, _, _ in IDENTITY),
        tuple(label for _, label, _ in IDENTITY),
        {i: t for i, _, t in IDENTITY},
    )


def _window(ix: Indicators, form_id: str) -> tuple[str, dict[str, str]]:
    """The condition (on ``service_records h``) and its parameters for ``form_id``'s
    live records in ``ix``'s window: those of ``FORM_RECORDS`` (``Indicators.window``)."""
    return (
        "h.form_id = :form AND h.deleted = 0 AND h.service_date BETWEEN :start AND :end",
        ix.window(form_id),
    )


def _latest(latest: tuple[dt.date, tuple[Any, ...]] | None, n: int) -> tuple[Any, ...]:
    """The latest follow-up's date (ISO) and its ``n`` readings (empty: Nones)."""
    if latest is None:
        return (None,) * (n + 1)
    return (latest[0].isoformat(), *latest[1])


def register_list(
    ws: Workspace,
    ix: Indicators,
    register: str,
    followup: str,
    title: str,
    columns: str,
    reading: Sequence[tuple[str, str, str]],
) -> LineList | None:
    if register not in ws.forms or followup not in ws.forms:
        return None
    patients = managed(ix, register)
    # one pass over the follow-ups: face-to-face per quarter (规范管理) and the latest one
    ups = followups(ix, followup, Reading(columns, "1"))
    good = standard_of(ix, ups.face, patients)
    visits = {
        rid: (sum(face), *_latest(ups.latest.get(rid), len(reading)))
        for rid, face in ups.face.items()
    }
    people = _identities(ws, list(patients))
    keys = [key for key, _, _ in IDENTITY]
    nobody = (None,) * len(keys)
    none = (0, None, *(None,) * len(reading))
    rows = []
    for rid in sorted(patients, key=lambda r: people.get(r, {}).get("archive_no") or ""):
        person = people.get(rid)
        rows.append(
            (
                *(tuple(person[k] for k in keys) if person is not None else nobody),
                patients[rid].isoformat(),
                *visits.get(rid, none),
                "是" if rid in good else "否",
            )
        )
    ids, labels, types = _identity_columns()
    shown = ws.forms[followup].by_id.get("stability")
    stability = {"last_stability": shown.choice_labels} if shown is not None else {}
    extra = (
        ("registered", "登记日期", "date"),
        ("face_to_face", "年内面对面随访次数", "int"),
        ("last_visit", "末次随访日期", "date"),
        *reading,
        ("standard", "规范管理", "text"),
    )
    fields = (*ids, *(e[0] for e in extra))
    return LineList(
        f"{title}（年内已管理）",
        fields,
        (*labels, *(e[1] for e in extra)),
        TupleRows(fields, rows),
        types={**types, **{e[0]: e[2] for e in extra}},
        choices={"sex": sex_labels(), **stability},
    )


class _FormRows(Sequence[Mapping[str, Any]]):
    """A service form's live records in the window, by service date and record id, each
    with its resident's identity (the columns of :data:`IDENTITY`) before the form's
    stored fields (a repeating group, kept in its own table, is no column of the list):
    the rows :func:`_identities` and ``Indicators.rows`` give, read from the
    database each time they are asked for (one query joining the resident, fetched in
    batches), never held. :class:`~.line_lists.Stored`: the writer takes the query's
    tuples as they come. Uses the workspace's connection: the thread that made it."""

    def __init__(self, ws: Workspace, ix: Indicators, form_id: str) -> None:
        form = ws.forms[form_id]
        stored = form.stored_fields
        village = _village_name(ws)
        self._conn = ws.store.conn
        self._fields = (*(key for key, _, _ in IDENTITY), *(f.id for f in stored))
        self._reads: list[Read | None] = [
            *(village if key == "village" else None for key, _, _ in IDENTITY),
            *(
                None if type(f.field_type).from_sql is FieldType.from_sql else f.field_type.from_sql
                for f in stored
            ),
        ]
        self._columns = ", ".join(
            (*(f"r.{_RESIDENT_COLUMN.get(key, key)}" for key, _, _ in IDENTITY),
             *(f"d.{f.id}" for f in stored))
        )  # fmt: skip
        window, self._params = _window(ix, form_id)
        self._from = (
            f"FROM service_records h JOIN {form.table} d ON d.record_id = h.id "
            f"LEFT JOIN residents r ON r.id = h.resident_id WHERE {window}"
        )

    @property
    def reads(self) -> Sequence[Read | None]:
        return self._reads

    _order = "h.service_date, h.id"

    def _query(self, columns: str, tail: str = "") -> Iterator[list[tuple[Any, ...]]]:
        cursor = self._conn.execute(
            f"SELECT {columns} {self._from} ORDER BY {self._order}{tail}", self._params
        )
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield batch

    def batches(self) -> Iterator[Sequence[Sequence[Any]]]:
        return self._query(self._columns)

    def __bool__(self) -> bool:
        return (
            self._conn.execute(f"SELECT 1 {self._from} LIMIT 1", self._params).fetchone()
            is not None
        )

    def __len__(self) -> int:
        count: int = self._conn.execute(f"SELECT count(*) {self._from}", self._params).fetchone()[0]
        return count

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, int):
            n = index + len(self) if index < 0 else index
            got = self._rows(f" LIMIT 1 OFFSET {n}") if n >= 0 else []
            if not got:
                raise IndexError("line list row out of range")
            return got[0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            return list(self)[index]
        return self._rows(f" LIMIT {max(stop - start, 0)} OFFSET {start}")

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for batch in self._query("r.id, " + self._columns):
            yield from map(self._mapping, batch)

    def _rows(self, tail: str) -> list[Mapping[str, Any]]:
        return [self._mapping(r) for b in self._query("r.id, " + self._columns, tail) for r in b]

    def _mapping(self, record: tuple[Any, ...]) -> Mapping[str, Any]:
        """A row as a mapping: the resident's identity (none when the record has no
        resident, or one not found) then the form's fields, each value read."""
        values = zip(self._fields, record[1:], self._reads, strict=True)
        skip = 0 if record[0] is not None else len(IDENTITY)
        return {
            key: value if read is None else read(value)
            for key, value, read in islice(values, skip, None)
        }


# What a repeating group's list shows of each line's record before the line's columns
# (ids of their own: a group's columns may be called name or line).
GROUP_KEYS = (
    ("key_archive_no", HEADERS["archive_no"], "text", "r.archive_no"),
    ("key_name", HEADERS["name"], "text", "r.name"),
    ("key_date", "服务日期", "date", "h.service_date"),
    ("key_record", "记录号", "int", "h.id"),
    ("key_line", "行号", "int", "c.line"),
)


class _GroupRows(_FormRows):
    """The lines of one repeating group of a form's records in the window, each with
    its record's keys (:data:`GROUP_KEYS`: resident, service date, record number) and
    its columns, by service date, record and line; read like :class:`_FormRows`."""

    _order = "h.service_date, h.id, c.line"

    def __init__(self, ws: Workspace, ix: Indicators, form_id: str, group: str) -> None:
        form = ws.forms[form_id]
        columns = form.field(group).columns
        self._conn = ws.store.conn
        self._fields = (*(k[0] for k in GROUP_KEYS), *(c.id for c in columns))
        self._reads = [
            *(None for _ in GROUP_KEYS),
            *(
                None if type(c.field_type).from_sql is FieldType.from_sql else c.field_type.from_sql
                for c in columns
            ),
        ]
        self._columns = ", ".join((*(k[3] for k in GROUP_KEYS), *(f"c.{c.id}" for c in columns)))
        window, self._params = _window(ix, form_id)
        self._from = (
            f"FROM service_records h JOIN {child_table(form.table, group)} c "
            f"ON c.record_id = h.id LEFT JOIN residents r ON r.id = h.resident_id WHERE {window}"
        )

    def _mapping(self, record: tuple[Any, ...]) -> Mapping[str, Any]:
        values = zip(self._fields, record[1:], self._reads, strict=True)
        return {key: value if read is None else read(value) for key, value, read in values}


def group_lists(ws: Workspace, ix: Indicators, form_id: str) -> list[LineList]:
    """One list per repeating group of the form (medicines …) with lines in ``ix``'s
    window, keyed by record (its resident, date and number): the sheet beside the
    form's own, where a record's lines are rows."""
    form = ws.forms[form_id]
    out = []
    for f in form.row_fields:
        rows = _GroupRows(ws, ix, form_id, f.id)
        if not rows:
            continue
        columns = f.columns
        out.append(
            LineList(
                f"{form.label}·{f.label}",
                (*(k[0] for k in GROUP_KEYS), *(c.id for c in columns)),
                (*(k[1] for k in GROUP_KEYS), *(c.label for c in columns)),
                rows,
                types={**{k[0]: k[2] for k in GROUP_KEYS}, **{c.id: c.type for c in columns}},
                choices={c.id: c.choice_labels for c in columns if c.choices},
            )
        )
    return out


def form_list(ws: Workspace, ix: Indicators, form_id: str) -> LineList | None:
    """The form's records in ``ix``'s window, as a list whose rows stay in the database
    until written; None when there are none."""
    form = ws.forms[form_id]
    rows = _FormRows(ws, ix, form_id)
    if not rows:
        return None
    by_form = LineList.from_form(form, rows, fields=[f.id for f in form.stored_fields])
    ids, labels, types = _identity_columns()
    return LineList(
        form.label,
        (*ids, *by_form.fields),
        (*labels, *by_form.labels),
        rows,
        types={**types, **by_form.types},
        choices={"sex": sex_labels(), **by_form.choices},
    )


def build(ws: Workspace, period: Period) -> list[LineList]:
    """The period's lists, in order: the registers' managed patients (computed here),
    then each service form's records (read from the database when they are written,
    with the workspace's connection: write them in the thread that built them)."""
    reporting = Reporting(ws)
    ix = Indicators(ws.store, ws.forms, reporting.template, reporting.base(period.year))
    ix.at(period)
    lists = []
    for key, register in ws.forms.register_forms().items():
        followup = ws.forms.followup_form(key)
        if followup is not None and key in READINGS:
            lists.append(
                register_list(
                    ws, ix, register.id, followup.id, f"{REGISTERS[key]}患者", *READINGS[key]
                )
            )
    registers = {form.id for form in ws.forms.register_forms().values()}
    for form in sorted(ws.forms, key=lambda f: (f.order, f.id)):
        if form.kind == "service" and form.id not in registers:
            lists.append(form_list(ws, ix, form.id))
            lists.extend(group_lists(ws, ix, form.id))
    return [x for x in lists if x is not None and x.rows]


@contextlib.contextmanager
def _snapshot(ws: Workspace) -> Iterator[None]:
    """One read transaction around the export: every list, read at its own moment,
    sees the same records (another window or a worker may save meanwhile). Nothing
    is written in it; inside a caller's transaction, that one is used."""
    conn = ws.store.conn
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def write(
    ws: Workspace,
    period: Period,
    out: Path,
    *,
    full_id: bool = False,
    full_phone: bool = False,
    checkpoint: Callable[[], None] | None = None,
) -> int:
    """Write the period's line lists to ``out``; return how many sheets. ``checkpoint``
    is called between lists and every few thousand rows and may raise to stop."""
    with _snapshot(ws):
        lists = build(ws, period)
        if not lists:
            raise LineListError(f"{period.label}没有任何服务记录，花名册为空")
        if checkpoint is not None:
            checkpoint()
        write_line_lists(lists, out, full_id=full_id, full_phone=full_phone, checkpoint=checkpoint)
    return len(lists)
