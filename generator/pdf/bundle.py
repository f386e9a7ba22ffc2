"""Yearly bundles (汇编): each year's reports in one PDF, with a cover, contents and bookmarks.

One bundle per year, or per year and region when a year's reports come from several regions.
The cover and contents are typeset by Typst (bundle.typ); pypdf then appends the cached report
PDFs, each from a right-hand page, replaces their page numbers by the bundle's own (continuous, as
the contents print them), adds one bookmark per report (its six section bookmarks nested below), links each entry of
the contents to its report, and sets the metadata; tags.py merges the reports' structure trees, so
that a bundle is tagged (headings, tables, language) like its reports. Bundles are cached like reports.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typst
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    TextStringObject,
)

from ..dates import chinese_date
from ..fsutil import library_versions, sealed, write_entry
from ..model import Report
from ..pages import SiteIndex, region_label
from . import tags
from .data import report_datetime
from .render import PdfSettings, RenderedPdf, template_hash
from .typst_markup import settable

TEMPLATE = Path(__file__).with_name("bundle.typ")
_FRONT_GUESS = 2  # cover and one page of contents; corrected after a first typesetting when longer
_LEFT, _WIDTH = 28 * 72 / 25.4, 156 * 72 / 25.4  # the type area (订口 28 mm, 156 mm wide), in points


@dataclass(frozen=True)
class Bundle:
    """One bundle PDF in the cache."""

    year: int
    region: tuple[str, ...] | None  # None: the year's only region
    title: str
    filename: str  # under pdf/ on the site
    path: Path
    size: int


def plan(site: SiteIndex) -> list[tuple[int, tuple[str, ...] | None, list[Report]]]:
    """Return (year, region or None, reports) for every bundle, in site order."""
    out: list[tuple[int, tuple[str, ...] | None, list[Report]]] = []
    for year, reports in site.by_year.items():
        regions: dict[tuple[str, ...], list[Report]] = {}
        for report in reports:
            regions.setdefault(report.region, []).append(report)
        if len(regions) == 1:
            out.append((year, None, reports))
        else:
            out += [(year, region, items) for region, items in regions.items()]
    return out


def bundle_filename(year: int, region: tuple[str, ...] | None) -> str:
    """Return the bundle's file name: ``2024.pdf``, or ``2024-<region hash>.pdf`` (stable, ASCII)."""
    if region is None:
        return f"{year}.pdf"
    return f"{year}-{hashlib.sha1('/'.join(region).encode()).hexdigest()[:8]}.pdf"


@dataclass(frozen=True)
class BundleJob:
    """Everything a worker process needs to merge one bundle: no Report objects, only paths and text."""

    year: int
    region: tuple[str, ...] | None
    title: str
    place: str
    filename: str
    path: Path  # where the bundle goes in the cache
    members: tuple[Path, ...]  # the reports' cached PDFs, in order
    front: str  # the cover and contents as JSON, without the start pages (see _front_data)
    metadata: tuple[tuple[str, str], ...]
    stamp: int | datetime.datetime
    font_dirs: tuple[str, ...]
    system_fonts: bool
    tagged: bool


def bundle_jobs(
    site: SiteIndex, pdfs: dict[str, Path], settings: PdfSettings, publisher: str
) -> list[BundleJob]:
    """Return the job of every bundle of ``site``, given each report's (future) PDF in the cache.

    A bundle's cache key names its members' cache files, so it is known before they are rendered.
    """
    # This module's own source is part of the key: it decides the merging, the links and the metadata.
    code = hashlib.sha256(Path(__file__).read_bytes() + Path(tags.__file__).read_bytes()).hexdigest()
    base = template_hash(TEMPLATE) + code + settings.fonts.fingerprint() + publisher + library_versions("typst", "pypdf")
    jobs = []
    for year, region, reports in plan(site):
        place = "".join(region or reports[0].region)
        title = f"{place}{year}年度政府信息公开工作年度报告汇编"
        members = tuple(pdfs[r.slug] for r in reports)
        stamp = settings.epoch if settings.epoch is not None else max(report_datetime(r) for r in reports)
        key = json.dumps([base, title, str(stamp), [m.name for m in members], settings.tagged_bundles])
        subject = f"{region_label(reports[0].region)} {year}年度政府信息公开工作年度报告，共{len(reports)}份"
        keywords = ["政府信息公开", "年度报告", "汇编", f"{year}年", *reports[0].region]
        when = _pdf_date(stamp)
        metadata = {
            "/Title": title,
            "/Author": publisher,
            "/Subject": subject,
            "/Keywords": ", ".join(keywords),
            "/Creator": "nianbao",
            "/Producer": "Typst, pypdf",
            "/CreationDate": when,
            "/ModDate": when,
        }
        jobs.append(
            BundleJob(
                year,
                region,
                title,
                place,
                bundle_filename(year, region),
                settings.cache_dir / f"bundle-{hashlib.sha256(key.encode()).hexdigest()}.pdf",
                members,
                settable(json.dumps(_front_data(title, place, year, reports, subject, keywords, publisher, settings), ensure_ascii=False)),
                tuple(metadata.items()),
                stamp,
                settings.fonts.dirs,
                settings.fonts.system,
                settings.tagged_bundles,
            )
        )
    return jobs


