"""Rules about a resident that need no database: archive numbers, derived flags, closing;
and how a resident is shown in every list, export and table (column headers, 性别)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..paths import resources_dir
from .dates import age_months, age_years
from .forms import FieldDef, FormDef, load_code_list
from .programmes import EPISODES, REGISTERS

CLOSE_STATUSES = ("迁出", "死亡", "注销")
STATUS_OPEN = "在档"

# The headers of a resident's columns wherever residents are listed (the register, the
# worklist, 花名册, contract lists, printed records). Where the resident form has the field
# its label is the same (a test holds that); ``age`` and ``village`` are shown, not typed.
HEADERS: dict[str, str] = {
    "archive_no": "档案号",
    "name": "姓名",
    "sex": "性别",
    "birth_date": "出生日期",
    "age": "年龄",
    "id_number": "身份证号",
    "phone": "联系电话",
    "village": "居委/村委",
}


def headers(*keys: str) -> tuple[str, ...]:
    """The :data:`HEADERS` of ``keys``, in that order."""
    return tuple(HEADERS[k] for k in keys)


@cache
def sex_labels() -> dict[str, str]:
    """性别 code → the label lists show (男, 女, 未知, 未说明): the standard code list
    ``resources/codes/sex.toml`` (GB/T 2261.1) with its 「的性别」 dropped. Read once."""
    path = resources_dir() / "codes" / "sex.toml"
    return {c.code: c.label.removesuffix("的性别") for c in load_code_list(path)}


def sex_label(code: str | None) -> str:
    """The label of a 性别 code; empty for none or an unknown code."""
    return sex_labels().get(code or "", "")


def archive_prefix(org_code: str, village_code: str) -> str:
    """6-digit county + 3-digit township (the station's 9-digit code) + 3-digit village."""
    return org_code[:9] + village_code


def archive_number(org_code: str, village_code: str, serial: int) -> str:
    if not 1 <= serial <= 99999:
        raise ValueError("该居委/村委的档案流水号已用完（最多99999）")
    return f"{archive_prefix(org_code, village_code)}{serial:05d}"


@dataclass(frozen=True)
class AgeFlags:
    child_0_6: bool
    elderly_65: bool
    months: int
    years: int


def age_flags(birth: dt.date, on: dt.date) -> AgeFlags:
    years = age_years(birth, on)
    return AgeFlags(
        child_0_6=years < 7, elderly_65=years >= 65, months=age_months(birth, on), years=years
    )


TYPED_FLAGS = {
    "flag_disabled": "重度残疾",
    "flag_poverty": "脱贫人口",
    "flag_dibao": "低保",
    "flag_tekun": "特困",
    "flag_family_planning": "计生特殊家庭",
}


def flag_labels(row: Mapping[str, Any], on: dt.date) -> list[str]:
    """Short labels of the key-population flags shown in lists ("65岁+", "低保" …)."""
    labels = []
    birth = row.get("birth_date")
    if isinstance(birth, str) and birth:
        birth = dt.date.fromisoformat(birth)
    if isinstance(birth, dt.date):
        flags = age_flags(birth, on)
        if flags.child_0_6:
            labels.append("0–6岁")
        if flags.elderly_65:
            labels.append("65岁+")
    labels.extend(label for key, label in TYPED_FLAGS.items() if row.get(key))
    return labels


def check_close(
    status: str,
    date: dt.date | None,
    birth: dt.date | None,
    created: dt.date | None,
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if status not in CLOSE_STATUSES:
        errors["status"] = "结案类型应为 迁出、死亡 或 注销"
    if date is None:
        errors["date"] = "请填写日期"
    elif date > today:
        errors["date"] = f"日期不能晚于今天（{today.isoformat()}）"
    elif birth and date < birth:
        errors["date"] = f"日期不能早于出生日期（{birth.isoformat()}）"
    elif created and date < created:
        errors["date"] = f"日期不能早于建档日期（{created.isoformat()}）"
    return errors


# ---- the 个人基本信息表's own settings (``[completeness]``, ``[past_disease_registers]``)


class ResidentFormError(ValueError):
    """The resident form file's settings are wrong (the message names the item)."""


def completeness_items(form: FormDef) -> tuple[FieldDef, ...]:
    """The items that make an archive complete (``[completeness] items`` of the resident
    form file, in its order): a stored field counts when it has a value, a repeating
    group when it has one line. Raises :class:`ResidentFormError` on an unknown item."""
    raw = form.settings.get("completeness", {})
    items = raw.get("items") if isinstance(raw, Mapping) else None
    if not isinstance(items, list) or not items:
        raise ResidentFormError(f"表单文件 {form.source}：[completeness] 需要 items（字段列表）")
    unknown = [i for i in items if i not in form.by_id]
    if unknown:
        raise ResidentFormError(
            f"表单文件 {form.source}：[completeness] 的字段 {'、'.join(map(str, unknown))} 不存在"
        )
    return tuple(form.field(i) for i in items)


def completeness(form: FormDef, values: Mapping[str, Any]) -> tuple[int, int]:
    """(items answered, items counted) for one resident's form values (what the SQL of
    the register computes for every row, :mod:`..storage.resident_completeness`)."""
    items = completeness_items(form)
    done = sum(1 for f in items if values.get(f.id) not in (None, "", [], ()))
    return done, len(items)


def percent(done: int, total: int) -> int:
    """A completeness as a whole percentage, rounded down (100 only when complete)."""
    return 100 * done // total if total else 100


def past_disease_registers(form: FormDef) -> dict[str, str]:
    """既往史·疾病 code → the register (htn/dm/smi) or episode (tb) that manages it
    (``[past_disease_registers]`` of the resident form file)."""
    raw = form.settings.get("past_disease_registers", {})
    codes = form.field("past_diseases").column["disease"].choice_labels
    out: dict[str, str] = {}
    for code, key in dict(raw).items():
        if code not in codes or key not in {**REGISTERS, **EPISODES}:
            raise ResidentFormError(
                f"表单文件 {form.source}：[past_disease_registers] 的 {code} = {key} 无效"
            )
        out[str(code)] = str(key)
    return out


def register_hint(disease_label: str, register_label: str) -> str:
    """The status line's hint for a disease in 既往史 without its register."""
    return f"既往史有{disease_label}，尚无{register_label}"
