"""Pages of computed data: regions, yearly aggregates, agency comparisons, trends, the data page.

Every number here is computed from the published reports and says so; the statutory tables are
drawn by the same renderer as on report pages, from the same format definition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

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
from .pages import _block, _front_matter, _md_text, region_label
from .tables import format_number, table_html

REGIONS_DIR = "regions"
DATA_PAGE = "data.md"


def region_uri(region: tuple[str, ...]) -> str:
    return f"{REGIONS_DIR}/{agg.region_id(region)}.md"


def aggregate_uri(a: agg.Aggregate) -> str:
    return f"{REGIONS_DIR}/{a.id}.md"


def report_data_url(slug: str, fmt: str, prefix: str = "../") -> str:
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
    """Return the trend section of an agency page (empty below two years)."""
    if len(reports) < 2:
        return ""
    trend = agg.agency_trend(reports)
    return "## 历年变化\n\n" + _block(trend_charts(f"trend-{reports[0].agency_id}", reports[0].agency, trend)) + "\n"


# -- comparison table --------------------------------------------------------------------------------

_COMPARE_HEAD = ("机关", "机关类别", "收到申请", "办结", "予以公开占比", "不予公开", "行政复议", "行政诉讼", "复议诉讼被纠正")


def _num(value: Number) -> str:
    return format_number(value, Kind.COUNT)


def comparison_table(reports: list[Report], link_prefix: str) -> str:
    """Return the agencies of one region and year as a table, sortable by the local script."""
    head = "".join(
        f'<th scope="col" data-sort="{"text" if i < 2 else "number"}">{escape(h)}</th>' for i, h in enumerate(_COMPARE_HEAD)
    )
    rows = []
    for r in sorted(reports, key=lambda r: r.agency):
        k = agg.key_figures(r.numbers(), r.format)
        share = k.disclosed_share
        share_text = f"{share:.1%}" if share is not None else "—"
        share_value = f"{share:.6f}" if share is not None else "-1"
        cells = [
            f'<th scope="row"><a href="{link_prefix}reports/{r.slug}.html">{escape(r.agency)}</a></th>',
            f"<td>{escape(r.kind)}</td>",
            *(f'<td class="nb-num">{_num(v)}</td>' for v in (k.received, k.handled)),
            f'<td class="nb-num" data-value="{share_value}">{share_text}</td>',
            *(f'<td class="nb-num">{_num(v)}</td>' for v in (k.withheld, k.review, k.litigation, k.corrected)),
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="nb-table-wrap" role="region" aria-label="各机关主要数字对比" tabindex="0">'
        '<table class="nb-compare" data-sortable><caption>各机关主要数字对比（点击表头排序）</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def year_aggregates_section(aggregates: list[agg.Aggregate]) -> str:
    """Return the year page's section linking each region's aggregate of that year."""
    if not aggregates:
        return ""
    lines = ["## 各地区汇总", "", "各地区本年度全部报告的表格合计与各机关对比（程序计算）：", ""]
    for a in sorted(aggregates, key=lambda a: a.region):
        indent = "    " * (len(a.region) - 1)
        lines.append(f"{indent}- [{_md_text(a.region[-1])}](../{aggregate_uri(a)})（{len(a.reports)}份报告）")
    return "\n".join(lines)


def report_data_links(slug: str) -> list[tuple[str, str]]:
    """Return the download links of one report's data files."""
    return [(f"数据 {f.upper()}", report_data_url(slug, f)) for f in DATA_FORMATS]


def year_data_links(year: int) -> list[tuple[str, str]]:
    return [(f"全年数据 {f.upper()}", f"../{DATA_DIR}/{year_data_name(year, f)}") for f in DATA_FORMATS]


# -- pages -----------------------------------------------------------------------------------------


