"""Editors' Markdown to HTML that is safe to publish on a government website.

Editors write the prose of a report in Markdown and may paste raw HTML. Everything goes through an
allow-list sanitizer (nh3): no scripts, no event handlers, no ``javascript:`` URLs, no styles. Each
line an editor writes is a paragraph, as in the printed report, so a pasted text keeps its layout.
"""

from __future__ import annotations

import re
import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup", "mark",
    "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
    "a", "code", "pre", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_HEADING = re.compile(r"^(#{1,6})(\s+)", re.MULTILINE)
_CONTINUED = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|>|\||\s{2})")  # lines that form one block together


def _paragraphs(text: str) -> str:
    """Make each plain line its own paragraph (a single newline would otherwise join lines)."""
    out: list[str] = []
    fenced = False
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        out.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not fenced and line.strip() and nxt.strip() and not (_CONTINUED.match(line) and _CONTINUED.match(nxt)):
            out.append("")
    return "\n".join(out)


def _shift_headings(text: str, top: int) -> str:
    """Renumber Markdown headings so that the shallowest one becomes level ``top``."""
    levels = [len(m[1]) for m in _HEADING.finditer(text)]
    if not levels:
        return text
    shift = top - min(levels)
    return _HEADING.sub(lambda m: "#" * min(6, max(1, len(m[1]) + shift)) + m[2], text)


class _Converters(threading.local):
    """One Markdown converter per thread: the search index's thread renders prose while the pages do,
    and one converter shared by both mixed their pages up (wrong HTML, or an IndexError)."""

    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")


_CONVERTERS = _Converters()

# A line Python-Markdown turns into a paragraph (or an ATX heading) of its own text unchanged: no
# character any Markdown rule or HTML gives meaning to, no leading marker of a block (list item,
# quote, code, rule, setext underline, table), no control characters, no space at either end.
# Nearly every line of a real report is one; a text of such lines only skips Python-Markdown,
# whose inline patterns took most of rendering a report page's prose (tests/test_text_fast.py
# checks the two give the same HTML).
_PLAIN_LINE = re.compile(r"(?!\d+[.)]|[-+=]|\s)[^\x00-\x1f\x7f\\`*_\[\]<>&!|~{}#:]*")
_PLAIN_HEADING = re.compile(r"(#{1,6}) +((?!\d+[.)]|[-+=]|\s)[^\x00-\x1f\x7f\\`*_\[\]<>&!|~{}#:]*)")


def _plain_html(source: str) -> str | None:
    """Return the HTML of a text of plain lines and blank lines (what Python-Markdown makes of it), else None."""
    out = []
    for line in source.split("\n"):
        if not line:
            continue
        if line != line.strip():
            return None
        if heading := _PLAIN_HEADING.fullmatch(line):
            level = len(heading[1])
            out.append(f"<h{level}>{heading[2]}</h{level}>")
        elif _PLAIN_LINE.fullmatch(line):
            out.append(f"<p>{line}</p>")
        else:
            return None
    return "\n".join(out)


def plain_text(text: str) -> str | None:
    """Return the text a reader sees of plain prose (no markup, headings from level 3), a line per block; else None.

    What rendering it and reading the HTML's text gives (search.reader_text), without either.
    """
    source = _shift_headings(_paragraphs(text.strip("\n")), 3)
    blocks = []
    for line in source.split("\n"):
        if not line:
            continue
        if line != line.strip():
            return None
        if heading := _PLAIN_HEADING.fullmatch(line):
            if len(heading[1]) < 3:
                return None
            line = heading[2]
        elif not _PLAIN_LINE.fullmatch(line):
            return None
        if words := line.split():
            blocks.append(" ".join(words))
    return "\n".join(blocks)


def markdown_html(text: str, top_heading: int = 3) -> str:
    """Return the sanitized HTML of an editor's Markdown; its headings start at ``top_heading``."""
    source = _shift_headings(_paragraphs(text.strip("\n")), top_heading)
    html = _plain_html(source)
    if html is not None and "<h1>" not in html and "<h2>" not in html:
        # Paragraphs and allowed headings of text without markup: the sanitizer gives them back as
        # they are but for U+00A0, which it writes as &nbsp; (tests/test_text_fast.py compares every
        # character). Its call cost the page build and the search records 4 % of a cold build.
        return html.replace("\xa0", "&nbsp;")
    if html is None:
        md = _CONVERTERS.md
        md.reset()
        html = md.convert(source)
    return sanitize(html)


# An editor's ids are prefixed (and the page's own links to them too): an id such as ``__config``
# or ``nb-results`` would otherwise take the place of the theme's or the search page's elements.
ID_PREFIX = "nb-u-"


def _prefix_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return ID_PREFIX + value
    if tag == "a" and attribute == "href" and value.startswith("#"):
        return "#" + ID_PREFIX + value[1:]
    return value


def sanitize(html: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_prefix_ids,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
