"""The worklist as plain rows: the columns, the counts, the CSV for Excel, the text table.

Requirements held here: CSV is UTF-8 with a byte-order mark (Excel shows the Chinese),
values a spreadsheet would run as a formula are neutralised (ARCHITECTURE.md), people
are counted per status, and the text table lines up Chinese columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from ygt_desktop.core.masking import Shown
from ygt_desktop.core.schedules import Due
from ygt_desktop.reports.worklist_rows import (
    CSV_COLUMNS,
    counts_text,
    csv_bytes,
    filters_text,
    text_table,
    week_of,
    worklist_rows,
)
from ygt_desktop.storage.worklist import WorkItem

ON = dt.date(2026, 11, 23)


def item(
    rid: int,
    name: str,
    status: str = "应访",
    phone: str = "13912345678",
    done: dt.date | None = None,
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
    due = Due(
        "htn",
        "htn_followup",
        "2026年第4季度随访",
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
            "2026年第4季度随访",
            "2026-10-01 至 2026-12-31",
            "2026-11-02",
        )
    ]


def test_counts_are_people_per_status():
    items = [item(1, "甲", "逾期"), item(1, "甲", "应访"), item(2, "乙", "应访")]
    assert counts_text(items) == "共 3 项 2 人：逾期 1 人，应访 2 人"
    assert counts_text([]) == "没有待办随访"
    assert filters_text(["疾控包"], None, None) == "服务包：疾控包；居委/村委：全部；状态：全部"


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
    assert rows[1][8:] == ["疾控包", "2026-10-01", "2026-12-31", ""]


def test_text_table_aligns_chinese_columns():
    table = text_table(worklist_rows([item(1, "欧阳娜娜"), item(2, "王五")], ON, {}))
    lines = table.splitlines()
    assert len(lines) == 3
    # the phone column starts at the same display position on every line (in GBK a
    # Chinese character takes two bytes, as it takes two cells on a terminal)
    starts = {len(line[: line.index("139")].encode("gbk")) for line in lines[1:]}
    assert len(starts) == 1
