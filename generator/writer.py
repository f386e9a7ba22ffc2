"""Write a report file in the canonical layout: the form's order, one table row per line, comments.

Used by ``nianbao new`` and ``nianbao import``, and to keep hand-made reports tidy. The output reads
like the printed form: sections in order, each table right after its section, each row of a table
on one line so that a finding's line number points at the row.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from .formats import AGENCY_KINDS, FORMATS, FormatDef, TableDef
from .schema import TABLE_AFTER, body_fields

SCHEMA_URL = "content/schema/report.schema.json"
MISSING = "待填"  # a value the editor still has to fill; it fails R5 until they do


def _scalar(value: Any) -> str:
    """Return ``value`` as a one-line YAML scalar, quoted only when YAML needs it."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = yaml.safe_dump(str(value), allow_unicode=True, default_flow_style=True, width=10_000)
    return text.removesuffix("\n...\n").removesuffix("\n")


def _block(key: str, text: str, indent: str = "") -> list[str]:
    """Return ``key: |`` and the indented lines of ``text`` (a multi-line literal block)."""
    text = text.strip("\n")
    if not text:
        return [f"{indent}{key}:"]
    body = indent + "  "
    header = "|2" if text[:1] in " \t" else "|"
    lines = [f"{indent}{key}: {header}"]
    lines += [body + line if line.strip() else "" for line in text.split("\n")]
    return lines


def _text(key: str, value: Any, indent: str = "", comment: str = "") -> list[str]:
    suffix = f"  # {comment}" if comment else ""
    if value is None or value == "":
        return [f"{indent}{key}: {MISSING}{suffix}"]
    if isinstance(value, str) and ("\n" in value.strip("\n") or len(value) > 60):
        return _block(key, value, indent)
    return [f"{indent}{key}: {_scalar(value)}{suffix}"]


def table_lines(table: TableDef, numbers: Mapping[tuple[str, ...], Any], with_totals: bool) -> list[str]:
    """Return a table's lines: nested keys as in the form, each row a flow mapping on one line.

    ``numbers`` maps key paths (below the table) to values; a missing non-total cell is written as
    ``待填``. Totals are written only when ``with_totals`` and known.
    """
    lines = [f"{table.id}:"]
    rows: dict[tuple[str, ...], list[tuple[str, Any]]] = {}
    for cell in table.cells:
        if cell.total and (not with_totals or cell.path not in numbers):
            continue
        value = numbers.get(cell.path, MISSING)
        rows.setdefault(cell.path[:-1], []).append((cell.column_label, value))
    written: set[tuple[str, ...]] = set()
    for row, cells in rows.items():
        for depth in range(1, len(row)):
            parent = row[:depth]
            if parent not in written:
                written.add(parent)
                lines.append("  " * depth + f"{parent[-1]}:")
        inner = ", ".join(f"{label}: {_scalar(value)}" for label, value in cells)
        lines.append("  " * len(row) + f"{row[-1]}: {{{inner}}}")
    return lines


def render_report(data: Mapping[str, Any], schema_path: str = SCHEMA_URL, with_totals: bool = True) -> str:
    """Return the YAML text of a report given as plain data.

    ``data`` has the top-level keys of the file (机关名称 … 落款) and, for the tables, a mapping per
    table id from key path tuples to numbers.
    """
    fmt: FormatDef = FORMATS[int(data.get("格式") or 2021)]
    title = f"{data.get('机关名称') or '（机关名称）'}{data.get('年度') or ''}年政府信息公开工作年度报告"
    contact = data.get("联系方式") or {}
    signature = data.get("落款") or {}
    lines = [
        f"# yaml-language-server: $schema={schema_path}",
        f"# {title}",
        f"# 格式：{fmt.document}。校验：nianbao check；键名不要修改，数字为 0 时也要填写 0。",
        *_text("机关名称", data.get("机关名称")),
        *_text("机关代码", data.get("机关代码"), comment="小写字母、数字和连字符，与文件名一致"),
        *_text("地区", data.get("地区"), comment="行政区划，用“/”分隔"),
        *_text("机关类别", data.get("机关类别"), comment="、".join(AGENCY_KINDS)),
        *_text("年度", data.get("年度")),
        *_text("格式", fmt.id, comment=f"{fmt.document}；2019、2020 年度用 2019（试行格式）"),
        "联系方式:",
        *_text("机构", contact.get("机构"), "  "),
        *_text("地址", contact.get("地址"), "  "),
        *_text("电话", contact.get("电话"), "  "),
        *_block("导语", str(data.get("导语") or MISSING)),
    ]
    tables = data.get("tables") or {}
    for f in body_fields():
        value = data.get(f.key)
        if value:
            lines += _block(f.key, str(value))
        elif f.required:
            lines += _block(f.key, MISSING)
        if f.key in TABLE_AFTER:
            table = fmt.table[TABLE_AFTER[f.key]]
            lines.append(f"# {table.id} {table.title}" + ("；总计可省略，由程序计算" if table.id != "表一" else ""))
            lines += table_lines(table, tables.get(table.id, {}), with_totals)
    lines += ["落款:", *_text("署名", signature.get("署名"), "  "), *_text("日期", signature.get("日期"), "  ", "写作 2025-01-07")]
    return "\n".join(lines) + "\n"


_KEY_LINE = re.compile(r"^( *)([^#\s][^:]*):(?: |$)")
_BLOCK_START = re.compile(r":\s*\|[0-9]?\s*$")


def insert_comments(text: str, comments: Mapping[tuple[str, ...], str]) -> str:
    """Return ``text`` with ``# …`` lines above the keys named in ``comments`` (by key path).

    Comments go on lines of their own because most values (block texts, table rows) cannot carry
    one at the end of the line; text inside block scalars is never mistaken for a key.
    """
    out: list[str] = []
    path: list[str] = []
    block_indent: int | None = None
    for line in text.split("\n"):
        if block_indent is not None:
            if not line.strip() or len(line) - len(line.lstrip(" ")) > block_indent:
                out.append(line)
                continue
            block_indent = None
        m = _KEY_LINE.match(line)
        if m:
            depth = len(m[1]) // 2
            path[depth:] = [m[2].strip()]
            comment = comments.get(tuple(path))
            if comment:
                out += [f"{m[1]}# {part}" for part in comment.split("\n")]
            if _BLOCK_START.search(line):
                block_indent = len(m[1])
        out.append(line)
    return "\n".join(out)
