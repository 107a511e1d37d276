"""ops.station: set up a new database (whole or not at all) and open one for a run."""

from __future__ import annotations

import pytest

from ygt_desktop.ops import station
from ygt_desktop.ops.base import OpError
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.organisation import Organisation, villages

STATION = Organisation("530102001", "测试社区卫生服务站", "站", "530102")
BUREAU = Organisation("530102", "五华区卫生健康局", "区", None)


def test_init_a_station_with_its_villages_then_open_it(tmp_path):
    db = tmp_path / "a.db"
    assert station.init(db, STATION, [("101", "小坝村委会")]) == STATION
    with station.opened(db, lock=False) as run:
        assert run.ws.organisation == STATION and run.actor.name == run.ws.store.user
        assert [(v.code, v.name) for v in villages(run.ws.store)] == [("101", "小坝村委会")]
    other = tmp_path / "b.db"
    station.init(other, STATION)
    with station.opened(other) as run:
        assert [v.code for v in villages(run.ws.store)] == ["001"]


def test_an_existing_file_is_left_alone(tmp_path):
    db = tmp_path / "a.db"
    station.init(db, STATION)
    before = db.read_bytes()
    with pytest.raises(OpError, match="已存在"):
        station.init(db, BUREAU)
    assert db.read_bytes() == before


def test_refused_setups_leave_no_file(tmp_path):
    db = tmp_path / "a.db"
    with pytest.raises(OpError, match="区级机构没有辖区居委/村委"):
        station.init(db, BUREAU, [("101", "小坝村委会")])
    with pytest.raises(StoreError):
        station.init(db, Organisation("12", "坏代码", "站", None))
    assert not db.exists()
    station.init(db, BUREAU)
    with station.opened(db) as run:
        assert villages(run.ws.store) == []
