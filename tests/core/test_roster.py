"""The roster file's rows (issue 6): header in English or Chinese, every row checked —
code format for its level, a level the bureau's members may have, a name, no code
twice —, errors naming the row as Excel shows it, nothing taken from a file with an
error; CSV in UTF-8 with or without the BOM and in GBK."""

from __future__ import annotations

import pytest

from ygt_desktop.core.org_codes import code_problem
from ygt_desktop.core.roster import RosterFileError, decode_csv, parse_roster


def test_english_header_any_column_order_and_codes_typed_as_numbers():
    rows = [
        ["name", "code", "level", "parent"],
        ["龙泉路社区卫生服务站", 530102001, "站", "530102"],
        ["", "", "", ""],  # blank rows are skipped
        ["小坝卫生院", 530102100.0, "中心", None],
    ]
    members = parse_roster(rows, "区")
    assert [(m.code, m.name, m.level, m.parent_code, m.row) for m in members] == [
        ("530102001", "龙泉路社区卫生服务站", "站", "530102", 2),
        ("530102100", "小坝卫生院", "中心", None, 4),
    ]


def test_chinese_header_with_bom_and_spaces():
    rows = [
        ["\ufeff机构代码", " 机构名称 ", "级别", "上级代码"],
        [" 530102002 ", "大坝村卫生室\u3000", "站", ""],
    ]
    (m,) = parse_roster(rows, "区")
    assert (m.code, m.name, m.parent_code) == ("530102002", "大坝村卫生室", None)


def test_every_bad_row_is_named_and_nothing_is_taken():
    rows = [
        ["code", "name", "level", "parent"],
        ["530102001", "甲站", "站", "530102"],
        ["53010200", "乙站", "站", ""],  # 8 digits
        ["530102003", "", "站", ""],  # no name
        ["530102004", "丁站", "所", ""],  # not a level
        ["530102001", "甲站又一次", "站", ""],  # duplicate of row 2
        ["530102006", "戊站", "区", ""],  # a district is not a district's member
        ["530102007", "己站", "站", "53A"],  # parent not digits
    ]
    with pytest.raises(RosterFileError) as caught:
        parse_roster(rows, "区")
    errors = caught.value.errors
    assert len(errors) == 6
    assert errors[0].startswith("第3行：机构代码“53010200”不对")
    assert errors[1] == "第4行：缺少机构名称"
    assert errors[2].startswith("第5行：级别“所”不对：区级机构的成员级别应为 站 或 中心")
    assert errors[3] == "第6行：机构代码 530102001 与第2行重复"
    assert errors[4].startswith("第7行：级别“区”不对")
    assert errors[5] == "第8行：上级代码“53A”应为6–12位数字"


def test_city_roster_holds_districts():
    rows = [["code", "name", "level"], ["530102", "五华区", "区"], ["530103", "盘龙区", "区"]]
    assert [m.code for m in parse_roster(rows, "市")] == ["530102", "530103"]
    with pytest.raises(RosterFileError, match="第2行：级别“站”不对：市级机构的成员级别应为 区"):
        parse_roster([["code", "name", "level"], ["530102001", "甲站", "站"]], "市")


def test_missing_header_or_empty_file():
    with pytest.raises(RosterFileError, match="第1行应为表头"):
        parse_roster([["530102001", "甲站", "站"]], "区")
    with pytest.raises(RosterFileError, match="文件是空的"):
        parse_roster([[], ["", ""]], "区")
    with pytest.raises(RosterFileError, match="表头下没有任何机构"):
        parse_roster([["code", "name", "level"]], "区")


def test_own_code_is_not_a_member():
    with pytest.raises(RosterFileError, match="本机构自己的代码"):
        parse_roster(
            [["code", "name", "level"], ["530102", "五华区", "区"]], "市", bureau_code="530102"
        )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_text_in_the_encodings_excel_writes(encoding):
    text = "机构代码,机构名称,级别,上级代码\r\n530102001,龙泉路社区卫生服务站,站,530102\r\n"
    assert decode_csv(text.encode(encoding)) == text


def test_codes_by_level():
    assert code_problem("530102001", "站") is None
    assert code_problem("530102", "站") is not None  # a station needs its own digits
    assert code_problem("530102", "区") is None
    assert code_problem("530100", "区") is not None  # ends in 00: a city
    assert code_problem("530100", "市") is None
    assert code_problem("530102", "市") is not None
    assert code_problem("000102", "区") is not None
    assert code_problem("530102000", "区") is None  # a bureau numbered like a unit
