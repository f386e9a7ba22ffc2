"""Charts drawn at build time as inline SVG: no chart library, nothing fetched, readable without it.

Each chart is a stacked bar per year under its title, with a description for assistive technology
and the same numbers beside it as an HTML table, so the data is there for screen readers, printing
and anyone whose browser shows no SVG. A chart never misleads by its drawing: every year of the span
has its slot (a year without data is a labelled gap, not skipped), ticks of counts are whole numbers,
and what each bar counts (how many reports) is printed under it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe–Ito: distinguishable with the common colour-vision deficiencies; dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
WIDTH, HEIGHT = 640, 316
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 24, 96
TICKS = 5  # at most this many steps above zero
NO_DATA = "无报告"


@dataclass(frozen=True)
class Category:
    """One slot of the x-axis: its label, and a note printed under it (what the bar counts)."""

    label: str
    note: str = ""
    present: bool = True  # False: a year without data, drawn as a labelled gap


def ticks(value: float, integer: bool) -> list[float]:
    """Return the axis ticks from 0 to a round top at or above ``value``, at most TICKS steps.

    Steps are 1, 2 or 5 times a power of ten; for counts never below 1, so a tick never reads 62.5.
    """
    if value <= 0:
        return [0.0, 1.0]
    raw = value / TICKS
    exponent = math.floor(math.log10(raw))
    step = 10.0 ** (exponent + 1)
    for mult in (1, 2, 5):
        candidate = mult * 10.0**exponent
        if candidate >= raw:
            step = candidate
            break
    if integer:
        step = max(1.0, float(round(step)))
    steps = math.ceil(value / step - 1e-9)
    return [round(step * i, 10) for i in range(steps + 1)]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def stacked_bars(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[Category],
    series: dict[str, list[float | None]],
    integer: bool = True,
    note: str = "",
) -> str:
    """Return a figure: its title, an SVG stacked bar chart of ``series`` over ``categories`` beside its data table.

    A value of None is a category without data (a gap). ``integer``: the values are counts, so the
    ticks are whole numbers. ``note`` says under the title what the bars compare.
    """
    n = len(categories)
    totals: list[float | None] = []
    for i, cat in enumerate(categories):
        values = [v[i] for v in series.values()]
        totals.append(sum(x for x in values if x is not None) if cat.present else None)
    axis = ticks(max((t for t in totals if t is not None), default=0), integer)
    top = axis[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(n, 1)
    bar = min(56.0, slot * 0.6)
    out = [
        f'<svg class="nb-chart__svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for value in axis:  # gridlines and y-axis ticks
        y = TOP + plot_h - plot_h * value / top
        out.append(f'<line class="nb-chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="nb-chart__tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    baseline = float(TOP + plot_h)
    for i, cat in enumerate(categories):
        x = LEFT + slot * i + (slot - bar) / 2
        middle = x + bar / 2
        total = totals[i]
        if total is None:
            out.append(
                f'<rect class="nb-chart__gap" x="{x:.1f}" y="{TOP}" width="{bar:.1f}" height="{plot_h}"/>'
                f'<text class="nb-chart__nodata" x="{middle:.1f}" y="{baseline - 8:.1f}" text-anchor="middle">{NO_DATA}</text>'
            )
        else:
            base = baseline
            for (name, values), colour in zip(series.items(), PALETTE, strict=False):
                v = values[i]
                if v is None or v <= 0:
                    continue
                h = plot_h * v / top
                base -= h
                out.append(
                    f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(cat.label)} {escape(name)}：{_fmt(v)}</title></rect>"
                )
            out.append(f'<text class="nb-chart__total" x="{middle:.1f}" y="{base - 5:.1f}" text-anchor="middle">{_fmt(total)}</text>')
        out.append(f'<text class="nb-chart__tick" x="{middle:.1f}" y="{baseline + 18}" text-anchor="middle">{escape(cat.label)}</text>')
        if cat.note:
            out.append(f'<text class="nb-chart__note" x="{middle:.1f}" y="{baseline + 34}" text-anchor="middle">{escape(cat.note)}</text>')
    # legend, in rows of up to four entries
    for j, (name, colour) in enumerate(zip(series, PALETTE, strict=False)):
        lx = LEFT + (j % 4) * (plot_w / 4)
        ly = HEIGHT - BOTTOM + 58 + (j // 4) * 18
        out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text class="nb-chart__legend" x="{lx + 17:.1f}" y="{ly}">{escape(name)}</text>')
    out.append("</svg>")
    # Years across, series down: narrow enough to stand beside the chart.
    has_notes = any(c.note for c in categories)
    table = [f'<table class="nb-chart__data"><caption>{escape(title)}（数据）</caption><thead><tr><th scope="col">类型</th>']
    table += [f'<th scope="col">{escape(cat.label)}</th>' for cat in categories]
    table.append("</tr></thead><tbody>")
    rows = [(name, values) for name, values in series.items()] + [("合计", totals)]
    for r, (name, values) in enumerate(rows):
        cells = []
        for i, cat in enumerate(categories):
            if not cat.present:
                if r == 0:  # one cell down the whole column of a year without data
                    span = len(rows) + has_notes
                    cells.append(f'<td rowspan="{span}" class="nb-chart__nodata">{NO_DATA}</td>')
                continue
            v = values[i]
            cells.append(f'<td class="nb-num">{_fmt(v) if v is not None else "—"}</td>')
        table.append(f'<tr><th scope="row">{escape(name)}</th>{"".join(cells)}</tr>')
    if has_notes:
        notes = "".join(f"<td>{escape(cat.note)}</td>" for cat in categories if cat.present)
        table.append(f'<tr><th scope="row">报告数</th>{notes}</tr>')
    table.append("</tbody></table>")
    head = f'<figcaption><span class="nb-chart__title">{escape(title)}</span>'
    if note:
        head += f'<span class="nb-chart__basis">{escape(note)}</span>'
    head += "</figcaption>"
    return (
        f'<figure class="nb-chart" id="{chart_id}">\n{head}\n<div class="nb-chart__body">\n'
        + "\n".join(out)
        + '\n<div class="nb-chart__table">'
        + "".join(table)
        + "</div>\n</div>\n</figure>"
    )
