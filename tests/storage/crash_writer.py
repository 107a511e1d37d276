"""Helper for the kill test: save residents in a loop until killed.

Usage: ``python crash_writer.py DB_PATH [TAG] [--wait]``.

Opens the workspace (taking the one-app-per-file lock), prints ``opened``, then saves
new residents one by one through ``ResidentRepo.save``; after each ``save`` returns it
prints ``<record id>\\t<name>`` and flushes. A printed line is a save the user was told
succeeded: the test kills this process at a random moment and checks that every such
save is still in the database.

With ``--wait`` it first loads everything, prints ``ready`` and waits for a line on
stdin before opening the database, so the test can start the next writer while the
previous one is still saving (the lock allows only one of them to open the file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ygt_desktop.storage.workspace import Workspace, load_forms


def main(argv: list[str]) -> int:
    wait = "--wait" in argv
    args = [a for a in argv[1:] if a != "--wait"]
    db_path = Path(args[0])
    tag = args[1] if len(args) > 1 else str(os.getpid())
    forms = load_forms()
    if wait:
        print("ready", flush=True)
        if not sys.stdin.readline():
            return 0  # the test went away without saying go
    ws = Workspace.open(db_path, lock=True, forms=forms)
    print("opened", flush=True)
    i = 0
    while True:
        i += 1
        # A fixed-width serial after the tag: no name is a prefix of another.
        name = f"崩溃测试{tag}号{i:06d}"
        change = ws.residents.save(
            {
                "name": name,
                "no_id_reason": "9",
                "sex": "1",
                "birth_date": "1975-03-14",
                "ethnicity": "01",
                "village_code": "101",
                "note": "批量保存中被强制结束",
            }
        )
        print(f"{change.record_id}\t{name}", flush=True)


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    raise SystemExit(main(sys.argv))
