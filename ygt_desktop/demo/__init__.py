"""The synthetic demo station: generators of people and their records, and bulk loaders.

Not domain rules: used by ``ygt demo``, the benchmarks and the tests to fill a database
with a realistic, deterministic station. May import ``core`` and ``storage``; only
``ops``, ``cli``, the benchmarks and the tests import it.

- :mod:`.residents` — villages and residents (age pyramid, valid ID numbers);
  :mod:`.services` — their service histories; :mod:`.referrals`, :mod:`.contracts`,
  :mod:`.equipment` — referrals, family-doctor contracts, equipment.
- ``load_*`` — the bulk loaders writing those into a workspace's database in one
  transaction each; :mod:`.base_data` — the year's base figures estimated from the archive.
"""
