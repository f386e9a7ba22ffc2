"""Every page the site generates from the reports, in one place: what a build adds to content/."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import addresses, aggregate, datapages, gitdates, pages, reuse
from .findings import Finding
from .model import Report
from .pagecache import BodyCache
from .reader import FILE_NAME
from .validate import Validation

Links = list[tuple[str, str]]


@dataclass(frozen=True)
class Lazy:
    """A generated page, made only if it is rendered: ``make(*args)``.

    Every page function is a pure function of its arguments (with the code and templates), so the
    arguments say what the page is made from: reuse.py keys the page on ``source``, and a page
    taken from the previous build is never made at all.
    """

    make: Callable[..., str]
    args: tuple[Any, ...]

    def source(self) -> str | None:
        """Return the page's inputs as text (reuse.canonical), None if some cannot be written down."""
        try:
            return f"{self.make.__module__}.{self.make.__qualname__}{reuse.canonical(self.args)}"
        except reuse.Unkeyable:
            return None

    def text(self) -> str:
        return self.make(*self.args)


Page = str | Lazy


def text(page: Page) -> str:
    """Return a generated page's Markdown (or HTML, for the pages at old addresses)."""
    return page if isinstance(page, str) else page.text()


def generate(
    site: pages.SiteIndex,
    aggregates: Sequence[aggregate.Aggregate],
    report_links: Mapping[str, Links],
    year_links: Mapping[int, Links],
    open_data: bool,
    shards: Sequence[Mapping[str, str]] = (),
    cache: BodyCache | None = None,
    data_facts: datapages.DataFacts | None = None,
    report_bundles: Callable[[Report], Links] | None = None,
) -> Iterator[tuple[str, Page]]:
    """Yield (path under content/, Markdown) for every generated page, and (path, HTML) of the
    pages at the old addresses of moved pages (addresses.py), which MkDocs copies as they are.

    ``report_links`` and ``year_links`` are the downloads (PDFs) by report slug and year; the data
    downloads are added when ``open_data``. ``report_bundles`` gives the 汇编 PDFs a report page
    links (the one holding the report; by default all of its year's). The pages come as Lazy pages,
    made only if they are rendered (``text``).
    """
    by_year: dict[int, list[aggregate.Aggregate]] = {}
    by_region: dict[tuple[str, ...], list[aggregate.Aggregate]] = {}
    for a in aggregates:
        by_year.setdefault(a.year, []).append(a)
        by_region.setdefault(a.region, []).append(a)
    downloads = {r.slug: list(report_links.get(r.slug, [])) + (datapages.report_data_links(r.slug) if open_data else [])
                 for r in site.reports}
    real = _real_paths(site.reports)
    dates = _file_dates(real)
    for report in site.reports:
        links, bundles = downloads[report.slug], report_bundles(report) if report_bundles else year_links.get(report.year, [])
        yield pages.report_uri(report), Lazy(pages.report_page, (
            report, site.by_agency.get(report.agency_id, []), links, cache, bundles, dates.get(real[report.path])))
    for year, reports in site.by_year.items():
        links = list(year_links.get(year, [])) + (datapages.year_data_links(year) if open_data else [])
        yield pages.year_uri(year), Lazy(pages.year_page, (year, reports, links, by_year.get(year, [])))
    yield f"{pages.YEARS_DIR}/index.md", Lazy(pages.years_index, (site,))
    for agency_id, reports in site.by_agency.items():
        own = {r.slug: downloads[r.slug] for r in reports}
        yield pages.agency_uri(agency_id), Lazy(_agency_page, (agency_id, reports, own))
    yield f"{pages.AGENCIES_DIR}/index.md", Lazy(pages.agencies_index, (site,))
    yield pages.SEARCH_PAGE, Lazy(pages.search_page, (list(shards), bool(site.reports)))
    children = datapages.region_tree(list(aggregates))
    for a in aggregates:
        yield datapages.aggregate_uri(a), Lazy(datapages.aggregate_page, (a,))
    for region, aggs in by_region.items():
        yield datapages.region_uri(region), Lazy(datapages.region_page, (region, aggs, children.get(region, [])))
    yield f"{datapages.REGIONS_DIR}/index.md", Lazy(datapages.regions_index, (list(aggregates),))
    years = {region: [a.year for a in aggs] for region, aggs in by_region.items()}
    yield from addresses.redirects(set(by_region), years)  # the old, hashed addresses (HTML, not pages)
    if open_data and site.reports:
        yield datapages.DATA_PAGE, Lazy(datapages.data_page, (site.years, data_facts))


def _agency_page(agency_id: str, reports: list[Report], downloads: Mapping[str, Links]) -> str:
    return pages.agency_page(agency_id, reports, datapages.agency_trends(reports), downloads)


def check_pages(validation: Validation, site: pages.SiteIndex, preview: bool) -> Iterator[tuple[str, str]]:
    """Yield check.md (always: 全部通过 or the findings) and, in a preview, a page at the address of
    each report left out for its errors, listing them (it turns back into the report when fixed)."""
    published = {pages.report_uri(r) for r in site.reports}
    errors: dict[str, list[Finding]] = {}
    for f in validation.findings:
        if preview and f.is_error and FILE_NAME.match(Path(f.file).name):
            errors.setdefault(f.file, []).append(f)
    addresses: dict[str, str] = {}
    for source, found in errors.items():
        m = FILE_NAME.match(Path(source).name)
        assert m is not None
        uri = f"{pages.REPORTS_DIR}/{m[1]}-{m[2]}.md"
        if uri not in published and uri not in addresses.values():
            addresses[source] = uri
            yield uri, pages.report_errors_page(uri, source, found)
    excluded = sum(1 for r in validation.reports if r.errors)
    yield pages.CHECK_PAGE, pages.findings_page(validation.findings, excluded, len(validation.reports), addresses)


def _real_paths(reports: Sequence[Report]) -> dict[Path, Path]:
    """Return each report file's resolved path, resolving each folder once (not every file's every folder).

    ``Path.resolve`` walks every component of a path: 10,000 report files took seconds.
    """
    folders: dict[Path, Path] = {}
    real = {}
    for r in reports:
        path = r.path
        if path.is_symlink():
            real[path] = path.resolve()
            continue
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = path.parent.resolve()
        real[path] = folder / path.name
    return real


def _file_dates(real: Mapping[Path, Path]) -> dict[Path, gitdates.FileDates]:
    """Return the Git dates of the report files: one ``git log`` over the folder that holds them all."""
    if not real:
        return {}
    return gitdates.file_dates(Path(os.path.commonpath({p.parent for p in real.values()})))
