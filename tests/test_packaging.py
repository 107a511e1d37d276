"""The wheel lists its packages by hand (pyproject.toml): every package folder of
ygt_desktop/ must be there, or the installed app misses modules (issue 10: ops/ and
the migrations package were new)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import ygt_desktop

ROOT = Path(ygt_desktop.__file__).parent


def test_every_package_is_in_the_wheel():
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        "ygt_desktop." + ".".join(p.parent.relative_to(ROOT).parts)
        for p in ROOT.rglob("__init__.py")
    }
    found = {name.rstrip(".") for name in found}
    assert found - listed == set()
