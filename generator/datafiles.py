"""Write the site's open-data files: all reports, each year, and each report, in CSV, XLSX and JSON.

A report's own files depend only on its numbers, so they are kept in a content-addressed cache and
copied into the site: an unchanged report costs a hash, not three files' worth of work.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from .datapages import ALL_DATA, DATA_DIR, DATA_FORMATS, year_data_name
from .export import export, json_default, report_data
from .fsutil import place, sealed, write_entry
from .model import Report
from .validate import MODEL_CODE, code_fingerprint

DEFAULT_CACHE = Path(".nianbao-cache") / "data"
VERSION = "1"  # bump when the export format changes, to invalidate the cache
DATA_CODE = (*MODEL_CODE, "export.py", "xlsx.py", "datafiles.py")


def _report_key(report: Report) -> str:
    """Key a report's files by its text and the code (no need to build the data to find them)."""
    content = report.digest or json.dumps(report_data(report), ensure_ascii=False, sort_keys=True, default=json_default)
    return hashlib.sha256(f"{VERSION}\0{code_fingerprint(DATA_CODE)}\0{content}".encode()).hexdigest()


def write_report_files(site_dir: Path, reports: Iterable[Report], cache_dir: Path) -> int:
    """Write each report's data files (cached); return how many reports needed new files."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fresh = 0
    for report in reports:
        key = _report_key(report)
        missing = [f for f in DATA_FORMATS if not sealed(cache_dir / f"{key}.{f}")]  # missing, truncated or altered
        for fmt in missing:
            write_entry(cache_dir / f"{key}.{fmt}", export([report], fmt))  # aside, renamed, sealed
        fresh += bool(missing)
        for fmt in DATA_FORMATS:
            place(cache_dir / f"{key}.{fmt}", site_dir / DATA_DIR / "reports" / f"{report.slug}.{fmt}")
    return fresh


def write_collections(site_dir: Path, reports: Sequence[Report]) -> None:
    """Write the files of all reports and of each year."""
    out = site_dir / DATA_DIR
    out.mkdir(parents=True, exist_ok=True)
    by_year: dict[int, list[Report]] = defaultdict(list)
    for r in reports:
        by_year[r.year].append(r)
    for fmt in DATA_FORMATS:
        (out / f"{ALL_DATA}.{fmt}").write_bytes(export(reports, fmt))
        for year, members in by_year.items():
            (out / year_data_name(year, fmt)).write_bytes(export(members, fmt))
