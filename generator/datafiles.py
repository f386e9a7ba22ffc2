"""Write the site's open-data files: all reports, each year, and each report, in CSV, XLSX and JSON,
with the long table, the column dictionary and the data package that describes them (opendata.py).

A report's own files depend only on its numbers, so they are kept in a content-addressed cache and
copied into the site: an unchanged report costs a hash, not three files' worth of work.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import xlsx
from .export import dictionary_csv, export, json_default, report_data
from .fsutil import place, sealed, write_entry
from .model import Report
from .opendata import (
    DATA_DIR,
    DATA_FORMATS,
    DEFAULT_LICENSE,
    PACKAGE,
    License,
    collection,
    datapackage,
    newest_report_time,
    resolve_license,
    wide_schema,
)
from .validate import MODEL_CODE, code_fingerprint

DEFAULT_CACHE = Path(".nianbao-cache") / "data"
VERSION = "2"  # bump when the export format changes, to invalidate the cache
DATA_CODE = (*MODEL_CODE, "export.py", "xlsx.py", "datafiles.py")


def _report_key(report: Report) -> str:
    """Key a report's files by its text and the code (no need to build the data to find them)."""
    content = report.digest or json.dumps(report_data(report), ensure_ascii=False, sort_keys=True, default=json_default)
    return hashlib.sha256(f"{VERSION}\0{code_fingerprint(DATA_CODE)}\0{content}".encode()).hexdigest()


def write_report_files(site_dir: Path, reports: Iterable[Report], cache_dir: Path) -> int:
    """Write each report's data files (cached); return how many reports needed new files."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    folder = site_dir / DATA_DIR / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    fresh = 0
    for report in reports:
        key = _report_key(report)
        missing = [f for f in DATA_FORMATS if not sealed(cache_dir / f"{key}.{f}")]  # missing, truncated or altered
        fresh += bool(missing)
        for fmt in DATA_FORMATS:
            entry, target = cache_dir / f"{key}.{fmt}", folder / f"{report.slug}.{fmt}"
            if fmt in missing:
                data = export([report], fmt)
                write_entry(entry, data)  # aside, renamed, sealed
                # the bytes at hand go to the site as they are: opening files cost as much as making them
                target.unlink(missing_ok=True)
                target.write_bytes(data)
            else:
                place(entry, target)
    return fresh


_WRITERS = {"long": "long", "wide": "csv", "xlsx": "xlsx", "json": "json"}


def write_collections(
    site_dir: Path,
    reports: Sequence[Report],
    license: License | None = None,
    publisher: str = "nianbao",
    site_url: str = "",
    created: datetime.datetime | None = None,
) -> dict[str, int]:
    """Write the files of all reports and of each year, and the data package; return each file's size by site path."""
    out = site_dir / DATA_DIR
    out.mkdir(parents=True, exist_ok=True)
    license = license or resolve_license(DEFAULT_LICENSE)
    created = created or newest_report_time(reports)
    stamp = created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    files = collection(reports)
    for f in files:
        if f.kind == "dictionary":
            data = dictionary_csv()
        elif f.kind == "schema":
            data = (json.dumps(wide_schema(f.format_id), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        elif f.kind == "xlsx":
            properties = xlsx.Properties(
                title=f"{publisher}：政府信息公开工作年度报告数据，{f.title}", creator=publisher,
                subject="政府信息公开工作年度报告统计表", description=f"许可协议：{license.title}（{license.url}）",
                keywords=("政府信息公开", "年度报告", "开放数据"), created=stamp, company=publisher,
            )
            data = export(f.reports, "xlsx", properties)
        elif f.kind in _WRITERS:
            data = export(f.reports, _WRITERS[f.kind])
        else:
            continue
        (out / f.name).write_bytes(data)
    package = datapackage(out, files, license, publisher, site_url, created)
    (out / PACKAGE).write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {f"{DATA_DIR}/{f.name}": (out / f.name).stat().st_size for f in files}
