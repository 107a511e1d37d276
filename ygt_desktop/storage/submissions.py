"""The workbooks a bureau accepted from its members, every import attempt, and the
revisions of the bureau's own aggregated report.

- ``bureau_submissions`` / ``bureau_rows``: one row per accepted workbook (its
  ``_meta``, file name, SHA-256, times) and its ``_data`` rows. Every accepted revision
  is kept (triggers refuse deletion); the *current* submission of a member for a period
  is its highest revision.
- ``bureau_import_log``: every file tried, with its outcome and the reason (Chinese).
- ``bureau_exports``: each distinct aggregated report written for a period gets the
  next revision number, so the city sees a correction as a higher revision.

A bureau may *withdraw* (撤销) an accepted submission with a reason (:func:`withdraw`,
migration 0053): the row stays, marked, and from then on counts as not there — for the
current version, the status, the report, the receipts and the revision checks of the
next file (which may carry the withdrawn revision's number again). The same file is
never taken back in: its SHA-256 stays on record.

Revisions only go up in small steps: a file more than :data:`MAX_REVISION_STEP` above
the last standing revision (or above it for a first file) is refused, so a forged
revision 2^63−1 cannot make every genuine file "older".

:func:`record` decides and writes in one ``BEGIN IMMEDIATE`` transaction: the file is
taken whole or not at all, and two imports cannot both take the same revision.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.aggregate import DEFAULT_DEADLINE_DAY, MemberFigures
from . import audit
from .audit import now_iso
from .db import Store, StoreError
from .organisation import get_setting, set_setting

ACCEPTED, REPLACED, DUPLICATE, REJECTED = "accepted", "replaced", "duplicate", "rejected"
OUTCOME_LABELS = {
    ACCEPTED: "已接收",
    REPLACED: "已接收（替代旧版）",
    DUPLICATE: "重复，未作更改",
    REJECTED: "拒收",
}
TOPIC = "bureau:submissions"
MAX_REVISION_STEP = 10
WITHDRAWN_LABEL = "已撤销"
DEADLINE_KEY = "bureau.deadline_day"


@dataclass(frozen=True)
class Incoming:
    """A workbook that passed the reader and the importer's checks, to be stored."""

    file_name: str
    file_path: str
    sha256: str
    file_mtime: str | None
    meta: Mapping[str, str]
    rows: Sequence[Sequence[Any]]  # the seven _data fields
    warnings: Sequence[str] = ()

    @property
    def org_code(self) -> str:
        return self.meta["org_code"]

    @property
    def period(self) -> str:
        return self.meta["period"]

    @property
    def revision(self) -> int:
        return int(self.meta["revision"])


@dataclass(frozen=True)
class Outcome:
    outcome: str  # ACCEPTED / REPLACED / DUPLICATE / REJECTED
    code: str  # short and stable: "accepted", "older_revision", "digest_mismatch" …
    reason: str  # Chinese
    submission_id: int | None = None
    replaced_revision: int | None = None

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class Submission:
    id: int
    org_code: str
    org_name: str
    period: str
    revision: int
    sha256: str
    digest: str
    file_name: str
    file_path: str
    file_mtime: str | None
    generated_at: str | None
    imported_at: str
    imported_by: str
    meta: dict[str, str] = field(compare=False)
    warnings: tuple[str, ...] = ()
    withdrawn_at: str | None = None
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


@dataclass(frozen=True)
class LogEntry:
    id: int
    at: str
    user: str
    file_name: str
    file_path: str
    sha256: str | None
    outcome: str
    code: str
    reason: str
    org_code: str | None
    period: str | None
    revision: int | None
    submission_id: int | None
    warnings: tuple[str, ...]

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


# ---- writing ------------------------------------------------------------------------


def record(store: Store, incoming: Incoming) -> Outcome:
    """Accept ``incoming`` unless it is already here or conflicts with what is; log the
    attempt either way. One transaction: the submission, its rows and the log entry."""
    with store.write(TOPIC) as conn:
        outcome = _decide(conn, incoming)
        if outcome.outcome in (ACCEPTED, REPLACED):
            sub_id = _insert(conn, store.user, incoming)
            outcome = Outcome(
                outcome.outcome, outcome.code, outcome.reason, sub_id, outcome.replaced_revision
            )
        _log(
            conn,
            store.user,
            incoming.file_name,
            incoming.file_path,
            incoming.sha256,
            outcome,
            incoming.org_code,
            incoming.period,
            incoming.revision,
            incoming.warnings,
        )
    return outcome


def log_rejected(
    store: Store,
    *,
    file_name: str,
    file_path: str,
    sha256: str | None,
    code: str,
    reason: str,
    org_code: str | None = None,
    period: str | None = None,
    revision: int | None = None,
) -> Outcome:
    """Note a file refused before it could be stored (unreadable, wrong period …)."""
    outcome = Outcome(REJECTED, code, reason)
    with store.write(TOPIC) as conn:
        _log(
            conn, store.user, file_name, file_path, sha256, outcome, org_code, period, revision, ()
        )
    return outcome


