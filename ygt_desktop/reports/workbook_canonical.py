"""The canonical bytes of an upward workbook (format version 2, docs/exchange.md): what
its ``digest`` is the SHA-256 of and what its ``signature`` signs.

    {"data":[[f1,…,f7],…],"meta":[["key","value"],…]}

- ``data``: the ``_data`` rows under the header, in sheet order (top to bottom; a row
  whose seven cells are all empty is skipped), each as its seven fields: an empty cell
  is ``null``; text is the string as stored; a number is a *string* in the digest's
  textual form (:func:`~ygt_desktop.core.report_model.canonical`: a whole number
  without a point, ``60`` never ``60.0``; any other in its shortest round-trip form,
  Python's ``repr``, ``66.7``);
- ``meta``: every ``_meta`` pair except ``digest`` and ``signature``, sorted by key
  (Unicode code points), each ``[key, value]`` with the value as text (an empty cell
  is ``""``, a number its canonical text);
- serialised as JSON without spaces (separators ``,`` and ``:``), non-ASCII characters
  as themselves (not ``\\u`` escapes), the two keys in the order ``data``, ``meta``;
  encoded as UTF-8 — exactly Python's ``json.dumps(obj, ensure_ascii=False,
  separators=(",", ":"))``.

Numbers go in as strings so that no JSON library's float formatting takes part.
``signed_by_key`` is covered (the signature names its key). Format version 1
workbooks keep their old digest (``_data`` only, :func:`~ygt_desktop.core.report_model.digest`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..core.report_model import canonical, digest

DIGEST_KEY, SIGNATURE_KEY, SIGNED_BY_KEY = "digest", "signature", "signed_by_key"
UNCOVERED = frozenset({DIGEST_KEY, SIGNATURE_KEY})
SIGNED_FORMAT = 2


class Signer(Protocol):
    """What signs a workbook: an unlocked Ed25519 key (``storage.keys.KeySigner``)."""

    @property
    def fingerprint(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def _field(value: Any) -> str | None:
    return None if value is None else canonical(value)


def canonical_bytes(data: Sequence[Sequence[Any]], meta: Mapping[str, str]) -> bytes:
    """The canonical bytes of the rows and ``_meta`` (see the module docstring)."""
    doc = {
        "data": [[_field(v) for v in row] for row in data],
        "meta": [[k, meta[k]] for k in sorted(meta) if k not in UNCOVERED],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def workbook_digest(data: Sequence[Sequence[Any]], meta: Mapping[str, str]) -> str:
    """The digest ``_meta`` should hold, by its ``format_version``: 1 — ``_data`` only
    (exchange.md); 2 and later — SHA-256 hex of :func:`canonical_bytes`."""
    version = str(meta.get("format_version", "")).strip()
    if version == "1":
        return digest(data)
    return hashlib.sha256(canonical_bytes(data, meta)).hexdigest()
