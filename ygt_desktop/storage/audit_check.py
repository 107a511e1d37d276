"""Holding the audit log and every record against each other (``ygt check``).

:func:`verify` finds, without trusting the triggers (they can be dropped with plain
sqlite3):

- the first audit row where the hash chain breaks, and what kind of break it is: an
  edited row, rows deleted (a gap in the ids, or ids moved up), a row inserted, rows
  out of order;
- newest rows cut off, or history rewritten, compared with a chain head seen elsewhere
  (:class:`Anchor`: a backup's or an upward workbook's ``_meta`` copy);
- every record of a covered table (:mod:`.audit_digest`) whose stored values are not
  what its newest audit row says (changed with plain SQL), that has no audit row at all
  (inserted with plain SQL), or that the log has but the table has not (deleted).

One pass over the log and one over each table, in key order, in batches: time is linear
in the rows and memory stays small (the biggest thing held is one bulk row's digests).
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import audit, audit_digest
from .audit_digest import GONE, Family

Checkpoint = Callable[[int, int, str], None]
"""``checkpoint(done, total, text)`` between batches (``total`` 0: unknown); may raise
to stop (``Run.step`` fits)."""

MAX_RECORD_FINDINGS = 50  # per kind of record; the rest are counted in one more line
STEP = 50_000  # rows between checkpoints
_BATCH = 5000


@dataclass(frozen=True)
class Anchor:
    """A chain head seen elsewhere: ``source`` names where (e.g. "备份 2026-11-20
    08:00"), ``row_id`` and ``hash`` are :func:`.audit.chain_head` as it was there."""

    source: str
    row_id: int
    hash: str


@dataclass(frozen=True)
class Finding:
    """One thing found wrong. ``kind``: ``edited``, ``missing``, ``inserted``,
    ``reordered``, ``truncated``, ``rewritten`` (the log); ``changed``, ``unaudited``,
    ``deleted``, ``more`` (records). ``message`` is the Chinese sentence to show."""

    kind: str
    message: str
    audit_id: int | None = None
    table: str | None = None
    record_id: int | None = None


def verify(
    conn: sqlite3.Connection,
    anchors: Sequence[Anchor] = (),
    *,
    checkpoint: Checkpoint | None = None,
) -> list[Finding]:
    """Everything found wrong with the audit log and the records (empty: all sound).
    Reads only; a file not yet migrated to the chain (before 0050) gives nothing, one
    before the digests (0051) only the chain's findings."""
    step = checkpoint or _quiet
    columns = {r[0] for r in conn.execute("SELECT name FROM pragma_table_info('audit_log')")}
    if "hash" not in columns:  # a file from before the chain (0050): nothing to hold
        return []
    findings = _chain(conn, step)
    findings += _anchors(conn, anchors)
    if audit.has_digests(conn):
        findings += _records(conn, step)
    return findings


def _quiet(_done: int, _total: int, _text: str) -> None:
    return None


# ---- the chain -------------------------------------------------------------------------

_COLUMNS = ", ".join(audit.ROW_COLUMNS)
Row = tuple[Any, ...]  # ROW_COLUMNS, digest, hash


def _ok(prev: str, row: Row, rid: int | None = None) -> bool:
    full = list(row[:9])
    if rid is not None:
        full[0] = rid
    return bool(audit.row_hash(prev, audit.chained(full, row[9])) == row[10])


def _rows(conn: sqlite3.Connection, after: int) -> Iterator[Row]:
    digest = "digest" if audit.has_digests(conn) else "NULL"
    cur = conn.execute(
        f"SELECT {_COLUMNS}, {digest}, hash FROM audit_log WHERE id > ? ORDER BY id", (after,)
    )
    while batch := cur.fetchmany(_BATCH):
        yield from batch


def _who(row: Row) -> str:
    at = str(row[1] or "")[:19].replace("T", " ")
    return f"第 {row[0]} 条（{at}，{row[2]}）"


def _chain(conn: sqlite3.Connection, step: Checkpoint) -> list[Finding]:
    total = int(conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
    prev, last_id = audit.GENESIS, 0
    for n, row in enumerate(_rows(conn, 0), start=1):
        if n % STEP == 0:
            step(n, total, "正在核对审计日志的校验链…")
        if row[0] == last_id + 1 and _ok(prev, row):
            prev, last_id = row[10], int(row[0])
            continue
        return [_classify(conn, prev, last_id, row)]
    return []


def _classify(conn: sqlite3.Connection, prev: str, last_id: int, bad: Row) -> Finding:
    """What kind of break ``bad`` (the first row that does not follow) is."""
    rid = int(bad[0])
    if rid != last_id + 1:
        gap = f"第 {last_id + 1} 条" if rid == last_id + 2 else f"第 {last_id + 1}–{rid - 1} 条"
        return Finding(
            "missing",
            f"审计日志缺少{gap}：被绕过程序删除了（下一条是{_who(bad)}）",
            last_id + 1,
        )
    after = _rows(conn, rid)
    nxt = next(after, None)
    if nxt is not None and nxt[0] == rid + 1 and _ok(bad[10], nxt):
        return Finding("edited", f"审计日志{_who(bad)}被修改过", rid)
    # A later row whose content belongs at this position: rows moved or one inserted.
    before: Row = bad  # the row just before ``other``
    for other in _rows(conn, rid):
        if _ok(prev, other, rid):
            # Where ``bad`` came from: after the row now before ``other`` (or after
            # ``other``'s own content, when the two were neighbours).
            moved_prev = other[10] if other[0] == rid + 1 else before[10]
            if _ok(moved_prev, bad, int(other[0])):
                return Finding(
                    "reordered",
                    f"审计日志{_who(bad)}与{_who(other)}的顺序被调换过",
                    rid,
                )
            if other[0] == rid + 1:
                return Finding(
                    "inserted",
                    f"审计日志{_who(bad)}是被插入的：其后各条的编号被挪动过",
                    rid,
                )
            return Finding(
                "reordered", f"审计日志{_who(bad)}起的顺序被打乱过（{_who(other)}原在此处）", rid
            )
        before = other
    if nxt is not None and _ok(bad[10], nxt, int(nxt[0]) + 1):
        return Finding(
            "missing",
            f"审计日志在{_who(bad)}之前有记录被删除了（其后各条的编号被挪动过）",
            rid,
        )
    if nxt is None:
        return Finding("edited", f"审计日志最新的{_who(bad)}校验不通过：被修改过或是伪造的", rid)
    return Finding("edited", f"审计日志{_who(bad)}被修改过", rid)


def _anchors(conn: sqlite3.Connection, anchors: Iterable[Anchor]) -> list[Finding]:
    out = []
    head = audit.chain_head(conn)
    newest = head[0] if head else 0
    for a in anchors:
        row = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (a.row_id,)).fetchone()
        if row is None and a.row_id > newest:
            out.append(
                Finding(
                    "truncated",
                    f"审计日志最新的记录被截去了：{a.source} 中记有第 {a.row_id} 条，"
                    f"而现在最新的是第 {newest} 条",
                    a.row_id,
                )
            )
        elif row is None:
            out.append(
                Finding(
                    "missing",
                    f"审计日志第 {a.row_id} 条已不存在，而 {a.source} 中记有它：被绕过程序删除了",
                    a.row_id,
                )
            )
        elif row[0] != a.hash:
            out.append(
                Finding(
                    "rewritten",
                    f"审计日志与 {a.source} 中记录的不一致：第 {a.row_id} 条及之前的记录被改写过",
                    a.row_id,
                )
            )
    return out


# ---- the records -----------------------------------------------------------------------


def _expected(conn: sqlite3.Connection, fam: Family) -> Iterator[tuple[int, int, str]]:
    """(record id, audit id, digest) from every audit row about ``fam``, in record id
    then audit id order."""
    streams: list[Iterator[tuple[int, int, str]]] = []
    for table in fam.tables:
        streams.append(_singles(conn, table))
        for audit_id, payload in conn.execute(
            "SELECT id, digest FROM audit_log WHERE table_name = ? AND record_id IS NULL "
            "AND digest IS NOT NULL ORDER BY id",
            (table,),
        ):
            streams.append(_runs(int(audit_id), payload))
    return heapq.merge(*streams)


def _runs(audit_id: int, payload: str) -> Iterator[tuple[int, int, str]]:
    """(record id, ``audit_id``, digest) of one bulk row's runs (the id bound here: a
    generator expression in the loop would read the loop's last id when merged)."""
    for key, digest in audit_digest.decode_runs(payload):
        yield key, audit_id, digest


def _singles(conn: sqlite3.Connection, table: str) -> Iterator[tuple[int, int, str]]:
    cur = conn.execute(
        "SELECT record_id, id, digest FROM audit_log WHERE table_name = ? "
        "AND record_id IS NOT NULL AND digest IS NOT NULL ORDER BY record_id, id",
        (table,),
    )
    while batch := cur.fetchmany(_BATCH):
        for k, i, d in batch:
            yield int(k), int(i), str(d)


def _newest(items: Iterator[tuple[int, int, str]]) -> Iterator[tuple[int, str]]:
    """The last (newest) digest of each record id."""
    key: int | None = None
    digest = ""
    for k, _, d in items:
        if key is not None and k != key:
            yield key, digest
        key, digest = k, d
    if key is not None:
        yield key, digest


def _records(conn: sqlite3.Connection, step: Checkpoint) -> list[Finding]:
    found: dict[str, list[Finding]] = {"changed": [], "unaudited": [], "deleted": []}
    counts = dict.fromkeys(found, 0)
    namer = _Namer(conn)
    done = 0
    for fam in audit_digest.families(conn):
        expected = _newest(_expected(conn, fam))
        actual = audit_digest.stream(conn, fam)
        for key, want, have in _join(expected, actual):
            done += 1
            if done % STEP == 0:
                step(done, 0, f"正在核对{fam.label}与审计日志…")
            if want is not None and have is not None and want == have.hex():
                continue
            if have is None:
                if want == GONE:
                    continue
                kind = "deleted"
            elif want is None or want == GONE:
                kind = "unaudited"
            elif want in audit_digest.alternatives(conn, fam, key):
                continue  # digested before a column was added to its table
            else:
                kind = "changed"
            counts[kind] += 1
            if len(found[kind]) < MAX_RECORD_FINDINGS:
                found[kind].append(namer.finding(fam, kind, key))
    out = [f for kind in found for f in found[kind]]
    extra = sum(counts.values()) - len(out)
    if extra > 0:
        out.append(Finding("more", f"另有 {extra} 条记录与审计日志不一致（未逐条列出）"))
    return out


def _join(
    expected: Iterator[tuple[int, str]], actual: Iterator[tuple[int, bytes]]
) -> Iterator[tuple[int, str | None, bytes | None]]:
    """Both streams in key order, merged: (key, expected digest, actual digest)."""
    e = next(expected, None)
    a = next(actual, None)
    while e is not None or a is not None:
        if a is None or (e is not None and e[0] < a[0]):
            assert e is not None
            yield e[0], e[1], None
            e = next(expected, None)
        elif e is None or a[0] < e[0]:
            yield a[0], None, a[1]
            a = next(actual, None)
        else:
            yield a[0], e[1], a[1]
            e, a = next(expected, None), next(actual, None)


class _Namer:
    """Chinese descriptions of records for findings (only read for what was found)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._forms: dict[str, str] | None = None

    def form_label(self, form_id: str) -> str:
        if self._forms is None:
            try:
                from .workspace import load_forms

                self._forms = {f.id: f.label for f in load_forms()}
            except Exception:  # labels are a nicety; the form id will do
                self._forms = {}
        return self._forms.get(form_id, form_id)

    def _one(self, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
        cur = self.conn.execute(sql, params)
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def current(self, fam: Family, key: int) -> dict[str, Any] | None:
        if fam.name == "service":
            head = self._one("SELECT * FROM service_records WHERE id = ?", (key,))
            if head is None:
                return None
            detail = self._table_row(f"f_{head['form_id']}", key)
            return {**(detail or {}), **head}
        return self._one(f"SELECT * FROM {fam.main} WHERE {fam.key} = ?", (key,))

    def _table_row(self, table: str, key: int) -> dict[str, Any] | None:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if not exists:
            return None
        return self._one(f"SELECT * FROM {table} WHERE record_id = ?", (key,))

    def title(self, fam: Family, key: int, row: Mapping[str, Any] | None) -> str:
        what = f"{fam.label} 第{key}号"
        if row is None:
            return what
        if fam.name == "residents":
            return f"{what}（{row.get('name')}）"
        if fam.name == "service":
            label = self.form_label(str(row.get("form_id")))
            resident = row.get("resident_id")
            if resident is not None:
                name = self.conn.execute(
                    "SELECT name FROM residents WHERE id = ?", (resident,)
                ).fetchone()
                if name:
                    return f"{what}（{label}，居民 {name[0]}）"
            return f"{what}（{label}）"
        for col in ("name", "org_name", "code"):
            if row.get(col):
                return f"{what}（{row[col]}）"
        return what

    def audited_values(self, fam: Family, key: int) -> dict[str, Any]:
        """The record's values as its audit rows give them (inserts in full, updates
        what changed), oldest to newest."""
        marks = ", ".join("?" * len(fam.tables))
        values: dict[str, Any] = {}
        for (new,) in self.conn.execute(
            f"SELECT new_values FROM audit_log WHERE table_name IN ({marks}) "
            "AND record_id = ? ORDER BY id",
            (*fam.tables, key),
        ):
            if not new:
                continue
            try:
                got = json.loads(new)
            except ValueError:
                continue
            if isinstance(got, dict):
                values.update(got)
        return values

    def finding(self, fam: Family, kind: str, key: int) -> Finding:
        row = self.current(fam, key)
        what = self.title(fam, key, row)
        table = fam.main
        if kind == "deleted":
            message = f"{what}在审计日志中有记录，但已不在数据库中：被绕过程序删除了"
        elif kind == "unaudited":
            message = f"{what}在审计日志中没有记录：是绕过程序添加的"
        else:
            cols = _differing(self.audited_values(fam, key), row or {})
            which = f"的 {'、'.join(cols)} " if cols else ""
            message = f"{what}{which}与审计日志记录的值不一致：数据被绕过程序修改过"
        return Finding(kind, message, table=table, record_id=key)


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if a is None or b is None:
        return False
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _differing(audited: Mapping[str, Any], row: Mapping[str, Any]) -> list[str]:
    return [k for k, v in audited.items() if k in row and not _same(v, row[k])]