_STANDING = "withdrawn_at IS NULL"


class WithdrawRefused(StoreError):
    """The submission cannot be withdrawn (none such, already withdrawn, no reason);
    ``str(exc)`` says why in Chinese. Nothing changed."""


MAX_REASON = 500


def withdraw(store: Store, org_code: str, period: str, revision: int, reason: str) -> Submission:
    """Withdraw (撤销) the standing submission ``revision`` of ``org_code`` for
    ``period``: marked with the time, the user and ``reason``, audited with the reason,
    in one transaction; returns it as it now is. Never deletes anything (the triggers of
    migration 0053 keep it so)."""
    reason = " ".join(reason.split())
    if not reason:
        raise WithdrawRefused("请填写撤销的原因（将记入审计日志并写在回执上）")
    if len(reason) > MAX_REASON:
        raise WithdrawRefused(f"撤销原因不超过 {MAX_REASON} 个字")
    with store.write(TOPIC) as conn:
        row = conn.execute(
            "SELECT id, withdrawn_at FROM bureau_submissions WHERE org_code = ? AND period = ? "
            "AND revision = ? ORDER BY withdrawn_at IS NULL DESC, id DESC LIMIT 1",
            (org_code, period, revision),
        ).fetchone()
        if row is None:
            raise WithdrawRefused(
                f"没有 {org_code} {period} 第{revision}版的已接收工作簿，无从撤销"
            )
        sub_id, done = int(row[0]), row[1]
        if done is not None:
            raise WithdrawRefused(
                f"{org_code} {period} 第{revision}版已于 {done[:16].replace('T', ' ')} 撤销过"
            )
        at = now_iso()
        conn.execute(
            "UPDATE bureau_submissions SET withdrawn_at = ?, withdrawn_by = ?, "
            "withdrawn_reason = ? WHERE id = ?",
            (at, store.user, reason, sub_id),
        )
        audit.record(
            conn,
            user=store.user,
            table="bureau_submissions",
            record_id=sub_id,
            action="update",
            old={"withdrawn_at": None, "withdrawn_reason": None},
            new={"withdrawn_at": at, "withdrawn_reason": reason},
            reason=f"撤销 {org_code} {period} 第{revision}版：{reason}",
        )
        found = conn.execute(
            f"SELECT {_COLUMNS} FROM bureau_submissions WHERE id = ?", (sub_id,)
        ).fetchone()
    return _submission(found)


def _decide(conn: sqlite3.Connection, inc: Incoming) -> Outcome:
    same_file = conn.execute(
        "SELECT org_code, period, revision, imported_at, withdrawn_at, withdrawn_reason "
        "FROM bureau_submissions WHERE sha256 = ?",
        (inc.sha256,),
    ).fetchone()
    if same_file:
        org, period, revision, at, withdrawn_at, why = same_file
        if withdrawn_at is not None:
            return Outcome(
                REJECTED,
                "withdrawn_file",
                f"此文件（{org} {period} 第{revision}版）已于 "
                f"{withdrawn_at[:16].replace('T', ' ')} 被撤销（{why}），不再接收。"
                "请让报送单位重新导出。",
            )
        return Outcome(
            DUPLICATE,
            "duplicate_file",
            f"已导入过，未作更改（{org} {period} 第{revision}版，{at[:16].replace('T', ' ')}"
            " 导入）",
        )
    row = conn.execute(
        "SELECT name, active FROM bureau_members WHERE code = ?", (inc.org_code,)
    ).fetchone()
    if row is None:
        return Outcome(
            REJECTED,
            "unknown_org",
            f"机构代码 {inc.org_code}（{inc.meta.get('org_name', '')}）不在本机构的"
            "成员名册中，未导入。如确属本辖区，请先在“成员机构”中添加。",
        )
    if not row[1]:
        return Outcome(
            REJECTED, "inactive_org", f"机构 {inc.org_code}（{row[0]}）在成员名册中已停用，未导入。"
        )
    same_revision = conn.execute(
        "SELECT digest FROM bureau_submissions WHERE org_code = ? AND period = ? "
        f"AND revision = ? AND {_STANDING}",
        (inc.org_code, inc.period, inc.revision),
    ).fetchone()
    digest = inc.meta.get("digest", "")
    if same_revision is not None:
        if same_revision[0] == digest:
            return Outcome(
                DUPLICATE,
                "duplicate_content",
                f"第{inc.revision}版已导入过，数据相同（文件是重新导出的），未作更改",
            )
        return Outcome(
            REJECTED,
            "revision_conflict",
            f"第{inc.revision}版已导入过，但本文件的数据与之不同，未导入。"
            "更正后的报表应由站点重新导出为更高的版本。",
        )
    highest = conn.execute(
        "SELECT max(revision) FROM bureau_submissions WHERE org_code = ? AND period = ? "
        f"AND {_STANDING}",
        (inc.org_code, inc.period),
    ).fetchone()[0]
    if inc.revision > (highest or 0) + MAX_REVISION_STEP:
        last = f"已接收的最新版本为第{highest}版" if highest else "尚未接收过本统计期的任何版本"
        return Outcome(
            REJECTED,
            "revision_jump",
            f"版本号第{inc.revision}版不合理：{last}，新文件的版本号最多比它高 "
            f"{MAX_REVISION_STEP}（疑为伪造或误填），未导入。",
        )
    if highest is not None and inc.revision < highest:
        return Outcome(
            REJECTED,
            "older_revision",
            f"已有更新的第{highest}版，本文件是较旧的第{inc.revision}版，数据与已导入的"
            "各版都不同，未导入。",
        )
    if highest is not None:
        return Outcome(
            REPLACED, "replaced", f"替代第{highest}版（旧版保留在历史中）", None, int(highest)
        )
    return Outcome(ACCEPTED, "accepted", "")


