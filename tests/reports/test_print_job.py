"""What the window and ``ygt print`` share: which record, its file name, write errors.

Requirements held here: the suggested file name is 表名_姓名_服务日期.pdf and safe on
Windows; a station log prints without a resident line and with 记录人签名; write
failures are explained in Chinese.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from ygt_desktop.reports import print_record as job
from ygt_desktop.storage.db import StoreError


def printable(ws, form_id: str, name: str, day: str) -> job.PrintableRecord:
    return job.PrintableRecord(
        record_id=1,
        form=ws.forms[form_id],
        values={},
        header={"service_date": day},
        resident={"name": name},
        org_name="",
        choice_labels={},
    )


def test_file_name_is_title_name_date_and_safe_on_windows(ws):
    record = printable(ws, "elderly_exam", "张三", "2026-05-06")
    assert record.file_name() == "健康体检表_张三_2026-05-06.pdf"
    assert record.signature_label == "医生签名"
    unsafe = printable(ws, "htn_followup", 'A/B:C*" ', "2026-11-30")
    assert unsafe.file_name() == "高血压患者随访服务记录表_A_B_C_2026-11-30.pdf"
    assert unsafe.signature_label == "随访医生签名"


def test_station_log_prints_without_a_resident(ws, tmp_path):
    form = ws.forms["supervision_log"]
    record_id = ws.services.save(
        "supervision_log",
        {
            "record_type": "1",
            "found_date": "2026-11-24",
            "kind": "4",
            "description": "发现无证人员在村内开展诊疗活动",
            "reported": True,
            "report_date": "2026-11-24",
        },
    ).change.record_id
    record = job.load(ws, record_id)
    assert record.signature_label == "记录人签名"
    assert record.file_name() == f"{form.title}_2026-11-24.pdf"
    out = tmp_path / record.file_name()
    assert job.render(record, out) == []
    text = PdfReader(out).pages[0].extract_text()
    assert "记录人签名" in text and "姓名" not in text


def test_alerts_of_the_record_are_printed(ws, tmp_path):
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    )
    record_id = ws.services.save(
        "htn_followup",
        {
            "visit_date": "2026-11-01",
            "visit_method": "1",
            "sbp": "185",
            "dbp": "95",
            "adherence": "1",
            "visit_class": "2",
        },
        rid,
    ).change.record_id
    record = job.load(ws, record_id)
    assert json.loads(record.header["alerts"])
    out = tmp_path / "r.pdf"
    job.render(record, out)
    assert "请紧急转诊" in PdfReader(out).pages[0].extract_text()


def test_unknown_and_deleted_records_are_refused(ws):
    with pytest.raises(StoreError, match="不存在"):
        job.load(ws, 12345)
    rid = ws.residents.save(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "village_code": "101",
            "archive_date": "2020-01-01",
        }
    ).record_id
    record_id = ws.services.save(
        "htn_register", {"register_date": "2026-01-05", "diagnosis_date": "2025-12-01"}, rid
    ).change.record_id
    ws.services.delete(record_id, "重复登记")
    with pytest.raises(StoreError, match="已删除"):
        job.load(ws, record_id)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间已满"),
        (PermissionError(errno.EACCES, "Permission denied"), "没有写入权限"),
        (FileNotFoundError(errno.ENOENT, "No such file"), "不存在"),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
    ],
)
def test_write_errors_are_explained(exc, expected):
    text = job.write_error_text(exc, Path("D:/档案/r.pdf"))
    assert text.startswith("无法保存打印文件") and expected in text and "未写入任何文件" in text
