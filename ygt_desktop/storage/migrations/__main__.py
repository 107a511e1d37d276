"""``python -m ygt_desktop.storage.migrations``: the entries to add after changing forms.

The one place in this package that loads ``forms/`` (a developer tool, not history).
"""

from __future__ import annotations

import sqlite3

from ..workspace import load_forms
from . import apply_pending, suggest


def main() -> None:
    memory = sqlite3.connect(":memory:", isolation_level=None)
    apply_pending(memory)
    lines = suggest(memory, load_forms())
    if lines:
        print("# 加到 ygt_desktop/storage/migrations/ 中最新的 history_*.py 的 MIGRATIONS 末尾：")
    print("\n".join(lines) or "表单与迁移一致。")


if __name__ == "__main__":
    main()
