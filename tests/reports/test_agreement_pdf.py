"""签约服务协议书 (issue 4): one A4 page per contract with the station, team, resident
(ID masked by default), packages and fees as recorded at signing, the term, the
standard text and both signature lines."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest

from tests.contract_helpers import make_station
from ygt_desktop.core.masking import Shown
from ygt_desktop.reports.agreement_pdf import load_agreement, render_agreement
from ygt_desktop.storage.db import StoreError
from ygt_desktop.storage.entities import EntityRepo


@pytest.fixture
def st(ws):
    st = make_station(ws)
    ws.residents.save({"address": "3组12号", "phone": "13912345678"}, st.people["张老汉"])
    return st


def text_of(path) -> tuple[str, int]:
    """The text with line breaks removed (table cells wrap), and the page count."""
    reader = pypdf.PdfReader(path)
    return "".join(p.extract_text() for p in reader.pages).replace("\n", ""), len(reader.pages)


def test_agreement_names_both_parties_fees_term_and_signature_lines(ws, st, tmp_path):
    cid = st.sign(
        "张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"), sign="2025-12-20"
    )
    # Dearer packages later do not change what this contract says.
    EntityRepo(ws.store, ws.forms["service_package"]).save(
        {"fee_personal": "50"}, st.packages["老年人服务包"]
    )
    agreement = load_agreement(ws, cid)
    assert agreement.file_name() == "签约服务协议书_张老汉_2025-12-20.pdf"
    out = tmp_path / agreement.file_name()
    assert render_agreement(agreement, out, printed_on=dt.date(2026, 1, 1)) == []
    text, pages = text_of(out)
    assert pages == 1
    for words in (
        "家庭医生签约服务协议书",
        f"签约编号：{cid}",
        "签约日期：2025-12-20",
        "测试社区卫生服务站",
        "小坝家庭医生团队",
        "王医生",
        "李护士（护士，13800001111）",
        "张老汉",
        "530102********1233",
        "139****5678",
        "小坝村委会3组12号",
        "个人签约",
        "65岁及以上老年人",
        "2026-01-01 至 2026-12-31（1 年）",
        "基础服务包",
        "老年人服务包",
        "健康档案管理",
        "合计 205 元（医保基金 80 元；基本公卫经费 100 元；个人 25 元）",
        "服务内容",
        "甲方的义务",
        "乙方的义务",
        "期限与解约",
        "签约居民或代表（签字）",
        "签约医生（签字）",
        "日期：",
        "第 1 页 共 1 页",
    ):
        assert words in text, words
    assert "530102195001011233" not in text
    assert "13912345678" not in text


def test_full_id_number_when_asked_household_representative_and_renewal(ws, st, tmp_path):
    first = st.sign("李小妹", "2025-03-01")
    second = st.contracts.renew(
        first,
        dt.date(2026, 2, 20),
        {
            "sign_mode": "2",
            "representative_name": "李妈妈",
            "representative_relation": "4",
            "representative_phone": "13700001234",
        },
    ).record_id
    out = tmp_path / "a.pdf"
    render_agreement(load_agreement(ws, second), out, id_masked=False)
    text, _pages = text_of(out)
    assert "530102202203010020" in text
    assert "家庭签约，代表：李妈妈（父母）" in text and "137****1234" in text
    assert "13700001234" not in text
    render_agreement(load_agreement(ws, second), out, shown=Shown(ids=True, phones=True))
    assert "13700001234" in text_of(out)[0]
    assert f"续原签约 {first}" in text
    assert "0–6岁儿童" in text


def test_deleted_contract_is_not_printed(ws, st):
    cid = st.sign("张老汉", "2026-01-01")
    st.contracts.delete(cid, "录错了")
    with pytest.raises(StoreError, match="不存在或已删除"):
        load_agreement(ws, cid)
