"""A bureau's database (issue 6): its organisation level, its roster (imported whole or
not at all, edited, deactivated, audited) and the submissions it keeps — accepted,
duplicate, replaced by a higher revision with the history kept, lower or conflicting
revisions refused with a reason, unknown and deactivated organisations refused —, each
decided and written in one transaction."""

from __future__ import annotations

import sqlite3

import pytest

from tests.bureau_helpers import BUREAU, STATIONS, bureau_workspace, incoming, station_report
from ygt_desktop.core.roster import MemberRow
from ygt_desktop.storage import audit, roster, submissions
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.organisation import (
    Organisation,
    add_village,
    check_org,
    get_organisation,
    set_organisation,
)
from ygt_desktop.storage.residents import ValidationFailed
from ygt_desktop.storage.submissions import ACCEPTED, DUPLICATE, REJECTED, REPLACED
from ygt_desktop.storage.workspace import Workspace

_bureau_ws = pytest.fixture(name="bureau_ws")(bureau_workspace)


def test_bureau_levels_and_codes(bureau_ws):
    assert get_organisation(bureau_ws.store).is_bureau
    assert check_org("530102", "五华区卫生健康局", "区", "530100") == {}
    assert check_org("530100", "昆明市卫生健康委员会", "市", None) == {}
    assert "code" in check_org("530102", "某站", "站", None)  # a station has 9 digits
    assert "level" in check_org("530102", "某局", "省", None)
    with pytest.raises(StoreError, match="区级机构没有辖区居委/村委"):
        add_village(bureau_ws.store, "001", "龙泉路社区居委会")


def test_station_database_has_no_roster(ws):
    assert not ws.organisation.is_bureau
    with pytest.raises(StoreError, match="不是区、市级机构"):
        roster.add_member(ws.store, "530102009", "某站", "站")


def test_roster_import_adds_updates_and_keeps_others(bureau_ws):
    store = bureau_ws.store
    roster.set_active(store, STATIONS[4][0], False)
    done = roster.import_roster(
        store,
        [
            MemberRow(STATIONS[0][0], "改名后的第1站", "站", "530102", 2),  # renamed
            MemberRow(STATIONS[1][0], STATIONS[1][1], "站", "530102", 3),  # as it was
            MemberRow(STATIONS[4][0], STATIONS[4][1], "站", "530102", 4),  # reactivated
            MemberRow("530102100", "龙泉卫生院", "中心", None, 5),  # new
        ],
    )
    assert (done.added, done.updated, done.unchanged) == (
        ["530102100"],
        [STATIONS[0][0], STATIONS[4][0]],
        [STATIONS[1][0]],
    )
    assert done.not_in_file == [STATIONS[2][0], STATIONS[3][0]]
    assert "名册中另有 2 个机构不在文件中（未改动）" in done.summary()
    assert roster.member(store, STATIONS[0][0]).name == "改名后的第1站"
    assert roster.member(store, STATIONS[4][0]).active
    assert len(roster.members(store)) == 6
    changes = audit.history(store.conn, "bureau_members", int(STATIONS[0][0]))
    assert changes[-1]["new"] == {"name": "改名后的第1站"} and changes[-1]["reason"] == "导入名册"


def test_roster_import_with_a_bad_row_changes_nothing(bureau_ws):
    store = bureau_ws.store
    with pytest.raises(ValidationFailed, match="第3行"):
        roster.import_roster(
            store,
            [
                MemberRow("530102100", "龙泉卫生院", "中心", None, 2),
                MemberRow(BUREAU.code, "本局", "站", None, 3),
            ],
        )
    assert roster.member(store, "530102100") is None


def test_member_editing(bureau_ws):
    store = bureau_ws.store
    roster.add_member(store, "530102100", "龙泉卫生院", "中心", "530102")
    with pytest.raises(ValidationFailed) as caught:
        roster.add_member(store, "530102100", "又一个", "站")
    assert caught.value.errors == {"code": "机构代码 530102100 已在名册中"}
    with pytest.raises(ValidationFailed) as caught:
        roster.add_member(store, "5301", "", "市")
    assert set(caught.value.errors) == {"level", "name"}
    roster.update_member(store, "530102100", "龙泉街道社区卫生服务中心", "中心", None)
    roster.set_active(store, "530102100", False)
    m = roster.member(store, "530102100")
    assert (m.name, m.parent_code, m.active, m.status) == (
        "龙泉街道社区卫生服务中心",
        None,
        False,
        "已停用",
    )
    assert [x.code for x in roster.members(store, search="龙泉")] == ["530102100"]
    assert "530102100" not in [x.code for x in roster.members(store, active_only=True)]


# ---- submissions --------------------------------------------------------------------