def build_bundles(
    site: SiteIndex, rendered: dict[str, RenderedPdf], settings: PdfSettings, publisher: str
) -> list[Bundle]:
    """Return every bundle of ``site``, merging in this process those missing from the cache."""
    bundles = []
    for job in bundle_jobs(site, {slug: pdf.path for slug, pdf in rendered.items()}, settings, publisher):
        size = make_bundle(job)
        bundles.append(Bundle(job.year, job.region, job.title, job.filename, job.path, size))
    return bundles


def make_bundle(job: BundleJob) -> int:
    """Merge one bundle into the cache unless it is there already; return its size."""
    if not sealed(job.path):  # missing, truncated or altered: merged again
        # Aside, renamed, sealed: a killed or failed write never leaves a bundle a later build trusts.
        write_entry(job.path, _merge(job))
    return job.path.stat().st_size


def _front_data(
    title: str,
    place: str,
    year: int,
    reports: list[Report],
    subject: str,
    keywords: list[str],
    publisher: str,
    settings: PdfSettings,
) -> dict[str, Any]:
    """Return the JSON document of the cover and contents; each entry's page is filled in by _merge."""
    latest = max((r.date for r in reports if r.date), default=None)
    return {
        "title": title,
        "title_lines": [place, f"{year}年度政府信息公开工作年度报告汇编"],
        "author": publisher,
        "subject": subject,
        "keywords": keywords,
        "date": chinese_date(latest) if latest else "",
        "entries": [{"index": i, "title": r.title, "kind": r.kind, "page": 0} for i, r in enumerate(reports)],
        "note": "本汇编连续编排页码，目录中的页码即页脚所印页码；每份报告从单数页开始。",
        "fonts": settings.fonts.as_json(),
    }


@functools.cache
def _compiler(font_dirs: tuple[str, ...], system: bool) -> typst.Compiler:
    """Return one cover compiler per font set: loading the CJK fonts took half a second per bundle."""
    return typst.Compiler(str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=list(font_dirs), ignore_system_fonts=not system)


def _layout(front_pages: int, counts: list[int]) -> tuple[list[int], list[int]]:
    """Return each report's first page (1-based) and every page's printed number (0: none).

    Every report starts on an odd (right-hand) page, after a blank page where needed; the reports'
    pages are numbered by their place in the bundle, so the contents' numbers are the printed ones.
    The cover, the contents and the blank pages carry no number (GB/T 9704 7.5).
    """
    starts, folios = [], [0] * front_pages
    for count in counts:
        if len(folios) % 2:  # the next page would be even: leave a blank left-hand page
            folios.append(0)
        starts.append(len(folios) + 1)
        folios += range(len(folios) + 1, len(folios) + 1 + count)
    return starts, folios


# Typst marks each page's footer as a pagination artifact; nothing else in a report is one.
_FOOTER = re.compile(rb"/Artifact\s*<<[^>]*/Subtype\s*/Footer[^>]*>>\s*BDC\b(.*?)\bEMC", re.S)
_FOLIO = NameObject("/nbFolio")  # the name of the bundle's page number in a report page's resources


def _renumber(page: PageObject, folio: DictionaryObject) -> None:
    """Replace a report page's own page number by the bundle's (``folio``, a Form XObject).

    The number is drawn where the report's footer was: Typst sets the footer at the top level of the
    page's content, so the page's own coordinates hold there, which are the folio's too.
    """
    contents = page.get_contents()
    assert contents is not None
    found = []

    def drop(m: re.Match[bytes]) -> bytes:
        if b"BDC" in m[1] or b"BMC" in m[1]:  # nested marked content: not the template's footer
            raise ValueError("页脚中有嵌套的标记内容")
        found.append(m[0])
        return b"\nq " + _FOLIO.encode() + b" Do Q\n"  # after an operator: the footer follows one directly

    data = _FOOTER.sub(drop, contents.get_data())
    if len(found) != 1:
        raise ValueError(f"报告页面应有一个页脚，找到 {len(found)} 个")
    stream = DecodedStreamObject()
    stream.set_data(data)
    page.replace_contents(stream.flate_encode())
    # The page's own resources (Typst gives each page a direct dictionary; copied if it were shared).
    own: Any = page.get("/Resources")
    resources = DictionaryObject(own.get_object() if own is not None else {})
    listed: Any = resources.get("/XObject")
    forms = DictionaryObject(listed.get_object() if listed is not None else {})
    if _FOLIO in forms:
        raise ValueError("报告页面已有名为 nbFolio 的资源")
    forms[_FOLIO] = folio.indirect_reference
    resources[NameObject("/XObject")] = forms
    page[NameObject("/Resources")] = resources


