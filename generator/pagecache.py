"""The body of each report page, cached on disk by the report's text and the code that renders it.

A report page's body (the lead, the six sections as sanitized HTML, the three tables) depends on
the report alone; converting the prose with Python-Markdown and building the tables was most of
generating a page. After editing one report of 2,000, the other 1,999 bodies are read back instead
of rendered again. The frame around the body (links to other years, downloads) is always rebuilt.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .model import Report
from .validate import MODEL_CODE, code_fingerprint

DEFAULT_CACHE = Path(".nianbao-cache") / "pages"
PAGE_CODE = (*MODEL_CODE, "pages.py", "tables.py", "text.py", "grid.py", "pagecache.py", "render.py", "rawblocks.py")


class BodyCache:
    """Report page bodies in ``folder``, one file per report text and code version."""

    def __init__(self, folder: Path, templates: str = "") -> None:
        """``templates`` is the fingerprint of the page templates in use (the package's and the site's)."""
        self.folder = folder
        self.code = code_fingerprint(PAGE_CODE) + templates
        self.hits = 0

    def body(self, report: Report, make: Callable[[], str]) -> str:
        """Return the cached body of ``report``, or make it and keep it."""
        if not report.digest:
            return make()
        path = self.folder / f"{report.digest[:32]}-{self.code}.md"
        try:
            text = path.read_text(encoding="utf-8")
            self.hits += 1
            return text
        except OSError:
            pass
        text = make()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Write aside, then rename: a killed build never leaves half a body under a valid name.
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache only costs the time to render again
        return text
