"""Pages of computed data: regions, yearly aggregates, agency comparisons, trends, the data page.

Every number here is computed from the published reports and says so; the statutory tables are
drawn by the same renderer as on report pages, from the same format definition, and the pages by
the templates of generator/templates/ (render.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from markupsafe import Markup

from . import addresses
from . import aggregate as agg
from .charts import stacked_bars
from .export import IDENTITY_DESCRIPTIONS, columns
from .formats import APPLICANTS, FORMATS, TABLE_SECTION, Kind
from .model import Number, Report
from .pages import TABS, crumbs, region_label, report_uri, statutory_table
from .render import render
from .tables import format_number

REGIONS_DIR, DATA_DIR = "regions", "data"
DATA_PAGE = "data.md"
DATA_FORMATS = ("csv", "xlsx", "json")


def region_uri(region: tuple[str, ...]) -> str:
    return addresses.region_uri(region)


def aggregate_uri(a: agg.Aggregate) -> str:
    return addresses.aggregate_uri(a.region, a.year)


def report_data_url(slug: str, fmt: str, prefix: str = "") -> str:
    return f"{prefix}{DATA_DIR}/reports/{slug}.{fmt}"


def year_data_name(year: int, fmt: str) -> str:
    return f"nianbao-{year}.{fmt}"


ALL_DATA = "nianbao-all"


# -- trends ----------------------------------------------------------------------------------------


def trend_charts(chart_id: str, subject: str, by_year: dict[int, tuple[dict[tuple[str, ...], Number], int]]) -> str:
    """Return the two trend charts (applicants, outcomes) over years for one agency or region.

    ``by_year`` maps a year to (numbers, format id).
    """
    years = sorted(by_year)
    labels = [f"{y}年" for y in years]
    applicants: dict[str, list[float]] = {a: [] for a in APPLICANTS}
    outcomes: dict[str, list[float]] = {}
    for y in years:
        numbers, fmt_id = by_year[y]
        for a, v in agg.applicant_series(numbers).items():
            applicants[a].append(agg.as_number(v))
        for group, v in agg.outcome_series(numbers, FORMATS[fmt_id]).items():
            outcomes.setdefault(agg.short_label(group), []).append(agg.as_number(v))
    span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
    received = [sum(v[i] for v in applicants.values()) for i in range(len(years))]
    desc1 = f"{subject}{span}每年新收政府信息公开申请数量，按申请人类型堆叠：" + "；".join(
        f"{label}{int(total)}件" for label, total in zip(labels, received, strict=True)
    )
    handled = [sum(v[i] for v in outcomes.values()) for i in range(len(years))]
    desc2 = f"{subject}{span}每年办理结果，按结果类型堆叠：" + "；".join(
        f"{label}{int(total)}件" for label, total in zip(labels, handled, strict=True)
    )
    return "\n".join(
        [
            stacked_bars(f"{chart_id}-applicants", f"{subject}历年新收申请（按申请人类型）", desc1, labels, applicants),
            stacked_bars(f"{chart_id}-outcomes", f"{subject}历年办理结果", desc2, labels, outcomes),
        ]
    )


def agency_trends(reports: list[Report]) -> str:
    """Return the trend charts of an agency page (empty below two years)."""
    if len(reports) < 2:
        return ""
    by_year = {r.year: (r.numbers(), r.format_id) for r in reports}
    return trend_charts(f"trend-{reports[0].agency_id}", reports[0].agency, by_year)


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
    by_year = {a.year: (a.numbers, a.format_id) for a in aggregates}
    return render(
        "region.md", region_uri(region), title=f"{name} 汇总", kind="region", name=name,
        tab=TABS["region"], crumbs=crumbs((region[-1], None), region=region[:-1]),
        years=[{"year": a.year, "page": aggregate_uri(a), "count": len(a.reports)}
               for a in sorted(aggregates, key=lambda a: -a.year)],
        children=[{"name": c[-1], "page": region_uri(c)} for c in children],
        trends=Markup(trend_charts(f"trend-{agg.region_id(region)}", name, by_year)),
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


def data_page(years: list[int]) -> str:
    """Return the open-data page: downloads and the meaning of every column."""
    def files(name: str) -> list[tuple[str, str]]:
        return [(f.upper(), f"{DATA_DIR}/{name}.{f}") for f in DATA_FORMATS]

    downloads = [("全部年度", files(ALL_DATA))] + [(f"{y}年度", files(year_data_name(y, "").rstrip("."))) for y in years]
    units = {Kind.COUNT: "件", Kind.SIGNED: "件（可为负数）", Kind.AMOUNT: "万元"}
    cols = [{"name": col.name, "unit": units[col.cell.kind], "formats": "、".join(str(f) for f in col.formats),
             "note": "总计，报告未填写时由程序计算" if col.cell.total else ""}
            for col in columns([FORMATS[2021], FORMATS[2019]])]
    return render("data.md", DATA_PAGE, title="开放数据", kind="data", downloads=downloads, crumbs=crumbs(("开放数据", None)),
                  identity=list(IDENTITY_DESCRIPTIONS.items()), columns=cols)