def aggregate_page(a: agg.Aggregate) -> str:
    """Return the page of one region's aggregate for one year: the statutory tables, summed."""
    name = region_label(a.region)
    title = f"{name} {a.year}年度汇总"
    lines = _front_matter(title, "aggregate")
    lines += [f"# {_md_text(title)}", ""]
    lines.append(
        _block(
            '<p class="nb-computed"><strong>程序计算的汇总数据</strong>：本页数字由本地区 '
            f"{len(a.reports)} 份{a.year}年度报告的表格逐项相加得出，不是任何机关发布的报告。"
            f'<a href="{agg.region_id(a.region)}.html">查看本地区历年变化</a></p>'
        )
    )
    lines.append("")
    for table in a.format.tables:
        prefix = f"t{'一二三'.index(table.id[1]) + 1}"
        html = table_html(table, a.numbers, {}, prefix, caption=f"{table.id} {table.title}（汇总）")
        html = html.replace("<caption>", f'<caption id="{prefix}-caption">', 1)
        lines += [f"## {TABLE_SECTION[table.id]}", ""]
        lines.append(_block(f'<div class="nb-table-wrap" role="region" aria-labelledby="{prefix}-caption" tabindex="0">\n{html}\n</div>'))
        lines.append("")
    lines += ["## 各机关对比", "", _block(comparison_table(a.reports, "../")), ""]
    lines.append('<script src="../assets/nianbao-sort.js" defer></script>')
    lines.append("")
    return "\n".join(lines)


def region_page(region: tuple[str, ...], aggregates: list[agg.Aggregate], children: list[tuple[str, ...]]) -> str:
    """Return a region's page: trends over the years, links to each year's aggregate and sub-regions."""
    name = region_label(region)
    lines = _front_matter(f"{name} 汇总", "region")
    lines += [f"# {_md_text(name)}", ""]
    lines += ["## 各年度汇总", ""]
    for a in sorted(aggregates, key=lambda a: -a.year):
        lines.append(f"- [{a.year}年度汇总]({a.id}.md)（{len(a.reports)}份报告）")
    lines.append("")
    if children:
        lines += ["## 下级地区", ""]
        lines += [f"- [{_md_text(c[-1])}]({agg.region_id(c)}.md)" for c in children]
        lines.append("")
    lines += ["## 历年变化", "", _block(trend_charts(f"trend-{agg.region_id(region)}", name, agg.region_trend(aggregates), region=True)), ""]
    return "\n".join(lines)


