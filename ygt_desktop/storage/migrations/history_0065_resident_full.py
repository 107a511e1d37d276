"""Migrations 0065–0069: 个人基本信息表 in full (issue 13, part 2).

- 0065: the sheet's single items as columns of ``residents`` — 工作单位, 联系人, 常住类型,
  血型 ABO/RH, 文化程度, 职业, 婚姻状况, 医疗费用支付方式, 药物过敏史, 暴露史, 手术/外伤/
  输血 (有/无), 家族史 (four relatives), 遗传病史, 残疾情况 and 生活环境 (five items).
  Existing residents keep every value; the new items start empty (NULL), which the
  register shows as an incomplete archive.
- 0066–0069: the repeating groups, one child table each, keyed by the resident's id:
  既往史·疾病 (疾病, 疾病名称, 确诊时间 as YYYY-MM), 手术, 外伤 and 输血 (名称 or 原因,
  时间 as YYYY-MM).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import TEXT, Migration, add_columns, rows_table

_OCCURRED = ("occurred", TEXT)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0065_resident_full_fields",
        add_columns(
            "residents",
            (
                ("work_unit", TEXT),
                ("contact_name", TEXT),
                ("contact_phone", TEXT),
                ("residence_type", TEXT),
                ("blood_abo", TEXT),
                ("blood_rh", TEXT),
                ("education", TEXT),
                ("occupation", TEXT),
                ("marital", TEXT),
                ("payment", TEXT),
                ("payment_other", TEXT),
                ("allergy", TEXT),
                ("allergy_other", TEXT),
                ("exposure", TEXT),
                ("surgery", TEXT),
                ("trauma", TEXT),
                ("transfusion", TEXT),
                ("family_father", TEXT),
                ("family_father_other", TEXT),
                ("family_mother", TEXT),
                ("family_mother_other", TEXT),
                ("family_siblings", TEXT),
                ("family_siblings_other", TEXT),
                ("family_children", TEXT),
                ("family_children_other", TEXT),
                ("hereditary", TEXT),
                ("hereditary_name", TEXT),
                ("disability", TEXT),
                ("disability_other", TEXT),
                ("kitchen_exhaust", TEXT),
                ("fuel", TEXT),
                ("drinking_water", TEXT),
                ("toilet", TEXT),
                ("livestock_pen", TEXT),
            ),
        ),
    ),
    Migration(
        "0066_resident_past_diseases",
        rows_table(
            "residents",
            "id",
            "past_diseases",
            (("disease", TEXT), ("disease_other", TEXT), ("diagnosed", TEXT)),
        ),
    ),
    Migration(
        "0067_resident_surgeries",
        rows_table("residents", "id", "surgeries", (("name", TEXT), _OCCURRED)),
    ),
    Migration(
        "0068_resident_traumas",
        rows_table("residents", "id", "traumas", (("name", TEXT), _OCCURRED)),
    ),
    Migration(
        "0069_resident_transfusions",
        rows_table("residents", "id", "transfusions", (("reason", TEXT), _OCCURRED)),
    ),
)
