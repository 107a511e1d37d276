"""Issue 13, part A.2: a contract cannot start before the resident's birth or archive
date, and a package's 服务对象 is checked at signing against the resident's key
populations on the sign date — the rule is data in forms/service_package.toml
(``[target_populations]``), the error names the package and why."""

from __future__ import annotations

import pytest

from tests.contract_helpers import TODAY, make_station
from ygt_desktop.core.contracts import KEY_POPULATIONS, target_rules
from ygt_desktop.storage.contracts import package_targets
from ygt_desktop.storage.residents import ValidationFailed


@pytest.fixture
def st(ws):
    return make_station(ws)


def refused(st, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as err:
        st.sign(*args, **kwargs)
    return err.value.errors


def test_the_rules_are_the_form_files_and_name_real_codes(ws):
    rules = package_targets(ws.forms)
    assert rules == {
        "2": {"elderly"},
        "3": {"htn", "dm"},
        "4": {"maternal"},
        "5": {"child"},
        "6": {"disabled"},
        "7": {"poverty", "dibao", "tekun"},
    }
    assert all(members <= set(KEY_POPULATIONS) for members in rules.values())


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"8": ["child"]}, "服务对象代码 8"),
        ({"5": []}, "至少一个"),
        ({"5": ["kids"]}, "kids 不存在"),
    ],
)
def test_a_bad_rule_table_is_refused_naming_what(table, words):
    with pytest.raises(ValueError, match=words):
        target_rules(table, {"1": "普通居民", "5": "儿童"}, KEY_POPULATIONS)


def test_a_contract_cannot_start_before_birth_or_archive(ws, st):
    errors = refused(st, "李小妹", "2021-06-01", sign="2021-06-01")
    assert errors == {
        "start_date": "服务开始日期 2021-06-01 早于李小妹的出生日期 2022-03-01："
        "签约不能在出生或建档之前开始"
    }
    errors = refused(st, "赵青年", "2019-06-01", sign="2019-06-01")
    assert "早于赵青年的建档日期 2020-01-01" in errors["start_date"]
    st.sign("赵青年", "2020-01-01")  # on the archive date itself: fine


def test_childrens_package_is_for_children_only(ws, st):
    errors = refused(st, "张老汉", "2026-01-01", packages=("基础服务包", "儿童服务包"))
    assert errors == {
        "package_ids": "服务包“儿童服务包”的服务对象为儿童（0–6岁儿童），该居民在签约日期不属于此人群"
    }
    st.sign("李小妹", "2026-01-01", packages=("基础服务包", "儿童服务包"))  # aged 3


def test_elderly_and_chronic_packages(ws, st):
    assert (
        "老年人（65岁及以上老年人）"
        in refused(st, "赵青年", "2026-01-01", packages=("老年人服务包",))["package_ids"]
    )
    st.sign("张老汉", "2026-01-01", packages=("老年人服务包",))
    errors = refused(st, "张老汉", "2026-02-01", packages=("慢病服务包",))
    assert "慢病患者（高血压、2型糖尿病）" in errors["package_ids"]
    ws.services.save(
        "htn_register",
        {"register_date": "2026-01-20", "diagnosis_date": "2026-01-10"},
        st.people["张老汉"],
        today=TODAY,
    )
    st.sign("张老汉", "2026-02-01", packages=("慢病服务包",))
    # the populations of the sign date: before the register, not yet a patient
    errors = refused(st, "张老汉", "2025-03-01", sign="2025-03-01", packages=("慢病服务包",))
    assert "慢病服务包" in errors["package_ids"]


def test_typed_flags_admit_their_packages(ws, st):
    from ygt_desktop.storage.entities import EntityRepo

    packages = EntityRepo(ws.store, ws.forms["service_package"])
    packages.save(
        {"name": "困难群众包", "kind": "2", "target": "7", "services": "上门服务", "fee_phs": 10}
    )
    st.packages["困难群众包"] = packages.rows("name = '困难群众包'")[0]["id"]
    st.sign("王大姐", "2026-01-01", packages=("困难群众包",))  # 低保
    assert (
        "脱贫人口等困难群众（脱贫人口/建档立卡、低保、五保/特困）"
        in refused(st, "赵青年", "2026-01-01", packages=("困难群众包",))["package_ids"]
    )


def test_a_correction_checks_only_packages_added(ws, st):
    cid = st.sign("赵青年", "2026-01-01")
    child = str(st.packages["儿童服务包"])
    basic = str(st.packages["基础服务包"])
    # an older contract from before the check, with a package that does not fit
    ws.store.conn.execute(
        "UPDATE e_contract SET package_ids = ? WHERE id = ?", (f"{basic},{child}", cid)
    )
    st.contracts.save({"note": "电话已更新"}, cid)  # not refused for what it always had
    elderly = str(st.packages["老年人服务包"])
    with pytest.raises(ValidationFailed) as err:
        st.contracts.save({"package_ids": [basic, child, elderly]}, cid)
    assert "老年人服务包" in err.value.errors["package_ids"]
