"""The published site in real headless Chromium: navigation, tables, search, and no outside requests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.formats import SECTIONS
from generator.search import report_text
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SHOTS = os.environ.get("NIANBAO_SCREENSHOTS")  # a folder: save screenshots there for review


def _reports() -> list[Any]:
    return validate([ROOT / "reports"]).valid_reports()


def _searchable(report: Any) -> str:
    return report_text(report)


@pytest.fixture()
def page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    outside: list[str] = []
    pg.on("request", lambda req: outside.append(req.url) if not req.url.startswith(site_url) else None)
    yield pg
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


def _shot(pg: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_home_to_year_to_report_in_three_clicks(page: Any, site_url: str) -> None:
    reports = _reports()
    latest = max(r.year for r in reports)
    target = next(r for r in reports if r.year == latest and r.agency_id.startswith("shili-qu-renmin"))
    page.goto(site_url + "index.html")
    _shot(page, "home")
    page.locator("article").get_by_role("link", name=f"{latest}年度", exact=True).click()  # click 1: the year
    assert page.url.endswith(f"years/{latest}.html")
    assert page.inner_text("h1") == f"{latest}年度政府信息公开工作年度报告"
    _shot(page, "year")
    page.locator("article").get_by_role("link", name=target.agency, exact=True).click()  # click 2: the report
    assert page.url.endswith(f"reports/{target.slug}.html")
    assert page.inner_text("h1") == target.title
    headings = page.locator("article h2").all_inner_texts()
    assert headings == list(SECTIONS)
    _shot(page, "report")


def test_report_tables_in_the_dom(page: Any, site_url: str) -> None:
    report = next(r for r in _reports() if r.slug == "shili-qu-jiaoyuju-2024")
    page.goto(site_url + f"reports/{report.slug}.html")
    t2 = page.locator("table.nb-t2")
    assert t2.locator("td").count() == 175
    assert t2.locator("th", has_text="三、本年度办理结果").evaluate("e => e.rowSpan") == 22
    assert t2.locator("th", has_text="申请人情况").evaluate("e => e.colSpan") == 7
    assert t2.locator("th", has_text="法人或其他组织").evaluate("e => e.colSpan") == 5
    # the 自然人 cell of row 一 is the first data cell of the body
    first = t2.locator("tbody tr").first.locator("td").first
    assert first.inner_text() == str(report.number("表二", "一、本年新收政府信息公开申请数量", "自然人"))
    assert first.evaluate("e => getComputedStyle(e).textAlign") == "center"  # as the statutory template centres them
    t3 = page.locator("table.nb-t3")
    assert t3.locator("td").count() == 15
    assert t3.locator("th", has_text="行政诉讼").evaluate("e => e.colSpan") == 10
    # the rule text of the format sits in the merged top-left cell
    corner = t2.locator("th.nb-corner")
    assert corner.evaluate("e => [e.rowSpan, e.colSpan]") == [3, 3]


def test_tables_scroll_sideways_on_a_phone(browser: Any, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    pg = context.new_page()
    pg.goto(site_url + "reports/shili-qu-jiaoyuju-2024.html")
    wrap = pg.locator(".nb-table-wrap").nth(1)
    sizes = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] > sizes[1], "table 2 should scroll inside its wrapper on a phone"
    body = pg.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert body[0] <= body[1], "the page itself must not scroll sideways"
    if SHOTS:
        pg.screenshot(path=str(Path(SHOTS) / "report-phone.png"), full_page=False)
    context.close()


def _search(page: Any, site_url: str, query: str) -> list[str]:
    page.goto(site_url + f"search.html?q={query}")
    page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)")
    return page.locator("#nb-results .nb-result__title").all_inner_texts()


@pytest.mark.parametrize("query", ["行政复议", "复议", "硚口", "教育"])
def test_chinese_search_finds_the_right_reports(page: Any, site_url: str, query: str) -> None:
    expected = sorted(r.title for r in _reports() if query in _searchable(r))
    assert expected, f"no report contains {query}: pick another query"
    found = _search(page, site_url, query)
    assert sorted(found) == expected
    excerpt = page.locator("#nb-results .nb-result__excerpt").first
    assert query in excerpt.inner_text().replace(" ", "")
    assert excerpt.locator("mark").count() >= 1
    _shot(page, f"search-{query}")


def test_search_filters_by_year(page: Any, site_url: str) -> None:
    reports = _reports()
    _search(page, site_url, "复议")
    page.click("#nb-filters summary")  # the filters' values are fetched when the panel opens
    page.wait_for_selector("#nb-f-年度 option[value='2023']", state="attached")
    page.select_option("#nb-f-年度", "2023")
    page.wait_for_function("() => document.getElementById('nb-status').textContent.startsWith('找到')"
                           " && !document.querySelector('#nb-results li a[href*=\"2024\"]')")
    found = page.locator("#nb-results .nb-result__title").all_inner_texts()
    assert sorted(found) == sorted(r.title for r in reports if r.year == 2023)
    assert "年度=2023" in page.url or "%E5%B9%B4%E5%BA%A6=2023" in page.url


def test_a_first_search_fetches_no_filter_index_and_no_worker(page: Any, site_url: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda req: fetched.append(req.url))
    assert _search(page, site_url, "复议")
    assert any("/pagefind/index/" in u for u in fetched)
    assert not [u for u in fetched if "/pagefind/filter/" in u or "pagefind-worker" in u]
    page.click("#nb-filters summary")
    page.wait_for_selector("#nb-f-机关类别 option[value='部门']", state="attached")
    assert any("/pagefind/filter/" in u for u in fetched)


def test_filters_in_the_address_open_the_panel_and_apply(page: Any, site_url: str) -> None:
    page.goto(site_url + "search.html?q=复议&年度=2023")
    page.wait_for_function("() => /找到|没有找到/.test(document.getElementById('nb-status').textContent)")
    assert page.locator("#nb-filters").evaluate("d => d.open")
    assert page.locator("#nb-f-年度").input_value() == "2023"
    found = page.locator("#nb-results .nb-result__title").all_inner_texts()
    assert found and sorted(found) == sorted(r.title for r in _reports() if r.year == 2023 and "复议" in _searchable(r))


def test_header_search_box_reaches_the_search_page(page: Any, site_url: str) -> None:
    page.goto(site_url + "reports/qiaokou-rongmeiti-2024.html")
    page.fill("#nb-header-q", "硚口")
    page.press("#nb-header-q", "Enter")
    page.wait_for_function("() => /找到/.test(document.getElementById('nb-status')?.textContent || '')")
    assert page.locator("#nb-results .nb-result__title").all_inner_texts() == ["硚口区融媒体中心2024年政府信息公开工作年度报告"]


def _first_aggregate(built_site: Path) -> str:
    page = "示例省/示例市/示例区/2024.html"  # three agencies in 2024 (readable addresses, addresses.py)
    assert (built_site / "regions" / page).is_file()
    return page


def test_comparison_table_sorts_in_the_page(page: Any, site_url: str, built_site: Path) -> None:
    page.goto(site_url + "regions/" + _first_aggregate(built_site))
    table = page.locator("table.nb-compare")
    assert "程序计算的汇总数据" in page.inner_text(".nb-computed")
    def column(i: int) -> list[float]:
        return [float(t) for t in table.locator(f"tbody tr td:nth-child({i})").all_inner_texts()]
    received = column(3)
    assert len(received) >= 2
    table.locator("thead th").nth(2).locator("button").click()
    assert column(3) == sorted(received)
    assert table.locator("thead th").nth(2).get_attribute("aria-sort") == "ascending"
    table.locator("thead th").nth(2).locator("button").click()
    assert column(3) == sorted(received, reverse=True)
    assert table.locator("thead th").nth(2).get_attribute("aria-sort") == "descending"


def test_comparison_table_readable_without_scripts(browser: Any, site_url: str, built_site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(site_url + "regions/" + _first_aggregate(built_site))
    rows = pg.locator("table.nb-compare tbody tr")
    assert rows.count() >= 2
    assert pg.locator("table.nb-compare thead th button").count() == 0  # plain headers
    assert pg.locator("table.nb-t2 td").count() == 175
    context.close()


def test_trend_charts_are_drawn_with_text_alternatives(page: Any, site_url: str) -> None:
    page.goto(site_url + "agencies/shili-qu-renmin-zhengfu.html")
    charts = page.locator("figure.nb-chart")
    assert charts.count() == 2
    svg = charts.first.locator("svg")
    assert svg.get_attribute("role") == "img"
    labelled = svg.get_attribute("aria-labelledby") or ""
    title_id, desc_id = labelled.split()
    assert "历年新收申请" in (page.locator(f"#{title_id}").text_content() or "")
    assert "2023年158件" in (page.locator(f"#{desc_id}").text_content() or "")
    box = svg.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 150, box
    bars = svg.locator("rect[fill]")
    assert bars.count() > 4
    data = charts.first.locator("table.nb-chart__data")
    assert data.locator("thead th").all_inner_texts() == ["类型", "2023年", "2024年"]
    assert data.locator("tbody tr").first.locator("th").inner_text() == "自然人"
    assert data.locator("tbody tr").last.all_inner_texts()[0].split()[:3] == ["合计", "158", "176"]
    _shot(page, "agency")


def test_region_trend_shows_gaps_report_counts_and_the_table_beside(page: Any, site_url: str) -> None:
    from generator.datapages import region_uri

    page.goto(site_url + region_uri(("示例省", "示例市", "示例区")).removesuffix(".md") + ".html")
    chart = page.locator("figure.nb-chart").first
    svg, caption, table = chart.locator("svg"), chart.locator("figcaption"), chart.locator("table.nb-chart__data")
    # 2020, 2023 and 2024 have reports: 2021 and 2022 keep their slots, marked
    labels = svg.locator("text.nb-chart__tick[text-anchor=middle]").all_text_contents()
    assert labels == ["2020年", "2021年", "2022年", "2023年", "2024年"]
    assert svg.locator("text.nb-chart__nodata").all_text_contents() == ["无报告", "无报告"]
    assert "3份报告" in svg.locator("text.nb-chart__note").all_text_contents()
    assert "平均每份报告" in caption.inner_text()  # no agency reports every year: the mean, said so
    c, s, t = caption.bounding_box(), svg.bounding_box(), table.bounding_box()
    assert c and s and t
    assert c["y"] + c["height"] <= s["y"] + 1  # the title above the chart
    assert t["x"] >= s["x"] + s["width"] - 1 and t["y"] < s["y"] + s["height"]  # the table beside it
    _shot(page, "region-trend")


def test_downloads_on_report_page(page: Any, site_url: str) -> None:
    page.goto(site_url + "reports/qiaokou-rongmeiti-2024.html")
    links = page.locator(".nb-downloads a")
    labels = links.all_inner_texts()
    assert labels[0].startswith("PDF（") and labels[1:] == ["数据 CSV", "数据 XLSX", "数据 JSON"]
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        assert href
        response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
        assert response.ok and len(response.body()) > 500, href
