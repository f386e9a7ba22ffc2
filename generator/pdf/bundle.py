"""Yearly bundles (汇编): each year's reports in one PDF, with a cover, contents and bookmarks.

One bundle per year, or per year and region when a year's reports come from several regions.
The cover and contents are typeset by Typst (bundle.typ); pikepdf (qpdf) then appends the cached
report PDFs, each from a right-hand page, replaces their page numbers by the bundle's own
(continuous, as the contents print them, typeset by Typst too and drawn as a Form XObject), adds
one bookmark per report (its six section bookmarks nested below), links each entry of the contents
to its report, and sets the metadata; tags.py merges the reports' structure trees, so that a
bundle is tagged (headings, tables, language) like its reports. Bundles are cached like reports.

qpdf, not pypdf: pypdf parses and re-serialises every object of every report in Python (fonts
included), about 28 CPU-ms per report merged; qpdf copies them in C++, about 8 ms in all
(bench/bundle_bench.py; the tagged merge about 30 ms against 140 ms).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typst
from pikepdf import Array, Dictionary, Name, Object, Page, Pdf, Stream, String

from ..dates import chinese_date
from ..fsutil import library_versions, sealed, write_entry
from ..model import Report
from ..pages import SiteIndex, region_label
from . import tags
from .data import report_datetime
from .render import PdfSettings, RenderedPdf, template_hash
from .typst_markup import settable

TEMPLATE = Path(__file__).with_name("bundle.typ")


def _front_guess(entries: int) -> int:
    """Guess the cover and contents' pages of a bundle of ``entries`` reports; _merge corrects a wrong guess.

    bundle.typ fits about 17 entries (with their kind headings) on the first page of contents and
    25 on each further one; every wrong guess costs one more typesetting of the front, which, from a
    guess of 2, two thirds of the bundles of a 2,000-report site needed. A function of the bundle
    alone, so that its bytes never depend on which bundles a worker merged before.
    """
    return 2 + -(-max(0, entries - 17) // 25)

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
    base = template_hash(TEMPLATE) + code + settings.fonts.fingerprint() + publisher + library_versions("typst", "pikepdf")
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
            "/Producer": "Typst, pikepdf",
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
_FOLIO = Name("/nbFolio")  # the name of the bundle's page number in a report page's resources


def _renumber(pdf: Pdf, page: Page, folio: Object) -> None:
    """Replace a report page's own page number by the bundle's (``folio``, a Form XObject).

    The number is drawn where the report's footer was: Typst sets the footer at the top level of the
    page's content, in the page's own coordinates, which are the folio's too.
    """
    page.contents_coalesce()  # one stream, as Typst writes it
    found = []

    def drop(m: re.Match[bytes]) -> bytes:
        if b"BDC" in m[1] or b"BMC" in m[1]:  # nested marked content: not the template's footer
            raise ValueError("页脚中有嵌套的标记内容")
        found.append(m[0])
        return b"\nq " + bytes(_FOLIO.unparse()) + b" Do Q\n"  # Typst writes the footer right after an operator

    data = _FOOTER.sub(drop, page.obj.Contents.read_bytes())
    if len(found) != 1:
        raise ValueError(f"报告页面应有一个页脚，找到 {len(found)} 个")
    contents = Stream(pdf, b"")  # a new stream: the old one might be shared
    # level 1: twice as fast as the default, and the page grows by about 200 bytes (1 % of a bundle)
    contents.write(zlib.compress(data, 1), filter=Name.FlateDecode)
    page.obj.Contents = contents
    page.obj.Resources = resources = _own(page.obj.get(Name.Resources, Dictionary()))
    resources.XObject = forms = _own(resources.get(Name.XObject, Dictionary()))
    if _FOLIO in forms:
        raise ValueError("报告页面已有名为 nbFolio 的资源")
    forms[_FOLIO] = folio


def _own(value: Object) -> Object:
    """Return a dictionary of a page's own to change: itself if direct, else a copy (another page may share it)."""
    return Dictionary(dict(value.items())) if value.is_indirect else value


def _folio_form(pdf: Pdf, numbers: Pdf, index: int) -> Object:
    """Return page ``index`` of ``numbers`` (the bundle's page numbers) as a Form XObject in ``pdf``.

    The footer's content stream is taken as it is, still compressed; the font of the digits, which
    every page's resources name, is copied once, as qpdf copies each object of another file once.
    """
    page = numbers.pages[index]
    resources = page.obj.Resources
    if not resources.is_indirect:  # only an indirect object can be copied from another file
        resources = numbers.make_indirect(resources)
    form = pdf.copy_foreign(page.obj.Contents)
    form.Type, form.Subtype = Name.XObject, Name.Form
    form.BBox = Array([float(x) for x in page.mediabox])
    form.Resources = pdf.copy_foreign(resources)
    return form


def _folio_pages(compiler: typst.Compiler, data: dict[str, Any], numbers: list[int], stamp: int | datetime.datetime) -> bytes:
    """Typeset the bundle's page ``numbers``: one page per number, its footer alone."""
    typeset = compiler.compile(format="pdf", sys_inputs={"data": json.dumps({**data, "folios": numbers}, ensure_ascii=False)}, timestamp=stamp)
    assert isinstance(typeset, bytes)
    return typeset


