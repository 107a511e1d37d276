"""What a resident's 既往史 asks for: a disease ticked (高血压, 糖尿病, 严重精神障碍,
结核病) whose register or case the resident is not on. A hint after saving the
archive, never a block: the register is made by the doctor with its own form."""

from __future__ import annotations

from ..core.forms import FormRegistry
from ..core.programmes import REGISTERS
from ..core.resident import past_disease_registers, register_hint
from .db import Store
from .migrations.builders import child_table


def missing_registers(store: Store, forms: FormRegistry, resident_id: int) -> list[str]:
    """The hints for ``resident_id`` (empty: nothing missing), in 既往史 code order.

    A register counts when the resident has a live record of its form (open or closed:
    a closed register still knew of the disease); a case (结核病) when a live record
    opens one for the resident."""
    form = forms["resident"]
    wanted = past_disease_registers(form)
    if not wanted:
        return []
    table = child_table(form.table, "past_diseases")
    codes = {
        r[0]
        for r in store.conn.execute(
            f"SELECT DISTINCT disease FROM {table} WHERE record_id = ?", (resident_id,)
        )
    }
    labels = form.field("past_diseases").column["disease"].choice_labels
    registers = forms.register_forms()
    openers = forms.episode_openers()
    hints = []
    for code, key in sorted(wanted.items(), key=lambda kv: int(kv[0])):
        if code not in codes:
            continue
        opener = registers.get(key) if key in REGISTERS else openers.get(key)
        if opener is None:
            continue
        found = store.conn.execute(
            "SELECT 1 FROM service_records WHERE resident_id = ? AND form_id = ? AND deleted = 0 "
            "LIMIT 1",
            (resident_id, opener.id),
        ).fetchone()
        if found is None:
            hints.append(register_hint(labels[code], opener.label))
    return hints
