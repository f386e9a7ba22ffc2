"""Downloadable PDFs of the reports, typeset like official documents, and yearly bundles.

fonts.find_fonts chooses the faces; render.render_reports typesets each report (report.typ) into
a cache; bundle.build_bundles merges each year's reports into one PDF; pipeline.PdfPipeline does
both in worker processes while the pages are built.
"""

from __future__ import annotations

from .bundle import Bundle, build_bundles
from .fonts import FontError, FontSet, find_fonts
from .pipeline import PdfPipeline
from .render import (
    DEFAULT_CACHE,
    PdfSettings,
    ProgressPrinter,
    RenderedPdf,
    RenderError,
    prune_cache,
    render_reports,
    size_label,
    source_date_epoch,
)

__all__ = [
    "DEFAULT_CACHE",
    "Bundle",
    "FontError",
    "FontSet",
    "PdfPipeline",
    "PdfSettings",
    "ProgressPrinter",
    "RenderError",
    "RenderedPdf",
    "build_bundles",
    "find_fonts",
    "prune_cache",
    "render_reports",
    "size_label",
    "source_date_epoch",
]
