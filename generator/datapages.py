"""Pages of computed data: regions, yearly aggregates, agency comparisons, trends, the data page.

Every number here is computed from the published reports and says so; the statutory tables are
drawn by the same renderer as on report pages, from the same format definition, and the pages by
the templates of generator/templates/ (render.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from . import addresses
from . import aggregate as agg
from .charts import Category, stacked_bars
from .export import IDENTITY_DESCRIPTIONS, LONG_DESCRIPTIONS, SEP
from .formats import APPLICANTS, FORMATS, RESULT_GROUPS, TABLE_SECTION, Kind
from .model import Number, Report
from .opendata import (  # noqa: F401 - ALL_DATA: where pages find the data files
    ALL_DATA,
    DATA_DIR,
    DATA_FORMATS,
    DEFAULT_LICENSE,
    DICTIONARY,
    PACKAGE,
    DataFile,
    License,
    resolve_license,
    year_data_name,
)
from .pages import TABS, crumbs, region_label, report_uri, statutory_table
from .render import render
from .tables import format_number

REGIONS_DIR = "regions"
DATA_PAGE = "data.md"


def region_uri(region: tuple[str, ...]) -> str:
    return addresses.region_uri(region)


def aggregate_uri(a: agg.Aggregate) -> str:
    return addresses.aggregate_uri(a.region, a.year)


def report_data_url(slug: str, fmt: str, prefix: str = "") -> str:
    return f"{prefix}{DATA_DIR}/reports/{slug}.{fmt}"



# -- trends ----------------------------------------------------------------------------------------


def _basis(trend: agg.Trend, region: bool) -> str:
    """Return the sentence that says what a region's bars compare (empty for an agency)."""
    if not region or len(trend.present) < 2:
        return ""
    if trend.per_report:
        return "各年度发布报告的机关不同，合计不可比：图中为平均每份报告的件数，每年的报告数见年度下方。"
    names = "、".join(trend.agencies[:5]) + ("等" if len(trend.agencies) > 5 else "")
    left_out = sum(y.published - y.counted for y in trend.present)
    if not left_out:
        return f"各年度均为同样的{len(trend.agencies)}个机关（{names}）的合计。"
    return (
        f"为使各年度可比，只计入每个有报告的年度都发布了报告的{len(trend.agencies)}个机关（{names}）；"
        f"其他机关的{left_out}份报告未计入，每年计入的报告数见年度下方。"
    )


def trend_charts(chart_id: str, subject: str, trend: agg.Trend, region: bool = False) -> str:
    """Return the two trend charts (applicants, outcomes) over years for one agency or region.

    Every year of the span has its slot; for a region, the number of reports each bar counts is
    printed under it.
    """
    per = trend.per_report
    categories = []
    for y in trend.years:
        note = ""
        if region and y.numbers is not None:
            note = f"{y.counted}份报告" if y.counted == y.published else f"{y.counted}/{y.published}份报告"
        categories.append(Category(f"{y.year}年", note, y.numbers is not None))
    applicants: dict[str, list[float | None]] = {a: [] for a in APPLICANTS}
    outcomes: dict[str, list[float | None]] = {agg.short_label(g): [] for g in RESULT_GROUPS}
    for y in trend.years:
        if y.numbers is None:
            for values in (*applicants.values(), *outcomes.values()):
                values.append(None)
            continue
        for a, v in agg.applicant_series(y.numbers).items():
            applicants[a].append(y.value(v, per))
        for group, v in agg.outcome_series(y.numbers, FORMATS[y.format_id]).items():
            outcomes[agg.short_label(group)].append(y.value(v, per))
    first, last = trend.years[0].year, trend.years[-1].year
    span = f"{first}—{last}年" if last > first else f"{first}年"
    unit = "平均每份报告" if per else ""
    basis = _basis(trend, region)

    def describe(what: str, series: dict[str, list[float | None]]) -> str:
        parts = []
        for i, cat in enumerate(categories):
            if not cat.present:
                parts.append(f"{cat.label}无报告")
                continue
            total = sum(v[i] or 0 for v in series.values())
            parts.append(f"{cat.label}{_amount(total)}件" + (f"（{cat.note}）" if cat.note else ""))
        return f"{subject}{span}{what}{unit}：" + "；".join(parts) + (f"。{basis}" if basis else "")

    return "\n".join(
        [
            stacked_bars(
                f"{chart_id}-applicants", f"{subject}历年新收申请（按申请人类型{'，' + unit if unit else ''}）",
                describe("每年新收政府信息公开申请数量，按申请人类型堆叠", applicants), categories, applicants,
                integer=not per, note=basis,
            ),
            stacked_bars(
                f"{chart_id}-outcomes", f"{subject}历年办理结果{'（' + unit + '）' if unit else ''}",
                describe("每年办理结果，按结果类型堆叠", outcomes), categories, outcomes, integer=not per, note=basis,
            ),
        ]
    )