def regions_index(aggregates: list[agg.Aggregate]) -> str:
    """Return the list of regions, nested by level."""
    regions = sorted({a.region for a in aggregates})
    lines = _front_matter("按地区汇总", "regions")
    lines += ["# 按地区汇总", "", "各地区每个年度全部报告表格的逐项合计，以及各机关的主要数字对比和历年变化。", ""]
    for region in regions:
        indent = "    " * (len(region) - 1)
        lines.append(f"{indent}- [{_md_text(region[-1])}]({agg.region_id(region)}.md)")
    lines.append("")
    return "\n".join(lines)


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
    lic = facts.license
    lines = _front_matter("开放数据", "data")
    lines += [
        "# 开放数据",
        "",
        "本站全部报告的全部数字，可以下载为 CSV（UTF-8 带 BOM，Excel 和 WPS 可直接打开）、XLSX 或 JSON 文件。"
        "每份报告的页面上也提供该报告自己的数据。也可以在命令行中用 `nianbao export` 导出。",
        "",
    ]
    facts_html = [f'<dt>许可协议</dt><dd><a href="{escape(lic.url, quote=True)}">{escape(lic.title)}</a>'
                  "（使用时请按协议注明来源）</dd>"]
    if facts.updated:
        facts_html.append(f"<dt>更新日期</dt><dd>{escape(facts.updated)}</dd>")
    facts_html.append(f"<dt>数据来源</dt><dd>本站发布的{len(years)}个年度各机关政府信息公开工作年度报告，数字与报告页面一致</dd>")
    facts_html.append(f'<dt>数据包</dt><dd><a href="{DATA_DIR}/{PACKAGE}">{PACKAGE}</a>（Frictionless Data Package：各 CSV 文件的字段、类型、许可协议和校验值）</dd>')
    lines.append(_block('<dl class="nb-data-facts">' + "".join(facts_html) + "</dl>"))
    lines += ["", "## 下载", ""]
    rows = []
    for f in facts.files:
        path = f"{DATA_DIR}/{f.name}"
        size = facts.size(path)
        kind = f.name.rsplit(".", 1)[-1].upper()
        rows.append(f'<tr><th scope="row">{escape(f.title)}</th><td><a href="{path}" download>{escape(f.name)}</a></td>'
                    f'<td>{kind}</td><td class="nb-num">{escape(size)}</td></tr>')
    lines.append(_block(
        '<div class="nb-table-wrap" role="region" aria-label="数据文件" tabindex="0"><table class="nb-data-files">'
        '<thead><tr><th scope="col">内容</th><th scope="col">文件</th><th scope="col">格式</th><th scope="col">大小</th></tr></thead>'
        "<tbody>" + "".join(rows) + "</tbody></table></div>"
    ))
    lines += [
        "",
        "2021 格式（国办公开办函〔2021〕30号）和 2019 格式（试行格式，2019、2020 年度）的表格不同，宽表按格式分成两个文件；"
        "长表把两种格式的全部数字放在一个文件中。",
        "",
        "## 长表 CSV 的列",
        "",
        "每个数字一行，便于筛选、透视和导入数据库：",
        "",
        "| 列 | 含义 |",
        "|---|---|",
        *(f"| {k} | {_md_text(v)} |" for k, v in LONG_DESCRIPTIONS.items()),
        "",
        "## JSON 的结构",
        "",
        "一个列表，每份报告一项：",
        "",
        "```json",
        '{"机关": "…", "机关代码": "…", "地区": "省/市/区", "机关类别": "…", "年度": 2024, "格式": 2021,',
        f' "表一": {{"第二十条第（一）项{SEP}规章": {{"本年制发件数": 0, "本年废止件数": 0, "现行有效件数": 0}}, …}},',
        f' "表二": {{"三、本年度办理结果{SEP}（三）不予公开{SEP}1.属于国家秘密": {{"自然人": 0, …, "总计": 0}}, …}},',
        f' "表三": {{"行政复议": {{"结果维持": 0, …, "总计": 0}}, "行政诉讼{SEP}未经复议直接起诉": {{…}}, …}}}}',
        "```",
        "",
        f"每张表把“行”的标签路径（报告格式中的原文标签，用“{SEP}”连接；标签本身含有“/”，如“本年增/减”，"
        "所以不用“/”）对应到“列标签 → 数字”。总计均已包含：报告中未填写的总计由程序计算。",
        "",
        "## 宽表 CSV 和 XLSX 的列",
        "",
        "CSV 每份报告一行；XLSX 每张表一个工作表，表头按报告格式合并，文件属性中写明标题、发布机构和许可协议。"
        "CSV 中以 =、+、-、@ 开头的文字前加了英文单引号“'”，以免电子表格软件把它当作公式执行。",
        "",
        "前六列是报告的基本信息：",
        "",
        "| 列 | 含义 |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in IDENTITY_DESCRIPTIONS.items()),
        "",
        f"其余每列是一个表格单元格，列名为“表{SEP}行标签路径{SEP}列标签”，如“表二{SEP}三、本年度办理结果{SEP}（七）总计{SEP}自然人”。"
        "每一列的单位（件或万元）、适用格式和说明见列说明文件：",
        "",
        _block(f'<p><a href="{DATA_DIR}/{DICTIONARY}" download>{DICTIONARY}</a>（CSV）</p>'),
        "",
    ]
    return "\n".join(lines)
