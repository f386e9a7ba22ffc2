"""Render report PDFs into a content-addressed cache, in parallel worker processes.

A PDF's cache key hashes everything that can change its bytes: the report's JSON document, the
stated date, the template, the Typst version, the PDF standards and the fonts. An unchanged
report is therefore never rendered twice, and two renders of one input are byte-identical.

Each worker process builds one ``typst.Compiler`` and reuses it for every report it is given:
fonts are loaded once and Typst's memoized layout of the template carries over, which is what
makes a report take hundredths of a second rather than tenths.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import multiprocessing
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import typst

from ..fsutil import dead_asides, library_versions, remove_entries, sealed, write_entry
from ..model import Report
from ..validate import MODEL_CODE, code_fingerprint
from .allocator import preloaded
from .data import report_data, report_datetime
from .fonts import FontSet
from .typst_markup import settable

if TYPE_CHECKING:
    from typst import PDFStandard

TEMPLATE = Path(__file__).with_name("report.typ")
# PDF/A-2a (archival, tagged) and PDF/UA-1 (accessible) at once; Typst refuses a document that breaks either.
PDF_STANDARDS: list[PDFStandard] = ["a-2a", "ua-1"]
DEFAULT_CACHE = Path(".nianbao-cache") / "pdf"
PDF_CODE = (*MODEL_CODE, "pdf/*", "grid.py", "text.py")  # the code a PDF's bytes depend on
MIN_PER_WORKER = 10

Progress = Callable[[int, int], None]


class TableShape(TypedDict):
    """A table's measures, in points: its height, and its rows' heights from the top (None: auto rows)."""

    height: float
    rows: list[float] | None


class RenderError(Exception):
    """A report that Typst could not typeset; the message names its file."""


@dataclass(frozen=True)
class PdfSettings:
    """How to render: where the cache is, which fonts, how many processes, which date."""

    cache_dir: Path
    fonts: FontSet
    jobs: int = 1
    epoch: int | None = None  # SOURCE_DATE_EPOCH, when the builder sets one
    # Merge the reports' structure trees into the yearly bundles too. Off by default: walking every
    # element in Python costs about 4 times the merge itself (about 30 against 8 CPU-ms per report);
    # every report's own PDF is tagged (PDF/UA-1) either way.
    tagged_bundles: bool = False
    # The library the worker processes preload as their malloc (allocator.py), None for the system's.
    allocator: Path | None = None


@dataclass(frozen=True)
class RenderedPdf:
    """A report's PDF in the cache."""

    slug: str
    path: Path
    size: int
    cached: bool  # found in the cache, not rendered by this build


@dataclass(frozen=True)
class _Job:
    """One report to render, in a form that crosses process boundaries cheaply."""

    source: str
    data: str  # the JSON document
    timestamp: int | datetime.datetime
    out: str
    shapes: tuple[str, ...] = ()  # its tables' shapes, whose heights the worker measures once


def source_date_epoch() -> int | None:
    """Return SOURCE_DATE_EPOCH (reproducible builds), or None when unset or invalid."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def template_hash(*templates: Path) -> str:
    """Hash the templates with the Typst version and standards: a change to either re-renders every PDF."""
    digest = hashlib.sha256(f"typst {version('typst')} {PDF_STANDARDS}".encode())
    for template in templates or (TEMPLATE,):
        digest.update(template.read_bytes())
    return digest.hexdigest()


def _timestamp(report: Report, epoch: int | None) -> int | datetime.datetime:
    """Return the date the PDF states: SOURCE_DATE_EPOCH, else the report's date."""
    # Never the wall clock: the same report must give the same bytes tomorrow.
    return epoch if epoch is not None else report_datetime(report)


def _cache_file(report: Report, settings: PdfSettings, base: str) -> Path:
    """Return where ``report``'s PDF is cached: named by the file's text, the code, fonts and date.

    Keying on the source text (the report's digest) rather than the rendered JSON lets an
    unchanged report be found without building its document: a warm build of 2,000 reports
    spent most of its PDF stage building JSON only to hash it.
    """
    stamp = _timestamp(report, settings.epoch)
    key = hashlib.sha256(f"{base}\0{stamp}\0{report.digest or report_json(report, settings)}".encode()).hexdigest()
    return settings.cache_dir / f"{key}.pdf"


