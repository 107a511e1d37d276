"""完整度 of resident archives in SQL, from the resident form's ``[completeness]`` items.

Computed from the columns each time it is read (nothing kept, so no migration fills
anything and a changed list in the form file applies at once): a stored item counts
when its column is neither NULL nor empty, a repeating group when its child table has
a line of the resident. The register reads :func:`filled_sql` for the 200 rows it shows
and filters on :func:`incomplete_sql` over the whole table (one pass, each group's
lines found through the child table's primary key).
"""

from __future__ import annotations

from ..core.forms import FormDef
from ..core.resident import completeness_items
from .migrations.builders import child_table


def _terms(form: FormDef, alias: str) -> list[str]:
    terms = []
    for f in completeness_items(form):
        if f.is_rows:
            table = child_table(form.table, f.id)
            terms.append(f"EXISTS (SELECT 1 FROM {table} WHERE record_id = {alias}.id)")
        else:
            terms.append(f"coalesce({alias}.{f.id} IS NOT NULL AND {alias}.{f.id} != '', 0)")
        # f.id comes from a checked form file (lower-case identifiers only).
    return terms


def filled_sql(form: FormDef, alias: str = "residents") -> str:
    """An SQL expression: how many of the items the resident row ``alias`` has answered."""
    return "(" + " + ".join(_terms(form, alias)) + ")"


def incomplete_sql(form: FormDef, alias: str = "residents") -> str:
    """An SQL condition true for a resident row ``alias`` with an item unanswered."""
    return "NOT (" + " AND ".join(_terms(form, alias)) + ")"


def item_count(form: FormDef) -> int:
    """How many items count (the denominator of the percentage)."""
    return len(completeness_items(form))
