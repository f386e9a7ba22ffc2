"""Every placeholder the plugin puts into a page and takes out again, explained in one place.

Three kinds, all behind one random nonce per build (so no report text can forge one):

1. **Raw HTML blocks.** The templates mark each generated HTML block (tables, facts, sections) by
   ``<!-- nb:raw -->`` … ``<!-- /nb:raw -->`` (the ``raw`` filter, render.py). The plugin lifts the
   marked blocks out of a page's Markdown before Python-Markdown runs and leaves a one-line
   paragraph ``<nonce><n>Z`` in their place; after the page's template is rendered, each
   placeholder paragraph is replaced by its block. Python-Markdown's raw-HTML parser took two thirds
   of the page build on the table markup, and the lifted blocks are kept compressed: MkDocs holds
   every page's Markdown and HTML in memory until the end of the build.
2. **PDF sizes.** A page links a PDF with its size; a PDF still being rendered by the workers when
   its page is written gets ``<nonce>SIZE[<name>]``, filled in when the PDFs are done (pages
   already written to disk are rewritten then).
3. **Held HTML.** MkDocs converts every page before it renders any template. A page's converted
   HTML is held compressed from ``on_page_content`` (which runs last, after every other plugin
   has read it) to ``on_page_context`` (which runs first, before any other plugin reads it).
"""

from __future__ import annotations

import re
import secrets
import zlib
from collections.abc import Callable

RAW_START, RAW_END = "<!-- nb:raw -->", "<!-- /nb:raw -->"
RAW_BLOCK = re.compile(re.escape(RAW_START) + r"\n(.*?)\n" + re.escape(RAW_END), re.S)
_BLANK_LINE = re.compile(r"^[^\S\n]*$", re.M)  # a line that is empty or only spaces (what block() drops)


def block(html: str) -> str:
    """Return raw HTML marked for lifting, which Python-Markdown also passes through untouched.

    Blank lines would end an HTML block in Markdown: they are dropped.
    """
    body = "\n".join(line for line in html.split("\n") if line.strip()) if _BLANK_LINE.search(html) else html
    return f"{RAW_START}\n{body}\n{RAW_END}"


class Placeholders:
    """The raw blocks, PDF sizes and held HTML of one build's pages."""

    def __init__(self) -> None:
        self.nonce = "NBRAW" + secrets.token_hex(6).upper()
        self._raw: dict[str, bytes] = {}  # page -> its raw HTML blocks, lifted out of its Markdown
        self._held: dict[str, bytes] = {}  # page -> its converted HTML until its template is rendered
        self._block = re.compile(rf"<p>{self.nonce}(\d+)Z</p>")
        self._size = re.compile(rf"{self.nonce}SIZE\[([^\]]+)\]")

    # -- raw HTML blocks

    def lift(self, markdown: str, uri: str) -> str:
        """Replace the marked HTML blocks of a page's Markdown by placeholder paragraphs."""
        if uri in self._raw:
            return markdown
        blocks: list[str] = []
        out: list[str] = []
        end = 0
        for m in RAW_BLOCK.finditer(markdown):
            between = markdown[end:m.start()]
            if blocks and not between.strip():
                # Blocks with only blank lines between them share one placeholder, joined as Python-Markdown
                # joins the paragraphs it would make of them: fewer paragraphs for it to parse.
                blocks[-1] += "\n" + m[1]
            else:
                out.append(f"{between}\n\n{self.nonce}{len(blocks)}Z\n\n")
                blocks.append(m[1])
            end = m.end()
        out.append(markdown[end:])
        markdown = "".join(out)
        if blocks:
            self._raw[uri] = zlib.compress("\0".join(blocks).encode("utf-8"), 1)
        return markdown

    def restore(self, html: str, uri: str) -> str:
        """Put a page's lifted blocks back in place of their placeholders."""
        packed = self._raw.pop(uri, None)
        if packed is None:
            return html
        blocks = zlib.decompress(packed).decode("utf-8").split("\0")
        return self._block.sub(lambda m: blocks[int(m[1])], html)

    # -- PDF sizes

    def size(self, name: str) -> str:
        return f"{self.nonce}SIZE[{name}]"

    def fill_sizes(self, html: str, size: Callable[[str], str]) -> str:
        return self._size.sub(lambda m: size(m[1]), html)

    def sizes_named(self, text: str) -> list[str]:
        """Return the files whose sizes ``text`` shows as placeholders."""
        return self._size.findall(text)

    def unsized(self, html: str) -> bool:
        return f"{self.nonce}SIZE[" in html

    # -- held HTML

    def hold(self, uri: str, html: str) -> None:
        self._held[uri] = zlib.compress(html.encode("utf-8"), 1)

    def release(self, uri: str) -> str | None:
        packed = self._held.pop(uri, None)
        return zlib.decompress(packed).decode("utf-8") if packed is not None else None
