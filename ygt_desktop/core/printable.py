"""Text from outside (a file name on a USB stick, a sheet name or an organisation name
inside a workbook) shown safely: on a terminal an ESC starts a control sequence that
can recolour, hide or rewrite the lines around it, a CR or backspace overwrites what
was printed, and the Unicode direction overrides make ``gpj.xlsx`` read as
``xlsx.jpg`` in a window. :func:`printable` shows every such character as its escape
(``\\x1b``, ``\\u202e``), visibly, and leaves all other text — Chinese included — as
it is.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline too: one name is one line), DEL, C1 controls, and the
# bidirectional embeddings, overrides and isolates, the line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or direction character written as its escape."""
    return _UNSAFE.sub(_escape, text)
