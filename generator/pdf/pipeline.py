"""Render the PDFs in worker processes while the main process builds the pages.

The PDFs were the longest stage of a build and the main process waited for them, idle; then the
bundles were merged on one core while the workers sat idle. Here everything a worker can do is
queued at once: each report missing from the cache, then each yearly bundle as soon as its last
member is rendered. The main process goes on with the pages, the open data and the search index
and asks for the results only at the end (``finish``). A page that links a PDF not yet rendered
shows its size later: ``size`` says what is known now, and the plugin fills in the rest.

Small jobs (an edited report, a test site) are rendered in this process when the pipeline starts:
starting a worker costs about half a second.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..fsutil import place, sealed, trust
from ..model import Report
from ..pages import SiteIndex
from . import render
from .allocator import preloaded
from .bundle import BundleJob, bundle_jobs, make_bundle
from .render import MIN_PER_WORKER, PdfSettings, ProgressPrinter, RenderError

PDF_DIR = "pdf"

# What the worker processes were given, set by the pool initializer.
_settings: PdfSettings | None = None


def _init(settings: PdfSettings) -> None:
    global _settings
    _settings = settings
    render._init_worker(settings.fonts.dirs, settings.fonts.system)  # noqa: SLF001


def _render_report(report: Report, out: str, copy: str = "") -> tuple[int, float]:
    """Typeset one report in a worker, and copy it to ``copy`` (in the site); return its size and CPU seconds."""
    assert _settings is not None, "worker not initialised"
    start = time.process_time()  # CPU time: wall time would count the other processes' turns on the cores
    size = render._render(render._job(report, _settings, Path(out)))  # noqa: SLF001
    if copy:
        place(Path(out), Path(copy))
    return size, time.process_time() - start


def _bundle(job: BundleJob, copy: str = "") -> int:
    """Merge one bundle in a worker, and copy it to ``copy`` (in the site); return its size."""
    size = make_bundle(job)
    if copy:
        place(job.path, Path(copy))
    return size


@dataclass
class Summary:
    """What the pipeline did, for the build's report line."""

    reports: int = 0
    rendered: int = 0
    bundles: int = 0
    merged: int = 0
    render_seconds: float = 0.0  # CPU seconds of the reports rendered, summed over the processes
    waited: float = 0.0  # seconds the main process waited for the workers at the end
    elapsed: float = 0.0  # from start to finish
    started: float = field(default_factory=time.monotonic)


