"""The MkDocs plugin: reports become pages, index pages are generated, search is indexed.

``mkdocs build`` and ``mkdocs serve`` work through this plugin; ``nianbao build`` wraps it with
validation first and an atomic swap of the output directory. PDFs are rendered into a cache by
worker processes while this process builds the pages (pdf/pipeline.py), and copied into the site
after the build, because MkDocs empties ``site_dir`` when it starts. A page links a PDF with its
size; a size not known yet when the page is written is filled in once the PDFs are done
(rawblocks.py explains every placeholder). Under ``mkdocs serve`` a report with errors does not
stop the preview: it is left out, its own address shows its findings, check.html lists them all,
and every page says how many reports are left out.

Each event delegates to one stage: hosting.py (theme, assets, nav, titles in the host site),
render.py (templates), sitepages.py (the pages), pdf/ (PDFs), search.py, datafiles.py.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import aggregate, datafiles, hosting, pagecache, pages, render, sitepages
from .findings import format_text
from .fsutil import place
from .model import Report
from .pagecache import BodyCache
from .pdf import (
    DEFAULT_CACHE,
    FontError,
    PdfPipeline,
    PdfSettings,
    RenderError,
    find_fonts,
    prune_cache,
    size_label,
    source_date_epoch,
)
from .rawblocks import Placeholders
from .reader import FILE_NAME
from .search import BATCH_PAGES, SearchIndexError, report_record, write_index
from .validate import Validation, validate

log = logging.getLogger("mkdocs.plugins.nianbao")
Links = list[tuple[str, str]]


class NianbaoConfig(base.Config):  # type: ignore[no-untyped-call]
    reports_dir = c.Type(str, default="reports")
    search = c.Type(bool, default=True)
    progress = c.Type(bool, default=True)
    pdf = c.Type(bool, default=True)
    fonts = c.ListOfItems(c.Type(str), default=[])
    pdf_jobs = c.Type(int, default=os.cpu_count() or 1)
    pdf_cache = c.Type(str, default=str(DEFAULT_CACHE))
    pdf_tagged_bundles = c.Type(bool, default=False)
    open_data = c.Type(bool, default=True)
    data_cache = c.Type(str, default=str(datafiles.DEFAULT_CACHE))
    page_cache = c.Type(str, default=str(pagecache.DEFAULT_CACHE))
    regions = c.ListOfItems(c.Type(str), default=[])  # publish only these regions (a shard)
    search_shards = c.ListOfItems(c.Type(dict), default=[])  # other sites whose search index to merge
    search_batch = c.Type(int, default=BATCH_PAGES)  # pages per Pagefind run (its memory grows with them)


def in_regions(reports: list[Report], prefixes: list[str]) -> list[Report]:
    """Return the reports within any of the region prefixes (all of them when there are none)."""
    if not prefixes:
        return reports
    wanted = [tuple(p.strip("/").split("/")) for p in prefixes]
    return [r for r in reports if any(r.region[: len(w)] == w for w in wanted)]


SEARCH_CACHE = Path(".nianbao-cache") / "search"


# ``nianbao build`` validates before MkDocs starts and hands the result over, to validate once.
PRELOADED: dict[str, Validation] = {}
# Seconds spent in each stage of the last build, for the build summary and the benchmarks.
TIMINGS: dict[str, float] = {}


class _Stage:
    """Time a stage of the build into TIMINGS."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self.start = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        TIMINGS[self.name] = TIMINGS.get(self.name, 0.0) + time.monotonic() - self.start


