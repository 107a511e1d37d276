"""One stored service record: print it to PDF, and correct it after its quarter was
submitted (a 站长, giving the password again).

Used by ``ygt print``, the record editors' 打印 and their save of a locked record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..reports import print_record
from ..storage import locking, users
from . import privacy
from .base import OpError, Run

T = TypeVar("T")


@dataclass
class Printed:
    record_id: int
    label: str  # the form's short name, e.g. 高血压随访
    out: Path
    warnings: list[str] = field(default_factory=list)


def print_pdf(
    run: Run,
    out: Path,
    *,
    record_id: int | None = None,
    resident_id: int | None = None,
    form_id: str | None = None,
    on: dt.date | None = None,
    full_id: bool = False,
    full_phone: bool = False,
) -> Printed:
    """Print the stored record ``record_id`` — or the resident's newest record of
    ``form_id`` (on ``on`` if given) — in the layout of its paper form to ``out``,
    whole or not at all. ID numbers are masked unless ``full_id`` (``ids.unmask``),
    phone numbers unless ``full_phone`` (``phones.view``); such a print is audited.
    Raises StoreError (Chinese) when there is no such record or ``out`` cannot be
    written; nothing is written then."""
    run.require("record.print")
    shown = privacy.unmasking(run, full_id=full_id, full_phone=full_phone)
    if record_id is None and (resident_id is None or form_id is None):
        raise OpError("请指定服务记录，或指定居民和表单。")
    run.step(0, 2, "正在读取服务记录…")
    ws = run.ws
    if record_id is None:
        assert resident_id is not None and form_id is not None
        record_id = print_record.find_record(ws, resident_id, form_id, on)
    record = print_record.load(ws, record_id)
    run.step(1, 2, "正在生成打印文件…")
    privacy.audit_export(run, shown, Path(out), f"服务记录 {record_id} 的打印文件")
    warnings = print_record.render(
        record, Path(out), id_masked=not shown.ids, phones_masked=not shown.phones
    )
    run.progress(2, 2, "完成")
    return Printed(record_id, record.form.label, Path(out), warnings)


def correct(run: Run, password: str, save: Callable[[], T]) -> T:
    """Run ``save`` — a save of records dated in a submitted quarter — as the station
    head: the actor must be a 站长 (``report.correct``) and give their password again;
    the lock opens for this call only, and each change is audited as a correction (the
    next export of that quarter carries the next revision). A wrong password raises
    :class:`~ygt_desktop.storage.locking.LockedError` and nothing is saved.

    ``save`` must write through ``run.ws`` (the unlock belongs to its store)."""
    run.require("report.correct")
    run.check()
    if not users.check_password_of(run.ws.store, run.actor.name, password):
        raise locking.LockedError("密码不正确，记录未更正。")
    with locking.as_head(run.ws.store):
        return save()


def delete(run: Run, remove: Callable[[], T]) -> T:
    """Run ``remove`` — a repository's ``delete(id, reason)`` through ``run.ws`` — for a
    user who may delete records (``record.delete``: 医生, 站长, 管理员; a 录入员 is
    refused in Chinese and the attempt audited). The delete itself is audited with its
    reason by the repository, in its own transaction."""
    run.require("record.delete")
    run.check()
    return remove()
