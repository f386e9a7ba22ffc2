"""Fast paths of the page text: plain prose skips Python-Markdown, raw blocks without blank lines stay as they are."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import rawblocks, text
from generator.reader import load_report

ROOT = Path(__file__).resolve().parent.parent


def _python_markdown(source: str) -> str:
    md = text._CONVERTERS.md  # noqa: SLF001
    md.reset()
    return md.convert(source)


def _source(prose: str, top: int = 3) -> str:
    return text._shift_headings(text._paragraphs(prose.strip("\n")), top)


def test_the_repository_reports_take_the_fast_path_and_render_the_same() -> None:
    texts = []
    for path in sorted((ROOT / "reports").rglob("*.yaml")):
        report, _ = load_report(path, str(path))
        texts += [report.lead, *report.sections.values()]
    assert len(texts) >= 30
    for prose in texts:
        source = _source(prose)
        fast = text._plain_html(source)
        assert fast is not None, prose[:60]
        assert fast == _python_markdown(source)


# Lines made of the characters Markdown gives meaning to, mixed with Chinese prose, spaces and
# the Unicode spaces str.strip() removes: the fast path must refuse or agree, never differ.
PIECES = st.sampled_from([
    "2024年", "主动公开", "（一）", "“条例”", "，", "。", "、", " ", "  ", "\u3000", "\xa0", "\t", "#", "## ", "###### ",
    "####### ", "1.", "1. ", "2) ", "- ", "* ", "+ ", "> ", "|", "---", "===", "***", "___", "```", "~~~", "`", "*", "_",
    "[", "]", "(", ")", "<", ">", "&", "&amp;", "!", "\\", "{", "}", ":", "http://x.cn", "<b>", "\u2028", "\x00", "\x7f",
    "\n", "\n\n", "\r\n", "１", "١", "'", '"', "=", "-", "4", ".", "》", "《", "：", "\ufeff",
])


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=14), st.integers(min_value=1, max_value=5))
def test_fast_path_agrees_with_python_markdown(pieces: list[str], top: int) -> None:
    source = _source("".join(pieces), top)
    fast = text._plain_html(source)
    if fast is not None:
        assert fast == _python_markdown(source)


def test_fast_path_refuses_markdown() -> None:
    for source in ("1. 第一", "- 一", "> 引", "a *b*", "a\n---", "    代码", "a  \nb", "<b>x</b>", "a | b", "#标题", "a&b", "１. 第一"):
        assert text._plain_html(_source(source)) is None, source
    assert text._plain_html("### （一）主动公开\n\n全年公开1426条。") == "<h3>（一）主动公开</h3>\n<p>全年公开1426条。</p>"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "<td>1</td>", "\n", " ", "\u3000", "\t", "\r", "\x1c", "\x85", "\u2028"]), max_size=10))
def test_a_raw_block_drops_exactly_its_blank_lines(pieces: list[str]) -> None:
    html = "".join(pieces)
    kept = "\n".join(line for line in html.split("\n") if line.strip())
    assert rawblocks.block(html) == f"{rawblocks.RAW_START}\n{kept}\n{rawblocks.RAW_END}"


def test_adjacent_raw_blocks_share_a_placeholder_and_come_back_in_place() -> None:
    import markdown

    def raw(html: str) -> str:
        return rawblocks.block(html)

    source = f"引言\n\n{raw('<div>1</div>')}\n\n\n{raw('<div>2</div>')}\n\n## 标题\n\n{raw('<p>3</p>')}\n"
    places = rawblocks.Placeholders()
    lifted = places.lift(source, "page.md")
    assert lifted.count(places.nonce) == 2 and "<div>" not in lifted
    html = places.restore(markdown.markdown(lifted), "page.md")
    assert html == "<p>引言</p>\n<div>1</div>\n<div>2</div>\n<h2>标题</h2>\n<p>3</p>"


def test_prose_renders_right_in_two_threads_at_once() -> None:
    """The search index's thread renders prose while the build's thread renders the pages."""
    import sys
    import threading

    from generator.text import markdown_html

    lists = "\n".join(f"- 第{i}项 **加粗** 内容\n" for i in range(30)) + "\n| 项目 | 数量 |\n|---|---|\n| 申请 | 2 |\n"
    links = "\n\n".join(f"1. 条目{i} *强调* [链接](https://www.gov.cn/{i})" for i in range(30))
    expected = {lists: markdown_html(lists), links: markdown_html(links)}
    wrong: list[str] = []

    def render(text: str) -> None:
        for _ in range(200):
            if markdown_html(text) != expected[text]:
                wrong.append(text[:10])

    threads = [threading.Thread(target=render, args=(text,)) for text in expected]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, as a loaded machine does
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not wrong


def test_plain_prose_skips_the_sanitizer_and_gets_its_bytes() -> None:
    """Every character a plain line may hold, in a paragraph and a heading: the HTML nh3 would write."""
    checked = 0
    # all but the ideographs (one block of like letters, every 61st taken) and the planes beyond (every 97th)
    points = [*range(0x20, 0x3400), *range(0x3400, 0xA000, 61), *range(0xA000, 0xD800), *range(0xE000, 0x10000),
              *range(0x10000, 0x30000, 97)]
    for cp in points:
        line = "甲" + chr(cp) + "乙"
        if not text._PLAIN_LINE.fullmatch(line):
            continue
        for prose in (f"## {line}\n\n#### {chr(cp)}\n\n{line}",):
            for top in (1, 3):
                plain = text._plain_html(_source(prose, top))
                if plain is not None:
                    assert text.markdown_html(prose, top) == text.sanitize(plain), (hex(cp), top)
                    checked += 1
    assert checked > 50_000


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=14))
def test_the_text_of_plain_prose_is_the_text_of_its_html(pieces: list[str]) -> None:
    from generator import search

    prose = "".join(pieces)
    plain = text.plain_text(prose)
    if plain is not None:
        assert plain == search._rendered_text(prose)


def test_the_repository_reports_text_takes_the_fast_path() -> None:
    from generator import search

    for path in sorted((ROOT / "reports").rglob("*.yaml")):
        report, _ = load_report(path, str(path))
        for prose in (report.lead, *report.sections.values()):
            assert text.plain_text(prose) is not None, prose[:60]
            assert search.reader_text(prose) == search._rendered_text(prose)
