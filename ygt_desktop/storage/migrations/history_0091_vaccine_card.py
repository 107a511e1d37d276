"""Migrations from 0091: the 预防接种卡's header items the catch-up rules read (issue 14).

- 0091: the 建证 record's items of the card it lacked (监护人姓名, 与儿童关系, 疫苗异常反应史,
  接种禁忌, 传染病史) and the two facts the HepB rules read (母亲乙肝表面抗原, 出生体重 kg).
  New empty columns only: no record changes.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import REAL, TEXT, Migration, add_columns

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0091_vaccination_card_header",
        add_columns(
            "f_vaccination",
            (
                ("guardian_name", TEXT),
                ("guardian_relation", TEXT),
                ("mother_hbsag", TEXT),
                ("birth_weight", REAL),
                ("adverse_reaction_history", TEXT),
                ("contraindications", TEXT),
                ("infectious_history", TEXT),
            ),
        ),
    ),
)
