"""Charts drawn at build time as inline SVG: no chart library, nothing fetched, readable without it.

Each chart is a stacked bar per year with a title and description for assistive technology, and
the same numbers beside it as an HTML table, so the data is there for screen readers, printing
and anyone whose browser shows no SVG.
"""

from __future__ import annotations

import math
from html import escape

# Okabe–Ito: distinguishable with the common colour-vision deficiencies; dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 80


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return float(top)
    return float(10 ** (exponent + 1))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def stacked_bars(chart_id: str, title: str, description: str, categories: list[str], series: dict[str, list[float]]) -> str:
    """Return a figure: an SVG stacked bar chart of ``series`` over ``categories``, and its data table."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar = min(56.0, slot * 0.6)
    out = [
        f'<svg class="nb-chart__svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for i in range(5):  # gridlines and y-axis ticks
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        out.append(f'<line class="nb-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="nb-chart__tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    for i, category in enumerate(categories):
        x = LEFT + slot * i + (slot - bar) / 2
        base = float(TOP + plot_h)
        for (name, values), colour in zip(series.items(), PALETTE, strict=False):
            v = values[i]
            if v <= 0:
                continue
            h = plot_h * v / top
            base -= h
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(category)} {escape(name)}：{_fmt(v)}</title></rect>"
            )
        out.append(f'<text class="nb-chart__total" x="{x + bar / 2:.1f}" y="{base - 5:.1f}" text-anchor="middle">{_fmt(totals[i])}</text>')
        out.append(f'<text class="nb-chart__tick" x="{x + bar / 2:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{escape(category)}</text>')
    # legend, in rows of up to four entries
    for j, (name, colour) in enumerate(zip(series, PALETTE, strict=False)):
        lx = LEFT + (j % 4) * (plot_w / 4)
        ly = HEIGHT - BOTTOM + 40 + (j // 4) * 18
        out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text class="nb-chart__legend" x="{lx + 17:.1f}" y="{ly}">{escape(name)}</text>')
    out.append("</svg>")
    table = [f'<table class="nb-chart__data"><caption>{escape(title)}（数据）</caption><thead><tr><th scope="col">年度</th>']
    table += [f'<th scope="col">{escape(name)}</th>' for name in series]
    table.append('<th scope="col">合计</th></tr></thead><tbody>')
    for i, category in enumerate(categories):
        cells = "".join(f'<td class="nb-num">{_fmt(values[i])}</td>' for values in series.values())
        table.append(f'<tr><th scope="row">{escape(category)}</th>{cells}<td class="nb-num">{_fmt(totals[i])}</td></tr>')
    table.append("</tbody></table>")
    return (
        f'<figure class="nb-chart" id="{chart_id}">\n' + "\n".join(out) + "\n"
        f"<figcaption>{escape(title)}</figcaption>\n" + "".join(table) + "\n</figure>"
    )
