"""The PDFs of a build: rendered by worker processes while the pages are built, put in the site after.

Started when the pages are listed (on_files), so that each page can link its PDF with the PDF's
size; a size not known yet when a page is written is a placeholder (rawblocks.py), filled in when
the workers are done. MkDocs empties ``site_dir`` before on_files: the PDFs are rendered into a
cache, and each one made is copied into the site by the worker that made it; those the cache
already held are put there at the end (or taken from the published site, reuse.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import Abort

from .fsutil import place
from .model import Report
from .pages import SiteIndex, region_label
from .pdf import PdfPipeline, PdfSettings, RenderError, prune_cache, size_label
from .rawblocks import Placeholders
from .timings import timed

Links = list[tuple[str, str]]

def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)

class PdfStage:
    """Every report's PDF and every yearly bundle of one build."""

    def __init__(self, settings: PdfSettings | None, placeholders: Placeholders, progress: bool) -> None:
        self.settings = settings
        self.placeholders = placeholders
        self.progress = progress
        self.pdfs: PdfPipeline | None = None
        self._unsized: list[Path] = []  # written pages still showing a PDF size placeholder
        self._known: dict[str, int] = {}  # other files' sizes (the open data), by their path in the site
        self.bundle_links: dict[tuple[int, tuple[str, ...] | None], Links] = {}  # (year, region) -> its bundle

    def start(self, site: SiteIndex, publisher: str, site_dir: Path | None = None) -> tuple[dict[str, Links], dict[int, Links]]:
        """Start rendering (each PDF made is copied into ``site_dir`` as it is made); return the links by slug and year."""
        self.pdfs = None
        self._unsized = []
        self.bundle_links = {}
        if self.settings is None or not site.reports:
            return {}, {}
        self.pdfs = PdfPipeline(self.settings, publisher, say if self.progress else None)
        try:
            with timed("PDF"):
                self.pdfs.start(site, site_dir)
        except RenderError as exc:
            self.pdfs.close()
            raise Abort(str(exc)) from None
        # Every size a placeholder, filled when the page is written: a page's Markdown is then the
        # same whether its PDF was in the cache or not (reuse.py keys pages on it).
        report_links: dict[str, Links] = {}
        for report in site.reports:
            name = PdfPipeline.report_name(report.slug)
            report_links[report.slug] = [(f"PDF（{self.placeholders.size(name)}）", name)]
        year_links: dict[int, Links] = {}
        self.bundle_links = {}
        for bundle in self.pdfs.bundles:
            name = PdfPipeline.bundle_name(bundle)
            where = f"{region_label(bundle.region)} " if bundle.region else ""
            link = (f"{where}全年汇编 PDF（{self.placeholders.size(name)}）", name)
            year_links.setdefault(bundle.year, []).append(link)
            self.bundle_links[(bundle.year, bundle.region)] = [link]
        return report_links, year_links

    def report_bundles(self, report: Report) -> Links:
        """Return the link of the bundle that holds ``report`` (its region's, or its year's)."""
        return self.bundle_links.get((report.year, report.region)) or self.bundle_links.get((report.year, None)) or []

    def source(self, name: str) -> str | None:
        """Return the cache file behind a PDF's size (named by its content), None for any other file."""
        path = self.pdfs.files.get(name) if self.pdfs else None
        return path.name if path is not None else None

    def known_sizes(self, sizes: dict[str, int]) -> None:
        """Take the sizes of files written beside the PDFs (the open data), for the pages that link them."""
        self._known.update(sizes)

    def size(self, name: str) -> str:
        """Return a PDF's (or a known file's) size as a reader sees it, or a placeholder until it is known."""
        if name in self._known:
            return size_label(self._known[name])
        try:
            size = self.pdfs.size(name) if self.pdfs else None
        except RenderError as exc:  # a report the workers could not typeset: stop here, in Chinese
            raise Abort(str(exc)) from None
        return size_label(size) if size is not None else self.placeholders.size(name)

    def page_written(self, output: str, dest: Path) -> str:
        """Fill in the sizes known by now; remember a page written with some still to come."""
        output = self.placeholders.fill_sizes(output, self.size)
        if self.placeholders.unsized(output):
            self._unsized.append(dest)
        return output

    def finish(self, site_dir: Path, adopt: Callable[[str, str], bool] | None = None,
               record: Callable[[str, str], None] | None = None) -> None:
        """Wait for the PDFs, fill in the sizes the pages were written without, put the PDFs into the site.

        ``adopt(path in the site, key)`` takes a PDF unchanged since the published build (reuse.py):
        its key is its cache file's name, which names its content. ``record(path, key)`` notes the
        key of a PDF a worker put into the site, so that the next build can take it.
        """
        pdfs = self.pdfs
        if pdfs is None:
            self._fill_unsized()  # no PDFs: the data page's sizes
            return
        try:
            with timed("等待 PDF"):
                files = pdfs.finish()
        except RenderError as exc:
            raise Abort(str(exc)) from None
        self._fill_unsized()
        for name, source in files.items():
            if name in pdfs.placed:  # made by this build, copied by its worker
                if record is not None:
                    record(name, source.name)
                continue
            if adopt is None or not adopt(name, source.name):
                place(source, site_dir / name)
        prune_cache(pdfs.settings.cache_dir, files.values())
        done = pdfs.summary
        if self.progress:
            per = f"，每份用 CPU {1000 * done.render_seconds / done.rendered:.0f} 毫秒" if done.rendered else ""
            say(f"  PDF：{done.reports} 份报告（{done.rendered} 份新生成{per}，{done.reports - done.rendered} 份来自缓存），"
                f"{done.bundles} 份年度汇编（{done.merged} 份新合并），与页面并行，共用时 {done.elapsed:.1f} 秒，"
                f"最后等待 {done.waited:.1f} 秒")

    def _fill_unsized(self) -> None:
        """Fill in the sizes that pages were written without, now that their files exist."""
        for path in self._unsized:
            html = path.read_text(encoding="utf-8")
            path.write_text(self.placeholders.fill_sizes(html, self.size), encoding="utf-8")
        self._unsized = [p for p in self._unsized if self.placeholders.unsized(p.read_text(encoding="utf-8"))]

    def close(self) -> None:
        """Stop the workers: nothing of a failed build is kept."""
        if self.pdfs is not None:
            self.pdfs.close()
