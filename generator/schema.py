"""The keys of a report YAML file, with Chinese descriptions, and their JSON Schema.

The reader walks these fields to build a report; ``nianbao schema`` turns them into a JSON Schema so
that editors get completion and inline errors in VS Code. Table keys come from formats.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .formats import AGENCY_KINDS, FORMATS, SECTIONS, FormatDef, Kind, TableDef

# At most 64 characters: the id names files on disk (<id>-<year>.html, .pdf, .xlsx …).
AGENCY_ID_PATTERN = r"^(?=[a-z0-9-]{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$"
# Region segments of at most 64 characters: no slashes, backslashes, %, spaces, control characters or
# dot-only names. A region never names a path on disk (pages are named by its hash), and never will.
REGION_PATTERN = r"^(?!\.+(/|$))[^/\\%\s\x00-\x1f\x7f]{1,64}(/(?!\.+(/|$))[^/\\%\s\x00-\x1f\x7f]{1,64})*$"
PHONE_PATTERN = r"^[0-9０-９()（）+\-－—、，,/ 转]+$"


@dataclass(frozen=True)
class Field:
    """A key of the report file."""

    key: str
    type: str  # text | markdown | int | date | choice | group
    description: str
    required: bool = True
    children: tuple[Field, ...] = ()
    choices: tuple[Any, ...] = ()
    pattern: str | None = None


CONTACT = (
    Field("机构", "text", "受理咨询的机构，如“硚口区融媒体中心办公室”"),
    Field("地址", "text", "机构地址"),
    Field("电话", "text", "咨询电话，如 027-83426360（多个号码用顿号分隔）", pattern=PHONE_PATTERN),
)
SIGNATURE = (
    Field("署名", "text", "落款的机关名称，如“武汉市硚口区融媒体中心”"),
    Field("日期", "date", "报告日期（落款日期），写作 2025-01-07"),
)

HEAD = (
    Field("机关名称", "text", "发布报告的机关全称，用于标题“<机关名称><年度>年政府信息公开工作年度报告”"),
    Field("机关代码", "text", "机关的英文代码（小写字母、数字和连字符），与文件名一致，如 qiaokou-rongmeiti", pattern=AGENCY_ID_PATTERN),
    Field("地区", "text", "行政区划路径，用“/”分隔，如 湖北省/武汉市/硚口区", pattern=REGION_PATTERN),
    Field("机关类别", "choice", "机关类别：人民政府、部门、乡镇街道、事业单位、其他", choices=tuple(AGENCY_KINDS)),
    Field("年度", "int", "报告年度，如 2024（统计期为该年 1 月 1 日至 12 月 31 日）"),
    Field("格式", "choice", "报告格式：2021（国办公开办函〔2021〕30号，2021 年度起）或 2019（试行格式，2019、2020 年度）", choices=tuple(FORMATS)),
    Field("联系方式", "group", "导语中的联系方式", children=CONTACT),
    Field("导语", "markdown", "报告开头不编号的一段：编制依据、全文组成、统计期限和联系方式"),
)

SECTION_DESCRIPTIONS = {
    SECTIONS[0]: "总体情况，一般分（一）主动公开（二）依申请公开（三）政府信息管理（四）政府信息公开平台建设（五）监督保障，小标题写作“## （一）主动公开”",
    SECTIONS[1]: "可选：表一之前的说明文字",
    SECTIONS[2]: "可选：表二之前的说明文字",
    SECTIONS[3]: "可选：表三之前的说明文字",
    SECTIONS[4]: "存在的主要问题及改进情况（上年度问题整改情况和本年度存在的问题）",
    SECTIONS[5]: "其他需要报告的事项，一般包括信息处理费收取情况",
}
TABLE_AFTER = {SECTIONS[1]: "表一", SECTIONS[2]: "表二", SECTIONS[3]: "表三"}
OPTIONAL_SECTIONS = frozenset(TABLE_AFTER)


def body_fields() -> tuple[Field, ...]:
    """Return the section fields in statutory order, without the tables."""
    return tuple(
        Field(heading, "markdown", SECTION_DESCRIPTIONS[heading], required=heading not in OPTIONAL_SECTIONS)
        for heading in SECTIONS
    )


TAIL = (
    Field("落款", "group", "报告末尾的署名和日期", children=SIGNATURE),
    Field("发布日期", "date", "可选：本报告在网站上首次发布的日期，写作 2025-01-20；不填时取报告文件在 Git 中首次提交的日期",
          required=False),
)


def top_level_keys() -> list[str]:
    """Return every top-level key in the order a report file lists them."""
    keys = [f.key for f in HEAD]
    for f in body_fields():
        keys.append(f.key)
        if f.key in TABLE_AFTER:
            keys.append(TABLE_AFTER[f.key])
    keys.extend(f.key for f in TAIL)
    return keys


# -- JSON Schema ---------------------------------------------------------------------------------


def _field_schema(f: Field) -> dict[str, Any]:
    out: dict[str, Any]
    if f.type == "group":
        out = {
            "type": "object",
            "properties": {c.key: _field_schema(c) for c in f.children},
            "required": [c.key for c in f.children if c.required],
            "additionalProperties": False,
        }
    elif f.type == "int":
        out = {"type": "integer", "minimum": 2019, "maximum": 2100}
    elif f.type == "date":
        out = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    elif f.type == "choice":
        out = {"enum": list(f.choices)}
    else:
        out = {"type": "string", "minLength": 1}
        if f.pattern:
            out["pattern"] = f.pattern
    out["description"] = f.description
    return out


def _cell_schema(kind: Kind, label: str, total: bool) -> dict[str, Any]:
    if kind is Kind.AMOUNT:
        s: dict[str, Any] = {"type": "number", "minimum": 0, "description": f"{label}（万元，可带小数）"}
    elif kind is Kind.SIGNED:
        s = {"type": "integer", "description": f"{label}（整数，可为负数）"}
    else:
        s = {"type": "integer", "minimum": 0, "description": f"{label}（件数，不小于 0 的整数）"}
    if total:
        s["description"] += "；可省略，由程序计算，填写时将核对"
    return s


def table_schema(table: TableDef) -> dict[str, Any]:
    """Return the JSON Schema of one table, nested like its key paths; totals are optional."""
    needed = {c.path[: i + 1] for c in table.cells if not c.total for i in range(len(c.path))}
    root: dict[str, Any] = {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    for cell in table.cells:
        node = root
        for depth, key in enumerate(cell.path):
            prefix = cell.path[: depth + 1]
            if prefix in needed and key not in node["required"]:
                node["required"].append(key)
            if depth == len(cell.path) - 1:
                node["properties"][key] = _cell_schema(cell.kind, key, cell.total)
            else:
                node = node["properties"].setdefault(
                    key, {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
                )
    root["description"] = f"{table.id} {table.title}"
    return root


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a report file; the tables' shape follows its 格式 key."""
    props: dict[str, Any] = {}
    for f in HEAD:
        props[f.key] = _field_schema(f)
    new, old = FORMATS[2021], FORMATS[2019]
    for f in body_fields():
        props[f.key] = _field_schema(f)
        if f.key in TABLE_AFTER:
            table = new.table[TABLE_AFTER[f.key]]
            props[table.id] = {"type": "object", "description": f"{table.id} {table.title}"}
    for f in TAIL:
        props[f.key] = _field_schema(f)
    required = [f.key for f in HEAD + body_fields() + TAIL if f.required] + [t.id for t in new.tables]

    def tables(fmt: FormatDef) -> dict[str, Any]:
        return {"properties": {t.id: table_schema(t) for t in fmt.tables}}

    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://nianbao.invalid/schema/report.schema.json",
        "title": "政府信息公开工作年度报告（nianbao 报告文件）",
        "description": "一份报告一个 YAML 文件，键名取自《中华人民共和国政府信息公开工作年度报告格式》",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
        "if": {"properties": {"格式": {"const": old.id}}, "required": ["格式"]},
        "then": tables(old),
        "else": tables(new),
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