def _folio_pages(compiler: typst.Compiler, data: dict[str, Any], folios: list[int], stamp: int | datetime.datetime) -> PdfReader:
    """Typeset the bundle's page numbers: one page per page of the bundle, its footer alone."""
    numbers = compiler.compile(format="pdf", sys_inputs={"data": json.dumps({**data, "folios": folios}, ensure_ascii=False)}, timestamp=stamp)
    assert isinstance(numbers, bytes)
    return PdfReader(io.BytesIO(numbers))


def _folio_forms(writer: PdfWriter, reader: PdfReader) -> list[DictionaryObject]:
    """Return each page of ``reader`` (the bundle's page numbers) as a Form XObject in ``writer``.

    The footer's content stream is taken as it is, still compressed; only its resources (the font
    of the digits) are copied, once for all pages.
    """
    forms: list[DictionaryObject] = []
    for page in reader.pages:
        contents: Any = page.raw_get("/Contents").get_object()
        form = EncodedStreamObject()
        form._data = contents._data
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(page.mediabox),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        })
        if "/Filter" in contents:
            form[NameObject("/Filter")] = contents["/Filter"].clone(writer)
        writer._add_object(form)
        forms.append(form)
    return forms


def _merge(job: BundleJob) -> bytes:
    """Typeset the cover and contents, append the reports numbered on, and return the bundle's bytes."""
    # strict: our own Typst PDFs need no repairs, and the lenient reader re-reads every object header.
    readers = [PdfReader(path, strict=True) for path in job.members]
    counts = [len(reader.pages) for reader in readers]
    titles = [entry["title"] for entry in json.loads(job.front)["entries"]]
    compiler = _compiler(job.font_dirs, job.system_fonts)
    front_pages = _FRONT_GUESS
    for _ in range(3):  # the contents may run longer than guessed; page numbers then shift once
        starts, folios = _layout(front_pages, counts)
        data = json.loads(job.front)
        for entry, start in zip(data["entries"], starts, strict=True):
            entry["page"] = start
        front = compiler.compile(format="pdf", sys_inputs={"data": json.dumps(data, ensure_ascii=False)}, timestamp=job.stamp)
        assert isinstance(front, bytes)
        front_reader = PdfReader(io.BytesIO(front))
        if len(front_reader.pages) == front_pages:
            break
        front_pages = len(front_reader.pages)
    marks = json.loads(compiler.query("<nb-toc>", field="value"))
    writer = PdfWriter()
    folio_forms = _folio_forms(writer, _folio_pages(compiler, data, folios, job.stamp))
    writer.append(front_reader, import_outline=False)
    size = front_reader.pages[0].mediabox
    for title, reader, start in zip(titles, readers, starts, strict=True):
        while len(writer.pages) < start - 1:
            writer.add_blank_page(float(size.width), float(size.height))
        # The report's own outline (its six sections) is nested under its bookmark.
        writer.append(reader, outline_item=title, import_outline=True)
        for index in range(start - 1, start - 1 + len(reader.pages)):
            _renumber(writer.pages[index], folio_forms[index])
    _link_contents(writer, marks, starts)
    if job.tagged:  # tagged like its reports
        tags.merge_structure(writer, [front_reader, *readers], "zh-CN", [0] + [s - 1 for s in starts])
    else:
        writer._root_object[NameObject("/Lang")] = TextStringObject("zh-CN")  # still announce the language
    writer.add_metadata(dict(job.metadata))
    writer.page_mode = "/UseOutlines"  # open with the bookmarks shown: the bundle is read report by report
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _link_contents(writer: PdfWriter, marks: list[dict[str, Any]], starts: list[int]) -> None:
    """Make each entry of the contents a link to the first page of its report."""
    edges: dict[tuple[int, str], dict[str, Any]] = {(int(m["index"]), str(m["edge"])): m for m in marks}
    for index, start in enumerate(starts):
        top, bottom = edges.get((index, "start")), edges.get((index, "end"))
        if top is None or bottom is None or top["page"] != bottom["page"]:
            continue
        page_index = int(top["page"]) - 1
        page = writer.pages[page_index]
        height = float(page.mediabox.height)
        left = float(page.mediabox.left) + _LEFT
        rect = (left, height - float(bottom["y"]), left + _WIDTH, height - float(top["y"]))
        writer.add_annotation(page_index, Link(rect=rect, target_page_index=start - 1))


def _pdf_date(stamp: int | datetime.datetime) -> str:
    """Return a PDF date string (D:YYYYMMDDHHmmSS+08'00')."""
    when = stamp if isinstance(stamp, datetime.datetime) else datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    offset = when.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
