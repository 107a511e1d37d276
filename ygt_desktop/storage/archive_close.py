"""What closing an archive (迁出 / 死亡 / 注销) ends with it, in the same transaction.

On the closing day the resident's family-doctor contracts still in force are terminated
and their open register entries (高血压, 2型糖尿病, 严重精神障碍 …: every form that says
``register = …``) end, each with the reason of its own form's list whose label is the
closing type (迁出 → 迁出, 死亡 → 死亡; 注销 → 其他, :func:`~ygt_desktop.core.programmes.ending_code`).
The due items on the worklist end by themselves: the archive's status is what the
worklist reads (:meth:`~.worklist.Worklist.pending`, the items a close will end).

:func:`endings` says beforehand what a close on a day would end (the dialog lists it and
asks); :func:`end_with_archive` does it inside the closing transaction of
:meth:`~.residents.ResidentRepo.close`. A refused close writes nothing of it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core import schedules as sch
from ..core.forms import FormDef, FormRegistry
from ..core.programmes import REGISTERS, ending_code
from . import audit
from .db import StoreError

if TYPE_CHECKING:
    from .worklist import Worklist

CONTRACT_FORM = "contract"


@dataclass(frozen=True)
class Ending:
    """One record a close ends: ``kind`` "contract" or a register key (htn, dm, smi),
    the record's id, the day it ends on, and its Chinese description."""

    kind: str
    record_id: int
    day: dt.date
    text: str


@dataclass
class ClosePreview:
    """What a close on ``day`` would end: contracts, register entries, due items."""

    day: dt.date
    endings: list[Ending] = field(default_factory=list)
    due: list[sch.Due] = field(default_factory=list)
    # what the close leaves to do by hand (a household's new head)
    notes: list[str] = field(default_factory=list)

    @property
    def contracts(self) -> list[Ending]:
        return [e for e in self.endings if e.kind == CONTRACT_FORM]

    @property
    def registers(self) -> list[Ending]:
        return [e for e in self.endings if e.kind != CONTRACT_FORM]

    def summary(self) -> str:
        """``将同时终止：签约 2 份、高血压患者管理、待办 5 项`` (or that nothing else ends)."""
        parts = []
        if self.contracts:
            parts.append(f"签约 {len(self.contracts)} 份")
        parts += [f"{REGISTERS.get(e.kind, e.kind)}患者管理" for e in self.registers]
        if self.due:
            parts.append(f"待办 {len(self.due)} 项")
        if not parts:
            return "没有在约的签约、在管的患者管理或待办需要同时终止。"
        return "将同时终止：" + "、".join(parts)


def topics(forms: FormRegistry) -> tuple[str, ...]:
    """The change topics of a close besides ``resident`` (for the store's caches)."""
    return (
        f"entity:{CONTRACT_FORM}",
        *(f"form:{form.id}" for form in forms.register_forms().values()),
    )


def endings(
    conn: sqlite3.Connection, forms: FormRegistry, resident_id: int, day: dt.date
) -> list[Ending]:
    """The contracts and register entries of ``resident_id`` that a close on ``day``
    ends: contracts not deleted still in force on ``day`` or later (not terminated by
    then, not ended before it), and register entries open on ``day`` (not closed by
    then). Each ends on ``day``, or on its own first day when that is later."""
    out: list[Ending] = []
    iso = day.isoformat()
    if CONTRACT_FORM in forms:
        for cid, start, end in conn.execute(
            "SELECT id, start_date, end_date FROM e_contract WHERE resident_id = ? "
            "AND deleted = 0 AND end_date >= ? "
            "AND (termination_date IS NULL OR termination_date > ?) ORDER BY start_date, id",
            (resident_id, iso, iso),
        ):
            first = dt.date.fromisoformat(start)
            out.append(
                Ending(CONTRACT_FORM, cid, max(day, first), f"签约 {cid}（{start} 至 {end}）")
            )
    for key, form in forms.register_forms().items():
        for rid, registered in conn.execute(
            f"SELECT h.id, h.service_date FROM service_records h JOIN {form.table} d "
            "ON d.record_id = h.id WHERE h.form_id = ? AND h.resident_id = ? AND h.deleted = 0 "
            "AND (d.closed_date IS NULL OR d.closed_date > ?) ORDER BY h.service_date, h.id",
            (form.id, resident_id, iso),
        ):
            first = dt.date.fromisoformat(registered)
            text = f"{REGISTERS.get(key, key)}患者管理（{registered} 登记）"
            out.append(Ending(key, rid, max(day, first), text))
    return out


def preview(
    conn: sqlite3.Connection,
    forms: FormRegistry,
    worklist: Worklist,
    resident_id: int,
    day: dt.date,
) -> ClosePreview:
    """What closing ``resident_id``'s archive on ``day`` would end (nothing written)."""
    from .households import head_notice  # households -> entities -> residents -> here

    notice = head_notice(conn, resident_id) if "household" in forms else None
    return ClosePreview(
        day,
        endings(conn, forms, resident_id, day),
        worklist.pending(resident_id, day),
        [notice] if notice else [],
    )


