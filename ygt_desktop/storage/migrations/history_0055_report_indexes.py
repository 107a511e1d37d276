"""Migration 0055: indexes for the quarterly report's questions (issue 15: the report
in under a second at 265,000 residents and 1,000,000 records).

Each index answers one question from its own pages instead of the rows of a large
table (figures from the 265,000-resident demo station):

- ``service_records_live``: a form's live records by date, with the resident. The
  report reads them form by form for the year so far; ``service_records_form`` finds
  them but ``deleted`` and ``resident_id`` are on the row, one more page read per
  record (registers' patients 41 → 7 ms, the residents served in a year 160 → 90 ms).
  ``deleted`` is a column too: SQLite uses a partial index as covering only when the
  columns its condition names are in it.
- ``service_records_closing``: the live records that close a pregnancy or a TB case,
  by episode — whether an episode was still open on a day, without reading every
  record of it (the open pregnancies 47 → 5 ms).
- ``residents_gone``: the residents deleted or whose archive is closed — with the
  archive-date index, everyone whose archive was not open on a day, without reading
  the 265,000 rows (63 → 10 ms).
- ``residents_flagged``: the residents in a key population by an archive flag (残疾,
  贫困, 低保, 特困, 计生特殊家庭) (63 → 18 ms).
- ``e_contract_in_force`` and ``e_contract_renewals``: contracts in force on a day,
  ending in a period, and renewed (152 → 57 ms). Not partial: the builders that change
  an entity table's columns (sqlite-utils ``transform``) cannot carry a partial index
  over, and ``e_contract`` had none.

Frozen history: never edit a released migration, add a new one.
"""

from __future__ import annotations

from .builders import Migration, sql

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0055_report_indexes",
        sql(
            """
            CREATE INDEX service_records_live ON service_records
                (form_id, service_date, resident_id, deleted) WHERE deleted = 0;
            CREATE INDEX service_records_closing ON service_records (episode_id, service_date)
                WHERE closes_episode = 1 AND deleted = 0;
            CREATE INDEX residents_gone ON residents
                (deleted, status, status_date, archive_date)
                WHERE deleted != 0 OR status != '在档';
            CREATE INDEX residents_flagged ON residents
                (flag_disabled, flag_poverty, flag_dibao, flag_tekun, flag_family_planning)
                WHERE flag_disabled = 1 OR flag_poverty = 1 OR flag_dibao = 1
                OR flag_tekun = 1 OR flag_family_planning = 1;
            CREATE INDEX e_contract_in_force ON e_contract
                (deleted, end_date, start_date, termination_date, resident_id);
            CREATE INDEX e_contract_renewals ON e_contract (deleted, renews_id, sign_date);
            """
        ),
    ),
)
