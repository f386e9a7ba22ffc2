"""Start a report file: last year's agency data carried over, everything else left ``待填``.

``nianbao new`` writes the file through the canonical writer (writer.py), so a new file reads like
every other report; Chinese comments above the keys tell the editor what to fill and what was taken
from last year's report. ``nianbao import`` shares the helpers that choose where a file goes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .formats import AGENCY_KINDS, APPLICANTS, FORMATS, ROW_CARRIED_IN, ROW_CARRIED_OUT, FormatDef
from .model import Report
from .reader import FILE_NAME, load_report
from .schema import AGENCY_ID_PATTERN, HEAD, REGION_PATTERN, SECTION_DESCRIPTIONS, TABLE_AFTER, body_fields
from .validate import discover, display_path
from .writer import SCHEMA_URL, insert_comments, render_report

SCHEMA_FILE = Path("content") / "schema" / "report.schema.json"


def format_for_year(year: int) -> FormatDef:
    """Return the format a report for ``year`` must use (2019 试行 for 2019 and 2020)."""
    for fmt in FORMATS.values():
        if fmt.years[0] <= year <= fmt.years[1]:
            return fmt
    return FORMATS[2021]


def agency_files(reports: Path, agency_id: str) -> dict[int, Path]:
    """Return the agency's report files under ``reports`` (subfolders too), by year, from their names."""
    if not reports.is_dir():
        return {}
    files, _ = discover([reports])
    found: dict[int, Path] = {}
    for path in files:
        m = FILE_NAME.match(path.name)
        if m and m[1] == agency_id:
            found.setdefault(int(m[2]), path)
    return found


def default_output(reports: Path, agency_id: str, year: int) -> Path:
    """Return ``<agency>-<year>.yaml`` next to the agency's nearest other year, else in ``reports``."""
    files = agency_files(reports, agency_id)
    folder = reports
    if files:
        # last year's file first, then the nearest year: the agency's folder is where editors look
        nearest = min(files, key=lambda y: (abs(y - (year - 1)), y))
        folder = files[nearest].parent
    return folder / f"{agency_id}-{year}.yaml"


def schema_path_for(output: Path) -> str:
    """Return the schema reference of a report written at ``output`` (relative, as VS Code needs)."""
    schema = Path.cwd() / SCHEMA_FILE
    if not schema.is_file():
        return SCHEMA_URL
    return Path(os.path.relpath(schema, output.resolve().parent)).as_posix()


def refusal(output: Path, reports: Path, agency_id: str, year: int) -> str | None:
    """Return why a report must not be written at ``output`` (it exists, or the year has one), or None."""
    if output.exists():
        return f"文件已存在：{output}。为免覆盖已有内容，nianbao 不会改写它；如需重新生成，请先删除或改名，或用 -o 指定其他文件名。"
    inside = reports.is_dir() and output.resolve().is_relative_to(reports.resolve())
    other = agency_files(reports, agency_id).get(year) if agency_id and inside else None
    if other is not None and other.resolve() != output.resolve():
        return f"机关代码 {agency_id} 的 {year} 年度报告已在 {other} 中，同一机关同一年度只能有一份报告。"
    return None


@dataclass
class NewReport:
    """The text of a new report file and what was carried over into it."""

    text: str
    previous: Report | None


def previous_report(reports: Path, agency_id: str, year: int) -> Report | None:
    """Return the agency's report for ``year - 1`` found under ``reports``, or None."""
    path = agency_files(reports, agency_id).get(year - 1)
    if path is None:
        return None
    report, _ = load_report(path, display_path(path))
    return report


def new_report(agency_id: str, year: int, output: Path, previous: Report | None) -> NewReport:
    """Return a new report for ``agency_id`` and ``year``; ``previous`` (Y-1) supplies the agency data."""
    fmt = format_for_year(year)
    data: dict[str, Any] = {"机关代码": agency_id, "年度": year, "格式": fmt.id}
    comments: dict[tuple[str, ...], str] = {}
    for f in HEAD:
        if f.key not in data and f.type != "group":
            comments[(f.key,)] = f"请填写：{f.description}"
    comments[("联系方式",)] = "请填写导语中的联系方式：受理咨询的机构、地址和电话"
    comments[("导语",)] = (
        f"请填写导语：编制依据、全文组成、统计期限（{year}年1月1日至{year}年12月31日）和联系方式"
    )
    for f in body_fields():
        if f.required:
            comments[(f.key,)] = f"请填写：{SECTION_DESCRIPTIONS[f.key]}"
        if f.key in TABLE_AFTER:
            comments[(TABLE_AFTER[f.key],)] = "请逐格填写数字（“待填”处），没有发生的事项填 0"
    comments[("落款",)] = "报告末尾的署名和日期"
    comments[("落款", "日期")] = "请填写报告日期（落款日期）"
    if previous is not None:
        data["机关名称"] = previous.agency
        data["地区"] = "/".join(previous.region)
        data["机关类别"] = previous.kind
        data["联系方式"] = dict(previous.contact)
        data["落款"] = {"署名": previous.signature}
        source = f"{previous.year} 年度报告（{previous.source}）"
        for key in ("机关名称", "地区", "机关类别"):
            comments.pop((key,), None)
        comments[("机关名称",)] = f"机关名称、地区、机关类别、联系方式和落款署名沿用 {source}，如有变化请修改"
        comments[("联系方式",)] = f"联系方式沿用 {source}，请核对"
        comments[("落款", "署名")] = "署名沿用上年度报告"
        before = previous.numbers()
        out_keys = {column: ("表二", ROW_CARRIED_OUT, column) for column in APPLICANTS}
        carried = {(ROW_CARRIED_IN, c): before[k] for c, k in out_keys.items() if k in before}
        if carried:
            data["tables"] = {"表二": carried}
            comments[("表二", ROW_CARRIED_IN)] = (
                f"由 {source}的“{ROW_CARRIED_OUT}”逐列转入（规则 W1），一般不需修改"
            )
    text = render_report(data, schema_path_for(output), with_totals=True)
    return NewReport(insert_comments(text, comments), previous)


def check_options(agency_id: str | None, region: str | None, kind: str | None) -> list[str]:
    """Return what is wrong with the editor's --agency, --region and --kind (Chinese messages)."""
    problems = []
    if agency_id is not None and not re.match(AGENCY_ID_PATTERN, agency_id):
        problems.append(f"机关代码“{agency_id}”不符合要求：只能用小写字母、数字和连字符，如 qiaokou-rongmeiti")
    if region is not None and not re.match(REGION_PATTERN, region):
        problems.append(f"地区“{region}”不符合要求：行政区划用“/”分隔，不含空格，如 湖北省/武汉市/硚口区")
    if kind is not None and kind not in AGENCY_KINDS:
        problems.append(f"机关类别“{kind}”不符合要求：只能是 {'、'.join(AGENCY_KINDS)} 之一")
    return problems
