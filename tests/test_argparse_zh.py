"""``ygt --help`` and its usage errors in Chinese (issue 12): no English word of
argparse's ("usage:", "options", "error:", "the following arguments are required" …) in
the help of any command or in a usage error, which exits with status 2; the same for
``ygt-desktop``.
"""

from __future__ import annotations

import argparse
import re

import pytest

from ygt_desktop import argparse_zh, cli

ENGLISH = re.compile(
    r"\b(usage|options?|optional|positional|arguments?|error|warning|required|invalid"
    r"|expected|choose|show this|help message|and exit|unrecognized|ambiguous|allowed"
    r"|ignored|program's|version number|default:|deprecated|subcommands)\b",
    re.IGNORECASE,
)


def english_in(text: str) -> list[str]:
    """argparse's English words in ``text`` (an option such as ``--help`` is not one)."""
    return ENGLISH.findall(re.sub(r"--?[\w-]+", " ", text))


@pytest.fixture
def restored(monkeypatch):
    """Whatever a test installs is taken back afterwards (argparse is process-wide)."""
    monkeypatch.setattr(argparse, "_", argparse._)
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)
    init = argparse._VersionAction.__init__
    monkeypatch.setattr(init, "__defaults__", init.__defaults__)
    parser_init = argparse.ArgumentParser.__init__  # its formatter class
    monkeypatch.setattr(parser_init, "__defaults__", parser_init.__defaults__)


@pytest.fixture
def chinese(restored):
    argparse_zh.install()


def ygt(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def all_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += all_parsers(sub)
    return found


def test_english_words_are_caught():
    """The check itself: argparse's own English is found, options are not."""
    assert english_in("usage: ygt [-h]\n\noptions:\n  -h, --help  show this help message")
    assert english_in("ygt: error: the following arguments are required: --period")
    assert not english_in("用法：ygt [-h] [--full-phone] [--no-services]")


def test_help_of_every_command_is_chinese(chinese, capsys):
    parsers = all_parsers(cli.build_parser())
    assert len(parsers) > 20  # ygt, its commands and their sub-commands
    for parser in parsers:
        text = parser.format_help()
        assert text.startswith("用法："), parser.prog
        assert not english_in(text), (parser.prog, english_in(text), text)
    rc, out, err = ygt(capsys, "--help")
    assert rc == 0 and "用法：ygt" in out and "显示本帮助并退出" in out
    assert "显示版本号并退出" in out and "选项" in out and not english_in(out)


@pytest.mark.parametrize(("args", "words"), [
    ([], "缺少必填的参数：命令"),
    (["bogus"], "'bogus' 不是可选的值"),
    (["worklist", "--bogus"], "无法识别的参数：--bogus"),
    (["report", "--quarter", "x"], "缺少必填的参数：--period"),
    (["report", "--period", "x"], "参数 --period：统计期"),
    (["report", "--period"], "参数 --period：后面应跟一个值"),
    (["print", "--record", "x", "--out", "a.pdf"], "参数 --record：应为正整数（现为 x）"),
    (["print", "--record", "1", "--resident", "2", "--out", "a.pdf"], "不能与参数 --record 同时使用"),
    (["print", "--out", "a.pdf"], "须给出以下参数之一：--record --resident"),
    (["init", "--org-code", "1", "--org-name", "x", "--org-level", "省"], "'省' 不是可选的值"),
    (["user"], "缺少必填的参数：操作"),
    (["bureau", "key", "nothing"], "'nothing' 不是可选的值"),
    (["worklist", "--f", "x"], "选项 --f 不明确"),
    (["backup", "--db"], "后面应跟一个值"),
])  # fmt: skip
def test_usage_errors_are_chinese_and_exit_2(chinese, capsys, args, words):
    rc, out, err = ygt(capsys, *args)
    assert rc == 2 and out == ""
    assert words in err, err
    assert err.startswith("用法：") and "错误：" in err
    assert not english_in(err), (english_in(err), err)


def test_a_converter_named_in_chinese(chinese):
    parser = argparse.ArgumentParser(prog="t")
    parser.add_argument("--n", type=float)
    parser.add_argument("--f", type=lambda s: int(s))
    action = parser._option_string_actions["--n"]
    with pytest.raises(argparse.ArgumentError) as info:
        parser._get_value(action, "x")
    assert str(info.value) == "参数 --n：'x' 不是有效的数字"
    action = parser._option_string_actions["--f"]
    with pytest.raises(argparse.ArgumentError) as info:
        parser._get_value(action, "y")
    assert str(info.value) == "参数 --f：'y' 不是有效的值"


def test_installing_twice_changes_nothing(restored):
    argparse_zh.install()
    first = (argparse._, argparse._VersionAction.__init__.__defaults__)
    argparse_zh.install()
    assert (argparse._, argparse._VersionAction.__init__.__defaults__) == first
    assert argparse._("usage: ") == "用法："
    assert argparse._("a message argparse does not have") == "a message argparse does not have"
    assert (
        argparse.ngettext("expected %s argument", "expected %s arguments", 2) == "后面应跟 %s 个值"
    )


def test_the_entry_points_install_it(restored, capsys):
    """``ygt`` and ``ygt-desktop`` speak Chinese without the caller installing anything."""
    from ygt_desktop.ui import app

    with pytest.raises(SystemExit) as info:
        cli.main(["worklist", "--bogus"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "无法识别的参数" in err and not english_in(err), err
    for args, code in ((["--help"], 0), (["--bogus"], 2)):
        with pytest.raises(SystemExit) as info:
            app.main(args)
        assert info.value.code == code
        out, err = capsys.readouterr()
        text = out + err
        assert "用法：ygt-desktop" in text and not english_in(text), text


def test_help_columns_line_up_as_a_console_shows_them(chinese, monkeypatch):
    """A Chinese character takes two columns in a console: every help text starts in
    the same column and no line is wider than the console, Chinese text wrapping
    between characters (it has no spaces) and an ASCII word never split."""
    monkeypatch.setenv("COLUMNS", "42")  # argparse keeps 2 columns spare: 40 used
    parser = argparse.ArgumentParser(prog="t")
    parser.add_argument("--db", metavar="文件", help="数据库文件")
    parser.add_argument("--user", metavar="用户名", help="以哪个用户的身份操作" * 3)
    parser.add_argument("--size", metavar="宽x高", help="如 1366x728（默认）")
    lines = parser.format_help().splitlines()
    options = lines[lines.index("选项:") + 1 :]
    starts = {argparse_zh.width(re.match(r"\s*\S+(?: \S+)?\s+", x)[0]) for x in options
              if x.startswith("  -")}  # fmt: skip
    assert len(starts) == 1, options
    assert all(argparse_zh.width(x) <= 40 for x in options), options
    assert "以哪个用户的身份操作" * 3 in "".join(x.strip() for x in options), options
    assert sum(x.startswith(" " * 17) for x in options) == 2, options  # --user's, wrapped
    assert any("1366x728" in x for x in options), options
    wrapped = parser._get_formatter()._split_lines("一二三四五六七八九十，好。", 20)
    assert wrapped == ["一二三四五六七八九", "十，好。"]  # a comma does not start a line
