"""The generated pages of the site, as Markdown for MkDocs: reports, years, agencies, search.

Everything an editor wrote goes through text.markdown_html (sanitized); everything else is escaped.
Pages are written with relative links so that the site also works opened from a folder.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

from .dates import chinese_date
from .formats import AGENCY_KINDS, SECTIONS, TABLE_SECTION
from .model import Report
from .tables import table_html
from .text import markdown_html

if TYPE_CHECKING:
    from .pagecache import BodyCache

REPORTS_DIR, YEARS_DIR, AGENCIES_DIR = "reports", "years", "agencies"
SEARCH_PAGE = "search.md"
LATEST_MARKER = "<!-- nianbao:latest -->"
YEARS_MARKER = "<!-- nianbao:years -->"


def report_uri(report: Report) -> str:
    return f"{REPORTS_DIR}/{report.slug}.md"


def agency_uri(agency_id: str) -> str:
    return f"{AGENCIES_DIR}/{agency_id}.md"


def year_uri(year: int) -> str:
    return f"{YEARS_DIR}/{year}.md"


def region_label(region: tuple[str, ...]) -> str:
    return " / ".join(region)


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


def _front_matter(title: str, kind: str, extra: dict[str, str] | None = None) -> list[str]:
    lines = ["---", f"title: {_yaml_str(title)}", f"nianbao: {kind}", "hide:", "  - navigation"]
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {_yaml_str(value)}")
    return lines + ["---", ""]


# What a double-quoted YAML scalar cannot hold as it is: YAML refuses control characters raw and
# folds the line breaks NEL, LS and PS; each is written as an escape instead.
_YAML_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))} | {
    0x22: '\\"', 0x5C: "\\\\", 0x2028: "\\L", 0x2029: "\\P", 0xFEFF: "\\ufeff", 0xFFFE: "\\ufffe", 0xFFFF: "\\uffff",
}


def _yaml_str(text: str) -> str:
    """Return ``text`` as a double-quoted YAML scalar (the front matter MkDocs reads)."""
    return '"' + text.translate(_YAML_ESCAPES) + '"'


# Characters Markdown or its extensions give meaning to: attr_list reads ``{: onclick=…}`` at the end
# of a heading or after an inline element, backticks open code, brackets links, ``|`` table cells.
_MARKDOWN_SPECIAL = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]()#!|~<>\"'"})


def _md_text(text: str) -> str:
    """Escape text for a Markdown line (headings, link texts, list items): every character stays literal."""
    return text.replace("&", "&amp;").translate(_MARKDOWN_SPECIAL)


RAW_START, RAW_END = "<!-- nb:raw -->", "<!-- /nb:raw -->"
RAW_BLOCK = re.compile(re.escape(RAW_START) + r"\n(.*?)\n" + re.escape(RAW_END), re.S)


def _block(html: str) -> str:
    """Return raw HTML that Python-Markdown passes through untouched (no blank lines inside).

    The markers let the plugin lift the block out before Markdown runs and put it back after:
    Python-Markdown's raw-HTML parser took two thirds of page build time on the table markup.
    """
    body = "\n".join(line for line in html.split("\n") if line.strip())
    return f"{RAW_START}\n{body}\n{RAW_END}"


# -- the report page ---------------------------------------------------------------------------


def report_page(
    report: Report, site: SiteIndex, downloads: Iterable[tuple[str, str]] = (), cache: BodyCache | None = None
) -> str:
    """Return the Markdown source of a report's page.

    ``downloads`` are (label, relative URL) pairs such as the PDF and data files; ``cache`` keeps
    the page's body (prose and tables, which depend on the report alone) between builds.
    """
    fmt = report.format
    region = region_label(report.region)
    lines = _front_matter(report.title, "report", {"description": f"{report.agency}{report.year}年政府信息公开工作年度报告"})
    lines.append(f"# {_md_text(report.title)}")
    lines.append("")
    meta = ['<div class="nb-meta">']
    facts = [
        ("机关", f'<a href="../{AGENCIES_DIR}/{report.agency_id}.html">{escape(report.agency)}</a>'),
        ("地区", escape(region)),
        ("机关类别", escape(report.kind)),
        ("报告年度", f'<a href="../{YEARS_DIR}/{report.year}.html">{report.year}年</a>'),
        ("报告日期", escape(chinese_date(report.date)) if report.date else ""),
        ("报告格式", escape(fmt.document)),
    ]
    meta.append('<dl class="nb-facts">')
    meta += [f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts]
    meta.append("</dl>")
    others = [r for r in site.by_agency.get(report.agency_id, []) if r.year != report.year]
    if others:
        links = "、".join(f'<a href="{r.slug}.html">{r.year}年</a>' for r in sorted(others, key=lambda r: -r.year))
        meta.append(f'<p class="nb-years">本机关其他年度报告：{links}</p>')
    meta += _downloads(downloads)
    meta.append("</div>")
    lines += [_block("\n".join(meta)), ""]
    lines.append(cache.body(report, lambda: _report_body(report)) if cache else _report_body(report))
    return "\n".join(lines)


def _report_body(report: Report) -> str:
    """Return the Markdown of a report page below its facts: lead, sections, tables, signature."""
    fmt = report.format
    numbers = report.numbers()
    texts = {k: c.text for k, c in report.cells.items()}
    lines = [_block(f'<div class="nb-lead">\n{markdown_html(report.lead)}\n</div>'), ""]
    tables_after = {section: table_id for table_id, section in TABLE_SECTION.items()}
    for number, heading in enumerate(SECTIONS, start=1):
        lines += [f"## {heading} {{ #section-{number} }}", ""]
        body = report.section(heading)
        if body:
            lines += [_block(f'<div class="nb-section">\n{markdown_html(body)}\n</div>'), ""]
        if heading in tables_after:
            table = fmt.table[tables_after[heading]]
            prefix = f"t{'一二三'.index(table.id[1]) + 1}"
            html = table_html(table, numbers, texts, prefix, caption=f"{table.id} {table.title}")
            wrap = f'<div class="nb-table-wrap" role="region" aria-labelledby="{prefix}-caption" tabindex="0">'
            html = html.replace("<caption>", f'<caption id="{prefix}-caption">', 1)
            lines += [_block(f"{wrap}\n{html}\n</div>"), ""]
    signature = [f"<p>{escape(report.signature)}</p>"]
    if report.date:
        signature.append(f"<p>{escape(chinese_date(report.date))}</p>")
    lines += [_block('<div class="nb-signature">\n' + "\n".join(signature) + "\n</div>"), ""]
    return "\n".join(lines)


# -- index pages -------------------------------------------------------------------------------


def _grouped(reports: list[Report]) -> dict[tuple[str, ...], dict[str, list[Report]]]:
    groups: dict[tuple[str, ...], dict[str, list[Report]]] = {}
    for r in sorted(reports, key=lambda r: (r.region, _kind_order(r.kind), r.agency)):
        groups.setdefault(r.region, {}).setdefault(r.kind, []).append(r)
    return groups


def _downloads(downloads: Iterable[tuple[str, str]]) -> list[str]:
    """Return the 下载 line of (label, URL) links, or nothing when there are none."""
    items = [f'<a class="nb-download" href="{escape(url)}" download>{escape(label)}</a>' for label, url in downloads]
    return [f'<p class="nb-downloads">下载：{" ".join(items)}</p>'] if items else []


def _grouped_list(reports: list[Report], item: Callable[[Report], str]) -> list[str]:
    """Return Markdown sections by region, then agency kind, one ``item`` line per report."""
    lines: list[str] = []
    for region, kinds in _grouped(reports).items():
        lines += [f"## {_md_text(region_label(region))}", ""]
        for kind, items in kinds.items():
            lines += [f"### {_md_text(kind)}", "", *(item(r) for r in items), ""]
    return lines


def year_page(year: int, reports: list[Report], downloads: Iterable[tuple[str, str]] = (), extra: str = "") -> str:
    """Return the page of one year: every report, grouped by region and agency kind.

    ``downloads`` are (label, relative URL) pairs such as the year's PDF bundles; ``extra`` is
    Markdown appended at the end (links to the year's regional aggregates).
    """
    title = f"{year}年度政府信息公开工作年度报告"
    lines = _front_matter(title, "year")
    lines += [f"# {title}", "", f"共{len(reports)}份报告，按地区和机关类别排列。", ""]
    links = _downloads(downloads)
    if links:
        lines += [_block(links[0]), ""]
    lines += _grouped_list(reports, lambda r: f"- [{_md_text(r.agency)}](../{report_uri(r)})")
    if extra:
        lines += [extra, ""]
    return "\n".join(lines)


def years_index(site: SiteIndex) -> str:
    lines = _front_matter("按年度浏览", "years")
    lines += ["# 按年度浏览", "", years_list(site, prefix=""), ""]
    return "\n".join(lines)


def years_list(site: SiteIndex, prefix: str = "years/") -> str:
    """Return a Markdown list of the years with their report counts, newest first."""
    return "\n".join(f"- [{y}年度]({prefix}{y}.md)（{len(rs)}份报告）" for y, rs in site.by_year.items())


def agency_page(agency_id: str, reports: list[Report], extra: str = "") -> str:
    """Return the page of one agency: its reports of every year, newest first, then ``extra``."""
    latest = max(reports, key=lambda r: r.year)
    title = latest.agency
    lines = _front_matter(title, "agency")
    lines += [f"# {_md_text(title)}", ""]
    lines += [f"地区：{_md_text(region_label(latest.region))}　机关类别：{_md_text(latest.kind)}", ""]
    lines += ["## 历年报告", ""]
    for r in sorted(reports, key=lambda r: -r.year):
        date = f"（{chinese_date(r.date)}）" if r.date else ""
        lines.append(f"- [{_md_text(r.title)}](../{report_uri(r)}){date}")
    lines.append("")
    if extra:
        lines += [extra, ""]
    return "\n".join(lines)


def agencies_index(site: SiteIndex) -> str:
    """Return the list of all agencies, grouped by region and kind."""
    latest = [max(rs, key=lambda r: r.year) for rs in site.by_agency.values()]
    lines = _front_matter("按机关浏览", "agencies")
    lines += ["# 按机关浏览", "", f"共{len(latest)}个机关。", ""]
    lines += _grouped_list(
        latest, lambda r: f"- [{_md_text(r.agency)}]({r.agency_id}.md)（{len(site.by_agency[r.agency_id])}个年度）"
    )
    return "\n".join(lines)


def latest_list(site: SiteIndex) -> str:
    """Return the home page's list of the latest year's reports."""
    year = site.latest_year
    if year is None:
        return "尚未发布报告。"
    lines = [f"## {year}年度报告", ""]
    for region, kinds in _grouped(site.by_year[year]).items():
        names = "、".join(f"[{_md_text(r.agency)}]({report_uri(r)})" for items in kinds.values() for r in items)
        lines.append(f"- **{_md_text(region_label(region))}**：{names}")
    lines += ["", f"[查看{year}年度全部报告]({year_uri(year)})", ""]
    return "\n".join(lines)


def search_page(shards: Sequence[Mapping[str, str]] = (), own_index: bool = True) -> str:
    """Return the search page: a form that works with Pagefind's index, with a no-script fallback.

    ``shards`` are other sites ({"bundle": URL of their pagefind/, "base": their URL}) whose
    indexes are merged into this one; a portal without reports of its own searches the first.
    """
    lines = _front_matter("搜索", "search")
    lines += ["# 搜索报告", ""]
    merged = list(shards)
    if own_index or not merged:
        where = 'data-bundle="pagefind/"'
    else:
        first = merged.pop(0)
        where = f'data-bundle="{escape(first["bundle"])}" data-base="{escape(first["base"])}"'
    if merged:
        where += f' data-shards="{escape(json.dumps(merged, ensure_ascii=False))}"'
    form = f"""<div class="nb-search" id="nb-search" {where}>
<form class="nb-search__form" role="search" action="search.html" method="get">
<label for="nb-q">搜索词</label>
<input id="nb-q" name="q" type="search" autocomplete="off" placeholder="如：行政复议、依申请公开">
<button type="submit">搜索</button>
<details class="nb-search__filters" id="nb-filters"><summary>筛选：年度、地区、机关类别、机关</summary><div>
<label for="nb-f-年度">年度</label><select id="nb-f-年度" data-filter="年度"><option value="">全部</option></select>
<label for="nb-f-地区">地区</label><select id="nb-f-地区" data-filter="地区"><option value="">全部</option></select>
<label for="nb-f-机关类别">机关类别</label><select id="nb-f-机关类别" data-filter="机关类别"><option value="">全部</option></select>
<label for="nb-f-机关">机关</label><select id="nb-f-机关" data-filter="机关"><option value="">全部</option></select>
</div></details>
</form>
<p class="nb-search__status" id="nb-status" role="status" aria-live="polite"></p>
<ol class="nb-search__results" id="nb-results"></ol>
<noscript><p>搜索需要启用浏览器的 JavaScript。也可以<a href="years/index.html">按年度</a>或<a href="agencies/index.html">按机关</a>浏览全部报告。</p></noscript>
</div>
<script src="assets/nianbao-search.js" defer></script>"""
    lines += [_block(form), ""]
    return "\n".join(lines)


def findings_page(findings: list) -> str:  # type: ignore[type-arg]
    """Return the preview page that lists validation findings (``mkdocs serve`` only)."""
    lines = _front_matter("校验结果", "check")
    lines += ["# 校验结果", "", "以下报告有错误，预览中暂不显示。修改并保存文件后，页面会自动刷新。", ""]
    lines.append(_block("<ul class=\"nb-findings\">" + "".join(
        f"<li><code>{escape(f.file)}:{f.line}:{f.column}</code> {escape(f.severity.chinese)} "
        f"<strong>{escape(f.rule)}</strong> {escape(f.message)}</li>" for f in findings) + "</ul>"))
    return "\n".join(lines) + "\n"