def _code(form: FormDef, field_id: str, status: str) -> str:
    code = ending_code(form.field(field_id).choice_labels, status)
    if code is None:
        raise StoreError(f"{form.title}的“{form.field(field_id).label}”没有与“{status}”对应的选项")
    return code


def end_with_archive(
    conn: sqlite3.Connection,
    forms: FormRegistry,
    user: str,
    resident_id: int,
    status: str,
    day: dt.date,
) -> list[Ending]:
    """End, inside the caller's transaction, what :func:`endings` finds (each audited,
    the reason saying the archive's close); returns them."""
    found = endings(conn, forms, resident_id, day)
    note = f"档案结案：{status}"
    now = audit.now_iso()
    registers = forms.register_forms()
    for ending in found:
        if ending.kind == CONTRACT_FORM:
            form = forms[CONTRACT_FORM]
            table, key, header = form.table, "id", form.table
            new = {
                "termination_date": ending.day.isoformat(),
                "termination_reason": _code(form, "termination_reason", status),
                "termination_note": note,
            }
        else:
            form = registers[ending.kind]
            table, key, header = form.table, "record_id", "service_records"
            new = {
                "closed_date": ending.day.isoformat(),
                "close_reason": _code(form, "close_reason", status),
            }
        row = conn.execute(
            f"SELECT {', '.join(new)} FROM {table} WHERE {key} = ?", (ending.record_id,)
        ).fetchone()
        old = dict(zip(new, row, strict=True))
        conn.execute(
            f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in new)} WHERE {key} = ?",
            (*new.values(), ending.record_id),
        )
        # the record's header says when it last changed (a register's: service_records)
        conn.execute(f"UPDATE {header} SET updated_at = ? WHERE id = ?", (now, ending.record_id))
        audit.record(
            conn,
            user=user,
            table=form.table,
            record_id=ending.record_id,
            action="update",
            old=old,
            new=new,
            reason=note,
        )
    return found


def registry(forms: FormRegistry | None) -> FormRegistry:
    """``forms``, or the app's own form files when a repository was made without them."""
    if forms is not None:
        return forms
    from .workspace import load_forms  # the workspace wires the repositories: import late

    return load_forms()


def undo_with_archive(
    conn: sqlite3.Connection, forms: FormRegistry, user: str, resident_id: int, status: str
) -> int:
    """Undo, inside the caller's transaction, what closing ``resident_id``'s archive as
    ``status`` ended (a close made by mistake, reopened): the contracts and register
    entries whose latest change is that close's (their audit row's reason) get their
    termination / end cleared again, audited; returns how many."""
    note = f"档案结案：{status}"
    targets: list[tuple[FormDef, str, str, str, int, tuple[str, ...]]] = []
    if CONTRACT_FORM in forms:
        form = forms[CONTRACT_FORM]
        columns: tuple[str, ...] = ("termination_date", "termination_reason", "termination_note")
        for (cid,) in conn.execute(
            "SELECT id FROM e_contract WHERE resident_id = ? AND deleted = 0 "
            "AND termination_date IS NOT NULL",
            (resident_id,),
        ):
            targets.append((form, form.table, "id", form.table, cid, columns))
    for form in forms.register_forms().values():
        for (rid,) in conn.execute(
            f"SELECT h.id FROM service_records h JOIN {form.table} d ON d.record_id = h.id "
            "WHERE h.resident_id = ? AND h.form_id = ? AND h.deleted = 0 "
            "AND d.closed_date IS NOT NULL",
            (resident_id, form.id),
        ):
            targets.append(
                (
                    form,
                    form.table,
                    "record_id",
                    "service_records",
                    rid,
                    ("closed_date", "close_reason"),
                )
            )
    now = audit.now_iso()
    undone = 0
    for form, table, key, header, record_id, columns in targets:
        last = conn.execute(
            "SELECT reason FROM audit_log WHERE table_name = ? AND record_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (form.table, record_id),
        ).fetchone()
        if last is None or last[0] != note:
            continue  # ended otherwise (by hand, or changed since): left as it is
        row = conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ?", (record_id,)
        ).fetchone()
        conn.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = NULL' for c in columns)} WHERE {key} = ?",
            (record_id,),
        )
        conn.execute(f"UPDATE {header} SET updated_at = ? WHERE id = ?", (now, record_id))
        audit.record(
            conn,
            user=user,
            table=form.table,
            record_id=record_id,
            action="update",
            old=dict(zip(columns, row, strict=True)),
            new=dict.fromkeys(columns),
            reason=f"恢复在档：撤销{note}",
        )
        undone += 1
    return undone
