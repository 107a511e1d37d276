"""Migrations from 0085: vaccine doses on the 2021 schedule (issue 14).

- 0085: ``f_vaccine_dose``, one dose of the national immunisation schedule per record
  (forms/vaccine_dose.toml: 疫苗 is a dose id of resources/schedules/nip2021.toml).

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import TEXT, Migration, form_table

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0085_vaccine_dose",
        form_table(
            "f_vaccine_dose",
            (
                ("vaccine", TEXT),
                ("vaccination_date", TEXT),
                ("site", TEXT),
                ("batch_no", TEXT),
                ("expiry_date", TEXT),
                ("manufacturer", TEXT),
                ("doctor", TEXT),
                ("note", TEXT),
            ),
        ),
    ),
)
