"""The period's line lists (花名册, spec exchange.md): the people behind the numbers.

One sheet per register — the patients managed in the window with their face-to-face
follow-ups, latest reading, and whether they count as standard and controlled — and one
per service form with records in the window, each row the resident's identity and the
record's fields. ID and phone numbers are masked unless the caller asks for full ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

from ..core.fieldtypes import FieldType
from ..core.programmes import REGISTERS
from ..core.report_model import Period
from ..core.resident import HEADERS, sex_labels
from ..storage.indicator_rules import managed, standard
from ..storage.indicators import FACE_TO_FACE, Indicators
from ..storage.organisation import villages
from ..storage.reporting import Reporting
from ..storage.workspace import Workspace
from .line_lists import LineList, LineListError, write_line_lists

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


def _identities(ws: Workspace, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    names = {v.code: v.name for v in villages(ws.store)}
    out: dict[int, dict[str, Any]] = {}
    id_list = sorted(set(ids))
    for i in range(0, len(id_list), 900):
        chunk = id_list[i : i + 900]
        for rid, archive_no, name, sex, birth, number, phone, village in ws.store.conn.execute(
            "SELECT id, archive_no, name, sex, birth_date, id_number, phone, village_code "
            f"FROM residents WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            out[rid] = {
                "archive_no": archive_no,
                "name": name,
                "sex": sex,
                "birth_date": birth,
                "id_number": number,
                "phone": phone,
                "village": names.get(village or "", village),
            }
    return out


def _identity_columns() -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    return (
        tuple(i for i, _, _ in IDENTITY),
        tuple(label for _, label, _ in IDENTITY),
        {i: t for i, _, t in IDENTITY},
    )


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
    good = standard(ix, followup, patients)
    has_method = "visit_method" in ws.forms[followup].by_id
    face: Counter[int] = Counter()
    latest: dict[int, tuple[str, tuple[Any, ...]]] = {}
    for _, rid, day, method, *vals in ix.rows(
        followup, ("d.visit_method, " if has_method else "'1', ") + columns
    ):
        if method in FACE_TO_FACE:
            face[rid] += 1
        if rid not in latest or day >= latest[rid][0]:
            latest[rid] = (day, tuple(vals))
    people = _identities(ws, list(patients))
    rows = []
    for rid in sorted(patients, key=lambda r: people.get(r, {}).get("archive_no") or ""):
        day, reading_values = latest.get(rid, ("", ()))
        row: dict[str, Any] = {
            **people.get(rid, {}),
            "registered": patients[rid].isoformat(),
            "face_to_face": face[rid],
            "last_visit": day or None,
            "standard": "是" if rid in good else "否",
        }
        for (key, _, _), value in zip(reading, reading_values, strict=False):
            row[key] = value
        rows.append(row)
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
    return LineList(
        f"{title}（年内已管理）",
        (*ids, *(e[0] for e in extra)),
        (*labels, *(e[1] for e in extra)),
        rows,
        types={**types, **{e[0]: e[2] for e in extra}},
        choices={"sex": sex_labels(), **stability},
    )


class _RecordRows(Sequence[Mapping[str, Any]]):
    """A form list's rows, each made when it is read (the writer reads them once, in
    order): the records' tuples stay, the row mappings do not pile up."""

    def __init__(
        self,
        records: list[tuple[Any, ...]],
        people: Mapping[int, Mapping[str, Any]],
        fields: list[tuple[str, Callable[[Any], Any] | None]],
    ) -> None:
        """``fields``: each field's id and how its stored value is read (None: as is)."""
        self._records = records
        self._people = people
        self._ids = [fid for fid, _ in fields]
        self._read = [(n + 3, fid, fn) for n, (fid, fn) in enumerate(fields) if fn is not None]

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [self._row(r) for r in self._records[index]]
        return self._row(self._records[index])

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return map(self._row, self._records)

    def _row(self, record: tuple[Any, ...]) -> Mapping[str, Any]:
        row = dict(self._people.get(record[1], _NOBODY))
        row.update(zip(self._ids, record[3:], strict=True))
        for n, fid, read in self._read:
            row[fid] = read(record[n])
        return row


_NOBODY: Mapping[str, Any] = {}


def form_list(ws: Workspace, ix: Indicators, form_id: str) -> LineList | None:
    form = ws.forms[form_id]
    fields = [f.id for f in form.fields]
    records = ix.rows(form_id, ", ".join(f"d.{f}" for f in fields))
    if not records:
        return None
    people = _identities(ws, [r[1] for r in records if r[1] is not None])
    records.sort(key=lambda r: (r[2], r[0]))
    reads: list[tuple[str, Callable[[Any], Any] | None]] = [
        (f.id, None if type(f.field_type).from_sql is FieldType.from_sql else f.field_type.from_sql)
        for f in form.fields
    ]
    rows = _RecordRows(records, people, reads)
    by_form = LineList.from_form(form, rows)
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
    return [x for x in lists if x is not None and x.rows]


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
    lists = build(ws, period)
    if not lists:
        raise LineListError(f"{period.label}没有任何服务记录，花名册为空")
    if checkpoint is not None:
        checkpoint()
    write_line_lists(lists, out, full_id=full_id, full_phone=full_phone, checkpoint=checkpoint)
    return len(lists)
