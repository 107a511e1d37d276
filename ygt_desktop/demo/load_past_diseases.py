"""The demo's 既往史 made to agree with its registers (a pass after the services).

The residents' generator writes only the diseases no register keeps (冠心病, 慢阻肺 …);
who has 高血压, 糖尿病, 严重精神障碍 or 结核病 is decided later, by the service
generator. This pass gives every resident on such a register (or case) the 既往史 line
of its disease — the pairs are the resident form's ``[past_disease_registers]`` — with
确诊时间 the month the register dates the diagnosis (its 确诊日期, else its own date;
never before the birth month), unless the line is there already. A line 无 gives way
to the disease. One transaction; an audit row per changed archive with its lines and digest
(so its history shows them and ``ygt check`` holds them).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ..core.forms import FormDef, FormRegistry
from ..core.programmes import REGISTERS
from ..core.resident import past_disease_registers
from ..storage import audit, audit_digest
from ..storage.db import Store
from ..storage.migrations.builders import child_table

NONE_CODE = "1"  # 既往史·疾病 无
DIAGNOSIS_FIELD = "diagnosis_date"  # 确诊日期 of the register forms that have one
REASON = "生成演示数据：既往史补记登记管理的疾病"


def _openers(forms: FormRegistry) -> list[tuple[str, FormDef]]:
    """(既往史 code, the form that registers it) for every pair with a loaded form."""
    registers, openers = forms.register_forms(), forms.episode_openers()
    out = []
    for code, key in past_disease_registers(forms["resident"]).items():
        form = registers.get(key) if key in REGISTERS else openers.get(key)
        if form is not None:
            out.append((code, form))
    return out


def _diagnosed(
    conn: sqlite3.Connection, openers: Sequence[tuple[str, FormDef]], after_id: int
) -> dict[int, dict[str, str]]:
    """Resident id → {既往史 code: earliest month its live registrations date it}."""
    out: dict[int, dict[str, str]] = {}
    for code, form in openers:
        when = "s.service_date"
        if DIAGNOSIS_FIELD in form.by_id:
            when = f"min(s.service_date, coalesce(d.{DIAGNOSIS_FIELD}, s.service_date))"
        for resident_id, day in conn.execute(
            f"SELECT s.resident_id, min({when}) FROM service_records s "
            f"JOIN {form.table} d ON d.record_id = s.id "
            "WHERE s.form_id = ? AND s.deleted = 0 AND s.resident_id > ? "
            "GROUP BY s.resident_id",
            (form.id, after_id),
        ):
            if day:
                out.setdefault(int(resident_id), {})[code] = str(day)[:7]
        # (a register keeps ISO dates: its first 7 characters are the month)
    return out


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def link_past_diseases(store: Store, forms: FormRegistry, *, after_id: int = 0) -> int:
    """Add the register diseases to the 既往史 of residents above ``after_id`` (the ones
    a demo run generated); returns how many residents changed. At most the group's
    ``max_rows`` lines: a resident already that full keeps the lines they have."""
    form = forms["resident"]
    group = form.field("past_diseases")
    table = child_table(form.table, group.id)
    columns = [c.id for c in group.columns]
    limit = group.max_rows or len(group.column["disease"].choice_labels)
    openers = _openers(forms)
    if not openers:
        return 0
    with store.write() as conn:
        diagnosed = _diagnosed(conn, openers, after_id)
        if not diagnosed:
            return 0
        births = dict(
            conn.execute(
                "SELECT id, substr(birth_date, 1, 7) FROM residents WHERE id > ?", (after_id,)
            )
        )
        lines: dict[int, list[tuple[Any, ...]]] = {}
        for row in conn.execute(
            f"SELECT record_id, {', '.join(columns)} FROM {table} WHERE record_id > ? "
            "ORDER BY record_id, line",
            (after_id,),
        ):
            lines.setdefault(int(row[0]), []).append(tuple(row[1:]))
        disease_at = columns.index("disease")
        month_at = columns.index("diagnosed")
        changed: list[int] = []
        after: dict[int, list[tuple[Any, ...]]] = {}
        inserts: list[tuple[Any, ...]] = []
        for resident_id, months in sorted(diagnosed.items()):
            have = lines.get(resident_id, [])
            codes = {line[disease_at] for line in have}
            missing = sorted((c for c in months if c not in codes), key=int)
            if not missing:
                continue
            kept = [line for line in have if line[disease_at] != NONE_CODE]
            birth = births.get(resident_id) or ""
            for code in missing[: max(0, limit - len(kept))]:
                line: list[Any] = [None] * len(columns)
                line[disease_at], line[month_at] = code, max(months[code], birth)
                kept.append(tuple(line))
            if [line[disease_at] for line in kept] == [line[disease_at] for line in have]:
                continue  # full already
            changed.append(resident_id)
            after[resident_id] = kept
            inserts += [(resident_id, n, *line) for n, line in enumerate(kept, start=1)]
        if not changed:
            return 0
        conn.executemany(f"DELETE FROM {table} WHERE record_id = ?", [(i,) for i in changed])
        names = ", ".join(["record_id", "line", *columns])
        conn.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * (len(columns) + 2))})",
            inserts,
        )
        # One audit row per resident (its history shows the lines it got), each with
        # the record's digest as now stored, read in one pass over their range.
        fam = audit_digest.family_of(form.table)
        assert fam is not None
        wanted = set(changed)
        at, user = audit.now_iso(), store.user
        for key, digest in audit_digest.stream(conn, fam, changed[0] - 1, changed[-1]):
            if key in wanted:
                new = {group.id: [dict(zip(columns, line, strict=True)) for line in after[key]]}
                row = (at, user, form.table, key, "update", None, _json(new), REASON)
                audit.append(conn, row, digest.hex())
    return len(changed)
