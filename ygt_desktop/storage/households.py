"""家庭档案: households (``forms/household.toml``, table ``e_household``) and their
member lines (``e_household__members``: resident, relation to the head).

A resident is a member of at most one household (a unique index by resident, migration
0072, and a check naming the other household first). Every write is one ``BEGIN
IMMEDIATE`` transaction through :meth:`Store.write` with an audit row per household it
changes (the row's digest covers the member lines, :mod:`.audit_digest`); a refused
write raises :class:`~.residents.ValidationFailed` (Chinese, by field id) and changes
nothing. A move takes the resident out of one household and into another in the same
transaction; a head who leaves a household with members left must name its new head
first (:func:`~ygt_desktop.core.households.member_problems` holds the rules).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import households as rules
from ..core.forms import FormDef
from ..core.households import HEAD, MEMBERS, Person
from ..core.resident import STATUS_OPEN
from ..core.search import normalise_query, prefix_upper_bound
from . import audit, form_rows
from .db import Store, StoreError
from .entities import EntityRepo
from .residents import Change, ValidationFailed

TABLE = "e_household"
LINES = "e_household__members"
TOPIC = "entity:household"


@dataclass(frozen=True)
class Member:
    """One member line with the resident it names."""

    line: int
    resident_id: int
    relation: str
    name: str
    sex: str | None
    birth_date: str | None
    archive_no: str | None
    status: str
    status_date: str | None
    deleted: bool

    @property
    def person(self) -> Person:
        """The resident as the household rules see them."""
        return Person(self.resident_id, self.name, self.status, self.status_date, self.deleted)

    @property
    def current(self) -> bool:
        return self.person.current

    @property
    def is_head(self) -> bool:
        return self.relation == HEAD


@dataclass(frozen=True)
class Household:
    """A household as stored: its fields (SQL values) and members in line order."""

    id: int
    household_no: str
    village_code: str | None
    address: str | None
    structure: str | None
    living: str | None
    note: str | None
    members: tuple[Member, ...]

    @property
    def head(self) -> Member | None:
        return next((m for m in self.members if m.is_head), None)

    @property
    def size(self) -> int:
        """家庭人口数: members whose archive is open."""
        return sum(m.current for m in self.members)

    def ordered(self) -> list[Member]:
        """The head first, then current members, then former ones, each in line order."""
        return sorted(self.members, key=lambda m: (not m.is_head, not m.current, m.line))


@dataclass(frozen=True)
class Summary:
    """One household of a list."""

    id: int
    household_no: str
    village_code: str | None
    address: str | None
    head_id: int | None
    head_name: str | None
    size: int


def head_notice(conn: sqlite3.Connection, resident_id: int) -> str | None:
    """What closing ``resident_id``'s archive leaves to do in the household: when they
    head one with members still on file, its new head (None otherwise)."""
    row = conn.execute(
        f"SELECT h.household_no, (SELECT count(*) FROM {LINES} o JOIN residents r "
        "ON r.id = o.resident_id WHERE o.record_id = h.id AND o.resident_id != m.resident_id "
        f"AND r.deleted = 0 AND r.status = ?) FROM {LINES} m JOIN {TABLE} h "
        "ON h.id = m.record_id WHERE m.resident_id = ? AND m.relation = ? AND h.deleted = 0",
        (STATUS_OPEN, resident_id, HEAD),
    ).fetchone()
    if row is None or not row[1]:
        return None
    return f"该居民是户编号 {row[0]} 的户主：结案后请在“编辑家庭”中指定新户主（该户还有 {row[1]} 名在档成员）"


class HouseholdRepo:
    def __init__(self, store: Store, form: FormDef) -> None:
        if form.table != TABLE:
            raise ValueError(f"{form.id} is not the household form")
        self.store = store
        self.form = form
        self.entities = EntityRepo(store, form)
        self.relations = form.field(MEMBERS).columns[1].choice_labels

    # ---- reads -------------------------------------------------------------------
    def household_of(self, resident_id: int) -> int | None:
        """The household ``resident_id`` is a member of (current or former), or None."""
        row = self.store.conn.execute(
            f"SELECT m.record_id FROM {LINES} m JOIN {TABLE} h ON h.id = m.record_id "
            "WHERE m.resident_id = ? AND h.deleted = 0",
            (resident_id,),
        ).fetchone()
        return int(row[0]) if row else None

    def by_number(self, household_no: str) -> int | None:
        row = self.store.conn.execute(
            f"SELECT id FROM {TABLE} WHERE household_no = ? AND deleted = 0",
            (household_no.strip(),),
        ).fetchone()
        return int(row[0]) if row else None

    def get(self, household_id: int) -> Household:
        """The household with its members; StoreError when it does not exist or was deleted."""
        row = self.entities.get(household_id)
        if row is None or row["deleted"]:
            raise StoreError(f"家庭档案 {household_id} 不存在或已删除")
        members = self.store.conn.execute(
            "SELECT m.line, m.resident_id, m.relation, coalesce(r.name, '（无此居民）'), r.sex, "
            "r.birth_date, r.archive_no, coalesce(r.status, '注销'), r.status_date, "
            f"coalesce(r.deleted, 1) FROM {LINES} m LEFT JOIN residents r ON r.id = m.resident_id "
            "WHERE m.record_id = ? ORDER BY m.line",
            (household_id,),
        ).fetchall()
        return Household(
            id=household_id,
            household_no=row["household_no"] or "",
            village_code=row["village_code"],
            address=row["address"],
            structure=row["structure"],
            living=row["living"],
            note=row["note"],
            members=tuple(
                Member(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], bool(m[9]))
                for m in members
            ),
        )

    def relation_label(self, code: str | None) -> str:
        return self.relations.get(code or "", code or "")

    def find(self, text: str = "", limit: int = 200, village: str | None = None) -> list[Summary]:
        """Households whose number starts with ``text`` or one of whose members (current
        or former) a resident search finds (name, pinyin initials, ID number, phone,
        archive number), in number order; all of them (up to ``limit``) for no text.

        Each way of matching reads its own index and stops early: the number prefix
        walks ``e_household_no`` in order for the first ``limit`` households (those
        after them cannot be among the first ``limit`` of the union), a member's keys
        ``resident_search_key``. Only the households kept get their head and size (one
        ``OR`` over both made SQLite size every household a short number prefix matches,
        36,000 at 100,000 residents, before sorting: 28 ms a keystroke)."""
        q = normalise_query(text)
        own = "deleted = 0" + (" AND village_code = ?" if village else "")
        own_params: list[Any] = [village] if village else []
        where = [f"h.{own}"]
        params = list(own_params)
        if q:
            number = text.strip()
            where.append(
                "h.id IN ("
                f" SELECT id FROM (SELECT id FROM {TABLE} WHERE household_no >= ?"
                f"  AND household_no < ? AND {own} ORDER BY household_no LIMIT ?)"
                f" UNION SELECT m.record_id FROM {LINES} m WHERE m.resident_id IN ("
                "  SELECT resident_id FROM resident_search WHERE key >= ? AND key < ? LIMIT ?))"
            )
            params += [number, prefix_upper_bound(number), *own_params, limit]
            params += [q, prefix_upper_bound(q), limit * 20]
        rows = self.store.conn.execute(
            "SELECT h.id, h.household_no, h.village_code, h.address, "
            f" (SELECT m.resident_id FROM {LINES} m WHERE m.record_id = h.id AND m.relation = ?),"
            f" (SELECT r.name FROM {LINES} m JOIN residents r ON r.id = m.resident_id"
            "   WHERE m.record_id = h.id AND m.relation = ?),"
            f" (SELECT count(*) FROM {LINES} m JOIN residents r ON r.id = m.resident_id"
            "   WHERE m.record_id = h.id AND r.status = ? AND r.deleted = 0) "
            f"FROM {TABLE} h WHERE h.id IN (SELECT h.id FROM {TABLE} h"
            f" WHERE {' AND '.join(where)} ORDER BY h.household_no LIMIT ?) ORDER BY h.household_no",
            (HEAD, HEAD, STATUS_OPEN, *params, limit),
        ).fetchall()
        return [Summary(*r) for r in rows]

    def history(self, household_id: int) -> list[dict[str, Any]]:
        return self.entities.history(household_id)

    # ---- writes ------------------------------------------------------------------
    def save(
        self, raw: Mapping[str, Any], household_id: int | None = None, *, reason: str | None = None
    ) -> Change:
        """Add or edit a household: its fields and its whole member list (``members``:
        lines of ``resident_id`` and ``relation``). A blank number is the village's next
        (``101-00023``), a blank address the head's 现住址. Raises ValidationFailed with
        every problem (a member in another household, no head or two, a head whose
        archive is closed while others are current …); nothing is written then."""
        if household_id is None:
            raw = self.form.with_defaults(raw)
        else:
            self.get(household_id)
            raw = self.form.merged(self.entities.values(household_id), raw)
        result = self.form.process(raw)
        errors = dict(result.errors)
        values = dict(result.values)
        with self.store.write(TOPIC) as conn:
            if MEMBERS not in errors:
                problem = self._member_problem(conn, values[MEMBERS], household_id)
                if problem:
                    errors[MEMBERS] = problem
            if not errors:
                self._fill_defaults(conn, values)
                errors.update(self._number_taken(conn, values, household_id))
            if errors:
                raise ValidationFailed(errors)
            if household_id is None:
                return self._insert(conn, values, reason)
            self._update(conn, household_id, values, reason)
            return Change(TABLE, household_id, "update")

    def move(
        self,
        resident_id: int,
        to_household: int,
        relation: str,
        *,
        new_head: int | None = None,
    ) -> list[Change]:
        """Move ``resident_id`` into ``to_household`` as ``relation`` (not 户主: a
        household has its head), out of the household they are in, in one transaction.
        When they head that household and others remain, ``new_head`` (one of them, with
        an open archive) becomes its head. Returns the households changed."""
        errors: dict[str, str] = {}
        if relation not in self.relations:
            errors["relation"] = "请选择与户主关系（GB/T 4761 家庭关系代码）"
        elif relation == HEAD:
            errors["relation"] = (
                "迁入的家庭已有户主：与户主关系不能是“户主”（要让他当户主，请以他为户主新建家庭）"
            )
        if errors:
            raise ValidationFailed(errors)
        target = self.get(to_household)
        with self.store.write(TOPIC) as conn:
            self._resident(conn, resident_id)
            if any(m.resident_id == resident_id for m in target.members):
                raise ValidationFailed(
                    {"household": f"该居民已是户编号 {target.household_no} 的成员"}
                )
            changes = self._leave(conn, resident_id, new_head)
            lines = self._lines(conn, to_household)
            lines.append({"resident_id": resident_id, "relation": relation})
            self._check_lines(conn, lines, to_household)
            self._update(conn, to_household, {MEMBERS: lines}, "迁入", fields=False)
            changes.append(Change(TABLE, to_household, "update"))
        return changes

    def found(
        self, resident_id: int, raw: Mapping[str, Any], *, new_head: int | None = None
    ) -> list[Change]:
        """A new household headed by ``resident_id`` (taken out of the household they are
        in, which gets ``new_head`` when they headed it), its other fields from ``raw``;
        village and address default to the resident's. One transaction."""
        given = {k: v for k, v in raw.items() if k != MEMBERS}
        result = self.form.process(
            self.form.with_defaults({**given, MEMBERS: [], "village_code": raw.get("village_code")
                                     or self._resident_village(resident_id)})
        )  # fmt: skip
        if result.errors:
            raise ValidationFailed(result.errors)
        values = dict(result.values)
        values[MEMBERS] = [{"resident_id": resident_id, "relation": HEAD}]
        with self.store.write(TOPIC) as conn:
            self._resident(conn, resident_id)
            changes = self._leave(conn, resident_id, new_head)
            self._fill_defaults(conn, values)
            taken = self._number_taken(conn, values, None)
            if taken:
                raise ValidationFailed(taken)
            changes.insert(0, self._insert(conn, values, "以该居民为户主新建家庭"))
        return changes

    def delete(self, household_id: int, reason: str) -> Change:
        """Soft delete an empty household with ``reason`` (audited): refused, nothing
        changed, while it lists anyone, former members included (move them out first).
        The check and the delete are one transaction: nobody joins in between."""
        if not reason.strip():
            raise ValidationFailed({"reason": "请填写删除原因"})
        with self.store.write(TOPIC) as conn:
            row = conn.execute(
                f"SELECT household_no, deleted, (SELECT count(*) FROM {LINES} "
                f"WHERE record_id = ?) FROM {TABLE} WHERE id = ?",
                (household_id, household_id),
            ).fetchone()
            if row is None or row[1]:
                raise StoreError(f"家庭档案 {household_id} 不存在或已删除")
            if row[2]:
                raise ValidationFailed(
                    {
                        "members": f"户编号 {row[0]} 还有 {row[2]} 位成员（含原成员），"
                        "请先把他们迁到其他家庭再删除"
                    }
                )
            audit.soft_delete(
                conn,
                user=self.store.user,
                table=TABLE,
                record_id=household_id,
                reason=reason.strip(),
            )
        return Change(TABLE, household_id, "delete")

    # ---- inside a write ----------------------------------------------------------
    def _resident(self, conn: sqlite3.Connection, resident_id: int) -> Person:
        """The resident who moves or heads a new household: an open archive."""
        person = _people(conn, [resident_id]).get(resident_id)
        if person is None or person.deleted:
            raise ValidationFailed({"resident": f"居民编号 {resident_id} 不存在或已删除"})
        if not person.current:
            raise ValidationFailed(
                {"resident": f"{person.name}{person.why_former()}，作为原成员留在原家庭，不能迁动"}
            )
        return person

    def _resident_village(self, resident_id: int) -> str | None:
        row = self.store.conn.execute(
            "SELECT village_code FROM residents WHERE id = ?", (resident_id,)
        ).fetchone()
        return str(row[0]) if row and row[0] else None

    def _lines(self, conn: sqlite3.Connection, household_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in form_rows.of_record(conn, self.form, household_id)[MEMBERS]]

    def _leave(
        self, conn: sqlite3.Connection, resident_id: int, new_head: int | None
    ) -> list[Change]:
        """Take ``resident_id`` out of their household, if any; a head leaving others
        behind hands over to ``new_head``."""
        row = conn.execute(
            f"SELECT record_id FROM {LINES} WHERE resident_id = ?", (resident_id,)
        ).fetchone()
        if row is None:
            return []
        old_id = int(row[0])
        lines = self._lines(conn, old_id)
        leaving = next(line for line in lines if line["resident_id"] == resident_id)
        rest = [line for line in lines if line["resident_id"] != resident_id]
        people = _people(conn, [int(line["resident_id"]) for line in rest])
        number = self._number(conn, old_id)
        candidates = [
            line
            for line in rest
            if (p := people.get(int(line["resident_id"]))) is not None and p.current
        ]
        if leaving["relation"] == HEAD and candidates:
            chosen = next((line for line in candidates if line["resident_id"] == new_head), None)
            if chosen is None:
                names = "、".join(people[int(line["resident_id"])].name for line in candidates)
                raise ValidationFailed(
                    {
                        "new_head": f"该居民是户编号 {number} 的户主：迁出前请先从该户的在档成员"
                        f"（{names}）中指定新户主"
                    }
                )
            chosen["relation"] = HEAD
        self._update(conn, old_id, {MEMBERS: rest}, "迁出", fields=False)
        return [Change(TABLE, old_id, "update")]

    def _check_lines(
        self, conn: sqlite3.Connection, lines: Sequence[Mapping[str, Any]], household_id: int
    ) -> None:
        problem = self._member_problem(conn, lines, household_id)
        if problem:
            raise ValidationFailed({MEMBERS: problem})

    def _member_problem(
        self,
        conn: sqlite3.Connection,
        lines: Sequence[Mapping[str, Any]],
        household_id: int | None,
    ) -> str | None:
        ids = [int(line["resident_id"]) for line in lines]
        others: dict[int, str] = {}
        kept: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for rid, hid, number in conn.execute(
                f"SELECT m.resident_id, m.record_id, h.household_no FROM {LINES} m "
                f"JOIN {TABLE} h ON h.id = m.record_id WHERE m.resident_id IN "
                f"({', '.join('?' * len(chunk))})",
                chunk,
            ):
                if hid == household_id:
                    kept.add(rid)
                else:
                    others[rid] = number
        return rules.member_problems(lines, _people(conn, ids), others, frozenset(kept))

    def _fill_defaults(self, conn: sqlite3.Connection, values: dict[str, Any]) -> None:
        head = next((m for m in values[MEMBERS] if m["relation"] == HEAD), None)
        if not values.get("address") and head is not None:
            row = conn.execute(
                "SELECT address FROM residents WHERE id = ?", (head["resident_id"],)
            ).fetchone()
            values["address"] = row[0] if row else None
        if not values.get("household_no"):
            village = str(values["village_code"])
            row = conn.execute(
                f"SELECT max(household_no) FROM {TABLE} WHERE household_no GLOB ?",
                (rules.number_glob(village),),
            ).fetchone()
            values["household_no"] = rules.next_number(village, row[0])

    def _number_taken(
        self, conn: sqlite3.Connection, values: Mapping[str, Any], household_id: int | None
    ) -> dict[str, str]:
        number = values.get("household_no")
        other = conn.execute(
            f"SELECT id FROM {TABLE} WHERE deleted = 0 AND household_no = ? AND id IS NOT ?",
            (number, household_id),
        ).fetchone()
        return {"household_no": f"户编号“{number}”已被另一户使用"} if other else {}

    def _number(self, conn: sqlite3.Connection, household_id: int) -> str:
        row = conn.execute(
            f"SELECT household_no FROM {TABLE} WHERE id = ?", (household_id,)
        ).fetchone()
        return str(row[0]) if row else str(household_id)

    def _insert(
        self, conn: sqlite3.Connection, values: Mapping[str, Any], reason: str | None
    ) -> Change:
        row = self.form.to_sql(values)
        now = audit.now_iso()
        row.update(created_at=now, created_by=self.store.user, updated_at=now, deleted=0)
        cur = conn.execute(
            f"INSERT INTO {TABLE} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
        new_id = int(cur.lastrowid or 0)
        form_rows.write(conn, self.form, new_id, values)
        audit.record(
            conn,
            user=self.store.user,
            table=TABLE,
            record_id=new_id,
            action="insert",
            new={**row, **form_rows.as_sql(self.form, values)},
            reason=reason,
        )
        return Change(TABLE, new_id, "insert")

    def _update(
        self,
        conn: sqlite3.Connection,
        household_id: int,
        values: Mapping[str, Any],
        reason: str | None,
        *,
        fields: bool = True,
    ) -> None:
        """Write ``values`` (all fields, or with ``fields`` False only the member lines)
        and the audit row with what changed."""
        old_row = conn.execute(f"SELECT * FROM {TABLE} WHERE id = ?", (household_id,)).fetchone()
        cols = [d[0] for d in conn.execute(f"SELECT * FROM {TABLE} LIMIT 0").description]
        old = dict(zip(cols, old_row, strict=True))
        row = self.form.to_sql(values) if fields else {}
        row["updated_at"] = audit.now_iso()
        conn.execute(
            f"UPDATE {TABLE} SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
            (*row.values(), household_id),
        )
        old_lines, new_lines = form_rows.rewrite(conn, self.form, household_id, values)
        audit.record(
            conn,
            user=self.store.user,
            table=TABLE,
            record_id=household_id,
            action="update",
            old={**{k: old.get(k) for k in row}, **old_lines},
            new={**row, **new_lines},
            reason=reason,
        )


def _people(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Person]:
    out: dict[int, Person] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for rid, name, status, status_date, deleted in conn.execute(
            "SELECT id, name, status, status_date, deleted FROM residents "
            f"WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            out[int(rid)] = Person(int(rid), name, status, status_date, bool(deleted))
    return out
