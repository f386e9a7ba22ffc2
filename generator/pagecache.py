"""The body of each report page, cached on disk by the report's text and the code that renders it.

A report page's body (the lead, the six sections as sanitized HTML, the three tables) depends on
the report alone; converting the prose with Python-Markdown and building the tables was most of
generating a page. After editing one report of 2,000, the other 1,999 bodies are read back instead
of rendered again. The frame around the body (links to other years, downloads) is always rebuilt.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from .fsutil import library_versions
from .model import Report
from .validate import MODEL_CODE, code_fingerprint

DEFAULT_CACHE = Path(".nianbao-cache") / "pages"
PAGE_CODE = (*MODEL_CODE, "pages.py", "tables.py", "text.py", "grid.py", "pagecache.py", "render.py", "rawblocks.py")
PAGE_LIBRARIES = ("Markdown", "nh3", "PyYAML")  # the libraries whose output a body holds
_HEADER = "nianbao-page {size} {digest}\n"  # the first line of an entry: the body's length and hash


def _header(body: bytes) -> str:
    return _HEADER.format(size=len(body), digest=hashlib.sha256(body).hexdigest())


def _unsealed(entry: bytes) -> str | None:
    """Return the body of a cache entry if its header matches it, else None (truncated or altered)."""
    head, newline, body = entry.partition(b"\n")
    if not newline or (head + newline).decode("ascii", "replace") != _header(body):
        return None
    return body.decode("utf-8")


class BodyCache:
    """Report page bodies in ``folder``, one file per report text and code version."""

    def __init__(self, folder: Path, templates: str = "") -> None:
        """``templates`` is the fingerprint of the page templates in use (the package's and the site's)."""
        self.folder = folder
        versions = library_versions(*PAGE_LIBRARIES)
        self.code = hashlib.sha256(f"{code_fingerprint(PAGE_CODE)} {versions} {templates}".encode()).hexdigest()[:16]
        self.hits = 0

    def key(self, report: Report) -> str | None:
        """Return the name of the body of ``report`` in the cache: it changes whenever the body may."""
        return f"{report.digest[:32]}-{self.code}" if report.digest else None

    def body(self, report: Report, make: Callable[[], str]) -> str:
        """Return the cached body of ``report``, or make it and keep it."""
        if not report.digest:
            return make()
        path = self.folder / f"{self.key(report)}.md"
        try:
            text = _unsealed(path.read_bytes())
            if text is not None:
                self.hits += 1
                return text
        except (OSError, UnicodeDecodeError):
            pass  # missing or broken: made again
        text = make()
        body = text.encode("utf-8")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Write aside, then rename: a killed build never leaves half a body under a valid name.
            tmp.write_bytes(_header(body).encode("ascii") + body)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only or full cache only costs the time to render again
        return text
