"""个人基本信息表 in full (issue 13, part 2): the national items are stored, refused with
the item (and line) named when wrong, survive an edit, and an old database upgrades
with its residents intact. Also: an edit of a resident without an ID number keeps the
性别 and 出生日期 it does not resend; 完整度 in SQL agrees with the form's own count;
the hint for a disease in 既往史 without its register."""

from __future__ import annotations

import sqlite3

import pytest

from tests.storage.test_migration_upgrade import make_old_database
from ygt_desktop.core.resident import completeness, completeness_items
from ygt_desktop.storage.db import connect
from ygt_desktop.storage.migrations import MIGRATIONS, apply_pending
from ygt_desktop.storage.resident_completeness import filled_sql, incomplete_sql
from ygt_desktop.storage.resident_hints import missing_registers
from ygt_desktop.storage.residents import ValidationFailed

BASE = {
    "name": "王芳",
    "id_number": "11010519491231002X",  # born 1949-12-31
    "village_code": "101",
    "ethnicity": "01",
    "archive_date": "2020-03-01",
}
FULL = {
    **BASE,
    "phone": "13812345678",
    "work_unit": "县人民医院",
    "contact_name": "王强",
    "contact_phone": "13900001111",
    "residence_type": "1",
    "blood_abo": "3",
    "blood_rh": "2",
    "education": "8",
    "occupation": "4",
    "marital": "3",
    "payment": ["3", "8"],
    "payment_other": "大病保险",
    "allergy": ["2", "5"],
    "allergy_other": "头孢类",
    "exposure": ["1"],
    "past_diseases": [
        {"disease": "2", "diagnosed": "2015.6"},
        {"disease": "6", "disease_other": "胃癌", "diagnosed": "201803"},
    ],
    "surgery": "2",
    "surgeries": [{"name": "胃大部切除术", "occurred": "2018年4月"}],
    "trauma": "1",
    "transfusion": "1",
    "family_father": ["2", "7"],
    "family_mother": ["1"],
    "family_siblings": ["1"],
    "family_children": ["12"],
    "family_children_other": "痛风",
    "hereditary": "1",
    "disability": ["1"],
    "kitchen_exhaust": "4",
    "fuel": "5",
    "drinking_water": "1",
    "toilet": "2",
    "livestock_pen": "2",
}


def test_every_item_of_the_paper_form_is_stored_and_read_back(ws):
    rid = ws.residents.save(FULL).record_id
    v = ws.residents.values(rid)
    assert v["payment"] == ["3", "8"] and v["payment_other"] == "大病保险"
    assert v["past_diseases"] == [
        {"disease": "2", "disease_other": None, "diagnosed": "2015-06"},
        {"disease": "6", "disease_other": "胃癌", "diagnosed": "2018-03"},
    ]
    assert v["surgeries"] == [{"name": "胃大部切除术", "occurred": "2018-04"}]
    assert v["traumas"] == [] and v["transfusions"] == []
    assert (v["blood_abo"], v["blood_rh"], v["livestock_pen"]) == ("3", "2", "2")
    assert completeness(ws.forms["resident"], v) == (28, 28)


def test_sections_follow_the_paper_order(forms):
    groups = []
    for f in forms["resident"].fields:
        if f.group and f.group not in groups:
            groups.append(f.group)
    assert groups[:9] == [
        "常住类型", "血型", "文化、职业与婚姻", "医疗费用支付方式", "药物过敏史与暴露史",
        "既往史", "家族史", "遗传病史", "残疾情况",
    ]  # fmt: skip
    assert groups[9:] == ["生活环境", "重点人群"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"allergy": ["1", "2"]}, "allergy", "药物过敏史选了“无”，就不能再选其他项"),
        ({"exposure": ["1", "4"]}, "exposure", "暴露史选了“无”"),
        ({"disability": ["1", "5"]}, "disability", "残疾情况选了“无残疾”"),
        ({"family_mother": ["1", "2"]}, "family_mother", "家族史·母亲选了“无”"),
        ({"payment_other": None}, "payment_other", "请填写其他支付方式"),
        ({"allergy_other": ""}, "allergy_other", "请填写其他过敏药物"),
        ({"blood_abo": "7"}, "blood_abo", "ABO血型应为以下之一"),
        ({"surgeries": []}, "surgeries", "手术选了“有”，请至少填写一行手术名称"),
        (
            {
                "past_diseases": [
                    {"disease": "2", "diagnosed": "2015-06"},
                    {"disease": "3", "diagnosed": "1949-11"},
                ]
            },
            "past_diseases",
            "既往史·疾病第2行：确诊时间不能早于出生年月",
        ),  # fmt: skip
        (
            {"past_diseases": [{"disease": "2", "diagnosed": "2099-01"}]},
            "past_diseases",
            "既往史·疾病第1行：确诊时间不能晚于本月",
        ),
        (
            {"past_diseases": [{"disease": "13"}]},
            "past_diseases",
            "既往史·疾病第1行：恶性肿瘤、职业病、其他请写明疾病名称",
        ),
        (
            {"past_diseases": [{"diagnosed": "2019-03"}]},
            "past_diseases",
            "既往史·疾病第1行：请填写疾病",
        ),
        (
            {"past_diseases": [{"disease": "2"}] * 7},
            "past_diseases",
            "既往史·疾病最多6行",
        ),
        (
            {"surgeries": [{"name": "阑尾切除术", "occurred": "1949-10"}]},
            "surgeries",
            "手术记录第1行：手术时间不能早于出生年月",
        ),
        ({"past_diseases": [{"disease": "2", "diagnosed": "2019-13"}]}, "past_diseases", "1–12"),
    ],
)
def test_bad_input_is_refused_naming_the_item_and_nothing_is_written(ws, change, field, words):
    before = ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with pytest.raises(ValidationFailed) as err:
        ws.residents.save({**FULL, **change})
    assert field in err.value.errors
    assert words in err.value.errors[field]
    assert ws.residents.count() == 0
    assert ws.store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
    assert ws.store.conn.execute("SELECT count(*) FROM residents__past_diseases").fetchone() == (0,)


