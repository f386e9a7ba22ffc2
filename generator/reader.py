"""Build a Report from a Source's node tree, yielding a finding for every key or value out of shape.

The walk is driven by the schema (schema.py) and the format definition (formats.py): unknown,
missing and duplicate keys, wrong types and malformed numbers are found here, each at its line.
The balance rules run later, on the typed report (checks/).
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .findings import Finding, Location
from .formats import FORMATS, CellDef, FormatDef, Kind, TableDef
from .messages import finding
from .model import Cell, Report, cell_key
from .schema import HEAD, TABLE_AFTER, TAIL, Field, body_fields
from .source import ALIAS_PROBLEM, Source, read_source
from .writer import MISSING

_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq"))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_DIGITS = re.compile(r"^[0-9]+$")
_SIGNED = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
PLACEHOLDER = f"（尚未填写：请把“{MISSING}”换成实际内容）"  # S2 for a value ``nianbao new``/``import`` left to fill
FILE_NAME = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)-(\d{4})\.ya?ml$")
MAX_FRACTION_DIGITS = 6  # 万元 to the hundredth of a 分 is 6 places; 40,000 broke the PDF
MAX_DIGITS = 12
MAX_UNKNOWN = 100  # unknown keys listed one by one in one mapping


def _style(node: yaml.Node) -> str | None:
    """Return a scalar's quoting style ('' or None when plain: libyaml and PyYAML differ)."""
    return getattr(node, "style", None)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "一组键值（下一层的内容）"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    value = str(node.value)
    if value in _NULLS:
        return "空白"
    short = value if len(value) <= 20 else value[:20] + "…"
    return f"“{short}”"


