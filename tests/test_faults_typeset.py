"""Whatever ``check`` passes, ``build`` publishes: the PDF and the pages of every file that passes.

The issue's reports passed ``check`` and then stopped the whole build in the PDF stage with Typst's
English message (emoji, Ext-B, private use, a heading in 导语, skipped or empty heading levels,
unbroken Latin, 40,000 digits, huge list numbers, deep quotes and lists), or blew up in the page
stage (quadratic ``<a ``, RecursionError, a 250-level 地区). Each is now caught by ``check`` at its
line or set by the PDF with a substitute (W6). The property test runs the fuzz corpus and the
hypothesis edits through check, and every file that passes through the page and PDF renderers.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import markdown
import pypdf
import pytest
from hostile import GENERATORS, ODD, VECTORS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import aggregate, pages, sitepages
from generator.pdf import PdfSettings, find_fonts
from generator.pdf.render import render_reports
from generator.plugin import NianbaoPlugin
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml").read_text(encoding="utf-8")
NAME = "qiaokou-rongmeiti-2024.yaml"
ANCHOR = "二、主动公开政府信息情况: |\n  2024年，我中心锁定目标"


def with_text(text: str) -> str:
    """Return the sample with ``text`` (lines) at the start of section 二."""
    block = "\n".join("  " + line if line else "" for line in text.split("\n"))
    return SAMPLE.replace(ANCHOR, ANCHOR.replace("  2024年", block + "\n  2024年"), 1)


CAUGHT = {  # the inputs, the rule that stops them and the line it points at
    "heading in 导语": (SAMPLE.replace("导语: |\n", "导语: |\n  ## 标题\n\n", 1), "S6", 15),
    "skipped heading level": (with_text("## 一\n\n#### 三"), "S6", 43),
    "empty heading": (with_text("## \n\n字"), "S6", 41),
    "20,000 Latin letters": (with_text("a" * 20_000), "S7", 41),
    "an unbroken token": (with_text("字 " + "x" * 1500), "S7", 41),
    "list number 99999999999999999999": (with_text("99999999999999999999. 项"), "S7", 41),
    "50 nested >": (with_text(">" * 50 + " 字"), "S7", 41),
    "nested > - > -": (with_text("> - " * 10 + "字"), "S7", 41),
    "300-deep list": (with_text("\n".join("  " * i + "- x" for i in range(300))), "S7", 57),
    "repeated <a": (with_text("<a " * 30_000), "S7", 41),
    "repeated [a](": (with_text("[a](" * 100), "S7", 41),
    "unclosed <a over many lines": (with_text("\n".join(["<a " * 20] * 10)), "S7", 43),  # quadratic in the field
    "unclosed autolinks over many lines": (with_text("\n".join(["<http://x " * 20] * 10)), "S7", 43),
    "地区 of 250 levels": (SAMPLE.replace("地区: 湖北省/武汉市/硚口区", "地区: " + "/".join(f"区{i}" for i in range(250))), "S7", 6),
    "amount 0. and 40,000 digits": (SAMPLE.replace("（单位：万元）: 0}", "（单位：万元）: 0." + "1" * 40_000 + "}"), "R5", 53),
    "newline in 机关名称": (SAMPLE.replace("机关名称: 硚口区融媒体中心", '机关名称: "硚口区\\n融媒体中心"'), "S8", 4),
}


@pytest.mark.parametrize("name", list(CAUGHT))
def test_what_the_pdf_or_pages_cannot_set_is_an_error_at_its_line(name: str, tmp_path: Path) -> None:
    text, rule, line = CAUGHT[name]
    (tmp_path / NAME).write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = validate([tmp_path])
    assert time.monotonic() - started < 5
    errors = [(f.rule, f.line) for f in result.findings if f.is_error]
    assert errors and errors[0] == (rule, line), result.findings


@pytest.fixture(scope="module")
def fonts() -> object:
    return find_fonts()


def _render(text: str, folder: Path, fonts: object) -> tuple[list[str], bytes | None]:
    """Check ``text``; if it passes, render its pages (as MkDocs converts them) and its PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / NAME).write_bytes(text.encode("utf-8", "surrogatepass"))
    result = validate([folder])
    if not result.ok:
        return [f.rule for f in result.findings], None
    site = pages.SiteIndex(result.valid_reports())
    plugin = NianbaoPlugin()
    md = markdown.Markdown(extensions=["attr_list", "tables", "toc"])
    for uri, content in sitepages.generate(site, aggregate.aggregates(site.reports), {}, {}, True):
        md.reset()
        md.convert(plugin.placeholders.lift(sitepages.text(content), uri))
    rendered = render_reports(site.reports, PdfSettings(folder / "cache", fonts, jobs=1))  # type: ignore[arg-type]
    return [f.rule for f in result.findings], rendered[site.reports[0].slug].path.read_bytes()