def test_accept_duplicate_replace_and_refuse(bureau_ws):
    store = bureau_ws.store
    first = submissions.record(store, incoming(station_report(1)))
    assert (first.outcome, first.code, first.label) == (ACCEPTED, "accepted", "已接收")

    again = submissions.record(store, incoming(station_report(1)))  # the same file
    assert (again.outcome, again.code) == (DUPLICATE, "duplicate_file")
    assert again.reason.startswith("已导入过，未作更改")

    reexported = submissions.record(store, incoming(station_report(1), salt="re-exported"))
    assert (reexported.outcome, reexported.code) == (DUPLICATE, "duplicate_content")

    conflicting = submissions.record(store, incoming(station_report(1, scale=0.5)))
    assert (conflicting.outcome, conflicting.code) == (REJECTED, "revision_conflict")
    assert "第1版已导入过，但本文件的数据与之不同" in conflicting.reason

    second = submissions.record(store, incoming(station_report(1, scale=0.9, revision=2)))
    assert (second.outcome, second.replaced_revision) == (REPLACED, 1)
    assert second.reason == "替代第1版（旧版保留在历史中）"

    older = submissions.record(
        store, incoming(station_report(1, scale=0.7, revision=1), salt="late copy")
    )
    assert (older.outcome, older.code) == (REJECTED, "revision_conflict")
    lower = submissions.record(store, incoming(station_report(1, scale=0.7, revision=1), salt="x"))
    assert lower.outcome == REJECTED

    (cur,) = submissions.current(store, "2026Q3")
    assert (cur.org_code, cur.revision) == (STATIONS[0][0], 2)
    assert [s.revision for s in submissions.history(store, "2026Q3")] == [1, 2]
    rows = submissions.rows_of(store, first.submission_id)
    assert rows == sorted(station_report(1).data_rows(), key=lambda r: r[3])
    outcomes = [e.outcome for e in submissions.log(store, period="2026Q3")]
    assert outcomes == [REJECTED, REJECTED, REPLACED, REJECTED, DUPLICATE, DUPLICATE, ACCEPTED]


def test_an_older_revision_never_imported_is_refused(bureau_ws):
    store = bureau_ws.store
    submissions.record(store, incoming(station_report(2, revision=3)))
    older = submissions.record(store, incoming(station_report(2, scale=0.5, revision=2)))
    assert (older.outcome, older.code) == (REJECTED, "older_revision")
    assert older.reason.startswith("已有更新的第3版，本文件是较旧的第2版")


def test_unknown_and_deactivated_organisations_are_refused(bureau_ws):
    store = bureau_ws.store
    stranger = station_report(1, org_code="530103001", org_name="盘龙区某站")
    out = submissions.record(store, incoming(stranger))
    assert (out.outcome, out.code) == (REJECTED, "unknown_org")
    assert "530103001（盘龙区某站）不在本机构的成员名册中" in out.reason
    roster.set_active(store, STATIONS[1][0], False)
    out = submissions.record(store, incoming(station_report(2)))
    assert (out.outcome, out.code) == (REJECTED, "inactive_org")
    assert submissions.current(store, "2026Q3") == []


def test_accepted_submissions_cannot_be_deleted_or_edited(bureau_ws):
    store = bureau_ws.store
    submissions.record(store, incoming(station_report(1)))
    for sql in (
        "DELETE FROM bureau_submissions",
        "DELETE FROM bureau_rows",
        "UPDATE bureau_rows SET numerator = 0",
    ):
        with pytest.raises(sqlite3.DatabaseError):
            store.conn.execute(sql)


def test_a_failed_write_leaves_no_part_of_the_file(bureau_ws, monkeypatch):
    store = bureau_ws.store

    def broken(*_a, **_k):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(submissions, "_log", broken)
    with pytest.raises(StoreError):
        submissions.record(store, incoming(station_report(1)))
    count = store.conn.execute("SELECT count(*) FROM bureau_rows").fetchone()[0]
    assert count == 0 and submissions.history(store) == []


def test_export_revisions_follow_the_content(bureau_ws):
    store = bureau_ws.store
    assert submissions.export_revision(store, "2026Q3", "a", "x:1") == 1
    assert submissions.record_export(store, "2026Q3", "a", "x:1") == 1
    assert submissions.record_export(store, "2026Q3", "a", "x:1") == 1
    assert submissions.record_export(store, "2026Q3", "b", "x:1,y:1") == 2
    assert submissions.export_revision(store, "2026Q3", "a", "x:1") == 3  # never back to 1
    assert submissions.export_revision(store, "2026Q2", "a", "x:1") == 1


def test_deadline_setting(bureau_ws):
    assert submissions.deadline_day(bureau_ws.store) == 10
    submissions.set_deadline_day(bureau_ws.store, 15)
    assert submissions.deadline_day(bureau_ws.store) == 15


def test_bureau_set_up_from_scratch(tmp_path, forms):
    ws = Workspace.open(tmp_path / "city.db", create=True, forms=forms)
    try:
        set_organisation(ws.store, Organisation("530100", "昆明市卫生健康委员会", "市", "530000"))
        roster.add_member(ws.store, "530102", "五华区卫生健康局", "区", "530100")
        with pytest.raises(ValidationFailed, match="市级机构的成员级别应为 区"):
            roster.add_member(ws.store, "530102001", "某站", "站")
    finally:
        ws.close(backup_on_exit=False)
