"""Issue 15, opening at once: while the opening check of a large file runs in the
background, the store refuses every write — through ``Store.write`` with a Chinese
:class:`CheckPendingError`, and SQLite itself refuses a statement that would change
the file on the store's connection; once the check has passed writes are accepted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from tests.conftest import TEST_PASSWORD, TEST_USER
from tests.ops.ops_helpers import TODAY
from ygt_desktop.core.report_model import Period
from ygt_desktop.ops import demo
from ygt_desktop.ops.station import opened
from ygt_desktop.ops.users import Login
from ygt_desktop.storage import keys, locking, opening, users
from ygt_desktop.storage.db import CHECK_PENDING_MESSAGE, CheckPendingError, Store, StoreError
from ygt_desktop.storage.entities import EntityRepo
from ygt_desktop.storage.organisation import add_village, set_organisation, set_setting
from ygt_desktop.storage.workspace import Workspace

PASSWORD = "Pending-check-1"


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory):
    """A generated demo station (residents, services, contracts, referrals, equipment)."""
    path = tmp_path_factory.mktemp("pending") / "demo.db"
    with opened(path, create=True) as plain:
        run = demo.as_demo_user(plain.ws, lambda: Login(TEST_USER, TEST_PASSWORD))
        demo.generate(run, residents=120, seed=5, year=2026, today=TODAY)
    return path


def _state(store: Store) -> tuple[int, ...]:
    tables = [
        r[0]
        for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts = [store.conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables]
    return (*counts, store.conn.total_changes)


def _one(store: Store, sql: str) -> int:
    return int(store.conn.execute(sql).fetchone()[0])


def _entity_forms(ws: Workspace) -> list[str]:
    return sorted(f.id for f in ws.forms if f.kind == "entity")


def write_entry_points(ws: Workspace) -> dict[str, Callable[[], object]]:
    """Every way the repositories change a station's file, each on a real record."""
    store = ws.store
    rid = _one(store, "SELECT min(id) FROM residents WHERE status = '在档' AND deleted = 0")
    closed = _one(store, "SELECT min(id) FROM residents WHERE status != '在档' AND deleted = 0")
    rec, form_id = store.conn.execute(
        "SELECT id, form_id FROM service_records WHERE deleted = 0 ORDER BY id LIMIT 1"
    ).fetchone()
    values, _header = ws.services.get(rec)
    org = ws.organisation
    assert org is not None
    points: dict[str, Callable[[], object]] = {
        "居民 新建": lambda: ws.residents.save(
            {**ws.residents.values(rid), "id_number": "", "name": "新居民"}
        ),
        "居民 修改": lambda: ws.residents.save(ws.residents.values(rid), rid),
        "居民 结案": lambda: ws.residents.close(rid, "迁出", TODAY, "搬家"),
        "居民 恢复": lambda: ws.residents.reopen(closed, "搬回"),
        "居民 删除": lambda: ws.residents.delete(rid, "重复建档"),
        "服务记录 修改": lambda: ws.services.save(form_id, values, record_id=rec, confirm=True),
        "服务记录 删除": lambda: ws.services.delete(rec, "录错"),
        "机构": lambda: set_organisation(store, org),
        "居委会": lambda: add_village(store, "199", "新村委会"),
        "设置": lambda: set_setting(store, "pending.test", "1"),
        "用户 新建": lambda: users.add_user(
            store, "新用户", "医生", PASSWORD, is_bureau=False, by=store.user
        ),
        "用户 密码": lambda: users.set_password(store, store.user, PASSWORD, by=store.user),
        "用户 角色": lambda: users.set_role(
            store, "演示医生", "录入员", is_bureau=False, by=store.user
        ),
        "用户 停用": lambda: users.set_active(store, "演示医生", False, by=store.user),
        "用户 解锁": lambda: users.unlock(store, store.user, by=store.user),
        "用户 恢复码": lambda: users.new_recovery(store, store.user, by=store.user),
        "用户 登录": lambda: users.login(store, store.user, demo.DEMO_PASSWORD),
        "密钥": lambda: keys.create(store, org.code, owner=store.user, password=PASSWORD),
        "季度上报": lambda: locking.submit(store, Period(2026, 3), "0" * 64),
    }
    for entity in _entity_forms(ws):
        repo = EntityRepo(store, ws.forms[entity])
        row = store.conn.execute(
            f'SELECT id FROM "e_{entity}" WHERE deleted = 0 ORDER BY id LIMIT 1'
        ).fetchone()
        if row is not None:
            eid = int(row[0])
            points[f"{entity} 修改"] = lambda repo=repo, eid=eid: repo.save(repo.values(eid), eid)
            points[f"{entity} 删除"] = lambda repo=repo, eid=eid: repo.delete(eid, "录错")
    return points


