"""Benchmark the yearly bundles: what continuous page numbers cost over plain merging.

Renders N copies of the reports in reports/ (default 200; cached in a temporary directory), then
merges their bundles twice in the same run: as the build does (each report's footer replaced by the
bundle's page number, blank pages before even starts) and with the renumbering switched off (the
reports appended as they are, as before issue 16). Prints seconds per bundle page and the ratio.

    .venv/bin/python bench/bundle_bench.py [N] [--repeat R]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pikepdf  # noqa: E402
from pdf_bench import copies  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from generator.pdf import PdfSettings, bundle, find_fonts, render_reports  # noqa: E402


def merge_all(jobs: list[bundle.BundleJob]) -> tuple[float, int]:
    """Merge every bundle (nothing cached); return seconds and pages."""
    start, pages = time.perf_counter(), 0
    for job in jobs:
        pages += len(PdfReader(io.BytesIO(bundle._merge(job))).pages)  # noqa: SLF001
    return time.perf_counter() - start, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    reports, site = copies(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        settings = PdfSettings(Path(tmp), find_fonts(), jobs=1)
        rendered = render_reports(reports, settings)
        jobs = bundle.bundle_jobs(site, {s: p.path for s, p in rendered.items()}, settings, "示例")
        merge_all(jobs)  # warm the cover compiler and the file cache
        renumbered = min(merge_all(jobs) for _ in range(args.repeat))

        original = bundle._layout, bundle._renumber, bundle._folio_pages, bundle._folio_form  # noqa: SLF001

        def plain_layout(front: int, counts: list[int]) -> tuple[list[int], list[int]]:
            starts, page = [], front + 1
            for count in counts:
                starts.append(page)
                page += count
            return starts, [0] * front + list(range(front + 1, page))  # no blank pages

        def keep(pdf: Any, page: Any, folio: Any) -> None:
            pass

        def no_folios(compiler: Any, data: Any, numbers: list[int], stamp: Any) -> bytes:
            return empty

        def no_form(pdf: Any, numbers: Any, index: int) -> None:
            return None

        empty_pdf = pikepdf.new()
        empty_pdf.add_blank_page()
        empty = io.BytesIO()
        empty_pdf.save(empty)
        empty = empty.getvalue()

        bundle._layout, bundle._renumber, bundle._folio_pages, bundle._folio_form = plain_layout, keep, no_folios, no_form  # type: ignore[assignment]  # noqa: SLF001
        try:
            plain = min(merge_all(jobs) for _ in range(args.repeat))
        finally:
            bundle._layout, bundle._renumber, bundle._folio_pages, bundle._folio_form = original  # noqa: SLF001
    print(f"{len(reports)} reports, {len(jobs)} bundles")
    print(f"renumbered (build): {renumbered[0]:.2f} s for {renumbered[1]} pages, {1000 * renumbered[0] / renumbered[1]:.2f} ms/page")
    print(f"plain merge:        {plain[0]:.2f} s for {plain[1]} pages, {1000 * plain[0] / plain[1]:.2f} ms/page")
    print(f"ratio renumbered/plain: {renumbered[0] / plain[0]:.2f}")


if __name__ == "__main__":
    main()
