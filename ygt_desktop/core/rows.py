"""Repeating groups (``type = "rows"``): medicines, diseases, hospital stays, vaccinations.

A rows field holds a list of rows, each a mapping of its columns' values. Its columns
are ordinary field definitions (``[[fields.columns]]`` under the field in the form file);
``[[fields.row_checks]]`` are rules within one row (a dose needs its unit); they may
also name the record's fields and context (a diagnosis month not before birth). What is
entered is processed here, cell by cell with each column's own type:

- a row whose cells are all empty is left out (an unused line of the grid);
- a required column is required in every row that is not empty;
- a message names the field, the row number as the user saw it (the grid's line, blank
  lines counted) and the column: ``用药情况第2行：请填写药物名称``;
- ``max_rows`` bounds the rows kept; a required rows field needs one row at least.

Storage keeps the rows in a child table per field (one row per line, keyed by record
and line); that is the storage layer's, not this module's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .fieldtypes import FieldError

if TYPE_CHECKING:
    from .forms import FieldDef

Row = dict[str, Any]


@dataclass
class RowsResult:
    """The kept rows (values by column id, empty rows left out), the field's first
    message (for the form's error list) and every cell's message by (line, column),
    lines numbered from 1 as the user saw them."""

    rows: list[Row]
    message: str | None = None
    cells: dict[tuple[int, str], str] = field(default_factory=dict)


def _lines(given: Any, f: FieldDef) -> list[Mapping[str, Any]]:
    """What was entered as a list of mappings; anything else is a FieldError."""
    if given is None or given == "":
        return []
    if isinstance(given, Mapping) or not isinstance(given, Sequence) or isinstance(given, str):
        raise FieldError(f"{f.label}应为若干行")
    lines = []
    for n, line in enumerate(given, start=1):
        if line is None:
            line = {}
        if not isinstance(line, Mapping):
            raise FieldError(f"{f.label}第{n}行应为各栏的值")
        unknown = set(line) - {c.id for c in f.columns}
        if unknown:
            raise FieldError(
                f"{f.label}第{n}行有未知的栏目：{'、'.join(sorted(map(str, unknown)))}"
            )
        lines.append(line)
    return lines


def process_rows(given: Any, f: FieldDef, record: Mapping[str, Any] | None = None) -> RowsResult:
    """Parse and check the rows entered for ``f`` (see the module docstring); its row
    checks see the row's cells over ``record`` (the record's values and context)."""
    try:
        lines = _lines(given, f)
    except FieldError as exc:
        return RowsResult([], str(exc))
    kept: list[Row] = []
    cells: dict[tuple[int, str], str] = {}
    for n, line in enumerate(lines, start=1):
        row: Row = {}
        bad: dict[str, str] = {}
        for c in f.columns:
            raw = line.get(c.id)
            try:
                row[c.id] = c.field_type.parse(raw, c) if raw is not None else None
            except FieldError as exc:
                row[c.id] = None
                bad[c.id] = str(exc)
        if not bad and all(v is None for v in row.values()):
            continue  # an unused line
        for c in f.columns:
            if c.id not in bad and (message := value_problem(c, row[c.id])):
                bad[c.id] = message
        for check in f.row_checks:
            if check.field not in bad and check.when.evaluate({**(record or {}), **row}):
                bad[check.field] = check.message
        for c in f.columns:  # column order, whatever order the checks found them in
            if c.id in bad:
                cells[n, c.id] = bad[c.id]
        kept.append(row)
    message = None
    if cells:
        (n, _), text = next(iter(cells.items()))
        more = len({line for line, _ in cells}) - 1
        message = f"{f.label}第{n}行：{text}" + (f"（另有{more}行有误）" if more else "")
    elif f.max_rows is not None and len(kept) > f.max_rows:
        message = f"{f.label}最多{f.max_rows}行，现为{len(kept)}行"
    elif f.required and not kept:
        message = f"请填写{f.label}（至少一行）"
    return RowsResult(kept, message, cells)


def value_problem(f: FieldDef, value: Any) -> str | None:
    """What is wrong with a parsed ``value`` of ``f`` on its own: missing when required,
    or outside what its type allows (None: nothing)."""
    if value is None:
        return f"请填写{f.label}" if f.required else None
    return f.field_type.check(value, f)


def display_rows(rows: Sequence[Mapping[str, Any]] | None, f: FieldDef) -> str:
    """The rows as one line of text (timeline, tooltips): cells joined, rows by ；."""
    out = []
    for row in rows or []:
        shown = [
            c.field_type.display(row.get(c.id), c) + (c.unit or "")
            for c in f.columns
            if row.get(c.id) is not None
        ]
        out.append(" ".join(s for s in shown if s))
    return "；".join(out)