# The libraries whose output a PDF holds: Typst sets it, Python-Markdown and nh3 read the prose.
PDF_LIBRARIES = ("typst", "Markdown", "nh3", "PyYAML")


def cache_base(settings: PdfSettings) -> str:
    """Return what every cached PDF's key starts with: the template, the fonts, the code and the libraries."""
    return template_hash() + settings.fonts.fingerprint() + code_fingerprint(PDF_CODE) + library_versions(*PDF_LIBRARIES)


def report_json(report: Report, settings: PdfSettings) -> str:
    return json.dumps(report_data(report, settings.fonts), ensure_ascii=False, sort_keys=True)


def _job(report: Report, settings: PdfSettings, out: Path) -> _Job:
    """Return the render job of ``report``, to be written to ``out``."""
    data = report_data(report, settings.fonts)
    shapes = tuple(s["table"]["shape"] for s in data["sections"] if s["table"] and s["table"]["shape"])
    text = settable(json.dumps(data, ensure_ascii=False, sort_keys=True))  # W6: never a Typst error
    return _Job(report.source, text, _timestamp(report, settings.epoch), str(out), shapes)


# One compiler per process, built on first use and kept for the life of the process, with the
# measures of the table shapes it has probed (the template's probe run; see table_shapes).
_compiler: typst.Compiler | None = None
_compiler_fonts: tuple[tuple[str, ...], bool] | None = None
_shapes: dict[str, TableShape] = {}


def _init_worker(font_dirs: tuple[str, ...], system: bool) -> None:
    """Build this process's compiler (the pool initializer, also called in-process)."""
    global _compiler, _compiler_fonts
    if _compiler is None or _compiler_fonts != (font_dirs, system):
        _compiler = typst.Compiler(
            str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=list(font_dirs), ignore_system_fonts=not system
        )
        _compiler_fonts = (font_dirs, system)
        _shapes.clear()


def _table_shapes(job: _Job) -> str:
    """Return the measures of the job's table shapes as JSON, probing the shapes not seen yet.

    Measuring 表二 inside every report cost a third of the report's time, and setting the tables'
    auto rows (each laid out two or more times) half of what the tables still cost; the heights of a table
    and its rows are a property of the format and the fonts, the same for every report of a format,
    so one probe run of the template per shape and process measures them.
    """
    assert _compiler is not None, "worker not initialised"
    if any(shape not in _shapes for shape in job.shapes):
        _shapes.update(probe_shapes(_compiler, job.data))
    return json.dumps({shape: _shapes[shape] for shape in job.shapes}, sort_keys=True)


def probe_shapes(compiler: typst.Compiler, data: str, mode: str = "1") -> dict[str, TableShape]:
    """Return the measures of every table of the document ``data`` by shape, from a probe run.

    The probe sets the tables with numbers as 0 (mode "real": with their numbers) and marks where
    each cell starts; a row starts where its cells start, the last row ends where the table does.
    """
    compiler.compile(format="pdf", sys_inputs={"data": data, "probe": mode})
    heights: dict[str, float] = json.loads(compiler.query("<nb-heights>", field="value", one=True))
    tops: dict[str, dict[int, float]] = {shape: {} for shape in heights}
    for mark in json.loads(compiler.query("<nb-row>", field="value")):
        rows = tops[mark["shape"]]
        rows[mark["y"]] = min(mark["top"], rows.get(mark["y"], mark["top"]))
    shapes: dict[str, TableShape] = {}
    for shape, height in heights.items():
        rows = tops[shape]
        if sorted(rows) != list(range(len(rows))):  # a row where no cell starts: left to Typst (auto rows)
            shapes[shape] = {"height": height, "rows": None}
            continue
        starts = [rows[y] for y in range(len(rows))]
        ends = [*starts[1:], starts[0] + height]
        shapes[shape] = {"height": height, "rows": [end - start for start, end in zip(starts, ends, strict=True)]}
    return shapes


