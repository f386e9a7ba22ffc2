"""The generated pages of the site: reports, years, agencies, search, check, home.

Each page is a template of ``generator/templates/`` (render.py) rendered from a context built
here: the report model, its tables from the grid renderer, and the pages it links. Everything an
editor wrote goes through text.markdown_html (sanitized) or is escaped by the templates. Links are
relative, so that the site also works opened from a folder, and follow ``use_directory_urls``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .dates import chinese_date
from .findings import Finding
from .formats import AGENCY_KINDS, SECTIONS, TABLE_SECTION, FormatDef
from .gitdates import FileDates
from .model import Number, Report
from .render import render, urls
from .tables import table_html
from .text import markdown_html

if TYPE_CHECKING:
    from .aggregate import Aggregate
    from .pagecache import BodyCache

REPORTS_DIR, YEARS_DIR, AGENCIES_DIR = "reports", "years", "agencies"
SEARCH_PAGE, CHECK_PAGE, HOME_PAGE = "search.md", "check.md", "index.md"
LATEST_MARKER = "<!-- nianbao:latest -->"
YEARS_MARKER = "<!-- nianbao:years -->"
REGIONS_INDEX = "regions/index.md"
Links = Iterable[tuple[str, str]]  # downloads: (label, target from the site root, such as pdf/x.pdf)
Crumbs = list[tuple[str, str | None]]  # breadcrumbs: (label, page source), the current page last without one


def report_uri(report: Report) -> str:
    return f"{REPORTS_DIR}/{report.slug}.md"


def agency_uri(agency_id: str) -> str:
    return f"{AGENCIES_DIR}/{agency_id}.md"


def year_uri(year: int) -> str:
    return f"{YEARS_DIR}/{year}.md"


def region_label(region: tuple[str, ...]) -> str:
    return " / ".join(region)


def region_links(region: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return each level of a region with its page: [("湖北省", page), ("武汉市", page), …]."""
    from .datapages import region_uri

    return [(region[i], region_uri(region[: i + 1])) for i in range(len(region))]


def crumbs(*trail: tuple[str, str | None], region: tuple[str, ...] | None = None) -> Crumbs:
    """Return a page's breadcrumbs: 首页, then 按地区 and each level of ``region`` if given, then ``trail``."""
    out: Crumbs = [("首页", HOME_PAGE)]
    if region is not None:
        out += [("按地区", REGIONS_INDEX), *region_links(region)]
    return out + list(trail)


# The tab a generated page belongs to (the nav page whose tab is shown active): the breadcrumbs' section.
TABS = {"report": REGIONS_INDEX, "agency": REGIONS_INDEX, "region": REGIONS_INDEX, "aggregate": REGIONS_INDEX,
        "regions": REGIONS_INDEX, "year": f"{YEARS_DIR}/index.md", "years": f"{YEARS_DIR}/index.md",
        "agencies": f"{AGENCIES_DIR}/index.md"}


