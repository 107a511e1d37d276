"""README's set-up commands are what CI runs.

``.ci/run`` evaluates README's Linux test command character for character, and installs
the very system packages README's Linux note names; these tests keep the two files from
drifting apart (a README command nobody runs is soon a wrong one).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text under ``## title`` up to the next heading of any level."""
    start = README.index(f"## {title}")
    following = re.compile(r"^#{1,6} ", re.M).search(README, start + 1)
    return README[start : following.start() if following else len(README)]


def code_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S)]


def ci_test_command() -> str:
    match = re.search(r"^TEST_COMMAND='([^']*)'$", CI, re.M)
    assert match, ".ci/run names no TEST_COMMAND"
    return match.group(1)


def ci_packages() -> set[str]:
    match = re.search(r"^QT_X11_PACKAGES=\(\n(.*?)^\)", CI, re.M | re.S)
    assert match, ".ci/run names no QT_X11_PACKAGES"
    return set(match.group(1).split())


def test_ci_runs_readmes_linux_test_command():
    blocks = code_blocks(section("Install and run the tests — one command"))
    assert ci_test_command() == blocks[0]
    assert "python -m pytest" in blocks[0] and ".venv" in blocks[0]


def test_each_set_up_command_is_one_line():
    for title in (
        "Install and open the app — one command",
        "Install and run the tests — one command",
    ):
        blocks = code_blocks(section(title))
        assert len(blocks) == 2, title  # Linux, then Windows
        assert all("\n" not in b for b in blocks), title


def test_readme_names_the_packages_ci_installs():
    (block,) = [b for b in code_blocks(README) if b.startswith("sudo apt-get install")]
    words = shlex.split(block.replace("\\\n", " "))
    named = {w for w in words[3:] if not w.startswith("-")}
    assert named - {"python3-venv", "python3-pip"} == ci_packages()
    assert {"python3-venv", "python3-pip"} <= named
