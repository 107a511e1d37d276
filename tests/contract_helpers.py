"""A station ready for family-doctor contracts, for the contract tests.

Two teams (the 小坝 team covers 101 and 102, the 龙泉 team 001), the example packages
of forms/service_package.toml and a few residents in key populations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ygt_desktop.storage.contracts import ContractRepo, add_example_packages, contract_repo
from ygt_desktop.storage.entities import EntityRepo

TODAY = dt.date(2026, 11, 23)


@dataclass
class Station:
    ws: object
    contracts: ContractRepo
    teams: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    packages: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)

    def sign(
        self,
        who: str,
        start: str,
        end: str | None = None,
        *,
        packages=("基础服务包",),
        team: str = "小坝",
        doctor: str = "王医生",
        sign: str | None = None,
        **extra,
    ):
        start_day = dt.date.fromisoformat(start)
        end_day = (
            dt.date.fromisoformat(end)
            if end
            else (start_day.replace(year=start_day.year + 1) - dt.timedelta(days=1))
        )
        return self.contracts.save(
            {
                "resident_id": self.people[who],
                "team_id": str(self.teams[team]),
                "doctor_id": str(self.members[doctor]),
                "package_ids": [str(self.packages[p]) for p in packages],
                "sign_date": sign or start,
                "start_date": start,
                "end_date": end_day.isoformat(),
                **extra,
            }
        ).record_id


def make_station(ws) -> Station:
    forms = ws.forms
    station = Station(ws, contract_repo(ws.store, forms, ws.services))
    teams = EntityRepo(ws.store, forms["team"])
    members = EntityRepo(ws.store, forms["team_member"])
    station.teams["小坝"] = teams.save(
        {"name": "小坝家庭医生团队", "leader": "王医生", "villages": ["101", "102"]}
    ).record_id
    station.teams["龙泉"] = teams.save(
        {"name": "龙泉路家庭医生团队", "leader": "赵医生", "villages": ["001"]}
    ).record_id
    for name, team, role in (
        ("王医生", "小坝", "1"),
        ("李护士", "小坝", "2"),
        ("赵医生", "龙泉", "4"),
    ):
        station.members[name] = members.save(
            {
                "team_id": str(station.teams[team]),
                "name": name,
                "role": role,
                "phone": "13800001111",
            }
        ).record_id
    add_example_packages(ws.store, forms)
    station.packages = {
        r["name"]: r["id"] for r in EntityRepo(ws.store, forms["service_package"]).rows()
    }
    for name, id_number, village, extra in (
        ("张老汉", "530102195001011233", "101", {}),  # 65+ from 2015 on
        ("李小妹", "530102202203010020", "101", {}),  # 0–6 until 2029-02-28
        ("王大姐", "530102198005050022", "102", {"flag_dibao": True}),
        ("赵青年", "530102199509090014", "001", {}),  # in no key population
    ):
        station.people[name] = ws.residents.save(
            {
                "name": name,
                "id_number": id_number,
                "village_code": village,
                "archive_date": "2020-01-01",
                **extra,
            }
        ).record_id
    return station
