"""Benchmark the report PDFs: Typst (one reused compiler per process) against WeasyPrint.

Renders N copies of the reports in reports/ (default 200) with nianbao's Typst renderer, once in
one process and once with worker processes, then, in the same run, renders the same reports'
HTML pages (the report page's Markdown as MkDocs turns it into HTML, with the site's stylesheet)
with WeasyPrint. The ratio compares one core with one core. WeasyPrint takes about half a second
per report, so by default it renders the first 40 of the same reports; --weasyprint-count N
renders more. Target (issue 4): Typst at least 10 times faster.

    .venv/bin/pip install -e '.[bench]'   # WeasyPrint; needs libpango-1.0-0 and libpangoft2-1.0-0
    .venv/bin/python bench/pdf_bench.py [N] [--weasyprint-count K] [--jobs J]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pages  # noqa: E402
from generator.model import Report  # noqa: E402
from generator.pdf import PdfSettings, find_fonts, render_reports  # noqa: E402
from generator.validate import validate  # noqa: E402

PAGE_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.8; }
h1 { font-size: 22pt; text-align: center; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; }
table.nb-table { border-collapse: collapse; font-size: 10.5pt; width: 100%; }
table.nb-table th, table.nb-table td { border: 0.5pt solid black; padding: 2pt 3pt; }
thead { display: table-header-group; }
"""


def copies(n: int) -> tuple[list[Report], pages.SiteIndex]:
    """Return ``n`` reports: the reports of reports/ again and again, each under a new agency id."""
    result = validate([ROOT / "reports"])
    assert result.ok, "reports/ must validate"
    sources = result.valid_reports()
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        out.append(dataclasses.replace(src, agency_id=f"{src.agency_id}-c{i}", agency=f"{src.agency}（{i}）", _numbers=None))
    return out, pages.SiteIndex(out)


def report_html(report: Report, site: pages.SiteIndex, css: str) -> str:
    """Return the report page as HTML, as MkDocs renders its Markdown, with the site's stylesheet."""
    source = pages.report_page(report, site).split("---\n", 2)[2]  # drop the front matter
    body = markdown.markdown(source, extensions=["attr_list", "tables", "toc"])
    return f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}{PAGE_CSS}</style></head><body>{body}</body></html>'


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--weasyprint-count", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    reports, site = copies(args.n)
    fonts = find_fonts()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-pdf-bench-"))
    try:
        t_one, out = timed(lambda: render_reports(reports, PdfSettings(tmp / "one", fonts, jobs=1)))
        t_par, _ = timed(lambda: render_reports(reports, PdfSettings(tmp / "par", fonts, jobs=args.jobs)))
        t_cached, again = timed(lambda: render_reports(reports, PdfSettings(tmp / "one", fonts, jobs=1)))
        assert all(p.cached for p in again.values())
        sizes = [p.size for p in out.values()]

        from weasyprint import HTML  # imported late: only the benchmark needs it

        css = (ROOT / "generator" / "theme" / "assets" / "nianbao.css").read_text(encoding="utf-8")
        sample = reports[: max(1, min(args.weasyprint_count, args.n))]
        htmls = [report_html(r, site, css) for r in sample]
        HTML(string=htmls[0]).write_pdf()  # warm-up: font configuration is loaded once
        t_weasy, _ = timed(lambda: [HTML(string=h).write_pdf() for h in htmls])

        typst_each = t_one / args.n
        weasy_each = t_weasy / len(sample)
        figures = {
            "reports": args.n,
            "cpus": os.cpu_count(),
            "typst_one_process_s": round(t_one, 2),
            "typst_per_pdf_s": round(typst_each, 4),
            f"typst_{args.jobs}_workers_s": round(t_par, 2),
            f"typst_{args.jobs}_workers_per_pdf_s": round(t_par / args.n, 4),
            "typst_all_cached_s": round(t_cached, 2),
            "mean_pdf_kb": round(sum(sizes) / len(sizes) / 1024),
            "weasyprint_reports": len(sample),
            "weasyprint_per_pdf_s": round(weasy_each, 4),
            "ratio_weasyprint_vs_typst": round(weasy_each / typst_each, 1),
            "target_ratio": 10,
            "target_met": weasy_each / typst_each >= 10,
        }
        width = max(map(len, figures))
        for key, value in figures.items():
            print(f"{key:<{width}}  {value}")
        print(json.dumps(figures))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
