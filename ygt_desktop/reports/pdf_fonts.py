"""Fonts for PDF output: the bundled WenQuanYi Micro Hei, and what to do where it has no glyph.

reportlab draws a character its font lacks as an empty box or nothing at all, without
a word. So every text goes through :class:`TextFonts` before it reaches a PDF: each
character the bundled font lacks (CJK Extension A names such as 刘䶮) is drawn with a
TrueType system font that has it (SimSun on Windows, anything under /usr/share/fonts on
Linux) or, failing that, replaced by :data:`MARKER` with a warning naming it.

Fonts are registered with reportlab once per process; the functions are safe to call
from a worker thread after the first call returned (the caches are filled once).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fontTools.ttLib import TTCollection, TTFont, TTLibError
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError
from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

from ..paths import font_path

FONT_NAME = "YgtWqyMicroHei"
MARKER = "□"
_IGNORED = frozenset("\n\r\t")
# Preferred fallbacks first: SimSun covers Extension A, SimSun-ExtB Extension B.
_PREFERRED = ("simsun.ttc", "simsunb.ttf", "SimSun-ExtB.ttf", "SimsunExtG.ttf", "mingliub.ttc")
_SUFFIXES = (".ttf", ".ttc")


@dataclass(frozen=True)
class Run:
    """A stretch of text drawn with one registered font."""

    text: str
    font: str


@cache
def register_fonts() -> str:
    """Register the bundled font (subfont 0 of the .ttc) once; return its reportlab name."""
    pdfmetrics.registerFont(ReportlabTTFont(FONT_NAME, str(font_path()), subfontIndex=0))
    return FONT_NAME


@cache
def _primary_cmap() -> frozenset[int]:
    return _cmap(font_path(), 0) or frozenset()


def missing_chars(text: str) -> set[str]:
    """The characters of ``text`` the bundled font has no glyph for (line breaks ignored)."""
    cmap = _primary_cmap()
    return {c for c in text if ord(c) not in cmap and c not in _IGNORED}


def _cmap(path: Path, index: int) -> frozenset[int] | None:
    """The code points of a TrueType-outline font, or None if reportlab cannot use it."""
    try:
        if path.suffix.lower() == ".ttc":
            font = TTCollection(str(path), lazy=True).fonts[index]
        else:
            font = TTFont(str(path), lazy=True)
        if "glyf" not in font:  # CFF outlines (Noto/Source Han CJK): reportlab refuses them
            return None
        return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, IndexError, KeyError, AssertionError, ValueError):
        return None


def _font_dirs() -> list[Path]:
    windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
    home = Path.home()
    return [
        windir / "Fonts",
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
    ]


def _candidate_files() -> Iterator[Path]:
    dirs = [d for d in _font_dirs() if d.is_dir()]
    seen: set[Path] = set()
    for d in dirs:
        for name in _PREFERRED:
            if (d / name).is_file():
                seen.add(d / name)
                yield d / name
    for d in dirs:
        for path in sorted(d.rglob("*")):
            if path.suffix.lower() in _SUFFIXES and path not in seen and path.is_file():
                yield path


@cache
def _candidates() -> tuple[tuple[Path, int], ...]:
    """System font faces (path, subfont index) to try, preferred ones first."""
    bundled = font_path().resolve()
    return tuple(
        (path, index)
        for path in _candidate_files()
        if path.resolve() != bundled
        for index in range(_subfont_count(path))
    )


def _subfont_count(path: Path) -> int:
    if path.suffix.lower() != ".ttc":
        return 1
    try:
        return len(TTCollection(str(path), lazy=True).fonts)
    except (OSError, TTLibError, AssertionError, ValueError):
        return 0


_chosen: dict[str, str | None] = {}
_lock = threading.Lock()


def fallback_fonts(chars: Iterable[str]) -> dict[str, str | None]:
    """For each character, a registered system font that has it, or None if none has.

    Fonts are read one at a time (their character maps are not kept) and the answers
    are remembered, so a character is looked for at most once per process.
    """
    wanted = set(chars)
    with _lock:
        todo = wanted - _chosen.keys()
        for number, (path, index) in enumerate(_candidates()):
            if not todo:
                break
            cmap = _cmap(path, index)
            hits = {c for c in todo if cmap and ord(c) in cmap}
            name = f"YgtFallback{number}"
            if hits and _register(name, path, index):
                _chosen.update(dict.fromkeys(hits, name))
                todo -= hits
        _chosen.update(dict.fromkeys(todo))
        return {c: _chosen[c] for c in wanted}


def fallback_font(char: str) -> str | None:
    """A registered system font that has ``char``, or None when no usable font has it."""
    return fallback_fonts(char)[char]


@cache
def _register(name: str, path: Path, index: int) -> bool:
    try:
        pdfmetrics.registerFont(ReportlabTTFont(name, str(path), subfontIndex=index))
    except (TTFError, OSError, ValueError, KeyError):  # e.g. a font that forbids embedding
        return False
    return True


@dataclass
class TextFonts:
    """Splits text into runs by font and collects a warning per character it had to replace.

    ``warnings`` are Chinese sentences for the user, one per replaced character, in the
    order first seen; the same character is reported once.
    """

    warnings: list[str] = field(default_factory=list)
    _replaced: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        register_fonts()

    def runs(self, text: str) -> list[Run]:
        """``text`` as runs; characters no font has become :data:`MARKER`."""
        fallbacks = fallback_fonts(missing_chars(text))
        runs: list[Run] = []
        for char in text:
            font, shown = (
                (FONT_NAME, char)
                if char not in fallbacks
                else (self._substitute(char, fallbacks[char], text))
            )
            if runs and runs[-1].font == font:
                runs[-1] = Run(runs[-1].text + shown, font)
            else:
                runs.append(Run(shown, font))
        return runs

    def markup(self, text: str, width: float | None = None, size: float = 9.0) -> str:
        """``text`` as reportlab Paragraph markup (escaped, fonts switched, line breaks kept).

        With ``width`` the text is broken into lines of at most ``width`` points at font
        ``size`` here (reportlab's own CJK wrapping lets a line overflow before a closing
        bracket that follows a digit, as in 居住满6个月）).
        """
        if width is None:
            return _markup(self.runs(text.replace("\r\n", "\n")))
        return "<br/>".join(self.markup_lines(text, width, size))

    def markup_lines(self, text: str, width: float, size: float = 9.0) -> list[str]:
        """``text`` broken into lines of at most ``width`` points, each line as markup."""
        runs = self.runs(text.replace("\r\n", "\n"))
        return [_markup(line) for line in break_lines(runs, width, size)]

    def _context(self, char: str, text: str) -> str:
        words = [w.rsplit("：", 1)[-1] for w in text.split() if char in w]
        return (words[0] if words else text.strip())[:20]

    def _substitute(self, char: str, fallback: str | None, text: str) -> tuple[str, str]:
        if fallback is not None:
            return fallback, char
        if char not in self._replaced:
            self._replaced.add(char)
            self.warnings.append(
                f"字符“{char}”（U+{ord(char):04X}，见“{self._context(char, text)}”）在打印字体中没有，"
                f"已印为“{MARKER}”，请在纸质表上手工补写"
            )
        return FONT_NAME, MARKER


def _markup(runs: list[Run]) -> str:
    parts = []
    for run in runs:
        body = escape(run.text).replace("\n", "<br/>")
        parts.append(body if run.font == FONT_NAME else f'<font face="{run.font}">{body}</font>')
    return "".join(parts)


# Characters a line may not start with, or end with (GB/T 15834 punctuation rules).
_NO_START = frozenset("）》」』】〕〉”’，。、；：！？…—)]},.;:!?%·")
_NO_END = frozenset("（《「『【〔〈“‘([{")
_Token = list[tuple[str, str]]  # (character, font)


def _tokens(runs: list[Run]) -> list[_Token]:
    """Units that stay on one line: a run of ASCII letters/digits is one, any other
    character is one by itself."""
    tokens: list[_Token] = []
    for run in runs:
        for char in run.text:
            joins = char.isascii() and char.isalnum() or char in "-./%+_'"
            last = tokens[-1] if tokens else None
            if joins and last and last[-1][0].isascii() and not last[-1][0].isspace():
                last.append((char, run.font))
            else:
                tokens.append([(char, run.font)])
    return tokens


def _width(token: _Token, size: float) -> float:
    return float(sum(pdfmetrics.stringWidth(c, f, size) for c, f in token))


def _as_runs(line: list[_Token]) -> list[Run]:
    runs: list[Run] = []
    for char, font in (pair for token in line for pair in token):
        if runs and runs[-1].font == font:
            runs[-1] = Run(runs[-1].text + char, font)
        else:
            runs.append(Run(char, font))
    return runs


def break_lines(runs: list[Run], width: float, size: float) -> list[list[Run]]:
    """Break ``runs`` into lines no wider than ``width`` points at ``size``.

    Breaks between Chinese characters and at spaces, keeps ASCII words and numbers
    whole unless one alone is too wide, keeps closing punctuation off the start of a
    line and opening punctuation off its end, and honours ``\\n``.
    """
    lines: list[list[_Token]] = [[]]
    used = 0.0
    for token in _tokens(runs):
        w = _width(token, size)
        if token[0][0] == "\n":
            lines.append([])
            used = 0.0
        elif used + w <= width:
            lines[-1].append(token)
            used += w
        elif token[0][0].isspace():
            continue  # the line breaks here; the space is not printed
        elif w > width:  # a word longer than a line: fill this line, go on in the next
            for pair in token:
                if lines[-1] and used + _width([pair], size) > width:
                    lines.append([])
                    used = 0.0
                lines[-1].append([pair])
                used += _width([pair], size)
        else:
            lines.append([*_carry(lines[-1], token), token])
            used = sum(_width(t, size) for t in lines[-1])
    return [_as_runs(_trim(line)) for line in lines]


def _carry(line: list[_Token], token: _Token) -> list[_Token]:
    """Tokens to move from the end of a full ``line`` to the next (kinsoku)."""
    carry: list[_Token] = []
    if token[0][0] in _NO_START and len(line) > 1:
        carry.insert(0, line.pop())
    while len(line) > 1 and line[-1][0][0] in _NO_END:
        carry.insert(0, line.pop())
    return carry


def _trim(line: list[_Token]) -> list[_Token]:
    while line and line[-1][0][0].isspace():
        line.pop()
    while line and line[0][0][0].isspace():
        line.pop(0)
    return line


def runs_width(runs: list[Run], size: float) -> float:
    return float(sum(pdfmetrics.stringWidth(r.text, r.font, size) for r in runs))


def draw_runs(
    canvas: Any, x: float, y: float, runs: list[Run], size: float, *, bold: bool = False
) -> float:
    """Draw ``runs`` from (x, y) on a reportlab canvas; return the width drawn.

    ``bold`` strokes the outlines as well (the bundled font has no bold face).
    """
    text = canvas.beginText(x, y)
    if bold:
        canvas.setLineWidth(size / 30)
        text.setTextRenderMode(2)
    for run in runs:
        text.setFont(run.font, size)
        text.textOut(run.text)
    canvas.drawText(text)
    return runs_width(runs, size)