def _render(job: _Job) -> int:
    """Typeset one report into the cache; return the PDF's size."""
    assert _compiler is not None, "worker not initialised"
    try:
        inputs = {"data": job.data, "shapes": _table_shapes(job)}
        pdf = _compiler.compile(format="pdf", sys_inputs=inputs, pdf_standards=PDF_STANDARDS, timestamp=job.timestamp)
    except typst.TypstError as exc:
        raise RenderError(f"{job.source}：PDF 生成失败：{exc.message}") from None
    assert isinstance(pdf, bytes)
    # Aside, renamed, sealed: a killed build never leaves a truncated PDF that a later build trusts.
    write_entry(Path(job.out), pdf)
    return len(pdf)


def render_reports(
    reports: Iterable[Report], settings: PdfSettings, progress: Progress | None = None
) -> dict[str, RenderedPdf]:
    """Return every report's PDF by slug, rendering only those missing from the cache."""
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    base = cache_base(settings)
    reports = list(reports)
    outs = {r.slug: _cache_file(r, settings, base) for r in reports}
    done: dict[str, RenderedPdf] = {}
    todo: list[tuple[str, _Job]] = []
    for report in reports:
        path = outs[report.slug]
        if sealed(path):  # a truncated or altered entry is rendered again
            done[report.slug] = RenderedPdf(report.slug, path, path.stat().st_size, cached=True)
        else:
            todo.append((report.slug, _job(report, settings, path)))
    total = len(outs)

    def finished(slug: str, size: int) -> None:
        done[slug] = RenderedPdf(slug, outs[slug], size, cached=False)
        if progress:
            progress(len(done), total)

    # A worker costs about half a second to start (interpreter, Typst, fonts): worth it from ~10 reports.
    workers = max(1, min(settings.jobs, len(todo) // MIN_PER_WORKER))
    init_args = (settings.fonts.dirs, settings.fonts.system)
    if workers == 1:
        _init_worker(*init_args)
        for slug, job in todo:
            finished(slug, _render(job))
    else:
        # spawn, not fork: the MkDocs process may run threads (mkdocs serve), and a forked lock is a hang.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=init_args) as pool:
            with preloaded(settings.allocator):  # the workers start with the first jobs
                futures = {pool.submit(_render, job): slug for slug, job in todo}
            for future in as_completed(futures):
                finished(futures[future], future.result())
    return {slug: done[slug] for slug in outs}


# The names nianbao gives the PDF cache's entries: nothing else in the folder is ever deleted.
ENTRY = re.compile(r"(?:bundle-)?[0-9a-f]{64}\.pdf")


def prune_cache(cache_dir: Path, used: Iterable[Path], max_age_days: float = 30) -> int:
    """Delete cached PDFs this build did not use and nothing has used for ``max_age_days``; return how many.

    Only entries named by nianbao (ENTRY) and the leftovers of killed writes are deleted; a symlink
    is never followed, and the folder itself must be inside the project's cache root (fsutil).
    """
    keep = {p.name for p in used}
    limit = time.time() - max_age_days * 86400
    stale = []
    try:
        names = os.listdir(cache_dir)
    except OSError:
        return 0
    for name in names:
        if not ENTRY.fullmatch(name) or name in keep:
            continue
        try:
            info = (cache_dir / name).lstat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_mtime < limit:
            stale.append(name)
    return remove_entries(cache_dir, stale) + remove_entries(cache_dir, dead_asides(cache_dir, ENTRY))


def size_label(size: int) -> str:
    """Return a file size as a reader sees it: 86 KB, 1.2 MB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class ProgressPrinter:
    """Print render progress to stderr every few percent, with the rate."""

    def __init__(self, label: str, stream: Callable[[str], None]) -> None:
        self.label = label
        self.write = stream
        self.started = time.monotonic()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(1, total // 10)
        if done == total or done // step != self.last:
            self.last = done // step
            rate = done / max(time.monotonic() - self.started, 1e-6)
            self.write(f"  {self.label} {done}/{total}（每秒 {rate:.0f} 份）")