def _merge(job: BundleJob) -> bytes:
    """Typeset the cover and contents, append the reports numbered on, and return the bundle's bytes."""
    with contextlib.ExitStack() as opened:  # qpdf reads the members' streams only when it writes the bundle
        members = [opened.enter_context(Pdf.open(path)) for path in job.members]
        counts = [len(member.pages) for member in members]
        titles = [entry["title"] for entry in json.loads(job.front)["entries"]]
        compiler = _compiler(job.font_dirs, job.system_fonts)
        front_pages = _front_guess(len(titles))
        for _ in range(3):  # the contents may run longer than guessed; page numbers then shift once
            starts, folios = _layout(front_pages, counts)
            data = json.loads(job.front)
            for entry, start in zip(data["entries"], starts, strict=True):
                entry["page"] = start
            typeset = compiler.compile(format="pdf", sys_inputs={"data": json.dumps(data, ensure_ascii=False)}, timestamp=job.stamp)
            assert isinstance(typeset, bytes)
            front = opened.enter_context(Pdf.open(io.BytesIO(typeset)))
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        marks = json.loads(compiler.query("<nb-toc>", field="value"))
        printed = [n for n in folios if n]  # the numbers of the reports' pages, in order
        typeset_page = {n: k for k, n in enumerate(printed)}
        numbers = opened.enter_context(Pdf.open(io.BytesIO(_folio_pages(compiler, data, printed, job.stamp))))

        pdf = opened.enter_context(Pdf.new())
        pdf.pages.extend(front.pages)
        width, height = (float(x) for x in front.pages[0].mediabox[2:])
        for member, start in zip(members, starts, strict=True):
            while len(pdf.pages) < start - 1:
                pdf.add_blank_page(page_size=(width, height))
            pdf.pages.extend(member.pages)
            for index in range(start - 1, start - 1 + len(member.pages)):
                _renumber(pdf, pdf.pages[index], _folio_form(pdf, numbers, typeset_page[folios[index]]))
        _outline(pdf, members, titles, starts)
        _link_contents(pdf, marks, starts)
        if job.tagged:  # tagged like its reports
            tags.merge_structure(pdf, [front, *members], "zh-CN", [0] + [s - 1 for s in starts])
        else:
            pdf.Root.Lang = String("zh-CN")  # still announce the language
        pdf.docinfo = pdf.make_indirect(Dictionary({key: String(value) for key, value in job.metadata}))
        pdf.Root.PageMode = Name.UseOutlines  # open with the bookmarks shown: the bundle is read report by report
        out = io.BytesIO()
        # deterministic_id: the file identifier is a hash of the content, so equal input gives equal bytes
        pdf.save(out, deterministic_id=True, min_version=max(m.pdf_version for m in [front, *members]))
        return out.getvalue()


def _outline(pdf: Pdf, members: list[Pdf], titles: list[str], starts: list[int]) -> None:
    """Add one bookmark per report, at its first page, with the report's own bookmarks nested below.

    Called after the pages are copied: qpdf then points the copied bookmarks at the copied pages.
    """
    root = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    items: list[Object] = []
    for member, title, start in zip(members, titles, starts, strict=True):
        item = pdf.make_indirect(Dictionary(Title=String(title), Parent=root, Dest=Array([pdf.pages[start - 1].obj, Name.Fit])))
        own = member.Root.get(Name.Outlines)
        count = 0
        if own is not None and Name.First in own:
            copied = pdf.copy_foreign(own)
            item.First, item.Last = copied.First, copied.Last
            child = copied.First
            while True:  # the report's top bookmarks, open (shown) as in the report
                child.Parent = item
                count += 1 + max(0, int(child.get(Name.Count, 0)))
                if Name.Next not in child:
                    break
                child = child.Next
        item.Count = count
        if items:
            item.Prev, items[-1].Next = items[-1], item
        items.append(item)
    if items:
        root.First, root.Last = items[0], items[-1]
        root.Count = sum(1 + int(item.Count) for item in items)
        pdf.Root.Outlines = root


def _link_contents(pdf: Pdf, marks: list[dict[str, Any]], starts: list[int]) -> None:
    """Make each entry of the contents a link to the first page of its report."""
    edges: dict[tuple[int, str], dict[str, Any]] = {(int(m["index"]), str(m["edge"])): m for m in marks}
    for index, start in enumerate(starts):
        top, bottom = edges.get((index, "start")), edges.get((index, "end"))
        if top is None or bottom is None or top["page"] != bottom["page"]:
            continue
        page = pdf.pages[int(top["page"]) - 1]
        x0, y0, _, y1 = (float(x) for x in page.mediabox)
        height, left = y1 - y0, x0 + _LEFT
        rect = [left, height - float(bottom["y"]), left + _WIDTH, height - float(top["y"])]
        link = Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array(rect), Border=Array([0, 0, 0]),
            Dest=Array([pdf.pages[start - 1].obj, Name.Fit]), P=page.obj,
        )
        page.obj.Annots = Array([*page.obj.get(Name.Annots, Array()), pdf.make_indirect(link)])


def _pdf_date(stamp: int | datetime.datetime) -> str:
    """Return a PDF date string (D:YYYYMMDDHHmmSS+08'00')."""
    when = stamp if isinstance(stamp, datetime.datetime) else datetime.datetime.fromtimestamp(stamp, datetime.UTC)
    offset = when.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return when.strftime("D:%Y%m%d%H%M%S") + f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
