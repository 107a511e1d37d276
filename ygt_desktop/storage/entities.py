"""Station-level things with their own id (kind = "entity" form files): family-doctor
teams, service packages, contracts, referrals, equipment …

The form file is the one definition of each: its table (made by
:func:`~ygt_desktop.storage.migrations.entity_table`), the editor's widgets and the
field checks. What a form cannot say (a contract may not overlap another, a status
change may not precede the purchase) is a ``check`` function given to the repository;
it runs inside the write transaction, so two saves cannot both pass it.

Every write is one ``BEGIN IMMEDIATE`` transaction with its audit entry; a rejected
save raises :class:`~ygt_desktop.storage.residents.ValidationFailed` naming each field
and writes nothing. Deletion is soft, with a reason.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.forms import Choice, FormDef
from . import audit, form_rows
from .db import Store, StoreError
from .residents import Change, ValidationFailed

# values (typed, after the form's own checks), the id being edited (None for a new
# one) and the open transaction's connection → errors by field id.
EntityCheck = Callable[[Mapping[str, Any], int | None, sqlite3.Connection], Mapping[str, str]]


class EntityRepo:
    def __init__(self, store: Store, form: FormDef, checks: Sequence[EntityCheck] = ()) -> None:
        if form.kind != "entity":
            raise ValueError(f"{form.id} is not an entity form")
        self.store = store
        self.form = form
        self.checks = tuple(checks)
        self.topic = f"entity:{form.id}"

    # ---- reads -------------------------------------------------------------------
    def get(self, entity_id: int) -> dict[str, Any] | None:
        """The stored row (SQL values, system columns included), deleted ones too."""
        rows = self.store.query(f"SELECT * FROM {self.form.table} WHERE id = ?", (entity_id,))
        return rows[0] if rows else None

    def values(self, entity_id: int) -> dict[str, Any]:
        """The form values (typed) of a record that exists and is not deleted."""
        row = self.get(entity_id)
        if row is None or row["deleted"]:
            raise StoreError(f"{self.form.title}记录 {entity_id} 不存在或已删除")
        values = self.form.from_sql(row)
        if self.form.row_fields:
            values.update(form_rows.of_record(self.store.conn, self.form, entity_id))
        return values

    def rows(
        self, where: str = "", params: Sequence[Any] = (), order: str = "id"
    ) -> list[dict[str, Any]]:
        """Rows not deleted (SQL values plus ``id``), filtered by a SQL ``where``."""
        extra = f" AND ({where})" if where else ""
        return self.store.query(
            f"SELECT * FROM {self.form.table} WHERE deleted = 0{extra} ORDER BY {order}",
            tuple(params),
        )

    def choices(self) -> list[Choice]:
        """Records as choices for another form's field (``choices_from = "entity:<id>"``):
        the code is the id, the label the field named by ``[entity] label`` in the form
        file (default: the first field)."""
        label = str(self.form.settings.get("entity", {}).get("label", self.form.fields[0].id))
        return [Choice(str(r["id"]), str(r[label] or r["id"])) for r in self.rows(order=label)]

    def history(self, entity_id: int) -> list[dict[str, Any]]:
        return audit.history(self.store.conn, self.form.table, entity_id)

    # ---- writes ------------------------------------------------------------------
    def save(
        self, raw: Mapping[str, Any], entity_id: int | None = None, *, reason: str | None = None
    ) -> Change:
        """Validate ``raw`` (typed text or values by field id) and add or update.

        A new record takes the defaults of the fields ``raw`` leaves out; an update keeps
        the stored values of those fields. Raises :class:`ValidationFailed` with every
        field error; nothing is written then.
        """
        old = None
        if entity_id is None:
            raw = self.form.with_defaults(raw)
        else:
            old = self.get(entity_id)
            if old is None or old["deleted"]:
                raise StoreError(f"{self.form.title}记录 {entity_id} 不存在或已删除")
            raw = self.form.merged(self.values(entity_id), raw)
        result = self.form.process(raw)
        errors = dict(result.errors)
        row = self.form.to_sql(result.values)
        with self.store.write(self.topic) as conn:
            if not errors:
                errors.update(self._unique_errors(conn, row, entity_id))
            if not errors:
                for check in self.checks:
                    for key, message in check(result.values, entity_id, conn).items():
                        errors.setdefault(key, message)
            if errors:
                raise ValidationFailed(errors)
            now = audit.now_iso()
            if old is None:
                row.update(created_at=now, created_by=self.store.user, updated_at=now)
                cur = conn.execute(
                    f"INSERT INTO {self.form.table} ({', '.join(row)}) "
                    f"VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()),
                )
                new_id = int(cur.lastrowid or 0)
                form_rows.write(conn, self.form, new_id, result.values)
                audit.record(
                    conn,
                    user=self.store.user,
                    table=self.form.table,
                    record_id=new_id,
                    action="insert",
                    new={**row, **form_rows.as_sql(self.form, result.values)},
                    reason=reason,
                )
                return Change(self.form.table, new_id, "insert")
            assert entity_id is not None
            row["updated_at"] = now
            conn.execute(
                f"UPDATE {self.form.table} SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
                (*row.values(), entity_id),
            )
            old_lines, new_lines = form_rows.rewrite(conn, self.form, entity_id, result.values)
            audit.record(
                conn,
                user=self.store.user,
                table=self.form.table,
                record_id=entity_id,
                action="update",
                old={**{k: old.get(k) for k in row}, **old_lines},
                new={**row, **new_lines},
                reason=reason,
            )
            return Change(self.form.table, entity_id, "update")

    def delete(self, entity_id: int, reason: str) -> Change:
        """Soft delete with a reason; the row is kept, marked, and left out of lists."""
        if not reason.strip():
            raise ValidationFailed({"reason": "请填写删除原因"})
        old = self.get(entity_id)
        if old is None or old["deleted"]:
            raise StoreError(f"{self.form.title}记录 {entity_id} 不存在或已删除")
        with self.store.write(self.topic) as conn:
            audit.soft_delete(
                conn,
                user=self.store.user,
                table=self.form.table,
                record_id=entity_id,
                reason=reason.strip(),
            )
        return Change(self.form.table, entity_id, "delete")

    def _unique_errors(
        self, conn: sqlite3.Connection, row: Mapping[str, Any], entity_id: int | None
    ) -> dict[str, str]:
        errors = {}
        for f in self.form.fields:
            value = row.get(f.id)
            if not f.unique or value in (None, ""):
                continue
            other = conn.execute(
                f"SELECT id FROM {self.form.table} WHERE deleted = 0 AND {f.id} = ? "
                "AND id IS NOT ?",
                (value, entity_id),
            ).fetchone()
            if other is not None:
                errors[f.id] = f"{f.label}“{value}”已被另一条记录使用"
        return errors
