"""The resident register through the repository (issue 2: add, edit, close, find, audit)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from tests.conftest import TEST_USER
from ygt_desktop.storage.residents import ValidationFailed

ZHANG = {
    "name": "张三",
    "id_number": "11010519491231002X",
    "village_code": "101",
    "ethnicity": "01",
    "phone": "13812345678",
    "archive_date": "2020-03-01",
}


def no_id(name: str, **extra):
    return {
        "name": name,
        "no_id_reason": "1",
        "sex": "1",
        "birth_date": "2025-06-01",
        "village_code": "101",
        "ethnicity": "01",
        "archive_date": "2025-07-01",
        **extra,
    }


def test_archive_numbers_are_17_digits_and_count_up_per_village(ws):
    a = ws.residents.save(ZHANG)
    b = ws.residents.save(no_id("李小宝"))
    c = ws.residents.save(no_id("王小宝", village_code="001"))
    numbers = [ws.residents.get(x.record_id)["archive_no"] for x in (a, b, c)]
    assert numbers == ["53010200110100001", "53010200110100002", "53010200100100001"]


@pytest.mark.parametrize(
    "query",
    [
        "zs",
        "ZS",
        "张",
        "张三",
        "zhang",
        "zhangsan",
        "110105",
        "11010519491231002x",
        "138123",
        "53010200110100001",
    ],
)
def test_found_by_name_pinyin_id_phone_and_archive_number(ws, query):
    change = ws.residents.save(ZHANG)
    ws.residents.save(no_id("李四"))
    found = [r["id"] for r in ws.residents.search(query)]
    assert found == [change.record_id]


def test_heteronym_surnames_are_found_by_either_reading(ws):
    change = ws.residents.save(no_id("单田芳"))
    for q in ("dtf", "stf", "shantianfang"):
        assert [r["id"] for r in ws.residents.search(q)] == [change.record_id]


def test_duplicate_id_number_is_refused_naming_the_existing_resident(ws):
    ws.residents.save(ZHANG)
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save({**ZHANG, "name": "张叁"})
    assert err.value.errors["id_number"] == "身份证号已登记：张三（档案号 53010200110100001）"
    assert ws.residents.count() == 1


def test_edit_updates_the_row_the_search_keys_and_the_audit_log(ws):
    rid = ws.residents.save(ZHANG).record_id
    ws.residents.save({**ZHANG, "name": "张山", "phone": "13900001111"}, rid)
    assert ws.residents.get(rid)["name"] == "张山"
    assert ws.residents.search("13812") == []
    assert [r["id"] for r in ws.residents.search("13900")] == [rid]
    history = ws.residents.history(rid)
    assert [h["action"] for h in history] == ["insert", "update"]
    assert history[1]["old"] == {"name": "张三", "phone": "13812345678"}
    assert history[1]["new"]["name"] == "张山"
    assert history[1]["user"] == TEST_USER


def test_close_with_date_keeps_the_record_and_logs_it(ws):
    rid = ws.residents.save(ZHANG).record_id
    ws.residents.close(rid, "迁出", dt.date(2026, 5, 1), "搬到昆明市区")
    row = ws.residents.get(rid)
    assert (row["status"], row["status_date"]) == ("迁出", "2026-05-01")
    assert ws.residents.search("zs")[0]["status"] == "迁出"
    assert ws.residents.history(rid)[-1]["reason"] == "结案：迁出"


@pytest.mark.parametrize(
    ("status", "date", "words"),
    [
        ("死亡", dt.date(2099, 1, 1), "不能晚于今天"),
        ("死亡", dt.date(1949, 1, 1), "不能早于出生日期"),
        ("死亡", dt.date(2019, 1, 1), "不能早于建档日期"),
        ("出国", dt.date(2026, 1, 1), "结案类型"),
    ],
)
def test_impossible_close_is_refused(ws, status, date, words):
    rid = ws.residents.save(ZHANG).record_id
    with pytest.raises(ValidationFailed, match=words):
        ws.residents.close(rid, status, date)
    assert ws.residents.get(rid)["status"] == "在档"


def test_soft_delete_keeps_the_row_with_its_reason(ws):
    rid = ws.residents.save(ZHANG).record_id
    ws.residents.delete(rid, "重复建档")
    row = ws.residents.get(rid)
    assert (row["deleted"], row["deleted_reason"]) == (1, "重复建档")
    assert ws.residents.search("zs") == []
    # the ID number is free again for the correct record
    ws.residents.save({**ZHANG, "name": "张三"})


def test_audit_log_cannot_be_edited_or_deleted(ws):
    ws.residents.save(ZHANG)
    with pytest.raises(sqlite3.IntegrityError, match="审计日志不可修改"):
        ws.store.conn.execute("UPDATE audit_log SET user = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="审计日志不可删除"):
        ws.store.conn.execute("DELETE FROM audit_log")


def test_unknown_village_is_refused(ws):
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save({**ZHANG, "village_code": "199"})
    assert "不在本机构的辖区列表中" in err.value.errors["village_code"]


def test_every_error_is_reported_at_once_and_nothing_is_written(ws):
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save({"name": "", "id_number": "110105194912310021", "phone": "123"})
    assert set(err.value.errors) == {
        "name",
        "id_number",
        "sex",
        "birth_date",
        "phone",
        "village_code",
    }
    assert ws.residents.count() == 0
    assert (
        ws.store.conn.execute(
            "SELECT count(*) FROM audit_log WHERE table_name = 'residents'"
        ).fetchone()[0]
        == 0
    )


def test_correcting_the_id_number_recomputes_sex_and_birth(ws):
    rid = ws.residents.save(ZHANG).record_id
    ws.residents.save({"id_number": "530102198001010015"}, rid)
    row = ws.residents.get(rid)
    assert (row["sex"], row["birth_date"]) == ("1", "1980-01-01")
