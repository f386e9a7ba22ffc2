"""Every page the site generates from the reports, in one place: what a build adds to content/."""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import addresses, aggregate, datapages, gitdates, pages
from .findings import Finding
from .model import Report
from .pagecache import BodyCache
from .reader import FILE_NAME
from .validate import Validation

Links = list[tuple[str, str]]


@dataclass(frozen=True)
class Deferred:
    """A report page whose body is read (from the page cache) only if the page is rendered.

    ``frame`` is the page with ``mark`` in place of the body; the frame and the body's cache key
    are what the page is made from (reuse.py keys the page on ``source``).
    """

    frame: str
    mark: str
    body_key: str
    body: Callable[[], str]
    whole: Callable[[str], str]  # the page rendered around a body, when the frame does not show the mark once

    @property
    def source(self) -> str:
        return f"{self.frame.replace(self.mark, 'NBBODY')}\0{self.body_key}"  # the same in every build

    def text(self) -> str:
        body = self.body()
        if self.frame.count(self.mark) == 1:
            return self.frame.replace(self.mark, body)
        return self.whole(body)  # a site's own report.md that does something else with the body


Page = str | Deferred


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
    links (the one holding the report; by default all of its year's). With ``cache``, a report
    page comes as a Deferred page whose body is read only if it is rendered.
    """
    by_year: dict[int, list[aggregate.Aggregate]] = {}
    by_region: dict[tuple[str, ...], list[aggregate.Aggregate]] = {}
    for a in aggregates:
        by_year.setdefault(a.year, []).append(a)
        by_region.setdefault(a.region, []).append(a)
    downloads = {r.slug: list(report_links.get(r.slug, [])) + (datapages.report_data_links(r.slug) if open_data else [])
                 for r in site.reports}
    dates = _file_dates(site.reports)
    mark = f"NBBODY{secrets.token_hex(8)}"  # no report's text can hold it
    for report in site.reports:
        links, bundles = downloads[report.slug], report_bundles(report) if report_bundles else year_links.get(report.year, [])
        when = dates.get(report.path.resolve())
        key = cache.key(report) if cache else None
        if cache is None or key is None:
            yield pages.report_uri(report), pages.report_page(report, site, links, cache, bundles, when)
            continue
        frame = pages.report_page(report, site, links, cache, bundles, when, body=mark)
        yield pages.report_uri(report), Deferred(
            frame, mark, key, functools.partial(pages.report_body, report, cache),
            functools.partial(_whole_page, report, site, links, bundles, when),
        )
    for year, reports in site.by_year.items():
        links = list(year_links.get(year, [])) + (datapages.year_data_links(year) if open_data else [])
        yield pages.year_uri(year), pages.year_page(year, reports, links, by_year.get(year, []))
    yield f"{pages.YEARS_DIR}/index.md", pages.years_index(site)
    for agency_id, reports in site.by_agency.items():
        yield pages.agency_uri(agency_id), pages.agency_page(agency_id, reports, datapages.agency_trends(reports), downloads)
    yield f"{pages.AGENCIES_DIR}/index.md", pages.agencies_index(site)
    yield pages.SEARCH_PAGE, pages.search_page(shards, own_index=bool(site.reports))
    children = datapages.region_tree(list(aggregates))
    for a in aggregates:
        yield datapages.aggregate_uri(a), datapages.aggregate_page(a)
    for region, aggs in by_region.items():
        yield datapages.region_uri(region), datapages.region_page(region, aggs, children.get(region, []))
    yield f"{datapages.REGIONS_DIR}/index.md", datapages.regions_index(list(aggregates))
    years = {region: [a.year for a in aggs] for region, aggs in by_region.items()}
    yield from addresses.redirects(set(by_region), years)  # the old, hashed addresses (HTML, not pages)
    if open_data and site.reports:
        yield datapages.DATA_PAGE, datapages.data_page(site.years, data_facts)


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


def _whole_page(report: Report, site: pages.SiteIndex, links: Links, bundles: Links,
                when: gitdates.FileDates | None, body: str) -> str:
    return pages.report_page(report, site, links, None, bundles, when, body=body)


def _file_dates(reports: Sequence[Report]) -> dict[Path, gitdates.FileDates]:
    """Return the Git dates of the report files: one ``git log`` over the folder that holds them all."""
    if not reports:
        return {}
    return gitdates.file_dates(Path(os.path.commonpath([r.path.resolve().parent for r in reports])))