def _amount(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def agency_trends(reports: list[Report]) -> str:
    """Return the trend charts of an agency page (empty below two years)."""
    if len(reports) < 2:
        return ""
    return trend_charts(f"trend-{reports[0].agency_id}", reports[0].agency, agg.agency_trend(reports))


# -- comparison table --------------------------------------------------------------------------------


def _num(value: Number) -> str:
    return format_number(value, Kind.COUNT)


def comparison_rows(reports: list[Report]) -> list[dict[str, Any]]:
    """Return the key figures of each agency of one region and year (the rows of _compare.md)."""
    rows = []
    for r in sorted(reports, key=lambda r: r.agency):
        k = agg.key_figures(r.numbers(), r.format)
        share = k.disclosed_share
        rows.append({
            "agency": r.agency, "page": report_uri(r), "kind": r.kind,
            "received": _num(k.received), "handled": _num(k.handled),
            "share": f"{share:.1%}" if share is not None else "—",
            "share_value": f"{share:.6f}" if share is not None else "-1",
            "withheld": _num(k.withheld), "review": _num(k.review), "litigation": _num(k.litigation),
            "corrected": _num(k.corrected),
        })
    return rows


def report_data_links(slug: str) -> list[tuple[str, str]]:
    """Return the download links of one report's data files."""
    return [(f"数据 {f.upper()}", report_data_url(slug, f)) for f in DATA_FORMATS]


def year_data_links(year: int) -> list[tuple[str, str]]:
    return [(f"全年数据 {f.upper()}", f"{DATA_DIR}/{year_data_name(year, f)}") for f in DATA_FORMATS]


# -- pages -----------------------------------------------------------------------------------------


def aggregate_page(a: agg.Aggregate) -> str:
    """Return the page of one region's aggregate for one year: the statutory tables, summed."""
    name = region_label(a.region)
    tables = [
        statutory_table(t.id, a.format, a.numbers, {}, f"{t.id} {t.title}（汇总）") | {"heading": TABLE_SECTION[t.id]}
        for t in a.format.tables
    ]
    return render(
        "aggregate.md", aggregate_uri(a), title=f"{name} {a.year}年度汇总", kind="aggregate", name=name,
        year=a.year, count=len(a.reports), region_page=region_uri(a.region), tables=tables,
        rows=comparison_rows(a.reports), tab=TABS["aggregate"], crumbs=crumbs((f"{a.year}年度汇总", None), region=a.region),
    )


def region_page(region: tuple[str, ...], aggregates: list[agg.Aggregate], children: list[tuple[str, ...]]) -> str:
    """Return a region's page: trends over the years, links to each year's aggregate and sub-regions."""
    name = region_label(region)
    return render(
        "region.md", region_uri(region), title=f"{name} 汇总", kind="region", name=name,
        tab=TABS["region"], crumbs=crumbs((region[-1], None), region=region[:-1]),
        years=[{"year": a.year, "page": aggregate_uri(a), "count": len(a.reports)}
               for a in sorted(aggregates, key=lambda a: -a.year)],
        children=[{"name": c[-1], "page": region_uri(c)} for c in children],
        trends=Markup(trend_charts(f"trend-{agg.region_id(region)}", name, agg.region_trend(aggregates), region=True)),
    )


def regions_index(aggregates: list[agg.Aggregate]) -> str:
    """Return the list of regions, nested by level."""
    regions = sorted({a.region for a in aggregates})
    return render(
        "regions.md", f"{REGIONS_DIR}/index.md", title="按地区汇总", kind="regions",
        tab=TABS["regions"], crumbs=crumbs(("按地区", None)),
        regions=[{"name": r[-1], "depth": len(r), "page": region_uri(r)} for r in regions],
    )


def region_tree(aggregates: list[agg.Aggregate]) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Return each region's direct sub-regions."""
    regions = {a.region for a in aggregates}
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for r in sorted(regions):
        if len(r) > 1:
            children[r[:-1]].append(r)
    return children


@dataclass(frozen=True)
class DataFacts:
    """What the data page states about the files: which, under which licence, when, and how large."""

    files: list[DataFile]
    license: License
    updated: str  # 2025年1月7日（最新一份报告的成文日期）
    size: Callable[[str], str] = lambda path: ""  # a file's size as a reader sees it, by its path in the site


def data_page(years: list[int], facts: DataFacts | None = None) -> str:
    """Return the open-data page: the files with their sizes, date and licence, and how to read them."""
    facts = facts or DataFacts([], resolve_license(DEFAULT_LICENSE), "")
    files = [{"title": f.title, "name": f.name, "target": f"{DATA_DIR}/{f.name}", "kind": f.name.rsplit(".", 1)[-1].upper(),
              "size": facts.size(f"{DATA_DIR}/{f.name}")} for f in facts.files]
    return render(
        "data.md", DATA_PAGE, title="开放数据", kind="data", license=facts.license, updated=facts.updated,
        years=len(years), crumbs=crumbs(("开放数据", None)), package=f"{DATA_DIR}/{PACKAGE}", package_name=PACKAGE, files=files, sep=SEP,
        long_columns=list(LONG_DESCRIPTIONS.items()), identity=list(IDENTITY_DESCRIPTIONS.items()),
        dictionary=f"{DATA_DIR}/{DICTIONARY}", dictionary_name=DICTIONARY,
    )
