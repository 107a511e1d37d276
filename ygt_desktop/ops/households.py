"""家庭档案 operations: list, show, add, edit, move a resident between households, make
a household headed by a resident, delete an empty household. The window and ``ygt household`` both call these.

Households belong to a station (a bureau's database has none: refused in Chinese). ID
numbers are shown masked, phones not at all: a household view is for finding people,
the resident's own page shows the rest by role. Every change is one transaction with
its audit rows (:mod:`ygt_desktop.storage.households`); a refusal is a
:class:`~ygt_desktop.storage.residents.ValidationFailed` naming what is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core.dates import age_years
from ..core.households import HEAD, MEMBERS
from ..core.resident import sex_label
from ..storage.households import Household, HouseholdRepo, Member, Summary
from ..storage.organisation import villages
from ..storage.residents import Change
from .base import OpError, Run

EMPTY_REASON = "空户：成员均已迁出"  # the audited reason when none is typed


def repo(run: Run) -> HouseholdRepo:
    """The household repository of the run's station (refused for a bureau)."""
    if run.ws.is_bureau:
        raise OpError("区县卫生健康局的数据库没有家庭档案：请在卫生服务站（室）的数据库中操作。")
    return HouseholdRepo(run.ws.store, run.ws.forms["household"])


@dataclass(frozen=True)
class MemberView:
    """A member as shown: relation and status in words."""

    resident_id: int
    name: str
    sex: str
    age: str
    relation: str
    archive_no: str
    status: str  # "在档", or "原成员（已死亡 2025-01-05）"
    current: bool
    is_head: bool


@dataclass(frozen=True)
class HouseholdView:
    id: int
    household_no: str
    village: str
    address: str
    structure: str
    living: str
    note: str
    size: int
    head: str
    members: tuple[MemberView, ...]


def _member_view(households: HouseholdRepo, m: Member, today: dt.date) -> MemberView:
    birth = dt.date.fromisoformat(m.birth_date) if m.birth_date else None
    status = "在档" if m.current else f"原成员（{m.person.why_former()}）"
    return MemberView(
        resident_id=m.resident_id,
        name=m.name,
        sex=sex_label(m.sex) if m.sex else "",
        age=f"{age_years(birth, today)}岁" if birth else "",
        relation=households.relation_label(m.relation),
        archive_no=m.archive_no or "",
        status=status,
        current=m.current,
        is_head=m.relation == HEAD,
    )


def view(run: Run, household_id: int, today: dt.date | None = None) -> HouseholdView:
    """One household as shown: head first, then current members, then former ones."""
    households = repo(run)
    h: Household = households.get(household_id)
    today = today or dt.date.today()
    form = households.form
    names = village_names(run)
    head = h.head

    def label(field: str, code: str | None) -> str:
        return form.field(field).choice_labels.get(code or "", "") if code else ""

    return HouseholdView(
        id=h.id,
        household_no=h.household_no,
        village=names.get(h.village_code or "", h.village_code or ""),
        address=h.address or "",
        structure=label("structure", h.structure),
        living=label("living", h.living),
        note=h.note or "",
        size=h.size,
        head=head.name if head else "（无户主）",
        members=tuple(_member_view(households, m, today) for m in h.ordered()),
    )


def of_resident(run: Run, resident_id: int) -> HouseholdView | None:
    """The household ``resident_id`` belongs to (as a current or former member)."""
    hid = repo(run).household_of(resident_id)
    return view(run, hid) if hid is not None else None


def find(run: Run, text: str = "", limit: int = 200, village: str | None = None) -> list[Summary]:
    """Households by number prefix or by a member's name, initials, ID or archive number."""
    return repo(run).find(text, limit=limit, village=village)


def village_names(run: Run) -> dict[str, str]:
    """The station's villages: code → name."""
    return {v.code: v.name for v in villages(run.ws.store)}


def by_number(run: Run, household_no: str) -> int:
    """The household numbered ``household_no``; OpError naming it when there is none."""
    hid = repo(run).by_number(household_no)
    if hid is None:
        raise OpError(f"没有户编号为“{household_no.strip()}”的家庭档案。")
    return hid


def found(
    run: Run, resident_id: int, fields: Mapping[str, Any], *, new_head: int | None = None
) -> list[Change]:
    """A new household headed by ``resident_id`` (see :meth:`HouseholdRepo.found`)."""
    return repo(run).found(resident_id, {k: v for k, v in fields.items() if k != MEMBERS},
                           new_head=new_head)  # fmt: skip


def move(
    run: Run, resident_id: int, to_household: int, relation: str, *, new_head: int | None = None
) -> list[Change]:
    """Move a resident into another household (see :meth:`HouseholdRepo.move`)."""
    return repo(run).move(resident_id, to_household, relation, new_head=new_head)


def save(run: Run, fields: Mapping[str, Any], household_id: int | None = None) -> Change:
    """Add or edit a household with its whole member list."""
    return repo(run).save(fields, household_id)


def delete(run: Run, household_id: int, reason: str = EMPTY_REASON) -> Change:
    """Delete an empty household, with a reason (needs ``record.delete``); refused in
    Chinese while it lists anyone, former members included."""
    run.require("record.delete")
    return repo(run).delete(household_id, reason)


def is_empty(run: Run, household_id: int) -> bool:
    """Whether the household lists nobody, not even a former member: what is left when
    its last member moved out, and all that may be deleted."""
    return not repo(run).get(household_id).members


def relation_choices(run: Run, *, head: bool = False) -> list[tuple[str, str]]:
    """(code, label) of 与户主关系, 户主 left out unless ``head``."""
    labels = repo(run).relations
    return [(c, label) for c, label in labels.items() if head or c != HEAD]
