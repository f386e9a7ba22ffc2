"""The MkDocs plugin: reports become pages, index pages are generated, search is indexed.

``mkdocs build`` and ``mkdocs serve`` work through this plugin; ``nianbao build`` wraps it with
validation first and an atomic swap of the output directory. Each MkDocs event below delegates to
one stage:

- on_config: hosting.py (the theme layer, assets, escaping in the host site), render.py (the
  page templates and URL style), validate.py, and the PDF settings;
- on_files: sitepages.py (every generated page), pdfstage.py (PDFs rendered by workers while the
  pages are built), searchstage.py (the Pagefind index, in a thread when the site is small);
- on_page_markdown / on_page_content / on_page_context / on_post_page: rawblocks.py (the
  placeholders put into pages and taken out, explained there);
- on_post_build: datafiles.py (open data), then the PDFs and the index are finished.

Under ``mkdocs serve`` a report with errors does not stop the preview: it is left out, its own
address shows its findings, check.html lists them all, and every page says how many are left out.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from . import aggregate, datafiles, datapages, fragments, hosting, opendata, pagecache, pages, render, reuse, sitepages
from .dates import chinese_date
from .findings import format_text
from .fsutil import CacheError, cache_folder, save_verified
from .model import Report
from .pagecache import BodyCache
from .pdf import DEFAULT_CACHE, FontError, PdfSettings, allocator, find_fonts, source_date_epoch
from .pdfstage import PdfStage, say
from .rawblocks import Placeholders
from .search import BATCH_PAGES
from .searchstage import SEARCH_CACHE, SearchStage
from .timings import TIMINGS, timed
from .validate import Validation, validate

log = logging.getLogger("mkdocs.plugins.nianbao")
JINJA_CACHE = Path(".nianbao-cache") / "jinja"  # compiled templates (Jinja keys them by their source)
__all__ = ["PRELOADED", "TIMINGS", "NianbaoPlugin", "in_regions"]


class NianbaoConfig(base.Config):  # type: ignore[no-untyped-call]
    reports_dir = c.Type(str, default="reports")
    search = c.Type(bool, default=True)
    progress = c.Type(bool, default=True)
    pdf = c.Type(bool, default=True)
    fonts = c.ListOfItems(c.Type(str), default=[])
    pdf_jobs = c.Type(int, default=os.cpu_count() or 1)
    pdf_cache = c.Type(str, default=str(DEFAULT_CACHE))
    pdf_tagged_bundles = c.Type(bool, default=False)
    pdf_allocator = c.Type(str, default=allocator.AUTO)  # the PDF workers' malloc: auto (jemalloc if installed), system, a path
    open_data = c.Type(bool, default=True)
    data_license = c.Type(str, default=opendata.DEFAULT_LICENSE)  # SPDX id of the open data's licence
    data_license_url = c.Type(str, default="")  # its text, for a licence not in opendata.LICENSES
    data_cache = c.Type(str, default=str(datafiles.DEFAULT_CACHE))
    page_cache = c.Type(str, default=str(pagecache.DEFAULT_CACHE))
    regions = c.ListOfItems(c.Type(str), default=[])  # publish only these regions (a shard)
    search_shards = c.ListOfItems(c.Type(dict), default=[])  # other sites whose search index to merge
    search_batch = c.Type(int, default=BATCH_PAGES)  # pages per Pagefind run (its memory grows with them)


def _compiled(folder: Path | None) -> jinja2.BytecodeCache | None:
    """Return a cache of compiled templates in ``folder``, None where it cannot be made (read-only)."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return render.CompiledTemplates(str(folder))


def in_regions(reports: list[Report], prefixes: list[str]) -> list[Report]:
    """Return the reports within any of the region prefixes (all of them when there are none)."""
    if not prefixes:
        return reports
    wanted = [tuple(p.strip("/").split("/")) for p in prefixes]
    return [r for r in reports if any(r.region[: len(w)] == w for w in wanted)]


# ``nianbao build`` validates before MkDocs starts and hands the result over, to validate once.
PRELOADED: dict[str, Validation] = {}


