"""WS 363 data-element codes in the form files: well formed, checked at load, and the
codes confirmed from public sources stay where they were put."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ygt_desktop.core.data_elements import DE_CODE
from ygt_desktop.core.forms import FormDef, FormFileError, load_form
from ygt_desktop.paths import forms_dir, resources_dir

HEADER = """
[form]
id = "t"
title = "测试表"
version = 1
kind = "service"
table = "t"
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "coded.toml"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def field(fid: str, extra: str = "") -> str:
    return f'[[fields]]\nid = "{fid}"\nlabel = "字段{fid}"\ntype = "int"\n{extra}\n'


def raw_codes(path: Path) -> list[tuple[str, object]]:
    """Every de_code written in a form file (fields and rows columns), read as TOML so a
    file another part is still editing cannot hide one."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found: list[tuple[str, object]] = []
    for f in data.get("fields", []):
        if "de_code" in f:
            found.append((f["id"], f["de_code"]))
        for c in f.get("columns", []):
            if "de_code" in c:
                found.append((f"{f['id']}.{c['id']}", c["de_code"]))
    return found


def test_every_de_code_in_the_form_files_is_well_formed():
    seen = 0
    for path in sorted(forms_dir().glob("*.toml")):
        for where, code in raw_codes(path):
            assert isinstance(code, str) and DE_CODE.match(code), f"{path.name} {where}: {code!r}"
            seen += 1
    assert seen >= 60  # the service forms carry codes, not only the resident form


@pytest.mark.parametrize(
    "code", ["DE4.10.174.00", "DE04.10.174", "de04.10.174.00", "DE04-10-174-00", " DE04.10.174.00"]
)
def test_the_loader_refuses_a_malformed_code_naming_form_and_field(tmp_path, code):
    path = write(tmp_path, field("sbp", f'de_code = "{code}"'))
    with pytest.raises(FormFileError) as err:
        load_form(path, resources_dir() / "codes")
    message = str(err.value)
    assert "coded.toml" in message and "sbp" in message and "格式不对" in message


def test_the_loader_refuses_a_code_that_is_not_text(tmp_path):
    with pytest.raises(FormFileError, match="格式不对"):
        load_form(write(tmp_path, field("sbp", "de_code = 4101740")), resources_dir() / "codes")


def test_a_qualifier_needs_a_code(tmp_path):
    with pytest.raises(FormFileError, match="没有 de_code"):
        load_form(write(tmp_path, field("sbp", 'de_qualifier = "左侧"')), resources_dir() / "codes")


def test_one_element_once_per_form(tmp_path):
    body = field("sbp", 'de_code = "DE04.10.174.00"') + field("sbp2", 'de_code = "DE04.10.174.00"')
    with pytest.raises(FormFileError) as err:
        load_form(write(tmp_path, body), resources_dir() / "codes")
    assert err.value.field_id == "sbp2" and "与字段 sbp 相同" in str(err.value)


def test_the_same_element_twice_when_each_field_says_which_side(tmp_path):
    body = field("sbp", 'de_code = "DE04.10.174.00"\nde_qualifier = "左侧"') + field(
        "sbp_right", 'de_code = "DE04.10.174.00"\nde_qualifier = "右侧"'
    )
    form = load_form(write(tmp_path, body), resources_dir() / "codes")
    assert [f.de_qualifier for f in form.fields] == ["左侧", "右侧"]
    # the same side twice is still one element twice
    same = field("a", 'de_code = "DE04.10.174.00"\nde_qualifier = "左侧"') + field(
        "b", 'de_code = "DE04.10.174.00"\nde_qualifier = "左侧"'
    )
    with pytest.raises(FormFileError, match="与字段 a 相同"):
        load_form(write(tmp_path, same), resources_dir() / "codes")


def test_a_rows_column_counts_as_a_place_of_the_form(tmp_path):
    body = (
        field("drug", 'de_code = "DE08.50.022.00"')
        + '[[fields]]\nid = "medicines"\nlabel = "用药"\ntype = "rows"\n'
        + '[[fields.columns]]\nid = "name"\nlabel = "药物名称"\ntype = "text"\n'
        + 'de_code = "DE08.50.022.00"\n'
    )
    with pytest.raises(FormFileError) as err:
        load_form(write(tmp_path, body), resources_dir() / "codes")
    assert err.value.field_id == "medicines.name"


def form(name: str) -> FormDef:
    return load_form(forms_dir() / f"{name}.toml", resources_dir() / "codes")


def code_of(name: str, where: str) -> str | None:
    f = form(name)
    if "." in where:
        group, column = where.split(".")
        return f.field(group).column[column].de_code
    return f.field(where).de_code


# Codes confirmed from public sources (resources/codes/de_codes_sources.md): a wrong edit
# of one of these fails here.
@pytest.mark.parametrize(
    ("name", "where", "code"),
    [
        ("htn_followup", "sbp", "DE04.10.174.00"),
        ("htn_followup", "dbp", "DE04.10.176.00"),
        ("htn_followup", "medicines.name", "DE08.50.022.00"),
        ("dm_followup", "weight", "DE04.10.188.00"),
        ("dm_followup", "fpg", "DE04.50.037.00"),
        ("dm_followup", "hba1c", "DE04.50.083.00"),
        ("prenatal_first", "lmp_date", "DE02.10.051.00"),
        ("prenatal_first", "gravidity", "DE04.01.108.00"),
        ("prenatal_followup", "fetal_heart_rate", "DE04.10.183.00"),
        ("newborn_visit", "respiration", "DE04.10.082.00"),
        ("consultation", "reason", "DE06.00.039.00"),
        ("consultation", "opinion", "DE06.00.018.00"),
        ("clinic_visit", "plan", "DE05.10.014.00"),
    ],
)
def test_confirmed_codes_stay_put(name, where, code):
    assert code_of(name, where) == code


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("htn_followup", "weight_target"),  # a target is not the element
        ("dm_followup", "smoking_target"),
        ("prenatal_followup", "fetal_position"),  # 头位/臀位 is not 胎方位代码
    ],
)
def test_fields_whose_meaning_differs_carry_no_code(name, where):
    assert code_of(name, where) is None


@pytest.mark.parametrize(
    "name",
    [
        "htn_followup",
        "dm_followup",
        "prenatal_first",
        "prenatal_followup",
        "postpartum_visit",
        "postpartum_42d",
        "newborn_visit",
        "child_check",
        "consultation",
        "clinic_visit",
        "tb_first_visit",
        "tb_followup",
        "smi_followup",
        "vaccination",
    ],
)
def test_the_coded_service_forms_load(name):
    assert any(f.de_code for f in form(name).fields)
