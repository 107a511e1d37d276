"""The worklist as plain rows: the columns, the counts, the CSV for Excel, the text table.

Requirements held here: CSV is UTF-8 with a byte-order mark (Excel shows the Chinese),
one row per item with every column it had and 服务 after them; values a spreadsheet
would run as a formula are neutralised (ARCHITECTURE.md); people are counted once, by
their worst status; the 本年未做 counts are people per service; one line per resident
lists all their items in one cell with the earliest window end; the text table lines up
Chinese columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from ygt_desktop.core.masking import Shown
from ygt_desktop.core.schedules import Due
from ygt_desktop.reports.worklist_rows import (
    CSV_COLUMNS,
    LINE_COLUMNS,
    counts_text,
    csv_bytes,
    filters_text,
    line_rows,
    not_done_text,
    text_table,
    view_counts_text,
    week_of,
    worklist_rows,
)
from ygt_desktop.storage.worklist import WorkItem, by_resident

ON = dt.date(2026, 11, 23)


def item(
    rid: int,
    name: str,
    status: str = "应访",
    phone: str = "13912345678",
    done: dt.date | None = None,
    due: Due | None = None,
) -> WorkItem:
    resident = {
        "id": rid,
        "name": name,
        "sex": "2",
        "birth_date": "1956-11-24",
        "phone": phone,
        "village_code": "101",
        "archive_no": "",
        "status": "在档",
        "status_date": None,
    }
    due = due or Due(
        "htn",
        "htn_followup",
        "高血压随访（2026年第4季度）",
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        done,
    )
    return WorkItem(resident, due, status)


def test_rows_give_age_on_the_day_village_name_window_and_done_date():
    rows = worklist_rows(
        [item(1, "李芳", "已访", done=dt.date(2026, 11, 2))], ON, {"101": "小坝村委会"}
    )
    assert rows == [
        (
            "1",
            "已访",
            "李芳",
            "女",
            "69",
            "小坝村委会",
            "139****5678",
            "高血压随访（2026年第4季度）",
            "2026-10-01 至 2026-12-31",
            "2026-11-02",
        )
    ]


def test_counts_are_people_by_their_worst_status():
    items = [item(2, "乙", "应访"), item(1, "甲", "应访"), item(1, "甲", "逾期")]
    assert counts_text(items) == "共 3 项 2 人：逾期 1 人，应访 1 人"
    assert counts_text([]) == "没有待办随访"
    assert filters_text(["疾控包"], None, None) == "服务包：疾控包；居委/村委：全部；状态：全部"
    assert filters_text(None, None, None, view="到期").startswith("视图：到期和逾期；服务包")


def test_not_done_counts_are_people_per_service():
    def yearly(rid: int, programme: str, status: str = "应访") -> WorkItem:
        name = {"tcm_elderly": "中医体质辨识", "elderly": "健康体检"}[programme]
        year = Due(programme, programme, f"{name}（2026年）", dt.date(2026, 1, 1),
                   dt.date(2026, 12, 31))  # fmt: skip
        return item(rid, f"人{rid}", status, due=year)

    items = [yearly(1, "tcm_elderly"), yearly(1, "elderly"), yearly(2, "tcm_elderly", "未到"),
             yearly(3, "elderly", "已访")]  # fmt: skip
    assert not_done_text(items) == "中医体质辨识 2 人未做，健康体检 1 人未做"
    assert view_counts_text(items, "本年未做").endswith(
        "；中医体质辨识 2 人未做，健康体检 1 人未做"
    )
    assert view_counts_text(items, "到期") == counts_text(items)


def test_one_line_per_resident_lists_every_item_and_the_earliest_end():
    recheck = Due("htn", "htn_followup", "高血压复查随访（2周内）", dt.date(2026, 11, 11),
                  dt.date(2026, 11, 20))  # fmt: skip
    items = [item(1, "李芳", "逾期", due=recheck), item(2, "王五"), item(1, "李芳")]
    rows = line_rows(by_resident(items), ON, {"101": "小坝村委会"})
    assert rows == [
        ("1", "逾期", "李芳", "女", "69", "小坝村委会", "139****5678",
         "高血压复查随访（2周内） 逾期 11-20；高血压随访（2026年第4季度） 应访 12-31",
         "2026-11-20"),
        ("2", "应访", "王五", "女", "69", "小坝村委会", "139****5678",
         "高血压随访（2026年第4季度） 应访 12-31", "2026-12-31"),
    ]  # fmt: skip
    assert LINE_COLUMNS[-2:] == ("待办项目", "最早截止")
    done = line_rows(by_resident([item(3, "赵六", "已访", done=dt.date(2026, 11, 2))]), ON, {})
    assert done[0][7] == "高血压随访（2026年第4季度） 已访 11-02"
    # items with the same status and day share them
    same_day = Due("htn", "htn_followup", "高血压复查随访（2周内）", dt.date(2026, 12, 18),
                   dt.date(2026, 12, 31))  # fmt: skip
    shared = line_rows(by_resident([item(4, "钱七"), item(4, "钱七", due=same_day)]), ON, {})
    assert shared[0][7] == "高血压随访（2026年第4季度）、高血压复查随访（2周内） 应访 12-31"


def test_week_runs_monday_to_sunday():
    assert week_of(dt.date(2026, 11, 26)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert week_of(dt.date(2026, 11, 29)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))


def test_csv_has_a_bom_and_neutralises_formulas():
    data = csv_bytes([item(1, '=HYPERLINK("x")', phone="+8613912345678")], ON, {})
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][2] == '\'=HYPERLINK("x")'
    assert rows[1][6] == "'+86*******5678"  # masked: a calling list only when asked
    full = csv_bytes([item(1, "张三", phone="+8613912345678")], ON, {}, Shown(phones=True))
    assert list(csv.reader(io.StringIO(full.decode("utf-8-sig"))))[1][6] == "'+8613912345678"
    assert rows[1][8:] == ["疾控包", "2026-10-01", "2026-12-31", "", "高血压"]
    assert CSV_COLUMNS[:12] == ("序号", "状态", "姓名", "性别", "年龄", "居委/村委", "联系电话",
                                "服务项目", "服务包", "时间窗开始", "时间窗结束", "完成日期")  # fmt: skip


def test_text_table_aligns_chinese_columns():
    table = text_table(worklist_rows([item(1, "欧阳娜娜"), item(2, "王五")], ON, {}))
    lines = table.splitlines()
    assert len(lines) == 3
    # the phone column starts at the same display position on every line (in GBK a
    # Chinese character takes two bytes, as it takes two cells on a terminal)
    starts = {len(line[: line.index("139")].encode("gbk")) for line in lines[1:]}
    assert len(starts) == 1
