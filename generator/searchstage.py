"""The search index of a build: Pagefind over the report pages, beside the page build.

Pagefind is a separate program, so the index is made in a thread while this process builds the
pages (the other core runs Pagefind). The pages are indexed in batches of about ``search_batch``
(250): Pagefind's memory is that of one batch (about 70 MB), so it can run beside the PDF
workers, and after an edit only the batch holding the edited report is indexed again (search.py).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import Abort

from . import render
from .pages import SiteIndex, report_uri
from .search import SearchIndexError, Source, record_code, report_record, write_index, write_shared
from .timings import timed

log = logging.getLogger("mkdocs.plugins.nianbao")
SEARCH_CACHE = Path(".nianbao-cache") / "search"


class SearchStage:
    """The Pagefind index of one build's reports."""

    def __init__(self, cache: Path, batch: int) -> None:
        self.cache = cache  # the index cache folder, resolved inside the project (fsutil.cache_folder)
        self.batch = max(1, batch)
        self._thread: threading.Thread | None = None
        self._error: Abort | None = None
        self.adopt: Callable[[str, str], bool] | None = None  # files unchanged since the published build (reuse.py)

    def start(self, site: SiteIndex, site_dir: Path) -> None:
        """Start indexing in a thread."""
        self._thread = None
        self._error = None
        if not site.reports:
            return

        def work() -> None:
            try:
                self.write(site, site_dir)
            except Abort as exc:
                self._error = exc
            except Exception as exc:  # noqa: BLE001 - handed to the build's thread, which stops the build
                self._error = Abort(f"搜索索引生成失败：{exc}")

        self._thread = threading.Thread(target=work, name="nianbao-search", daemon=True)
        self._thread.start()

    def finish(self, site: SiteIndex, site_dir: Path) -> None:
        """Wait for the thread, or index now; raise its error in the build's thread."""
        if self._thread is None:
            self.write(site, site_dir)
            return
        self._thread.join()
        self._thread = None
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        if self._thread is not None:
            self._thread.join()  # Pagefind writes only into the build's own folder
            self._thread = None

    def write(self, site: SiteIndex, site_dir: Path) -> None:
        if not site.reports:
            return  # a portal with no reports of its own searches its shards' indexes
        start = time.monotonic()
        urls = render.urls()
        # Pagefind names a page by its file: reports/x/index.html is listed as reports/x/.
        suffix = "index.html" if urls.directory else ""
        records = []
        for r in site.reports:  # a record is made only for a batch the cache does not hold
            url = "/" + urls.page(report_uri(r)) + suffix
            records.append(Source(url, r.digest or "", functools.partial(report_record, r, url)) if r.digest else report_record(r, url))
        try:
            with timed("搜索索引"):
                adopt = self.adopt
                code = record_code()  # a fragment's name is Pagefind's; what nianbao writes into it is this code's
                write_index(records, site_dir / "pagefind", self.cache, self.batch,
                            (lambda rel, key: adopt(f"pagefind/{rel}", f"{key} {code}")) if adopt else None)
                write_shared(site.reports, site_dir / "pagefind")
        except SearchIndexError as exc:
            raise Abort(str(exc)) from None
        log.info("搜索索引完成：%d 份报告，用时 %.1f 秒", len(records), time.monotonic() - start)
