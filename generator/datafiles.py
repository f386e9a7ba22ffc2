"""Write the site's open-data files: all reports, each year, and each report, in CSV, XLSX and JSON,
with the long table, the column dictionary and the data package that describes them (opendata.py).

A report's own files depend only on its numbers, so they are kept in a content-addressed cache and
copied into the site: an unchanged report costs a hash, not three files' worth of work. A report's
five cached parts (its CSV, JSON and XLSX, its rows of the long table and of the workbooks) are one
cache entry, a pack: one file and its seal instead of five of each. A cold build of 10,000 reports
made 100,000 cache files for them, and creating files was a tenth of the build's CPU (ext4's inode
allocation, perf); a part is read by its offset in the pack, the bytes it needs and no more.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import xlsx
from .export import dictionary_csv, export, json_default, report_data, to_xlsx, xlsx_rows
from .fsutil import remove_entries, sealed, write_entry
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
VERSION = "3"  # bump when the export format or the pack changes, to invalidate the cache
DATA_CODE = (*MODEL_CODE, "export.py", "xlsx.py", "datafiles.py")
ROWS = "xrows"  # a report's rows of the workbooks of all reports and of its year (export.xlsx_rows), not published
CACHED = (*DATA_FORMATS, "long", ROWS)
PACK = "pack"  # a report's cache entry: a header line (each part's length, in CACHED order), then the parts
_HEADER_MAX = 4096  # a pack's header line is read in one go: it names five lengths


def _report_key(report: Report) -> str:
    """Key a report's files by its text and the code (no need to build the data to find them)."""
    content = report.digest or json.dumps(report_data(report), ensure_ascii=False, sort_keys=True, default=json_default)
    return hashlib.sha256(f"{VERSION}\0{code_fingerprint(DATA_CODE)}\0{content}".encode()).hexdigest()


def _pack(parts: dict[str, bytes]) -> bytes:
    """Return a report's cache entry: a header line of the parts' lengths, then the parts, in CACHED order."""
    header = json.dumps({fmt: len(parts[fmt]) for fmt in CACHED}, separators=(",", ":")).encode("ascii") + b"\n"
    return b"".join([header, *(parts[fmt] for fmt in CACHED)])


def _unpack(data: bytes) -> dict[str, bytes]:
    """Return every part of a pack (ValueError: not a pack of these parts)."""
    end = data.find(b"\n", 0, _HEADER_MAX)
    lengths = json.loads(data[:end]) if end > 0 else None
    if not isinstance(lengths, dict) or list(lengths) != list(CACHED):
        raise ValueError("not a pack")
    parts, at = {}, end + 1
    for fmt in CACHED:
        parts[fmt] = data[at : at + lengths[fmt]]
        at += lengths[fmt]
    if at != len(data):
        raise ValueError("not a pack")
    return parts


def read_part(cache_dir: Path, report: Report, fmt: str) -> bytes:
    """Return one part of a report's pack, reading the header and that part only (OSError/ValueError: none).

    The pack is sealed (write_entry) and trusted by its stat after it was checked once, as every
    cache entry is: write_report_files checks it in the same build before any part is read.
    """
    with open(cache_dir / f"{_report_key(report)}.{PACK}", "rb") as f:
        head = f.read(_HEADER_MAX)
        end = head.find(b"\n")
        lengths = json.loads(head[:end]) if end > 0 else None
        if not isinstance(lengths, dict) or list(lengths) != list(CACHED):
            raise ValueError("not a pack")
        offset = end + 1
        for name in CACHED:
            if name == fmt:
                break
            offset += lengths[name]
        f.seek(offset)
        part = f.read(lengths[fmt])
    if len(part) != lengths[fmt]:
        raise ValueError("a truncated pack")
    return part


