"""Random edits of a valid report never crash validation: every problem becomes a finding.

Editors save files with stray tabs, full-width digits, zero-width spaces, unbalanced quotes, cut
files and foreign bytes; attackers and broken tools save deep nesting, alias bombs, huge numbers and
strings, GBK bytes and binary garbage (tests/hostile.py). Whatever they save, ``load_report`` and
``validate`` must return findings of known rules pointing at real lines, never raise, and take
bounded time and memory. bench/fuzz.py runs the same properties with 10,000+ inputs, and atheris.
"""

from __future__ import annotations

import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import GENERATORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.findings import Finding, format_json, format_text
from generator.messages import RULES
from generator.reader import load_report
from generator.source import MAX_BYTES, MAX_SEPARATORS
from generator.validate import validate

SAMPLE = Path(__file__).resolve().parents[1] / "reports" / "qiaokou-rongmeiti-2024.yaml"
TEXT = SAMPLE.read_text(encoding="utf-8")
DATA = TEXT.encode("utf-8")
LINES = TEXT.split("\n")
NAME = "qiaokou-rongmeiti-2024.yaml"

# NIANBAO_FUZZ_EXAMPLES=20000 searches harder (minutes); 300 keeps the suite fast.
EXAMPLES = int(os.environ.get("NIANBAO_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What editors and copy-paste put into files, beside any other character.
TRICKY = (
    list("０１２３４５６７８９．－，：")
    + ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00a0", "\u3000", "\u2028", "\u2029", "\x85", "\x00", "\x1b"]
    + list("\t\r\n '\"`:：#&*!|>-{}[],%@?~=\\")
    + [
        "0",
        "1",
        "-1",
        "1.5",
        "007",
        "1e3",
        "null",
        "~",
        "---",
        "...",
        "  ",
        "\n  ",
        ": ",
        " #",
        "- ",
        "*a",
        "&a ",
        "!!str ",
    ]
)
# where the numbers of the tables are: " 0," and " 0}"
NUMBERS = [i for i in range(1, len(TEXT) - 1) if TEXT[i] == "0" and TEXT[i - 1] == " " and TEXT[i + 1] in ",}"]
snippet = st.lists(st.sampled_from(TRICKY) | st.characters(exclude_categories=("Cs",)), max_size=8).map("".join)


# Bounds per file, for validate() alone; the worst file found takes about 0.2 s and 10 MB (bench/fuzz.py).
SECONDS = float(os.environ.get("NIANBAO_FUZZ_SECONDS", "3"))
MEGABYTES = 64


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# bench/fuzz.py sets this to collect, for every input, its seconds, peak bytes (or None) and findings.
RECORD: Callable[[bytes, float, int | None, list[Finding]], None] | None = None
TRACE_MEMORY = False


def _check(data: bytes, workdir: Path) -> None:
    """Validate ``data`` as a report file and assert every finding is well formed, in bounded time."""
    path = workdir / NAME
    path.write_bytes(data)
    last_line = data.count(b"\n") + data.count(b"\r") + 1  # generous: CR, NEL and LS count too
    _, loaded = load_report(path)
    if TRACE_MEMORY:
        tracemalloc.start()
    started = time.perf_counter()
    result = validate([path])
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if TRACE_MEMORY else None
    if TRACE_MEMORY:
        tracemalloc.stop()
    if RECORD is not None:
        RECORD(data, seconds, peak, result.findings)
    assert seconds < SECONDS * (2 if TRACE_MEMORY else 1), f"validation took {seconds:.2f} s"
    assert peak is None or peak < MEGABYTES * 2**20, f"validation took {peak} bytes"
    for f in loaded + result.findings:
        assert f.rule in RULES, f
        assert f.severity is RULES[f.rule].severity, f
        assert 0 <= f.line <= last_line + 1, f
        assert f.column >= 0, f
        assert f.message, f
        assert "无法解析（" not in f.message, f"a YAML problem without a Chinese explanation: {f}"
    # validate() reports at least what loading found, each once
    assert {tuple(f.flat()) for f in loaded} <= {tuple(f.flat()) for f in result.findings}
    format_text(result.findings)
    format_json(result.findings)


def _text(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


@FUZZ
@given(st.data())
def test_delete_a_line(workdir: Path, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(LINES) - 1))
    _check(_text(LINES[:i] + LINES[i + 1 :]), workdir)


@FUZZ
@given(st.data())
def test_duplicate_a_line(workdir: Path, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(LINES) - 1))
    j = data.draw(st.integers(0, len(LINES)))
    _check(_text(LINES[:j] + [LINES[i]] + LINES[j:]), workdir)


@FUZZ
@given(st.data())
def test_replace_a_character(workdir: Path, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(TEXT) - 1))
    _check((TEXT[:i] + data.draw(snippet) + TEXT[i + 1 :]).encode("utf-8"), workdir)