@pytest.mark.parametrize(("text", "rule", "shown"), [
    ("好😀", "W6", "好〓"),
    ("𠀀字", "W6", "〓字"),
    ("\ue000字", "W6", "〓字"),
    ("好\ufeff字", "W6", "好字"),
    ("#政务公开#专栏上线", "W7", "政务公开#专栏上线"),
])
def test_what_the_pdf_substitutes_is_said_and_the_pdf_builds(text: str, rule: str, shown: str, tmp_path: Path, fonts: object) -> None:
    rules, pdf = _render(with_text(text), tmp_path, fonts)
    assert rule in rules
    assert pdf is not None
    reader = pypdf.PdfReader(tmp_path / "cache" / next(p.name for p in (tmp_path / "cache").glob("*.pdf")))
    assert shown in "".join(page.extract_text() for page in reader.pages).replace("\n", "")


SECONDS_PER_KB = 0.25
BASE_SECONDS = 4.0
EXAMPLES = int(os.environ.get("NIANBAO_FUZZ_EXAMPLES", "40"))


def _bounded(text: str, folder: Path, fonts: object) -> None:
    started = time.monotonic()
    _render(text, folder, fonts)  # raises on any failure of a file that check passed
    seconds = time.monotonic() - started
    size_kb = len(text.encode("utf-8", "surrogatepass")) / 1024
    assert seconds < BASE_SECONDS + SECONDS_PER_KB * size_kb, f"{seconds:.1f} s for {size_kb:.0f} KB"


prose = st.lists(st.sampled_from([*ODD, *VECTORS, "<a ", "[a](", "## ", "#", "> ", "- ", "1. ", "  ", "\n", "😀", "𠀀",
                                   "\ufeff", "\ue000", "x" * 300, "字" * 50]) | st.text(max_size=20), max_size=40).map("".join)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(prose)
def test_any_prose_that_check_passes_builds_in_bounded_time(tmp_path: Path, fonts: object, text: str) -> None:
    _bounded(with_text(text), tmp_path / str(abs(hash(text))), fonts)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(GENERATORS)), st.randoms(use_true_random=False))
def test_any_fuzz_corpus_file_that_check_passes_builds(tmp_path: Path, fonts: object, name: str, rnd: random.Random) -> None:
    data = GENERATORS[name](rnd)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # F1: check refuses it, nothing to build
    _bounded(text, tmp_path / f"{name}-{rnd.random()}", fonts)


def test_unsettable_pattern_names_the_characters_unsettable_names() -> None:
    """The pattern built at import (a block table, for speed) marks exactly what ``unsettable`` marks."""
    from generator.checks.typeset import UNSETTABLE, unsettable

    differ = [hex(code) for code in range(0x10000)
              if not 0xD800 <= code <= 0xDFFF and (UNSETTABLE.fullmatch(chr(code)) is None) != (unsettable(chr(code)) is None)]
    assert differ == []
    assert UNSETTABLE.fullmatch("\U0001F600") and UNSETTABLE.fullmatch("\u200b") and UNSETTABLE.fullmatch("\ue000")
    assert not UNSETTABLE.search("示例区人民政府 2024 年 ①")
