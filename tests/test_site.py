"""The generated pages: golden files, the statutory table structure, and safe publishing."""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator import pages
from generator.build import BuildError, build_site
from generator.formats import FORMATS
from generator.tables import table_html
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("NIANBAO_UPDATE_GOLDEN") == "1"


def _site() -> pages.SiteIndex:
    result = validate([ROOT / "reports"])
    assert result.ok
    return pages.SiteIndex(result.valid_reports())


def _golden_pages() -> dict[str, str]:
    site = _site()
    out = {f"{r.slug}.md": pages.report_page(r, site) for r in site.reports}
    for year, reports in site.by_year.items():
        out[f"year-{year}.md"] = pages.year_page(year, reports)
    out["agencies.md"] = pages.agencies_index(site)
    return out


def test_golden_pages() -> None:
    """Rendered page sources equal tests/golden/ (NIANBAO_UPDATE_GOLDEN=1 ./dev test tests/test_site.py rewrites them)."""
    rendered = _golden_pages()
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        GOLDEN.mkdir()
        for name, text in rendered.items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
    expected = {p.name: p.read_text(encoding="utf-8") for p in GOLDEN.glob("*.md")}
    assert sorted(expected) == sorted(rendered), "golden files differ in number: regenerate them"
    for name, text in rendered.items():
        assert text == expected[name], f"{name} differs from its golden file: review the diff, then regenerate"


class _Cells(HTMLParser):
    """Collect table cells as (tag, text, attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, dict[str, str]]] = []
        self._open: tuple[str, dict[str, str]] | None = None
        self._text: list[str] = []
        self.rows = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows += 1
        if tag in ("th", "td"):
            self._open = (tag, {k: v or "" for k, v in attrs})
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[0]:
            self.cells.append((tag, "".join(self._text), self._open[1]))
            self._open = None

    def find(self, text: str) -> dict[str, str]:
        return next(a for t, x, a in self.cells if x == text)


def _parse(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    return p


def _grid_width(html: str) -> set[int]:
    """Return the set of row widths after applying colspans and rowspans (one value when rectangular)."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan
    widths = set()
    for row in rows:
        col = 0
        occupied = {c for c, n in pending.items() if n > 0}
        for cell in re.finditer(r"<t[hd]([^>]*)>", row):
            while col in occupied:
                col += 1
            attrs = cell[1]
            cs = int(m[1]) if (m := re.search(r'colspan="(\d+)"', attrs)) else 1
            rs = int(m[1]) if (m := re.search(r'rowspan="(\d+)"', attrs)) else 1
            for c in range(col, col + cs):
                if rs > 1:
                    pending[c] = rs
            col += cs
        width = max(col, max(occupied, default=-1) + 1)
        widths.add(width)
        pending = {c: n - 1 for c, n in pending.items() if n - 1 > 0 or c not in occupied}
        pending = {c: n for c, n in pending.items() if n > 0}
    return widths


