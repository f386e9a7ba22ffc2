"""Findings: what validation reports about a file, and how they are printed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is: only errors stop publication."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"

    @property
    def chinese(self) -> str:
        return {"error": "错误", "warning": "警告", "notice": "提示"}[self.value]


@dataclass(frozen=True)
class Location:
    """A place in a file: 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True, order=True)
class Finding:
    """One rule broken at one place."""

    file: str
    line: int
    column: int
    rule: str
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    related: tuple[int, ...] = field(default=(), compare=False)  # other lines the rule involves

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def flat(self) -> list[object]:
        """Return ``[file, line, rule, severity]``: the shape tests assert."""
        return [self.file, self.line, self.rule, self.severity.value]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Sort by file, line, column and rule; drop exact repeats."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in sorted(findings):
        key = (f.file, f.line, f.column, f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _ranges(lines: tuple[int, ...]) -> str:
    parts: list[str] = []
    ordered = sorted(set(lines))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return "、".join(parts)


def format_text(findings: list[Finding], reports: int = 0) -> str:
    """Render findings as ``file:line:column: 错误 R1 message`` lines and a summary."""
    lines = []
    for f in findings:
        where = f"{f.file}:{f.line}:{f.column}" if f.line else f.file
        text = f"{where}: {f.severity.chinese} {f.rule} {f.message}"
        if f.related:
            text += f"（涉及第 {_ranges(f.related)} 行）"
        lines.append(text)
    lines.append(summary(findings, reports))
    return "\n".join(lines)


def summary(findings: list[Finding], reports: int = 0) -> str:
    """Return the closing line: how many reports, errors, warnings and notices."""
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    checked = f"共 {reports} 份报告，" if reports else ""
    if not findings:
        return f"检查通过：{checked}未发现问题。"
    head = "检查未通过" if counts[Severity.ERROR] else "检查通过"
    files = len({f.file for f in findings})
    return (
        f"{head}：{checked}{files} 个文件中有 {counts[Severity.ERROR]} 个错误、"
        f"{counts[Severity.WARNING]} 个警告、{counts[Severity.NOTICE]} 个提示。"
    )


def format_json(findings: list[Finding]) -> str:
    """Render findings as a JSON list for tools (editors, CI annotations)."""
    out = []
    for f in findings:
        d = asdict(f)
        d["severity"] = f.severity.value
        d["related"] = list(f.related)
        out.append(d)
    return json.dumps(out, ensure_ascii=False, indent=2)