def write_report_files(site_dir: Path, reports: Iterable[Report], cache_dir: Path,
                       adopt: Callable[[str, str], bool] | None = None) -> int:
    """Write each report's data files (cached); return how many reports needed new files.

    ``adopt(path in the site, key)`` takes a file unchanged since the published build (reuse.py).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    folder = site_dir / DATA_DIR / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    fresh = 0
    for report in reports:
        key = _report_key(report)
        entry = cache_dir / f"{key}.{PACK}"
        parts: dict[str, bytes] | None = None
        if not sealed(entry):  # missing, truncated or altered: made again
            fresh += 1
            parts = {fmt: xlsx_rows(report) if fmt == ROWS else export([report], fmt) for fmt in CACHED}
            write_entry(entry, _pack(parts))  # aside, renamed, sealed
        for fmt in DATA_FORMATS:
            dest = f"{DATA_DIR}/reports/{report.slug}.{fmt}"
            if adopt is not None and adopt(dest, f"{key}.{fmt}"):
                continue
            if parts is None:
                try:
                    parts = _unpack(entry.read_bytes())
                except ValueError:  # sealed, yet not a pack of these parts: made again
                    fresh += 1
                    parts = {f: xlsx_rows(report) if f == ROWS else export([report], f) for f in CACHED}
                    write_entry(entry, _pack(parts))
            target = folder / f"{report.slug}.{fmt}"
            # a new file, never a write into one the published site may share
            target.unlink(missing_ok=True)
            target.write_bytes(parts[fmt])
    return fresh


_WRITERS = {"long": "long", "wide": "csv", "xlsx": "xlsx", "json": "json"}


def _cached_rows(cache_dir: Path) -> Callable[[Report], bytes | None]:
    """Return a report's workbook rows from the cache (write_report_files keeps them), or None."""
    def rows(report: Report) -> bytes | None:
        try:
            return read_part(cache_dir, report, ROWS)
        except (OSError, ValueError):
            return None
    return rows


def _compose(kind: str, reports: Sequence[Report], cache_dir: Path | None, target: Path) -> bool:
    """Write a collection's CSV or JSON to ``target``, joined from its reports' own cached files; False if it cannot be.

    A collection file is its reports' files one after another (their header once): after an edit,
    writing the files of all 10,000 reports again from their numbers took most of the open data's
    time, joining them takes a read of each. The file is written report by report: the long table of
    10,000 reports is 275 MB, which joined in memory (with its parts) doubled the build's peak memory.
    tests/test_data.py checks the bytes against export().
    """
    fmt = {"long": "long", "wide": "csv", "json": "json"}.get(kind)
    if cache_dir is None or fmt is None or not reports:
        return False
    target.unlink(missing_ok=True)  # a new file, never a write into one the published site may share
    try:
        with open(target, "wb") as out:
            for i, r in enumerate(reports):
                part = read_part(cache_dir, r, fmt)
                if fmt == "json":  # each "[\n<report>\n]\n"
                    if not (part.startswith(b"[\n") and part.endswith(b"\n]\n")):
                        raise ValueError(fmt)
                    out.write((b"[\n" if i == 0 else b",\n") + part[2:-3])
                    continue
                if i == 0:
                    header = part[: part.find(b"\r\n") + 2]
                    if not header.endswith(b"\r\n"):
                        raise ValueError(fmt)
                    out.write(header)
                if not part.startswith(header):
                    raise ValueError(fmt)  # another format version's columns: made from the numbers
                out.write(memoryview(part)[len(header):])
            if fmt == "json":
                out.write(b"\n]\n")
    except (OSError, ValueError):
        target.unlink(missing_ok=True)
        return False
    return True


def _collection_key(name: str, reports: Sequence[Report], extra: str) -> str:
    """Return what a collection file is made from: its name, its reports' keys in order, ``extra``, the code."""
    key = hashlib.sha256(f"{VERSION}\0{code_fingerprint(DATA_CODE)}\0{name}\0{extra}".encode())
    for r in reports:
        key.update(f"{_report_key(r)}\0".encode())
    return key.hexdigest()


def _collection_entry(name: str, key: str) -> str:
    """Return the name of a collection file's cache entry."""
    return f"collection-{key[:40]}{Path(name).suffix}"