@pytest.mark.parametrize("fmt", [2021, 2019])
def test_table2_merged_cells_follow_the_format(fmt: int) -> None:
    table = FORMATS[fmt].table["表二"]
    html = table_html(table, {}, {}, "t2")
    cells = _parse(html)
    assert cells.find("申请人情况")["colspan"] == "7"
    assert cells.find("法人或其他组织")["colspan"] == "5"
    assert cells.find("自然人")["rowspan"] == "2"
    corner = cells.find("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
    assert (corner["colspan"], corner["rowspan"]) == ("3", "3")
    assert cells.find("三、本年度办理结果")["rowspan"] == ("22" if fmt == 2021 else "20")
    assert cells.find("（三）不予公开")["rowspan"] == "8"
    assert cells.find("一、本年新收政府信息公开申请数量")["colspan"] == "3"
    assert cells.find("（七）总计")["colspan"] == "2"
    data = [a for t, _, a in cells.cells if t == "td"]
    assert len(data) == (25 if fmt == 2021 else 23) * 7
    assert cells.rows == 3 + (25 if fmt == 2021 else 23)
    assert _grid_width(html) == {10}
    for t, _, a in cells.cells:
        if t == "th" and a.get("class") not in ("nb-corner",):
            assert a.get("scope"), a


def test_table3_header_has_three_levels() -> None:
    html = table_html(FORMATS[2021].table["表三"], {}, {}, "t3")
    cells = _parse(html)
    assert cells.find("行政复议")["colspan"] == "5"
    assert cells.find("行政诉讼")["colspan"] == "10"
    assert cells.find("未经复议直接起诉")["colspan"] == "5"
    assert cells.find("结果维持")["rowspan"] == "2"  # the 行政复议 one comes first
    assert len([1 for t, _, _ in cells.cells if t == "td"]) == 15
    assert _grid_width(html) == {15}


def test_table1_single_column_blocks_span_the_width() -> None:
    html = table_html(FORMATS[2021].table["表一"], {}, {}, "t1")
    cells = _parse(html)
    assert cells.find("第二十条第（一）项")["colspan"] == "4"
    assert cells.find("本年收费金额（单位：万元）")["colspan"] == "3"
    assert len([1 for t, _, _ in cells.cells if t == "td"]) == 10
    assert _grid_width(html) == {4}


def test_data_cells_name_their_headers() -> None:
    html = table_html(FORMATS[2021].table["表二"], {}, {}, "t2")
    cells = _parse(html)
    ids = {a["id"]: x for t, x, a in cells.cells if t == "th"}
    first = next(a for t, _, a in cells.cells if t == "td")
    names = [ids[h] for h in first["headers"].split()]
    assert names == ["一、本年新收政府信息公开申请数量", "申请人情况", "自然人"]


def test_report_page_shows_numbers_and_derived_totals() -> None:
    site = _site()
    report = next(r for r in site.reports if r.slug == "shili-qu-renmin-zhengfu-2024")
    html = pages.report_page(report, site)
    total = report.number("表二", "一、本年新收政府信息公开申请数量", "总计")
    assert total and ("表二", "一、本年新收政府信息公开申请数量", "总计") not in report.cells
    assert re.search(rf'<td class="nb-num nb-total" headers="[^"]+">{total}</td>', html)
    assert "本机关其他年度报告" in html and "shili-qu-renmin-zhengfu-2023.html" in html


def test_editor_html_is_sanitized(tmp_path: Path) -> None:
    text = (ROOT / "reports" / "qiaokou-rongmeiti-2024.yaml").read_text(encoding="utf-8")
    text = text.replace("  2024年，区融媒体中心在区委区政府", '  <script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>2024年，区融媒体中心在区委区政府', 1)
    (tmp_path / "qiaokou-rongmeiti-2024.yaml").write_text(text, encoding="utf-8")
    result = validate([tmp_path])
    site = pages.SiteIndex(result.valid_reports())
    html = pages.report_page(site.reports[0], site)
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "2024年，区融媒体中心在区委区政府" in html


def test_failed_build_leaves_published_site_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "site_overrides", project / "site_overrides")
    shutil.copytree(ROOT / "reports", project / "reports")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("published", encoding="utf-8")
    bad = project / "reports" / "qiaokou-rongmeiti-2024.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("    规章: {本年制发件数: 0", "    规章: {本年制发件数: -1", 1), encoding="utf-8")
    monkeypatch.chdir(project)
    with pytest.raises(BuildError, match="网站未生成"):
        build_site(project / "mkdocs.yml")
    assert (site / "index.html").read_text(encoding="utf-8") == "published"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".site")) == []


def test_build_publishes_every_page(built_site: Path) -> None:
    site = _site()
    for report in site.reports:
        assert (built_site / "reports" / f"{report.slug}.html").exists()
    for year in site.years:
        assert (built_site / "years" / f"{year}.html").exists()
    for agency in site.by_agency:
        assert (built_site / "agencies" / f"{agency}.html").exists()
    assert (built_site / "pagefind" / "pagefind.js").exists()
    leftovers = [p for p in built_site.parent.glob(".site.*") if p.name != ".site.lock"]  # the lock file stays, unlocked
    assert not leftovers, "staging directories left behind"


def test_no_external_resources(built_site: Path) -> None:
    """Nothing in the site points outside it: no CDN, fonts, analytics (links in prose aside)."""
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)="([^"]+)"', html):
            url = m[1]
            assert not re.match(r"^(https?:)?//", url), f"{page.relative_to(built_site)} loads {url}"
    for css in built_site.rglob("*.css"):
        assert "fonts.googleapis" not in css.read_text(encoding="utf-8", errors="replace")


def test_report_page_weight(built_site: Path) -> None:
    sizes = [p.stat().st_size for p in (built_site / "reports").glob("*.html")]
    assert sizes and max(sizes) < 100_000, f"report page too heavy: {max(sizes)} bytes"
