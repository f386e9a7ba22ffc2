"""The open-data collection: which files the site offers, under which licence, described as a data package.

One plan (``collection``) names every collection file with what it holds; the data page lists it,
datafiles.py writes it, and ``datapackage`` describes its CSV files as a Frictionless Tabular Data
Package (https://datapackage.org): a schema per table (field types, units, the constraints of the
format), the licence, the sources, and each file's size and SHA-256 so that a reader can check it.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .export import (
    DICTIONARY_HEADER,
    IDENTITY_DESCRIPTIONS,
    LONG_DESCRIPTIONS,
    SEP,
    UNITS,
    by_format,
    columns,
    row_path,
)
from .formats import FORMATS, Kind
from .model import Report

DATA_DIR = "data"
ALL_DATA = "nianbao-all"
LONG_DATA = "nianbao-long.csv"
DICTIONARY = "nianbao-columns.csv"
PACKAGE = "datapackage.json"
DATA_FORMATS = ("csv", "xlsx", "json")  # each year's files and each report's

# Licences a site can name by their SPDX id alone; any other needs data_license_url.
LICENSES = {
    "CC-BY-4.0": ("https://creativecommons.org/licenses/by/4.0/", "知识共享署名 4.0 国际许可协议（CC BY 4.0）"),
    "CC-BY-SA-4.0": ("https://creativecommons.org/licenses/by-sa/4.0/", "知识共享署名—相同方式共享 4.0 国际许可协议（CC BY-SA 4.0）"),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "知识共享 CC0 1.0 公有领域贡献"),
    "ODC-By-1.0": ("https://opendatacommons.org/licenses/by/1-0/", "开放数据共享署名许可协议 1.0（ODC-By）"),
    "ODbL-1.0": ("https://opendatacommons.org/licenses/odbl/1-0/", "开放数据库许可协议 1.0（ODbL）"),
    "PDDL-1.0": ("https://opendatacommons.org/licenses/pddl/1-0/", "开放数据共享公有领域贡献与许可协议 1.0（PDDL）"),
}
DEFAULT_LICENSE = "CC-BY-4.0"


class LicenseError(ValueError):
    """A licence the site names without saying where its text is."""


@dataclass(frozen=True)
class License:
    name: str  # SPDX id, or the site's own name for it
    url: str
    title: str


def resolve_license(name: str, url: str = "", title: str = "") -> License:
    """Return the licence of ``data_license`` (and ``data_license_url``), or raise LicenseError in Chinese."""
    known = LICENSES.get(name)
    if known is None and not url:
        raise LicenseError(
            f"mkdocs.yml 中 data_license 为“{name}”，不是常用的开放许可协议代码（{'、'.join(LICENSES)}），"
            "请同时用 data_license_url 填写许可协议全文的网址"
        )
    return License(name, url or (known[0] if known else ""), title or (known[1] if known else name))


@dataclass(frozen=True)
class DataFile:
    """One collection file under data/: its name, what it holds, and the reports it is made of."""

    name: str
    title: str
    kind: str  # long, wide, json, xlsx, dictionary, package
    reports: tuple[Report, ...] = ()
    format_id: int = 0  # the format version of a wide file
    year: int = 0  # 0: every year

    @property
    def resource(self) -> str:
        """Return the file's name as a data-package resource (lower-case, no extension)."""
        return self.name.rsplit(".", 1)[0].lower()


def newest_report_time(reports: Iterable[Report]) -> datetime.datetime:
    """Return the newest report's own date, noon in Beijing (as its PDF states it): the data's date without SOURCE_DATE_EPOCH."""
    days = [r.date or datetime.date(r.year + 1, 1, 1) for r in reports]
    day = max(days, default=datetime.date(1970, 1, 1))
    return datetime.datetime(day.year, day.month, day.day, 4, tzinfo=datetime.UTC)


def year_data_name(year: int, fmt: str) -> str:
    return f"nianbao-{year}.{fmt}"


def wide_name(format_id: int, fmt: str) -> str:
    return f"{ALL_DATA}-{format_id}.{fmt}"


def schema_name(format_id: int) -> str:
    return f"schema-{format_id}.json"


def collection(reports: Sequence[Report]) -> list[DataFile]:
    """Return every collection file of the site's reports, in the order the data page lists them."""
    everything = tuple(reports)
    files: list[DataFile] = [DataFile(LONG_DATA, "全部年度长表（每个数字一行）", "long", everything)]
    for format_id, members in by_format(reports).items():
        label = f"全部年度 {format_id} 格式宽表（每份报告一行）"
        files.append(DataFile(wide_name(format_id, "csv"), label, "wide", tuple(members), format_id))
        files.append(DataFile(wide_name(format_id, "xlsx"), label, "xlsx", tuple(members), format_id))
    files.append(DataFile(f"{ALL_DATA}.json", "全部年度 JSON", "json", everything))
    by_year: dict[int, list[Report]] = {}
    for r in reports:
        by_year.setdefault(r.year, []).append(r)
    for year in sorted(by_year, reverse=True):
        of_year = tuple(by_year[year])
        format_id = of_year[0].format_id  # one year has one format (checked on load)
        files.append(DataFile(year_data_name(year, "csv"), f"{year}年度宽表", "wide", of_year, format_id, year))
        files.append(DataFile(year_data_name(year, "xlsx"), f"{year}年度宽表", "xlsx", of_year, format_id, year))
        files.append(DataFile(year_data_name(year, "json"), f"{year}年度 JSON", "json", of_year, 0, year))
    files.append(DataFile(DICTIONARY, "列说明（宽表每一列的含义、单位和适用格式）", "dictionary"))
    for format_id in by_format(reports):  # shared by the wide files of that format, not repeated in each
        files.append(DataFile(schema_name(format_id), f"{format_id} 格式宽表的表结构（Table Schema）", "schema", (), format_id))
    files.append(DataFile(PACKAGE, "数据包描述（Frictionless Data Package）", "package"))
    return files