def _cached_collection(cache_dir: Path | None, name: str, key: str, make: Callable[[], bytes], used: set[str]) -> bytes:
    """Return a collection file from the cache when its key is the same, else make and keep it."""
    if cache_dir is None:
        return make()
    entry = cache_dir / _collection_entry(name, key)
    used.add(entry.name)
    if sealed(entry):
        return entry.read_bytes()
    data = make()
    write_entry(entry, data)
    return data


COLLECTION = re.compile(r"collection-[0-9a-f]{40}\.[a-z]+")
PACKED = re.compile(rf"[0-9a-f]{{64}}\.{PACK}")
UNPACKED = re.compile(r"[0-9a-f]{64}\.(?:csv|json|xlsx|long|xrows)")  # one entry per part, before packs: nothing reads them
MAX_AGE_DAYS = 30  # a report's pack this build did not use (another shard's, a report since deleted or edited), as for PDFs


def _prune_entries(cache_dir: Path, used: set[str], packs: set[str]) -> None:
    """Delete the entries this build did not use: collections at once, packs unused for MAX_AGE_DAYS, entries of before packs.

    An entry written in the last ten minutes is kept (a concurrent build's); only names nianbao gives are
    deleted, with their seals (fsutil.remove_entries).
    """
    now = time.time()
    recent, limit = now - 600, now - MAX_AGE_DAYS * 86400
    old = []
    with os.scandir(cache_dir) as entries:  # strings: the folder holds two files per report
        for entry in entries:
            name = entry.name
            if name.startswith("collection-"):
                before = recent if name not in used and COLLECTION.fullmatch(name) else None
            elif name.endswith(f".{PACK}"):
                before = limit if name not in packs and PACKED.fullmatch(name) else None
            else:
                before = recent if UNPACKED.fullmatch(name) else None
            if before is None:
                continue
            try:
                if entry.stat(follow_symlinks=False).st_mtime < before:
                    old.append(name)
            except OSError:
                continue
    remove_entries(cache_dir, old)


def write_collections(
    site_dir: Path,
    reports: Sequence[Report],
    license: License | None = None,
    publisher: str = "nianbao",
    site_url: str = "",
    created: datetime.datetime | None = None,
    cache_dir: Path | None = None,
    adopt: Callable[[str, str], bool] | None = None,
) -> dict[str, int]:
    """Write the files of all reports and of each year, and the data package; return each file's size by site path.

    With ``cache_dir`` (where write_report_files has kept each report's files), CSV and JSON
    collections are joined from the reports' files and workbooks of unchanged reports are reused.
    ``adopt(path in the site, key)`` takes a collection unchanged since the published build
    (reuse.py): after one edit, the other years' files are not made, read or written at all.
    """
    out = site_dir / DATA_DIR
    out.mkdir(parents=True, exist_ok=True)
    license = license or resolve_license(DEFAULT_LICENSE)
    created = created or newest_report_time(reports)
    stamp = created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    files = collection(reports)
    used: set[str] = set()  # the collection entries of this build: the others are pruned
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
            key = _collection_key(f.name, f.reports, f"{properties}")
            if adopt is not None and adopt(f"{DATA_DIR}/{f.name}", key):
                used.add(_collection_entry(f.name, key))  # kept for a build whose published file is gone
                continue
            rows = _cached_rows(cache_dir) if cache_dir is not None else None
            data = _cached_collection(cache_dir, f.name, key, functools.partial(to_xlsx, f.reports, properties, rows), used)
        elif f.kind in _WRITERS:
            if adopt is not None and adopt(f"{DATA_DIR}/{f.name}", _collection_key(f.name, f.reports, "")):
                continue
            if _compose(f.kind, f.reports, cache_dir, out / f.name):
                continue
            data = export(f.reports, _WRITERS[f.kind])
        else:
            continue
        (out / f.name).unlink(missing_ok=True)  # a new file, never a write into one the published site may share
        (out / f.name).write_bytes(data)
    if cache_dir is not None:
        _prune_entries(cache_dir, used, {f"{_report_key(r)}.{PACK}" for r in reports})
    package = datapackage(out, files, license, publisher, site_url, created)
    (out / PACKAGE).write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {f"{DATA_DIR}/{f.name}": (out / f.name).stat().st_size for f in files}