@pytest.fixture
def pending(station, tmp_path, monkeypatch):
    """The demo station opened as the window opens a large file: check deferred."""
    path = tmp_path / "copy.db"
    src = sqlite3.connect(station)
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    monkeypatch.setattr(opening, "DEFER_CHECK_BYTES", 0)
    ws = Workspace.open(path, defer_check=True)
    head = users.get_user(ws.store, demo.DEMO_ACCOUNTS[0][0])
    assert head is not None
    ws.act_as(head)
    yield ws
    ws.close(backup_on_exit=False)


def test_a_deferred_open_holds_every_write_until_the_check_passes(pending):
    ws = pending
    assert ws.store.check_pending and not ws.store.readonly
    assert ws.residents.count() > 0  # reading works
    before = _state(ws.store)
    points = write_entry_points(ws)
    assert len(points) >= 20
    assert any(" 修改" in name and name.split()[0] not in ("居民", "服务记录") for name in points)
    for name, write in points.items():
        with pytest.raises(CheckPendingError) as caught:
            write()
        assert str(caught.value) == CHECK_PENDING_MESSAGE, name
        assert _state(ws.store) == before, f"{name} changed the file while pending"


def test_a_write_that_skips_store_write_is_refused_by_sqlite(pending):
    conn = pending.store.conn
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        conn.execute("UPDATE residents SET name = name WHERE id = 1")
    with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
        conn.execute("CREATE TABLE sneaky (x)")
    conn.execute("CREATE TEMP TABLE scratch (x)")  # temp tables hold no station data
    conn.execute("INSERT INTO scratch VALUES (1)")


def test_after_the_check_passes_writes_are_accepted(pending):
    ws = pending
    assert opening.opening_check(ws.store.conn) == []
    ws.store.check_passed()
    assert not ws.store.check_pending
    rid = _one(ws.store, "SELECT min(id) FROM residents WHERE deleted = 0")
    ws.residents.save({**ws.residents.values(rid), "phone": "13800000000"}, rid)
    set_setting(ws.store, "pending.test", "1")
    ws.store.conn.execute("UPDATE residents SET name = name WHERE id = ?", (rid,))


def test_a_failed_check_leaves_the_store_read_only(pending):
    ws = pending
    ws.store.refuse_writes(["页 12 损坏"])
    assert ws.store.readonly and not ws.store.check_pending
    with pytest.raises(StoreError, match="只读"):
        set_setting(ws.store, "pending.test", "1")


def test_a_small_file_and_pending_migrations_are_checked_at_once(station, tmp_path, monkeypatch):
    ws = Workspace.open(station, defer_check=True)  # under DEFER_CHECK_BYTES
    try:
        assert not ws.store.check_pending
    finally:
        ws.close(backup_on_exit=False)
    monkeypatch.setattr(opening, "DEFER_CHECK_BYTES", 0)
    checked: list[bool] = []
    real = opening.integrity_check
    monkeypatch.setattr(opening, "integrity_check", lambda conn: checked.append(True) or real(conn))
    monkeypatch.setattr(opening.migrations, "pending", lambda conn: ["0099"])
    monkeypatch.setattr(opening.migrations, "apply_pending", lambda conn: [])
    monkeypatch.setattr(opening.backup, "make_backup", lambda *a, **k: None)
    ws = Workspace.open(station, defer_check=True)
    try:
        assert checked == [True] and not ws.store.check_pending
    finally:
        ws.close(backup_on_exit=False)


def test_the_command_line_keeps_checking_at_once(station, monkeypatch):
    monkeypatch.setattr(opening, "DEFER_CHECK_BYTES", 0)
    with opened(station) as run:
        assert not run.ws.store.check_pending


def test_opening_check_reads_a_sound_file_as_sound(station):
    conn = sqlite3.connect(station)
    try:
        assert opening.opening_check(conn) == []
    finally:
        conn.close()