# -- the data package ------------------------------------------------------------------------------

_TYPES = {Kind.COUNT: "integer", Kind.SIGNED: "integer", Kind.AMOUNT: "number"}
_IDENTITY_TYPES = {"年度": "integer", "格式": "integer"}


def wide_schema(format_id: int) -> dict[str, Any]:
    """Return the table schema of a wide file of one format version."""
    fields: list[dict[str, Any]] = []
    for name, text in IDENTITY_DESCRIPTIONS.items():
        field: dict[str, Any] = {"name": name, "type": _IDENTITY_TYPES.get(name, "string"), "description": text}
        field["constraints"] = {"required": True, **({"enum": [format_id]} if name == "格式" else {})}
        fields.append(field)
    for col in columns([FORMATS[format_id]]):
        cell = col.cell
        constraints: dict[str, Any] = {"required": True}
        if cell.kind is not Kind.SIGNED:
            constraints["minimum"] = 0
        note = "；总计，报告未填写时由程序计算" if cell.total else ""
        fields.append({
            "name": col.name,
            "title": f"{cell.table} {row_path(cell)} {cell.column_label}",
            "type": _TYPES[cell.kind],
            "description": f"单位：{UNITS[cell.kind]}{note}",
            "constraints": constraints,
        })
    return {"fields": fields, "missingValues": [""], "primaryKey": ["机关代码", "年度"]}


def _long_schema() -> dict[str, Any]:
    types = {"年度": "integer", "格式": "integer", "数值": "number"}
    enums: dict[str, list[Any]] = {"格式": sorted(FORMATS), "表": ["表一", "表二", "表三"]}
    fields: list[dict[str, Any]] = [
        {"name": n, "type": types.get(n, "string"), "description": d,
         "constraints": {"required": True, **({"enum": enums[n]} if n in enums else {})}}
        for n, d in LONG_DESCRIPTIONS.items()
    ]
    return {"fields": fields, "missingValues": [""], "primaryKey": ["报告", "表", "行", "列"]}


def _dictionary_schema() -> dict[str, Any]:
    fields: list[dict[str, Any]] = [{"name": n, "type": "string"} for n in DICTIONARY_HEADER]
    fields[0]["constraints"] = {"required": True, "unique": True}
    return {"fields": fields, "missingValues": [], "primaryKey": ["列名"]}


def _file_facts(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}


def datapackage(
    out_dir: Path,
    files: Iterable[DataFile],
    license: License,
    publisher: str,
    site_url: str,
    created: datetime.datetime,
) -> dict[str, Any]:
    """Return the data-package descriptor of the collection's CSV files, already written into ``out_dir``."""
    resources = []
    for f in files:
        if f.kind == "long":
            schema: dict[str, Any] | str = _long_schema()
            about = "每份报告的每个数字一行：报告、表、行标签路径、列标签、数值；2021 和 2019 格式的报告都在其中"
        elif f.kind == "wide":
            schema = schema_name(f.format_id)  # a path: every wide file of the format shares the one schema file
            about = f"每份 {f.format_id} 格式报告一行，每个单元格一列，列名为“表{SEP}行标签路径{SEP}列标签”"
        elif f.kind == "dictionary":
            schema = _dictionary_schema()
            about = "宽表每一列的含义"
        else:
            continue  # JSON and XLSX are listed on the data page; a data package describes tables
        resources.append({
            "name": f.resource,
            "path": f.name,
            "title": f.title,
            "description": about,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",  # with a BOM, for Excel and WPS
            **_file_facts(out_dir / f.name),
            "schema": schema,
        })
    base = site_url.rstrip("/") + "/" if site_url else "../"
    return {
        "profile": "tabular-data-package",
        "name": "nianbao-open-data",
        "title": f"{publisher}：政府信息公开工作年度报告数据",
        "description": (
            "各机关政府信息公开工作年度报告中三张统计表的全部数字（总计已包含），由 nianbao 从本站发布的报告生成。"
            "JSON 和 XLSX 版本见开放数据页面。"
        ),
        "homepage": f"{base}data.html",
        "created": created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keywords": ["政府信息公开", "年度报告", "开放数据"],
        "licenses": [{"name": license.name, "path": license.url, "title": license.title}],
        "sources": [{"title": "各机关发布的政府信息公开工作年度报告（国办公开办函〔2021〕30号格式；2019、2020 年度为试行格式）",
                     "path": f"{base}years/index.html"}],
        "contributors": [{"title": publisher, "role": "publisher"}],
        "resources": resources,
    }