def _insert(conn: sqlite3.Connection, user: str, inc: Incoming) -> int:
    meta = dict(inc.meta)
    cur = conn.execute(
        "INSERT INTO bureau_submissions (org_code, org_name, period, revision, sha256, digest, "
        "file_name, file_path, file_mtime, generated_at, imported_at, imported_by, meta, "
        "warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            inc.org_code,
            meta.get("org_name", ""),
            inc.period,
            inc.revision,
            inc.sha256,
            meta.get("digest", ""),
            inc.file_name,
            inc.file_path,
            inc.file_mtime,
            meta.get("generated_at") or None,
            now_iso(),
            user,
            json.dumps(meta, ensure_ascii=False),
            json.dumps(list(inc.warnings), ensure_ascii=False),
        ),
    )
    sub_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO bureau_rows (submission_id, indicator, org_name, numerator, denominator, "
        "value) VALUES (?, ?, ?, ?, ?, ?)",
        [(sub_id, r[3], r[1], r[4], r[5], r[6]) for r in inc.rows],
    )
    # The log keeps the digest of the workbook as accepted, figures included, so a
    # figure changed later with plain SQL is found by ``ygt check``.
    audit.record(
        conn,
        user=user,
        table="bureau_submissions",
        record_id=sub_id,
        action="insert",
        new={"org_code": inc.org_code, "period": inc.period, "revision": inc.revision},
        reason=inc.file_name,
    )
    return sub_id


def _log(
    conn: sqlite3.Connection,
    user: str,
    file_name: str,
    file_path: str,
    sha256: str | None,
    outcome: Outcome,
    org_code: str | None,
    period: str | None,
    revision: int | None,
    warnings: Iterable[str],
) -> None:
    conn.execute(
        "INSERT INTO bureau_import_log (at, user, file_name, file_path, sha256, outcome, code, "
        "reason, org_code, period, revision, submission_id, warnings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            now_iso(),
            user,
            file_name,
            file_path,
            sha256,
            outcome.outcome,
            outcome.code,
            outcome.reason,
            org_code,
            period,
            revision,
            outcome.submission_id,
            json.dumps(list(warnings), ensure_ascii=False),
        ),
    )


# ---- reading ------------------------------------------------------------------------

_COLUMNS = (
    "id, org_code, org_name, period, revision, sha256, digest, file_name, file_path, "
    "file_mtime, generated_at, imported_at, imported_by, meta, warnings, withdrawn_at, "
    "withdrawn_by, withdrawn_reason"
)


def _submission(row: Sequence[Any]) -> Submission:
    names = _COLUMNS.replace(" ", "").split(",")[:13]
    return Submission(
        **dict(zip(names, row[:13], strict=True)),
        meta=json.loads(row[13]),
        warnings=tuple(json.loads(row[14])),
        withdrawn_at=row[15],
        withdrawn_by=row[16],
        withdrawn_reason=row[17],
    )


def current(store: Store, period: str) -> list[Submission]:
    """Each member's highest standing (not withdrawn) revision for ``period``, by
    organisation code."""
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM bureau_submissions s WHERE period = ? AND {_STANDING} "
        "AND revision = (SELECT max(revision) FROM bureau_submissions t WHERE "
        f"t.org_code = s.org_code AND t.period = s.period AND t.{_STANDING}) ORDER BY org_code",
        (period,),
    )
    return [_submission(r) for r in rows]


