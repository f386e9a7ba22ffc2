"""Trend charts that cannot mislead: like compared with like, gaps shown, whole-number ticks, title above."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator import aggregate as agg
from generator import datapages
from generator.charts import Category, stacked_bars, ticks
from generator.formats import FORMATS
from generator.model import Report
from generator.validate import validate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base() -> Report:
    result = validate([ROOT / "reports" / "shili" / "shili-qu-renmin-zhengfu-2024.yaml"])
    assert result.ok
    return result.valid_reports()[0]


def _as(report: Report, agency_id: str, year: int) -> Report:
    return dataclasses.replace(report, agency_id=agency_id, agency=f"机关{agency_id}", year=year)


def _received(trend: agg.Trend) -> list[float | None]:
    return [
        None if y.numbers is None else y.value(agg.key_figures(y.numbers, FORMATS[y.format_id]).received, trend.per_report)
        for y in trend.years
    ]


@pytest.mark.parametrize("top", [1, 3, 7, 10, 62, 122, 229, 1001, 123456])
def test_count_ticks_are_whole_numbers_from_zero_past_the_top(top: int) -> None:
    axis = ticks(top, integer=True)
    assert axis[0] == 0 and axis[-1] >= top and len(axis) <= 6
    assert all(float(t).is_integer() for t in axis), axis
    steps = {round(b - a, 6) for a, b in zip(axis, axis[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() >= 1


def test_mean_ticks_may_be_fractional() -> None:
    assert ticks(1.6, integer=False) == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert ticks(1.6, integer=True) == [0.0, 1.0, 2.0]


def test_region_trend_compares_the_same_agencies_and_keeps_missing_years(base: Report) -> None:
    # The region: one report in 2020, one in 2023, three in 2024; only agency a reports every year.
    reports = [_as(base, "a", 2020), _as(base, "a", 2023), _as(base, "a", 2024), _as(base, "b", 2024), _as(base, "c", 2024)]
    aggs = [a for a in agg.aggregates(reports) if a.region == base.region]
    trend = agg.region_trend(aggs)
    assert [y.year for y in trend.years] == [2020, 2021, 2022, 2023, 2024]
    assert [(y.counted, y.published) for y in trend.years] == [(1, 1), (0, 0), (0, 0), (1, 1), (1, 3)]
    assert trend.agencies == ("机关a",) and not trend.per_report
    one = agg.key_figures(base.numbers(), base.format).received
    assert _received(trend) == [one, None, None, one, one]  # flat: the same agency, the same numbers

    html = datapages.trend_charts("t", "示例区", trend, region=True)
    assert html.count("无报告") >= 4  # 2021 and 2022, in the chart and in the table, for both charts
    assert "1/3份报告" in html and "其他机关的2份报告未计入" in html
    assert [m for m in re.findall(r">(\d{4})年<", html)][:5] == ["2020", "2021", "2022", "2023", "2024"]


def test_region_trend_without_a_constant_agency_shows_the_mean_per_report(base: Report) -> None:
    reports = [_as(base, "a", 2023), _as(base, "b", 2024), _as(base, "c", 2024)]
    trend = agg.region_trend([a for a in agg.aggregates(reports) if a.region == base.region])
    assert trend.per_report and trend.agencies == ()
    one = float(agg.key_figures(base.numbers(), base.format).received)
    assert _received(trend) == [one, one]  # three reports of the same numbers: the mean does not grow
    html = datapages.trend_charts("t", "示例区", trend, region=True)
    assert "平均每份报告" in html and "2份报告" in html


def test_agency_trend_leaves_a_gap_for_a_year_without_report(base: Report) -> None:
    trend = agg.agency_trend([_as(base, "a", 2021), _as(base, "a", 2024)])
    assert [(y.year, y.numbers is None) for y in trend.years] == [(2021, False), (2022, True), (2023, True), (2024, False)]


class _Outline(HTMLParser):
    """Record the element path of the figure's children and every y tick label."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.children: list[str] = []
        self.ticks: list[str] = []
        self._tick = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stack == ["figure"]:
            self.children.append(tag + "." + (dict(attrs).get("class") or ""))
        self.stack.append(tag)
        self._tick = tag == "text" and dict(attrs).get("text-anchor") == "end"

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()
        self._tick = False

    def handle_data(self, data: str) -> None:
        if self._tick:
            self.ticks.append(data)


def test_figure_has_title_above_and_the_data_table_beside_the_chart() -> None:
    html = stacked_bars(
        "c", "历年新收申请", "说明", [Category("2023年"), Category("2024年", present=False)],
        {"自然人": [122.0, None], "法人": [107.0, None]}, note="同样的机关",
    )
    outline = _Outline()
    outline.feed(html)
    assert outline.children == ["figcaption.", "div.nb-chart__body"]
    assert re.search(r'<div class="nb-chart__body">\n<svg.*</svg>\n<div class="nb-chart__table"><table', html, re.S)
    assert all(t.isdigit() for t in outline.ticks) and outline.ticks[-1] == "250"
    # years across (as on the x-axis), the gap one cell down its whole column
    assert '<th scope="col">2023年</th><th scope="col">2024年</th>' in html
    assert '<tr><th scope="row">自然人</th><td class="nb-num">122</td><td rowspan="3" class="nb-chart__nodata">无报告</td></tr>' in html
    assert '<tr><th scope="row">合计</th><td class="nb-num">229</td></tr>' in html
