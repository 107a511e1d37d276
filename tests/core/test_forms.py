"""The form engine: one definition drives validation; malformed files fail loudly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ygt_desktop.core.forms import FormFileError, load_form
from ygt_desktop.paths import resources_dir

GOOD_HEADER = """
[form]
id = "t"
title = "测试表"
version = 1
kind = "service"
table = "t"
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD_HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('[[fields]]\nid = "x"\nlabel = "甲"\ntype = "colour"\n', "类型 'colour' 未知"),
        ('[[fields]]\nid = "x"\ntype = "text"\n', "缺少 label"),
        (
            '[[fields]]\nid = "x"\nlabel = "甲"\ntype = "int"\nmin = 5\nmax = 1\n',
            "min (5) 大于 max (1)",
        ),
        (
            '[[fields]]\nid = "x"\nlabel = "甲"\ntype = "text"\nrelevant = "y > 1"\n',
            "不存在的字段 y",
        ),
        (
            '[[fields]]\nid = "x"\nlabel = "甲"\ntype = "text"\ncompute = "__import__(1)"\n',
            "未知函数",
        ),
        ('[[fields]]\nid = "x"\nlabel = "甲"\ntype = "text"\nrelevant = "x.__class__"\n', "不允许"),
        ('[[fields]]\nid = "x"\nlabel = "甲"\ntype = "choice"\n', "choices"),
        (
            '[[fields]]\nid = "x"\nlabel = "甲"\ntype = "text"\n[[fields]]\nid = "x"\nlabel = "乙"\ntype = "text"\n',
            "重复",
        ),
        ('[[fields]]\nid = "X-1"\nlabel = "甲"\ntype = "text"\n', "id 缺失或无效"),
        (
            '[[fields]]\nid = "x"\nlabel = "甲"\ntype = "text"\ncolour = "red"\n',
            "未知的属性 colour",
        ),
        (
            '[[fields]]\nid = "x"\nlabel = "甲"\ntype = "choice"\nchoices_from = "code:nosuch"\n',
            "找不到代码表 nosuch",
        ),
        ("[[fields]\n", "不是有效的 TOML"),
    ],
)
def test_malformed_form_file_names_file_field_and_problem(tmp_path, body, words):
    with pytest.raises(FormFileError) as err:
        load_form(write(tmp_path, body), resources_dir() / "codes")
    message = str(err.value)
    assert "bad.toml" in message
    assert words in message


def test_missing_form_section(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text('[[fields]]\nid = "x"\nlabel = "甲"\ntype = "text"\n', encoding="utf-8")
    with pytest.raises(FormFileError, match=r"empty\.toml.*\[form\]"):
        load_form(path)


def test_resident_form_derives_sex_and_birth_from_id(forms):
    result = forms["resident"].process(
        forms["resident"].with_defaults(
            {
                "name": "张三",
                "id_number": "11010519491231002X",
                "village_code": "101",
                "ethnicity": "01",
            }
        )
    )
    assert result.ok, result.errors
    assert result.values["sex"] == "2"
    assert result.values["birth_date"] == dt.date(1949, 12, 31)


def test_typed_sex_disagreeing_with_id_is_refused(forms):
    result = forms["resident"].process(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "sex": "1",
            "village_code": "101",
            "ethnicity": "01",
        }
    )
    assert result.errors["sex"] == "性别应为 女（由身份证号得出）"


def test_no_id_needs_a_reason_and_typed_sex_and_birth(forms):
    result = forms["resident"].process({"name": "小宝", "village_code": "101", "ethnicity": "01"})
    assert result.errors == {
        "no_id_reason": "请填写无身份证号原因",
        "archive_date": "请填写建档日期",
        "sex": "请填写性别",
        "birth_date": "请填写出生日期",
    }
    ok = forms["resident"].process(
        {
            "name": "小宝",
            "no_id_reason": "1",
            "sex": "1",
            "birth_date": "2026-3-5",
            "village_code": "101",
            "ethnicity": "01",
            "archive_date": "2026-03-10",
        }
    )
    assert ok.ok
    assert ok.values["birth_date"] == dt.date(2026, 3, 5)


def test_reason_is_not_relevant_when_an_id_is_given(forms):
    result = forms["resident"].process(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "no_id_reason": "9",
            "village_code": "101",
            "ethnicity": "01",
        }
    )
    assert result.values["no_id_reason"] is None


def test_an_invalid_id_does_not_also_ask_for_a_no_id_reason(forms):
    result = forms["resident"].process({"name": "张三", "id_number": "110105194912310021"})
    assert "no_id_reason" not in result.errors
    assert result.errors["id_number"] == "身份证号校验位应为 X，现为 1"


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("phone", "12345", "手机号"),
        ("birth_date", "2099-01-01", "不能晚于今天"),
        ("birth_date", "2026-02-30", "不存在"),
        ("name", "张" * 31, "最多30个字"),
        ("ethnicity", "77", "应为以下之一"),
    ],
)
def test_field_errors_are_chinese_and_name_the_field(forms, field, value, words):
    raw = {
        "name": "张三",
        "no_id_reason": "9",
        "sex": "1",
        "birth_date": "1980-01-01",
        "village_code": "101",
        "ethnicity": "01",
        "archive_date": "2020-01-01",
        field: value,
    }
    result = forms["resident"].process(raw)
    assert words in result.errors[field]


def test_control_characters_pasted_from_word_are_stripped(forms):
    result = forms["resident"].process(
        {
            "name": "张\x0b三\x00",
            "no_id_reason": "9",
            "sex": "1",
            "birth_date": "19800101",
            "village_code": "101",
            "ethnicity": "01",
        }
    )
    assert result.values["name"] == "张三"
