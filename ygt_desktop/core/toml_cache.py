"""Form files read through a cache of their parsed contents (issue 15: the window's
start and every ``ygt`` command read all 47 form files; Python's TOML parser takes
about 100 ms over them, the same data read back as JSON 5 ms).

The cache is one JSON file beside the form files, ``{folder/file name: [digest of
the file's bytes, parsed data]}`` (the code lists the forms name are in it too). A
file whose bytes changed is parsed again (its digest differs); dates and times are
tagged, and data that would not come back equal (a NaN) is not cached. The cache is a convenience: an
unreadable, damaged or unwritable one is ignored, and the files are parsed as
without it — never a different result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any


class TomlCache:
    """Parse TOML files, remembering the results in ``path`` (None: remember nothing)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, list[Any]] = {}
        self._changed = False
        if path is not None:
            with contextlib.suppress(OSError, ValueError):
                loaded = _loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._entries = loaded

    def read(self, file: Path) -> dict[str, Any]:
        """The parsed contents of ``file`` (raises as ``tomllib.loads`` would, and
        UnicodeDecodeError for a file not in UTF-8)."""
        raw = file.read_bytes()
        digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
        # folder and name: the cache lies beside the form files (and the code lists a
        # folder away), the same wherever the program is installed
        key = f"{file.parent.name}/{file.name}"
        entry = self._entries.get(key)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest:
            if isinstance(entry[1], dict):
                return entry[1]
        data = tomllib.loads(raw.decode("utf-8"))
        try:
            kept = _loads(json.dumps(data, default=_tagged))
        except (TypeError, ValueError):  # nothing TOML gives; parsed every time all the same
            return data
        if kept == data:
            self._entries[key] = [digest, kept]
            self._changed = True
        return data

    def save(self) -> None:
        """Write the cache if anything was parsed (atomically; failures ignored)."""
        if self.path is None or not self._changed:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".parsed-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(self._entries, f, ensure_ascii=False, default=_tagged)
                os.chmod(tmp, 0o644)  # readable as the form files are (mkstemp: owner only)
                os.replace(tmp, self.path)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._changed = False


# TOML's dates and times, which JSON has not: {"$toml": kind, "iso": text}.
_KINDS: dict[str, Any] = {"datetime": dt.datetime, "date": dt.date, "time": dt.time}


def _tagged(value: Any) -> dict[str, str]:
    for kind, cls in _KINDS.items():  # datetime first: a datetime is also a date
        if isinstance(value, cls):
            return {"$toml": kind, "iso": value.isoformat()}
    raise TypeError(f"not cached: {type(value).__name__}")


def _untagged(obj: dict[str, Any]) -> Any:
    kind = obj.get("$toml")
    if kind in _KINDS and set(obj) == {"$toml", "iso"}:
        return _KINDS[kind].fromisoformat(obj["iso"])
    return obj


def _loads(text: str) -> Any:
    return json.loads(text, object_hook=_untagged)
