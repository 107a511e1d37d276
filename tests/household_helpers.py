"""Residents and households for the household tests (storage, ops, CLI, UI)."""

from __future__ import annotations

from ygt_desktop.storage.households import HouseholdRepo
from ygt_desktop.storage.workspace import Workspace


def person(ws: Workspace, name: str, birth: str, sex: str = "1", village: str = "101") -> int:
    """A resident without an ID number (reason 9), living at 小坝村1号."""
    change = ws.residents.save(
        {
            "name": name,
            "no_id_reason": "9",
            "sex": sex,
            "birth_date": birth,
            "ethnicity": "01",
            "village_code": village,
            "address": f"小坝村{name}家",
        }
    )
    return change.record_id


def repo(ws: Workspace) -> HouseholdRepo:
    return HouseholdRepo(ws.store, ws.forms["household"])


def family(ws: Workspace) -> tuple[HouseholdRepo, int, dict[str, int]]:
    """One household: 王建国 (户主, 1960), 李秀英 (妻, 1962), 王海 (子, 1988)."""
    ids = {
        "王建国": person(ws, "王建国", "1960-03-01"),
        "李秀英": person(ws, "李秀英", "1962-05-02", sex="2"),
        "王海": person(ws, "王海", "1988-07-03"),
    }
    households = repo(ws)
    change = households.save(
        {
            "village_code": "101",
            "members": [
                {"resident_id": ids["王建国"], "relation": "02"},
                {"resident_id": ids["李秀英"], "relation": "12"},
                {"resident_id": ids["王海"], "relation": "20"},
            ],
        }
    )
    return households, change.record_id, ids
