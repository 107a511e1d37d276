"""Showing what is masked: a resident's full ID number on screen, and full ID and phone
numbers in an exported file. Each needs its right (``ids.unmask``: 站长;
``phones.view``: 医生, 站长, 管理员) and is written to the audit log — a refusal too
(:meth:`~ygt_desktop.ops.base.Run.require` audits it). Used by the window's
显示完整身份证号, and by every export that lists residents (花名册, 待办随访, 签约名单,
record prints, the 签约服务协议书)."""

from __future__ import annotations

from pathlib import Path

from ..core.masking import MASKED, Shown
from ..storage.db import StoreError
from .base import Actor, OpError, Run, note


def unmask_id(run: Run, resident_id: int) -> str:
    """The resident's full ID number, for a user with ``ids.unmask``; the look is
    audited (action ``unmask``, table ``residents``, the resident's id). A resident
    without an ID number gives ``""`` (still audited: the user asked)."""
    run.require("ids.unmask")
    row = run.ws.store.conn.execute(
        "SELECT id_number FROM residents WHERE id = ?", (resident_id,)
    ).fetchone()
    if row is None:
        raise OpError(f"居民档案 {resident_id} 不存在。")
    note(
        run.ws,
        run.actor,
        table="residents",
        record_id=resident_id,
        action="unmask",
        new={"shown": "身份证号"},
        reason="查看完整身份证号",
    )
    return str(row[0] or "")


def shows_phones(actor: Actor) -> bool:
    """Whether screens show ``actor`` phone numbers in full (``phones.view``); nothing
    is audited: phoning residents is these roles' daily work."""
    return actor.may("phones.view")


def unmasking(run: Run, *, full_id: bool = False, full_phone: bool = False) -> Shown:
    """What an export may show in full: asking for full ID numbers needs ``ids.unmask``,
    for full phone numbers ``phones.view`` (a refusal is raised, and audited, before
    anything is read or written). Nothing asked: everything masked."""
    if full_id:
        run.require("ids.unmask")
    if full_phone:
        run.require("phones.view")
    return Shown(ids=full_id, phones=full_phone) if (full_id or full_phone) else MASKED


def audit_export(run: Run, shown: Shown, out: Path, what: str) -> None:
    """Write the audit row of an export that shows ``shown`` in full (action
    ``export``: the file, what it is, what was unmasked); nothing for a masked one.
    Called before the file is written: a full export that cannot be audited (a file
    opened read-only) is refused."""
    words = shown.words()
    if not words:
        return
    try:
        note(
            run.ws,
            run.actor,
            table="exports",
            action="export",
            new={"file": str(out), "what": what, "unmasked": words},
            reason=f"导出含完整{'和'.join(words)}的{what}",
        )
    except StoreError as exc:
        raise OpError(f"无法记入审计日志，未导出完整{'和'.join(words)}：{exc}") from exc
