"""Family-doctor contracts (issue 4): teams and packages, sign → renew → expire /
terminate with the key populations taken at signing, and the refusals (overlap, term,
renewing a terminated contract, a doctor outside the team)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contract_helpers import TODAY, make_station
from ygt_desktop.core import contracts as core
from ygt_desktop.storage.contracts import add_example_packages
from ygt_desktop.storage.entities import EntityRepo
from ygt_desktop.storage.residents import ValidationFailed


@pytest.fixture
def st(ws):
    return make_station(ws)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def status(st, cid: int, day: str) -> str:
    from ygt_desktop.storage.contract_lists import list_contracts

    return next(r.status for r in list_contracts(st.ws.store, d(day)) if r.id == cid)


# ---- teams and packages -----------------------------------------------------------------


def test_example_packages_are_data_with_the_published_split(ws, st):
    packages = EntityRepo(ws.store, ws.forms["service_package"])
    basic = packages.values(st.packages["基础服务包"])
    assert (basic["fee_medical"], basic["fee_phs"], basic["fee_personal"], basic["fee_total"]) == (
        20,
        30,
        5,
        55,
    )
    assert packages.values(st.packages["老年人服务包"])["fee_total"] == 150
    assert add_example_packages(ws.store, ws.forms) == []  # loaded once, by name
    packages.save({"fee_personal": "8"}, st.packages["基础服务包"])  # amounts are data
    assert packages.values(st.packages["基础服务包"])["fee_total"] == 58


@pytest.mark.parametrize(("amount", "words"), [("-1", "0–10000"), ("二十", "应为数字")])
def test_negative_or_non_numeric_package_fee_is_refused(ws, st, amount, words):
    packages = EntityRepo(ws.store, ws.forms["service_package"])
    with pytest.raises(ValidationFailed) as err:
        packages.save(
            {
                "name": "康复包",
                "kind": "2",
                "target": "6",
                "fee_medical": amount,
                "services": "康复指导",
            }
        )
    assert words in err.value.errors["fee_medical"]


def test_team_members_belong_to_a_team_and_team_names_are_unique(ws, st):
    teams = EntityRepo(ws.store, ws.forms["team"])
    with pytest.raises(ValidationFailed) as err:
        teams.save({"name": "小坝家庭医生团队", "leader": "某人"})
    assert "已被另一条记录使用" in err.value.errors["name"]
    members = EntityRepo(ws.store, ws.forms["team_member"])
    with pytest.raises(ValidationFailed) as err:
        members.save({"name": "钱医生", "role": "1"})
    assert "所属团队" in err.value.errors["team_id"]
    assert [c.label for c in teams.choices()] == ["小坝家庭医生团队", "龙泉路家庭医生团队"]


# ---- lifecycle ---------------------------------------------------------------------------


def test_lifecycle_sign_renew_expire_terminate_with_populations_at_signing(ws, st):
    old = st.people["张老汉"]
    ws.services.save(
        "htn_register",
        {"register_date": "2024-03-01", "diagnosis_date": "2024-02-01"},
        old,
        today=TODAY,
    )
    first = st.sign(
        "张老汉", "2025-01-01", packages=("基础服务包", "老年人服务包"), sign="2024-12-20"
    )
    values = st.contracts.values(first)
    assert values["key_populations"] == ["elderly", "htn"]
    assert (values["fee_medical"], values["fee_phs"], values["fee_personal"]) == (80, 100, 25)
    assert status(st, first, "2024-12-25") == core.ACTIVE  # signed, starts later
    assert status(st, first, "2025-06-01") == core.ACTIVE
    assert status(st, first, "2026-01-01") == core.EXPIRED  # no nightly job: by the day

    # Later facts do not rewrite the contract: a new flag, dearer packages.
    ws.residents.save({"flag_dibao": True}, old)
    EntityRepo(ws.store, ws.forms["service_package"]).save(
        {"fee_medical": "99"}, st.packages["老年人服务包"]
    )
    assert st.contracts.values(first)["key_populations"] == ["elderly", "htn"]
    assert st.contracts.values(first)["fee_medical"] == 80

    draft = st.contracts.renewal_draft(first, d("2025-12-10"))
    assert (draft["start_date"], draft["end_date"]) == (d("2026-01-01"), d("2026-12-31"))
    second = st.contracts.renew(first, d("2025-12-10")).record_id
    renewed = st.contracts.values(second)
    assert renewed["renews_id"] == first
    assert renewed["key_populations"] == ["elderly", "htn", "dibao"]  # taken anew
    assert renewed["fee_medical"] == 20 + 99
    assert status(st, first, "2025-12-09") == core.ACTIVE
    assert status(st, first, "2025-12-10") == core.RENEWED
    assert status(st, first, "2026-03-01") == core.RENEWED
    with pytest.raises(ValidationFailed) as err:
        st.contracts.renew(first, d("2025-12-11"))
    assert "不能再次续约" in err.value.errors["renews_id"]

    st.contracts.terminate(second, "2026-06-30", "1", "搬到女儿家")
    assert status(st, second, "2026-06-29") == core.ACTIVE
    assert status(st, second, "2026-06-30") == core.TERMINATED
    with pytest.raises(ValidationFailed) as err:
        st.contracts.renewal_draft(second, TODAY)
    assert "已解约的签约不能续约" in err.value.errors["renews_id"]
    with pytest.raises(ValidationFailed) as err:  # also when the draft is made by hand
        st.sign("张老汉", "2026-07-01", renews_id=str(second))
    assert "已解约" in err.value.errors["renews_id"]
    with pytest.raises(ValidationFailed) as err:
        st.contracts.terminate(second, "2026-07-01", "4")
    assert "已于 2026-06-30 解约" in err.value.errors["termination_date"]
    history = [h["reason"] for h in st.contracts.history(second)]
    assert history[-1] == "解约：迁出"


def test_populations_are_those_of_the_sign_day(ws, st):
    girl = st.sign("李小妹", "2026-01-01")
    assert st.contracts.values(girl)["key_populations"] == ["child"]
    worker = st.sign("王大姐", "2026-01-01")
    assert st.contracts.values(worker)["key_populations"] == ["dibao"]
    young = st.sign("赵青年", "2026-01-01", team="龙泉", doctor="赵医生")
    assert st.contracts.values(young)["key_populations"] is None


def test_overlap_for_the_same_package_is_refused_not_for_another(ws, st):
    st.sign("张老汉", "2026-01-01")
    with pytest.raises(ValidationFailed) as err:
        st.sign("张老汉", "2026-12-31", packages=("老年人服务包", "基础服务包"), sign="2026-11-30")
    assert "服务期重叠" in err.value.errors["start_date"]
    assert "基础服务包" in err.value.errors["start_date"]
    assert len(st.contracts.rows()) == 1  # nothing written
    st.sign("张老汉", "2026-03-01", packages=("老年人服务包",))  # another package: allowed
    st.sign("张老汉", "2027-01-01", sign="2026-11-30")  # the next term: allowed


def test_after_termination_a_new_contract_may_start_that_day(ws, st):
    first = st.sign("王大姐", "2026-01-01")
    st.contracts.terminate(first, "2026-05-01", "4")
    with pytest.raises(ValidationFailed):
        st.sign("王大姐", "2026-04-30")
    st.sign("王大姐", "2026-05-01")


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        ("2026-01-01", "2026-12-30", "end_date", "至少一年"),
        ("2026-01-01", "2025-12-31", "end_date", "不能早于开始日期"),
        ("2024-02-29", "2025-02-27", "end_date", "2025-02-28"),
    ],
)
def test_term_of_at_least_one_year(ws, st, start, end, field, words):
    with pytest.raises(ValidationFailed) as err:
        st.sign("张老汉", start, end)
    assert words in err.value.errors[field]


def test_start_before_signing_and_termination_outside_the_term_are_refused(ws, st):
    with pytest.raises(ValidationFailed) as err:
        st.sign("张老汉", "2026-01-01", sign="2026-02-01")
    assert "不能早于签约日期" in err.value.errors["start_date"]
    cid = st.sign("张老汉", "2026-01-01")
    with pytest.raises(ValidationFailed) as err:
        st.contracts.terminate(cid, "2025-12-01", "4")
    assert "服务期内" in err.value.errors["termination_date"]
    with pytest.raises(ValidationFailed) as err:
        st.contracts.terminate(cid, "2026-03-01", "")
    assert "解约原因" in err.value.errors["termination_reason"]


def test_doctor_must_be_a_doctor_of_the_chosen_team(ws, st):
    with pytest.raises(ValidationFailed) as err:
        st.sign("张老汉", "2026-01-01", doctor="赵医生")
    assert "不是“小坝家庭医生团队”的成员" in err.value.errors["doctor_id"]
    with pytest.raises(ValidationFailed) as err:
        st.sign("张老汉", "2026-01-01", doctor="李护士")
    assert "不是医生" in err.value.errors["doctor_id"]


def test_closed_archive_cannot_sign_after_closing(ws, st):
    ws.residents.close(st.people["张老汉"], "死亡", d("2026-03-01"))
    st.sign("张老汉", "2025-06-01", sign="2025-06-01")  # paper contract from before
    with pytest.raises(ValidationFailed) as err:
        st.sign("张老汉", "2026-07-01", packages=("老年人服务包",))
    assert "2026-03-01 死亡" in err.value.errors["sign_date"]


def test_household_contract_needs_its_representative(ws, st):
    with pytest.raises(ValidationFailed) as err:
        st.sign("李小妹", "2026-01-01", sign_mode="2")
    assert set(err.value.errors) == {"representative_name", "representative_relation"}
    cid = st.sign(
        "李小妹",
        "2026-01-01",
        sign_mode="2",
        representative_name="李妈妈",
        representative_relation="4",
    )
    assert st.contracts.values(cid)["representative_name"] == "李妈妈"


def test_inactive_package_cannot_be_newly_signed_but_old_contracts_keep_it(ws, st):
    cid = st.sign("张老汉", "2026-01-01", packages=("老年人服务包",))
    EntityRepo(ws.store, ws.forms["service_package"]).save(
        {"active": False}, st.packages["老年人服务包"]
    )
    st.contracts.save({"note": "电话改了"}, cid)
    with pytest.raises(ValidationFailed) as err:
        st.sign("王大姐", "2026-01-01", packages=("老年人服务包",))
    assert "已停用" in err.value.errors["package_ids"]


def test_key_population_codes_match_the_form(forms):
    assert (
        tuple(c.code for c in forms["contract"].field("key_populations").choices)
        == core.KEY_POPULATIONS
    )


def test_records_in_use_by_contracts_are_counted(ws, st):
    from ygt_desktop.storage.contracts import contracts_using

    st.sign("张老汉", "2026-01-01", packages=("基础服务包", "老年人服务包"))
    st.sign("王大姐", "2026-01-01")
    assert contracts_using(ws.store, "service_package", st.packages["基础服务包"]) == 2
    assert contracts_using(ws.store, "service_package", st.packages["老年人服务包"]) == 1
    assert contracts_using(ws.store, "service_package", st.packages["儿童服务包"]) == 0
    assert contracts_using(ws.store, "team", st.teams["小坝"]) == 2
    assert contracts_using(ws.store, "team_member", st.members["王医生"]) == 2
    assert contracts_using(ws.store, "team_member", st.members["李护士"]) == 0