class Reader:
    """Walk one file's nodes into a Report, collecting findings."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.findings: list[Finding] = src.findings
        self.report = Report(source=src.display, path=src.path)
        self._seen: set[int] = set()

    # -- helpers ---------------------------------------------------------------------------

    def at(self, node: yaml.Node | None) -> Location:
        return self.src.at(node)

    def add(self, rule: str, node: yaml.Node | None, related: tuple[int, ...] = (), **kwargs: Any) -> None:
        self.findings.append(finding(rule, self.at(node), related, **kwargs))

    def _visit(self, node: yaml.Node) -> bool:
        """Return False (once reported) when ``node`` was reached before: an alias."""
        if id(node) in self._seen:
            if not self.src.aliases:  # else reported already, at the alias rather than here at its anchor
                self.add("F7", node, problem=ALIAS_PROBLEM)
            return False
        self._seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            self.add("F7", node, problem=f"不支持 YAML 标签“{node.tag}”，请去掉以 ! 开头的标记")
            return False
        return True

    def mapping(self, node: yaml.Node, key: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Return a mapping's entries by key; report duplicates and non-mappings."""
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.add("S3", node, key=key, expected="一组键值（下一层的内容，每项一行并缩进）", actual=_describe(node))
            return None
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.add("F7", key_node, problem="键必须是简单的文字")
                continue
            name = str(key_node.value).strip()
            if name in entries:
                first = entries[name][0].start_mark.line + 1
                self.add("F5", key_node, key=name, first=first)
            entries[name] = (key_node, value_node)
        return entries

    def unknown(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], allowed: list[str], prefix: str) -> None:
        extra = [(name, key_node) for name, (key_node, _) in entries.items() if name not in allowed]
        if len(extra) > MAX_UNKNOWN:  # not a report: 200,000 keys took difflib 12 s
            name, key_node = extra[MAX_UNKNOWN]
            self.add("S1", key_node, key=prefix + name, hint=f"；此后还有 {len(extra) - MAX_UNKNOWN - 1} 个未知的键，不再逐一列出")
        for name, key_node in extra[:MAX_UNKNOWN]:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
            hint = f"，是否应为“{close[0]}”？" if close else f"，这一层可用的键：{'、'.join(allowed)}"
            self.add("S1", key_node, key=prefix + name, hint=hint)

    def missing(self, parent: yaml.Node, key: str, where: str = "") -> None:
        self.add("S2", parent, key=key, where=where)

    # -- scalars ---------------------------------------------------------------------------

    def scalar(self, node: yaml.Node, key: str, expected: str) -> str | None:
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.add("S3", node, key=key, expected=expected, actual=_describe(node))
            return None
        return str(node.value)

    def text(self, node: yaml.Node, f: Field, key: str) -> str | None:
        value = self.scalar(node, key, "文字")
        if value is None:
            return None
        if (value.strip() in _NULLS and not _style(node)) or not value.strip():
            self.add("S2", node, key=key, where="（不能为空）")
            return None
        value = value.strip() if f.type == "text" else value.strip("\n")
        if f.pattern and not re.match(f.pattern, value):
            self.add("S4", node, key=key, problem=f"的写法不符合要求：{f.description}；填写的是“{value[:30]}”")
            return None
        return value

    def integer(self, node: yaml.Node, key: str) -> int | None:
        value = self.scalar(node, key, "整数")
        if value is None:
            return None
        if not _style(node) and _DIGITS.match(value) and len(value) <= 6:
            return int(value)
        self.add("S3", node, key=key, expected="整数（如 2024）", actual=_describe(node))
        return None

    def date(self, node: yaml.Node, key: str) -> datetime.date | None:
        value = self.scalar(node, key, "日期")
        if value is None:
            return None
        value = value.strip()
        m = _CN_DATE.match(value)
        try:
            if m:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                return datetime.date.fromisoformat(value)
        except ValueError:
            self.add("S4", node, key=key, problem=f"不是有效的日期：“{value}”")
            return None
        self.add("S3", node, key=key, expected="日期（写作 2025-01-07）", actual=_describe(node))
        return None

    def number(self, node: yaml.Node, cell: CellDef, label: str, name: str) -> Cell | None:
        """Parse a table cell (key ``label/name``); every malformed number is an R5 finding that names the cell."""
        if not self._visit(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.add("S3", node, key=f"{label}/{name}", expected="数字", actual=_describe(node))
            return None
        value = str(node.value)
        mark = node.start_mark
        if not node.style and value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
            return Cell(int(value), value, mark.line + 1, mark.column + 1)  # the common case, fast
        key = f"{label}/{name}"  # built only here: the common case above is most of a file's work
        value = value.strip()
        where = (mark.line + 1, mark.column + 1)
        kind = cell.kind

        def bad(problem: str) -> None:
            self.add("R5", node, cell=cell.name, problem=problem)

        if value == MISSING and not node.style:
            bad(f"尚未填写（仍为“{MISSING}”），请填写数字；没有发生的事项填 0")
            return None
        if not node.style and value in _NULLS:
            bad("空白单元格不是数字；没有发生的事项请填 0")
            return None
        if node.style:
            if _DECIMAL.match(value) or _SIGNED.match(value):
                self.add("S3", node, key=key, expected="数字（不要加引号）", actual=_describe(node))
            else:
                bad(f"应填写数字，填写的是文字{_describe(node)}")
            return None
        plain = value.translate(_FULLWIDTH)
        if plain != value and (_DECIMAL.match(plain) or _SIGNED.match(plain)):
            bad(f"“{value}”使用了全角数字或符号，请改用半角数字 {plain}")
            return None
        if "," in value and _DECIMAL.match(value.replace(",", "")):
            bad(f"“{value}”中不要使用千分位逗号，请写作 {value.replace(',', '')}")
            return None
        digits = value.lstrip("+-").split(".")[0]
        if digits.isdigit() and len(digits) > MAX_DIGITS:
            bad(f"数字过大（{len(digits)} 位），请核对")
            return None
        fraction = value.partition(".")[2]
        if len(fraction) > MAX_FRACTION_DIGITS and fraction.isdigit():
            bad(f"小数位数过多（{len(fraction)} 位），金额以万元为单位，最多写 {MAX_FRACTION_DIGITS} 位小数")
            return None
        if kind is Kind.AMOUNT:
            if _DECIMAL.match(value):
                return Cell(Decimal(value), value, *where)
            if value.startswith("-") and _DECIMAL.match(value[1:]):
                bad(f"金额不能为负数，填写的是 {value}")
            elif "元" in value or "万" in value:
                bad(f"只填写数字，单位固定为万元；填写的是“{value}”")
            else:
                bad(f"金额应为不小于 0 的数字（单位：万元，可带小数），填写的是“{value}”")
            return None
        if kind is Kind.SIGNED and _SIGNED.match(value):
            return Cell(int(value), value, *where)
        if _DIGITS.match(value):
            return Cell(int(value), value, *where)
        if _SIGNED.match(value) and value.startswith("-"):
            bad(f"件数不能为负数，填写的是 {value}")
        elif _DECIMAL.match(value.lstrip("+-")):
            bad(f"件数应为整数，填写的是 {value}")
        else:
            bad(f"件数应为不小于 0 的整数，填写的是“{value[:20]}”")
        return None

    # -- the report ------------------------------------------------------------------------

    def read(self) -> Report:
        root = self.src.root
        if root is None:
            return self.report
        entries = self.mapping(root, "报告")
        if entries is None:
            return self.report
        fmt = self._format(entries)
        report = self.report
        report.format_id = fmt.id
        allowed = [f.key for f in HEAD]
        for f in body_fields():
            allowed.append(f.key)
            if f.key in TABLE_AFTER:
                allowed.append(TABLE_AFTER[f.key])
        allowed += [f.key for f in TAIL]
        self.unknown(entries, allowed, "")
        values = self.fields(root, entries, HEAD + body_fields() + TAIL, "")
        report.agency = str(values.get("机关名称") or "")
        report.agency_id = str(values.get("机关代码") or "")
        region = values.get("地区")
        report.region = tuple(str(region).split("/")) if region else ()
        report.kind = str(values.get("机关类别") or "")
        report.year = int(values.get("年度", 0) or 0)
        report.contact = {k: str(v) for k, v in (values.get("联系方式") or {}).items() if v is not None}
        report.lead = str(values.get("导语") or "")
        report.sections = {f.key: str(values[f.key]) for f in body_fields() if values.get(f.key)}
        signature = values.get("落款") or {}
        report.signature = str(signature.get("署名") or "")
        report.date = signature.get("日期")
        report.published = values.get("发布日期")
        for table in fmt.tables:
            if table.id in entries:
                key_node, value_node = entries[table.id]
                report.lines[table.id] = key_node.start_mark.line + 1
                self.table(table, value_node)
            else:
                self.missing(root, table.id, f"（{table.title}）")
        self._check_format(entries, fmt)
        return report

    def _format(self, entries: dict[str, tuple[yaml.Node, yaml.Node]]) -> FormatDef:
        """Pick the format to read the tables with: the file's 格式, else by year, else 2021."""
        if "格式" in entries:
            node = entries["格式"][1]
            if isinstance(node, yaml.ScalarNode) and str(node.value).strip() in {str(k) for k in FORMATS}:
                return FORMATS[int(str(node.value).strip())]
        if "年度" in entries:
            node = entries["年度"][1]
            if isinstance(node, yaml.ScalarNode) and str(node.value).strip() in {"2019", "2020"}:
                return FORMATS[2019]
        return FORMATS[2021]

    def _check_format(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], fmt: FormatDef) -> None:
        year = self.report.year
        if "格式" not in entries or not year or str(entries["格式"][1].value).strip() != str(fmt.id):
            return
        first, last = fmt.years
        if not first <= year <= last:
            right = next((f for f in FORMATS.values() if f.years[0] <= year <= f.years[1]), None)
            hint = f"，{year} 年度应使用 {right.id}（{right.document}）" if right else ""
            self.add("S4", entries["格式"][1], key="格式", problem=f"{fmt.id}（{fmt.document}）适用于 {first}–{min(last, 2100)} 年度的报告{hint}".replace("–2100", " 年起"))

    def fields(
        self, parent: yaml.Node, entries: dict[str, tuple[yaml.Node, yaml.Node]], fields: tuple[Field, ...], prefix: str
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in fields:
            key = prefix + f.key
            if f.key not in entries:
                if f.required:
                    self.missing(parent, key, f"（{f.description}）")
                continue
            key_node, node = entries[f.key]
            # a block scalar (| or >) starts on the line after its indicator
            block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
            self.report.lines[key] = node.start_mark.line + 1 + block
            if f.type != "group" and isinstance(node, yaml.ScalarNode) and str(node.value).strip() == MISSING:
                self._visit(node)
                self.missing(node, key, PLACEHOLDER)
                continue
            if f.type == "group":
                sub = self.mapping(node, key)
                if sub is not None:
                    self.unknown(sub, [c.key for c in f.children], key + "/")
                    values[f.key] = self.fields(node, sub, f.children, key + "/")
            elif f.type == "int":
                values[f.key] = self._bounded_year(node, key)
            elif f.type == "date":
                values[f.key] = self.date(node, key)
            elif f.type == "choice":
                values[f.key] = self.choice(node, f, key)
            elif not f.required and isinstance(node, yaml.ScalarNode) and not node.style and node.value in _NULLS:
                self._visit(node)  # an optional section left empty
            else:
                values[f.key] = self.text(node, f, key)
        return values

    def _bounded_year(self, node: yaml.Node, key: str) -> int | None:
        year = self.integer(node, key)
        if year is not None and not 2008 <= year <= 2100:
            self.add("S4", node, key=key, problem=f"应为 2008 年以后的年份，填写的是 {year}")
            return None
        return year

    def choice(self, node: yaml.Node, f: Field, key: str) -> Any:
        value = self.scalar(node, key, "选项")
        if value is None:
            return None
        for choice in f.choices:
            if value.strip() == str(choice):
                return choice
        options = "、".join(str(c) for c in f.choices)
        self.add("S4", node, key=key, problem=f"只能是 {options} 之一，填写的是{_describe(node)}")
        return None

    def table(self, table: TableDef, node: yaml.Node) -> None:
        self._branch(table, node, _key_tree(table), (table.id,))

    def _branch(self, table: TableDef, node: yaml.Node, tree: dict[str, Any], path: tuple[str, ...]) -> None:
        label = "/".join(path)
        entries = self.mapping(node, label)
        if entries is None:
            return
        self.unknown(entries, list(tree), label + "/")
        for key, sub in tree.items():
            if key not in entries:
                if not _all_totals(sub):
                    self.missing(node, f"{label}/{key}")
                continue
            key_node, value_node = entries[key]
            if isinstance(sub, dict):
                self._branch(table, value_node, sub, path + (key,))
            else:
                cell = self.number(value_node, sub, label, key)
                if cell is not None:
                    self.report.cells[cell_key(table.id, sub.path)] = cell


_TREES: dict[int, dict[str, Any]] = {}


def _key_tree(table: TableDef) -> dict[str, Any]:
    """Return the table's key paths as nested dicts, leaves being CellDefs (built once per table)."""
    tree = _TREES.get(id(table))
    if tree is None:
        tree = {}
        for cell in table.cells:
            branch = tree
            for key in cell.path[:-1]:
                branch = branch.setdefault(key, {})
            branch[cell.path[-1]] = cell
        _TREES[id(table)] = tree
    return tree


def _all_totals(sub: Any) -> bool:
    if isinstance(sub, dict):
        return all(_all_totals(v) for v in sub.values())
    return bool(sub.total)


def check_file_name(report: Report, path: Path) -> Iterator[Finding]:
    """Yield F6 when the file name is not ``<机关代码>-<年度>.yaml`` of its content."""
    m = FILE_NAME.match(path.name)
    expected = f"{report.agency_id}-{report.year}.yaml" if report.agency_id and report.year else None
    where = Location(report.source, 1, 1)
    if not m:
        hint = f"，本文件应命名为 {expected}" if expected else ""
        yield finding("F6", where, problem=f"文件名“{path.name}”不符合“机关代码-年度.yaml”的格式（机关代码只用小写字母、数字和连字符）{hint}")
        return
    agency_id, year = m[1], int(m[2])
    if report.agency_id and agency_id != report.agency_id:
        line = Location(report.source, report.line("机关代码"), 1)
        yield finding("F6", line, problem=f"文件名中的机关代码 {agency_id} 与文件内容中的机关代码 {report.agency_id} 不一致；文件名应为 {expected}")
    if report.year and year != report.year:
        line = Location(report.source, report.line("年度"), 1)
        yield finding("F6", line, problem=f"文件名中的年度 {year} 与文件内容中的年度 {report.year} 不一致；文件名应为 {expected}")


def load_report(path: Path, display: str | None = None, data: bytes | None = None) -> tuple[Report, list[Finding]]:
    """Read one report file (or its ``data``, already read); return the report and the findings of its shape."""
    src = read_source(path, display, data)
    reader = Reader(src)
    try:
        report = reader.read()
    except RecursionError:
        reader.add("F7", None, problem="嵌套层次过深，报告不需要这么多层")
        report = reader.report
    if src.root is not None:
        reader.findings.extend(check_file_name(report, path))
    report.digest = hashlib.sha256(src.text.encode("utf-8")).hexdigest()
    return report, reader.findings
