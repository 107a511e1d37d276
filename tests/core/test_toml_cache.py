"""The form files' parse cache (issue 15, :mod:`ygt_desktop.core.toml_cache`): a file
is parsed once and read back from the cache after, parsed again when its bytes change;
a damaged, missing or unwritable cache changes nothing but the time; the forms loaded
through it are the forms loaded without it."""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib

import pytest

from ygt_desktop.core import toml_cache
from ygt_desktop.core.forms import FormFileError, FormRegistry, load_form
from ygt_desktop.core.toml_cache import TomlCache
from ygt_desktop.paths import forms_dir, resources_dir


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> None:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(toml_cache.tomllib, "loads", refuse)


def test_a_file_is_parsed_once_then_read_from_the_cache(tmp_path, monkeypatch):
    source = tmp_path / "a.toml"
    source.write_text('[form]\nid = "a"\nlist = [1, 2.5, "三"]\n', encoding="utf-8")
    cache = tmp_path / ".parsed.json"
    first = TomlCache(cache)
    data = first.read(source)
    first.save()
    assert json.loads(cache.read_text(encoding="utf-8"))[f"{tmp_path.name}/a.toml"][1] == data
    if os.name == "posix":  # as readable as the form files, for every account of the PC
        assert cache.stat().st_mode & 0o777 == 0o644
    no_parsing(monkeypatch)
    assert TomlCache(cache).read(source) == data == {"form": {"id": "a", "list": [1, 2.5, "三"]}}


def test_a_changed_file_is_parsed_again(tmp_path):
    source = tmp_path / "a.toml"
    cache = tmp_path / ".parsed.json"
    source.write_text("x = 1\n", encoding="utf-8")
    c = TomlCache(cache)
    c.read(source)
    c.save()
    source.write_text("x = 2\n", encoding="utf-8")
    again = TomlCache(cache)
    assert again.read(source) == {"x": 2}
    again.save()
    assert json.loads(cache.read_text(encoding="utf-8"))[f"{tmp_path.name}/a.toml"][1] == {"x": 2}


@pytest.mark.parametrize("damage", ["", "{", "[1, 2]", '{"KEY": [1]}', '{"KEY": ["x", 5]}'])
def test_a_damaged_cache_is_ignored(tmp_path, damage):
    source = tmp_path / "a.toml"
    source.write_text("x = 1\n", encoding="utf-8")
    cache = tmp_path / ".parsed.json"
    cache.write_text(damage.replace("KEY", f"{tmp_path.name}/a.toml"), encoding="utf-8")
    c = TomlCache(cache)
    assert c.read(source) == {"x": 1}
    c.save()
    assert json.loads(cache.read_text(encoding="utf-8"))[f"{tmp_path.name}/a.toml"][1] == {"x": 1}


def test_dates_come_back_as_dates_and_a_nan_is_never_cached(tmp_path, monkeypatch):
    source = tmp_path / "a.toml"
    source.write_text(
        "day = 2026-12-04\nat = 2026-12-04T08:30:00\nclock = 08:30:00\nn = 1\n", encoding="utf-8"
    )
    odd = tmp_path / "b.toml"
    odd.write_text("x = nan\n", encoding="utf-8")
    cache = tmp_path / ".parsed.json"
    c = TomlCache(cache)
    expected = tomllib.loads(source.read_text(encoding="utf-8"))
    assert c.read(source) == expected
    assert c.read(odd)["x"] != c.read(odd)["x"]  # NaN, parsed each time
    c.save()
    assert list(json.loads(cache.read_text(encoding="utf-8"))) == [f"{tmp_path.name}/a.toml"]
    no_parsing(monkeypatch)
    again = TomlCache(cache).read(source)
    assert again == expected and type(again["day"]) is dt.date and type(again["at"]) is dt.datetime


def test_an_unwritable_cache_is_ignored(tmp_path):
    folder = tmp_path / "cache.json"
    folder.mkdir()  # a folder where the cache file should be
    source = tmp_path / "a.toml"
    source.write_text("n = 1\n", encoding="utf-8")
    c = TomlCache(folder)
    assert c.read(source) == {"n": 1}
    c.save()  # cannot replace a folder: ignored, nothing left behind
    assert folder.is_dir() and list(tmp_path.glob(".parsed-*")) == []


def test_bad_toml_still_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[form\n", encoding="utf-8")
    with pytest.raises(FormFileError, match="bad.toml.*TOML"):
        load_form(bad, None, TomlCache(tmp_path / ".parsed.json"))


def shape(registry: FormRegistry) -> list[object]:
    return [
        (
            f.id,
            f.version,
            f.table,
            f.kind,
            f.settings,
            [
                (x.id, x.type, x.choices, x.required, x.relevant and x.relevant.source)
                for x in f.fields
            ],
        )
        for f in registry
    ]


def test_the_forms_through_the_cache_are_the_forms_without_it(tmp_path, monkeypatch):
    cache = tmp_path / ".parsed.json"
    codes = resources_dir() / "codes"
    plain = FormRegistry.load(forms_dir(), codes)
    FormRegistry.load(forms_dir(), codes, cache)  # fills it
    assert len(json.loads(cache.read_text(encoding="utf-8"))) > len(
        list(forms_dir().glob("*.toml"))
    )
    no_parsing(monkeypatch)
    assert shape(FormRegistry.load(forms_dir(), codes, cache)) == shape(plain)