class NianbaoPlugin(BasePlugin[NianbaoConfig]):  # type: ignore[no-untyped-call]
    """Publish the reports of ``reports_dir`` as pages of the site."""

    def __init__(self) -> None:
        self.command = "build"
        self.validation: Validation | None = None
        self.site: pages.SiteIndex | None = None
        self.reports_path = Path("reports")
        self._pages_done = 0
        self._started = 0.0
        self.pdf_settings: PdfSettings | None = None
        self.pdfs: PdfPipeline | None = None
        self._unsized: list[Path] = []  # written pages still showing a PDF size placeholder
        self._search_thread: threading.Thread | None = None
        self._search_error: Abort | None = None
        self.aggregates: list[aggregate.Aggregate] = []
        self._pages_started = time.monotonic()
        self.placeholders = Placeholders()
        self.root = Path(".")
        self._excluded = 0  # reports left out of a preview for their errors

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.root = root
        hosting.register_theme(config)
        custom = [Path(config.theme.custom_dir) / render.SITE_FOLDER] if config.theme.custom_dir else []
        render.use(render.Templates(custom), render.Urls(bool(config.use_directory_urls)))
        self.placeholders = Placeholders()
        self.reports_path = (root / self.config.reports_dir).resolve()
        key = str(self.reports_path)
        TIMINGS.clear()
        result = PRELOADED.pop(key, None)
        if result is None and self.config.search_shards and not self.reports_path.exists():
            result = Validation([], [])  # a portal: no reports of its own
        if result is None:
            with _Stage("校验"):
                result = validate([self.reports_path])
        if not result.ok and self.command != "serve":
            raise Abort("报告校验未通过，网站未生成：\n" + format_text(result.findings, len(result.reports)))
        if result.findings:
            log.warning("报告校验：\n%s", format_text(result.findings, len(result.reports)))
        self.validation = result
        self.site = pages.SiteIndex(in_regions(result.valid_reports(), self.config.regions))
        self._excluded = sum(1 for r in result.reports if r.errors)
        self.pdf_settings = None  # MkDocs reuses the plugin between builds of one process: no PDFs from the last
        if self.config.pdf:
            try:
                fonts = find_fonts([root / d for d in self.config.fonts])
            except FontError as exc:
                raise Abort(str(exc)) from None
            cache = root / self.config.pdf_cache
            self.pdf_settings = PdfSettings(
                cache, fonts, max(1, self.config.pdf_jobs), source_date_epoch(), self.config.pdf_tagged_bundles
            )
        return config

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.reports_path))
        return server

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        site = self.site
        assert site is not None
        report_links, year_links = self._start_pdfs(site, config)
        self._start_search(config)
        self._pages_started = time.monotonic()
        self.aggregates = aggregate.aggregates(site.reports)
        shards = [{"bundle": str(s.get("bundle", "")), "base": str(s.get("base", ""))} for s in self.config.search_shards]
        # One page at a time, its tables lifted out at once: 10,000 reports' Markdown is 260 MB of text.
        cache = BodyCache(self.root / self.config.page_cache, render.current().fingerprint)
        generated = sitepages.generate(site, self.aggregates, report_links, year_links, self.config.open_data, shards, cache)
        for uri, content in [*generated, *self._preview_pages(), *self._home_page(files, config)]:
            if files.get_file_from_path(uri) is not None:
                raise Abort(f"{config.docs_dir}/{uri} 与自动生成的页面重名，请改名或删除")
            files.append(hosting.page_file(config, uri, self.placeholders.lift(content, uri)))
        hosting.add_assets(files, config)
        self._total = sum(1 for f in files if f.is_documentation_page())
        self._pages_done = 0
        self._started = time.monotonic()
        return files

    def _preview_pages(self) -> Iterator[tuple[str, str]]:
        """Yield check.md (always), and under ``serve`` the page at each excluded report's own address."""
        result = self.validation
        assert result is not None and self.site is not None
        published = {pages.report_uri(r) for r in self.site.reports}
        errors: dict[str, list[Any]] = {}
        for f in result.findings:
            m = FILE_NAME.match(Path(f.file).name)
            if m and f.is_error and self.command == "serve":
                errors.setdefault(f.file, []).append(f)
        addresses: dict[str, str] = {}
        for source, found in errors.items():
            m = FILE_NAME.match(Path(source).name)
            assert m
            uri = f"{pages.REPORTS_DIR}/{m[1]}-{m[2]}.md"
            if uri not in published and uri not in addresses.values():
                addresses[source] = uri
                yield uri, pages.report_errors_page(uri, source, found)
        yield pages.CHECK_PAGE, pages.findings_page(result.findings, self._excluded, len(result.reports), addresses)

    @staticmethod
    def _home_page(files: Files, config: MkDocsConfig) -> list[tuple[str, str]]:
        """Return the home page for a site without an index.md of its own (none otherwise)."""
        if files.get_file_from_path(pages.HOME_PAGE) is not None:
            return []
        return [(pages.HOME_PAGE, pages.home_page(config.site_name))]

    def _start_pdfs(self, site: pages.SiteIndex, config: MkDocsConfig) -> tuple[dict[str, Links], dict[int, Links]]:
        """Start rendering every report's PDF and every yearly bundle; return their links."""
        settings = self.pdf_settings
        self.pdfs = None
        self._unsized = []
        if settings is None or not site.reports:
            return {}, {}
        publisher = str(config.extra.get("publisher") or config.site_name)
        self.pdfs = PdfPipeline(settings, publisher, self._say if self.config.progress else None)
        try:
            with _Stage("PDF"):
                self.pdfs.start(site)
        except RenderError as exc:
            self.pdfs.close()
            raise Abort(str(exc)) from None
        report_links: dict[str, Links] = {}
        for report in site.reports:
            name = PdfPipeline.report_name(report.slug)
            report_links[report.slug] = [(f"PDF（{self._size(name)}）", name)]
        year_links: dict[int, Links] = {}
        for bundle in self.pdfs.bundles:
            name = PdfPipeline.bundle_name(bundle)
            where = f"{pages.region_label(bundle.region)} " if bundle.region else ""
            year_links.setdefault(bundle.year, []).append((f"{where}全年汇编 PDF（{self._size(name)}）", name))
        return report_links, year_links

    def _size(self, name: str) -> str:
        """Return a PDF's size as a reader sees it, or a placeholder while it is being rendered."""
        try:
            size = self.pdfs.size(name) if self.pdfs else None
        except RenderError as exc:  # a report the workers could not typeset: stop here, in Chinese
            raise Abort(str(exc)) from None
        return size_label(size) if size is not None else self.placeholders.size(name)

    def _finish_pdfs(self, site_dir: Path) -> None:
        """Wait for the PDFs, fill in the sizes the pages were written without, put the PDFs into the site."""
        pdfs = self.pdfs
        if pdfs is None:
            return
        try:
            with _Stage("等待 PDF"):
                files = pdfs.finish()
        except RenderError as exc:
            raise Abort(str(exc)) from None
        for path in self._unsized:
            html = path.read_text(encoding="utf-8")
            path.write_text(self.placeholders.fill_sizes(html, self._size), encoding="utf-8")
        for name, source in files.items():
            place(source, site_dir / name)
        prune_cache(pdfs.settings.cache_dir, files.values())
        done = pdfs.summary
        if self.config.progress:
            per = f"，每份用 CPU {1000 * done.render_seconds / done.rendered:.0f} 毫秒" if done.rendered else ""
            self._say(f"  PDF：{done.reports} 份报告（{done.rendered} 份新生成{per}，{done.reports - done.rendered} 份来自缓存），"
                      f"{done.bundles} 份年度汇编（{done.merged} 份新合并），与页面并行，共用时 {done.elapsed:.1f} 秒，"
                      f"最后等待 {done.waited:.1f} 秒")

    @staticmethod
    def _say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        self._progress()
        site = self.site
        assert site is not None
        if page.meta.get("nianbao"):
            hosting.escape_meta(page.meta)
        markdown = self.placeholders.lift(markdown, page.file.src_uri)  # a hand-written page may hold blocks too
        if pages.LATEST_MARKER in markdown:
            markdown = markdown.replace(pages.LATEST_MARKER, pages.latest_list(site, page.file.src_uri))
        if pages.YEARS_MARKER in markdown:
            markdown = markdown.replace(pages.YEARS_MARKER, pages.years_list(site, page.file.src_uri))
        return markdown

    @event_priority(-100)  # last: every other plugin has read the page's HTML
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # MkDocs converts every page before it renders any: hold each page's HTML compressed until its
        # template is rendered (on_page_context), and drop its Markdown and its file's text, read now.
        if self._excluded and self.command == "serve":
            html = render.current().render(
                "banner.html", excluded=self._excluded, href=render.urls().linker(page.file.src_uri)
            ) + html
        self.placeholders.hold(page.file.src_uri, html)
        page.markdown = ""
        if page.file.generated_by:
            page.file.content_bytes = b""
        return ""

    @event_priority(100)  # first: before any other plugin reads the page's HTML (Material's search)
    def on_page_context(self, context: Any, /, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        held = self.placeholders.release(page.file.src_uri)
        if held is not None:
            page.content = held
        return context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        page.content = None  # written out: nothing reads it again
        output = self.placeholders.restore(output, page.file.src_uri)
        output = self.placeholders.fill_sizes(output, self._size)
        if self.placeholders.unsized(output):
            self._unsized.append(Path(page.file.abs_dest_path))
        return output

    def _progress(self) -> None:
        self._pages_done += 1
        done, total = self._pages_done, getattr(self, "_total", 0)
        if self.config.progress and total >= 200 and (done % 500 == 0 or done == total):
            rate = done / max(time.monotonic() - self._started, 1e-6)
            print(f"  页面 {done}/{total}（每秒 {rate:.0f} 页）", file=sys.stderr, flush=True)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        TIMINGS["页面"] = time.monotonic() - self._pages_started
        # The workers render PDFs meanwhile: the open data first, then wait for them. Pagefind is the
        # build's largest process (about 540 MB per batch of 2,000 pages): one batch has been running
        # since the pages started (_start_search), several run once the workers have exited, so that
        # their memory never adds up.
        if self.config.open_data and self.site and self.site.reports:
            with _Stage("开放数据"):
                self._write_data(Path(config.site_dir))
        self._finish_pdfs(Path(config.site_dir))
        if self._search_thread is None:
            self._write_search(config)
            return
        self._search_thread.join()
        self._search_thread = None
        if self._search_error is not None:
            raise self._search_error

    def on_build_error(self, *, error: Exception) -> None:
        if self.pdfs is not None:
            self.pdfs.close()  # stop the workers: nothing of a failed build is kept
        if self._search_thread is not None:
            self._search_thread.join()  # Pagefind writes only into the build's own folder
            self._search_thread = None

    def _start_search(self, config: MkDocsConfig) -> None:
        """Index a site of one Pagefind batch in a thread, beside the page build.

        Pagefind is a separate program, so it runs on the other core while this process builds the
        pages: an edit of one report of 2,000 no longer waits for the index after the pages.
        """
        self._search_thread = None
        self._search_error = None
        if not (self.config.search and self.site and self.site.reports):
            return
        if len(self.site.reports) > max(1, self.config.search_batch):
            return

        def work() -> None:
            try:
                self._write_search(config)
            except Abort as exc:
                self._search_error = exc
            except Exception as exc:  # noqa: BLE001 - handed to the build's thread, which stops the build
                self._search_error = Abort(f"搜索索引生成失败：{exc}")

        self._search_thread = threading.Thread(target=work, name="nianbao-search", daemon=True)
        self._search_thread.start()

    def _write_search(self, config: MkDocsConfig) -> None:
        if not self.config.search or not (self.site and self.site.reports):
            return  # a portal with no reports of its own searches its shards' indexes
        site = self.site
        assert site is not None
        start = time.monotonic()
        urls = render.urls()
        # Pagefind names a page by its file: reports/x/index.html is listed as reports/x/.
        records = [report_record(r, "/" + urls.page(pages.report_uri(r)) + ("index.html" if urls.directory else ""))
                   for r in site.reports]
        try:
            with _Stage("搜索索引"):
                write_index(records, Path(config.site_dir) / "pagefind", self.root / SEARCH_CACHE, max(1, self.config.search_batch))
        except SearchIndexError as exc:
            raise Abort(str(exc)) from None
        log.info("搜索索引完成：%d 份报告，用时 %.1f 秒", len(records), time.monotonic() - start)

    def _write_data(self, site_dir: Path) -> None:
        """Write the open-data files: all reports, each year, each report (cached)."""
        site = self.site
        assert site is not None
        start = time.monotonic()
        datafiles.write_collections(site_dir, site.reports)
        fresh = datafiles.write_report_files(site_dir, site.reports, self.root / self.config.data_cache)
        if self.config.progress and len(site.reports) >= 20:
            self._say(f"  开放数据：{len(site.reports)} 份报告（{fresh} 份新生成），用时 {time.monotonic() - start:.1f} 秒")
