"""``ygt --help`` entirely in Chinese (issue 12: "`ygt --help` and its usage errors are
Chinese"): our parsers' own words, beyond argparse's (tests/test_argparse_zh.py).

For ``ygt``, every command and sub-command found in the parser (``ygt bureau key add``
too), and ``ygt-desktop``:
- ``--help`` exits 0 and shows no run of two or more ASCII letters except the program's
  and commands' names, option names and the few words of :data:`ALLOWED`: argparse's
  upper-cased dests (``--db DB``, ``PERIOD``) are gone;
- every value has a Chinese metavar (or shows its Chinese choices) and every option,
  positional and command a help text;
- one meaning, one word: an option shows the same metavar in every command and in both
  programs (:mod:`ygt_desktop.cli_args`), with the exceptions of :data:`TWO_MEANINGS`;
- a bad value of any option with a converter or choices is a usage error (exit 2) that
  names the option and says why in Chinese.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Iterator

import pytest

from ygt_desktop import cli, cli_args
from ygt_desktop.ui import app

# ASCII words a user may see in help, and why each stays as it is.
ALLOWED = {
    "YYYY-MM-DD": "the date format, typed as shown",
    "PDF": "file format, known by this name",
    "CSV": "file format, known by this name",
    "JSON": "file format, known by this name",
    "PNG": "file format, known by this name",
    "Excel": "the program that opens the CSV",
    ".xlsx": "file-name ending, typed as shown",
    ".csv": "file-name ending, typed as shown",
    ".json": "file-name ending, typed as shown",
    "index.html": "the file the screenshot tour writes, looked for by that name",
    "YGT_USER": "environment variable, set by this name",
    "YGT_PASSWORD": "environment variable, set by this name",
    "YGT_NEW_PASSWORD": "environment variable, set by this name",
    "htn_followup": "example of the form code --form takes",
    "residents": "example of a table name as `ygt audit` prints it, what --table takes",
}

# Options that take a different kind of value in different commands (option -> words).
TWO_MEANINGS = {
    "--out": {cli_args.FILE, cli_args.FOLDER},  # a PDF or key file; the receipts' folder
    "--village": {"代码=名称", "代码"},  # init names a new village; worklist picks one
    "<file>": {"名册文件", "登记文件"},  # what ygt bureau roster, ygt bureau key add read
}

# ASCII runs with two letters in a row: a word, an option, a file name.
WORD = re.compile(r"[A-Za-z0-9_.\-]*[A-Za-z]{2}[A-Za-z0-9_.\-]*")

Path = tuple[str, ...]


@pytest.fixture(autouse=True)
def restored(monkeypatch):
    """The entry points make argparse Chinese and the umask private, process-wide: both
    are taken back after each test."""
    monkeypatch.setattr(argparse, "_", argparse._)
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)
    init = argparse._VersionAction.__init__
    monkeypatch.setattr(init, "__defaults__", init.__defaults__)
    parser_init = argparse.ArgumentParser.__init__  # its formatter class
    monkeypatch.setattr(parser_init, "__defaults__", parser_init.__defaults__)
    monkeypatch.setenv("COLUMNS", "100")
    umask = os.umask(0o022)
    os.umask(umask)
    yield
    os.umask(umask)


def desktop_parser() -> argparse.ArgumentParser:
    """``ygt-desktop``'s parser, caught as ``app.main`` is about to parse."""
    built: list[argparse.ArgumentParser] = []

    class Caught(Exception):
        pass

    def catch(self: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        built.append(self)
        raise Caught

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(argparse.ArgumentParser, "parse_args", catch)
        with pytest.raises(Caught):
            app.main([])
    return built[0]


def commands(
    parser: argparse.ArgumentParser, path: Path = ()
) -> Iterator[tuple[Path, argparse.ArgumentParser]]:
    """Every (command path, parser) under ``parser``, itself first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))


def programs() -> list[tuple[Callable[[list[str]], int], Path, argparse.ArgumentParser]]:
    """(entry point, command path, parser) for every command of both programs."""
    found: list[tuple[Callable[[list[str]], int], Path, argparse.ArgumentParser]] = [
        (cli.main, path, parser) for path, parser in commands(cli.build_parser())
    ]
    found.append((app.main, (), desktop_parser()))
    return found


def values(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """The options and positionals of ``parser`` that take a value."""
    for action in parser._actions:
        if action.nargs != 0 and not isinstance(action, argparse._SubParsersAction):
            yield action


def known_names() -> set[str]:
    """What the user types and help may show as is: programs, commands and options."""
    names = {"ygt", "ygt-desktop"}
    for _main, path, parser in programs():
        names.update(path)
        for action in parser._actions:
            names.update(action.option_strings)
    return names


def english(text: str, names: set[str]) -> list[str]:
    """The ASCII words in ``text`` that are neither names nor allowed."""
    return [w for w in WORD.findall(text) if w not in names and w not in ALLOWED]


def run(
    capsys: pytest.CaptureFixture[str], main: Callable[[list[str]], int], args: list[str]
) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_the_check_finds_english():
    """The check itself: argparse's upper-cased dests and English help are caught."""
    names = {"ygt", "report", "--db", "--period"}
    assert english("用法：ygt report [--db DB] --period PERIOD", names) == ["DB", "PERIOD"]
    assert english("只做快速检查（quick_check，几秒内完成）", names) == ["quick_check"]
    assert english("  --xlsx XLSX  写出工作簿", names) == ["--xlsx", "XLSX"]
    assert english("用法：ygt report [--db 文件] --period 统计期（如 2026Q3，PDF）", names) == []


def test_commands_are_found_to_the_deepest():
    found = {path for _main, path, _parser in programs()}
    assert {(), ("report",), ("user", "passwd"), ("bureau", "key", "add")} <= found
    assert len(found) > 30


def test_every_help_is_chinese(capsys):
    names = known_names()
    for main, path, _parser in programs():
        rc, out, err = run(capsys, main, [*path, "--help"])
        shown = " ".join(("ygt" if main is cli.main else "ygt-desktop", *path))
        assert rc == 0 and err == "", (shown, err)
        assert out.startswith(f"用法：{shown} "), out
        assert not english(out, names), (shown, english(out, names), out)


def test_every_value_has_a_chinese_word_and_everything_a_help():
    for _main, path, parser in programs():
        for action in parser._actions:
            where = (path, action.option_strings or action.dest)
            if isinstance(action, argparse._SubParsersAction):
                assert action.metavar, where  # not {init,demo,…}
                listed = {a.dest: a.help for a in action._choices_actions}
                assert set(listed) == set(action.choices), where
                assert all(listed.values()), where  # every command says what it does
                continue
            assert action.help and action.help != argparse.SUPPRESS, where
            if action.nargs == 0:
                continue
            if action.choices is not None and action.metavar is None:
                shown = list(action.choices)  # shown as {站,中心,区,市}
            else:
                assert isinstance(action.metavar, str), where
                shown = [action.metavar]
            assert all(re.search(r"[\u4e00-\u9fff]", str(w)) for w in shown) or shown == [
                cli_args.DATE
            ], where


def test_one_meaning_one_word():
    words: dict[str, set[object]] = {}
    for _main, _path, parser in programs():
        for action in values(parser):
            for option in action.option_strings or [f"<{action.dest}>"]:
                words.setdefault(option, set()).add(action.metavar)
    for option, seen in words.items():
        assert seen == TWO_MEANINGS.get(option, seen) and (
            len(seen) == 1 or option in TWO_MEANINGS
        ), (option, seen)
    assert words["--db"] == {cli_args.FILE}  # ygt and ygt-desktop alike
    assert words["--user"] == words["--as"] == words["<name>"] == {cli_args.USER}
    assert words["--tour"] == {cli_args.FOLDER}
    for option in ("--xlsx", "--pdf", "--csv", "--json"):
        assert words[option] == {cli_args.FILE}, option
    for option in ("--from", "--to", "--on", "--today", "--date"):
        assert words[option] == {cli_args.DATE}, option
    for option in ("--org-code", "--parent-code", "--org"):
        assert words[option] == {cli_args.ORG_CODE}, option
    assert words["--period"] == {cli_args.PERIOD}


def test_a_bad_value_is_refused_in_chinese(capsys):
    """Every converter and every list of choices, given a value it cannot take."""
    names = known_names()
    tried = 0
    for main, path, parser in programs():
        for action in values(parser):
            if not action.option_strings or (action.type is None and action.choices is None):
                continue
            option = action.option_strings[-1]
            try:
                parser._get_values(action, ["某某"])
            except argparse.ArgumentError:
                pass
            else:
                continue  # any text will do (a path)
            rc, out, err = run(capsys, main, [*path, option, "某某"])
            tried += 1
            assert rc == 2 and out == "", (path, option)
            assert f"错误：参数 {option}：" in err, (path, option, err)
            message = err.rpartition(f"参数 {option}：")[2]
            assert re.search(r"[\u4e00-\u9fff]", message.replace("某某", "")), message
            assert not english(err, names), (path, option, english(err, names), err)
    assert tried > 15