def test_a_month_in_the_birth_month_is_accepted(ws):
    rid = ws.residents.save(
        {**FULL, "past_diseases": [{"disease": "11", "diagnosed": "1949-12"}]}
    ).record_id
    assert ws.residents.values(rid)["past_diseases"][0]["diagnosed"] == "1949-12"


def test_an_edit_without_an_id_number_keeps_sex_and_birth(ws):
    """The API edit of a resident without 身份证号 need not resend 性别 and 出生日期
    (computed from the number, so an edit used to drop them and was refused)."""
    rid = ws.residents.save(
        {**{k: v for k, v in BASE.items() if k != "id_number"},
         "no_id_reason": "2", "sex": "1", "birth_date": "1950-02-03"}
    ).record_id  # fmt: skip
    ws.residents.save({"phone": "13700002222", "blood_abo": "1"}, rid)
    v = ws.residents.values(rid)
    assert (v["sex"], v["birth_date"].isoformat()) == ("1", "1950-02-03")
    assert (v["phone"], v["blood_abo"]) == ("13700002222", "1")
    # giving the ID number now computes them from it again
    ws.residents.save({"id_number": BASE["id_number"], "no_id_reason": None}, rid)
    v = ws.residents.values(rid)
    assert (v["sex"], v["birth_date"].isoformat()) == ("2", "1949-12-31")


def test_lines_survive_an_edit_of_other_items_and_are_audited(ws):
    rid = ws.residents.save(FULL).record_id
    ws.residents.save({"fuel": "1"}, rid)
    v = ws.residents.values(rid)
    assert len(v["past_diseases"]) == 2 and v["fuel"] == "1"
    last = ws.residents.history(rid)[-1]
    assert "fuel" in str(last)


def test_completeness_in_sql_agrees_with_the_form_count(ws):
    form = ws.forms["resident"]
    full = ws.residents.save(FULL).record_id
    bare = ws.residents.save({**BASE, "id_number": None, "no_id_reason": "2",
                              "sex": "1", "birth_date": "1950-01-01"}).record_id  # fmt: skip
    part = ws.residents.save({**FULL, "id_number": "110105194912310011", "blood_rh": None,
                              "past_diseases": []}).record_id  # fmt: skip
    conn = ws.store.conn
    for rid in (full, bare, part):
        sql_filled = conn.execute(
            f"SELECT {filled_sql(form)} FROM residents WHERE id = ?", (rid,)
        ).fetchone()[0]
        assert sql_filled == completeness(form, ws.residents.values(rid))[0]
    incomplete = {
        r[0] for r in conn.execute(f"SELECT id FROM residents WHERE {incomplete_sql(form)}")
    }
    assert incomplete == {bare, part}
    assert ws.residents.ordered_ids(incomplete=True) == sorted(
        [bare, part], key=lambda i: ws.residents.get(i)["archive_no"]
    )
    assert [r["id"] for r in ws.residents.search("王芳", incomplete=True)] == [
        r["id"] for r in ws.residents.search("王芳") if r["id"] != full
    ]
    assert len(completeness_items(form)) == 28


def test_a_disease_without_its_register_is_hinted(ws):
    rid = ws.residents.save(
        {**FULL, "past_diseases": [{"disease": "2"}, {"disease": "9"}, {"disease": "4"}]}
    ).record_id
    assert missing_registers(ws.store, ws.forms, rid) == [
        "既往史有高血压，尚无高血压登记",
        "既往史有结核病，尚无肺结核登记",
    ]
    ws.services.save(
        "htn_register", {"register_date": "2024-01-05", "diagnosis_date": "2015-06-01"}, rid
    )
    assert missing_registers(ws.store, ws.forms, rid) == ["既往史有结核病，尚无肺结核登记"]


def test_an_old_database_upgrades_keeping_its_residents(tmp_path):
    k = next(i for i, m in enumerate(MIGRATIONS) if m.name.endswith("_resident_full_fields"))
    conn = make_old_database(tmp_path / "old.db", k)
    conn.execute("INSERT INTO villages (code, name) VALUES ('101', '小坝村委会')")
    conn.execute(
        "INSERT INTO residents (id, name, id_number, sex, birth_date, village_code, "
        "archive_date, archive_no, status, created_at, created_by, updated_at, deleted, "
        "flag_disabled, resident_6m, phone) VALUES (7, '张三', '11010519491231002X', '2', "
        "'1949-12-31', '101', '2020-03-01', '53010200110100001', '在档', 'x', 'y', 'z', 0, "
        "1, 1, '13812345678')"
    )
    conn.close()
    conn = connect(tmp_path / "old.db")
    applied = apply_pending(conn)
    assert applied == [m.name for m in MIGRATIONS[k:]]
    row = conn.execute(
        "SELECT name, sex, birth_date, flag_disabled, resident_6m, phone, blood_abo, "
        "education, kitchen_exhaust FROM residents WHERE id = 7"
    ).fetchone()
    assert row == ("张三", "2", "1949-12-31", 1, 1, "13812345678", None, None, None)
    for table in ("past_diseases", "surgeries", "traumas", "transfusions"):
        assert conn.execute(f"SELECT count(*) FROM residents__{table}").fetchone() == (0,)
    with pytest.raises(sqlite3.IntegrityError):  # lines belong to a resident
        conn.execute("INSERT INTO residents__past_diseases (record_id, line) VALUES (99, 1)")
    conn.close()
