"""``nianbao --help`` and every subcommand's help and errors are Chinese and line up on a terminal."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from generator.cli import build_parser
from generator.clihelp import chinese, width, wrap

ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments", "show this help", "show program's",
           "error:", "invalid choice", "required:", "JOBS", "FILE")
COMMANDS = ["check", "build", "serve", "export", "new", "import", "schema", "init", "deploy"]


def _help(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "generator", *args, "--help"], capture_output=True, text=True,
                          env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_subcommand_of_the_parser_is_covered() -> None:
    with chinese():
        parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    assert sorted(sub.choices) == sorted(COMMANDS)  # type: ignore[arg-type]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese_and_aligned(command: str | None) -> None:
    text = _help(*([command] if command else []))
    assert text.startswith("用法：nianbao")
    for word in ENGLISH:
        assert word not in text, f"{word!r} in the help of {command}"
    columns = set()
    for line in text.splitlines():
        assert width(line) <= 100, line
        m = re.match(r"^(  \S.*?\S)  +(\S.*)$", line)  # an option or command with its help on the same line
        if m and not line.startswith("用法"):
            columns.add(width(line) - width(m[2]))
    assert len(columns) == 1, f"help text starts at columns {sorted(columns)} in {command}:\n{text}"


@pytest.mark.parametrize(("args", "said"), [
    (["check", "--format", "x"], "无效的选项 'x'"),
    (["new", "--agency", "a", "--year", "二〇二四"], "无效的值 '二〇二四'（应为 整数）"),
    (["new"], "缺少必需的参数：--agency, --year"),
    (["check", "--frob"], "无法识别的参数：--frob"),
])
def test_usage_errors_are_chinese(args: list[str], said: str) -> None:
    done = subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True)
    assert done.returncode == 2
    assert said in done.stderr
    assert "错误：" in done.stderr and "error" not in done.stderr


def test_wrap_counts_han_characters_as_two_columns() -> None:
    lines = wrap("校验报告文件（默认 reports/ 目录），列出全部问题", 20)
    assert all(width(line) <= 20 for line in lines)
    assert "".join(lines).replace(" ", "") == "校验报告文件（默认reports/目录），列出全部问题"
    assert "reports/" in "".join(lines)  # a Latin word is never split