@FUZZ
@given(st.data())
def test_replace_a_slice(workdir: Path, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(TEXT)))
    j = data.draw(st.integers(i, min(len(TEXT), i + 200)))
    _check((TEXT[:i] + data.draw(snippet) + TEXT[j:]).encode("utf-8"), workdir)


@FUZZ
@given(st.data())
def test_edit_table_cells(workdir: Path, data: st.DataObject) -> None:
    """Replace the text of a few numbers, where most of the checks look."""
    text = TEXT
    for i in sorted(data.draw(st.lists(st.sampled_from(NUMBERS), min_size=1, max_size=4, unique=True)), reverse=True):
        text = text[:i] + data.draw(snippet) + text[i + 1 :]
    _check(text.encode("utf-8"), workdir)


@FUZZ
@given(st.data())
def test_insert_bytes(workdir: Path, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(DATA)))
    _check(DATA[:i] + data.draw(st.binary(min_size=1, max_size=8)) + DATA[i:], workdir)


@FUZZ
@given(st.data())
def test_truncate(workdir: Path, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(DATA)))
    _check(DATA[:i], workdir)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(TEXT)), st.integers(0, 40), snippet), min_size=1, max_size=6))
def test_many_edits(workdir: Path, edits: list[tuple[int, int, str]]) -> None:
    text = TEXT
    for start, length, new in edits:
        start = min(start, len(text))
        text = text[:start] + new + text[start + length :]
    _check(text.encode("utf-8"), workdir)


# -- hostile files (tests/hostile.py): structures no editor writes, but tools and attackers do ---------

@FUZZ
@given(st.sampled_from(sorted(GENERATORS)), st.randoms(use_true_random=False))
def test_hostile_files(workdir: Path, name: str, rnd: random.Random) -> None:
    """Deep nesting, alias bombs, huge numbers and strings, odd Unicode, BOM, CRLF, GBK, binary, random YAML."""
    _check(GENERATORS[name](rnd), workdir)


def _separated(line: str, head: str = "") -> str:
    """Return ``head`` then ``line`` repeated up to just under the separator limit."""
    per = sum(line.count(c) for c in "\n,:[{-") + 1
    return head + (line + "\n") * ((MAX_SEPARATORS - 600) // per)


WORST = {
    # each one of the slowest or largest shapes found, just inside the loader's limits
    "duplicate keys": _separated("a: 0"),
    "keys that are not text": _separated("? [] "),
    "aliases": "a: &a x\nb: [" + ",".join(["*a"] * (MAX_SEPARATORS - 100)) + "]\n",
    "aliases in a report": TEXT + "\nx: &a x\n导语: [" + ",".join(["*a"] * (MAX_SEPARATORS - 700)) + "]\n",
    "unknown keys near the byte limit": _separated("k" + "x" * 180 + ": 0"),
    "nesting": "[" * (MAX_SEPARATORS - 10) + "]" * (MAX_SEPARATORS - 10),
    "a long line": "a: " + "x" * (MAX_BYTES - 10),
    "too many separators": "a: 0\n" * MAX_SEPARATORS,
    "too large": "a: 0\n" * (MAX_BYTES // 4),
}


@pytest.mark.parametrize("name", list(WORST))
def test_worst_files_are_bounded(workdir: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pathological files stay under the time and memory bounds (measured with tracemalloc)."""
    monkeypatch.setattr(sys.modules[__name__], "TRACE_MEMORY", True)
    _check(WORST[name].encode("utf-8"), workdir)