class NianbaoPlugin(BasePlugin[NianbaoConfig]):  # type: ignore[no-untyped-call]
    """Publish the reports of ``reports_dir`` as pages of the site."""

    def __init__(self) -> None:
        self.command = "build"
        self.validation: Validation | None = None
        self.site: pages.SiteIndex | None = None
        self.reports_path = Path("reports")
        self.root = Path(".")
        self.placeholders = Placeholders()
        self.pdfs = PdfStage(None, self.placeholders, False)
        self.search: SearchStage | None = None
        self.reuse: reuse.PageReuse | None = None
        self.aggregates: list[aggregate.Aggregate] = []
        self._excluded = 0  # reports left out of a preview for their errors
        self.caches: dict[str, Path] = {}
        self.config_publisher = ""
        self.site_url = ""
        self.data_license: opendata.License | None = None
        self._data_time = datetime.datetime.now(datetime.UTC)
        self._data_date_note = ""
        self._pages_done = 0
        self._total = 0
        self._started = self._pages_started = time.monotonic()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self.root = Path(config.config_file_path or ".").resolve().parent
        hosting.register_theme(config)
        try:  # every cache inside the project's .nianbao-cache/, resolved: cleaning one deletes files
            self.caches = {key: cache_folder(root, getattr(self.config, key)) for key in ("pdf_cache", "data_cache", "page_cache")}
            self.caches["search"] = cache_folder(root, SEARCH_CACHE)
            self.caches["jinja"] = cache_folder(root, JINJA_CACHE)
        except CacheError as exc:
            raise Abort(str(exc)) from None
        try:
            self.data_license = opendata.resolve_license(self.config.data_license, self.config.data_license_url)
        except opendata.LicenseError as exc:
            raise Abort(str(exc)) from None
        custom = [Path(config.theme.custom_dir) / render.SITE_FOLDER] if config.theme.custom_dir else []
        render.use(render.Templates(custom, _compiled(self.caches["jinja"]) if self.command == "build" else None),
                   render.Urls(bool(config.use_directory_urls)))
        TIMINGS.clear()
        self.validation = result = self._validate()
        self.site = pages.SiteIndex(in_regions(result.valid_reports(), self.config.regions))
        self._excluded = sum(1 for r in result.reports if r.errors)
        self._data_time, self._data_date_note = self._data_date()
        self.placeholders = Placeholders()
        self.pdfs = PdfStage(self._pdf_settings(root), self.placeholders, self.config.progress)
        self.search = SearchStage(self.caches["search"], self.config.search_batch) if self.config.search else None
        self.reuse = self._page_reuse(config)
        if self.search is not None and self.reuse is not None:
            self.search.adopt = self.reuse.adopt
        return config

    def _page_reuse(self, config: MkDocsConfig) -> reuse.PageReuse | None:
        """Reuse the published site's unchanged pages, when ``nianbao build`` names it (reuse.py)."""
        target = reuse.PUBLISHED.pop(str(Path(config.site_dir).resolve()), None)
        if target is None or self.command != "build":
            return None
        others = sorted(set(config.plugins) - reuse.REUSE_PLUGINS)
        if others:
            log.info("站点启用了插件 %s，每个页面都重新生成（不沿用上次构建的页面）", "、".join(others))
            return None
        shared = reuse.shared_fingerprint(config, render.current().fingerprint)
        return reuse.PageReuse(self.caches["page_cache"], target, Path(config.site_dir).resolve(), shared)

    def _page_key(self, uri: str, source: str) -> str | None:
        """Return a generated page's key (reuse.py): its Markdown, the build's nonce out, and its sizes' files."""
        sizes = [self.pdfs.source(name) for name in self.placeholders.sizes_named(source)]
        return reuse.page_key(self.reuse.shared if self.reuse else "", uri, source.replace(self.placeholders.nonce, "NB"), sizes)

    def _data_date(self) -> tuple[datetime.datetime, str]:
        """The date the open data states: SOURCE_DATE_EPOCH, else the newest report's own date.

        Never the wall clock: the same reports must give the same files tomorrow (and a killed
        build's retry the same site).
        """
        epoch = source_date_epoch()
        if epoch is not None:
            return datetime.datetime.fromtimestamp(epoch, datetime.UTC), "本站生成数据文件的日期"
        assert self.site is not None
        return opendata.newest_report_time(self.site.reports), "最新一份报告的成文日期"

    def _validate(self) -> Validation:
        """Validate the reports (or take ``nianbao build``'s result); stop a build on errors, not a preview."""
        self.reports_path = (self.root / self.config.reports_dir).resolve()
        result = PRELOADED.pop(str(self.reports_path), None)
        if result is None and self.config.search_shards and not self.reports_path.exists():
            result = Validation([], [])  # a portal: no reports of its own
        if result is None:
            with timed("校验"):
                result = validate([self.reports_path])
        if not result.ok and self.command != "serve":
            raise Abort("报告校验未通过，网站未生成：\n" + format_text(result.findings, len(result.reports)))
        if result.findings:
            log.warning("报告校验：\n%s", format_text(result.findings, len(result.reports)))
        return result

    def _pdf_settings(self, root: Path) -> PdfSettings | None:
        if not self.config.pdf:
            return None
        try:
            fonts = find_fonts([root / d for d in self.config.fonts])
        except FontError as exc:
            raise Abort(str(exc)) from None
        if fonts.fallback_warning():  # the PDFs still build, but a reviewer must hear why they look wrong
            log.warning(fonts.fallback_warning())
        try:
            preload = allocator.library(self.config.pdf_allocator)
        except allocator.AllocatorError as exc:
            raise Abort(str(exc)) from None
        return PdfSettings(self.caches["pdf_cache"], fonts, max(1, self.config.pdf_jobs), source_date_epoch(),
                           self.config.pdf_tagged_bundles, preload)

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.reports_path))
        return server

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        site, validation = self.site, self.validation
        assert site is not None and validation is not None
        self.config_publisher = str(config.extra.get("publisher") or config.site_name)
        self.site_url = str(config.site_url or "")
        report_links, year_links = self.pdfs.start(site, self.config_publisher, Path(config.site_dir))
        if self.search is not None:
            self.search.start(site, Path(config.site_dir))
        self._pages_started = time.monotonic()
        self.aggregates = aggregate.aggregates(site.reports)
        shards = [{"bundle": str(s.get("bundle", "")), "base": str(s.get("base", ""))} for s in self.config.search_shards]
        # One page at a time, its tables lifted out at once: 10,000 reports' Markdown is 260 MB of text.
        cache = BodyCache(self.caches["page_cache"], render.current().fingerprint)
        generated = sitepages.generate(site, self.aggregates, report_links, year_links, self.config.open_data, shards, cache,
                                       self._data_facts(site), self.pdfs.report_bundles)
        home = [] if files.get_file_from_path(pages.HOME_PAGE) else [(pages.HOME_PAGE, pages.home_page(config.site_name))]
        preview = sitepages.check_pages(validation, site, self.command == "serve")
        for uri, page in [*generated, *preview, *home]:
            if files.get_file_from_path(uri) is not None:
                raise Abort(f"{config.docs_dir}/{uri} 与自动生成的页面重名，请改名或删除")
            if self.reuse is not None and uri.endswith(".md"):
                source = page if isinstance(page, str) else page.source()
                reused = self.reuse.take(config, files, uri, self._page_key(uri, source) if source is not None else None)
                if reused is not None:
                    files.append(reused)
                    continue
            files.append(hosting.page_file(config, uri, self.placeholders.lift(sitepages.text(page), uri)))
        hosting.add_assets(files, config)
        self._total = sum(1 for f in files if f.is_documentation_page() and not isinstance(f, reuse.ReusedFile))
        if self.reuse is not None and self.config.progress and self.reuse.reused:
            say(f"  页面：{self.reuse.reused} 页与上次构建相同，直接沿用；{self.reuse.rendered} 页重新生成")
        self._pages_done = 0
        self._started = time.monotonic()
        return files

    def _data_facts(self, site: pages.SiteIndex) -> datapages.DataFacts:
        """What the data page says of its files; their sizes are filled in once they are written."""
        assert self.data_license is not None
        beijing = self._data_time.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        updated = f"{chinese_date(beijing.date())}（{self._data_date_note}）"
        return datapages.DataFacts(opendata.collection(site.reports), self.data_license, updated, self.pdfs.size)

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

    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        fragments.install(env, config.theme.custom_dir)  # the nav and tabs pages share, rendered once
        if self.command == "build" and (compiled := _compiled(self.caches.get("jinja"))):
            env.bytecode_cache = compiled  # the theme's templates compiled once, not in every build
        return env

    @event_priority(-100)  # last: every other plugin has read the page's HTML
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # MkDocs converts every page before it renders any: hold each page's HTML compressed until its
        # template is rendered (on_page_context), and drop its Markdown and its file's text, read now.
        if self._excluded and self.command == "serve":
            banner = render.current().render("banner.html", excluded=self._excluded,
                                             href=render.urls().linker(page.file.src_uri))
            html = banner + html
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
        return self.pdfs.page_written(output, Path(page.file.abs_dest_path))

    def _progress(self) -> None:
        self._pages_done += 1
        done, total = self._pages_done, self._total
        if self.config.progress and total >= 200 and (done % 500 == 0 or done == total):
            rate = done / max(time.monotonic() - self._started, 1e-6)
            say(f"  页面 {done}/{total}（每秒 {rate:.0f} 页）")

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        TIMINGS["页面"] = time.monotonic() - self._pages_started
        site_dir = Path(config.site_dir)
        # The workers render PDFs meanwhile: the open data first, then wait for them, then the search
        # index of a large site (searchstage.py: its batches never run beside the PDF workers).
        if self.config.open_data and self.site and self.site.reports:
            with timed("开放数据"):
                self._write_data(site_dir)
        self.pdfs.finish(site_dir, self.reuse.adopt if self.reuse else None, self.reuse.record if self.reuse else None)
        if self.search is not None and self.site is not None:
            self.search.finish(self.site, site_dir)
        if self.reuse is not None:
            self.reuse.save()  # the site is complete: the next build may take its unchanged pages
        save_verified()

    def on_build_error(self, *, error: Exception) -> None:
        self.pdfs.close()
        if self.search is not None:
            self.search.abort()

    def _write_data(self, site_dir: Path) -> None:
        """Write the open-data files: all reports, each year, each report (cached)."""
        site = self.site
        assert site is not None
        start = time.monotonic()
        assert self.data_license is not None
        publisher = str(self.config_publisher or "nianbao")
        fresh = datafiles.write_report_files(site_dir, site.reports, self.caches["data_cache"],
                                             self.reuse.adopt if self.reuse else None)
        sizes = datafiles.write_collections(site_dir, site.reports, self.data_license, publisher, self.site_url, self._data_time,
                                            self.caches["data_cache"], self.reuse.adopt if self.reuse else None)
        self.pdfs.known_sizes(sizes)  # the data page was written with placeholders for them
        if self.config.progress and len(site.reports) >= 20:
            say(f"  开放数据：{len(site.reports)} 份报告（{fresh} 份新生成），用时 {time.monotonic() - start:.1f} 秒")