@dataclass
class SiteIndex:
    """The published reports, indexed the ways citizens browse them."""

    reports: list[Report]
    by_agency: dict[str, list[Report]] = field(default_factory=dict)
    by_year: dict[int, list[Report]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        agencies: dict[str, list[Report]] = defaultdict(list)
        years: dict[int, list[Report]] = defaultdict(list)
        for r in sorted(self.reports, key=lambda r: (r.region, _kind_order(r.kind), r.agency, r.year)):
            agencies[r.agency_id].append(r)
            years[r.year].append(r)
        self.by_agency = dict(agencies)
        self.by_year = dict(sorted(years.items(), reverse=True))

    @property
    def years(self) -> list[int]:
        return list(self.by_year)

    @property
    def latest_year(self) -> int | None:
        return self.years[0] if self.years else None


def _kind_order(kind: str) -> int:
    kinds = list(AGENCY_KINDS)
    return kinds.index(kind) if kind in kinds else len(kinds)


def statutory_table(table_id: str, fmt: FormatDef, numbers: Mapping[tuple[str, ...], Number],
                    texts: Mapping[tuple[str, ...], str], caption: str) -> dict[str, Any]:
    """Return a statutory table for the templates: its id prefix and its HTML from the grid renderer."""
    table = fmt.table[table_id]
    prefix = f"t{'一二三'.index(table.id[1]) + 1}"
    html = table_html(table, numbers, texts, prefix, caption=caption, caption_id=f"{prefix}-caption")
    return {"prefix": prefix, "html": Markup(html)}


# -- the report page ---------------------------------------------------------------------------


def report_page(report: Report, site: SiteIndex | Sequence[Report], downloads: Links = (), cache: BodyCache | None = None,
                bundles: Links = (), dates: FileDates | None = None) -> str:
    """Return the Markdown source of a report's page.

    ``site`` is the site, or the reports of the report's agency (all the page shows of the site);
    ``downloads`` are (label, target) pairs such as the PDF and data files; ``cache`` keeps the
    page's body (prose and tables, which depend on the report alone) between builds; ``bundles``
    are the 汇编 PDFs that hold the report; ``dates`` the report file's Git dates (gitdates.py), if any.
    """
    agency = site.by_agency.get(report.agency_id, []) if isinstance(site, SiteIndex) else site
    years = sorted(agency, key=lambda r: r.year)
    others = [r for r in years if r.year != report.year]
    earlier = [r for r in years if r.year < report.year]
    later = [r for r in years if r.year > report.year]
    published = report.published or (dates.added if dates else None)
    body = report_body(report, cache)
    return render(
        "report.md", report_uri(report),
        title=report.title, kind="report", tab=TABS["report"],
        crumbs=crumbs((report.agency, agency_uri(report.agency_id)), (f"{report.year}年度", None), region=report.region),
        meta={"description": f"{report.agency}{report.year}年政府信息公开工作年度报告"},
        report=report, region=region_label(report.region), region_links=region_links(report.region),
        date=chinese_date(report.date) if report.date else "",
        published=chinese_date(published) if published else "",
        updated=chinese_date(dates.updated) if dates and dates.updated != published else "",
        agency_page=agency_uri(report.agency_id), year_page=year_uri(report.year),
        others=[(r.year, report_uri(r)) for r in reversed(others)],
        previous=(earlier[-1].year, report_uri(earlier[-1])) if earlier else None,
        next=(later[0].year, report_uri(later[0])) if later else None,
        downloads=list(downloads), bundles=list(bundles), body=Markup(body),
    )


def report_body(report: Report, cache: BodyCache | None = None) -> str:
    """Return the body of a report's page, from ``cache`` when it holds it."""
    return cache.body(report, lambda: _report_body(report)) if cache else _report_body(report)


def _report_body(report: Report) -> str:
    """Return the Markdown of a report page below its facts: lead, sections, tables, signature."""
    fmt = report.format
    numbers = report.numbers()
    texts = {k: c.text for k, c in report.cells.items()}
    tables_after = {section: table_id for table_id, section in TABLE_SECTION.items()}
    sections = []
    for heading in SECTIONS:
        body = report.section(heading)
        table_id = tables_after.get(heading)
        table = statutory_table(table_id, fmt, numbers, texts, f"{table_id} {fmt.table[table_id].title}") if table_id else None
        sections.append({"heading": heading, "html": Markup(markdown_html(body)) if body else "", "table": table})
    return render(
        "report-body.md", report_uri(report),
        report=report, date=chinese_date(report.date) if report.date else "",
        lead=Markup(markdown_html(report.lead)), sections=sections,
    )


# -- index pages -------------------------------------------------------------------------------


def _grouped(reports: list[Report]) -> dict[tuple[str, ...], dict[str, list[Report]]]:
    groups: dict[tuple[str, ...], dict[str, list[Report]]] = {}
    for r in sorted(reports, key=lambda r: (r.region, _kind_order(r.kind), r.agency)):
        groups.setdefault(r.region, {}).setdefault(r.kind, []).append(r)
    return groups


def _groups(reports: list[Report], item: Callable[[Report], dict[str, Any]]) -> list[tuple[str, list[tuple[str, list[Any]]]]]:
    """Return the reports by region label, then kind, each as ``item(report)`` (for _macros.grouped)."""
    return [(region_label(region), [(kind, [item(r) for r in rs]) for kind, rs in kinds.items()])
            for region, kinds in _grouped(reports).items()]


def year_page(year: int, reports: list[Report], downloads: Links = (), aggregates: Sequence[Aggregate] = ()) -> str:
    """Return the page of one year: every report, grouped by region and agency kind.

    ``downloads`` are (label, target) pairs such as the year's PDF bundles; ``aggregates`` are the
    year's regional aggregates, linked at the end.
    """
    from .datapages import aggregate_uri

    return render(
        "year.md", year_uri(year),
        title=f"{year}年度政府信息公开工作年度报告", kind="year", year=year, count=len(reports), tab=TABS["year"],
        crumbs=crumbs(("按年度", f"{YEARS_DIR}/index.md"), (f"{year}年度", None)),
        downloads=list(downloads),
        groups=_groups(reports, lambda r: {"agency": r.agency, "page": report_uri(r)}),
        aggregates=[{"region": a.region, "name": a.region[-1], "depth": len(a.region), "page": aggregate_uri(a),
                     "count": len(a.reports)} for a in sorted(aggregates, key=lambda a: a.region)],
    )


def _years(site: SiteIndex) -> list[dict[str, Any]]:
    return [{"year": y, "page": year_uri(y), "count": len(rs)} for y, rs in site.by_year.items()]


def years_index(site: SiteIndex) -> str:
    return render("years.md", f"{YEARS_DIR}/index.md", title="按年度浏览", kind="years", years=_years(site),
                  tab=TABS["years"], crumbs=crumbs(("按年度", None)))


def years_list(site: SiteIndex, here: str = HOME_PAGE) -> str:
    """Return a Markdown list of the years with their report counts, newest first (for page ``here``)."""
    return render("_years-list.md", here, years=_years(site)).rstrip("\n")


def agency_page(agency_id: str, reports: list[Report], trends: str = "",
                downloads: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> str:
    """Return the page of one agency: its contact, its reports of every year, newest first, each with
    its ``downloads`` (by report slug: PDF, data files), then its ``trends`` (HTML)."""
    latest = max(reports, key=lambda r: r.year)
    return render(
        "agency.md", agency_uri(agency_id),
        title=latest.agency, kind="agency", name=latest.agency, region=region_label(latest.region),
        region_links=region_links(latest.region), tab=TABS["agency"],
        crumbs=crumbs((latest.agency, None), region=latest.region),
        agency_kind=latest.kind, trends=Markup(trends), contact=latest.contact,
        reports=[{"title": r.title, "page": report_uri(r), "date": chinese_date(r.date) if r.date else "",
                  "year": r.year, "downloads": list((downloads or {}).get(r.slug, []))}
                 for r in sorted(reports, key=lambda r: -r.year)],
    )


def agencies_index(site: SiteIndex) -> str:
    """Return the list of all agencies, grouped by region and kind."""
    latest = [max(rs, key=lambda r: r.year) for rs in site.by_agency.values()]
    return render(
        "agencies.md", f"{AGENCIES_DIR}/index.md", title="按机关浏览", kind="agencies", count=len(latest),
        tab=TABS["agencies"], crumbs=crumbs(("按机关", None)),
        groups=_groups(latest, lambda r: {"name": r.agency, "page": agency_uri(r.agency_id),
                                          "years": len(site.by_agency[r.agency_id])}),
    )


def latest_list(site: SiteIndex, here: str = HOME_PAGE) -> str:
    """Return the home page's list of the latest year's reports (for page ``here``)."""
    year = site.latest_year
    regions: list[tuple[str, list[dict[str, str]]]] = []
    if year is not None:
        regions = [(region_label(region), [{"agency": r.agency, "page": report_uri(r)} for rs in kinds.values() for r in rs])
                   for region, kinds in _grouped(site.by_year[year]).items()]
    return render("_latest.md", here, year=year, regions=regions, year_page=year_uri(year) if year else "")


def home_page(site_name: str) -> str:
    """Return the home page of a site that has no index.md of its own."""
    return render("home.md", HOME_PAGE, title=site_name, kind="home", site_name=site_name)


def search_page(shards: Sequence[Mapping[str, str]] = (), own_index: bool = True) -> str:
    """Return the search page: a form that works with Pagefind's index, with a no-script fallback.

    ``shards`` are other sites ({"bundle": URL of their pagefind/, "base": their URL}) whose
    indexes are merged into this one; a portal without reports of its own searches the first.
    """
    href = urls().linker(SEARCH_PAGE)
    merged = list(shards)
    base: str | None = None
    if own_index or not merged:
        bundle = href("pagefind/")
        if urls().directory:
            base = href(HOME_PAGE)  # the page is one folder down; its results are under the site root
    else:
        first = merged.pop(0)
        bundle, base = first["bundle"], first["base"]
    return render(
        "search.md", SEARCH_PAGE, title="搜索", kind="search", bundle=bundle, base=base, crumbs=crumbs(("搜索", None)),
        shards=json.dumps(merged, ensure_ascii=False) if merged else None,
    )


# -- validation findings (nianbao serve) -------------------------------------------------------


def _finding(f: Finding, page: str | None = None) -> dict[str, Any]:
    return {"file": f.file, "line": f.line, "column": f.column, "severity": f.severity.chinese, "rule": f.rule,
            "message": f.message, "page": page}


def findings_page(findings: Sequence[Finding], excluded: int = 0, total: int = 0,
                  pages: Mapping[str, str] | None = None) -> str:
    """Return the check page: the findings, each linking its excluded report's error page, or 全部通过."""
    return render(
        "check.md", CHECK_PAGE, title="校验结果", kind="check", excluded=excluded, total=total,
        crumbs=crumbs(("校验结果", None)),
        findings=[_finding(f, (pages or {}).get(f.file)) for f in findings],
    )


def report_errors_page(uri: str, source: str, findings: Sequence[Finding]) -> str:
    """Return the page shown at a report's own address while it has errors (``nianbao serve`` only)."""
    return render(
        "report-errors.md", uri, title="本报告有错误，暂不发布", kind="report-errors", source=source,
        crumbs=crumbs(("校验结果", CHECK_PAGE), ("本报告有错误", None)),
        findings=[_finding(f) for f in findings],
    )
