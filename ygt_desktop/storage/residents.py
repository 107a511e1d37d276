"""The resident register (居民健康档案): add, edit, close, soft-delete, find.

Every mutation is one ``BEGIN IMMEDIATE`` transaction that writes the row, its search
keys and an audit entry, and returns a :class:`Change` saying what changed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..core import search
from ..core.forms import FormDef, FormRegistry
from ..core.resident import STATUS_OPEN, archive_number, archive_prefix, check_close
from . import archive_close, audit, form_rows
from .db import Store, StoreError
from .organisation import get_organisation
from .resident_completeness import filled_sql, incomplete_sql

TABLE = "residents"
LIST_COLUMNS = (
    "id",
    "archive_no",
    "name",
    "sex",
    "birth_date",
    "id_number",
    "phone",
    "village_code",
    "status",
    "flag_disabled",
    "flag_poverty",
    "flag_dibao",
    "flag_tekun",
    "flag_family_planning",
)
FILLED = "filled"  # a list row's count of 完整度 items answered (computed, not a column)


class ValidationFailed(StoreError):
    """Field errors by field id (Chinese messages); nothing was written."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Change:
    table: str
    record_id: int
    action: str  # insert / update / close / delete


class ResidentRepo:
    def __init__(self, store: Store, form: FormDef, forms: FormRegistry | None = None) -> None:
        self.store = store
        self.form = form
        self.forms = forms  # every form (what a close ends); None: the app's form files

    # ---- reads -------------------------------------------------------------------
    def get(self, resident_id: int) -> dict[str, Any] | None:
        rows = self.store.query("SELECT * FROM residents WHERE id = ?", (resident_id,))
        return rows[0] if rows else None

    def values(self, resident_id: int) -> dict[str, Any]:
        """The form values (typed: dates as dates, bools as bools) of a resident."""
        row = self.get(resident_id)
        if row is None:
            raise StoreError(f"居民档案 {resident_id} 不存在")
        values = self.form.from_sql(row)
        if self.form.row_fields:
            values.update(form_rows.of_record(self.store.conn, self.form, resident_id))
        return values

    def count(self, include_closed: bool = True) -> int:
        where = "deleted = 0" + ("" if include_closed else " AND status = '在档'")
        return int(
            self.store.conn.execute(f"SELECT count(*) FROM residents WHERE {where}").fetchone()[0]
        )

    def _list_columns(self, alias: str = "residents") -> str:
        """The list's columns and :data:`FILLED` (完整度 items answered) of ``alias``."""
        own = ", ".join(f"{alias}.{c}" for c in LIST_COLUMNS)
        return f"{own}, {filled_sql(self.form, alias)} AS {FILLED}"

    def _where(
        self,
        include_closed: bool,
        incomplete: bool,
        alias: str = "residents",
        also: Collection[int] = (),
    ) -> str:
        """Listed rows of ``alias``: not deleted, open only unless ``include_closed``,
        with ``incomplete`` an item unanswered (or the resident one of ``also``)."""
        keep = incomplete_sql(self.form, alias)
        if also:
            keep = f"({keep} OR {alias}.id IN ({', '.join(str(int(i)) for i in also)}))"
        return (
            f"{alias}.deleted = 0"
            + ("" if include_closed else f" AND {alias}.status = '在档'")
            + (f" AND {keep}" if incomplete else "")
        )

    def page(
        self, offset: int, limit: int, include_closed: bool = True, incomplete: bool = False
    ) -> list[dict[str, Any]]:
        """Rows in archive-number order (for the first page; lists use :meth:`ordered_ids`);
        ``incomplete``: only archives with a 完整度 item unanswered."""
        return self.store.query(
            f"SELECT {self._list_columns()} FROM residents "
            f"WHERE {self._where(include_closed, incomplete)} "
            "ORDER BY archive_no LIMIT ? OFFSET ?",
            (limit, offset),
        )

    def ordered_ids(self, include_closed: bool = True, incomplete: bool = False) -> list[int]:
        """Every listed resident's id in archive-number order (ids only: ~1 MB per 100,000);
        ``incomplete``: only archives with a 完整度 item unanswered."""
        where = self._where(include_closed, incomplete)
        cur = self.store.conn.execute(f"SELECT id FROM residents WHERE {where} ORDER BY archive_no")
        return [r[0] for r in cur.fetchall()]

    def incomplete_keys(self) -> list[tuple[str, int]]:
        """(archive_no, id) of every listed archive with a 完整度 item unanswered, in
        archive-number order: one pass over the whole table (0.1 s and more at 100,000),
        so the list keeps it while its filter is on (:meth:`incomplete_state` after a save)."""
        cur = self.store.conn.execute(
            f"SELECT archive_no, id FROM residents WHERE {self._where(True, True)} "
            "ORDER BY archive_no"
        )
        return [(str(r[0]), int(r[1])) for r in cur.fetchall()]

    def incomplete_state(self, resident_id: int) -> tuple[str, bool] | None:
        """(archive_no, whether a 完整度 item is unanswered) of one listed archive; None
        when it is deleted or does not exist."""
        row = self.store.conn.execute(
            f"SELECT archive_no, {incomplete_sql(self.form, 'residents')} FROM residents "
            "WHERE id = ? AND deleted = 0",
            (resident_id,),
        ).fetchone()
        return (str(row[0]), bool(row[1])) if row else None

    def rows_by_id(self, ids: list[int]) -> list[dict[str, Any]]:
        """List rows for ``ids``, in the order given (missing ids are left out), each
        with :data:`FILLED`."""
        if not ids:
            return []
        rows = self.store.query(
            f"SELECT {self._list_columns()} FROM residents "
            f"WHERE id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        by_id = {r["id"]: r for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def search(
        self,
        text: str,
        limit: int = 200,
        include_closed: bool = True,
        incomplete: bool = False,
        also: Collection[int] = (),
    ) -> list[dict[str, Any]]:
        """Residents any of whose keys starts with ``text`` (name, pinyin initials, full
        pinyin, ID number, phone, archive number), open archives first, then by name;
        ``incomplete``: only archives with a 完整度 item unanswered, and those of ``also``
        (completed since the list showed them)."""
        q = search.normalise_query(text)
        if not q:
            return self.page(0, limit, include_closed, incomplete)
        return self.store.query(
            f"SELECT {self._list_columns('r')} FROM residents r WHERE r.id IN ("
            " SELECT resident_id FROM resident_search WHERE key >= ? AND key < ? LIMIT ?)"
            f" AND {self._where(include_closed, incomplete, 'r', also)}"
            " ORDER BY r.status != '在档', length(r.name), r.name, r.archive_no LIMIT ?",
            (q, search.prefix_upper_bound(q), limit * 4, limit),
        )

    def history(self, resident_id: int) -> list[dict[str, Any]]:
        return audit.history(self.store.conn, TABLE, resident_id)

    # ---- writes ------------------------------------------------------------------
    def save(self, raw: Mapping[str, Any], resident_id: int | None = None) -> Change:
        """Validate ``raw`` (typed text or values by field id) and add or update.

        A new record takes each field's default where ``raw`` does not mention it; an
        update keeps the stored value of fields ``raw`` does not mention. Raises
        :class:`ValidationFailed` with every field error; nothing is written then.
        """
        old = None
        if resident_id is None:
            raw = self.form.with_defaults(raw)
        else:
            old = self.get(resident_id)
            if old is None or old["deleted"]:
                raise StoreError(f"居民档案 {resident_id} 不存在或已删除")
            raw = self._merged(self.values(resident_id), raw)
        result = self.form.process(raw)
        errors = dict(result.errors)
        values = result.values
        with self.store.write("resident") as conn:
            self._check_village(conn, values, errors)
            self._check_unique_id(conn, values, resident_id, errors)
            if errors:
                raise ValidationFailed(
                    {f.id: errors[f.id] for f in self.form.fields if f.id in errors}
                )
            row = self.form.to_sql(values)
            now = audit.now_iso()
            if old is None:
                row.update(
                    archive_no=self._next_archive_no(conn, values["village_code"]),
                    status=STATUS_OPEN,
                    created_at=now,
                    created_by=self.store.user,
                    updated_at=now,
                )
                cur = conn.execute(
                    f"INSERT INTO residents ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values()),
                )
                rid = int(cur.lastrowid or 0)
                action = "insert"
                form_rows.write(conn, self.form, rid, values)
                audit.record(
                    conn,
                    user=self.store.user,
                    table=TABLE,
                    record_id=rid,
                    action="insert",
                    new={**row, **form_rows.as_sql(self.form, values)},
                )
            else:
                rid = resident_id  # type: ignore[assignment]
                row["updated_at"] = now
                sets = ", ".join(f"{k} = ?" for k in row)
                conn.execute(f"UPDATE residents SET {sets} WHERE id = ?", [*row.values(), rid])
                action = "update"
                form_row = {k: row[k] for k in values if k in row}
                old_lines, new_lines = form_rows.rewrite(conn, self.form, rid, values)
                audit.record(
                    conn,
                    user=self.store.user,
                    table=TABLE,
                    record_id=rid,
                    action="update",
                    old={**{k: old[k] for k in form_row}, **old_lines},
                    new={**form_row, **new_lines},
                )
            archive_no = old["archive_no"] if old else row["archive_no"]
            self._write_keys(conn, rid, values, archive_no)
        return Change(TABLE, rid, action)

    def close(
        self, resident_id: int, status: str, date: dt.date | None, reason: str = ""
    ) -> Change:
        """Close an archive as 迁出 / 死亡 / 注销 on ``date``, ending with it (same
        transaction) its contracts in force and open register entries
        (:mod:`.archive_close`)."""
        old = self.get(resident_id)
        if old is None or old["deleted"]:
            raise StoreError(f"居民档案 {resident_id} 不存在或已删除")
        if old["status"] != STATUS_OPEN:
            raise StoreError(f"该档案已是“{old['status']}”状态，不能再次结案")
        birth = dt.date.fromisoformat(old["birth_date"]) if old["birth_date"] else None
        created = dt.date.fromisoformat(old["archive_date"]) if old["archive_date"] else None
        errors = check_close(status, date, birth, created, dt.date.today())
        if errors:
            raise ValidationFailed(errors)
        assert date is not None
        new = {"status": status, "status_date": date.isoformat(), "status_reason": reason or None}
        forms = archive_close.registry(self.forms)
        with self.store.write("resident", *archive_close.topics(forms)) as conn:
            conn.execute(
                "UPDATE residents SET status = ?, status_date = ?, status_reason = ?, "
                "updated_at = ? WHERE id = ?",
                (*new.values(), audit.now_iso(), resident_id),
            )
            audit.record(
                conn,
                user=self.store.user,
                table=TABLE,
                record_id=resident_id,
                action="update",
                old={k: old[k] for k in new},
                new=new,
                reason=f"结案：{status}",
            )
            archive_close.end_with_archive(conn, forms, self.store.user, resident_id, status, date)
        return Change(TABLE, resident_id, "close")

    def reopen(self, resident_id: int, reason: str) -> Change:
        """Undo a close made by mistake (the audit log keeps both steps), with what the
        close ended (:func:`.archive_close.undo_with_archive`)."""
        old = self.get(resident_id)
        if old is None or old["status"] == STATUS_OPEN:
            raise StoreError("该档案未结案")
        new = {"status": STATUS_OPEN, "status_date": None, "status_reason": None}
        forms = archive_close.registry(self.forms)
        with self.store.write("resident", *archive_close.topics(forms)) as conn:
            conn.execute(
                "UPDATE residents SET status = '在档', status_date = NULL, status_reason = NULL,"
                " updated_at = ? WHERE id = ?",
                (audit.now_iso(), resident_id),
            )
            audit.record(
                conn,
                user=self.store.user,
                table=TABLE,
                record_id=resident_id,
                action="update",
                old={k: old[k] for k in new},
                new=new,
                reason=f"恢复在档：{reason}",
            )
            archive_close.undo_with_archive(
                conn, forms, self.store.user, resident_id, str(old["status"])
            )
        return Change(TABLE, resident_id, "update")

    def delete(self, resident_id: int, reason: str) -> Change:
        """Soft delete (a record entered by mistake): kept, marked, with the reason."""
        if not reason.strip():
            raise ValidationFailed({"reason": "请填写删除原因"})
        old = self.get(resident_id)
        if old is None or old["deleted"]:
            raise StoreError(f"居民档案 {resident_id} 不存在或已删除")
        with self.store.write("resident") as conn:
            conn.execute("DELETE FROM resident_search WHERE resident_id = ?", (resident_id,))
            audit.soft_delete(
                conn,
                user=self.store.user,
                table=TABLE,
                record_id=resident_id,
                reason=reason.strip(),
            )
        return Change(TABLE, resident_id, "delete")

    # ---- helpers -----------------------------------------------------------------
    def _merged(self, stored: Mapping[str, Any], raw: Mapping[str, Any]) -> dict[str, Any]:
        """An edit's values: ``raw`` over the stored ones. A computed item (性别, 出生日期
        from the 身份证号) is recomputed, but where the edit leaves nothing to compute it
        from (no 身份证号) and does not give it, the stored value is kept: an edit of a
        resident without an ID number need not send them again."""
        merged = self.form.merged(stored, raw)
        for f in self.form.fields:
            if f.compute is None or f.id in raw or stored.get(f.id) is None:
                continue
            if f.compute.evaluate(merged) is None:
                merged[f.id] = stored[f.id]
        return merged

    def _check_village(
        self, conn: sqlite3.Connection, values: dict[str, Any], errors: dict[str, str]
    ) -> None:
        code = values.get("village_code")
        if code and "village_code" not in errors:
            if not conn.execute("SELECT 1 FROM villages WHERE code = ?", (code,)).fetchone():
                errors["village_code"] = f"居委/村委代码 {code} 不在本机构的辖区列表中"

    def _check_unique_id(
        self,
        conn: sqlite3.Connection,
        values: dict[str, Any],
        resident_id: int | None,
        errors: dict[str, str],
    ) -> None:
        number = values.get("id_number")
        if not number or "id_number" in errors:
            return
        row = conn.execute(
            "SELECT id, name, archive_no FROM residents WHERE id_number = ? AND deleted = 0",
            (number,),
        ).fetchone()
        if row and row[0] != resident_id:
            errors["id_number"] = f"身份证号已登记：{row[1]}（档案号 {row[2]}）"

    def _next_archive_no(self, conn: sqlite3.Connection, village_code: str) -> str:
        org = get_organisation(self.store)
        if org is None:
            raise StoreError("尚未设置本机构信息，不能建档")
        prefix = archive_prefix(org.code, village_code)
        row = conn.execute(
            "SELECT archive_no FROM residents WHERE archive_no >= ? AND archive_no < ? "
            "ORDER BY archive_no DESC LIMIT 1",
            (prefix, prefix + "~"),
        ).fetchone()
        serial = int(row[0][-5:]) + 1 if row else 1
        try:
            return archive_number(org.code, village_code, serial)
        except ValueError as exc:
            raise StoreError(str(exc)) from None

    def _write_keys(
        self, conn: sqlite3.Connection, rid: int, values: dict[str, Any], archive_no: str
    ) -> None:
        conn.execute("DELETE FROM resident_search WHERE resident_id = ?", (rid,))
        keys = search.resident_keys(
            values["name"], values.get("id_number"), values.get("phone"), archive_no
        )
        conn.executemany(
            "INSERT INTO resident_search (key, resident_id) VALUES (?, ?)",
            [(k, rid) for k in keys],
        )
