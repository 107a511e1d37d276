"""Reading the audit log (站长, 管理员): the viewer's rows and ``ygt audit``'s CSV."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..reports.atomic import save_export
from ..reports.formulas import csv_bytes
from ..storage import audit, audit_digest
from ..storage.record_names import record_names
from .base import Run, note

ACTIONS = {
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "correction": "更正",
    "login": "登录",
    "login_failed": "登录失败",
    "login_locked": "账户锁定",
    "refused": "越权被拒",
    "unmask": "查看完整信息",
    "export": "导出",
    "baseline": "审计基线",
}
HEADER = ("序号", "时间", "用户", "数据表", "记录编号", "操作", "原值", "新值", "原因")


@dataclass(frozen=True)
class Filter:
    since: dt.date | None = None
    until: dt.date | None = None
    user: str | None = None
    table: str | None = None
    record_id: int | None = None


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def entries(run: Run, flt: Filter, *, limit: int | None = None) -> list[audit.Entry]:
    run.require("audit.view")
    return audit.query(
        run.ws.store.conn,
        since=flt.since,
        until=flt.until,
        user=flt.user,
        table=flt.table,
        record_id=flt.record_id,
        limit=limit,
    )


def named_entries(
    run: Run, flt: Filter, *, limit: int | None = None
) -> tuple[list[audit.Entry], dict[tuple[str, int], str]]:
    """:func:`entries` and what each row's record is called (a resident's name and
    archive number, a service record's resident, form and date …), for the viewer: it
    shows names, not ids. Records that cannot be named are left out of the mapping."""
    rows = entries(run, flt, limit=limit)
    keys = {(e.table, e.record_id) for e in rows if e.record_id is not None}
    return rows, record_names(run.ws.store.conn, run.ws.forms, keys)


# What is not a record but has audit rows of its own.
OTHER_TABLES = {"permissions": "权限", "exports": "导出", "audit_log": "审计日志"}


def table_label(table: str) -> str:
    """``residents`` → 居民档案, ``f_htn_followup`` → 服务记录（f_htn_followup）; the raw
    name when nothing better is known (the log keeps raw names: scripts filter by them)."""
    family = audit_digest.family_of(table)
    if family is not None:
        return family.label if family.label != table else table
    return OTHER_TABLES.get(table, table)


def choices(run: Run) -> tuple[list[str], list[str]]:
    """The users and the tables the log mentions (the viewer's filter lists)."""
    run.require("audit.view")
    conn = run.ws.store.conn
    return audit.users_seen(conn), audit.tables(conn)


def export_csv(run: Run, flt: Filter, out: Path) -> int:
    """Write the matching rows to ``out`` (CSV for Excel), whole or not at all; returns
    how many. The export itself is audited."""
    rows = entries(run, flt)
    data = csv_bytes(
        HEADER,
        (
            (
                str(e.id),
                e.at,
                e.user,
                e.table,
                "" if e.record_id is None else str(e.record_id),
                action_label(e.action),
                e.old,
                e.new,
                e.reason,
            )
            for e in rows
        ),
    )
    run.check()
    save_export(data, Path(out), "审计日志")
    note(
        run.ws,
        run.actor,
        table="audit_log",
        action="export",
        new={"rows": len(rows), "file": str(out)},
        reason="导出审计日志",
    )
    return len(rows)
