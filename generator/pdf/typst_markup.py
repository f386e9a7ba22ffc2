"""Editors' Markdown to Typst markup in which every character of their text is literal.

The Markdown is read exactly as for the web page (text.markdown_html: one paragraph per line,
sub-heads renumbered), except that raw HTML is escaped first: in the PDF an editor's ``<b>`` is
text, never a tag. The resulting HTML, whose only tags come from Markdown itself, is walked and
written as Typst markup. Every ASCII punctuation character of the editor's text is written with a
backslash, so no ``#``, ``[``, ``$``, ``//`` or ``=`` an editor types can become Typst code, a
comment, a heading or a formula; the template evaluates this markup and nothing else.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..checks.typeset import REPLACEMENT, UNSETTABLE, unsettable
from ..text import markdown_html

# Typst gives meaning to ASCII punctuation only; a backslash makes any of them literal.
_SPECIAL = frozenset(string.punctuation)
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]")
_NEWLINES = re.compile(r"[ \t]*\n\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LEADING_SPACE = re.compile(r"^[\s\u3000]+")  # pasted text often indents with 全角 spaces; the template indents
SUBHEAD_LEVEL = 2  # the report's six sections are level 1; editors' sub-heads start below them
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def settable(text: str) -> str:
    """Return ``text`` with what no PDF font here can set replaced by 〓 and invisible marks dropped.

    Typst refuses the whole document over one such character (PDF/A needs every glyph and every
    code point mapped); the check warns of each (W6) where the editor wrote it.
    """
    if not UNSETTABLE.search(text):
        return text
    return UNSETTABLE.sub(lambda m: "" if unsettable(m[0]) == "dropped" else REPLACEMENT, text)


def escape(text: str) -> str:
    """Return ``text`` as Typst markup that displays exactly ``text`` (newlines become spaces)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _NEWLINES.sub(_join_lines, text).replace("\t", " ")
    return "".join("\\" + c if c in _SPECIAL else c for c in text)


def _join_lines(m: re.Match[str]) -> str:
    """Join wrapped lines: nothing between Chinese characters, a space between Latin words."""
    before = m.string[m.start() - 1] if m.start() else ""
    after = m.string[m.end()] if m.end() < len(m.string) else ""
    if not before or not after or _CJK.match(before) or _CJK.match(after):
        return ""
    return " "


def string_literal(text: str) -> str:
    """Return ``text`` as a Typst string literal."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + _CONTROL.sub("", out) + '"'


def markdown_markup(text: str) -> str:
    """Return the Typst markup of an editor's Markdown; raw HTML in it is shown as text."""
    source = text.replace("&", "&amp;").replace("<", "&lt;")
    converter = _Converter()
    converter.feed(markdown_html(source, top_heading=3))
    converter.close()
    return converter.result()


@dataclass
class _Frame:
    """An open HTML element and what has been written inside it."""

    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # list items, table cells
    rows: list[tuple[list[str], bool]] = field(default_factory=list)  # table rows, with "is header row"

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()


_INLINE = {"strong": "strong", "b": "strong", "em": "emph", "i": "emph", "u": "underline", "s": "strike",
           "sub": "sub", "sup": "super", "mark": "highlight"}


class _Converter(HTMLParser):
    """Write the HTML that Markdown produced as Typst markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Frame] = [_Frame("root", {})]

    def result(self) -> str:
        """Return the markup written so far, blocks separated by blank lines."""
        return "\n\n".join(p for p in (s.strip() for s in self.stack[0].parts) if p)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._emit("#linebreak()" if tag == "br" else "#line(length: 100%)", block=tag == "hr")
            return
        self.stack.append(_Frame(tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if top.tag in ("root", "ul", "ol", "table", "thead", "tbody", "tr", "blockquote") and not data.strip():
            return  # whitespace between blocks
        if any(f.tag == "code" for f in self.stack):
            data = html.unescape(data)  # Markdown escapes code spans a second time
        if any(f.tag == "pre" for f in self.stack):
            top.parts.append("#linebreak()".join(escape(line) for line in data.strip("\n").split("\n")))
            return
        top.parts.append(escape(data))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "hr") or not any(f.tag == tag for f in self.stack[1:]):
            return
        while True:  # close elements Markdown left open (it never does; a sanitizer might)
            frame = self.stack.pop()
            self._close(frame)
            if frame.tag == tag:
                return

    def _emit(self, markup: str, block: bool) -> None:
        """Add markup to the open element; a block at the top level becomes its own paragraph."""
        top = self.stack[-1]
        if block and top.tag in ("root", "blockquote", "li"):
            top.parts.append("\n\n" + markup + "\n\n")
        else:
            top.parts.append(markup)

    def _close(self, frame: _Frame) -> None:
        """Write a closed element as Typst markup into its parent."""
        tag, text, parent = frame.tag, frame.text, self.stack[-1]
        if tag in _INLINE:
            self._emit(f"#{_INLINE[tag]}[{text}]", block=False)
        elif tag == "a":
            href = frame.attrs.get("href", "")
            self._emit(f"#link({string_literal(href)})[{text}]" if href.startswith(_LINK_SCHEMES) else text, block=False)
        elif tag in ("p", "pre", "caption"):
            self._emit(_LEADING_SPACE.sub("", text), block=True)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = max(SUBHEAD_LEVEL, int(tag[1]) - 3 + SUBHEAD_LEVEL)
            self._emit(f"#heading(level: {level})[{_LEADING_SPACE.sub('', text)}]", block=True)
        elif tag == "li":
            parent.items.append(f"[{text}]")
        elif tag in ("ul", "ol"):
            start = frame.attrs.get("start", "")
            args = (f"start: {int(start)}, " if tag == "ol" and start.isdigit() else "") + ", ".join(frame.items)
            self._emit(f"#{'enum' if tag == 'ol' else 'list'}({args})", block=True)
        elif tag == "blockquote":
            self._emit(f"#quote(block: true)[{text}]", block=True)
        elif tag in ("td", "th"):
            parent.items.append(f"[{text}]")
        elif tag == "tr":
            table = next((f for f in reversed(self.stack) if f.tag == "table"), parent)
            table.rows.append((frame.items, parent.tag == "thead"))
        elif tag == "table":
            self._emit(_table(frame.rows), block=True)
        elif tag not in ("thead", "tbody"):  # span, code and anything else: keep the content
            self._emit(text, block=False)


def _table(rows: list[tuple[list[str], bool]]) -> str:
    """Return an editor's Markdown table as a Typst table."""
    if not rows:
        return ""
    width = max(len(cells) for cells, _ in rows)
    head = [cells + ["[]"] * (width - len(cells)) for cells, is_head in rows if is_head]
    body = [cells + ["[]"] * (width - len(cells)) for cells, is_head in rows if not is_head]
    args = [f"columns: {width}"]
    if head:
        args.append("table.header(" + ", ".join(c for row in head for c in row) + ")")
    args += [c for row in body for c in row]
    return "#table(" + ", ".join(args) + ")"
