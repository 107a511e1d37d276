"""Migrations from 0070: 家庭档案 — households and their members (issue 13, part 2).

- 0070: the household (``forms/household.toml``): 户编号, 居委/村委, 住址, 家庭结构,
  居住情况, 备注, as an entity table.
- 0071: its members as lines (居民, 与户主关系), one table keyed by the household.
- 0072: a resident is a member of at most one household (unique by resident; also the
  index that finds a resident's household), and households by number.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import INTEGER, TEXT, Migration, entity_table, rows_table, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0070_household",
        entity_table(
            "e_household",
            (
                ("household_no", TEXT),
                ("village_code", TEXT),
                ("address", TEXT),
                ("structure", TEXT),
                ("living", TEXT),
                ("note", TEXT),
            ),
        ),
    ),
    Migration(
        "0071_household_members",
        rows_table("e_household", "id", "members", (("resident_id", INTEGER), ("relation", TEXT))),
    ),
    Migration(
        "0072_household_indexes",
        sql("""
        CREATE UNIQUE INDEX e_household__members_resident ON e_household__members(resident_id);
        CREATE INDEX e_household_no ON e_household(household_no);
        """),
    ),
)
