"""The page templates: Jinja2, autoescaped, shipped in the package, overridable by the site.

Every generated page is the rendering of one template of ``generator/templates/`` from a context
built in Python (pages.py, datapages.py): the page's Markdown source, whose HTML parts are
written by the template and escaped by Jinja2 (``autoescape`` on). A site overrides a template
by a file of the same name in ``<custom_dir>/nianbao/``; to change one block and keep the rest,
it extends the package's version, ``{% extends "package/report.md" %}``. content/guide/templates.md
documents each template, its context and its blocks.

Filters: ``md`` escapes text for a Markdown line (every character stays literal, as HTML entities);
``yaml`` quotes a front-matter value. The ``raw`` filter marks an HTML block so that the plugin
lifts it out before Python-Markdown runs (rawblocks.py).
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import Markup

from . import rawblocks

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SITE_FOLDER = "nianbao"  # a site's overrides: <custom_dir>/nianbao/<template name>


# Characters Markdown or its extensions give meaning to: attr_list reads ``{: onclick=…}`` at the end
# of a heading or after an inline element, backticks open code, brackets links, ``|`` table cells.
_MARKDOWN_SPECIAL = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]()#!|~<>\"'"})


def md_text(text: object) -> Markup:
    """Escape text for a Markdown line (headings, link texts, list items): every character stays literal."""
    return Markup(str(text).replace("&", "&amp;").translate(_MARKDOWN_SPECIAL))


# What a double-quoted YAML scalar cannot hold as it is: YAML refuses control characters raw and
# folds the line breaks NEL, LS and PS; each is written as an escape instead.
_YAML_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x22: '\\"', 0x5C: "\\\\", 0x2028: "\\L", 0x2029: "\\P", 0xFEFF: "\\ufeff", 0xFFFE: "\\ufffe", 0xFFFF: "\\uffff",
}


def yaml_str(text: object) -> Markup:
    """Return ``text`` as a double-quoted YAML scalar (the front matter MkDocs reads)."""
    return Markup('"' + str(text).translate(_YAML_ESCAPES) + '"')


def raw_block(html: object) -> Markup:
    """Return an HTML block marked for the plugin to lift out of the Markdown (rawblocks.py)."""
    return Markup(rawblocks.block(str(html)) + "\n")


def relpath(path: str, start: str) -> str:
    """Return ``posixpath.relpath(path, start)`` of two paths from the site root, without the file system.

    posixpath.relpath makes both absolute with os.getcwd(): 500 reports make 18,000 links.
    """
    return _relative(path, start) or posixpath.relpath(path, start)


@functools.lru_cache(maxsize=16384)
def _relative(path: str, start: str) -> str | None:
    """The relative path from ``start`` to ``path`` when neither leaves the root (else None)."""
    path, start = posixpath.normpath(path), posixpath.normpath(start)
    if path.startswith(("/", "..")) or start.startswith(("/", "..")):
        return None  # above the root or absolute: as posixpath.relpath does it, with the working directory
    target = [] if path == "." else path.split("/")
    origin = [] if start == "." else start.split("/")
    common = 0
    for a, b in zip(target, origin, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(origin) - common) + target[common:]) or "."


class Urls:
    """The site's addresses, with ``use_directory_urls`` (reports/x/) or without (reports/x.html)."""

    def __init__(self, directory: bool = False) -> None:
        self.directory = directory

    def page(self, uri: str) -> str:
        """Return the address of the page made from source ``uri`` (``reports/x.md``), from the site root."""
        if not uri.endswith(".md"):
            return uri
        stem = uri[:-3]
        if not self.directory:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem[:-5]
        return stem + "/"

    def linker(self, here: str) -> Callable[..., str]:
        """Return ``href(target, markdown=False)`` for the page made from source ``here``.

        A Markdown link keeps the target's source path (MkDocs turns it into the address); an HTML
        link gets the address itself, relative to this page, so that the site works from any folder.
        """
        base = posixpath.dirname(self.page(here).rstrip("/") + ("/x" if self.page(here).endswith("/") else ""))
        source_dir = posixpath.dirname(here)

        def href(target: str, markdown: bool = False) -> str:
            if markdown:
                return relpath(target, source_dir or ".")
            address = self.page(target)
            rel = relpath(address or ".", base or ".")
            if address.endswith("/") or address == "":
                rel = "./" if rel == "." else rel.rstrip("/") + "/"
            return rel

        return href


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in a folder between builds; a folder that is gone, full or read-only only costs compiling."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class Templates:
    """The page templates: the site's overrides first, then the package's."""

    def __init__(self, site_dirs: Iterable[Path] = (), compiled: jinja2.BytecodeCache | None = None) -> None:
        """``compiled`` keeps the compiled templates between builds (Jinja keys them by their source)."""
        self.site_dirs = [d for d in site_dirs if d.is_dir()]
        package = jinja2.FileSystemLoader(TEMPLATES_DIR)
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [*(jinja2.FileSystemLoader(d) for d in self.site_dirs), jinja2.PrefixLoader({"package": package}), package]
            ),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a build renders each template thousands of times; serve makes new Templates
            bytecode_cache=compiled,
        )
        self.env.filters.update(md=md_text, yaml=yaml_str, raw=raw_block)
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        """Return a hash of the templates, the package's and the site's (the page cache keys on it)."""
        digest = hashlib.sha256()
        for folder in (TEMPLATES_DIR, *self.site_dirs):
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    digest.update(path.relative_to(folder).as_posix().encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()[:12]

    def render(self, template: str, /, **context: Any) -> str:
        return self.env.get_template(template).render(**context)


_current = Templates()
_urls = Urls()


def use(templates: Templates, urls: Urls) -> None:
    """Render this build's pages with ``templates`` (the site's overrides) and ``urls`` (its URL style)."""
    global _current, _urls
    _current, _urls = templates, urls


def current() -> Templates:
    return _current


def urls() -> Urls:
    return _urls


def render(template: str, uri: str, /, **context: Any) -> str:
    """Render the page template ``template`` for the page at source ``uri`` (links are relative to it)."""
    context.setdefault("meta", {})
    context.setdefault("crumbs", [])  # breadcrumbs, (label, page source or None), page.md draws them
    context.setdefault("tab", None)  # the nav page whose tab is active (nianbao/base.html)
    return _current.render(template, href=_urls.linker(uri), **context)
