"""Migration 0090: a newborn's discharge on the child's record, 末次月经 不详 (issue 14).

- ``residents.birth_discharged_date`` (出生后出院日期): the worklist counts the
  新生儿家庭访视's window from it as soon as the child is registered. A change of it marks
  the resident for the kept worklist rows as a change of the birth date does (0054's
  triggers name their columns).
- ``f_prenatal_first.lmp_unknown`` (末次月经不详): the first check's 孕周 is then typed, and
  the pregnancy's weeks count from it.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

import sqlite_utils

from .builders import INTEGER, TEXT, Migration, add_columns, sql


def _newborn_and_lmp(db: sqlite_utils.Database) -> None:
    add_columns("residents", (("birth_discharged_date", TEXT),))(db)
    sql(
        "CREATE TRIGGER worklist_resident_discharged "
        "AFTER UPDATE OF birth_discharged_date ON residents BEGIN "
        "INSERT INTO worklist_dirty (resident_id) SELECT NEW.id WHERE NOT EXISTS "
        "(SELECT 1 FROM worklist_dirty WHERE resident_id = NEW.id); END;"
    )(db)
    add_columns("f_prenatal_first", (("lmp_unknown", INTEGER),))(db)


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0090_newborn_discharge_lmp_unknown", _newborn_and_lmp),
)