class PdfPipeline:
    """Every report's PDF and every yearly bundle of a site, rendered alongside the build."""

    def __init__(self, settings: PdfSettings, publisher: str, say: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.publisher = publisher
        self.say = say
        self.files: dict[str, Path] = {}  # name under site_dir ("pdf/…") -> its file in the cache
        # The PDFs made by this build are copied into the site by the process that made them, as
        # soon as each is made: the main process then copies nothing after the last one.
        self.site_dir: Path | None = None
        self.placed: set[str] = set()  # names under site_dir already copied there
        self.sizes: dict[str, int] = {}  # name under site_dir -> size, once the file exists
        self.bundles: list[BundleJob] = []
        self.summary = Summary()
        self._pool: ProcessPoolExecutor | None = None
        self._done: queue.SimpleQueue[tuple[str, Future[object]]] = queue.SimpleQueue()
        self._outstanding = 0
        self._waiting: dict[str, list[BundleJob]] = {}  # report name -> bundles that still need it
        self._missing: dict[str, int] = {}  # bundle name -> members not rendered yet
        self._progress: ProgressPrinter | None = None
        self._reports_done = 0

    @staticmethod
    def report_name(slug: str) -> str:
        return f"{PDF_DIR}/{slug}.pdf"

    @staticmethod
    def bundle_name(job: BundleJob) -> str:
        return f"{PDF_DIR}/{job.filename}"

    def start(self, site: SiteIndex, site_dir: Path | None = None) -> None:
        """Find what the cache holds and queue the rest, reports in the order the pages are built.

        With ``site_dir``, each PDF made is copied there (under its name) when it is made.
        """
        settings = self.settings
        self.site_dir = site_dir
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        base = render.cache_base(settings)
        outs = {r.slug: render._cache_file(r, settings, base) for r in site.reports}  # noqa: SLF001
        todo: list[Report] = []
        for report in site.reports:
            name = self.report_name(report.slug)
            self.files[name] = outs[report.slug]
            if sealed(outs[report.slug]):  # a truncated or altered entry is rendered again
                self.sizes[name] = outs[report.slug].stat().st_size
            else:
                todo.append(report)
        self.bundles = bundle_jobs(site, outs, settings, self.publisher)
        for job in self.bundles:
            self.files[self.bundle_name(job)] = job.path
        self.summary.reports, self.summary.bundles = len(outs), len(self.bundles)
        self.summary.rendered = len(todo)
        self._reports_done = len(outs) - len(todo)
        if self.say and len(todo) >= 20:
            self._progress = ProgressPrinter("PDF", self.say)

        workers = max(1, min(self.settings.jobs, len(todo) // MIN_PER_WORKER))
        if workers == 1:
            self._run_here(todo)
            return
        # spawn, not fork: the MkDocs process may run threads (mkdocs serve), and a forked lock is a hang.
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(settings,))
        pending = {outs[r.slug]: self.report_name(r.slug) for r in todo}
        # The workers start with the first jobs submitted: they preload the allocator, nothing else does.
        with preloaded(settings.allocator):
            for job in self.bundles:
                members = [pending[m] for m in job.members if m in pending]
                if sealed(job.path) or not members:
                    self._submit_bundle(job)
                    continue
                self._missing[self.bundle_name(job)] = len(members)
                for name in members:
                    self._waiting.setdefault(name, []).append(job)
            for report in todo:
                name = self.report_name(report.slug)
                self._submit(name, _render_report, report, str(outs[report.slug]), self._copy(name))

    def _copy(self, name: str) -> str:
        """Return where a PDF made now goes in the site ('' when the site is not known), and count it placed."""
        if self.site_dir is None:
            return ""
        self.placed.add(name)  # a failed job fails the build: nothing of its site is published
        return str(self.site_dir / name)

    def _run_here(self, todo: list[Report]) -> None:
        """Render a few reports and their bundles in this process, at once."""
        render._init_worker(self.settings.fonts.dirs, self.settings.fonts.system)  # noqa: SLF001
        start = time.process_time()
        for report in todo:
            name = self.report_name(report.slug)
            self.sizes[name] = render._render(render._job(report, self.settings, self.files[name]))  # noqa: SLF001
            if copy := self._copy(name):
                place(self.files[name], Path(copy))
            if self._progress:
                self._progress(len(self.sizes), self.summary.reports)
        self.summary.render_seconds = time.process_time() - start
        for job in self.bundles:
            name = self.bundle_name(job)
            existed = sealed(job.path)  # a cached bundle goes into the site at the end, like a worker's
            self.sizes[name] = make_bundle(job) if existed else _bundle(job, self._copy(name))
            self.summary.merged += not existed

    def _submit(self, name: str, fn: Callable[..., object], *args: object) -> None:
        assert self._pool is not None
        future: Future[object] = self._pool.submit(fn, *args)
        self._outstanding += 1
        future.add_done_callback(lambda f: self._done.put((name, f)))

    def _submit_bundle(self, job: BundleJob) -> None:
        if sealed(job.path):
            self.sizes[self.bundle_name(job)] = job.path.stat().st_size
        else:
            name = self.bundle_name(job)
            self._submit(name, _bundle, job, self._copy(name))

    def size(self, name: str) -> int | None:
        """Return the size of a PDF under site_dir if it is rendered by now, without waiting."""
        self._collect(block=False)
        return self.sizes.get(name)

    def _collect(self, block: bool) -> None:
        """Take in the finished jobs; with ``block``, wait for at least one while any is running."""
        while self._outstanding:
            try:
                name, future = self._done.get(block=block)
            except queue.Empty:
                return
            block = False
            self._outstanding -= 1
            try:
                result = future.result()
            except BrokenProcessPool:
                raise RenderError("PDF 生成进程意外退出（内存不足或被终止？），网站未生成") from None
            trust(self.files[name])  # written and sealed by the worker: the next build only stats it
            if isinstance(result, tuple):  # a report: (size, seconds)
                self.sizes[name] = int(result[0])
                self.summary.render_seconds += float(result[1])
                self._reports_done += 1
                if self._progress:
                    self._progress(self._reports_done, self.summary.reports)
                for job in self._waiting.pop(name, []):
                    left = self._missing[self.bundle_name(job)] = self._missing[self.bundle_name(job)] - 1
                    if left == 0:
                        self._submit_bundle(job)
            else:
                assert isinstance(result, int)
                self.sizes[name] = result
                self.summary.merged += 1

    def finish(self) -> dict[str, Path]:
        """Wait for every PDF and bundle; return the files to put into the site by name."""
        start = time.monotonic()
        try:
            while self._outstanding:
                self._collect(block=True)
        finally:
            self.close()
        self.summary.waited = time.monotonic() - start
        self.summary.elapsed = time.monotonic() - self.summary.started
        return dict(self.files)

    def close(self) -> None:
        """Stop the workers, dropping queued jobs (a failed or interrupted build)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