def history(
    store: Store,
    period: str | None = None,
    org_code: str | None = None,
    *,
    withdrawn: bool = True,
) -> list[Submission]:
    """Every accepted submission (of ``period`` / ``org_code`` when given), oldest first;
    the withdrawn ones too (marked) unless ``withdrawn`` is False."""
    sql = f"SELECT {_COLUMNS} FROM bureau_submissions WHERE 1 = 1"
    if not withdrawn:
        sql += f" AND {_STANDING}"
    params: list[Any] = []
    if period is not None:
        sql += " AND period = ?"
        params.append(period)
    if org_code is not None:
        sql += " AND org_code = ?"
        params.append(org_code)
    return [_submission(r) for r in store.conn.execute(sql + " ORDER BY id", params)]


def rows_of(store: Store, submission_id: int) -> list[tuple[Any, ...]]:
    """The ``_data`` rows of a submission (seven fields), as imported."""
    sub = store.conn.execute(
        "SELECT org_code, period FROM bureau_submissions WHERE id = ?", (submission_id,)
    ).fetchone()
    rows = store.conn.execute(
        "SELECT org_name, indicator, numerator, denominator, value FROM bureau_rows "
        "WHERE submission_id = ? ORDER BY indicator",
        (submission_id,),
    )
    return [(sub[0], name, sub[1], ind, n, d, v) for name, ind, n, d, v in rows]


def figures(store: Store, subs: Sequence[Submission]) -> list[MemberFigures]:
    """The numbers of ``subs`` for aggregation and ranking (one query)."""
    if not subs:
        return []
    values: dict[int, dict[str, tuple[Any, Any, Any]]] = {s.id: {} for s in subs}
    ids = list(values)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for sub_id, ind, n, d, v in store.conn.execute(
            "SELECT submission_id, indicator, numerator, denominator, value FROM bureau_rows "
            f"WHERE submission_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            values[sub_id][ind] = (n, d, v)
    return [MemberFigures(s.org_code, s.org_name, s.revision, values[s.id]) for s in subs]


def first_accepted(store: Store, period: str) -> dict[str, str]:
    """When each member's first standing workbook for ``period`` was accepted (late or
    not depends on this one, not on later corrections; a withdrawn one does not count)."""
    return dict(
        store.conn.execute(
            "SELECT org_code, min(imported_at) FROM bureau_submissions WHERE period = ? "
            f"AND {_STANDING} GROUP BY org_code",
            (period,),
        ).fetchall()
    )


_LOG_COLUMNS = (
    "id",
    "at",
    "user",
    "file_name",
    "file_path",
    "sha256",
    "outcome",
    "code",
    "reason",
    "org_code",
    "period",
    "revision",
    "submission_id",
)


def log(
    store: Store,
    *,
    period: str | None = None,
    org_code: str | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """Import attempts, newest first."""
    sql = f"SELECT {', '.join(_LOG_COLUMNS)}, warnings FROM bureau_import_log WHERE 1 = 1"
    params: list[Any] = []
    if period is not None:
        sql += " AND period = ?"
        params.append(period)
    if org_code is not None:
        sql += " AND org_code = ?"
        params.append(org_code)
    sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return [
        LogEntry(**dict(zip(_LOG_COLUMNS, r[:13], strict=True)), warnings=tuple(json.loads(r[13])))
        for r in store.conn.execute(sql, params)
    ]


# ---- settings and the bureau's own revisions ------------------------------------------


def deadline_day(store: Store) -> int:
    """The day of the month after a quarter by which workbooks are on time."""
    text = get_setting(store, DEADLINE_KEY)
    return int(text) if text and text.isdigit() and 1 <= int(text) <= 31 else DEFAULT_DEADLINE_DAY


def set_deadline_day(store: Store, day: int) -> None:
    if not 1 <= day <= 31:
        raise ValueError(day)
    set_setting(store, DEADLINE_KEY, str(day))


def export_revision(store: Store, period: str, digest: str, children: str) -> int:
    """The revision an aggregated report with this digest and children has: the last
    one written when it is the same, else one more (a correction the city takes as a
    newer version — never an older number, even when the data went back to an earlier
    state)."""
    last = store.conn.execute(
        "SELECT revision, digest, children FROM bureau_exports WHERE period = ? "
        "ORDER BY revision DESC LIMIT 1",
        (period,),
    ).fetchone()
    if last is None:
        return 1
    return int(last[0]) if (last[1], last[2]) == (digest, children) else int(last[0]) + 1


def record_export(store: Store, period: str, digest: str, children: str) -> int:
    """Note that the aggregated report was written; its revision (see export_revision)."""
    with store.write(TOPIC) as conn:
        revision = export_revision(store, period, digest, children)
        conn.execute(
            "INSERT OR IGNORE INTO bureau_exports (period, revision, digest, children, "
            "exported_at, exported_by) VALUES (?, ?, ?, ?, ?, ?)",
            (period, revision, digest, children, now_iso(), store.user),
        )
    return revision
