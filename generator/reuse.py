"""Pages taken from the previous build when nothing they are made from has changed.

After one report of 10,000 is edited, a few dozen pages show something new: the report's own page,
its agency's page, its year's page, the statistics of its regions, the pages that link its
region's 汇编 PDF. MkDocs and Material would render the other pages again, to the same bytes, at
about 20 ms each. So each page gets a key, a hash of everything its HTML is made from:

- the page's generated Markdown: the report's text (its body by the page cache's key, which is the
  report's own digest and the code that renders it), the parts of the site index the page shows,
  the Git dates, its links; the build's random nonce taken out;
- the files behind every size the page shows: PDFs and bundles are named in their cache by their
  content, so the same names mean the same sizes;
- what every page shares (``shared_fingerprint``): nianbao's code, templates and theme, the
  versions of MkDocs, Material, Markdown and Jinja, the site's theme folder, its configuration
  (``mkdocs.yml`` and the values MkDocs resolved from it), and its hand-written pages (their titles
  and addresses make the nav that every page shows).

``nianbao build`` builds into a staging folder beside the published site. A page whose key is the
one recorded for the published page, and whose published file is as that build left it (the same
size, modification time and inode), is hard-linked from the published site into the staging folder
(``adopt``, which says why that is safe), and MkDocs skips it: the build runs "dirty" into the
empty staging folder, so that every other page is rendered and written as in a clean build. The
keys are kept in the page cache, one manifest per published folder, written once the site is
complete; anything unexpected (no manifest, another version, a page changed by hand after
publishing) only means that the page is rendered again.

Only the pages nianbao generates are reused, and only on sites whose plugins are all known not to
read other pages (nianbao alone): a search or blog plugin of the host site sees every page.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel

from . import __version__
from .aggregate import Aggregate
from .fsutil import library_versions, place
from .model import Report
from .pagecache import BodyCache
from .pages import SiteIndex

log = logging.getLogger("mkdocs.plugins.nianbao")

MANIFEST_VERSION = 1
REUSE_PLUGINS = frozenset({"nianbao"})  # plugins whose pages depend on nothing but their own inputs
LIBRARIES = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Jinja2", "MarkupSafe", "nh3", "PyYAML")
# The resolved configuration values a page can show (the rest, like site_dir, cannot).
CONFIG_KEYS = (
    "site_name", "site_url", "site_description", "site_author", "copyright", "repo_url", "repo_name", "edit_uri",
    "extra", "nav", "not_in_nav", "use_directory_urls", "extra_css", "extra_javascript", "extra_templates",
    "markdown_extensions", "mdx_configs", "docs_dir", "strict", "validation",
)


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class ReusedFile(File):
    """A generated page taken from the previous build: MkDocs reads and renders it no more."""

    def is_modified(self) -> bool:
        return False


@functools.cache
def package_fingerprint() -> str:
    """Return a hash of every file of the installed package (code, templates, theme, fonts' lists)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _folder_digest(digest: Any, folder: Path, contents: Callable[[Path], bool]) -> None:
    """Add every file's path (and, where ``contents`` says so, its bytes) under ``folder``."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0")
            if contents(path):
                digest.update(path.read_bytes())


def shared_fingerprint(config: MkDocsConfig, templates: str) -> str:
    """Return the hash of what every page of the site is made from besides its own Markdown.

    ``templates`` is the page templates' fingerprint (render.Templates, the site's overrides included).
    """
    digest = hashlib.sha256(f"{MANIFEST_VERSION}\0{package_fingerprint()}\0{templates}\0".encode())
    digest.update(library_versions(*LIBRARIES).encode())
    if config.config_file_path:
        digest.update(Path(config.config_file_path).read_bytes())
    values = {key: config.get(key) for key in CONFIG_KEYS}
    values["theme"] = {k: v for k, v in config.theme.items()}
    values["theme_dirs"] = list(config.theme.dirs)
    values["plugins"] = {name: dict(plugin.config) for name, plugin in config.plugins.items()}
    resolved = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    digest.update(_ADDRESS.sub("", resolved).encode())  # a function's repr names its address in memory
    if config.theme.custom_dir:
        _folder_digest(digest, Path(config.theme.custom_dir), lambda p: True)
    # The hand-written pages make the nav (titles, order): their Markdown counts, other files by name.
    _folder_digest(digest, Path(config.docs_dir), lambda p: p.suffix in {".md", ".markdown", ".yml", ".yaml"})
    return digest.hexdigest()


class Unkeyable(Exception):
    """A page argument that cannot be written down (a function): the page is always rendered."""


def canonical(value: object) -> str:
    """Return ``value`` as text that is the same for equal inputs in every build.

    A report is its file's digest and path (everything of it comes from its file); the page
    cache is its code's fingerprint; dataclasses are their fields; functions cannot be written
    down (Unkeyable).
    """
    out: list[str] = []
    _canonical(value, out)
    return "".join(out)


def _canonical(value: object, out: list[str]) -> None:
    if value is None or isinstance(value, (str, int, float, Decimal, datetime.date)):
        out.append(repr(value))  # str subclasses (Markup) too; dates and datetimes by their value
    elif isinstance(value, Report):
        out.append(f"R({value.digest},{value.path})")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for item in value:
            _canonical(item, out)
            out.append(",")
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for k, v in sorted(value.items(), key=lambda kv: repr(kv[0])):
            _canonical(k, out)
            out.append(":")
            _canonical(v, out)
            out.append(",")
        out.append("}")
    elif isinstance(value, Aggregate):  # its numbers are its reports' sums
        out.append(f"A({value.year},{value.region!r},{value.format_id},")
        out.extend(f"R({r.digest},{r.path})" for r in value.reports)
        out.append(")")
    elif isinstance(value, SiteIndex):
        _canonical(value.reports, out)
    elif isinstance(value, BodyCache):
        out.append(f"B({value.code})")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(type(value).__qualname__ + "(")
        for f in dataclasses.fields(value):
            _canonical(getattr(value, f.name), out)
            out.append(",")
        out.append(")")
    else:
        raise Unkeyable(type(value).__qualname__)


def page_key(shared: str, uri: str, markdown: str, sizes: Iterable[str | None]) -> str | None:
    """Return a page's key, or None when a size it shows has no known source (it is never reused)."""
    names = list(sizes)
    if any(n is None for n in names):
        return None
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{shared}\0{uri}\0{len(markdown)}\0".encode())
    digest.update(markdown.encode("utf-8", "surrogatepass"))
    digest.update("\0".join(sorted(n for n in names if n is not None)).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    key: str
    size: int
    mtime_ns: int
    inode: int



def manifest_path(cache: Path, target: Path) -> Path:
    """Return the manifest of the site published at ``target`` (one per published folder)."""
    return cache / "reuse" / f"{hashlib.sha256(str(target).encode()).hexdigest()[:24]}.json"


class PageReuse:
    """One build's reuse of the pages published at ``target`` (the build writes into ``staging``)."""

    def __init__(self, cache: Path, target: Path, staging: Path, shared: str) -> None:
        self.target, self.staging, self.shared = target, staging, shared
        self.manifest = manifest_path(cache, target)
        self.previous = self._load()
        self.keys: dict[str, str] = {}  # dest path -> key, for every file of this build with one
        self._target, self._staging = str(target), str(staging)
        self._folders: set[str] = set()  # staging folders made
        self.reused = 0
        self.rendered = 0

    def _load(self) -> dict[str, Entry]:
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION or data.get("shared") != self.shared:
                return {}
            return {dest: Entry(*value) for dest, value in data["pages"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}  # none yet, or unreadable: every page is rendered

    def take(self, config: MkDocsConfig, files: Files, uri: str, key: str | None) -> File | None:
        """Return the reused file of a page, linked into the staging folder, or None to render it."""
        dest = File(uri, None, str(self.staging), bool(config.use_directory_urls)).dest_uri
        if key is None or files.get_file_from_path(dest) is not None:  # another file writes there: rendered
            self.rendered += 1
            return None
        if not self.adopt(dest, key):
            self.rendered += 1
            return None
        self.reused += 1
        return ReusedFile.generated(config, uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)

    def adopt(self, dest: str, key: str) -> bool:
        """Put the published file at ``dest`` into the staging folder if it was made from ``key``.

        Either way ``dest`` is recorded with ``key`` for the next build. The file is hard-linked:
        one system call instead of a copy (10,000 pages, PDFs and data files took seconds to copy).
        The published site and the staging folder then share it until the swap, which is safe
        because nothing writes into a file of the staging folder in place: MkDocs writes only the
        pages it renders (never a reused one; take() leaves a page to MkDocs if any other file of
        the build has its address), and nianbao's writers replace a file (fsutil.place, write
        after unlink). After the swap the old site, and with it the second name, is deleted.
        """
        self.keys[dest] = key
        entry = self.previous.get(dest)
        if entry is None or entry.key != key:
            return False
        published = os.path.join(self._target, dest)  # strings, not Paths: this runs for every file of the site
        try:
            st = os.stat(published)
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns, st.st_ino) != (entry.size, entry.mtime_ns, entry.inode):
            return False
        target = os.path.join(self._staging, dest)
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        try:
            os.link(published, target)
        except OSError:
            place(Path(published), Path(target))  # a file system without hard links
        return True

    def record(self, dest: str, key: str) -> None:
        """Record that the file at ``dest``, put into the staging folder by another writer, was made from ``key``."""
        self.keys[dest] = key

    def save(self) -> None:
        """Record the keys of the pages of the complete staging folder (before it is published)."""
        pages = {}
        for dest, key in self.keys.items():
            try:
                st = os.stat(os.path.join(self._staging, dest))
            except OSError:
                continue
            pages[dest] = [key, st.st_size, st.st_mtime_ns, st.st_ino]
        data = {"version": MANIFEST_VERSION, "shared": self.shared, "pages": pages}
        tmp = self.manifest.with_name(f".{self.manifest.name}.{os.getpid()}.tmp")
        try:
            self.manifest.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.manifest)
        except OSError as exc:  # a read-only cache only costs the next build its speed
            log.info("页面复用记录未能写入（%s），下次构建将重新生成全部页面", exc)
            tmp.unlink(missing_ok=True)


# ``nianbao build`` says where the published site is, by the staging folder it builds into.
PUBLISHED: dict[str, Path] = {}
